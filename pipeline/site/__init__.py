"""`modelfacts docs`: the documentation site, generated from a built database.

Load (data.py): every table and view of the database in one query each (DuckDB into pandas).
Process: Markdown pages rendered from Jinja2 templates (templates/, autoescaping on) by page kind:
models.py (one page per model), sources.py (one per source, the findings), pages.py (home, explorer,
SQL page, cookbook, downloads), explainers.py (templates/explainers/), methodology.py, repo_pages.py
(docs/, CONTRIBUTING, CHANGELOG); SVG charts and Vega-Lite specs (pipeline.charts) and downloads, all
written into a staging folder beside the target; per-model and per-source rows are computed for whole tables at once.
Save (build.py): `mkdocs build --strict` in the staging folder, the npm libraries vendored in
(assets.py), then the finished site replaces the old one, so a failed build leaves the previous site.

Text that comes from data files is escaped wherever it lands (Jinja2 autoescaping; the `md` filter in
Markdown headings), printed on one line (a blank line would end a raw HTML block), and only http(s)
URLs become links.
"""
from __future__ import annotations

from pipeline import charts, cookbook, formula, scaling  # noqa: F401  (used by tests and benchmarks as site.*)
from pipeline.site.build import SiteBuild, build_site, main, run_mkdocs, write_docs, write_downloads  # noqa: F401
from pipeline.site.common import (DOWNLOAD_TABLES, GPT3_SHAPE, MEMORY_EXAMPLE_PARAMS, ROOT_PAGES, SiteError,  # noqa: F401
                                  esc, fmt_value, md, model_url, safe_url, slug, source_url)
from pipeline.site.data import Data, _bibtex, citations, load  # noqa: F401
from pipeline.site.methodology import CHECK_DESCRIPTIONS, methodology_page  # noqa: F401
from pipeline.site.repo_pages import escape_html, extra_pages, rewrite_links  # noqa: F401
from pipeline.site.words import FIELD_LABELS, check_sizes, claim_sizes, field_label, size_words  # noqa: F401
