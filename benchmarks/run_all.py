"""Benchmarks: how the pipeline's cost grows with the dataset. Prints tables; asserts nothing.

    make bench                                   # 1k, 10k and 100k models
    .venv/bin/python benchmarks/run_all.py --sizes 1000 10000
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

CACHE = Path(os.environ.get("MODELFACTS_BENCH_DIR", "/tmp/modelfacts-bench"))
STAGES = ["load", "validate", "derive", "check", "publish"]


def tree(models: int) -> Path:
    """A generated tree of `models` models, made once and reused."""
    folder = CACHE / f"models-{models}"
    if not (folder / "data" / "models").exists():
        generate(models, folder)
    return folder


def stage_times(folder: Path) -> dict:
    """Run every stage once in this process; return seconds per stage, peak RSS and file size."""
    import pandas as pd

    from pipeline import check, derive
    from pipeline.build import dataset_version
    from pipeline.load import load
    from pipeline.publish import publish
    from pipeline.validate import validate

    from pipeline.load import no_cyclic_gc

    no_cyclic_gc().__enter__()  # as pipeline.build does for a whole build
    times = {}
    start = time.perf_counter()
    dataset = load(folder / "data")
    times["load"] = time.perf_counter() - start
    start = time.perf_counter()
    tables = validate(dataset)
    times["validate"] = time.perf_counter() - start
    start = time.perf_counter()
    tables["claims"] = check.with_implied_interval(tables["claims"])
    tables["derived"] = derive.derive(tables)
    tables["derived"] = pd.concat([tables["derived"], check.training_derivations(tables)], ignore_index=True)
    times["derive"] = time.perf_counter() - start
    start = time.perf_counter()
    tables["checks"] = check.run_checks(tables)
    times["check"] = time.perf_counter() - start
    start = time.perf_counter()
    out = folder / "dist"
    publish(tables, out, {"dataset_version": dataset_version(folder), "git_commit": None, "built_at": "bench"},
            views=check.VIEWS)
    times["publish"] = time.perf_counter() - start
    return {"times": times, "claims": len(tables["claims"]), "checks": len(tables["checks"]),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "db_mb": (out / "modelfacts.duckdb").stat().st_size / 1e6}


def parse_floor(folder: Path) -> float:
    """Seconds to read every YAML file with libyaml's C loader and nothing else, on one core."""
    import yaml

    files = [os.path.join(d, f) for d, _, names in os.walk(folder / "data") for f in names if f.endswith(".yaml")]
    start = time.perf_counter()
    for name in files:
        with open(name, "rb") as handle:
            yaml.load(handle.read(), Loader=yaml.CSafeLoader)
    return time.perf_counter() - start


def in_subprocess(function: str, folder: Path) -> dict:
    """Run a measurement in a fresh interpreter, so peak memory belongs to that run alone."""
    code = (f"import json, sys; sys.path[:0] = [{str(REPO)!r}, {str(HERE)!r}]; import run_all; "
            f"print(json.dumps(run_all.{function}(run_all.Path({str(folder)!r}))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def validate_one_file(folder: Path) -> tuple[float, float]:
    """Wall seconds of `modelfacts validate FILE` in the tree (whole command, and the validation alone)."""
    target = next((folder / "data" / "models").glob("*/*.yaml"))
    command = [str(REPO / ".venv" / "bin" / "modelfacts"), "validate", str(target.relative_to(folder))]
    start = time.perf_counter()
    subprocess.run(command, cwd=folder, capture_output=True, check=True)
    whole = time.perf_counter() - start
    code = ("import time, sys; from pathlib import Path; from pipeline import cli, build, validate; "
            "t = time.perf_counter(); cli.main(['validate', sys.argv[1]]); "
            "print(time.perf_counter() - t, file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", code, str(target.relative_to(folder))], cwd=folder,
                            capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    return whole, float(result.stderr.strip().splitlines()[-1])


def query_latency(folder: Path) -> list[tuple[str, float]]:
    """Milliseconds per cookbook query on the published file (median of 5)."""
    import duckdb

    from pipeline.cookbook import QUERIES

    queries = [(recipe.title, recipe.sql) for recipe in QUERIES]
    results = []
    with duckdb.connect(str(folder / "dist" / "modelfacts.duckdb"), read_only=True) as connection:
        for title, sql in queries:
            samples = []
            for _ in range(5):
                start = time.perf_counter()
                connection.execute(sql).fetchall()
                samples.append(time.perf_counter() - start)
            results.append((title, sorted(samples)[2] * 1000))
    return results


def machine() -> str:
    """One line describing where the figures came from."""
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               platform.processor()) if Path("/proc/cpuinfo").exists() else platform.processor()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, Python {platform.python_version()}"


def site_times(folder: Path) -> dict:
    """`modelfacts docs` on the tree's published database (stage_times writes it): seconds per step and pages."""
    import shutil

    from pipeline import site

    out = folder / "dist" / "site"
    shutil.rmtree(out, ignore_errors=True)
    result = site.build_site(folder / "dist" / "modelfacts.duckdb", out)
    shutil.rmtree(out, ignore_errors=True)
    return {"seconds": result.seconds, "pages": result.pages}


def site_lines(sizes: list[int]) -> list[str]:
    """The docs site build (load, generate, mkdocs, total) at each size, and how it grows."""
    lines = ["", "Site build (`modelfacts docs`: Jinja2 pages, charts and downloads, `mkdocs build --strict`, "
                 "vendored browser assets; target: under 6 minutes at 10,000 models):", "",
             "| models | pages | load s | generate s | mkdocs s | total s |", "| ---: | ---: | ---: | ---: | ---: | ---: |"]
    totals = {}
    for size in sizes:
        folder = tree(size)
        if not (folder / "dist" / "modelfacts.duckdb").exists():
            in_subprocess("stage_times", folder)
        result = in_subprocess("site_times", folder)
        seconds = result["seconds"]
        totals[size] = seconds["total"]
        lines.append(f"| {size:,} | {result['pages']:,} | {seconds['load']:.1f} | {seconds['generate']:.1f} | "
                     f"{seconds['mkdocs']:.1f} | {seconds['total']:.1f} |")
        print(lines[-1], flush=True)
    if len(sizes) > 1:
        small, large = sorted(sizes)[-2], max(sizes)
        lines += ["", f"Site build growth from {small:,} to {large:,} models: {totals[large] / totals[small]:.1f}x "
                      f"(linear = {large / small:.0f}x)."]
    return lines


def run(sizes: list[int], site_sizes: list[int] | None = None) -> list[str]:
    """Measure everything and return the report as lines of Markdown-compatible text."""
    lines = [f"Machine: {machine()}.", ""]
    rows = {}
    lines += ["| models | claims | load s | validate s | derive s | check s | publish s | total s | parse-only floor s "
              "| total / floor | peak RSS MB | DuckDB MB |",
              "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for size in sizes:
        folder = tree(size)
        result = in_subprocess("stage_times", folder)
        floor = in_subprocess("parse_floor", folder)
        total = sum(result["times"].values())
        rows[size] = result
        lines.append(f"| {size:,} | {result['claims']:,} | " + " | ".join(f"{result['times'][s]:.2f}" for s in STAGES)
                     + f" | {total:.2f} | {floor:.2f} | {total / floor:.2f} | {result['peak_rss_mb']:.0f} "
                       f"| {result['db_mb']:.1f} |")
        print(lines[-1], flush=True)
    if len(sizes) > 1:
        small, large = sorted(sizes)[-2], max(sizes)
        lines += ["", f"Growth from {small:,} to {large:,} models (linear = {large / small:.0f}x):", ""]
        lines += [f"- {stage}: {rows[large]['times'][stage] / rows[small]['times'][stage]:.1f}x" for stage in STAGES]
    largest = tree(max(sizes))
    whole, inside = validate_one_file(largest)
    lines += ["", f"`modelfacts validate FILE` in the {max(sizes):,}-model tree: {whole:.2f} s for the whole command, "
                  f"{inside:.3f} s of it validating (the rest is starting Python and importing pandas, pandera and DuckDB).", "",
              "Query latency on the published file (median of 5 runs):", ""]
    lines += [f"- {milliseconds:.1f} ms: {title}" for title, milliseconds in query_latency(largest)]
    bench_formula = HERE / "bench_formula.py"
    if bench_formula.exists():
        result = subprocess.run([sys.executable, str(bench_formula)], capture_output=True, text=True, check=False)
        lines += ["", "Formula engine (`benchmarks/bench_formula.py`):", "", "```", result.stdout.rstrip(), "```"]
    if site_sizes:
        lines += site_lines(site_sizes)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--write-docs", type=Path, help="also write the report to this Markdown page")
    parser.add_argument("--site-sizes", type=int, nargs="*", default=[1_000, 10_000],
                        help="model counts to time the docs site build at (none: skip it)")
    args = parser.parse_args()
    lines = run(args.sizes, args.site_sizes)
    print("\n".join(lines))
    if args.write_docs:
        page = ["# Performance", "", "How the pipeline's cost grows with the dataset, measured by `make bench` "
                "(`benchmarks/run_all.py`) on synthetic data from `benchmarks/generate.py`: each model file has ten "
                "claims and two in three have an architecture block. The parse-only floor is the time to read "
                "the same YAML files with libyaml's C loader on one core and do nothing else.", ""] + lines
        args.write_docs.write_text("\n".join(page) + "\n")


if __name__ == "__main__":
    main()
