"""Reading many files: each file is read (pipeline.load.yaml_reader) and handed to its kind's row builder
(pipeline.load.tables.LOADERS), in worker processes when there are enough files to pay for them."""
from __future__ import annotations

import gc
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from pipeline.errors import DataError
from pipeline.load.files import kind_of
from pipeline.load.tables import LOADERS, TABLE_COLUMNS
from pipeline.load.yaml_reader import YamlError, read_document

PARALLEL_MIN_FILES = 2_000  # below this, starting worker processes costs more than it saves


@contextmanager
def no_cyclic_gc():
    """Pause the cyclic garbage collector: loading makes millions of acyclic objects, and its passes over
    them grow with the heap, which made loading superlinear in the number of files."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_batch(paths: list[Path], root: Path) -> tuple[dict[str, list], list[DataError]]:
    """Rows (by table) and errors for a batch of files; a file in no known place, or one that cannot be read
    or parsed, is an error and adds no rows."""
    out: dict[str, list] = {name: [] for name in TABLE_COLUMNS}
    errors: list[DataError] = []
    parent = os.path.abspath(root.parent)
    data_root = os.path.abspath(root)
    for path in paths:
        absolute = os.path.abspath(path)
        file = os.path.relpath(absolute, parent).replace(os.sep, "/")
        kind = kind_of(Path(absolute), Path(data_root)) if absolute.startswith(data_root + os.sep) else None
        if kind is None:
            errors.append(DataError(file, 0, "", "not a known place for a data file; expected data/models/<org>/<id>.yaml, "
                                                 "data/sources/<id>.yaml, data/hardware/<id>.yaml or data/organizations.yaml"))
            continue
        try:
            doc = read_document(path)
        except YamlError as error:
            errors.extend(DataError(file, each.line, each.path, each.message) for each in error.every)
            continue
        except OSError as error:
            errors.append(DataError(file, 0, "", f"cannot read the file: {error.strerror}"))
            continue
        LOADERS[kind](doc, file, out, errors)
    return out, errors


def read_files(paths: list[Path], root: Path) -> tuple[dict[str, pd.DataFrame], list[DataError]]:
    """Tables (all columns of TABLE_COLUMNS, object dtype) and errors for a batch of files (one worker's share)."""
    with no_cyclic_gc():
        out, errors = read_batch(paths, root)
        return {name: pd.DataFrame(rows, columns=TABLE_COLUMNS[name], dtype=object) for name, rows in out.items()}, errors


def read_in_parallel(paths: list[Path], root: Path) -> tuple[dict[str, pd.DataFrame], list[DataError]]:
    """read_files over all cores (at most 8), in contiguous batches so row order stays the file order."""
    workers = min(os.cpu_count() or 1, 8)
    if workers < 2 or len(paths) < PARALLEL_MIN_FILES:
        return read_files(paths, root)
    size = -(-len(paths) // (workers * 4))
    batches = [paths[i:i + size] for i in range(0, len(paths), size)]
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLE_COLUMNS}
    errors: list[DataError] = []
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool, no_cyclic_gc():
        for batch_tables, batch_errors in pool.map(read_files, batches, [root] * len(batches)):
            for name, table in batch_tables.items():
                parts[name].append(table)
            errors.extend(batch_errors)
        return {name: pd.concat(frames, ignore_index=True) for name, frames in parts.items()}, errors
