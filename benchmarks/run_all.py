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
    code = ("import time, sys; from pathlib import Path; from pipeline import cli; "
            "t = time.perf_counter(); cli.main(['validate', sys.argv[1]]); "
            "print(time.perf_counter() - t, file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", code, str(target.relative_to(folder))], cwd=folder,
                            capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    return whole, float(result.stderr.strip().splitlines()[-1])


def query_latency(folder: Path) -> list[tuple[str, float]]:
    """Milliseconds per cookbook query on the published file (median of 5)."""
    import duckdb

    try:
        from pipeline.cookbook import QUERIES
        queries = [(query["title"] if isinstance(query, dict) else query[0],
                    query["sql"] if isinstance(query, dict) else query[1]) for query in QUERIES]
    except (ImportError, AttributeError, KeyError, TypeError, IndexError):
        queries = [("claims of one model", "SELECT * FROM claims WHERE model_id = 'model-000001'"),
                   ("inconsistent claims per source", "SELECT source_id, count(*) FROM claim_verdicts "
                                                      "WHERE verdict = 'inconsistent' GROUP BY 1 ORDER BY 2 DESC"),
                   ("best values", "SELECT * FROM model_summary WHERE field = 'params_total' LIMIT 100")]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    args = parser.parse_args()
    print(f"machine: {machine()}\n")
    rows = {}
    header = (f"{'models':>8} {'claims':>9} " + " ".join(f"{s:>9}" for s in STAGES)
              + f" {'total s':>8} {'floor s':>8} {'ratio':>6} {'peak MB':>8} {'db MB':>7}")
    print(header)
    for size in args.sizes:
        folder = tree(size)
        result = in_subprocess("stage_times", folder)
        floor = in_subprocess("parse_floor", folder)
        total = sum(result["times"].values())
        rows[size] = result
        print(f"{size:>8,} {result['claims']:>9,} " + " ".join(f"{result['times'][s]:>9.2f}" for s in STAGES)
              + f" {total:>8.2f} {floor:>8.2f} {total / floor:>6.2f} {result['peak_rss_mb']:>8.0f} {result['db_mb']:>7.1f}")
    if 10_000 in rows and 100_000 in rows:
        print("\ngrowth from 10k to 100k models (linear = 10x):")
        for stage in STAGES:
            print(f"  {stage:<9} {rows[100_000]['times'][stage] / rows[10_000]['times'][stage]:>6.1f}x")
    largest = tree(max(args.sizes))
    whole, inside = validate_one_file(largest)
    print(f"\nvalidate one file in the {max(args.sizes):,}-model tree: {whole:.2f} s for the command "
          f"({inside:.3f} s of validation after start-up)")
    print("\nquery latency on the published file (median of 5):")
    for title, milliseconds in query_latency(largest):
        print(f"  {milliseconds:>8.1f} ms  {title}")
    bench_formula = HERE / "bench_formula.py"
    if bench_formula.exists():
        print("\nformula engine:")
        subprocess.run([sys.executable, str(bench_formula)], check=False)


if __name__ == "__main__":
    main()
