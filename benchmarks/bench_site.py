"""Docs-site generation speed on a synthetic database (no asserts: it prints what it measured).

    .venv/bin/python benchmarks/bench_site.py                 # 5,000 models
    .venv/bin/python benchmarks/bench_site.py --models 1000

The data tree comes from benchmarks/generate.py and goes through the real pipeline (validate, derive,
check, publish) first; that build is timed apart from the site. Then `pipeline.site.build_site` runs as
`modelfacts docs` does: load, generate the Markdown, charts and downloads, `mkdocs build --strict`, move.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (benchmarks/generate.py)

from pipeline import site  # noqa: E402
from pipeline.build import build  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", type=int, default=5000)
    parser.add_argument("--keep", type=Path, help="write into this folder instead of a temporary one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-site-") as scratch:
        root = args.keep or Path(scratch)
        started = time.perf_counter()
        generate.generate(args.models, root)
        generated = time.perf_counter()
        database = build(root, root / "dist")
        built = time.perf_counter()
        print(f"synthetic data: {args.models:,} models written in {generated - started:.1f} s, "
              f"database built in {built - generated:.1f} s ({database.stat().st_size / 1e6:.1f} MB)")
        result = site.build_site(database, root / "dist" / "site")
        seconds = result.seconds
        files = sum(1 for _ in result.out.rglob("index.html"))
        size = sum(path.stat().st_size for path in result.out.rglob("*") if path.is_file())
        print(f"site: {result.pages:,} pages ({result.models:,} models, {result.sources:,} sources), "
              f"{files:,} HTML pages, {size / 1e6:.0f} MB")
        print(f"  load      {seconds['load']:7.2f} s")
        print(f"  generate  {seconds['generate']:7.2f} s   {result.pages / seconds['generate']:8.0f} pages/s  "
              "(Markdown, charts, downloads)")
        print(f"  mkdocs    {seconds['mkdocs']:7.2f} s   {result.pages / seconds['mkdocs']:8.0f} pages/s  "
              "(mkdocs build --strict)")
        print(f"  total     {seconds['total']:7.2f} s   {result.pages / seconds['total']:8.0f} pages/s")


if __name__ == "__main__":
    main()
