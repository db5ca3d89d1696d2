"""Build: write every page into a staging folder, run `mkdocs build --strict` there, then swap the finished
site into place, so a failed build leaves the previous site as it was."""
from __future__ import annotations

import argparse
import errno
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import yaml

from pipeline import charts, outdir
from pipeline.publish import connect_read_only, database_problem, sql_literal
from pipeline.release import spreadsheet_safe_select
from pipeline.site import assets
from pipeline.site.common import DOWNLOAD_TABLES, REPO, SiteError, slug
from pipeline.site.data import Data, load
from pipeline.site.explainers import explainer_pages
from pipeline.site.methodology import methodology_page
from pipeline.site.models import model_pages, models_index
from pipeline.site.pages import charts_page, cookbook_page, downloads_page, home_page, sql_page
from pipeline.site.repo_pages import extra_pages
from pipeline.site.sources import findings_page, source_pages, sources_index
from pipeline.site.words import claim_sizes

def write_downloads(database: Path, docs: Path) -> list[tuple[str, int, str]]:
    """downloads/: the DuckDB file, and every table and view as Parquet and CSV; returns (path, bytes, sha256)."""
    folder = docs / "downloads"
    (folder / "parquet").mkdir(parents=True, exist_ok=True)
    (folder / "csv").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(database, folder / "modelfacts.duckdb")
    # safe-publish: sandboxed (writes only into the downloads folder), paths as quoted literals, CSV cells
    # that a spreadsheet would run as formulas prefixed with '
    with connect_read_only(database, write_into=folder) as connection:
        present = {row[0] for row in connection.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        for name in DOWNLOAD_TABLES:
            if name not in present:
                continue
            order = {"claim_verdicts": "claim_id", "model_summary": "model_id, field"}.get(name, "ALL")
            query = f'SELECT * FROM "{name}" ORDER BY {order}'
            csv_query = f"{spreadsheet_safe_select(connection, name)} ORDER BY {order}"
            connection.execute(f"COPY ({query}) TO {sql_literal(str(folder / 'parquet' / (name + '.parquet')))} (FORMAT parquet)")
            connection.execute(f"COPY ({csv_query}) TO {sql_literal(str(folder / 'csv' / (name + '.csv')))} (FORMAT csv, HEADER)")
    files = [folder / "modelfacts.duckdb"] + sorted((folder / "parquet").iterdir()) + sorted((folder / "csv").iterdir())
    listing = []
    for path in files:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        listing.append((path.relative_to(docs).as_posix(), path.stat().st_size, digest))
    (folder / "SHA256SUMS").write_text("".join(f"{d}  {p.removeprefix('downloads/')}\n" for p, _, d in listing))
    return listing


# ----------------------------------------------------------------------------------------------- build

@dataclass
class SiteBuild:
    """What a build produced and how long each step took."""

    out: Path
    pages: int
    models: int
    sources: int
    seconds: dict[str, float] = field(default_factory=dict)


def write_docs(data: Data, docs: Path, repo: Path = REPO) -> tuple[list, int]:
    """Every page, chart, download and style into `docs`; returns (nav, number of Markdown pages)."""
    docs.mkdir(parents=True, exist_ok=True)
    extra = extra_pages(repo, docs)
    downloads = write_downloads(data.database, docs)
    assets.write_static(docs)
    interactive = assets.node_modules(repo) is not None
    tables = {"claims": data["claims"], "models": data["models"], "summary": data["summary"],
              "derived": data["derived"], "checks": data["checks"]}
    points = charts.draw_all(tables, docs / "charts")
    if interactive:
        urls = "../" + data["models"]["organization"].map(slug) + "/" + data["models"]["model_id"].map(slug) + "/"
        model_urls = pd.Series(("../models/" + urls.str.removeprefix("../")).to_numpy(), index=data["models"]["model_id"])
        specs = charts.vega_specs(tables, model_urls, claim_sizes(data["checks"], data["claims"]))
        for name, spec in specs.items():
            (docs / "charts" / charts.spec_name(name)).write_text(json.dumps(spec, separators=(",", ":"),
                                                                             allow_nan=False, default=str))
    explainers = explainer_pages(data)
    pages: dict[str, str] = {
        "index.md": home_page(data, downloads),
        "models/index.md": models_index(data),
        "sources/index.md": sources_index(data),
        "findings.md": findings_page(data),
        "charts.md": charts_page(points, interactive),
        "sql/index.md": sql_page(interactive),
        "methodology.md": methodology_page(data, repo),
        "cookbook.md": cookbook_page(data.database),
        "downloads.md": downloads_page(data, downloads),
        **{path: text for path, (_, text) in explainers.items()},
    }
    pages.update(model_pages(data))
    pages.update(source_pages(data))
    for path, text in pages.items():
        target = docs / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    nav = [{"Home": "index.md"}, {"Models": "models/index.md"}, {"Sources": "sources/index.md"},
           {"Findings": "findings.md"}, {"Charts": "charts.md"},
           {"SQL in the browser": "sql/index.md"},
           {"Explainers": [{title: path} for path, (title, _) in explainers.items()]},
           {"Methodology": "methodology.md"}, {"SQL cookbook": "cookbook.md"}, {"Downloads": "downloads.md"}]
    if extra:
        nav.append({"Project": [{title: path} for title, path in extra]})
    return nav, len(pages) + len(extra)


def mkdocs_config(repo: Path, staging: Path, nav: list) -> Path:
    """The repository's mkdocs.yml with docs_dir, site_dir and nav filled in, written into the staging folder."""
    base = yaml.safe_load((repo / "mkdocs.yml").read_text()) if (repo / "mkdocs.yml").is_file() else {}
    base = base or {}
    base.update({"docs_dir": str(staging / "docs"), "site_dir": str(staging / "site"), "nav": nav, "strict": True})
    base.setdefault("site_name", "Model Facts")
    base.setdefault("theme", {"name": "material", "font": False})
    config = staging / "mkdocs.yml"
    config.write_text(yaml.safe_dump(base, sort_keys=False, allow_unicode=True))
    return config


def run_mkdocs(config: Path) -> None:
    """`mkdocs build --strict`; raises SiteError with mkdocs' output when it fails (a warning fails it too)."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(config)],
                            cwd=config.parent, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        lines = [line for line in (result.stderr + result.stdout).splitlines() if line.strip()]
        raise SiteError("mkdocs build --strict failed:\n" + "\n".join(lines[-40:]))


def build_site(database: Path, out: Path, repo: Path = REPO) -> SiteBuild:
    """Generate the site from `database` into `out`; the old site stays until the new one is whole."""
    started = time.perf_counter()
    database, out = Path(database), Path(out)
    # safe-publish: a marked folder only, one atomic exchange, staging always removed (pipeline.outdir)
    with outdir.replacing(out, "site") as staging:
        data = load(database)
        loaded = time.perf_counter()
        nav, pages = write_docs(data, staging / "docs", repo)
        generated = time.perf_counter()
        run_mkdocs(mkdocs_config(repo, staging, nav))
        assets.vendor(repo, staging / "site")
        built = time.perf_counter()
    return SiteBuild(out, pages, len(data["models"]), len(data["sources"]),
                     {"load": loaded - started, "generate": generated - loaded, "mkdocs": built - generated,
                      "total": time.perf_counter() - started})


def site_failure(error: Exception, database: Path, out: Path) -> str:
    """One line for a failed docs run (safe-publish): full disk, unreadable database, or the SiteError."""
    if "No space left on device" in str(error) or getattr(error, "errno", None) == errno.ENOSPC:
        return f"docs: {getattr(error, 'filename2', None) or getattr(error, 'filename', None) or out}: No space left on device"
    if isinstance(error, duckdb.Error):
        return f"docs: {database_problem(database, error)}"
    if isinstance(error, OSError):
        return f"docs: {error.filename or database}: {error.strerror}"
    return f"docs: {error}"


def main(args: argparse.Namespace) -> int:
    """`modelfacts docs --db DB --out DIR`."""
    try:
        result = build_site(args.db, args.out)
    except outdir.OutputFolderError as error:  # safe-publish: refused before anything was written
        print(error.line("write the site"), file=sys.stderr)
        return 1
    except (SiteError, OSError, duckdb.Error) as error:
        print(site_failure(error, args.db, args.out), file=sys.stderr)
        print("docs: the previous site (if any) is unchanged", file=sys.stderr)
        return 1
    print(f"wrote {result.out} ({result.pages:,} pages: {result.models:,} models, {result.sources:,} sources) "
          f"in {result.seconds['total']:.1f} s")
    return 0
