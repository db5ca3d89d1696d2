"""Releases: versioned artifacts (`modelfacts release`) and the changelog.

`modelfacts release --db dist/modelfacts.duckdb --out dist/release` writes, for version V (build_info's
dataset_version, from data/VERSION):

    modelfacts-V.duckdb             the database
    modelfacts-V-parquet.zip        one Parquet file per table and view
    modelfacts-V-csv.zip            one CSV file per table and view
    SHA256SUMS                      `sha256sum -c SHA256SUMS` checks every release in the folder

The bundles are reproducible: equal data gives byte-equal files and checksums. Releases are immutable:
a folder keeps every version released into it, and releasing a version again refuses unless the new
artifacts are byte-identical to the old (then nothing is written). The folder is a marked output folder
(pipeline.outdir), so a user's own folder is never written into.

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
import html
import os
import re
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

import duckdb

from pipeline import outdir
from pipeline.diff import TITLES, next_version, summary_line
from pipeline.errors import no_database
from pipeline.publish import WRITE_FAILURES, as_os_error, connect_read_only, failure_line, sql_literal

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
    with connect_read_only(database) as connection:
        row = connection.execute("SELECT dataset_version FROM build_info").fetchone()
    if not row or not row[0]:
        raise ValueError(f"{database}: build_info has no dataset_version")
    return str(row[0])


def _relations(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """Tables and views of the main database, sorted."""
    rows = connection.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
                              "ORDER BY table_name").fetchall()
    return [row[0] for row in rows]


# OWASP "CSV Injection": a cell that starts with one of these is read as a formula by spreadsheets.
FORMULA_START = r"^[=+\-@\t\r]"


def spreadsheet_safe_select(connection: duckdb.DuckDBPyConnection, name: str) -> str:
    """`SELECT ... FROM "name"` with every text cell that starts with = + - @ tab or CR prefixed by `'`.

    Per OWASP's CSV Injection guidance the quote makes a spreadsheet show the text instead of running
    `=HYPERLINK(...)` or `=cmd|...`; numbers are left alone (a negative number stays a number).
    """
    columns = connection.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position", [name]).fetchall()
    parts = []
    for column, data_type in columns:
        quoted = '"' + column.replace('"', '""') + '"'
        if data_type == "VARCHAR":
            parts.append(f"CASE WHEN regexp_matches({quoted}, '{FORMULA_START}') THEN '''' || {quoted} "
                         f"ELSE {quoted} END AS {quoted}")
        else:
            parts.append(quoted)
    return f'SELECT {", ".join(parts)} FROM "{name}"'


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


class ReleaseExists(ValueError):
    """The version was released into this folder before, with different contents."""


def _checksums(folder: Path) -> dict[str, str]:
    """File name -> SHA-256 as listed in folder/SHA256SUMS (empty when there is none)."""
    listing = folder / "SHA256SUMS"
    if not listing.exists():
        return {}
    return {name: digest for digest, name in (line.split("  ", 1) for line in listing.read_text().splitlines() if line)}


def _write_bundles(database: Path, staging: Path, stem: str) -> list[str]:
    """Write the three artifacts of a release into staging; return their names."""
    shutil.copyfile(database, staging / f"{stem}.duckdb")
    for kind in ("parquet", "csv"):
        (staging / kind).mkdir()
    with connect_read_only(database, write_into=staging, threads=1) as connection:  # one writer: byte-stable files
        for name in _relations(connection):
            relation = f'(SELECT * FROM "{name}" ORDER BY ALL)'
            connection.execute(f"COPY {relation} TO {sql_literal(str(staging / 'parquet' / (name + '.parquet')))} "
                               "(FORMAT parquet, COMPRESSION zstd)")
            connection.execute(f"COPY ({spreadsheet_safe_select(connection, name)} ORDER BY ALL) "
                               f"TO {sql_literal(str(staging / 'csv' / (name + '.csv')))} (FORMAT csv, HEADER)")
    _zip(staging / "parquet", staging / f"{stem}-parquet.zip", f"{stem}-parquet")
    _zip(staging / "csv", staging / f"{stem}-csv.zip", f"{stem}-csv")
    return [f"{stem}.duckdb", f"{stem}-parquet.zip", f"{stem}-csv.zip"]


def release(database: Path, out: Path) -> list[Path]:
    """Write the release artifacts of a database into out/; returns them (SHA256SUMS last).

    Earlier versions in out/ are kept. Raises ReleaseExists when out/ already holds this version with
    other contents, outdir.OutputFolderError when out/ is not the tool's folder (or another release is
    writing there), OSError (with the path) when writing fails.
    """
    version = dataset_version(database)
    if not re.fullmatch(r"\d+\.\d+\.\d+", version):
        raise ValueError(f"the dataset version '{version}' is not MAJOR.MINOR.PATCH (see data/VERSION)")
    stem = f"modelfacts-{version}"
    out = outdir.prepare(Path(out), "release")
    with outdir.exclusive(out, "release"):
        outdir.remove_stale(out, ".release-")
        staging = outdir.make_staging(out, ".release-", "release")
        try:
            try:
                artifacts = _write_bundles(database, staging, stem)
            except (duckdb.IOException, duckdb.FatalException) as error:
                raise as_os_error(error, staging) from None
            new = {name: sha256(staging / name) for name in artifacts}
            listed = _checksums(out)
            existing = [name for name in artifacts if (out / name).exists() or name in listed]
            if existing:
                if all(listed.get(name) == digest and (out / name).exists() for name, digest in new.items()):
                    return [out / name for name in artifacts] + [out / "SHA256SUMS"]  # the same release again
                raise ReleaseExists(
                    f"{out}: version {version} was released here before with other contents ({existing[0]}); "
                    "releases are immutable: bump data/VERSION for a new release, or choose another --out")
            for name in artifacts:
                os.replace(staging / name, out / name)
            # SHA256SUMS lists every release in the folder; it is replaced in one rename
            sums = "".join(f"{digest}  {name}\n" for name, digest in sorted({**listed, **new}.items()))
            (staging / "SHA256SUMS").write_text(sums)
            os.replace(staging / "SHA256SUMS", out / "SHA256SUMS")
        finally:
            outdir.remove_made(staging)
    return [out / name for name in artifacts] + [out / "SHA256SUMS"]


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
    with connect_read_only(database) as connection:
        lines = _count_lines(connection)
    return "\n".join([f"## {version} ({date})", "", "First release.", "", *lines]) + "\n"


# Markdown syntax characters; `_` only where it could open or close emphasis (not inside params_total)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*\[\]|~]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")


def markdown_text(text) -> str:
    """Data as inert Markdown text: HTML escaped (<, >, &), Markdown syntax escaped, on one line.

    A model name such as `<script>…</script>` or `[x](javascript:…)` then shows as those characters on
    the changelog page instead of running or linking.
    """
    one_line = " ".join(str(text).split())
    return _MARKDOWN_SPECIAL.sub(lambda match: "\\" + match.group(0), html.escape(one_line, quote=False))


def markdown_code(text) -> str:
    """Data as a Markdown code span (the renderer HTML-escapes its content); safe for any backticks."""
    one_line = " ".join(str(text).split())
    fence = "`" * (max((len(run) for run in re.findall("`+", one_line)), default=0) + 1)
    padding = " " if "`" in one_line else ""
    return f"{fence}{padding}{one_line}{padding}{fence}"


def _q(text) -> str:
    return "(none)" if text is None else f'"{markdown_text(text)}"'


def changelog_section(result: dict, version: str, date: str) -> str:
    """A changelog section from a diff (pipeline.diff.diff_databases or diff_against_ref)."""
    old_version = result["old"]["dataset_version"]
    lines = [f"## {markdown_text(version)} ({date})", "", f"Changes since {markdown_text(old_version)}: {summary_line(result)}."]
    tables = result["tables"]
    if result["schema"]:
        lines += ["", "### Schema"] + [f"- {markdown_code(table)}: {markdown_text(', '.join(f'{k} {v}' for k, v in change.items() if v))}"
                                       for table, change in result["schema"].items()]
    if tables["models"]["added"]:
        lines += ["", "### Models added"] + [f"- {markdown_code(row['id'])}: {markdown_text(row.get('name'))} ({markdown_text(row.get('organization'))})"
                                             for row in tables["models"]["added"]]
    if tables["models"]["removed"]:
        lines += ["", "### Models removed"] + [f"- {markdown_code(row['id'])}" for row in tables["models"]["removed"]]
    if tables["models"]["changed"]:
        lines += ["", "### Models changed"] + [f"- {markdown_code(row['id'])}: {markdown_text(', '.join(row['columns']))}"
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
                detail.append(f"{markdown_text(', '.join(others))} edited")
            lines.append(f"- {markdown_code(row['id'])}: {'; '.join(detail)}")
    if claims["added"]:
        by_model: dict[str, list[dict]] = {}
        for row in claims["added"]:
            by_model.setdefault(row.get("model_id") or row["id"].split(".")[0], []).append(row)
        lines += ["", "### Claims added"]
        lines += [f"- {markdown_code(model)}: {len(rows)} claim{'s' if len(rows) != 1 else ''} "
                  f"({markdown_text(', '.join(sorted({row.get('field') or '?' for row in rows})))})" for model, rows in by_model.items()]
    if claims["removed"]:
        lines += ["", "### Claims removed"] + [f"- {markdown_code(row['id'])}: {_q(row.get('as_written'))}" for row in claims["removed"]]
    for table in ("sources", "organizations", "hardware", "architectures"):
        parts = tables[table]
        entries = ([f"- added {markdown_code(row['id'])}" for row in parts["added"]]
                   + [f"- removed {markdown_code(row['id'])}" for row in parts["removed"]]
                   + [f"- changed {markdown_code(row['id'])}: {markdown_text(', '.join(row['columns']))}" for row in parts["changed"]])
        if entries:
            lines += ["", f"### {TITLES[table]}"] + entries
    if result["verdicts"]:
        lines += ["", "### Verdicts changed"] + [f"- {markdown_code(v['check_id'])}: {markdown_text(v['old'] or '(none)')} → {markdown_text(v['new'] or '(none)')}"
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
    except WRITE_FAILURES as error:
        print(failure_line(error, args.db, args.out, "release"), file=sys.stderr)
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
