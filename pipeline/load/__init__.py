"""Load stage: read every YAML file under data/ into tables, keeping file and line of each value.

Load (files.py): find the data files under data/ and which table each feeds (`discover`, `kind_of`), with
an error for anything the walk would skip. Process: read each file safely with line numbers
(yaml_reader.py), check its keys against the spec (keys.py), parse each claim's written value (values.py)
and turn it into table rows (tables.py: columns, row builders, `Dataset`), in worker processes for large
trees (batches.py). Save: the tables with their origin attached, and every error found, in a `Dataset`;
nothing stops at the first error (pipeline.validate reports them all).
"""
from __future__ import annotations

import os
from pathlib import Path

from pipeline.errors import DataError
from pipeline.load.batches import PARALLEL_MIN_FILES, no_cyclic_gc, read_in_parallel
from pipeline.load.files import SEMVER, data_files, discover, kind_of, not_through_links, shown_path, version_errors
from pipeline.load.keys import check_keys
from pipeline.load.tables import COMPUTED, LOADERS, TABLE_COLUMNS, YAML_KEYS, Dataset, yaml_key
from pipeline.load.yaml_reader import key_line

__all__ = ["COMPUTED", "LOADERS", "PARALLEL_MIN_FILES", "SEMVER", "TABLE_COLUMNS", "YAML_KEYS", "Dataset",
           "check_keys", "data_files", "discover", "key_line", "kind_of", "load", "no_cyclic_gc", "version_errors",
           "yaml_key"]


def load(root: Path, only: list[Path] | None = None) -> Dataset:
    """Read data/ (or only some files of it) into a Dataset, collecting every error.

    Reading all of data/ also refuses what would publish less than data/ holds: folders and files the
    walk would skip (see discover), a data/VERSION that is not semantic, and a tree with no model files.
    """
    # Load: which files to read
    root = Path(root)
    found_errors: list[DataError] = []
    if only is None:
        paths, found_errors = discover(root)
        found_errors += version_errors(root) if root.is_dir() else []
        if root.is_dir() and not any(kind_of(path, root) == "model" for path in paths):
            found_errors.append(DataError(shown_path(str(root / "models"), root), 0, "",
                                          "no model files (data/models/<org>/<id>.yaml); an empty dataset is never published"))
    else:
        paths, found_errors = not_through_links(only, root)
    # Process: read, check keys, parse values, build rows
    tables, errors = read_in_parallel(list(paths), root)
    # Save: each table knows its name and repository (validate looks lines up again through them)
    for name, table in tables.items():
        table.attrs["name"] = name
        table.attrs["repository"] = str(Path(os.path.abspath(root)).parent)
    return Dataset(root=root, tables=tables, errors=found_errors + errors, files_read=len(paths))
