"""`modelfacts docs`: the documentation site, generated from a built database.

Load: every table and view of the database in one query each (DuckDB into pandas).
Process: Markdown pages (home, one per model, one per source, findings, charts, explainers,
methodology, SQL cookbook), SVG charts and downloads, all written into a staging folder beside
the target; every per-model and per-source fragment is computed for whole tables at once.
Save: `mkdocs build --strict` in the staging folder, then the finished site replaces the old one,
so a failed build leaves the previous site as it was.

Text that comes from data files is escaped wherever it lands: HTML-escaped inside the raw HTML
blocks (tables, citation boxes), HTML- and Markdown-escaped in headings, and only http(s) URLs
become links. Every number on the explainer pages is computed here, by the project's own code.
"""
from __future__ import annotations

import argparse
import errno
import hashlib
import html
import json
import math
import os
import posixpath
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, urlsplit

import duckdb
import numpy as np
import pandas as pd
import yaml

from pipeline import charts, cookbook, formula, outdir, scaling
from pipeline import check as checks_module
from pipeline.fields import FIELDS
from pipeline.publish import connect_read_only, database_problem, sql_literal
from pipeline.release import spreadsheet_safe_select

REPO = Path(__file__).resolve().parent.parent
TABLES = ("models", "claims", "sources", "organizations", "architectures", "derived", "checks", "hardware")
DOWNLOAD_TABLES = TABLES + ("build_info", "claim_verdicts", "model_summary")
STATUS_RANK = checks_module.STATUS_RANK
VERDICTS = (checks_module.CONSISTENT, checks_module.INCONSISTENT, checks_module.UNVERIFIABLE)
FIELD_ORDER = {name: position for position, name in enumerate(FIELDS)}
GENERATED = {"index.md", "findings.md", "charts.md", "methodology.md", "cookbook.md", "downloads.md",
             "contributing.md", "changelog.md"}
ROOT_PAGES = (("CONTRIBUTING.md", "contributing.md", "Contributing"), ("CHANGELOG.md", "changelog.md", "Changelog"))

#: Worked examples on the explainer pages. Inputs only: every figure shown is computed from them.
DENSE_EXAMPLE = (100, 50)  # a dense layer with 100 inputs and 50 outputs
#: GPT-3 175B's shape (Brown et al. 2020, source `gpt-3-paper`: Table 2.1 gives n_layers 96 and d_model
#: 12,288; Section 2.1 the 2,048-token context and GPT-2's architecture and 50,257-token BPE vocabulary),
#: counted with the engine's GPT-2 family.
GPT3_SHAPE = {"model_type": "gpt2", "vocab_size": 50257, "n_embd": 12288, "n_layer": 96, "n_positions": 2048}
HOME_DOWNLOADS = ("downloads/modelfacts.duckdb", "downloads/parquet/claims.parquet", "downloads/csv/claims.csv",
                  "downloads/csv/claim_verdicts.csv", "downloads/csv/models.csv", "downloads/csv/sources.csv")
MEMORY_EXAMPLE_PARAMS = 70e9  # "a 70B model"
EXAMPLE_MODEL = "llama-2-70b"  # the running example: its architecture and claims come from the database
MOE_EXAMPLE = "mixtral-8x7b"

CSS = """
.mf-badge { display: inline-block; padding: 0 .45em; border-radius: .3em; font-size: .85em; font-weight: 600;
  line-height: 1.5; white-space: nowrap; border: 1px solid transparent; }
.mf-status-confirmed { background: #e3f0fb; color: #0b4f8a; border-color: #9cc3e6; }
.mf-status-estimated { background: #fff2df; color: #8a4b00; border-color: #f0c080; }
.mf-status-rumored { background: #fbe5e6; color: #8a1020; border-color: #eba3aa; }
.mf-status-formula { background: #e8e8f8; color: #2c2c7a; border-color: #b4b4e0; }
.mf-verdict-consistent { background: #e2f4e4; color: #1b5e20; border-color: #9fd3a5; }
.mf-verdict-inconsistent { background: #d32f2f; color: #ffffff; }
.mf-verdict-unverifiable { background: #eeeeee; color: #555555; border-color: #cccccc; }
.mf-meta { color: var(--md-default-fg-color--light); }
.mf-figures { display: flex; flex-wrap: wrap; gap: .8rem; margin: 1em 0; }
.mf-figure { border: 1px solid var(--md-default-fg-color--lightest); border-radius: .4em; padding: .5em 1em; min-width: 8em; }
.mf-figure strong { display: block; font-size: 1.6em; }
.md-grid { max-width: 76rem; }
.md-typeset .mf-table code { word-break: normal; overflow-wrap: break-word; }
.md-typeset .mf-table td { vertical-align: top; }
.md-typeset .mf-table small { color: var(--md-default-fg-color--light); }
.md-typeset pre.mf-cite { white-space: pre-wrap; font-size: .7rem; padding: .6em; background: var(--md-code-bg-color); }
.md-typeset .mf-num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.md-typeset img.mf-chart { width: 100%; max-width: 56rem; background: #ffffff; }
"""


class SiteError(RuntimeError):
    """The site cannot be built (no database, a missing table, or mkdocs failed); the old site is untouched."""


# ----------------------------------------------------------------------------------------------- escaping

def missing(value) -> bool:
    """None, NaN, NA and NaT alike."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def esc(value) -> str:
    """Text for HTML: escaped, one line, empty for missing values."""
    if type(value) is not str:
        if missing(value):
            return ""
        value = str(value)
    return html.escape(" ".join(value.split()), quote=True)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!])")  # Python-Markdown's escapable characters


def md(value) -> str:
    """Text for Markdown (headings): HTML-escaped (no quotes: they are not special there), then every character
    Markdown treats as syntax backslash-escaped."""
    text = "" if missing(value) else html.escape(" ".join(str(value).split()), quote=False)
    return _MD_SPECIAL.sub(r"\\\1", text)


def safe_url(value) -> str | None:
    """An http(s) URL with a host, escaped for an attribute; anything else (javascript:, data:, ...) is None."""
    if missing(value):
        return None
    text = str(value).strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c in text for c in " \n\r\t<>\"'`"):
        return None
    return html.escape(text, quote=True)


def external(value, label: str = "↗") -> str:
    """A link out of the site when the URL is safe, else nothing."""
    url = safe_url(value)
    return f'<a href="{url}" rel="nofollow noopener" title="{url}">{label}</a>' if url else ""


def slug(value) -> str:
    """A path segment from an id: lowercase letters, digits, dots, dashes and underscores only."""
    text = re.sub(r"[^a-z0-9._-]+", "-", str(value).lower()).strip("-.")
    return text or "item"


def anchor(value) -> str:
    """An id attribute value for a claim (escaped)."""
    return esc(value)


def fragment(value) -> str:
    """A URL fragment pointing at an anchor made by `anchor`."""
    return quote(str(value), safe="-._~")


def yaml_title(text: str, wide: bool = False) -> str:
    """Front matter for a page whose title comes from data: escaped for the HTML title and quoted for YAML;
    a wide page hides the navigation sidebar to give its tables room."""
    return "---\ntitle: " + json.dumps(esc(text)) + ("\nhide:\n  - navigation" if wide else "") + "\n---\n\n"


def E(values) -> list[str]:
    """`esc` over a column (a list: the fragments are built with zip)."""
    return [esc(value) for value in L(values)]


def L(values) -> list:
    """A column as a Python list (iterating Arrow-backed pandas columns item by item is slow)."""
    return values.tolist() if hasattr(values, "tolist") else list(values)


# ----------------------------------------------------------------------------------------------- numbers

_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_SCALES = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))


def sci(value: float, digits: int = 3) -> str:
    """3.14 × 10²³."""
    if missing(value):
        return "—"
    if value == 0:
        return "0"
    exponent = int(math.floor(math.log10(abs(value))))
    mantissa = float(f"{value / 10 ** exponent:.{digits}g}")
    if abs(mantissa) >= 10:
        mantissa, exponent = mantissa / 10, exponent + 1
    return f"{mantissa:g} × 10{str(exponent).translate(_SUPERSCRIPT)}"


def full(value: float) -> str:
    """Whole numbers with separators (68,976,648,192); others to two decimals; huge ones in powers of ten."""
    if missing(value):
        return "—"
    if not math.isfinite(value):
        return "∞" if value > 0 else "−∞"
    if abs(value) >= 1e18:
        return sci(value)
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def table_number(value: float) -> str:
    """A number in a query result: whole numbers with separators, fractions to a useful precision."""
    if missing(value):
        return ""
    value = float(value)
    if not math.isfinite(value) or abs(value) >= 1e15:
        return full(value)
    if value.is_integer():
        return f"{int(value):,}"
    if abs(value) >= 1:
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:.3g}"


def short(value: float) -> str:
    """68.98 billion."""
    if missing(value):
        return "—"
    if abs(value) >= 1e15:
        return sci(value)
    for scale, word in _SCALES:
        if abs(value) >= scale:
            return f"{value / scale:.4g} {word}"
    return full(value)


def fmt_value(value: float, field_name: str) -> str:
    """A value in its field's unit, for people."""
    if missing(value):
        return "—"
    unit = FIELDS[field_name].unit if field_name in FIELDS else ""
    if unit == "parameters":
        return f"{full(value)} ({short(value)})" if abs(value) >= 1e6 else full(value)
    if unit in ("tokens", "images") and field_name != "context_length":
        return f"{short(value)} {unit}"
    if unit == "FLOP":
        return f"{sci(value)} FLOP"
    if unit == "USD":
        return "$" + short(value)
    if unit == "GB":
        return f"{value:,.1f} GB"
    return f"{full(value)} {unit}".strip()


def fmt_date(value, precision=None) -> str:
    """A date at the precision the source gave: 2023, 2023-07, 2023-07-18, or 'undated'."""
    if precision == "undated" or missing(value):
        return "undated"
    stamp = pd.Timestamp(value)
    if precision == "year":
        return f"{stamp.year}"
    if precision == "month":
        return f"{stamp.year}-{stamp.month:02d}"
    return stamp.strftime("%Y-%m-%d")


def field_label(name: str) -> str:
    """params_total -> 'params total'."""
    return str(name).replace("_", " ")


@lru_cache(maxsize=1024)
def badge(kind: str, value) -> str:
    """A status, basis or verdict badge."""
    return f'<span class="mf-badge mf-{kind}-{slug(value)}">{esc(value)}</span>' if not missing(value) else ""


NUM = ' class="mf-num"'


def claim_ref(claim_id, label=None) -> str:
    """A link to a claim's row on the same model page."""
    return f'<a href="#claim-{fragment(claim_id)}" title="{esc(claim_id)}">{esc(label or claim_id)}</a>'


def html_table(headers: list[str], rows: str, wrapper: str = "", numeric: tuple[int, ...] = (), search: bool = True) -> str:
    """A raw HTML table inside a div (Material styles tables without a class)."""
    head = "".join(f"<th{NUM if i in numeric else ''}>{h}</th>" for i, h in enumerate(headers))
    exclude = "" if search else " data-search-exclude"
    return (f'<div class="mf-table {wrapper}"{exclude}>\n<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n'
            f'</tbody>\n</table>\n</div>\n')


def frame_table(frame: pd.DataFrame, limit: int | None = None) -> str:
    """Any result frame as an escaped HTML table (numbers right-aligned, whole numbers with separators)."""
    shown = frame if limit is None else frame.head(limit)
    numeric = tuple(i for i, column in enumerate(shown.columns) if pd.api.types.is_numeric_dtype(shown[column])
                    and not pd.api.types.is_bool_dtype(shown[column]))
    columns = []
    for i, column in enumerate(shown.columns):
        values = shown[column]
        columns.append(values.map(table_number) if i in numeric else E(values))
    rows = "\n".join("<tr>" + "".join(f"<td{NUM if i in numeric else ''}>{cell}</td>"
                                      for i, cell in enumerate(cells)) + "</tr>"
                     for cells in zip(*columns)) if len(shown) else ""
    text = html_table([esc(c) for c in shown.columns], rows, numeric=numeric)
    if limit is not None and len(frame) > limit:
        text += f"\n<p><small>… and {len(frame) - limit:,} more rows.</small></p>\n"
    if frame.empty:
        text += "\n<p><small>(no rows in this build)</small></p>\n"
    return text


# ----------------------------------------------------------------------------------------------- load

@dataclass
class Data:
    """The database, as pandas tables."""

    tables: dict[str, pd.DataFrame]
    info: dict
    database: Path

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]


def load(database: Path) -> Data:
    """Every table and view the site needs, one query each."""
    if not Path(database).exists():
        raise SiteError(f"{database}: no database; run `modelfacts build` first")
    with connect_read_only(database) as connection:  # safe-publish: DuckDB's sandbox
        present = {row[0] for row in connection.execute(
            "SELECT table_name FROM information_schema.tables").fetchall()}
        needed = {"models", "claims", "sources", "derived", "checks", "build_info", "claim_verdicts", "model_summary"}
        if needed - present:
            raise SiteError(f"{database}: missing {', '.join(sorted(needed - present))}; rebuild with `modelfacts build`")
        tables = {name: connection.execute(f'SELECT * FROM "{name}"').fetchdf() for name in TABLES if name in present}
        tables["claims"] = connection.execute("""
            SELECT c.*, v.verdict, v.detail AS verdict_detail, v.checks_run
            FROM claims c LEFT JOIN claim_verdicts v USING (claim_id)""").fetchdf()
        tables["summary"] = connection.execute("SELECT * FROM model_summary").fetchdf()
        info_rows = connection.execute("SELECT * FROM build_info").fetchdf()
    for name, columns in {"organizations": ["organization_id", "name", "url"],
                          "architectures": ["model_id", "source_id", "hf_config", "overrides", "note", "file"],
                          "hardware": ["hardware_id", "name"]}.items():
        tables.setdefault(name, pd.DataFrame(columns=columns))
    organizations = tables["organizations"].set_index("organization_id")["name"]
    models = tables["models"]
    models["organization_name"] = models["organization"].map(organizations).fillna(models["organization"])
    tables["models"] = models.sort_values(["organization", "model_id"], kind="stable").reset_index(drop=True)
    claims = tables["claims"]
    claims["verdict"] = claims["verdict"].fillna(checks_module.UNVERIFIABLE)
    claims["status_rank"] = claims["status"].map(STATUS_RANK).fillna(9)
    claims["field_rank"] = claims["field"].map(FIELD_ORDER).fillna(len(FIELD_ORDER))
    tables["claims"] = claims.sort_values(["model_id", "field_rank", "status_rank", "claim_id"],
                                          kind="stable").reset_index(drop=True)
    info = info_rows.iloc[0].to_dict() if len(info_rows) else {}
    return Data(tables, info, Path(database))


# ----------------------------------------------------------------------------------------------- paths

def model_url(organization, model_id) -> str:
    """A model page's URL, relative to the site root."""
    return f"models/{slug(organization)}/{slug(model_id)}/"


def source_url(source_id) -> str:
    """A source page's URL, relative to the site root."""
    return f"sources/{slug(source_id)}/"


# ----------------------------------------------------------------------------------------------- citations

_BIBTEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "#": r"\#", "$": r"\$",
                   "_": r"\_", "^": r"\^{}", "~": r"\~{}"}
_BIBTEX_PATTERN = re.compile("|".join(re.escape(char) for char in _BIBTEX_SPECIAL))


def _bibtex(text: str) -> str:
    """Text safe inside a BibTeX braced field (LaTeX specials escaped in one pass)."""
    return _BIBTEX_PATTERN.sub(lambda match: _BIBTEX_SPECIAL[match.group(0)], " ".join(str(text).split()))


def citations(claims: pd.DataFrame, sources: pd.DataFrame, info: dict) -> pd.DataFrame:
    """Plain-text and BibTeX citations for every claim (columns: text, bibtex), vectorized over the claims."""
    version = str(info.get("dataset_version", "unknown"))
    built = str(info.get("built_at", ""))[:10]
    year = built[:4] or "n.d."
    frame = claims[["claim_id", "field", "as_written", "status", "source_id", "locator"]].merge(
        sources[["source_id", "title", "publisher", "authors", "published", "published_precision", "url"]],
        on="source_id", how="left")
    who = frame["authors"].where(frame["authors"].notna() & (frame["authors"].astype(str) != ""), frame["publisher"])
    who = who.fillna("unknown").astype(str)
    when = [fmt_date(value, precision) for value, precision in zip(frame["published"], frame["published_precision"])]
    title = frame["title"].fillna(frame["source_id"]).astype(str)
    locator = frame["locator"].fillna("").astype(str)
    url = frame["url"].map(lambda u: str(u) if safe_url(u) else "")
    origin = who + ", \u201c" + title + "\u201d (" + pd.Series(when, index=frame.index) + ")"
    origin = origin + locator.map(lambda text: f", {text}" if text else "") + url.map(lambda u: f", {u}" if u else "")
    text = ("Model Facts dataset, version " + version + ", claim " + frame["claim_id"] + ": "
            + frame["field"] + " \u201c" + frame["as_written"].astype(str) + "\u201d (" + frame["status"]
            + "). Original source: " + origin + ". Retrieved " + built + ".")
    key = "modelfacts:" + frame["claim_id"].str.replace(r"[^A-Za-z0-9:._-]", "-", regex=True)
    note = ("Claim " + frame["claim_id"].map(_bibtex) + "; " + frame["field"].map(_bibtex) + " as written: "
            + frame["as_written"].astype(str).map(_bibtex) + "; status: " + frame["status"].map(_bibtex)
            + "; original source: " + origin.map(_bibtex))
    bibtex = ("@misc{" + key + ",\n  title        = {Model Facts: " + frame["claim_id"].map(_bibtex) + "},\n"
              "  author       = {{Model Facts contributors}},\n  year         = {" + year + "},\n"
              "  version      = {" + _bibtex(version) + "},\n  note         = {" + note + "},\n"
              "  howpublished = {Model Facts dataset, version " + _bibtex(version) + "}\n}")
    return pd.DataFrame({"claim_id": frame["claim_id"], "text": text, "bibtex": bibtex})


# ----------------------------------------------------------------------------------------------- model pages

def _group_join(keys, html_rows: list[str], separator: str = "\n") -> dict[str, str]:
    """HTML fragments joined per key, in their order (one pass over the table)."""
    groups: dict[str, list[str]] = {}
    for key, row in zip(L(keys), html_rows):
        groups.setdefault(key, []).append(row)
    return {key: separator.join(rows) for key, rows in groups.items()}


@lru_cache(maxsize=4096)
def _explain(config_json: str, overrides_json: str) -> tuple:
    """formula.explain for one architecture (identical architectures are explained once)."""
    parts = formula.explain(json.loads(config_json), json.loads(overrides_json or "{}"))
    return tuple((part["part"], part["formula"], part["arithmetic"], part["value"]) for part in parts)


def _source_link(root: str, source_id, title, url) -> str:
    return (f'<a href="{root}{source_url(source_id)}">{esc(title if not missing(title) else source_id)}</a>'
            + (" " + external(url) if safe_url(url) else ""))


CHECK_MARK = {checks_module.CONSISTENT: "✓", checks_module.INCONSISTENT: "✗", checks_module.UNVERIFIABLE: "–"}


def claim_fragments(data: Data) -> dict[str, dict]:
    """Per model: claim rows (each with every check's one-sentence result), citation boxes and verdict counts,
    each computed table-wide. Few tags per claim: mkdocs' time goes into parsing them."""
    root = "../../../"
    claims = data["claims"]
    sources = data["sources"]
    links = {sid: _source_link(root, sid, title, url)
             for sid, title, url in zip(L(sources["source_id"]), L(sources["title"]), L(sources["url"]))}
    cites = citations(claims, sources, data.info)
    checks = data["checks"].sort_values(["claim_id", "check"], kind="stable")
    results = _group_join(checks["claim_id"], [f"{CHECK_MARK.get(v, '?')} {esc(name)}: {esc(d)}" for name, v, d in zip(
        L(checks["check"]), L(checks["verdict"]), L(checks["detail"]))], "<br>")
    ids = L(claims["claim_id"])
    anchors = [anchor(i) for i in ids]
    note = E(claims["note"])
    attributed = E(claims["attributed_to"]) if "attributed_to" in claims else [""] * len(claims)
    # a claim about one part (or a system of several models) says so under its field
    part = [("system: several models" if c == "system" else "part: " + c.replace("_", " ")) if c else ""
            for c in (E(claims["component"]) if "component" in claims else [""] * len(claims))]
    rows = [
        f'<tr id="claim-{a}" title="{a}"><td>{esc(field_label(f))}{"<br><small>" + p + "</small>" if p else ""}</td>'
        f'<td>{w}{"<br><small>" + n + "</small>" if n else ""}</td><td>{badge("status", s)}</td>'
        f'<td>{links.get(sid) or esc(sid)}<br><small>{loc}{"; attributed to " + at if at else ""}</small></td>'
        f'<td>{badge("verdict", v)} <a href="#cite-{fragment(cid)}">cite</a><br>'
        f'<small>{results.get(cid, "no check could test this claim")}</small></td></tr>'
        for a, cid, f, p, w, n, s, sid, loc, at, v in zip(
            anchors, ids, L(claims["field"]), part, E(claims["as_written"]), note, L(claims["status"]),
            L(claims["source_id"]), E(claims["locator"]), attributed, L(claims["verdict"]))
    ]
    cite_rows = [
        f'<details class="mf-cite-box" id="cite-{a}"><summary>Cite {a}</summary><pre class="mf-cite">'
        f'{esc_multiline(text)}\n\n{esc_multiline(bib)}</pre></details>'
        for a, text, bib in zip(anchors, L(cites["text"]), L(cites["bibtex"]))
    ]
    counts = pd.crosstab(claims["model_id"], claims["verdict"]).reindex(columns=list(VERDICTS), fill_value=0)
    n_sources = claims.groupby("model_id")["source_id"].nunique()
    return {"claims": _group_join(claims["model_id"], rows), "cites": _group_join(claims["model_id"], cite_rows),
            "counts": counts.to_dict("index"), "sources": n_sources.to_dict()}


def esc_multiline(text: str) -> str:
    """Escaped text that keeps its line breaks (inside <pre>); blank lines are dropped so the HTML block holds."""
    return "\n".join(html.escape(line) for line in str(text).splitlines() if line.strip())


def fact_fragments(data: Data) -> dict[str, str]:
    """Per model: the facts table rows (best-supported value per field, plus the best text claim per text field)."""
    summary = data["summary"].copy()
    summary["field_rank"] = summary["field"].map(FIELD_ORDER).fillna(len(FIELD_ORDER))
    claims = data["claims"]
    texts = claims[claims["precision"] == "text"]
    per_field = texts.groupby(["model_id", "field"]).size()
    texts = texts.drop_duplicates(["model_id", "field"])  # claims are sorted by status: the strongest comes first
    texts = pd.DataFrame({"model_id": texts["model_id"], "field": texts["field"], "best_value": np.nan,
                          "text": texts["as_written"], "basis": texts["status"], "best_claim_id": texts["claim_id"],
                          "claims": per_field.reindex(pd.MultiIndex.from_arrays([texts["model_id"], texts["field"]])).to_numpy(),
                          "disagreeing": np.nan, "field_rank": texts["field_rank"]})
    facts = pd.concat([summary.assign(text=None), texts], ignore_index=True) if len(texts) else summary.assign(text=None)
    facts = facts.sort_values(["model_id", "field_rank", "field"], kind="stable")
    source_of = dict(zip(L(claims["claim_id"]), L(claims["source_id"])))
    labels = {name: (esc(FIELDS[name].description) if name in FIELDS else "", esc(field_label(name)))
              for name in facts["field"].unique()}
    rows = [
        f'<tr><td title="{labels[f][0]}">{labels[f][1]}</td>'
        f'<td class="mf-num">{esc(t) if not missing(t) else esc(fmt_value(v, f))}</td><td>{badge("status", b)}</td>'
        f"<td>{claim_ref(c, source_of.get(c, c)) if not missing(c) else 'the architecture'}</td>"
        f'<td class="mf-num">{"" if missing(n) else int(n)}</td><td class="mf-num">{"" if missing(x) else int(x)}</td></tr>'
        for f, v, t, b, c, n, x in zip(L(facts["field"]), L(facts["best_value"]), L(facts["text"]), L(facts["basis"]),
                                       L(facts["best_claim_id"]), L(facts["claims"]), L(facts["disagreeing"]))
    ]
    return _group_join(facts["model_id"], rows)


def formula_fragments(data: Data) -> dict[str, str]:
    """Per model with an architecture: the engine's breakdown (formula.explain) and the derived totals."""
    architectures = data["architectures"]
    if architectures.empty:
        return {}
    derived = data["derived"].pivot_table(index="model_id", columns="quantity", values="value",
                                          aggfunc="first").to_dict("index")
    sources = data["sources"].set_index("source_id")["title"]
    out = {}
    for model_id, source_id, config, overrides, note in zip(
            L(architectures["model_id"]), L(architectures["source_id"]), L(architectures["hf_config"]),
            L(architectures["overrides"]), L(architectures["note"])):
        link = _source_link("../../../", source_id, sources.get(source_id, source_id), None)
        head = f"<p>Architecture from {link}"
        if not missing(overrides) and overrides not in ("{}", ""):
            head += f", with overrides <code>{esc(overrides)}</code>"
        head += ".</p>\n" + (f"<p><small>{esc(note)}</small></p>\n" if not missing(note) else "")
        try:
            parts = _explain(str(config), str(overrides) if not missing(overrides) else "{}")
        except (formula.ConfigError, ValueError, TypeError) as error:
            out[model_id] = head + f"<p>The formula engine cannot count this architecture: {esc(error)}</p>\n"
            continue
        model_type = json.loads(str(config)).get("model_type", "?")
        rows = "\n".join(f'<tr><td>{esc(part)}</td><td><code>{esc(expr)}</code></td><td><code>{esc(arith)}</code></td>'
                         f'<td class="mf-num">{value:,}</td></tr>' for part, expr, arith, value in parts)
        row = derived.get(model_id, {})
        totals = []
        for quantity, label in (("params_total_formula", "total"), ("params_active_formula", "active per token"),
                                ("params_embedding_formula", "embedding"),
                                ("params_non_embedding_formula", "non-embedding")):
            value = row.get(quantity, np.nan)
            if quantity == "params_active_formula" and value == row.get("params_total_formula", np.nan):
                continue
            if not missing(value):
                totals.append(f'<tr><td><strong>{label}</strong></td><td colspan="2"></td>'
                              f'<td class="mf-num"><strong>{full(value)}</strong></td></tr>')
        out[model_id] = (head + f"<p>Family <code>{esc(model_type)}</code>, counted as "
                         f"{esc(formula.FAMILY_CLASSES.get(model_type, model_type))} would build it.</p>\n"
                         + html_table(["part", "formula", "with this config's numbers", "parameters"],
                                      rows + "\n" + "\n".join(totals), numeric=(3,)))
    return out


def training_fragments(data: Data) -> dict[str, str]:
    """Per model: its Chinchilla position from the derived table (tokens per parameter, compute-optimal N and D)."""
    derived = data["derived"].pivot_table(index="model_id", columns="quantity", values="value", aggfunc="first")
    summary = data["summary"].pivot_table(index="model_id", columns="field", values="best_value", aggfunc="first")
    if "tokens_per_param" not in derived.columns and "training_compute_used" not in derived.columns:
        return {}
    get = lambda frame, column: frame[column] if column in frame.columns else pd.Series(np.nan, index=frame.index)  # noqa: E731
    frame = pd.DataFrame({"ratio": get(derived, "tokens_per_param"), "optimal_tokens": get(derived, "chinchilla_optimal_tokens"),
                          "n_opt": get(derived, "compute_optimal_params"), "d_opt": get(derived, "compute_optimal_tokens"),
                          "n_opt_h": get(derived, "compute_optimal_params_hoffmann"),
                          "compute": get(derived, "training_compute_used")})
    frame = frame.join(pd.DataFrame({"tokens": get(summary, "training_tokens"), "active": get(summary, "params_active"),
                                     "total": get(summary, "params_total"),
                                     "claimed_compute": get(summary, "training_compute_flop")}), how="left")
    rule = scaling.TOKENS_PER_PARAM_RULE
    low, high = rule * checks_module.CHINCHILLA_BAND[0], rule * checks_module.CHINCHILLA_BAND[1]
    out = {}
    for model_id, r in frame.to_dict("index").items():
        lines = []
        sparse = not missing(r["active"]) and not missing(r["total"]) and r["active"] < r["total"]
        params = r["active"] if not missing(r["active"]) else r["total"]
        kind = "active parameters" if sparse else "parameters"
        if not missing(r["ratio"]):
            label = ("near compute-optimal" if low <= r["ratio"] <= high else
                     f"under-trained by {rule / r['ratio']:.1f}x" if r["ratio"] < low else
                     f"over-trained by {r['ratio'] / rule:.1f}x")
            lines.append(f"<li>{short(r['tokens'])} training tokens on {short(params)} {kind}: "
                         f"<strong>{r['ratio']:.1f} tokens per parameter</strong>, {label} against the "
                         f"{rule:g}:1 rule (the checks call {low:g}-{high:g} near optimal).</li>")
        if not missing(r["optimal_tokens"]):
            lines.append(f"<li>At {rule:g} tokens per parameter, a model of this size would be trained on "
                         f"{short(r['optimal_tokens'])} tokens.</li>")
        if not missing(r["compute"]):
            basis = "as claimed" if not missing(r["claimed_compute"]) else "estimated as 6·N·D"
            lines.append(f"<li>Training compute {sci(r['compute'])} FLOP ({basis}) would be spent compute-optimally on "
                         f"{short(r['n_opt'])} parameters and {short(r['d_opt'])} tokens under the "
                         f"{esc(scaling.BESIROGLU_2024.name)} fit ({short(r['n_opt_h'])} parameters under "
                         f"{esc(scaling.HOFFMANN_2022.name)}).</li>")
        if lines:
            out[model_id] = "<ul>\n" + "\n".join(lines) + "\n</ul>\n"
    return out


CLAIM_HEADERS = ["field", "value as written", "status", "source and locator", "verdict and checks"]


def model_pages(data: Data) -> dict[str, str]:
    """One page per model at models/<organization>/<model-id>.md."""
    claims = claim_fragments(data)
    facts = fact_fragments(data)
    formulas = formula_fragments(data)
    training = training_fragments(data)
    pages = {}
    models = data["models"]
    for m in models.itertuples(index=False):
        model_id = m.model_id
        counts = claims["counts"].get(model_id, dict.fromkeys(VERDICTS, 0))
        n_claims = int(sum(counts.values()))
        meta = [f"Organization: <strong>{esc(m.organization_name)}</strong>",
                f"released {esc(fmt_date(m.released, getattr(m, 'released_precision', None)))}",
                f"domain {esc(m.domain)}", "open weights" if m.open_weights is True else "closed weights"]
        if not missing(getattr(m, "family", None)):
            meta.append(f"family {esc(m.family)}")
        if not missing(getattr(m, "aliases", None)):
            meta.append(f"also called {esc(m.aliases)}")
        parts = [yaml_title(m.name, wide=True), f"# {md(m.name)}\n",
                 f'<p class="mf-meta">{" · ".join(meta)} · id <code>{esc(model_id)}</code></p>\n']
        if not missing(getattr(m, "description", None)):
            parts.append(f"<p>{esc(m.description)}</p>\n")
        parts.append(f"<p>{n_claims} claims from {int(claims['sources'].get(model_id, 0))} sources: "
                     + ", ".join(f"{int(counts[v])} {badge('verdict', v)}" for v in VERDICTS) + ".</p>\n")
        parts.append("## Facts\n\nThe best-supported value of each field: the count derived from the published "
                     "architecture where there is one, else the strongest claim (confirmed, then estimated, then "
                     "rumored; the most precise first).\n")
        if model_id in facts:
            parts.append(html_table(["field", "best value", "basis", "from", "claims", "disagree"], facts[model_id],
                                    "mf-facts", numeric=(1, 4, 5)))
        else:
            parts.append("<p>No numeric claim.</p>\n")
        parts.append("## Claims\n\nEvery claim as its source wrote it. Its verdict is the worst of the checks that "
                     "tested it (✓ consistent, ✗ inconsistent, – could not be tested); each check says why.\n")
        if model_id in claims["claims"]:
            parts.append(html_table(CLAIM_HEADERS, claims["claims"][model_id], "mf-claims"))
        else:
            parts.append("<p>No claims.</p>\n")
        if model_id in formulas:
            parts.append("## Parameter count from the architecture\n\n" + formulas[model_id])
        if model_id in training:
            parts.append("## Chinchilla position\n\n" + training[model_id])
        if model_id in claims["cites"]:
            parts.append("## Cite these claims\n\nClaim IDs never change when other claims change; cite the claim "
                         "and its original source.\n\n<div data-search-exclude>\n" + claims["cites"][model_id]
                         + "\n</div>\n")
        pages[f"models/{slug(m.organization)}/{slug(model_id)}.md"] = "\n".join(parts)
    return pages


def models_index(data: Data) -> str:
    """models/index.md: every model, grouped by organization."""
    models = data["models"]
    summary = data["summary"]
    params = summary[summary["field"] == "params_total"].set_index("model_id")["best_value"]
    claims = data["claims"]
    n_claims = claims.groupby("model_id").size()
    bad = claims[claims["verdict"] == checks_module.INCONSISTENT].groupby("model_id").size()
    parts = ["# Models\n", f"{len(models):,} models, by organization. Parameter counts are the best-supported "
             "value (formula-derived where the architecture is published).\n"]
    for organization, group in models.groupby("organization", sort=True):
        rows = "\n".join(
            f'<tr><td><a href="../{model_url(org, mid)}">{esc(name)}</a></td><td>{esc(fmt_date(rel, prec))}</td>'
            f'<td>{esc(dom)}</td><td class="mf-num">{esc(short(params.get(mid, np.nan)))}</td>'
            f'<td class="mf-num">{int(n_claims.get(mid, 0))}</td><td class="mf-num">{int(bad.get(mid, 0))}</td></tr>'
            for org, mid, name, rel, prec, dom in zip(group["organization"], group["model_id"], group["name"],
                                                      group["released"], group.get("released_precision", [None] * len(group)),
                                                      group["domain"]))
        parts.append(f"## {md(group['organization_name'].iloc[0])}\n")
        parts.append(html_table(["model", "released", "domain", "parameters", "claims", "inconsistent"], rows,
                                numeric=(3, 4, 5), search=False))
    return "\n".join(parts)


# ----------------------------------------------------------------------------------------------- sources

def source_pages(data: Data) -> dict[str, str]:
    """One page per source: what it claims and how many of its claims hold up."""
    root = "../../"
    sources = data["sources"]
    claims = data["claims"].merge(data["models"][["model_id", "name", "organization"]], on="model_id", how="left")
    claims = claims.sort_values(["source_id", "model_id", "field_rank", "claim_id"], kind="stable")
    rows = [
        f'<tr><td><a href="{root}{model_url(org, mid)}#claim-{fragment(cid)}">{esc(name if not missing(name) else mid)}</a></td>'
        f'<td>{esc(field_label(f))}</td><td>{esc(w)}</td><td>{badge("status", s)}</td><td>{badge("verdict", v)}'
        f'<br><small>{esc(d)}</small></td><td><small>{esc(loc)}</small></td></tr>'
        for org, mid, cid, name, f, w, s, v, d, loc in zip(
            L(claims["organization"]), L(claims["model_id"]), L(claims["claim_id"]), L(claims["name"]), L(claims["field"]),
            L(claims["as_written"]), L(claims["status"]), L(claims["verdict"]), L(claims["verdict_detail"]),
            L(claims["locator"]))
    ]
    by_source = _group_join(claims["source_id"], rows)
    counts = pd.crosstab(claims["source_id"], claims["verdict"]).reindex(columns=list(VERDICTS), fill_value=0)
    counts = counts.to_dict("index")
    architectures = data["architectures"].groupby("source_id")["model_id"].agg(list).to_dict() \
        if len(data["architectures"]) else {}
    model_org = data["models"].set_index("model_id")["organization"].to_dict()
    pages = {}
    for s in sources.itertuples(index=False):
        sid = s.source_id
        c = counts.get(sid, dict.fromkeys(VERDICTS, 0))
        total = int(sum(c.values()))
        tested = int(c[checks_module.CONSISTENT] + c[checks_module.INCONSISTENT])
        who = s.authors if not missing(getattr(s, "authors", None)) else s.publisher
        facts = [f"by {esc(who)}" if not missing(who) else "", f"published {esc(fmt_date(s.published, getattr(s, 'published_precision', None)))}",
                 f"kind {esc(s.kind)}"]
        if not missing(getattr(s, "publisher", None)) and not missing(getattr(s, "authors", None)):
            facts.insert(1, f"publisher {esc(s.publisher)}")
        parts = [yaml_title(s.title if not missing(s.title) else sid, wide=True), f"# {md(s.title if not missing(s.title) else sid)}\n",
                 f'<p class="mf-meta">{" · ".join(f for f in facts if f)} · id <code>{esc(sid)}</code></p>\n']
        links = []
        if safe_url(s.url):
            links.append(f'<a href="{safe_url(s.url)}" rel="nofollow noopener">{esc(s.url)}</a>')
        elif not missing(s.url):
            links.append(f"<code>{esc(s.url)}</code> (not an http(s) link)")
        if not missing(getattr(s, "arxiv", None)):
            arxiv = str(s.arxiv)
            links.append(f'<a href="https://arxiv.org/abs/{quote(arxiv)}" rel="nofollow noopener">arXiv:{esc(arxiv)}</a>'
                         if re.fullmatch(r"[0-9]{4}\.[0-9]{4,5}(v[0-9]+)?", arxiv) else f"arXiv {esc(arxiv)}")
        if not missing(getattr(s, "repository", None)):
            links.append(f"repository <code>{esc(s.repository)}</code>"
                         + (f", file <code>{esc(s.path)}</code>" if not missing(getattr(s, "path", None)) else ""))
        if links:
            parts.append("<p>" + " · ".join(links) + "</p>\n")
        if not missing(getattr(s, "note", None)):
            parts.append(f"<p><small>{esc(s.note)}</small></p>\n")
        share = f"{c[checks_module.CONSISTENT] / tested:.0%}" if tested else "none"
        parts.append("## How its claims hold up\n")
        parts.append(f"<p>{total} claims. Of the {tested} the checks could test, {int(c[checks_module.CONSISTENT])} "
                     f"are consistent and {int(c[checks_module.INCONSISTENT])} inconsistent ({share} hold up); "
                     f"{int(c[checks_module.UNVERIFIABLE])} could not be tested.</p>\n")
        if sid in architectures:
            arch = ", ".join(f'<a href="{root}{model_url(model_org.get(mid, "unknown"), mid)}">{esc(mid)}</a>'
                             for mid in architectures[sid])
            parts.append(f"<p>Architecture (config) for: {arch}.</p>\n")
        if sid in by_source:
            parts.append("## Claims\n")
            parts.append(html_table(["model", "field", "as written", "status", "verdict", "locator"], by_source[sid]))
        pages[f"sources/{slug(sid)}.md"] = "\n".join(parts)
    return pages


def sources_index(data: Data) -> str:
    """sources/index.md: every source with its claims and how many hold up."""
    sources = data["sources"].sort_values(["title", "source_id"], kind="stable")
    claims = data["claims"]
    counts = pd.crosstab(claims["source_id"], claims["verdict"]).reindex(columns=list(VERDICTS), fill_value=0)
    counts = counts.reindex(sources["source_id"], fill_value=0)
    tested = counts[checks_module.CONSISTENT] + counts[checks_module.INCONSISTENT]
    share = (counts[checks_module.CONSISTENT] / tested.where(tested > 0)).map(
        lambda x: "—" if missing(x) else f"{x:.0%}")
    rows = "\n".join(
        f'<tr><td><a href="../{source_url(sid)}">{esc(title if not missing(title) else sid)}</a></td><td>{esc(kind)}</td>'
        f'<td>{esc(fmt_date(pub, prec))}</td><td class="mf-num">{int(sum(n.values()))}</td><td class="mf-num">{int(n[checks_module.CONSISTENT])}</td>'
        f'<td class="mf-num">{int(n[checks_module.INCONSISTENT])}</td><td class="mf-num">{int(n[checks_module.UNVERIFIABLE])}</td>'
        f'<td class="mf-num">{sh}</td></tr>'
        for sid, title, kind, pub, prec, n, sh in zip(
            L(sources["source_id"]), L(sources["title"]), L(sources["kind"]), L(sources["published"]),
            L(sources["published_precision"]) if "published_precision" in sources else [None] * len(sources),
            counts.to_dict("records"), L(share)))
    return ("# Sources\n\n" f"{len(sources):,} sources. A claim holds up when every check that could test it found it "
            "consistent; the share is of the claims that could be tested.\n\n"
            + html_table(["source", "kind", "published", "claims", "consistent", "inconsistent", "unverifiable",
                          "hold up"], rows, numeric=(3, 4, 5, 6, 7), search=False))


def findings_page(data: Data) -> str:
    """findings.md: the claims the checks found inconsistent, grouped by source."""
    claims = data["claims"]
    bad = claims[claims["verdict"] == checks_module.INCONSISTENT].merge(
        data["models"][["model_id", "name", "organization"]], on="model_id", how="left")
    sources = data["sources"].set_index("source_id")
    parts = ["# Findings\n", f"{len(bad):,} of {len(claims):,} claims are inconsistent with a check: with the count "
             "the published architecture gives, with other claims of equal or stronger status, or with the physics "
             "of training (6·N·D, GPU-hours, cost, memory). They are findings for readers, not errors in the data: "
             "each is recorded as its source wrote it. Grouped by source, most findings first.\n"]
    if bad.empty:
        parts.append("No claim is inconsistent in this build.\n")
        return "\n".join(parts)
    bad = bad.sort_values(["source_id", "model_id", "field_rank", "claim_id"], kind="stable")
    rows = [
        f'<tr><td><a href="../{model_url(org, mid)}#claim-{fragment(cid)}">{esc(name if not missing(name) else mid)}</a></td>'
        f'<td>{esc(field_label(f))}</td><td>{esc(w)}</td><td>{badge("status", s)}</td><td><small>{esc(d)}</small></td></tr>'
        for org, mid, cid, name, f, w, s, d in zip(L(bad["organization"]), L(bad["model_id"]), L(bad["claim_id"]),
                                                    L(bad["name"]), L(bad["field"]), L(bad["as_written"]),
                                                    L(bad["status"]), L(bad["verdict_detail"]))]
    by_source = _group_join(bad["source_id"], rows)
    sizes = bad.groupby("source_id").size().to_dict()
    titles = sources["title"].to_dict()
    for sid in sorted(by_source, key=lambda key: (-sizes[key], key)):
        title = titles.get(sid, sid)
        title = sid if missing(title) else title
        parts.append(f"## {md(title)}\n")
        parts.append(f'<p><a href="../{source_url(sid)}">Source page</a> · {sizes[sid]} inconsistent claims</p>\n')
        parts.append(html_table(["model", "field", "as written", "status", "why"], by_source[sid]))
    return "\n".join(parts)


# ----------------------------------------------------------------------------------------------- home, charts

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
[Methodology](methodology.md) explains each check and its thresholds.

## Browse

- [Models](models/index.md): one page per model, with every claim, its verdict and a citation.
- [Sources](sources/index.md): what each source claims and how much of it holds up.
- [Charts](charts.md): parameter counts over time, tokens against parameters, claimed against derived counts.
- Explainers: [what a parameter is](explainers/parameters.md), [total and active](explainers/total-vs-active.md),
  [embeddings](explainers/embeddings.md), [counting from the architecture](explainers/counting.md),
  [memory per precision](explainers/memory.md), [tokens per parameter](explainers/chinchilla.md).
- [SQL cookbook](cookbook.md): ten queries with their results.

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


def charts_page(points: dict[str, int]) -> str:
    """charts.md."""
    parts = ["# Charts\n", "Drawn from the database when the site is built (static SVG).\n"]
    for name, (title, description) in charts.CHARTS.items():
        parts.append(f"## {title}\n\n{description} {points.get(name, 0):,} points.\n\n"
                     f"![{title}](charts/{name}){{ .mf-chart }}\n")
    return "\n".join(parts)


# ----------------------------------------------------------------------------------------------- explainers

def _architecture(data: Data, model_id: str) -> tuple[dict, dict] | None:
    rows = data["architectures"][data["architectures"]["model_id"] == model_id]
    if rows.empty:
        return None
    row = rows.iloc[0]
    return json.loads(row["hf_config"]), json.loads(row["overrides"] if not missing(row["overrides"]) else "{}")


def _model_link(data: Data, model_id: str, root: str = "../../") -> str:
    models = data["models"].set_index("model_id")
    if model_id not in models.index:
        return f"<code>{esc(model_id)}</code>"
    return f'<a href="{root}{model_url(models.at[model_id, "organization"], model_id)}">{esc(models.at[model_id, "name"])}</a>'


def _breakdown_table(parts: list[dict]) -> str:
    rows = "\n".join(f'<tr><td>{esc(p["part"])}</td><td><code>{esc(p["formula"])}</code></td>'
                     f'<td><code>{esc(p["arithmetic"])}</code></td><td class="mf-num">{p["value"]:,}</td></tr>' for p in parts)
    total = sum(p["value"] for p in parts if not p["part"].startswith("extra:"))
    rows += f'\n<tr><td><strong>total</strong></td><td colspan="2"></td><td class="mf-num"><strong>{total:,}</strong></td></tr>'
    return html_table(["part", "formula", "numbers", "parameters"], rows, numeric=(3,))


def _claims_of(data: Data, model_id: str, fields: tuple[str, ...]) -> pd.DataFrame:
    claims = data["claims"]
    return claims[(claims["model_id"] == model_id) & claims["field"].isin(fields)]


def _claims_list(data: Data, frame: pd.DataFrame) -> str:
    if frame.empty:
        return ""
    org = data["models"].set_index("model_id")["organization"]
    return "<ul>\n" + "\n".join(
        f'<li><a href="../../{model_url(org.get(mid, "unknown"), mid)}#claim-{fragment(cid)}">{esc(w)}</a> '
        f'{badge("status", s)} from <code>{esc(sid)}</code>: {badge("verdict", v)} <small>{esc(d)}</small></li>'
        for mid, cid, w, s, sid, v, d in zip(frame["model_id"], frame["claim_id"], frame["as_written"], frame["status"],
                                             frame["source_id"], frame["verdict"], frame["verdict_detail"])) + "\n</ul>\n"


def explainer_parameters(data: Data) -> str:
    n_in, n_out = DENSE_EXAMPLE
    weights = formula.dense_layer_params(n_in, n_out, bias=False)
    with_bias = formula.dense_layer_params(n_in, n_out)
    derived = data["derived"]
    totals = derived[derived["quantity"] == "params_total_formula"].sort_values("value")
    extremes = ""
    if len(totals):
        small, large = totals.iloc[0], totals.iloc[-1]
        extremes = (f"In this build, the smallest architecture the engine counts is {_model_link(data, small['model_id'])} "
                    f"with {full(small['value'])} parameters and the largest is {_model_link(data, large['model_id'])} "
                    f"with {full(large['value'])}: a factor of {large['value'] / small['value']:,.0f}.")
    return f"""# What a parameter is

A neural network computes its output from its input with arithmetic whose coefficients were learned in training.
Each learned coefficient is a **parameter**: one number stored in the model's weight files, and a model's
headline size is how many of them it has. Parameters are not neurons, not tokens and not bytes: a parameter is one
number, and how many bytes it takes depends on the precision it is stored in (see
[memory per precision](memory.md)).

## The smallest worked example: one dense layer

A dense (fully connected) layer maps every input to every output. Each output is a weighted sum of all
inputs plus an offset: one weight per input–output pair, one bias per output. With {n_in} inputs and {n_out}
outputs:

| | count |
| --- | ---: |
| weights ({n_in} × {n_out}) | {weights:,} |
| biases ({n_out}) | {with_bias - weights:,} |
| **parameters** | **{with_bias:,}** |

This is `pipeline.formula.dense_layer_params({n_in}, {n_out})`, the same function the formula engine uses for
every linear layer it counts; with `bias=False` (most recent language models drop biases) it gives {weights:,}.

## From one layer to a model

A transformer is a stack of such layers (attention projections and a feed-forward block per layer) plus an
embedding table and a few normalization vectors. Summing every layer's count gives the model's total; the
[counting](counting.md) page does it for real architectures, part by part.

{extremes}

## Why published counts differ

Headline figures are rounded, some count the embedding table and some do not, mixture-of-experts models
have a total and a smaller number used per token ([total and active](total-vs-active.md)), and secondary sources
copy each other's rounding. Model Facts records each figure as written and checks it against the exact count the
published configuration gives.
"""


def explainer_total_vs_active(data: Data) -> str:
    derived = data["derived"].pivot_table(index="model_id", columns="quantity", values="value", aggfunc="first")
    rows = ""
    if {"params_total_formula", "params_active_formula"} <= set(derived.columns):
        moe = derived[derived["params_active_formula"] < derived["params_total_formula"]].sort_values("params_total_formula")
        rows = "\n".join(
            f'<tr><td>{_model_link(data, mid)}</td><td class="mf-num">{full(r["params_total_formula"])}</td>'
            f'<td class="mf-num">{full(r["params_active_formula"])}</td>'
            f'<td class="mf-num">{r["params_active_formula"] / r["params_total_formula"]:.1%}</td></tr>'
            for mid, r in moe.iterrows())
    example = ""
    arch = _architecture(data, MOE_EXAMPLE)
    if arch is not None:
        config, overrides = arch
        result = formula.count(config, overrides)
        merged = {**config, **overrides}
        experts, per_token = merged.get("num_local_experts"), merged.get("num_experts_per_tok")
        routed = result["parts"].get("experts_routed", 0)
        idle = result["total"] - result["active"]
        example = f"""## Worked example: Mixtral 8x7B

{_model_link(data, MOE_EXAMPLE)}'s config has {experts} experts in each layer and routes each token to {per_token} of them. The engine counts
{full(routed)} parameters in the routed experts. A token leaves {experts - per_token} of {experts} experts idle, so
{full(routed)} × {experts - per_token}/{experts} = {full(idle)} parameters sit out:

| | parameters |
| --- | ---: |
| total (every expert) | {full(result["total"])} |
| idle for one token | {full(idle)} |
| **active per token** | **{full(result["active"])}** ({result["active"] / result["total"]:.1%} of the total) |

{_claims_list(data, _claims_of(data, MOE_EXAMPLE, ("params_total", "params_active")))}
"""
    table = html_table(["model", "total", "active per token", "active share"], rows, numeric=(1, 2, 3)) if rows else \
        "<p>No mixture-of-experts architecture in this build.</p>\n"
    return f"""# Total and active parameters

A dense model uses every parameter for every token. A **mixture-of-experts** (MoE) model replaces the
feed-forward block of some layers by several parallel "experts" and a small router that sends each token to a
few of them. Two counts then matter:

- **total**: every parameter in the released weights, all experts included. This is what has to fit in memory.
- **active**: the parameters one token actually passes through: the shared layers, the experts the router picks,
  any always-on shared experts and the router itself. This is what sets the compute per token, and it is the
  N in 6·N·D and in tokens per parameter.

For a dense model the two are equal. A claim's field says which one it is (`params_total`, `params_active`);
articles often give one without saying which.

{example}
## Every mixture-of-experts architecture in the dataset

Counted by the formula engine from the published configs.

{table}"""


def explainer_embeddings(data: Data) -> str:
    gpt3 = formula.count(GPT3_SHAPE)
    vocab, width, positions = GPT3_SHAPE["vocab_size"], GPT3_SHAPE["n_embd"], GPT3_SHAPE["n_positions"]
    token_table = gpt3["parts"]["embeddings"]
    position_table = gpt3["parts"]["position"]
    parts = ", ".join(f"`{p}`" for p in formula.EMBEDDING_PARTS)
    llama = ""
    arch = _architecture(data, EXAMPLE_MODEL)
    if arch is not None:
        result = formula.count(*arch)
        merged = {**arch[0], **arch[1]}
        comp = result["parts"]
        llama = f"""## An untied head: Llama 2 70B

{_model_link(data, EXAMPLE_MODEL)}'s config sets `tie_word_embeddings` to false, so the output head is a second {merged["vocab_size"]:,} × {merged["hidden_size"]:,}
matrix: {comp["embeddings"]:,} in the input table plus {comp["head"]:,} in the head make {result["embedding"]:,}
embedding parameters, {result["embedding"] / result["total"]:.2%} of its {result["total"]:,}. Its non-embedding count
is {result["non_embedding"]:,}.
"""
    shares = ""
    derived = data["derived"].pivot_table(index="model_id", columns="quantity", values="value", aggfunc="first")
    if {"params_embedding_formula", "params_total_formula"} <= set(derived.columns):
        share = (derived["params_embedding_formula"] / derived["params_total_formula"]).dropna().sort_values()
        if len(share):
            shares = (f"Across the {len(share)} architectures in this build, the embedding share runs from "
                      f"{share.iloc[0]:.2%} ({_model_link(data, share.index[0])}) to {share.iloc[-1]:.2%} "
                      f"({_model_link(data, share.index[-1])}): small models spend a large part of their budget on "
                      "the vocabulary.")
    claims = _claims_list(data, _claims_of(data, "gpt-3", ("params_embedding",)))
    return f"""# What counts as embedding

The **embedding** of a language model turns token ids into vectors: a table with one row of `hidden_size`
numbers per vocabulary entry. Models that learn position vectors have a second table with one row per position,
and the output head that turns the last hidden state back into vocabulary scores is a vocabulary-by-width
matrix too, unless it is *tied* (the same matrix as the input table, stored once).

The formula engine counts as embedding: {parts} (input table, BERT's token-type table, learned position tables,
ViT's class token, and the head when it is untied). **Non-embedding** = total − embedding: the part that grows
with depth and width. Scaling-law papers (Kaplan et al. 2020) count non-embedding parameters; Hoffmann et al.
2022 count all of them; articles rarely say which.

## GPT-3's embedding

GPT-3 uses GPT-2's vocabulary of {vocab:,} tokens and a width of {width:,} (Brown et al. 2020, Table 2.1):

| table | shape | parameters |
| --- | --- | ---: |
| token embedding | {vocab:,} × {width:,} | {token_table:,} |
| position embedding | {positions:,} × {width:,} | {position_table:,} |
| output head | tied to the token embedding | {gpt3["parts"]["head"]:,} |
| **embedding** | | **{gpt3["embedding"]:,}** |

That is {gpt3["embedding"] / gpt3["total"]:.2%} of the {gpt3["total"]:,} parameters the GPT-2 formula gives for
this shape ([counting](counting.md) has the rest).

{claims}
{llama}
{shares}
"""


def explainer_counting(data: Data) -> str:
    n_in, n_out = DENSE_EXAMPLE
    dense = formula.dense_layer_params(n_in, n_out)
    gpt3_parts = formula.explain(GPT3_SHAPE)
    gpt3 = formula.count(GPT3_SHAPE)
    width, layers = GPT3_SHAPE["n_embd"], GPT3_SHAPE["n_layer"]
    qkv = formula.dense_layer_params(width, 3 * width)
    out_proj = formula.dense_layer_params(width, width)
    attention_layer = qkv + out_proj
    engine_attention = gpt3["parts"]["attention"]
    llama_section = ""
    arch = _architecture(data, EXAMPLE_MODEL)
    if arch is not None:
        config, overrides = arch
        merged = {**config, **overrides}
        parts = formula.explain(config, overrides)
        result = formula.count(config, overrides)
        h, heads = merged["hidden_size"], merged["num_attention_heads"]
        kv = merged.get("num_key_value_heads", heads)
        head_dim = merged.get("head_dim") or h // heads
        q = formula.dense_layer_params(h, heads * head_dim, bias=False)
        k = formula.dense_layer_params(h, kv * head_dim, bias=False)
        o = formula.dense_layer_params(heads * head_dim, h, bias=False)
        per_layer = q + 2 * k + o
        totals = _claims_of(data, EXAMPLE_MODEL, ("params_total",))
        claims = _claims_list(data, totals)
        held = totals[totals["verdict"] == checks_module.CONSISTENT]["as_written"].drop_duplicates()
        failed = totals[totals["verdict"] == checks_module.INCONSISTENT]["as_written"].drop_duplicates()
        claim_summary = ""
        if len(held):
            claim_summary += ("Claims of " + ", ".join(f"\u201c{esc(w)}\u201d" for w in held)
                              + " hold up: the exact count lies within what they allow as written. ")
        if len(failed):
            claim_summary += ("Claims of " + ", ".join(f"\u201c{esc(w)}\u201d" for w in failed)
                              + " do not: they are not what the released weights hold.")
        llama_section = f"""## Llama 2 70B, from its published config

{_model_link(data, EXAMPLE_MODEL)} uses grouped-query attention: {heads} query heads but only {kv} key/value heads
of {head_dim} dimensions, and no biases. One layer's attention is

| projection | shape | parameters |
| --- | --- | ---: |
| query | {h:,} × ({heads} × {head_dim}) | {q:,} |
| key | {h:,} × ({kv} × {head_dim}) | {k:,} |
| value | {h:,} × ({kv} × {head_dim}) | {k:,} |
| output | ({heads} × {head_dim}) × {h:,} | {o:,} |
| **one layer** | | **{per_layer:,}** |

and {merged["num_hidden_layers"]} layers give {per_layer * merged["num_hidden_layers"]:,}, the engine's attention
line below. The whole count, part by part, as `pipeline.formula.explain` gives it:

{_breakdown_table(parts)}

The engine's total is **{result["total"]:,}** ({short(result["total"])}). {claim_summary}

{claims}"""
    return f"""# How the count follows from the architecture

A model's parameter count is not measured, it is computed: the architecture fixes the shape of every weight
matrix, and the count is the sum of their sizes. The formula engine (`pipeline.formula`) does this for
{len(formula.FAMILY_CLASSES)} families of Hugging Face configs and reproduces, to the unit, what transformers
builds (see [methodology](../methodology.md#formula-engine)).

## Step 1: a dense layer

`dense_layer_params({n_in}, {n_out})` = {n_in} × {n_out} + {n_out} = **{dense:,}**. Every linear layer below is
this formula with other sizes.

## Step 2: an attention block

GPT-3's attention (width {width:,}, GPT-2 style, with biases) has one fused query/key/value projection of
{width:,} → 3 × {width:,} and one output projection of {width:,} → {width:,}:

| layer | parameters |
| --- | ---: |
| query, key and value: dense_layer_params({width:,}, {3 * width:,}) | {qkv:,} |
| output: dense_layer_params({width:,}, {width:,}) | {out_proj:,} |
| **one attention block** | **{attention_layer:,}** |

Times {layers} layers: {attention_layer * layers:,}, which is the engine's attention component for this shape
({engine_attention:,}).

## Step 3: the whole of GPT-3

GPT-3 175B's shape (Brown et al. 2020, Table 2.1: {layers} layers, width {width:,}, {GPT3_SHAPE["n_positions"]:,}
positions, GPT-2's {GPT3_SHAPE["vocab_size"]:,}-token vocabulary) through the GPT-2 formula:

{_breakdown_table(gpt3_parts)}

**{gpt3["total"]:,}** parameters: {short(gpt3["total"])}. The developer's own figures for GPT-3, as
the dataset records them:

{_claims_list(data, _claims_of(data, "gpt-3", ("params_total",)).query("status == 'confirmed'"))}

{llama_section}
"""


def explainer_memory(data: Data) -> str:
    bytes_per = checks_module.BYTES_PER_PARAM
    labels = {"weights_gb_fp32": "FP32", "weights_gb_fp16": "FP16 / BF16", "weights_gb_int8": "INT8",
              "weights_gb_int4": "INT4"}
    exact = None
    derived = data["derived"]
    rows = derived[(derived["model_id"] == EXAMPLE_MODEL) & (derived["quantity"] == "params_total_formula")]
    if len(rows):
        exact = float(rows["value"].iloc[0])
    header = ["precision", "bytes per parameter", f"{short(MEMORY_EXAMPLE_PARAMS)} parameters (GB)",
              f"{short(MEMORY_EXAMPLE_PARAMS)} parameters (GiB)"]
    if exact is not None:
        header.append("Llama 2 70B, exact count (GB)")
    body = "\n".join(
        f'<tr><td>{labels[f]}</td><td class="mf-num">{b:g}</td><td class="mf-num">{MEMORY_EXAMPLE_PARAMS * b / 1e9:,.1f}</td>'
        f'<td class="mf-num">{MEMORY_EXAMPLE_PARAMS * b / 2 ** 30:,.1f}</td>'
        + (f'<td class="mf-num">{exact * b / 1e9:,.1f}</td>' if exact is not None else "") + "</tr>"
        for f, b in bytes_per.items())
    claims = _claims_list(data, _claims_of(data, EXAMPLE_MODEL, tuple(bytes_per)))
    return f"""# Memory per precision

Weights take **parameters × bytes per parameter**. A parameter stored in 32-bit floating point takes
{bytes_per["weights_gb_fp32"]:g} bytes; 16-bit formats (FP16, BF16) take {bytes_per["weights_gb_fp16"]:g}; 8-bit
integers {bytes_per["weights_gb_int8"]:g}; 4-bit integers {bytes_per["weights_gb_int4"]:g} (plus a small overhead
for the scales of each block, which this arithmetic leaves out). 1 GB here is 10⁹ bytes; memory tools often report GiB
(2³⁰ bytes), about {1 - 1e9 / 2 ** 30:.1%} smaller numbers for the same size.

{html_table(header, body, numeric=tuple(range(1, len(header))))}

{f"The last column uses the count the formula engine derives for {_model_link(data, EXAMPLE_MODEL)}, {full(exact)}." if exact is not None else ""}

This is the weights alone. Running a model also needs activations and, for generation, a key/value cache that
grows with context length and batch size; training needs gradients and optimizer state on top, several times the
weights.

The memory check (`memory` in [methodology](../methodology.md#checks)) recomputes every weight-size claim this way
from the model's best-supported total and accepts ±{checks_module.MEMORY_TOLERANCE:.0%} for GB/GiB confusion and
rounding. Claims about {_model_link(data, EXAMPLE_MODEL)}'s weights:

{claims}"""


def explainer_chinchilla(data: Data) -> str:
    rule = scaling.TOKENS_PER_PARAM_RULE
    low, high = rule * checks_module.CHINCHILLA_BAND[0], rule * checks_module.CHINCHILLA_BAND[1]
    fits = "\n".join(f'<tr><td>{esc(fit.name)}</td><td>{esc(fit.reference)}</td><td class="mf-num">{fit.E:g}</td>'
                     f'<td class="mf-num">{fit.A:g}</td><td class="mf-num">{fit.B:g}</td><td class="mf-num">{fit.alpha:g}</td>'
                     f'<td class="mf-num">{fit.beta:g}</td></tr>' for fit in scaling.FITS)
    derived = data["derived"].pivot_table(index="model_id", columns="quantity", values="value", aggfunc="first")
    summary = data["summary"].pivot_table(index="model_id", columns="field", values="best_value", aggfunc="first")
    examples = []
    for model_id in ("chinchilla", "gpt-3", EXAMPLE_MODEL):
        if model_id not in derived.index or "tokens_per_param" not in derived.columns:
            continue
        ratio = derived.at[model_id, "tokens_per_param"]
        tokens = summary.at[model_id, "training_tokens"] if "training_tokens" in summary.columns else np.nan
        params = summary.at[model_id, "params_total"] if "params_total" in summary.columns else np.nan
        if missing(ratio) or missing(tokens) or missing(params):
            continue
        compute = scaling.training_compute(params, tokens)
        optimal = [(fit.name, fit.optimal_params(compute), fit.optimal_tokens(compute)) for fit in scaling.FITS]
        examples.append(
            f'<tr><td>{_model_link(data, model_id)}</td><td class="mf-num">{short(params)}</td>'
            f'<td class="mf-num">{short(tokens)}</td><td class="mf-num">{ratio:.1f}</td>'
            f'<td class="mf-num">{sci(compute)}</td>'
            + "".join(f'<td class="mf-num">{short(n)} / {short(d)}</td>' for _, n, d in optimal) + "</tr>")
    example_table = html_table(["model", "N", "D", "D/N", "6·N·D (FLOP)"] + [f"optimal N / D, {esc(f.name)}" for f in scaling.FITS],
                               "\n".join(examples), numeric=(1, 2, 3, 4, 5, 6)) if examples else ""
    ratios = derived["tokens_per_param"].dropna() if "tokens_per_param" in derived.columns else pd.Series(dtype=float)
    spread = ""
    if len(ratios):
        spread = (f"Of the {len(ratios)} models with both counts, {int((ratios < low).sum())} are under {low:g} tokens "
                  f"per parameter, {int(ratios.between(low, high).sum())} within {low:g}-{high:g}, and "
                  f"{int((ratios > high).sum())} above {high:g}; the median is {ratios.median():.1f}.")
    budget = scaling.training_compute(1e9, rule * 1e9)
    six = scaling.training_compute(1, 1)
    return f"""# Tokens per parameter and Chinchilla

Training a transformer costs about **{six:g} FLOP per parameter per token** (a third of it in the forward
pass, the rest in the backward pass): C ≈ {six:g}·N·D for N parameters (active ones, for a mixture of experts) and D training tokens. A
{short(1e9)}-parameter model trained on {short(rule * 1e9)} tokens costs {six:g} × {sci(1e9)} × {sci(rule * 1e9)} = {sci(budget)} FLOP.

For a fixed budget C, a bigger model sees fewer tokens. Hoffmann et al. (2022, "Chinchilla") fitted the loss of
hundreds of training runs as L(N, D) = E + A/N^α + B/D^β and found that the loss is lowest when N and D grow
about equally: roughly **{rule:g} tokens per parameter**. Besiroglu et al. (2024) refitted the same data; the
project uses both fits (`pipeline.scaling`):

{html_table(["fit", "reference", "E", "A", "B", "α", "β"], fits, numeric=(2, 3, 4, 5, 6))}

The optimum under a fit is N_opt = G·(C/6)^(β/(α+β)) and D_opt = G⁻¹·(C/6)^(α/(α+β)), with
G = (αA/(βB))^(1/(α+β)).

## Worked examples

D/N from the best-supported counts; the last columns spend the same 6·N·D budget optimally under each fit.

{example_table}

{spread}

Far from {rule:g} is not a mistake: the rule minimizes training compute for a given loss, but a model that will serve
many requests is cheaper to run when smaller, so recent models are trained far past it on purpose. The
`chinchilla_ratio` check reports the position and never marks a claim inconsistent for it.
"""


def explainer_pages(data: Data) -> dict[str, tuple[str, str]]:
    """explainers/*.md: (nav title, Markdown)."""
    return {
        "explainers/parameters.md": ("What a parameter is", explainer_parameters(data)),
        "explainers/total-vs-active.md": ("Total and active parameters", explainer_total_vs_active(data)),
        "explainers/embeddings.md": ("What counts as embedding", explainer_embeddings(data)),
        "explainers/counting.md": ("Counting from the architecture", explainer_counting(data)),
        "explainers/memory.md": ("Memory per precision", explainer_memory(data)),
        "explainers/chinchilla.md": ("Tokens per parameter", explainer_chinchilla(data)),
    }


# ----------------------------------------------------------------------------------------------- methodology

CHECK_DESCRIPTIONS = {
    "formula_params": "Parameter claims (total, active, embedding, non-embedding) against the count the formula "
                      "engine derives from the published architecture, at the claim's own precision (see the table "
                      "above): a rounded figure allows what rounds to it, an exact figure only itself.",
    "moe_active": "Active-parameter claims: at most the model's total, and below it only for a sparse model.",
    "chinchilla_ratio": "Training tokens per parameter (active for MoE) against the {rule:g}:1 rule; "
                        "{low:g} to {high:g} is reported as near compute-optimal. Informative only: never inconsistent.",
    "compute_6nd": "Claimed training compute against 6·N·D from the best parameter and token counts; the intervals "
                   "must overlap within ±{tol6:.0%} (6·N·D ignores attention FLOPs and the rounding of N and D).",
    "compute_hardware": "Claimed GPU-hours against the hours the compute needs on the training chip's peak "
                        "throughput at {u0:.0%} to {u1:.0%} utilization (model FLOP utilization of large runs).",
    "cost_hardware": "Claimed training cost against GPU-hours times the chip's sourced hourly price band.",
    "conflict": "Claims on the same model and field from different sources that cannot both be true. A claim is "
                "inconsistent only against a claim of equal or stronger status (confirmed > estimated > rumored), "
                "and never when it agrees with the formula-derived count.",
    "memory": "Weight-memory claims against parameters × bytes per parameter ({bytes}), 1 GB = 10⁹ bytes, "
              "within ±{mem:.0%} or the claim's stated precision.",
}


INTERVAL_EXAMPLES = ("70B", "70.0B", "exactly 405 billion", "650-800B", "over 1 trillion", "up to 7 trillion",
                     "hundreds of billions")


def interval_table() -> str:
    """How example values are read, computed by the loader's parser and the checks' interval rule."""
    from pipeline.values import parse_value

    parsed = [parse_value(text, "params_total") for text in INTERVAL_EXAMPLES]
    frame = pd.DataFrame({"value": [p.value for p in parsed], "low": [p.low for p in parsed],
                          "high": [p.high for p in parsed], "precision": [p.precision for p in parsed],
                          "sig_figs": [p.sig_figs for p in parsed]}).astype(
        {"value": "float64", "low": "float64", "high": "float64", "sig_figs": "Int64"})
    interval = checks_module.implied_interval(frame)
    rows = "\n".join(f'<tr><td><code>{esc(text)}</code></td><td>{esc(p.precision)}</td>'
                     f'<td class="mf-num">{full(p.value) if p.value is not None else "—"}</td>'
                     f'<td class="mf-num">{full(low)}</td><td class="mf-num">{full(high)}</td></tr>'
                     for text, p, low, high in zip(INTERVAL_EXAMPLES, parsed, interval["implied_low"],
                                                   interval["implied_high"]))
    return html_table(["written", "precision", "value", "allows from", "to"], rows, numeric=(2, 3, 4))


def methodology_page(data: Data) -> str:
    band = checks_module.CHINCHILLA_BAND
    rule = scaling.TOKENS_PER_PARAM_RULE
    values = {"rule": rule, "low": rule * band[0], "high": rule * band[1], "tol6": checks_module.COMPUTE_6ND_TOLERANCE,
              "u0": checks_module.UTILIZATION_BAND[0], "u1": checks_module.UTILIZATION_BAND[1],
              "mem": checks_module.MEMORY_TOLERANCE,
              "bytes": ", ".join(f"{k.removeprefix('weights_gb_').upper()} {v:g}"
                                 for k, v in checks_module.BYTES_PER_PARAM.items())}
    counts = pd.crosstab(data["checks"]["check"], data["checks"]["verdict"]).reindex(columns=list(VERDICTS), fill_value=0)
    rows = "\n".join(
        f'<tr><td><code>{esc(name)}</code></td><td>{esc(text.format(**values))}</td>'
        + "".join(f'<td class="mf-num">{int(counts.at[name, v]) if name in counts.index else 0}</td>' for v in VERDICTS)
        + "</tr>" for name, text in CHECK_DESCRIPTIONS.items())
    constants = "\n".join(f"| `{name}` | `{value!r}` |" for name, value in (
        ("UTILIZATION_BAND", checks_module.UTILIZATION_BAND), ("COMPUTE_6ND_TOLERANCE", checks_module.COMPUTE_6ND_TOLERANCE),
        ("MEMORY_TOLERANCE", checks_module.MEMORY_TOLERANCE), ("CHINCHILLA_BAND", checks_module.CHINCHILLA_BAND),
        ("BYTES_PER_PARAM", checks_module.BYTES_PER_PARAM), ("TOKENS_PER_PARAM_RULE", scaling.TOKENS_PER_PARAM_RULE)))
    families = "\n".join(f"| `{name}` | {esc(cls)} |" for name, cls in formula.FAMILY_CLASSES.items())
    fits = "\n".join(f"| {esc(fit.name)} | {esc(fit.reference)} | {fit.E:g} | {fit.A:g} | {fit.B:g} | {fit.alpha:g} | "
                     f"{fit.beta:g} |" for fit in scaling.FITS)
    return f"""# Methodology

## Statuses

| status | meaning |
| --- | --- |
| {badge("status", "confirmed")} | The source is the developer: a paper, model card, official blog or released config. |
| {badge("status", "estimated")} | A named third party derived the number with a method (Epoch AI, SemiAnalysis, a paper's own estimate). When an article repeats such an estimate, the article is the source and `attributed_to` names the estimator. |
| {badge("status", "rumored")} | Everything else: unattributed numbers, leaks, press reports, and articles that attribute a number to the developer without citing the developer's own source. |

A secondary article that attributes a figure to the developer stays rumored; the developer's own publication,
when it exists, is a separate confirmed claim. See the [data format](data-format.md) for how claims are written.

## What a value allows

Each value is read with the precision its writing implies, and the checks compare intervals, not points:
a figure rounded to some significant figures allows half a unit of its last digit either way; an exact figure
allows only itself; a range allows its span; bounds are open on one side; vague words span an order of
magnitude. Read by `pipeline.values.parse_value` and `pipeline.check.implied_interval`:

{interval_table()}

## Best-supported values

Per model and field, `model_summary` keeps one value: the formula-derived count first, then confirmed, estimated
and rumored claims, the most precise first (exact, then more significant figures, then ranges; bounds and
orders of magnitude never). The checks use the same ranking (`pipeline.check.BEST_VALUE_SQL`).

## Checks

Each check gives each claim it can test a verdict; a claim's verdict is the worst of them
(inconsistent, then unverifiable, then consistent). Counts are for this build.

{html_table(["check", "what it compares", "consistent", "inconsistent", "unverifiable"], rows, numeric=(2, 3, 4))}

The thresholds, imported from `pipeline.check` and `pipeline.scaling` when the site is built:

| constant | value |
| --- | --- |
{constants}

## Formulas

- **Parameter counts**: the sum of every weight matrix, bias and normalization vector the architecture defines
  (see [counting](explainers/counting.md)); `pipeline.formula.dense_layer_params(n_in, n_out)` is n_in × n_out + n_out.
- **Training compute**: C ≈ 6·N·D (Kaplan et al. 2020, "Scaling Laws for Neural Language Models",
  arXiv:2001.08361), N active parameters, D tokens.
- **Compute-optimal allocation**: L(N, D) = E + A/N^α + B/D^β; N_opt = G·(C/6)^(β/(α+β)),
  D_opt = G⁻¹·(C/6)^(α/(α+β)), G = (αA/(βB))^(1/(α+β)).

| fit | reference | E | A | B | α | β |
| --- | --- | ---: | ---: | ---: | ---: | ---: |
{fits}

- **Rule of thumb**: {rule:g} training tokens per parameter (Hoffmann et al. 2022).
- **Weight memory**: parameters × bytes per parameter, 1 GB = 10⁹ bytes.
- **GPU-hours**: C / (peak FLOP/s × utilization) / 3600, with peak throughput and hourly prices from
  `data/hardware/`.

## Formula engine

`pipeline.formula` counts a Hugging Face `config.json` exactly, reproducing the number of parameters
transformers builds for it (tested against meta-device instantiation). Families:

| model_type | class counted |
| --- | --- |
{families}

Definitions: *total* is every parameter of that class (a tied output head adds nothing); *active* subtracts the
routed experts a token does not visit; *embedding* is the input table, an untied head and learned position
tables; *non-embedding* is total − embedding.
"""


def cookbook_page(database: Path) -> str:
    parts = ["# SQL cookbook\n", "Ten queries over the published database, with their results in this build. Run "
             "them with `modelfacts query \"...\"` or any DuckDB client on the [downloaded file](downloads.md).\n"]
    for recipe, result in cookbook.run_all(database):
        parts.append(f"## {recipe.title}\n\n{recipe.why}\n\n```sql\n{recipe.sql}\n```\n")
        parts.append(f"{len(result):,} rows.\n\n" + frame_table(result, limit=15))
    return "\n".join(parts)


# ----------------------------------------------------------------------------------------------- other pages

_LINK = re.compile(r"(!?)\[([^\]]*)\]\(([^)\s]+)((?:\s+\"[^\"]*\")?)\)")
_FENCE = re.compile(r"^\s*(```|~~~)")


def rewrite_links(text: str, origin: str, site_paths: dict[str, str], here: str, docs_files: set[str]) -> str:
    """Relative links of a page copied into the site, re-pointed at the site (or made plain text when the target
    is not part of the site, so a strict build does not fail on a repository-only link).

    origin: the page's path in the repository; here: its path in the site's docs folder;
    site_paths: repository path -> site docs path for every page the site holds.
    """
    out, fenced = [], False
    for line in text.splitlines(keepends=True):
        if _FENCE.match(line):
            fenced = not fenced
        if fenced or "](" not in line:
            out.append(line)
            continue

        def replace(match: re.Match) -> str:
            bang, label, target, title = match.groups()
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("#") or target.startswith("/"):
                return match.group(0)
            path, _, hash_part = target.partition("#")
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(origin), path))
            if resolved in site_paths:
                new = posixpath.relpath(site_paths[resolved], posixpath.dirname(here) or ".")
                return f"{bang}[{label}]({new}{'#' + hash_part if hash_part else ''}{title})"
            if resolved.startswith("docs/") and resolved.removeprefix("docs/") in docs_files:
                new = posixpath.relpath(resolved.removeprefix("docs/"), posixpath.dirname(here) or ".")
                return f"{bang}[{label}]({new}{'#' + hash_part if hash_part else ''}{title})"
            return f"{label} (`{path}`)" if not bang else f"`{path}`"

        out.append(_LINK.sub(replace, line))
    return "".join(out)


def page_title(text: str, fallback: str) -> str:
    """A page's first level-one heading, else the fallback."""
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip().strip("#").strip() or fallback
    return fallback


def extra_pages(repo: Path, docs: Path) -> list[tuple[str, str]]:
    """Copy docs/ (hand-written pages, including pages other people add) and CONTRIBUTING.md and CHANGELOG.md
    into the staging docs folder; returns (nav title, docs path) for each page to list."""
    source = repo / "docs"
    docs_files: set[str] = set()
    if source.is_dir():
        for path in sorted(source.rglob("*")):
            relative = path.relative_to(source).as_posix()
            if path.is_file() and not any(part.startswith(".") for part in path.relative_to(source).parts):
                docs_files.add(relative)
    site_paths = {f"docs/{name}": name for name in docs_files if name.endswith(".md")}
    present_root = [(origin, target, title) for origin, target, title in ROOT_PAGES if (repo / origin).is_file()]
    site_paths.update({origin: target for origin, target, _ in present_root})
    site_paths["README.md"] = "index.md"
    listed = []
    for name in sorted(docs_files):
        target = docs / name
        if name in GENERATED or name.startswith(("models/", "sources/", "explainers/", "charts/", "downloads/", "assets/modelfacts")):
            print(f"docs: skipped docs/{name}: the site generates that path", file=sys.stderr)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if name.endswith(".md"):
            text = (source / name).read_text(encoding="utf-8")
            target.write_text(rewrite_links(text, f"docs/{name}", site_paths, name, docs_files), encoding="utf-8")
            fallback = name.removesuffix(".md").rsplit("/", 1)[-1].replace("-", " ").capitalize()
            listed.append((page_title(text, fallback), name))  # every page is listed: strict builds fail on omissions
        else:
            shutil.copyfile(source / name, target)
    order = {"data-format.md": 0}
    listed.sort(key=lambda item: (order.get(item[1], 1), item[0].lower()))
    for origin, target, title in present_root:
        text = (repo / origin).read_text(encoding="utf-8")
        (docs / target).write_text(rewrite_links(text, origin, site_paths, target, docs_files), encoding="utf-8")
        listed.append((title, target))
    return listed


# ----------------------------------------------------------------------------------------------- downloads

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
    (docs / "assets").mkdir(exist_ok=True)
    (docs / "assets" / "modelfacts.css").write_text(CSS.lstrip())
    points = charts.draw_all({"claims": data["claims"], "models": data["models"], "summary": data["summary"],
                              "derived": data["derived"], "checks": data["checks"]}, docs / "charts")
    explainers = explainer_pages(data)
    pages: dict[str, str] = {
        "index.md": home_page(data, downloads),
        "models/index.md": models_index(data),
        "sources/index.md": sources_index(data),
        "findings.md": findings_page(data),
        "charts.md": charts_page(points),
        "methodology.md": methodology_page(data),
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
