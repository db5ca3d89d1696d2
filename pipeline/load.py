"""Load stage: read every YAML file under data/ into tables, keeping file and line of each value."""
from __future__ import annotations

import difflib
import gc
import json
import multiprocessing
import os
import re
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from functools import lru_cache
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from pipeline.errors import DataError
from pipeline.fields import FIELDS
from pipeline.values import ValueParseError, parse_value
from pipeline.yamlsafe import Document, YamlError, read_bytes, read_document
from schemas import spec

TABLE_COLUMNS = {
    "models": ["model_id", "name", "organization", "released", "domain", "open_weights", "family",
               "aliases", "description", "schema_version", "file", "line", "path_prefix"],
    "claims": ["model_id", "claim_index", "field", "as_written", "status", "source_id", "locator",
               "attributed_to", "key", "note", "stage", "scope", "component", "value", "low", "high", "precision", "sig_figs",
               "approximate", "file", "line", "path_prefix"],
    "sources": ["source_id", "title", "authors", "publisher", "published", "kind", "url", "arxiv",
                "repository", "path", "accessed_via", "copy", "note", "schema_version", "file", "line", "path_prefix"],
    "organizations": ["organization", "name", "url", "file", "line", "path_prefix"],
    "architectures": ["model_id", "source_id", "hf_config", "overrides", "note", "file", "line", "path_prefix"],
    "hardware": ["hardware_id", "name", "vendor", "aliases", "peak_bf16_flops", "price_usd_per_hour_low",
                 "price_usd_per_hour_high", "source_id", "price_source_id", "note", "schema_version",
                 "file", "line", "path_prefix"],
}
# Per table, the YAML key of each column whose name differs from it
YAML_KEYS = {
    "models": {"model_id": "id"},
    "claims": {"source_id": "source", "as_written": "value"},
    "sources": {"source_id": "id"},
    "organizations": {"organization": "id"},
    "architectures": {"source_id": "source"},
    "hardware": {"hardware_id": "id", "source_id": "source", "price_source_id": "price_source"},
}
# Columns the loader computes; never copied from a file
COMPUTED = {"model_id", "claim_index", "as_written", "value", "low", "high", "precision", "sig_figs", "approximate"}


def yaml_key(table: str, column: str) -> str:
    """The key a column's value was read from."""
    return YAML_KEYS[table].get(column, column)


# (column, YAML key) pairs each table copies straight from a file
_COPIED = {table: [(column, yaml_key(table, column)) for column in columns
                   if not (table == "claims" and column in COMPUTED)]
           for table, columns in TABLE_COLUMNS.items()}


@dataclass
class Dataset:
    """Everything under data/ as tables, plus the errors found while reading."""

    root: Path
    tables: dict[str, pd.DataFrame]
    errors: list[DataError] = field(default_factory=list)
    files_read: int = 0

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)


def _hint(key: str, allowed: Iterable[str]) -> str:
    """' (did you mean 'status'?)' when a close allowed key exists."""
    close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def check_keys(mapping: Any, keys: dict, doc: Document, path: str, file: str, what: str) -> list[DataError]:
    """Errors for a value that is not a mapping, for unknown keys and for missing required keys."""
    if not isinstance(mapping, dict):
        found = "a list" if isinstance(mapping, list) else f"{type(mapping).__name__} {mapping!r}"
        return [DataError(file, doc.line(path), path or "(document)",
                          f"expected a mapping ({what}) with keys {', '.join(k for k, v in keys.items() if v[1])}; found {found}")]
    errors = []
    for key in mapping:
        if key not in keys:
            child = f"{path}.{key}" if path else str(key)
            errors.append(DataError(file, doc.line(child), child,
                                    f"unknown key '{key}'{_hint(str(key), keys)}; allowed: {', '.join(keys)}"))
    for key, (_, required, _) in keys.items():
        if required and key not in mapping:
            errors.append(DataError(file, doc.line(path), f"{path}.{key}" if path else key,
                                    f"missing required key '{key}'"))
        elif key in mapping and mapping[key] is None:  # an optional key set to null would reach later stages as null
            errors.append(DataError(file, mapping.lines[key], f"{path}.{key}" if path else key,
                                    f"'{key}' needs a value; found nothing" + ("" if required else
                                                                               " (remove the key if there is none)")))
    return errors


def _row(mapping: dict, table: str, doc: Document, prefix: str, file: str) -> dict:
    """One table row from a mapping: its values by column, plus the line of each column's key."""
    row: dict[str, Any] = {column: mapping[key] for column, key in _COPIED[table] if key in mapping}
    # only the record's own line travels with it; a failing cell's line is looked up again (key_line)
    row.update(file=file, line=mapping.line, path_prefix=prefix)
    return row


def _load_model(doc: Document, file: str, out: dict[str, list], errors: list[DataError]) -> None:
    """Rows of the models, claims and architectures tables from one model file."""
    data = doc.data
    errors += check_keys(data, spec.MODEL_KEYS, doc, "", file, "a model")
    if not isinstance(data, dict):
        return
    out["models"].append(_row(data, "models", doc, "", file))
    model_id = data.get("id")
    architecture = data.get("architecture")
    if architecture is not None:
        arch_errors = check_keys(architecture, spec.ARCHITECTURE_KEYS, doc, "architecture", file, "an architecture")
        for key in ("hf_config", "overrides"):
            if isinstance(architecture, dict) and key in architecture and not isinstance(architecture[key], dict):
                arch_errors.append(DataError(file, doc.line(f"architecture.{key}"), f"architecture.{key}",
                                             "expected a mapping of config keys"))
        errors += arch_errors
        if not arch_errors:
            row = _row(architecture, "architectures", doc, "architecture", file)
            row["model_id"] = model_id
            row["hf_config"] = json.dumps(architecture["hf_config"], sort_keys=True, default=str)
            row["overrides"] = json.dumps(architecture.get("overrides") or {}, sort_keys=True, default=str)
            out["architectures"].append(row)
    claims = data.get("claims")
    if claims is None:
        return
    if not isinstance(claims, list):
        errors.append(DataError(file, doc.line("claims"), "claims", "expected a list of claims"))
        return
    for index, claim in enumerate(claims):
        prefix = f"claims[{index}]"
        claim_errors = check_keys(claim, spec.CLAIM_KEYS, doc, prefix, file, "a claim")
        errors += claim_errors
        if not isinstance(claim, dict):
            continue
        row = _row(claim, "claims", doc, prefix, file)
        # value/low/high/... are the parser's output, never copied from the file
        row.update(model_id=model_id, claim_index=index)
        if "value" in claim:
            written = Document.raw(claim, "value")
            if written is None:
                errors.append(DataError(file, doc.line(f"{prefix}.value"), f"{prefix}.value",
                                        "expected the value as written (text or a number); found a list or mapping"))
            else:
                row["as_written"] = written
                if isinstance(claim.get("field"), str) and claim["field"] in FIELDS and written.strip():
                    try:
                        parsed = parse_value(written, claim["field"])
                        row.update(value=parsed.value, low=parsed.low, high=parsed.high,
                                   precision=parsed.precision, sig_figs=parsed.sig_figs,
                                   approximate=parsed.approximate)
                    except ValueParseError as error:
                        errors.append(DataError(file, doc.line(f"{prefix}.value"), f"{prefix}.value", str(error)))
        out["claims"].append(row)


def _load_source(doc: Document, file: str, out: dict[str, list], errors: list[DataError]) -> None:
    """A row of the sources table from one source file."""
    errors += check_keys(doc.data, spec.SOURCE_KEYS, doc, "", file, "a source")
    if isinstance(doc.data, dict):
        row = _row(doc.data, "sources", doc, "", file)
        row["source_id"] = doc.data.get("id")
        if "published" in doc.data:
            row["published"] = Document.raw(doc.data, "published") or doc.data["published"]
        out["sources"].append(row)


def _load_hardware(doc: Document, file: str, out: dict[str, list], errors: list[DataError]) -> None:
    """A row of the hardware table from one chip file."""
    errors += check_keys(doc.data, spec.HARDWARE_KEYS, doc, "", file, "a chip")
    if isinstance(doc.data, dict):
        out["hardware"].append(_row(doc.data, "hardware", doc, "", file))


def _load_organizations(doc: Document, file: str, out: dict[str, list], errors: list[DataError]) -> None:
    """Rows of the organizations table."""
    errors += check_keys(doc.data, spec.ORGANIZATIONS_KEYS, doc, "", file, "the organizations file")
    entries = doc.data.get("organizations") if isinstance(doc.data, dict) else None
    if not isinstance(entries, list):
        return
    for index, entry in enumerate(entries):
        prefix = f"organizations[{index}]"
        errors += check_keys(entry, spec.ORGANIZATION_KEYS, doc, prefix, file, "an organization")
        if isinstance(entry, dict):
            row = _row(entry, "organizations", doc, prefix, file)
            row["organization"] = entry.get("id")
            out["organizations"].append(row)


@lru_cache(maxsize=256)
def _document(path: str) -> Document | None:
    """A file parsed again to locate an error inside it (errors are rare, so rows carry no line maps)."""
    try:
        return read_document(Path(path))
    except (YamlError, OSError):
        return None


def key_line(repository: str, file: str, path: str, fallback: int) -> int:
    """Line of a key path such as 'claims[2].status' in a data file, or `fallback` if it cannot be found."""
    document = _document(os.path.join(repository, file))
    return document.line(path) if document is not None else fallback


def data_files(root: Path) -> list[Path]:
    """Every YAML file under data/, sorted, symlinks included (the loader refuses them)."""
    return discover(root)[0]


def _shown_path(path: str, root: Path) -> str:
    """A path as messages show it: relative to data/'s parent, with '/'."""
    parent = os.path.dirname(os.path.abspath(root))
    return os.path.relpath(os.path.abspath(path), parent).replace(os.sep, "/")


def discover(root: Path) -> tuple[list[Path], list[DataError]]:
    """Every YAML file under data/ (sorted, symlinked files included: the reader refuses them), and an
    error for everything that would otherwise be skipped without a word: a missing data/, a folder that
    cannot be listed, a symlinked folder, and a file that is not `.yaml`/`.yml` (`.YAML`, `.json`, ...)."""
    root = Path(root)
    if not root.is_dir():
        return [], [DataError(_shown_path(str(root), root), 0, "",
                              "no data folder here; run modelfacts in the repository (the folder holding data/)")]
    found: list[Path] = []
    errors: list[DataError] = []

    def unreadable(error: OSError) -> None:
        errors.append(DataError(_shown_path(error.filename, root), 0, "",
                                f"cannot read the folder: {error.strerror}; its files would be skipped"))

    for directory, dirnames, filenames in os.walk(root, onerror=unreadable):
        for name in list(dirnames):
            if os.path.islink(os.path.join(directory, name)):
                dirnames.remove(name)
                errors.append(DataError(_shown_path(os.path.join(directory, name), root), 0, "",
                                        "symbolic links are not allowed in data/; commit the folder itself"))
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(directory, name)
            if name.endswith((".yaml", ".yml")):
                found.append(Path(path))
            elif not (directory == str(root) and name == "VERSION"):
                hint = (f"; rename it to {name.rsplit('.', 1)[0]}.yaml" if name.lower().endswith((".yaml", ".yml"))
                        else "; data files are YAML files ending in .yaml (move other files out of data/)")
                errors.append(DataError(_shown_path(path, root), 0, "", f"not a data file{hint}"))
    return found, errors


def _not_through_links(paths: list[Path], root: Path) -> tuple[list[Path], list[DataError]]:
    """Named files, less those reached through a symlinked folder (data/models/org -> /elsewhere), each
    with an error: the walk of data/ never enters such a folder, so naming a file in it must not either.
    A symlinked file itself is left in: the reader refuses it with its own message."""
    kept, errors = [], []
    real_root = os.path.realpath(root)
    for path in paths:
        folder = os.path.dirname(os.path.abspath(path))
        real_folder = os.path.realpath(folder)
        if os.path.relpath(real_folder, real_root) != os.path.relpath(folder, os.path.abspath(root)):
            errors.append(DataError(_shown_path(str(path), root), 0, "",
                                    "reached through a symbolic link; data files must lie in data/ itself"))
        else:
            kept.append(path)
    return kept, errors


SEMVER = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")


def version_errors(root: Path) -> list[DataError]:
    """An error when data/VERSION exists but is not MAJOR.MINOR.PATCH (it is published and cited)."""
    path = Path(root) / "VERSION"
    if not os.path.lexists(path):
        return []
    shown = _shown_path(str(path), root)
    try:
        content = read_bytes(path, limit=64)
    except YamlError as error:
        return [DataError(shown, error.line, "", error.message)]
    except OSError as error:
        return [DataError(shown, 0, "", f"cannot read the file: {error.strerror}")]
    text = content.decode("utf-8", errors="replace").removesuffix("\n")
    if SEMVER.fullmatch(text):
        return []
    return [DataError(shown, 1, "", f"expected a version MAJOR.MINOR.PATCH such as 0.1.0; found {json.dumps(text, ensure_ascii=False)}")]


def kind_of(path: Path, root: Path) -> str | None:
    """Which loader a file belongs to, by where it lies under data/."""
    parts = path.relative_to(root).parts
    if parts == ("organizations.yaml",):
        return "organizations"
    if len(parts) == 3 and parts[0] == "models":
        return "model"
    if len(parts) == 2 and parts[0] in ("sources", "hardware"):
        return parts[0].rstrip("s") if parts[0] == "sources" else "hardware"
    return None


LOADERS = {"model": _load_model, "source": _load_source, "hardware": _load_hardware,
           "organizations": _load_organizations}


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


def _load_files(paths: list[Path], root: Path) -> tuple[dict[str, pd.DataFrame], list[DataError]]:
    """Tables and errors for a batch of files (one worker's share)."""
    with no_cyclic_gc():
        out, errors = _load_batch(paths, root)
        return {name: pd.DataFrame(rows, columns=TABLE_COLUMNS[name], dtype=object) for name, rows in out.items()}, errors


def _load_batch(paths: list[Path], root: Path) -> tuple[dict[str, list], list[DataError]]:
    """Rows and errors for a batch of files."""
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
            errors.append(DataError(file, error.line, error.path, error.message))
            continue
        except OSError as error:
            errors.append(DataError(file, 0, "", f"cannot read the file: {error.strerror}"))
            continue
        LOADERS[kind](doc, file, out, errors)
    return out, errors


def _load_parallel(paths: list[Path], root: Path) -> tuple[dict[str, pd.DataFrame], list[DataError]]:
    """_load_files over all cores, in contiguous batches so row order stays the file order."""
    workers = min(os.cpu_count() or 1, 8)
    if workers < 2 or len(paths) < PARALLEL_MIN_FILES:
        return _load_files(paths, root)
    size = -(-len(paths) // (workers * 4))
    batches = [paths[i:i + size] for i in range(0, len(paths), size)]
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLE_COLUMNS}
    errors: list[DataError] = []
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool, no_cyclic_gc():
        for batch_tables, batch_errors in pool.map(_load_files, batches, [root] * len(batches)):
            for name, table in batch_tables.items():
                parts[name].append(table)
            errors.extend(batch_errors)
        return {name: pd.concat(frames, ignore_index=True) for name, frames in parts.items()}, errors


def load(root: Path, only: list[Path] | None = None) -> Dataset:
    """Read data/ (or only some files of it) into a Dataset, collecting every error.

    Reading all of data/ also refuses what would publish less than data/ holds: folders and files the
    walk would skip (see discover), a data/VERSION that is not semantic, and a tree with no model files.
    """
    # Load
    root = Path(root)
    found_errors: list[DataError] = []
    if only is None:
        paths, found_errors = discover(root)
        found_errors += version_errors(root) if root.is_dir() else []
        if root.is_dir() and not any(kind_of(path, root) == "model" for path in paths):
            found_errors.append(DataError(_shown_path(str(root / "models"), root), 0, "",
                                          "no model files (data/models/<org>/<id>.yaml); an empty dataset is never published"))
    else:
        paths, found_errors = _not_through_links(only, root)
    # Process
    tables, errors = _load_parallel(list(paths), root)
    # Save
    for name, table in tables.items():
        table.attrs["name"] = name
        table.attrs["repository"] = str(Path(os.path.abspath(root)).parent)
    return Dataset(root=root, tables=tables, errors=found_errors + errors, files_read=len(paths))
