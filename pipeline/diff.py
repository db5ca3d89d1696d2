"""`modelfacts diff`: what changed between two builds, for reviewers and the changelog.

Both databases are ATTACHed read-only to one in-memory DuckDB connection and compared in SQL (anti-joins
for added and removed rows, a join for changed ones, a full join of the checks for verdicts); Python
only formats the result. `--base REF` builds the data/ of a git ref (with that ref's own pipeline code,
from a `git archive` in a temporary folder) and compares it with a fresh build of the working tree.
"""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.errors import json_printable, printable
from pipeline.publish import lock_down

# table -> (key columns, label columns shown for added/removed rows, compared columns in display order)
TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "models": (("model_id",), ("name", "organization"),
               ("name", "organization", "released", "domain", "open_weights", "family", "aliases", "description")),
    "claims": (("claim_id",), ("as_written", "status"),
               ("as_written", "status", "locator", "attributed_to", "note", "value", "low", "high", "precision")),
    "sources": (("source_id",), ("title",),
                ("title", "authors", "publisher", "published", "kind", "url", "arxiv", "repository", "path", "note")),
    "organizations": (("organization_id",), ("name",), ("name", "url")),
    "hardware": (("hardware_id",), ("name",),
                 ("name", "vendor", "aliases", "peak_bf16_flops", "price_usd_per_hour_low", "price_usd_per_hour_high",
                  "source_id", "price_source_id", "note")),
    "architectures": (("model_id",), ("source_id",), ("source_id", "hf_config", "overrides", "note")),
    "derived": (("model_id", "quantity"), ("value",), ("value", "method")),
}
TITLES = {"models": "Models", "claims": "Claims", "sources": "Sources", "organizations": "Organizations",
          "hardware": "Hardware", "architectures": "Architectures", "derived": "Derived quantities"}
# Columns computed from others: shown in the list of changed columns, not line by line in text output
COMPUTED = {"claims": {"value", "low", "high", "precision"}}
EMPTY_VERDICT = "(none)"
# Columns shown without quotes (numbers, dates, booleans)
UNQUOTED = {"value", "low", "high", "released", "published", "open_weights", "peak_bf16_flops",
            "price_usd_per_hour_low", "price_usd_per_hour_high", "precision"}


@dataclass
class Side:
    """One database being compared and how to name it."""

    path: Path
    label: str


def _columns(connection: duckdb.DuckDBPyConnection, database: str) -> dict[str, list[str]]:
    """Each table's columns in one attached database."""
    rows = connection.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = ? ORDER BY table_name, column_index",
        [database]).fetchall()
    columns: dict[str, list[str]] = {}
    for table, column in rows:
        columns.setdefault(table, []).append(column)
    return columns


def _info(connection: duckdb.DuckDBPyConnection, database: str, label: str) -> dict:
    """The build_info row of one database, and its label."""
    frame = connection.execute(f"SELECT * FROM {database}.build_info").fetchdf()
    row = frame.iloc[0].to_dict() if len(frame) else {}
    return {"label": label, "dataset_version": row.get("dataset_version"), "git_commit": row.get("git_commit"),
            "content_hash": row.get("content_hash"), "built_at": row.get("built_at")}


def _text(alias: str, column: str) -> str:
    """A column as comparable, printable text."""
    return f'CAST({alias}."{column}" AS VARCHAR)'


def _records(frame: pd.DataFrame) -> list[dict]:
    """A frame as JSON-ready records (missing values as None)."""
    return json.loads(frame.to_json(orient="records", date_format="iso")) if len(frame) else []


def _table_diff(connection: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> dict:
    """Rows added, removed and changed in one table; columns are those both databases have."""
    keys, label_columns, compared = TABLES[table]
    identity = lambda alias: " || ' ' || ".join(f'{alias}."{key}"' for key in keys)  # noqa: E731
    same_row = " AND ".join(f'o."{key}" = n."{key}"' for key in keys)
    extra = [column for column in ("model_id", "field", "source_id") if table == "claims" and column in columns]
    labels = extra + [column for column in label_columns if column in columns]
    one_side = {}
    for part, this, other in (("added", "n", "o"), ("removed", "o", "n")):
        database, other_database = ("new", "old") if this == "n" else ("old", "new")
        shown = ", ".join([f"{identity(this)} AS id"] + [f'{_text(this, c)} AS "{c}"' for c in labels])
        one_side[part] = connection.execute(
            f"SELECT {shown} FROM {database}.{table} {this} WHERE NOT EXISTS "
            f"(SELECT 1 FROM {other_database}.{table} {other} WHERE {same_row}) ORDER BY id").fetchdf()
    present = [column for column in compared if column in columns]
    changed: list[dict] = []
    if present:
        selected = ", ".join(f'{_text("o", c)} AS "o_{c}", {_text("n", c)} AS "n_{c}"' for c in present)
        pairs = f"SELECT {identity('o')} AS id, {selected} FROM old.{table} o JOIN new.{table} n ON {same_row}"
        # a claim's value as written on both sides, whichever columns changed
        written = ('"o_as_written" AS old_value, "n_as_written" AS new_value' if "as_written" in present
                   else "NULL AS old_value, NULL AS new_value")
        union = " UNION ALL ".join(
            f'SELECT id, \'{c}\' AS "column", {position} AS position, "o_{c}" AS old, "n_{c}" AS new, {written} '
            f'FROM pairs WHERE "o_{c}" IS DISTINCT FROM "n_{c}"' for position, c in enumerate(present))
        changes = connection.execute(
            f'WITH pairs AS ({pairs}) SELECT * EXCLUDE (position) FROM ({union}) ORDER BY id, position').fetchdf()
        for identifier, group in changes.groupby("id", sort=True):
            row = {"id": identifier}
            if table == "claims":
                row.update(old_value=group["old_value"].iloc[0], new_value=group["new_value"].iloc[0])
            row.update(columns=list(group["column"]), changes=_records(group[["column", "old", "new"]]))
            changed.append(row)
    return {"added": _records(one_side["added"]), "removed": _records(one_side["removed"]), "changed": changed}


def _verdicts(connection: duckdb.DuckDBPyConnection) -> list[dict]:
    """Checks whose verdict differs (per check_id), including checks that appear or disappear."""
    frame = connection.execute("""
        SELECT coalesce(n.check_id, o.check_id) AS check_id, coalesce(n.claim_id, o.claim_id) AS claim_id,
               coalesce(n.model_id, o.model_id) AS model_id, coalesce(n."check", o."check") AS "check",
               o.verdict AS old, n.verdict AS new, o.detail AS old_detail, n.detail AS new_detail
        FROM old.checks o FULL OUTER JOIN new.checks n ON o.check_id = n.check_id
        WHERE o.verdict IS DISTINCT FROM n.verdict
        ORDER BY check_id""").fetchdf()
    return _records(frame)


def _new_fields(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """Claim fields the new build has and the old one has none of."""
    rows = connection.execute("SELECT DISTINCT field FROM new.claims EXCEPT SELECT DISTINCT field FROM old.claims "
                              "ORDER BY field").fetchall()
    return [row[0] for row in rows]


def suggested_bump(result: dict) -> str | None:
    """The semantic-version part a release with these changes should raise.

    major: the published schema lost a table or column (breaking); minor: new models, new claim fields,
    or new tables or columns; patch: any other change (corrections, added or removed claims, sources);
    None: nothing changed."""
    schema = result["schema"]
    if any(change.get("removed_columns") or change.get("table_removed") for change in schema.values()):
        return "major"
    if (result["tables"]["models"]["added"] or result["new_fields"]
            or any(change.get("added_columns") or change.get("table_added") for change in schema.values())):
        return "minor"
    if any(part for table in result["tables"].values() for part in table.values()) or result["verdicts"]:
        return "patch"
    return None


def next_version(version: str, bump: str | None) -> str:
    """The version after raising one part: 0.1.0 + minor -> 0.2.0."""
    major, minor, patch = (int(part) for part in version.split("."))
    if bump == "major":
        return f"{major + 1}.0.0"
    if bump == "minor":
        return f"{major}.{minor + 1}.0"
    if bump == "patch":
        return f"{major}.{minor}.{patch + 1}"
    return version


def diff_databases(old: Side, new: Side) -> dict:
    """Everything that differs between two databases, as JSON-ready data."""
    with duckdb.connect() as connection:
        connection.execute("ATTACH ? AS old (READ_ONLY)", [str(old.path)])
        connection.execute("ATTACH ? AS new (READ_ONLY)", [str(new.path)])
        lock_down(connection)
        old_columns, new_columns = _columns(connection, "old"), _columns(connection, "new")
        schema = {}
        for table in sorted(set(old_columns) | set(new_columns)):
            before, after = old_columns.get(table), new_columns.get(table)
            if before is None or after is None:
                schema[table] = {"table_added": before is None, "table_removed": after is None}
            elif before != after and set(before) != set(after):
                schema[table] = {"added_columns": [c for c in after if c not in before],
                                 "removed_columns": [c for c in before if c not in after]}
        tables = {}
        for table in TABLES:
            if table in old_columns and table in new_columns:
                both = [column for column in new_columns[table] if column in old_columns[table]]
                tables[table] = _table_diff(connection, table, both)
            else:
                tables[table] = {"added": [], "removed": [], "changed": []}
        verdicts = _verdicts(connection) if "checks" in old_columns and "checks" in new_columns else []
        result = {"old": _info(connection, "old", old.label), "new": _info(connection, "new", new.label),
                  "schema": schema, "tables": tables, "verdicts": verdicts,
                  "new_fields": _new_fields(connection) if "claims" in old_columns and "claims" in new_columns else []}
    result["summary"] = {table: {part: len(rows) for part, rows in parts.items()} for table, parts in tables.items()}
    result["summary"]["verdicts"] = {"changed": len(verdicts)}
    result["bump"] = suggested_bump(result)
    return result


def is_empty(result: dict) -> bool:
    """Whether nothing differs."""
    return result["bump"] is None


# ---------------------------------------------------------------- git refs

class DiffError(RuntimeError):
    """A diff that cannot be made (unknown ref, a build that fails); the message says why."""


def _git(root: Path, *args: str, binary: bool = False):
    """Run git in a repository; raise DiffError with git's message on failure."""
    try:
        result = subprocess.run(["git", "-C", str(root), *args], capture_output=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise DiffError(f"cannot run git: {error}") from None
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip().splitlines()
        raise DiffError(f"git {args[0]} failed: {message[-1] if message else 'unknown error'}")
    return result.stdout if binary else result.stdout.decode().strip()


_BUILD_AT_REF = """
import sys
from pathlib import Path
tree, out = Path(sys.argv[1]).resolve(), Path(sys.argv[2])
import pipeline
if not Path(pipeline.__file__).resolve().is_relative_to(tree):
    sys.exit(f"the pipeline of the ref was not imported (got {pipeline.__file__})")
from pipeline.build import build
try:
    build(tree, out)
except Exception as error:
    for item in getattr(error, "errors", [])[:20]:
        print(item, file=sys.stderr)
    sys.exit(f"the build at the ref failed: {error}")
"""


def build_ref(root: Path, ref: str, out: Path, workspace: Path) -> tuple[str, str]:
    """Build the data/ of a git ref into out/; returns the commit and which pipeline built it.

    The ref's own pipeline code builds it when the ref has one, so the diff shows everything a change
    does (to data and to checks). A ref without a pipeline, or whose pipeline cannot build (an old or
    broken commit), is built with the working tree's pipeline instead, and the label says so."""
    from pipeline.build import build

    commit = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    tree = workspace / "tree"
    tree.mkdir(parents=True)
    archive = _git(root, "archive", "--format=tar", commit, binary=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as bundle:
        bundle.extractall(tree, filter="data")
    if not (tree / "data").is_dir():
        raise DiffError(f"{ref} has no data/ folder")
    if (tree / "pipeline" / "build.py").exists():
        environment = {**os.environ, "PYTHONPATH": str(tree)}
        result = subprocess.run([sys.executable, "-c", _BUILD_AT_REF, str(tree), str(out)], cwd=tree,
                                env=environment, capture_output=True, text=True, timeout=1800)
        if result.returncode == 0:
            return commit, "its own pipeline"
        reason = (result.stderr.strip().splitlines() or ["unknown error"])[-1]
        print(f"note: the pipeline at {ref} cannot build ({reason}); building its data with the working tree's "
              "pipeline instead", file=sys.stderr)
    try:
        build(tree, out)
    except Exception as error:  # noqa: BLE001 - report any failure as the ref's
        details = "\n".join(str(item) for item in getattr(error, "errors", [])[:20])
        raise DiffError(f"building {ref} failed: {error}" + (f"\n{details}" if details else "")) from None
    return commit, "the working tree's pipeline"


def diff_against_ref(root: Path, ref: str, new_database: Path | None = None) -> dict:
    """Diff a git ref's data against a fresh build of the working tree (or a given database)."""
    from pipeline.build import build
    from pipeline.errors import DataErrors

    with tempfile.TemporaryDirectory(prefix="modelfacts-diff-") as folder:
        workspace = Path(folder)
        commit, pipeline = build_ref(root, ref, workspace / "base", workspace)
        if new_database is None:
            try:
                new_database = build(root, workspace / "head")
            except DataErrors as failure:
                shown = "\n".join(str(error) for error in failure.errors[:20])
                raise DiffError(f"the working tree does not build:\n{shown}") from None
            label = "working tree"
        else:
            label = str(new_database)
        suffix = "" if pipeline == "its own pipeline" else f", built with {pipeline}"
        return diff_databases(Side(workspace / "base" / "modelfacts.duckdb", f"{ref} ({commit[:12]}{suffix})"),
                              Side(new_database, label))


# ---------------------------------------------------------------- output

def _quote(value, column: str = "") -> str:
    """A value as the report shows it: text in double quotes, numbers and dates bare, missing as (none)."""
    if value is None:
        return "(none)"
    if column in UNQUOTED or not isinstance(value, str):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _header(result: dict) -> str:
    old, new = result["old"], result["new"]
    return (f"Model Facts {old['dataset_version']} ({old['label']}) -> {new['dataset_version']} ({new['label']})")


def summary_line(result: dict) -> str:
    """'claims: 1 changed; verdicts: 1 changed' or 'no differences'."""
    parts = []
    for table, counts in result["summary"].items():
        words = [f"{count} {part}" for part, count in counts.items() if count]
        if words:
            parts.append(f"{table}: {', '.join(words)}")
    for table, change in result["schema"].items():
        parts.append(f"schema of {table} changed")
    return "; ".join(parts) if parts else "no differences"


def _row_label(table: str, row: dict) -> str:
    """A short description of an added or removed row."""
    if table == "claims":
        return f"{_quote(row.get('as_written'))} ({row.get('status')})"
    return ", ".join(_quote(value) for key, value in row.items() if key != "id")


def render_text(result: dict) -> str:
    """The diff for a terminal."""
    lines = [_header(result), summary_line(result)]
    if result["bump"]:
        lines.append(f"suggested version bump: {result['bump']}"
                     + (f" ({result['old']['dataset_version']} -> "
                        f"{next_version(result['old']['dataset_version'], result['bump'])})"
                        if result['old']['dataset_version'] else ""))
    for table, change in result["schema"].items():
        lines.append(f"schema {table}: " + json.dumps(change))
    for table, parts in result["tables"].items():
        for part, sign in (("added", "+"), ("removed", "-")):
            rows = parts[part]
            if rows:
                lines += ["", f"{TITLES[table]} {part} ({len(rows)}):"]
                lines += [f"  {sign} {row['id']}: {_row_label(table, row)}" for row in rows]
        if parts["changed"]:
            lines += ["", f"{TITLES[table]} changed ({len(parts['changed'])}):"]
            for row in parts["changed"]:
                computed = COMPUTED.get(table, set())
                shown = [c for c in row["changes"] if c["column"] not in computed]
                also = [c["column"] for c in row["changes"] if c["column"] in computed]
                lines.append(f"  ~ {row['id']}")
                lines += [f"      {c['column']}: {_quote(c['old'], c['column'])} -> {_quote(c['new'], c['column'])}"
                          for c in shown]
                if also:
                    lines.append(f"      (also {', '.join(also)})")
    if result["verdicts"]:
        lines += ["", f"Verdicts changed ({len(result['verdicts'])}):"]
        lines += [f"  ~ {v['check_id']}: {v['old'] or EMPTY_VERDICT} -> {v['new'] or EMPTY_VERDICT}"
                  + (f" ({v['new_detail']})" if v.get("new_detail") else "") for v in result["verdicts"]]
    return "\n".join(lines) + "\n"


def _cell(value) -> str:
    """A value inside a Markdown table cell."""
    text = "" if value is None else str(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ") if text else "—"


def render_markdown(result: dict) -> str:
    """The diff for a pull request's job summary."""
    lines = ["### Model Facts data diff", "",
             f"`{result['old']['label']}` ({result['old']['dataset_version']}) → "
             f"`{result['new']['label']}` ({result['new']['dataset_version']})", ""]
    if is_empty(result):
        return "\n".join(lines + ["No data changes.", ""])
    lines += [f"**{summary_line(result)}**", ""]
    if result["bump"]:
        lines += [f"Suggested version bump: **{result['bump']}** "
                  f"({result['old']['dataset_version']} → {next_version(result['old']['dataset_version'], result['bump'])}).", ""]
    for table, change in result["schema"].items():
        lines += [f"Schema of `{table}` changed: `{json.dumps(change)}`", ""]
    for table, parts in result["tables"].items():
        for part in ("added", "removed"):
            rows = parts[part]
            if rows:
                lines += [f"#### {TITLES[table]} {part} ({len(rows)})", "", "| id | details |", "| --- | --- |"]
                lines += [f"| `{_cell(row['id'])}` | {_cell(_row_label(table, row))} |" for row in rows]
                lines.append("")
        if parts["changed"]:
            lines += [f"#### {TITLES[table]} changed ({len(parts['changed'])})", "",
                      "| id | column | old | new |", "| --- | --- | --- | --- |"]
            for row in parts["changed"]:
                lines += [f"| `{_cell(row['id'])}` | {c['column']} | {_cell(_quote(c['old'], c['column']))} | "
                          f"{_cell(_quote(c['new'], c['column']))} |"
                          for c in row["changes"]]
            lines.append("")
    if result["verdicts"]:
        lines += [f"#### Verdicts changed ({len(result['verdicts'])})", "", "| check | old | new | detail |",
                  "| --- | --- | --- | --- |"]
        lines += [f"| `{_cell(v['check_id'])}` | {v['old'] or EMPTY_VERDICT} | {v['new'] or EMPTY_VERDICT} | "
                  f"{_cell(v.get('new_detail') or v.get('old_detail'))} |" for v in result["verdicts"]]
        lines.append("")
    return "\n".join(lines)


def render(result: dict, output_format: str) -> str:
    """The diff in one of the formats: text, markdown, json."""
    if output_format == "json":
        return json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n"
    return render_markdown(result) if output_format == "markdown" else render_text(result)


def main(args) -> int:
    """Entry point of `modelfacts diff OLD NEW` and `modelfacts diff --base REF [NEW]`."""
    from pipeline.build import repository_root

    old, new = args.old, args.new
    try:
        if args.base:
            if old is not None and new is not None:
                print("give --base REF and at most one database (the new one)", file=sys.stderr)
                return 2
            database = new or old
            if database is not None and not database.exists():
                print(f"{database}: no such database", file=sys.stderr)
                return 1
            result = diff_against_ref(repository_root(), args.base, database)
        else:
            if old is None or new is None:
                print("give two databases (OLD NEW) or --base REF, e.g. modelfacts diff --base origin/main",
                      file=sys.stderr)
                return 2
            for path in (old, new):
                if not path.exists():
                    print(f"{path}: no such database", file=sys.stderr)
                    return 1
            result = diff_databases(Side(old, str(old)), Side(new, str(new)))
    except DiffError as error:
        print(str(error), file=sys.stderr)
        return 1
    except duckdb.Error as error:
        print(printable(f"diff failed: {error}"), file=sys.stderr)
        return 1
    text = render(result, args.format)
    sys.stdout.write(json_printable(text) if args.format == "json" else printable(text, keep="\n"))
    return 0

