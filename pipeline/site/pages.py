"""Home, downloads, charts (the explorer), the SQL page and the cookbook."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from pipeline import charts, cookbook
from pipeline import check as checks_module
from pipeline.site.common import DOWNLOAD_TABLES, HOME_DOWNLOADS, esc, frame_table
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
    """index.md: headline figures, version, statuses and verdicts, where the data comes from, downloads."""
    figures = headline(data)
    info = data.info
    cards = [("models", figures["models"]), ("claims", figures["claims"]), ("sources", figures["sources"]),
             ("inconsistent claims", figures["inconsistent"]), ("architectures counted", figures["architectures"])]
    statuses = {status: int(count) for status, count in data["claims"]["status"].value_counts().items()}
    imported = imported_sources(data)
    return render("home.md", figures=figures, cards=cards, info=info, statuses=statuses,
                  commit=str(info.get("git_commit") or ""), built=str(info.get("built_at") or "")[:10],
                  content_hash=str(info.get("content_hash") or "")[:16],
                  imported=imported.astype(object).where(imported.notna(), None).to_dict("records"),
                  downloads=[row for row in downloads if row[0] in HOME_DOWNLOADS])


def downloads_page(data: Data, downloads: list[tuple[str, int, str]]) -> str:
    """downloads.md: every file with its size and SHA-256."""
    return render("downloads.md", downloads=downloads, version=data.info.get("dataset_version", "unknown"))


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
