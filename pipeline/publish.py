"""Publish stage: write the DuckDB file and Parquet tables atomically (temp file, then rename)."""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import duckdb
import pandas as pd

DB_NAME = "modelfacts.duckdb"
SORT_KEYS = {"models": ["model_id"], "claims": ["claim_id"], "sources": ["source_id"],
             "organizations": ["organization_id"], "architectures": ["model_id"], "hardware": ["hardware_id"],
             "derived": ["model_id", "quantity"], "checks": ["check_id"]}


def canonical(table: pd.DataFrame, name: str) -> pd.DataFrame:
    """A table in its published row order, so equal data gives equal files and hashes."""
    keys = [key for key in SORT_KEYS.get(name, []) if key in table.columns]
    return table.sort_values(keys, kind="stable").reset_index(drop=True) if keys else table.reset_index(drop=True)


def content_hash(connection: duckdb.DuckDBPyConnection, names: list[str]) -> str:
    """SHA-256 over every published table: its columns, row count and the sum of DuckDB's row hashes
    (hashes are deterministic, so equal data gives an equal hash; build time and commit are not included)."""
    digest = hashlib.sha256()
    for name in sorted(names):
        columns = [row[0] for row in connection.execute(f'DESCRIBE "{name}"').fetchall()]
        quoted = ", ".join(f'"{column}"' for column in columns)
        count, total = connection.execute(f'SELECT count(*), sum(hash({quoted})::HUGEINT) FROM "{name}"').fetchall()[0]
        digest.update(f"{name}:{','.join(columns)}:{count}:{total}\n".encode())
    return digest.hexdigest()


def _write_database(path: Path, tables: dict[str, pd.DataFrame], info: dict, views: list[str],
                    parquet: Path) -> None:
    """Create a fresh DuckDB file holding the tables, build_info and views, and one Parquet file per table."""
    with duckdb.connect(str(path)) as connection:
        for name, table in tables.items():
            connection.register("frame", canonical(table, name))
            connection.execute(f'CREATE TABLE "{name}" AS SELECT * FROM frame')
            connection.unregister("frame")
        connection.register("frame", pd.DataFrame([{**info, "content_hash": content_hash(connection, list(tables))}]))
        connection.execute('CREATE TABLE build_info AS SELECT * FROM frame')
        connection.unregister("frame")
        for statement in views:
            connection.execute(statement)
        connection.execute("CHECKPOINT")
        _write_parquet(connection, parquet, [*tables, "build_info"])


def _write_parquet(connection: duckdb.DuckDBPyConnection, folder: Path, names: list[str]) -> None:
    """Export tables to Parquet with DuckDB's own writer (parallel, no round trip through pandas)."""
    folder.mkdir()
    for name in names:
        target = str(folder / f"{name}.parquet").replace("'", "''")
        try:
            connection.execute(f"COPY \"{name}\" TO '{target}' (FORMAT parquet)")
        except duckdb.IOException as error:  # DuckDB reports a full disk or a missing folder this way
            raise OSError(f"{error}") from None


def _fsync(path: Path) -> None:
    """Flush a file to disk so a crash after the rename cannot leave it half-written."""
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def publish(tables: dict[str, pd.DataFrame], out: Path, info: dict, views: list[str] | None = None) -> Path:
    """Write out/modelfacts.duckdb and out/parquet/*.parquet; the old files stay until the new ones are whole."""
    # Load
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob(".build-*"):  # left behind by a build that was killed mid-way
        shutil.rmtree(stale, ignore_errors=True)
    # Process: everything is written beside the target first
    staging = Path(tempfile.mkdtemp(prefix=".build-", dir=out))
    try:
        database = staging / DB_NAME
        parquet = staging / "parquet"
        _write_database(database, tables, info, views or [], parquet)
        _fsync(database)
        # Save: one rename makes the new database current; Parquet follows the same way
        os.replace(database, out / DB_NAME)
        previous = out / "parquet"
        if previous.exists():
            retired = staging / "parquet-previous"
            os.replace(previous, retired)
        os.replace(parquet, previous)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out / DB_NAME
