"""`modelfacts export`: write a built database back out as data/ YAML files.

The files use the canonical layout of `modelfacts fmt` (the same writer), so exporting a build of a
formatted data/ gives the same files, except that `hf_config` keys come out sorted (the database keeps
each config as sorted JSON). Building the exported folder again gives the same models, claims and
sources tables: values as written, notes, locators, files and lines.
"""
from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline import outdir
from pipeline.errors import no_database
from pipeline.fmt import Quoted, Raw, dump
from pipeline.publish import WRITE_FAILURES, connect_read_only, failure_line
from schemas import spec

TABLES = ("models", "claims", "sources", "organizations", "architectures", "hardware", "build_info")


def _present(value: Any) -> bool:
    """Whether a cell holds a value (not NULL/NaN/NaT)."""
    if value is None:
        return False
    try:
        return not pd.isna(value)
    except (TypeError, ValueError):
        return True


def _date(value: Any, precision: str) -> Any:
    """A date back in the form it was written: 2023-07-18, 2023-07, 2023 or undated."""
    if precision == "undated" or not _present(value):
        return "undated"
    text = pd.Timestamp(value).date().isoformat()
    if precision == "year":
        return Raw(text[:4])
    if precision == "month":
        return text[:7]
    return Raw(text)


def _number(value: Any) -> Any:
    """A number as YAML writes it: whole numbers without a fraction."""
    number = float(value)
    return int(number) if math.isfinite(number) and number == int(number) and abs(number) < 2**53 else number


def _engineering(value: float) -> str:
    """A FLOP/s figure as curators write it: 312e12, 989.4e12."""
    number = float(value)
    if not math.isfinite(number) or number <= 0:
        return repr(number)
    exponent = int(math.floor(math.log10(number) / 3) * 3)
    mantissa = f"{number / 10 ** exponent:.12g}"
    return f"{mantissa}e{exponent}" if exponent else mantissa


def _unless_default(value: Any, default: str) -> Any:
    """A claim's stage or scope, left out of the file when it is the default the loader fills in."""
    return None if value == default else value


def _split(value: Any, separator: str) -> list[str] | None:
    """A joined list cell ('a; b') back as a list."""
    return value.split(separator) if _present(value) and value != "" else None


def _document(pairs: list[tuple[str, Any]], keys: dict) -> dict:
    """A mapping with the present values, in the spec's key order."""
    values = {key: value for key, value in pairs
              if value is not None and (isinstance(value, (list, dict)) or _present(value))}
    return {key: values[key] for key in keys if key in values}


def model_documents(tables: dict[str, pd.DataFrame]) -> dict[str, dict]:
    """Each model file's path and document."""
    claims = tables["claims"].sort_values(["model_id", "claim_index"], kind="stable")
    claims_by_model = {model_id: group for model_id, group in claims.groupby("model_id", sort=False)}
    architectures = {row.model_id: row for row in tables["architectures"].itertuples(index=False)}
    documents = {}
    for model in tables["models"].itertuples(index=False):
        architecture = None
        if model.model_id in architectures:
            row = architectures[model.model_id]
            overrides = json.loads(row.overrides) if _present(row.overrides) else {}
            architecture = _document([("source", row.source_id), ("hf_config", json.loads(row.hf_config)),
                                      ("overrides", overrides or None), ("note", row.note)], spec.ARCHITECTURE_KEYS)
        group = claims_by_model.get(model.model_id, claims.iloc[0:0])
        claim_list = [
            _document([("field", c.field), ("value", Quoted(c.as_written)), ("status", c.status),
                       ("source", c.source_id), ("locator", c.locator), ("attributed_to", c.attributed_to),
                       ("key", c.key), ("stage", _unless_default(c.stage, "pre-training")),
                       ("scope", _unless_default(c.scope, "model")), ("component", c.component), ("context_window", c.context_window),
                       ("note", c.note)], spec.CLAIM_KEYS)
            for c in group.itertuples(index=False)]
        document = _document([
            ("schema_version", spec.SCHEMA_VERSION), ("id", model.model_id), ("name", model.name),
            ("organization", model.organization), ("released", _date(model.released, model.released_precision)),
            ("domain", model.domain), ("open_weights", bool(model.open_weights)), ("family", model.family),
            ("aliases", _split(model.aliases, "; ")), ("description", model.description),
            ("architecture", architecture), ("claims", claim_list)], spec.MODEL_KEYS)
        documents[f"data/models/{model.organization}/{model.model_id}.yaml"] = document
    return documents


def source_documents(tables: dict[str, pd.DataFrame]) -> dict[str, dict]:
    """Each source file's path and document."""
    documents = {}
    for source in tables["sources"].itertuples(index=False):
        authors = _split(source.authors, ", ")
        # the published table fills a missing publisher with the authors; write it only when it is its own
        publisher = source.publisher if not (authors and source.publisher == source.authors) else None
        documents[f"data/sources/{source.source_id}.yaml"] = _document([
            ("schema_version", spec.SCHEMA_VERSION), ("id", source.source_id), ("title", source.title),
            ("authors", authors), ("publisher", publisher),
            ("published", _date(source.published, source.published_precision)), ("kind", source.kind),
            ("url", source.url), ("arxiv", source.arxiv), ("repository", source.repository), ("path", source.path),
            ("accessed_via", source.accessed_via), ("copy", source.copy), ("note", source.note)], spec.SOURCE_KEYS)
    return documents


def hardware_documents(tables: dict[str, pd.DataFrame]) -> dict[str, dict]:
    """Each chip file's path and document."""
    documents = {}
    for chip in tables["hardware"].itertuples(index=False):
        documents[f"data/hardware/{chip.hardware_id}.yaml"] = _document([
            ("schema_version", spec.SCHEMA_VERSION), ("id", chip.hardware_id), ("name", chip.name),
            ("vendor", chip.vendor), ("aliases", _split(chip.aliases, "; ")),
            ("peak_bf16_flops", _engineering(chip.peak_bf16_flops) if _present(chip.peak_bf16_flops) else None),
            ("price_usd_per_hour_low", _number(chip.price_usd_per_hour_low) if _present(chip.price_usd_per_hour_low) else None),
            ("price_usd_per_hour_high", _number(chip.price_usd_per_hour_high) if _present(chip.price_usd_per_hour_high) else None),
            ("source", chip.source_id), ("price_source", chip.price_source_id), ("note", chip.note)], spec.HARDWARE_KEYS)
    return documents


def organizations_document(tables: dict[str, pd.DataFrame]) -> dict[str, dict]:
    """The organizations file."""
    entries = [_document([("id", org.organization_id), ("name", org.name), ("url", org.url)], spec.ORGANIZATION_KEYS)
               for org in tables["organizations"].itertuples(index=False)]
    return {"data/organizations.yaml": {"schema_version": spec.SCHEMA_VERSION, "organizations": entries}}


def read_tables(database: Path) -> dict[str, pd.DataFrame]:
    """The tables export needs, read from a database file opened read-only."""
    with connect_read_only(database) as connection:
        present = {row[0] for row in connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'").fetchall()}
        missing = [name for name in TABLES if name not in present]
        if missing:
            raise ValueError(f"{database}: not a Model Facts database (no table {', '.join(missing)})")
        return {name: connection.execute(f'SELECT * FROM "{name}"').fetchdf() for name in TABLES}


def curated_only(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The rows that curated files hold: rows with an `origin` (imported from a snapshot under
    data/imports/) stay in their snapshot and are not written out."""
    return {name: table[table["origin"].isna()] if "origin" in table.columns else table
            for name, table in tables.items()}


class ExportExists(ValueError):
    """out/data already holds files (perhaps edited since an earlier export); they are never overwritten."""


def export(database: Path, out: Path) -> list[Path]:
    """Write out/data/... from a database; returns the files written.

    `out` must be new, empty or an earlier export's folder (outdir.OutputFolderError otherwise) and
    out/data must not exist yet (ExportExists). The files are written in a staging folder inside `out`
    that becomes out/data in one rename, so a failure (a full disk: OSError naming the file) leaves
    no partial data/ behind.
    """
    tables = curated_only(read_tables(database))
    documents = {**organizations_document(tables), **source_documents(tables), **hardware_documents(tables),
                 **model_documents(tables)}
    out = outdir.prepare(Path(out), "export")
    target = out / "data"
    if target.is_symlink() or (target.exists() and (not target.is_dir() or any(target.iterdir()))):
        raise ExportExists(f"{target}: already exists and is not empty; export into a new or empty folder "
                           "(files there may have been edited since, so they are never overwritten)")
    with outdir.exclusive(out, "export"):
        outdir.remove_stale(out, ".export-")
        staging = outdir.make_staging(out, ".export-", "export")
        try:
            for relative, document in sorted(documents.items()):
                path = staging / relative
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(dump(document), encoding="utf-8")
            version = tables["build_info"]["dataset_version"].iloc[0] if len(tables["build_info"]) else None
            if version:
                (staging / "data" / "VERSION").write_text(f"{version}\n")
            os.replace(staging / "data", target)  # over an empty data/ too
        finally:
            outdir.remove_made(staging)
    written = [out / relative for relative in sorted(documents)]
    return written + ([out / "data" / "VERSION"] if version else [])


def main(args) -> int:
    """Entry point of `modelfacts export --db DB --out DIR`."""
    if no_database(args.db):
        return 1
    try:
        written = export(args.db, args.out)
    except WRITE_FAILURES as error:
        print(failure_line(error, args.db, args.out, "export"), file=sys.stderr)
        return 1
    print(f"wrote {len(written)} files to {args.out / 'data'}")
    return 0
