"""`modelfacts`: a thin command line over the pipeline's library functions."""
from __future__ import annotations

import argparse
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
    "new": "modelfacts new model meta/llama-4-8b",
    "release": "modelfacts release --db dist/modelfacts.duckdb --out dist/release",
    "export": "modelfacts export --db dist/modelfacts.duckdb --out /tmp/data-copy",
    "schema": "modelfacts schema --out schemas/json",
}


TODAY_HELP = "the last date data may carry (default: $MODELFACTS_TODAY, else today's date)"


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
    build.add_argument("--out", type=Path, default=Path("dist"), help="output folder (default: dist/)")
    build.add_argument("--today", metavar="YYYY-MM-DD", help=TODAY_HELP)
    query = command("query", "Run SQL on the published database (opened read-only).")
    query.add_argument("sql", help="a SQL statement")
    query.add_argument("--db", type=Path, default=Path("dist/modelfacts.duckdb"), help="database file")
    query.add_argument("--format", choices=["table", "csv", "json"], default="table")
    count = command("count", "Count parameters exactly from a Hugging Face config.json.")
    count.add_argument("config", type=Path, help="a config.json file")
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
    docs.add_argument("--db", type=Path, default=Path("dist/modelfacts.duckdb"), help="database file")
    docs.add_argument("--out", type=Path, default=Path("dist/site"), help="site folder")
    diff = command("diff", "Report models, claims and verdicts that differ between two builds.")
    diff.add_argument("old", nargs="?", type=Path, help="old database (omit with --base)")
    diff.add_argument("new", nargs="?", type=Path, help="new database (default with --base: build the working tree)")
    diff.add_argument("--base", help="a git ref to build and compare against the working tree")
    diff.add_argument("--format", choices=["text", "markdown", "json"], default="text")
    cite = command("cite", "Print a citation for one claim.")
    cite.add_argument("claim_id")
    cite.add_argument("--style", choices=["text", "bibtex", "apa", "json"], default="text")
    cite.add_argument("--db", type=Path, default=Path("dist/modelfacts.duckdb"), help="database file")
    fmt = command("fmt", "Rewrite data files in canonical key order and layout (small diffs).")
    fmt.add_argument("paths", nargs="*", type=Path, help="files (default: all of data/)")
    fmt.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file needs formatting")
    fmt.add_argument("--drop-comments", action="store_true", help="allow dropping # comments (refused otherwise)")
    new = command("new", "Write a commented skeleton for a new model file.")
    new.add_argument("kind", choices=["model"], help="what to create")
    new.add_argument("target", help="ORG/ID, e.g. meta/llama-4-8b")
    release = command("release", "Write versioned release artifacts (DuckDB, Parquet, CSV, SHA256SUMS).")
    release.add_argument("--db", type=Path, default=Path("dist/modelfacts.duckdb"), help="database file")
    release.add_argument("--out", type=Path, default=Path("dist/release"), help="release folder")
    export = command("export", "Write the database back out as YAML files in the data/ layout.")
    export.add_argument("--db", type=Path, default=Path("dist/modelfacts.duckdb"), help="database file")
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
    for error in errors:
        print(error.github() if output_format == "github" else str(error), file=sys.stdout)
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
    from pipeline.build import build, repository_root
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
    print(f"wrote {database}")
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    """Run one SQL statement read-only and print the result."""
    import duckdb

    from pipeline.publish import connect_read_only

    if no_database(args.db):
        return 1
    try:
        with connect_read_only(args.db) as connection:
            frame = connection.execute(args.sql).fetchdf()
    except duckdb.Error as error:
        print(printable(f"query failed: {error}", keep="\n"), file=sys.stderr)
        return 1
    if args.format == "csv":  # line breaks and tabs inside quoted CSV cells are data; other controls are not
        sys.stdout.write(printable(frame.to_csv(index=False), keep="\n\t"))
    elif args.format == "json":  # the JSON encoder already writes every control character as \\uXXXX
        sys.stdout.write(frame.to_json(orient="records", date_format="iso", indent=2) + "\n")
    else:
        print(_table_text(frame))
    return 0


def _table_text(frame) -> str:
    """A result as an aligned text table; control characters in cells (line breaks too) shown escaped."""
    if frame.empty:
        return "(no rows)"
    shown = frame.copy()
    for name in frame.columns[frame.dtypes == object]:
        escaped = frame[name].str.translate(CONTROL_ESCAPES)  # NaN where the cell is not text
        shown[name] = escaped.where(escaped.notna(), frame[name])
    return printable(shown.to_string(index=False, float_format=_number), keep="\n")


def _number(value: float) -> str:
    """Whole numbers in full (70015266816, not 7.0e+10); others in short form."""
    return f"{value:.0f}" if value == value and abs(value) < 1e21 and value == int(value) else f"{value:.6g}"


def cmd_count(args: argparse.Namespace) -> int:
    """Count a config.json file."""
    from pipeline import explain

    return explain.count_file(args.config, as_json=args.json, with_formulas=args.explain)


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
    except scaling.ComputeError as error:
        print(f"--compute: {error}", file=sys.stderr)
        return 2
    print(scaling.optimum_json(compute) if args.json else scaling.format_optimum(compute))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `modelfacts` command."""
    args = _parser().parse_args(argv)
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
