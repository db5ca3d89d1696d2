"""Publish stage: write the DuckDB file and its Parquet tables so that they switch together.

Layout of an output folder (OUT, default dist/):

    OUT/.modelfacts-output          marker: the tool made OUT (see pipeline.outdir)
    OUT/.modelfacts-lock            flock()ed while a build publishes
    OUT/builds/build-XXXX/          one whole build: modelfacts.duckdb and parquet/*.parquet
    OUT/current -> builds/build-XXXX   the pointer; replaced by one atomic rename
    OUT/modelfacts.duckdb -> current/modelfacts.duckdb
    OUT/parquet -> current/parquet

A build is written in a staging folder OUT/.build-XXXX, moved to OUT/builds/, and becomes current when
the `current` link is renamed over the old one: the database and the Parquet files always belong to
the same build, and a kill at any moment leaves the previous build in place.
"""
from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

import duckdb
import pandas as pd

from pipeline import outdir
from pipeline.errors import write_failure

DB_NAME = "modelfacts.duckdb"
BUILDS = "builds"
CURRENT = "current"
STAGING_PREFIX = ".build-"
SORT_KEYS = {"models": ["model_id"], "claims": ["claim_id"], "sources": ["source_id"],
             "organizations": ["organization_id"], "architectures": ["model_id"], "hardware": ["hardware_id"],
             "derived": ["model_id", "quantity"], "checks": ["check_id"]}


# DuckDB's own sandbox for reading a published database (duckdb.org, "Securing DuckDB"): no file or
# network access beyond the database itself (COPY TO, EXPORT, ATTACH, read_csv, read_text, read_blob,
# glob all refused), no extension installing or loading, and the settings locked so SQL cannot switch
# them back. Set after start-up because allowed_directories can only be set on a running database.
EXTENSION_CONFIG = {"autoload_known_extensions": False, "autoinstall_known_extensions": False,
                    "allow_community_extensions": False, "allow_unsigned_extensions": False}


def lock_down(connection: duckdb.DuckDBPyConnection, write_into: Path | None = None) -> None:
    """Switch an open connection into DuckDB's sandbox: no file access (but `write_into`), settings locked."""
    if write_into is not None:
        connection.execute("SET allowed_directories = ?", [[os.path.join(os.path.realpath(write_into), "")]])
    connection.execute("SET enable_external_access = false")
    connection.execute("SET lock_configuration = true")


def connect_read_only(database: Path, write_into: Path | None = None,
                      threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """Open a published database read-only inside DuckDB's sandbox, for user SQL and every reader.

    write_into: the one folder (a staging folder the tool made) that COPY ... TO may write into; None
    allows no file access at all. threads: DuckDB's thread count (1 for byte-stable files). The path is handed to DuckDB as a value, never pasted into SQL.
    Raises duckdb.Error when the file is not a DuckDB database (corrupt, truncated, a folder).
    """
    connection = duckdb.connect(str(database), read_only=True, config=EXTENSION_CONFIG)
    try:
        if threads is not None:
            connection.execute("SET threads = ?", [threads])
        lock_down(connection, write_into)
    except BaseException:
        connection.close()
        raise
    return connection


def database_problem(database: Path, error: Exception) -> str:
    """One line saying why `database` cannot be read (for a corrupt, foreign or unreadable file)."""
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return f"{database}: cannot read the database ({first}); rebuild it with `modelfacts build`"


def failure_line(error: Exception, database: Path, out: Path, what: str) -> str:
    """The one line a command prints when writing `what` (build, release, export) from `database` fails."""
    if isinstance(error, outdir.OutputFolderError):
        return error.line(f"write the {what}")
    if isinstance(error, duckdb.Error):
        return database_problem(database, error)
    if isinstance(error, OSError):
        return write_failure(error, f"write the {what}", out)
    return f"{what} failed: {error}"


# What failure_line() turns into one line (a ValueError is a refusal such as an existing release).
WRITE_FAILURES = (outdir.OutputFolderError, ValueError, duckdb.Error, OSError)


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


def as_os_error(error: duckdb.Error, path: Path) -> OSError:
    """A DuckDB failure to write `path` as an OSError naming the path (full disk -> ENOSPC).

    DuckDB reports a full disk as IOException or FatalException with the C library's text in the message.
    """
    message = str(error)
    if "No space left on device" in message:
        return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
    return OSError(errno.EIO, message.splitlines()[0] if message else type(error).__name__, str(path))


def _write_database(path: Path, tables: dict[str, pd.DataFrame], info: dict, views: list[str],
                    parquet: Path) -> None:
    """Create a fresh DuckDB file holding the tables, build_info and views, and one Parquet file per table."""
    try:
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
    except (duckdb.IOException, duckdb.FatalException, duckdb.TransactionException) as error:
        # a full disk shows up as an IOException, or as a failed commit when the WAL cannot be written
        raise as_os_error(error, path) from None


def _write_parquet(connection: duckdb.DuckDBPyConnection, folder: Path, names: list[str]) -> None:
    """Export tables to Parquet with DuckDB's own writer (parallel, no round trip through pandas)."""
    folder.mkdir()
    for name in names:
        target = folder / f"{name}.parquet"
        try:
            # COPY takes no bound parameter for its target: the path is a quoted SQL literal, quotes doubled
            connection.execute(f"COPY \"{name}\" TO {sql_literal(str(target))} (FORMAT parquet)")
        except (duckdb.IOException, duckdb.FatalException) as error:  # a full disk or a missing folder
            raise as_os_error(error, target) from None


def sql_literal(text: str) -> str:
    """`text` as a SQL string literal (single quotes doubled), for the few statements without parameters."""
    return "'" + text.replace("'", "''") + "'"


def _fsync(path: Path) -> None:
    """Flush a file or folder to disk so a crash after the rename cannot leave it half-written."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _link(link: Path, target: str) -> None:
    """Make `link` a symbolic link to `target`, replacing an old link in one atomic rename."""
    if link.is_symlink() and os.readlink(link) == target:
        return
    temporary = link.with_name(f".{link.name}-{os.getpid()}.tmp")
    if temporary.is_symlink():
        temporary.unlink()
    os.symlink(target, temporary)
    os.replace(temporary, link)


def _retire_old_builds(builds: Path, keep: str) -> None:
    """Delete every build folder but the current one (only folders the tool marked)."""
    for folder in builds.iterdir():
        if folder.name != keep:
            outdir.remove_made(folder)


def publish(tables: dict[str, pd.DataFrame], out: Path, info: dict, views: list[str] | None = None) -> Path:
    """Write out/modelfacts.duckdb and out/parquet/*.parquet as one build; return out/modelfacts.duckdb.

    Raises outdir.OutputFolderError when `out` is not the tool's (or another build is publishing there)
    and OSError (with the path) when writing fails, e.g. a full disk; the previous build stays current.
    """
    # Load
    out = outdir.prepare(Path(out), "build")
    with outdir.exclusive(out, "build"):
        outdir.remove_stale(out, STAGING_PREFIX)  # left behind by a build that was killed mid-way
        builds = out / BUILDS
        builds.mkdir(exist_ok=True)
        # Process: the whole build is written in a staging folder first
        staging = outdir.make_staging(out, STAGING_PREFIX, "build")
        try:
            database = staging / DB_NAME
            _write_database(database, tables, info, views or [], staging / "parquet")
            _fsync(database)
            # Save: the finished build moves under builds/, then one rename of `current` publishes it
            final = builds / staging.name.lstrip(".")
            os.rename(staging, final)
            _fsync(builds)
            _link(out / CURRENT, f"{BUILDS}/{final.name}")
            _link(out / DB_NAME, f"{CURRENT}/{DB_NAME}")
            _link(out / "parquet", f"{CURRENT}/parquet")
        finally:
            outdir.remove_made(staging)
        _retire_old_builds(builds, keep=final.name)
    return out / DB_NAME
