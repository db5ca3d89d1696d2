"""Releases: versioned artifacts (`modelfacts release`) and the changelog.

`modelfacts release --db dist/modelfacts.duckdb --out dist/release` writes, for version V (build_info's
dataset_version, from data/VERSION):

    modelfacts-V.duckdb             the database
    modelfacts-V-parquet.zip        one Parquet file per table and view
    modelfacts-V-csv.zip            one CSV file per table and view
    SHA256SUMS                      `sha256sum -c SHA256SUMS` checks the three files

The bundles are reproducible: equal data gives byte-equal files and checksums.

The changelog (CHANGELOG.md) has one section per release, generated from `modelfacts diff`:

    python -m pipeline.release changelog --base v0.1.0   # section for data/VERSION: changes since the tag
    python -m pipeline.release changelog --first         # section for a first release: counts only
    python -m pipeline.release notes 0.2.0               # print a section (the GitHub release notes)

`changelog` also sets `version` and `date-released` in CITATION.cff, so the three agree.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import re
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

import duckdb

from pipeline.diff import TITLES, next_version, summary_line
from pipeline.errors import no_database

ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed timestamps: equal data gives equal bundles
CHANGELOG_HEADER = """# Changelog

Data changes in each release of Model Facts. The dataset version lives in `data/VERSION` and is semantic:
**major** for schema changes, **minor** for new models or fields, **patch** for corrections. Each section
is generated from `modelfacts diff` by `python -m pipeline.release changelog --base vPREVIOUS`; claim IDs
are stable, so `modelfacts cite CLAIM_ID` on a newer version shows the corrected value under the same ID.
"""


# ---------------------------------------------------------------- artifacts

def dataset_version(database: Path) -> str:
    """The dataset version a database was built from."""
    with duckdb.connect(str(database), read_only=True) as connection:
        row = connection.execute("SELECT dataset_version FROM build_info").fetchone()
    if not row or not row[0]:
        raise ValueError(f"{database}: build_info has no dataset_version")
    return str(row[0])


def _relations(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """Tables and views of the main database, sorted."""
    rows = connection.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
                              "ORDER BY table_name").fetchall()
    return [row[0] for row in rows]


def _sql_path(path: Path) -> str:
    """A path inside a SQL string literal."""
    return str(path).replace("'", "''")


def _zip(folder: Path, archive: Path, prefix: str) -> None:
    """Zip a folder's files (sorted, fixed timestamps) under prefix/ inside the archive."""
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as bundle:
        for path in sorted(folder.iterdir()):
            info = zipfile.ZipInfo(f"{prefix}/{path.name}", date_time=ZIP_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(path, "rb") as handle:
                bundle.writestr(info, handle.read(), compresslevel=9)


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def release(database: Path, out: Path) -> list[Path]:
    """Write the release artifacts of a database into out/; returns them (SHA256SUMS last)."""
    version = dataset_version(database)
    if not re.fullmatch(r"\d+\.\d+\.\d+", version):
        raise ValueError(f"the dataset version '{version}' is not MAJOR.MINOR.PATCH (see data/VERSION)")
    stem = f"modelfacts-{version}"
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".release-", dir=out))
    try:
        shutil.copyfile(database, staging / f"{stem}.duckdb")
        for kind in ("parquet", "csv"):
            (staging / kind).mkdir()
        with duckdb.connect(str(database), read_only=True) as connection:
            connection.execute("SET threads = 1")  # one writer: byte-stable files
            for name in _relations(connection):
                relation = f'(SELECT * FROM "{name}" ORDER BY ALL)'
                connection.execute(f"COPY {relation} TO '{_sql_path(staging / 'parquet' / (name + '.parquet'))}' "
                                   "(FORMAT parquet, COMPRESSION zstd)")
                connection.execute(f"COPY {relation} TO '{_sql_path(staging / 'csv' / (name + '.csv'))}' (FORMAT csv, HEADER)")
        _zip(staging / "parquet", staging / f"{stem}-parquet.zip", f"{stem}-parquet")
        _zip(staging / "csv", staging / f"{stem}-csv.zip", f"{stem}-csv")
        artifacts = [f"{stem}.duckdb", f"{stem}-parquet.zip", f"{stem}-csv.zip"]
        sums = "".join(f"{sha256(staging / name)}  {name}\n" for name in sorted(artifacts))
        (staging / "SHA256SUMS").write_text(sums)
        # out/ holds one release: earlier artifacts go, the new ones move in
        for old in list(out.glob("modelfacts-*")) + [out / "SHA256SUMS"]:
            if old.is_file():
                old.unlink()
        written = []
        for name in artifacts + ["SHA256SUMS"]:
            os.replace(staging / name, out / name)
            written.append(out / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return written


# ---------------------------------------------------------------- changelog

def _count_lines(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """The first release's contents, one bullet each."""
    one = lambda sql: connection.execute(sql).fetchone()  # noqa: E731
    models, organizations = one("SELECT count(*), count(DISTINCT organization) FROM models")
    claims, fields = one("SELECT count(*), count(DISTINCT field) FROM claims")
    statuses = connection.execute("SELECT status, count(*) FROM claims GROUP BY status ORDER BY count(*) DESC, status").fetchall()
    sources, = one("SELECT count(*) FROM sources")
    hardware, = one("SELECT count(*) FROM hardware")
    architectures, = one("SELECT count(*) FROM architectures")
    checks, = one("SELECT count(*) FROM checks")
    verdicts = connection.execute("SELECT verdict, count(*) FROM checks GROUP BY verdict ORDER BY count(*) DESC, verdict").fetchall()
    return [
        f"- {models} models from {organizations} organizations ({architectures} with a published architecture)",
        f"- {claims} claims of {fields} fields: " + ", ".join(f"{n} {status}" for status, n in statuses),
        f"- {sources} sources",
        f"- {hardware} accelerators",
        f"- {checks} checks: " + ", ".join(f"{n} {verdict}" for verdict, n in verdicts),
    ]


def first_release_section(database: Path, version: str, date: str) -> str:
    """The changelog section of a first release: what the dataset holds."""
    with duckdb.connect(str(database), read_only=True) as connection:
        lines = _count_lines(connection)
    return "\n".join([f"## {version} ({date})", "", "First release.", "", *lines]) + "\n"


def _q(text) -> str:
    return "(none)" if text is None else f'"{text}"'


def changelog_section(result: dict, version: str, date: str) -> str:
    """A changelog section from a diff (pipeline.diff.diff_databases or diff_against_ref)."""
    old_version = result["old"]["dataset_version"]
    lines = [f"## {version} ({date})", "", f"Changes since {old_version}: {summary_line(result)}."]
    tables = result["tables"]
    if result["schema"]:
        lines += ["", "### Schema"] + [f"- `{table}`: {', '.join(f'{k} {v}' for k, v in change.items() if v)}"
                                       for table, change in result["schema"].items()]
    if tables["models"]["added"]:
        lines += ["", "### Models added"] + [f"- `{row['id']}`: {row.get('name')} ({row.get('organization')})"
                                             for row in tables["models"]["added"]]
    if tables["models"]["removed"]:
        lines += ["", "### Models removed"] + [f"- `{row['id']}`" for row in tables["models"]["removed"]]
    if tables["models"]["changed"]:
        lines += ["", "### Models changed"] + [f"- `{row['id']}`: {', '.join(row['columns'])}"
                                               for row in tables["models"]["changed"]]
    claims = tables["claims"]
    if claims["changed"]:
        lines += ["", "### Claims corrected"]
        for row in claims["changed"]:
            detail = [f"{_q(row['old_value'])} → {_q(row['new_value'])}"] if "as_written" in row["columns"] else []
            detail += [f"{c['column']} {_q(c['old'])} → {_q(c['new'])}" for c in row["changes"]
                       if c["column"] in ("status", "attributed_to")]
            others = [c for c in row["columns"] if c not in ("as_written", "status", "attributed_to", "value", "low",
                                                             "high", "precision")]
            if others:
                detail.append(f"{', '.join(others)} edited")
            lines.append(f"- `{row['id']}`: {'; '.join(detail)}")
    if claims["added"]:
        by_model: dict[str, list[dict]] = {}
        for row in claims["added"]:
            by_model.setdefault(row.get("model_id") or row["id"].split(".")[0], []).append(row)
        lines += ["", "### Claims added"]
        lines += [f"- `{model}`: {len(rows)} claim{'s' if len(rows) != 1 else ''} "
                  f"({', '.join(sorted({row.get('field') or '?' for row in rows}))})" for model, rows in by_model.items()]
    if claims["removed"]:
        lines += ["", "### Claims removed"] + [f"- `{row['id']}`: {_q(row.get('as_written'))}" for row in claims["removed"]]
    for table in ("sources", "organizations", "hardware", "architectures"):
        parts = tables[table]
        entries = ([f"- added `{row['id']}`" for row in parts["added"]]
                   + [f"- removed `{row['id']}`" for row in parts["removed"]]
                   + [f"- changed `{row['id']}`: {', '.join(row['columns'])}" for row in parts["changed"]])
        if entries:
            lines += ["", f"### {TITLES[table]}"] + entries
    if result["verdicts"]:
        lines += ["", "### Verdicts changed"] + [f"- `{v['check_id']}`: {v['old'] or '(none)'} → {v['new'] or '(none)'}"
                                                 for v in result["verdicts"]]
    return "\n".join(lines) + "\n"


_SECTION = re.compile(r"^## (\S+)", re.MULTILINE)


def section(changelog: str, version: str) -> str | None:
    """The section of one version in a changelog's text (without its heading line)."""
    matches = list(_SECTION.finditer(changelog))
    for index, match in enumerate(matches):
        if match.group(1) == version:
            end = matches[index + 1].start() if index + 1 < len(matches) else len(changelog)
            return changelog[match.start():end].split("\n", 1)[1].strip() + "\n"
    return None


def update_changelog(path: Path, text: str, version: str) -> None:
    """Put a version's section into CHANGELOG.md: replace it if present, else insert it above the others."""
    current = path.read_text(encoding="utf-8") if path.exists() else CHANGELOG_HEADER
    matches = list(_SECTION.finditer(current))
    for index, match in enumerate(matches):
        if match.group(1) == version:
            end = matches[index + 1].start() if index + 1 < len(matches) else len(current)
            current = current[:match.start()] + text + ("\n" if end < len(current) else "") + current[end:]
            break
    else:
        at = matches[0].start() if matches else len(current)
        head = current[:at].rstrip("\n") + "\n\n"
        current = head + text + ("\n" + current[at:] if matches else "")
    path.write_text(current.rstrip("\n") + "\n", encoding="utf-8")


def update_citation(path: Path, version: str, date: str) -> None:
    """Set `version` and `date-released` in CITATION.cff."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^version: .*$", f"version: {version}", text, flags=re.MULTILINE)
    text = re.sub(r"^date-released: .*$", f'date-released: "{date}"', text, flags=re.MULTILINE)
    path.write_text(text, encoding="utf-8")


def citation_version(path: Path) -> str | None:
    """The version CITATION.cff names."""
    if not path.exists():
        return None
    match = re.search(r"^version: *\"?([^\"\n]+)\"?\s*$", path.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return match.group(1).strip() if match else None


def _consistency_warnings(root: Path, version: str) -> list[str]:
    """What disagrees with the release version: CHANGELOG.md, CITATION.cff."""
    warnings = []
    changelog = root / "CHANGELOG.md"
    if changelog.exists() and section(changelog.read_text(encoding="utf-8"), version) is None:
        warnings.append(f"CHANGELOG.md has no section for {version}; run "
                        "`python -m pipeline.release changelog --base vPREVIOUS`")
    cited = citation_version(root / "CITATION.cff")
    if cited is not None and cited != version:
        warnings.append(f"CITATION.cff names version {cited}, the data is {version}")
    return warnings


def main(args) -> int:
    """Entry point of `modelfacts release --db DB --out DIR`."""
    from pipeline.build import repository_root

    if no_database(args.db):
        return 1
    try:
        written = release(args.db, args.out)
    except (ValueError, duckdb.Error) as error:
        print(f"release failed: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"{error.filename or args.out}: cannot write the release: {error.strerror}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    for warning in _consistency_warnings(repository_root(), dataset_version(args.db)):
        print(f"warning: {warning}", file=sys.stderr)
    return 0


# ---------------------------------------------------------------- python -m pipeline.release

def _changelog_command(args: argparse.Namespace) -> int:
    """Write the section of data/VERSION into CHANGELOG.md (and the version into CITATION.cff)."""
    from pipeline.build import build, dataset_version as data_version, repository_root
    from pipeline.diff import DiffError, diff_against_ref
    from pipeline.errors import DataErrors

    root = repository_root()
    version = data_version(root)
    date = args.date or dt.date.today().isoformat()
    try:
        if args.first:
            with tempfile.TemporaryDirectory(prefix="modelfacts-changelog-") as folder:
                text = first_release_section(build(root, Path(folder)), version, date)
        else:
            result = diff_against_ref(root, args.base)
            old = result["old"]["dataset_version"]
            if result["bump"] and old and version == old:
                print(f"warning: data/VERSION is still {version}; these changes call for a {result['bump']} "
                      f"release: {next_version(old, result['bump'])}", file=sys.stderr)
            text = changelog_section(result, version, date)
    except (DiffError, DataErrors) as error:
        print(str(error), file=sys.stderr)
        return 1
    update_changelog(root / "CHANGELOG.md", text, version)
    if (root / "CITATION.cff").exists():
        update_citation(root / "CITATION.cff", version, date)
    print(f"wrote the {version} section of CHANGELOG.md" + (" and set CITATION.cff" if (root / "CITATION.cff").exists() else ""))
    return 0


def _notes_command(args: argparse.Namespace) -> int:
    """Print one version's changelog section."""
    from pipeline.build import dataset_version as data_version, repository_root

    root = repository_root()
    version = args.version or data_version(root)
    path = root / "CHANGELOG.md"
    text = section(path.read_text(encoding="utf-8"), version) if path.exists() else None
    if text is None:
        print(f"CHANGELOG.md has no section for {version}", file=sys.stderr)
        return 1
    sys.stdout.write(text)
    return 0


def cli(argv: list[str] | None = None) -> int:
    """`python -m pipeline.release changelog|notes`."""
    parser = argparse.ArgumentParser(prog="python -m pipeline.release", description="Changelog tools for releases.")
    commands = parser.add_subparsers(dest="command", required=True)
    changelog = commands.add_parser("changelog", help="write data/VERSION's section of CHANGELOG.md from a diff")
    which = changelog.add_mutually_exclusive_group(required=True)
    which.add_argument("--base", help="the previous release's git ref, e.g. v0.1.0")
    which.add_argument("--first", action="store_true", help="a first release: counts instead of changes")
    changelog.add_argument("--date", help="release date, YYYY-MM-DD (default: today)")
    notes = commands.add_parser("notes", help="print one version's section (default: data/VERSION)")
    notes.add_argument("version", nargs="?")
    args = parser.parse_args(argv)
    return _changelog_command(args) if args.command == "changelog" else _notes_command(args)


if __name__ == "__main__":
    sys.exit(cli())
