"""Home, downloads, charts (the explorer), the SQL page and the cookbook."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from pipeline import charts, cookbook
from pipeline import check as checks_module
from pipeline.site.common import (DOWNLOAD_TABLES, HOME_DOWNLOADS, L, badge, esc, frame_table, html_table, missing,
                                  source_url)
from pipeline.site.data import Data
from pipeline.site.render import render
from pipeline.site.sources import imported_sources

def headline(data: Data) -> dict[str, int]:
    """The figures the home page leads with."""
    claims = data["claims"]
    return {"models": len(data["models"]), "claims": len(claims), "sources": len(data["sources"]),
            "inconsistent": int((claims["verdict"] == checks_module.INCONSISTENT).sum()),
            "consistent": int((claims["verdict"] == checks_module.CONSISTENT).sum()),
            "unverifiable": int((claims["verdict"] == checks_module.UNVERIFIABLE).sum()),
            "architectures": len(data["architectures"])}


def home_page(data: Data, downloads: list[tuple[str, int, str]]) -> str:
    """index.md."""
    figures = headline(data)
    info = data.info
    status_counts = data["claims"]["status"].value_counts()
    cards = "".join(f'<div class="mf-figure"><strong>{value:,}</strong>{label}</div>' for label, value in (
        ("models", figures["models"]), ("claims", figures["claims"]), ("sources", figures["sources"]),
        ("inconsistent claims", figures["inconsistent"]), ("architectures counted", figures["architectures"])))
    commit = str(info.get("git_commit") or "")
    imported = imported_sources(data)
    origins = "; ".join(f'<a href="{source_url(sid)}">{esc(title if not missing(title) else sid)}</a> '
                        f'({esc(origin)}, {n:,} claims on {m:,} models)' for sid, title, origin, n, m in zip(
                            L(imported["source_id"]), L(imported["title"]), L(imported["origin"]),
                            L(imported["claims"]), L(imported["models"])))
    imported_note = (f"\n<p class=\"mf-imported\">Where the data comes from: curators read each source and record its "
                     f"claims by hand, except {int(imported['claims'].sum()):,} claims imported from datasets: "
                     f"{origins}. Imported claims carry their dataset as their source and are checked like the rest."
                     "</p>\n" if len(imported) else "")
    rows = "\n".join(f'<tr><td><a href="{esc(path)}">{esc(path.removeprefix("downloads/"))}</a></td>'
                     f'<td class="mf-num">{size / 1e6:,.2f} MB</td><td><code>{digest[:16]}…</code></td></tr>'
                     for path, size, digest in downloads if path in HOME_DOWNLOADS)
    return f"""# Model Facts

Model Facts is a curated, versioned dataset of **claims** about AI models: parameter counts (total and
active), training tokens, training compute and cost, GPU-hours and hardware. Each claim is one number as one
source wrote it, with the source, a locator inside that source and a **status**. The pipeline then derives exact
parameter counts from published architectures and checks every claim against them and against each other.

<div class="mf-figures">{cards}</div>

Version **{esc(info.get("dataset_version", "unknown"))}**, built {esc(str(info.get("built_at", ""))[:10])}
{f"from commit <code>{esc(commit[:12])}</code>" if commit else ""}; content hash
<code>{esc(str(info.get("content_hash", ""))[:16])}…</code>.

## Claims and statuses

A claim is a value *as written* ("70B", "~1.76 trillion", "$63-78M"), parsed into a number with the precision the
writing implies. Its status says who stands behind it:

- {badge("status", "confirmed")} the developer disclosed it (paper, model card, official blog, released config):
  {int(status_counts.get("confirmed", 0)):,} claims;
- {badge("status", "estimated")} a named party derived it with a method: {int(status_counts.get("estimated", 0)):,} claims;
- {badge("status", "rumored")} unattributed, leaked, or reported without the developer's own source:
  {int(status_counts.get("rumored", 0)):,} claims.

The checks give each claim a verdict: {badge("verdict", "consistent")} {figures["consistent"]:,},
{badge("verdict", "inconsistent")} {figures["inconsistent"]:,} (see [Findings](findings.md)) and
{badge("verdict", "unverifiable")} {figures["unverifiable"]:,} where no check had the numbers to test it.
[Methodology](methodology.md) explains each check and its thresholds. Each verdict says how far off the claim is
("off by 1.5%, too large", "3.8x too small").
{imported_note}
## Browse

- [Models](models/index.md): one page per model, with every claim, its verdict and a citation.
- [Sources](sources/index.md): what each source claims and how much of it holds up.
- [Charts](charts.md): the explorer; hover a point for its model, claim and verdict, filter by status and verdict,
  click through to the model page.
- [SQL in the browser](sql/index.md): query the whole dataset on this page, nothing to install; share a query as a link.
- Explainers: [what a parameter is](explainers/parameters.md), [total and active](explainers/total-vs-active.md),
  [embeddings](explainers/embeddings.md), [counting from the architecture](explainers/counting.md),
  [memory per precision](explainers/memory.md), [tokens per parameter](explainers/chinchilla.md).
- [SQL cookbook](cookbook.md): ten queries with their results, each one click from running in the browser.

## Download

The whole dataset as one DuckDB file, or each table as Parquet or CSV ([all files](downloads.md)).

{html_table(["file", "size", "SHA-256"], rows, numeric=(1,))}

```
duckdb downloads/modelfacts.duckdb "SELECT model_id, field, as_written, status, verdict FROM claim_verdicts LIMIT 5"
```

![Parameter counts over time](charts/params-over-time.svg){{ .mf-chart }}
"""


def downloads_page(data: Data, downloads: list[tuple[str, int, str]]) -> str:
    """downloads.md: every file with its size and SHA-256."""
    rows = "\n".join(f'<tr><td><a href="../{esc(path)}">{esc(path.removeprefix("downloads/"))}</a></td>'
                     f'<td class="mf-num">{size:,}</td><td><code>{digest}</code></td></tr>' for path, size, digest in downloads)
    return ("# Downloads\n\nEvery published table and the two views (`claim_verdicts`, `model_summary`), as Parquet "
            f"and CSV, and the DuckDB file itself; version {esc(data.info.get('dataset_version', 'unknown'))}. "
            "`SHA256SUMS` lists the same digests.\n\n" + html_table(["file", "bytes", "SHA-256"], rows, numeric=(1,)))


def charts_page(points: dict[str, int], interactive: bool) -> str:
    """charts.md: the explorer. Each chart is a Vega-Lite view of charts/<name>.vl.json with the static SVG
    as its no-script fallback (templates/charts.md)."""
    return render("charts.md", charts=[(name, title, description, points.get(name, 0), charts.spec_name(name))
                                       for name, (title, description) in charts.CHARTS.items()],
                  interactive=interactive)


def sql_page(interactive: bool) -> str:
    """sql/index.md: DuckDB-WASM over the site's Parquet downloads, the cookbook one click away."""
    recipes = [{"slug": recipe.slug, "title": recipe.title, "sql": recipe.sql} for recipe in cookbook.QUERIES]
    return render("sql.md", recipes=recipes, recipe_sql={recipe["slug"]: recipe["sql"] for recipe in recipes},
                  tables=list(DOWNLOAD_TABLES), interactive=interactive)


def cookbook_page(database: Path) -> str:
    """cookbook.md: every recipe with its SQL, a link that runs it in the browser, and its result in this build."""
    parts = ["# SQL cookbook\n", "Ten queries over the published database, with their results in this build. Run "
             "them [in the browser](sql/index.md) (each has a link below), with `modelfacts query \"...\"`, or with any "
             "DuckDB client on the [downloaded file](downloads.md).\n"]
    for recipe, result in cookbook.run_all(database):
        parts.append(f"## {recipe.title}\n\n{recipe.why}\n\n```sql\n{recipe.sql}\n```\n")
        parts.append(f'<p><a class="mf-run-sql" href="{esc(sql_link(recipe.sql, "../"))}">Run this query in the '
                     f"browser</a></p>\n")
        parts.append(f"{len(result):,} rows.\n\n" + frame_table(result, limit=15))
    return "\n".join(parts)


def sql_link(sql: str, root: str) -> str:
    """The link that opens the SQL page with `sql` in its box and runs it (root: the path to the site root)."""
    return f"{root}sql/?sql={quote(sql, safe='')}"
