"""`modelfacts`: a thin command line over the pipeline's library functions."""
from __future__ import annotations

import argparse
import decimal
import json
import os
import sys
from pathlib import Path

from pipeline import clock
from pipeline.errors import CONTROL_ESCAPES, DataError, DataErrors, no_database, printable, summary
from pipeline.outdir import OutputFolderError

EXAMPLES = {
    "validate": "modelfacts validate\n  modelfacts validate data/models/meta/llama-2-70b.yaml\n  modelfacts validate --format github",
    "build": "modelfacts build\n  modelfacts build --out /tmp/dist",
    "query": "modelfacts query \"SELECT model_id, field, value, status FROM claims WHERE model_id = 'llama-2-70b'\"\n"
             "  modelfacts query \"SELECT * FROM models\" --format csv",
    "count": "modelfacts count config.json\n  modelfacts count config.json --json\n  modelfacts count config.json --explain",
    "explain": "modelfacts explain llama-2-70b",
    "check": "modelfacts check\n  modelfacts check llama-2-70b mixtral-8x7b",
    "chinchilla": "modelfacts chinchilla --compute 5.76e23\n  modelfacts chinchilla --compute 5.76e23 --json",
    "docs": "modelfacts docs --db dist/modelfacts.duckdb --out dist/site",
    "diff": "modelfacts diff old/modelfacts.duckdb dist/modelfacts.duckdb\n  modelfacts diff --base origin/main --format markdown",
    "cite": "modelfacts cite llama-2-70b.params_total.llama-2-model-card --style bibtex",
    "fmt": "modelfacts fmt\n  modelfacts fmt --check data/models/meta/llama-2-70b.yaml",
    "new": "modelfacts new model meta/llama-4-8b\n  modelfacts new model meta/llama-4-8b --config config.json",
    "release": "modelfacts release --db dist/modelfacts.duckdb --out dist/release",
    "export": "modelfacts export --db dist/modelfacts.duckdb --out /tmp/data-copy",
    "schema": "modelfacts schema --out schemas/json",
}


TODAY_HELP = "the last date data may carry (default: $MODELFACTS_TODAY, else today's date)"
DB_HELP = "database file (default: dist/modelfacts.duckdb of the repository you are in)"


def _parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-command per pipeline task."""
    parser = argparse.ArgumentParser(
        prog="modelfacts", description="Model Facts: a sourced, versioned, machine-checked dataset of AI model claims.",
        epilog="Run `modelfacts COMMAND --help` for a command's options and an example.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=help_text, description=help_text,
                                   epilog="example:\n  " + EXAMPLES[name],
                                   formatter_class=argparse.RawDescriptionHelpFormatter)

    validate = command("validate", "Check data files and report every error as file:line: field: message.")
    validate.add_argument("paths", nargs="*", type=Path, help="files to check (default: all of data/)")
    validate.add_argument("--format", choices=["text", "github"], default="text", help="github: workflow annotations")
    validate.add_argument("--today", metavar="YYYY-MM-DD", help=TODAY_HELP)
    build = command("build", "Validate data/, derive counts, run the checks and publish DuckDB and Parquet.")
    build.add_argument("--out", type=Path, default=None, help="output folder (default: the repository's dist/)")
    build.add_argument("--today", metavar="YYYY-MM-DD", help=TODAY_HELP)
    query = command("query", "Run SQL on the published database (opened read-only).")
    query.add_argument("sql", help="a SQL statement")
    query.add_argument("--db", type=Path, default=None, help=DB_HELP)
    query.add_argument("--format", choices=["table", "csv", "json"], default="table")
    count = command("count", "Count parameters exactly from a Hugging Face config.json.")
    count.add_argument("config", type=Path, nargs="?", help="a config.json file")
    # the same flag `new model --config` takes, so either spelling works
    count.add_argument("--config", type=Path, dest="config_flag", metavar="CONFIG", help="the config.json file, as a flag")
    count.add_argument("--json", action="store_true", help="print one JSON object")
    count.add_argument("--explain", action="store_true", help="show the formula of every part")
    explain = command("explain", "Show the formula behind a model's parameter count, part by part.")
    explain.add_argument("model_id")
    check = command("check", "Report which claims hold up, grouped by model, inconsistent first.")
    check.add_argument("model_ids", nargs="*", help="models to report (default: all)")
    check.add_argument("--db", type=Path, default=None, help="read verdicts from a built database instead of data/")
    chinchilla = command("chinchilla", "Compute-optimal parameters and tokens for a compute budget.")
    chinchilla.add_argument("--compute", required=True, help="training compute in FLOP, e.g. 5.76e23 (positive)")
    chinchilla.add_argument("--json", action="store_true", help="print one JSON object")
    docs = command("docs", "Generate the mkdocs site from a built database (offline, strict).")
    docs.add_argument("--db", type=Path, default=None, help=DB_HELP)
    docs.add_argument("--out", type=Path, default=Path("dist/site"), help="site folder")
    diff = command("diff", "Report models, claims and verdicts that differ between two builds.")
    diff.add_argument("old", nargs="?", type=Path, help="old database (omit with --base)")
    diff.add_argument("new", nargs="?", type=Path, help="new database (default with --base: build the working tree)")
    diff.add_argument("--base", help="a git ref to build and compare against the working tree")
    diff.add_argument("--format", choices=["text", "markdown", "json"], default="text")
    cite = command("cite", "Print a citation for one claim.")
    cite.add_argument("claim_id")
    cite.add_argument("--style", choices=["text", "bibtex", "apa", "json"], default="text")
    cite.add_argument("--db", type=Path, default=None, help=DB_HELP)
    fmt = command("fmt", "Rewrite data files in canonical key order and layout (small diffs).")
    fmt.add_argument("paths", nargs="*", type=Path, help="files (default: all of data/)")
    fmt.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file needs formatting")
    fmt.add_argument("--drop-comments", action="store_true", help="allow dropping # comments (refused otherwise)")
    new = command("new", "Write a commented skeleton for a new model file.")
    new.add_argument("kind", choices=["model"], help="what to create")
    new.add_argument("target", help="ORG/ID, e.g. meta/llama-4-8b")
    new.add_argument("--config", type=Path, help="a Hugging Face config.json: fills the architecture block")
    release = command("release", "Write versioned release artifacts (DuckDB, Parquet, CSV, SHA256SUMS).")
    release.add_argument("--db", type=Path, default=None, help=DB_HELP)
    release.add_argument("--out", type=Path, default=Path("dist/release"), help="release folder")
    export = command("export", "Write the database back out as YAML files in the data/ layout.")
    export.add_argument("--db", type=Path, default=None, help=DB_HELP)
    export.add_argument("--out", type=Path, required=True, help="folder to write data/ into")
    schema = command("schema", "Write the JSON Schemas editors use for data files.")
    schema.add_argument("--out", type=Path, default=Path("schemas/json"), help="folder for *.schema.json")
    return parser


def _delegate(module: str):
    """A command handler that runs `pipeline.<module>.main(args)`."""
    def handler(args: argparse.Namespace) -> int:
        import importlib

        return importlib.import_module(f"pipeline.{module}").main(args)
    return handler


cmd_docs = _delegate("site")
cmd_diff = _delegate("diff")
cmd_cite = _delegate("cite")
cmd_fmt = _delegate("fmt")
cmd_new = _delegate("scaffold")
cmd_release = _delegate("release")
cmd_export = _delegate("export")
cmd_schema = _delegate("jsonschema")


def _report(errors: list[DataError], output_format: str) -> None:
    """Print errors one per line and the summary."""
    for error in errors:  # text lines escape control characters too, so a key cannot forge CI log commands
        print(error.github() if output_format == "github" else printable(str(error)), file=sys.stdout)
    print(summary(errors), file=sys.stderr)


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate all of data/ or the named files (with the sources and organizations they refer to)."""
    from pipeline.build import repository_root
    from pipeline.load import load
    from pipeline.validate import validate

    root = repository_root()
    data = root / "data"
    if args.paths:
        missing = [path for path in args.paths if not path.exists()]
        if missing:
            print(f"{missing[0]}: no such file", file=sys.stderr)
            return 2
        dataset = load(data, only=_with_references(args.paths, data))
    else:
        dataset = load(data)
        from pipeline.imports import epoch
        epoch.import_into(dataset, root)  # imported snapshots are validated with the same rules
    try:
        tables = validate(dataset, today=clock.today(args.today))
    except DataErrors as failure:
        _report(failure.errors, args.format)
        return 1
    print(f"ok: {len(tables['models'])} models, {len(tables['claims'])} claims, "
          f"{len(tables['sources'])} sources in {dataset.files_read} files")
    return 0


def _with_references(paths: list[Path], data: Path) -> list[Path]:
    """The named files plus organizations.yaml and the source files their claims cite."""
    from pipeline.load import load

    absolute = [Path(os.path.abspath(path)) for path in paths]
    first = load(data, only=absolute)
    wanted = set(absolute) | {Path(os.path.abspath(data / "organizations.yaml"))}
    for table in ("claims", "architectures", "hardware"):
        for source_id in first.tables[table]["source_id"].dropna().unique():
            candidate = Path(os.path.abspath(data / "sources" / f"{source_id}.yaml"))
            if isinstance(source_id, str) and candidate.exists():
                wanted.add(candidate)
    return sorted(wanted, key=str)


def cmd_build(args: argparse.Namespace) -> int:
    """Build dist/; a data error prints every problem and leaves the previous build untouched."""
    from pipeline.build import build, build_summary, repository_root
    from pipeline.publish import failure_line

    try:
        database = build(repository_root(), args.out, today=clock.today(args.today))
    except DataErrors as failure:
        _report(failure.errors, "text")
        print("build stopped; the previous build (if any) is unchanged", file=sys.stderr)
        return 1
    except (OutputFolderError, OSError) as error:
        print(failure_line(error, Path(), args.out, "build"), file=sys.stderr)
        return 1
    print(build_summary(_shown(Path(os.path.abspath(database)))))
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    """Run one SQL statement read-only and print the result."""
    import duckdb

    from pipeline.publish import connect_read_only

    if no_database(args.db):
        return 1
    try:
        with connect_read_only(args.db) as connection:
            result = connection.execute(args.sql)
            columns = [column[0] for column in result.description or []]
            rows = result.fetchall()
    except duckdb.Error as error:
        print(printable(f"query failed: {error}{_query_hint(str(error))}", keep="\n"), file=sys.stderr)
        return 1
    if args.format == "csv":  # line breaks and tabs inside quoted CSV cells are data; other controls are not
        sys.stdout.write(printable(_csv_text(columns, rows), keep="\n\t"))
    elif args.format == "json":  # the JSON encoder already writes every control character as \\uXXXX
        records = [dict(zip(columns, (_json_cell(cell) for cell in row))) for row in rows]
        sys.stdout.write(json.dumps(records, indent=2) + "\n")
    else:
        print(_table_text(columns, rows))
    return 0


# SQL keywords people use as column or table names; DuckDB's parse error then points at them
_RESERVED_NAMES = ("check",)


def _query_hint(message: str) -> str:
    """A hint for a parse error at a reserved word we use as a column name (checks."check")."""
    if "Parser Error" not in message:
        return ""
    for word in _RESERVED_NAMES:
        if f'"{word.upper()}"' in message.upper() or f"'{word}'" in message.lower():
            return f'\nhint: {word} is an SQL keyword; quote it as a column name: "{word}" (e.g. SELECT "{word}" FROM checks)'
    return ""


def _cell_text(cell) -> str:
    """One cell as the table and CSV show it: NULL for a missing value, integers in full (70000000000, not
    7e10 or 70000000000.0), whole floats as integers, other floats in short form, dates in ISO form."""
    if cell is None:
        return "NULL"
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float):
        return _number(cell)
    if isinstance(cell, decimal.Decimal):  # DuckDB gives DECIMAL columns (1.5, 7e10 typed in SQL) as Decimal
        return f"{cell:.0f}" if cell == cell.to_integral_value() else str(cell.normalize())
    if hasattr(cell, "isoformat"):
        return cell.isoformat()
    if isinstance(cell, (list, tuple)):
        return "[" + ", ".join(_cell_text(item) for item in cell) + "]"
    return str(cell)


def _json_cell(cell):
    """One cell as a JSON value: null, an integer for a whole number, dates as ISO text."""
    if isinstance(cell, float) and cell == cell and abs(cell) < 2**63 and cell == int(cell):
        return int(cell)
    if isinstance(cell, float) and cell != cell:
        return None
    if isinstance(cell, decimal.Decimal):
        return int(cell) if cell == cell.to_integral_value() else float(cell)
    if hasattr(cell, "isoformat"):
        return cell.isoformat()
    if isinstance(cell, (list, tuple)):
        return [_json_cell(item) for item in cell]
    if isinstance(cell, dict):
        return {key: _json_cell(value) for key, value in cell.items()}
    if isinstance(cell, bytes):
        return cell.decode("utf-8", errors="replace")
    return cell


def _csv_text(columns: list[str], rows: list[tuple]) -> str:
    """The result as CSV: cells as in the table, NULL for a missing one (pandas and DuckDB's read_csv with
    nullstr='NULL' read it back as missing)."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([[_cell_text(cell) for cell in row] for row in rows])
    return buffer.getvalue()


# line breaks and tabs inside a cell would break the table's layout: shown as \\n, \\t, \\r; other controls as \\xNN
_CELL_ESCAPES = {**CONTROL_ESCAPES, ord("\n"): "\\n", ord("\t"): "\\t", ord("\r"): "\\r"}


def _table_text(columns: list[str], rows: list[tuple]) -> str:
    """A result as an aligned text table; NULL for missing values; control characters in cells (line breaks
    too) shown escaped; numbers right-aligned."""
    if not rows:
        return "(no rows)"
    cells = [[_cell_text(cell).translate(_CELL_ESCAPES) for cell in row] for row in rows]
    numeric = [all(row[index] is None or (isinstance(row[index], (int, float, decimal.Decimal))
                   and not isinstance(row[index], bool)) for row in rows)
               for index in range(len(columns))]
    widths = [max(len(name), *(len(row[index]) for row in cells)) for index, name in enumerate(columns)]
    lines = [[name.rjust(width) if right else name.ljust(width) for name, width, right in zip(columns, widths, numeric)]]
    lines += [[cell.rjust(width) if right else cell.ljust(width) for cell, width, right in zip(row, widths, numeric)]
              for row in cells]
    return printable("\n".join(" ".join(line).rstrip() for line in lines), keep="\n")


def _number(value: float) -> str:
    """Whole numbers in full (70015266816, not 7.0e+10); others in short form."""
    return f"{value:.0f}" if value == value and abs(value) < 1e21 and value == int(value) else f"{value:.6g}"


def cmd_count(args: argparse.Namespace) -> int:
    """Count a config.json file."""
    from pipeline import explain

    config = args.config or args.config_flag
    if config is None:
        print("modelfacts count: give a config.json file, e.g. `modelfacts count config.json`", file=sys.stderr)
        return 2
    return explain.count_file(config, as_json=args.json, with_formulas=args.explain)


def cmd_explain(args: argparse.Namespace) -> int:
    """Explain a model's count from its architecture block in data/."""
    from pipeline import explain

    return explain.main(args.model_id)


def cmd_check(args: argparse.Namespace) -> int:
    """Print the checks report."""
    from pipeline import report

    return report.main(args.model_ids, args.db)


def cmd_chinchilla(args: argparse.Namespace) -> int:
    """Print compute-optimal N and D for a compute budget."""
    from pipeline import scaling

    try:
        compute = scaling.compute_budget(args.compute)
        print(scaling.optimum_json(compute) if args.json else scaling.format_optimum(compute))
    except scaling.ComputeError as error:
        print(f"--compute: {error}", file=sys.stderr)
        return 2
    return 0


def default_database(start: Path | None = None) -> Path:
    """The project's dist/modelfacts.duckdb, found from any folder inside the repository (shown relative to
    the current folder when it is below it, so messages stay short)."""
    from pipeline.build import repository_root

    return _shown(repository_root(start) / "dist" / "modelfacts.duckdb")


def _shown(path: Path) -> Path:
    """A path relative to the current folder when it lies below it, else absolute."""
    try:
        return path.relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def _with_default_paths(args: argparse.Namespace) -> argparse.Namespace:
    """Fill an omitted --db (and build's --out) with the repository's dist/; given paths are kept as typed.
    `check` is left alone: without --db it reads data/ itself."""
    if getattr(args, "db", "absent") is None and args.command != "check":
        args.db = default_database()
    if args.command == "build" and args.out is None:
        args.out = default_database().parent
    return args


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `modelfacts` command."""
    args = _with_default_paths(_parser().parse_args(argv))
    handler = globals()[f"cmd_{args.command.replace('-', '_')}"]
    try:
        return handler(args)
    except clock.TodayError as error:
        print(error, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except RuntimeError as error:  # DuckDB turns Ctrl-C during a query into RuntimeError("Query interrupted")
        if str(error) == "Query interrupted":
            return 130
        raise
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
