"""The tables the load stage builds, and the rows each kind of data file gives them.

Columns per table (TABLE_COLUMNS) and the YAML key each is read from (YAML_KEYS); one row builder per
kind of file (LOADERS: model, source, hardware, organizations), each appending rows and errors. A claim's
written value is parsed here (pipeline.load.values), so value/low/high/precision are the parser's output
and never copied from a file.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from pipeline.errors import DataError
from pipeline.fields import FIELDS
from pipeline.load.keys import check_keys
from pipeline.load.values import ValueParseError, parse_value
from pipeline.load.yaml_reader import Document
from schemas import spec

TABLE_COLUMNS = {
    "models": ["model_id", "name", "organization", "released", "domain", "open_weights", "family",
               "aliases", "description", "schema_version", "file", "line", "path_prefix"],
    "claims": ["model_id", "claim_index", "field", "as_written", "status", "source_id", "locator",
               "attributed_to", "key", "note", "stage", "scope", "component", "context_window", "value", "low", "high", "precision", "sig_figs",
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


def _row(mapping: dict, table: str, prefix: str, file: str) -> dict:
    """One table row from a mapping: its values by column, plus the line of the mapping itself."""
    row: dict[str, Any] = {column: mapping[key] for column, key in _COPIED[table] if key in mapping}
    # only the record's own line travels with it; a failing cell's line is looked up again (key_line)
    row.update(file=file, line=mapping.line, path_prefix=prefix)
    return row


def _parse_claim_value(claim: dict, prefix: str, doc: Document, file: str, row: dict, errors: list[DataError]) -> None:
    """Fill as_written and the parsed value/low/high/precision/sig_figs/approximate of one claim's row."""
    written = Document.raw(claim, "value")
    if written is None:
        errors.append(DataError(file, doc.line(f"{prefix}.value"), f"{prefix}.value",
                                "expected the value as written (text or a number); found a list or mapping"))
        return
    row["as_written"] = written
    if isinstance(claim.get("field"), str) and claim["field"] in FIELDS and written.strip():
        try:
            parsed = parse_value(written, claim["field"])
            row.update(value=parsed.value, low=parsed.low, high=parsed.high, precision=parsed.precision,
                       sig_figs=parsed.sig_figs, approximate=parsed.approximate)
        except ValueParseError as error:
            errors.append(DataError(file, doc.line(f"{prefix}.value"), f"{prefix}.value", str(error)))


def _architecture_row(architecture: Any, model_id: Any, doc: Document, file: str,
                      out: dict[str, list], errors: list[DataError]) -> None:
    """The architectures row of a model file's `architecture` block (configs keep their published key order)."""
    arch_errors = check_keys(architecture, spec.ARCHITECTURE_KEYS, doc, "architecture", file, "an architecture")
    for key in ("hf_config", "overrides"):
        if isinstance(architecture, dict) and key in architecture and not isinstance(architecture[key], dict):
            arch_errors.append(DataError(file, doc.line(f"architecture.{key}"), f"architecture.{key}",
                                         "expected a mapping of config keys"))
    errors += arch_errors
    if not arch_errors:
        row = _row(architecture, "architectures", "architecture", file)
        row["model_id"] = model_id
        # keys in the order the config published them, so export writes the file back byte for byte
        row["hf_config"] = json.dumps(architecture["hf_config"], default=str)
        row["overrides"] = json.dumps(architecture.get("overrides") or {}, default=str)
        out["architectures"].append(row)


def _load_model(doc: Document, file: str, out: dict[str, list], errors: list[DataError]) -> None:
    """Rows of the models, claims and architectures tables from one model file."""
    data = doc.data
    errors += check_keys(data, spec.MODEL_KEYS, doc, "", file, "a model")
    if not isinstance(data, dict):
        return
    out["models"].append(_row(data, "models", "", file))
    model_id = data.get("id")
    if data.get("architecture") is not None:
        _architecture_row(data["architecture"], model_id, doc, file, out, errors)
    claims = data.get("claims")
    if claims is None:
        return
    if not isinstance(claims, list):
        errors.append(DataError(file, doc.line("claims"), "claims", "expected a list of claims"))
        return
    for index, claim in enumerate(claims):
        prefix = f"claims[{index}]"
        errors += check_keys(claim, spec.CLAIM_KEYS, doc, prefix, file, "a claim")
        if not isinstance(claim, dict):
            continue
        row = _row(claim, "claims", prefix, file)
        row.update(model_id=model_id, claim_index=index)
        if "value" in claim:
            _parse_claim_value(claim, prefix, doc, file, row, errors)
        out["claims"].append(row)


def _load_source(doc: Document, file: str, out: dict[str, list], errors: list[DataError]) -> None:
    """A row of the sources table from one source file."""
    errors += check_keys(doc.data, spec.SOURCE_KEYS, doc, "", file, "a source")
    if isinstance(doc.data, dict):
        row = _row(doc.data, "sources", "", file)
        row["source_id"] = doc.data.get("id")
        if "published" in doc.data:
            row["published"] = Document.raw(doc.data, "published") or doc.data["published"]
        out["sources"].append(row)


def _load_hardware(doc: Document, file: str, out: dict[str, list], errors: list[DataError]) -> None:
    """A row of the hardware table from one chip file."""
    errors += check_keys(doc.data, spec.HARDWARE_KEYS, doc, "", file, "a chip")
    if isinstance(doc.data, dict):
        out["hardware"].append(_row(doc.data, "hardware", "", file))


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
            row = _row(entry, "organizations", prefix, file)
            row["organization"] = entry.get("id")
            out["organizations"].append(row)


# The row builder of each kind of file (pipeline.load.files.kind_of)
LOADERS: dict[str, Callable[[Document, str, dict[str, list], list[DataError]], None]] = {
    "model": _load_model, "source": _load_source, "hardware": _load_hardware, "organizations": _load_organizations}
