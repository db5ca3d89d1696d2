"""Shared by every page kind: constants, escaping, number formatting, badges, HTML tables, page paths."""
from __future__ import annotations

import html
import math
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, urlsplit

import pandas as pd

from pipeline import check as checks_module
from pipeline.fields import FIELDS

REPO = Path(__file__).resolve().parent.parent.parent
TABLES = ("models", "claims", "sources", "organizations", "architectures", "derived", "checks", "hardware")
DOWNLOAD_TABLES = TABLES + ("build_info", "claim_verdicts", "model_summary")
STATUS_RANK = checks_module.STATUS_RANK
VERDICTS = (checks_module.CONSISTENT, checks_module.INCONSISTENT, checks_module.UNVERIFIABLE)
FIELD_ORDER = {name: position for position, name in enumerate(FIELDS)}
GENERATED = {"index.md", "findings.md", "charts.md", "methodology.md", "cookbook.md", "downloads.md",
             "contributing.md", "changelog.md"}
#: Written by hand in docs/; the methodology page includes it, so it is not a page of its own.
CONVENTIONS = "conventions.md"
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


def link_url(value) -> str | None:
    """The same test as `safe_url`, unescaped (templates escape it): an http(s) URL with a host, else None."""
    return html.unescape(safe_url(value)) if safe_url(value) else None


def external(value, label: str = "↗") -> str:
    """A link out of the site when the URL is safe, else nothing."""
    url = safe_url(value)
    return f'<a href="{url}" rel="nofollow noopener" title="{url}">{label}</a>' if url else ""


def slug(value) -> str:
    """A path segment from an id: lowercase letters, digits, dots, dashes and underscores only."""
    text = re.sub(r"[^a-z0-9._-]+", "-", str(value).lower()).strip("-.")
    return text or "item"


def fragment(value) -> str:
    """A URL fragment pointing at an anchor made by `anchor`."""
    return quote(str(value), safe="-._~")


def escaped_list(values) -> list[str]:
    """`esc` over a column (a list: the fragments are built with zip)."""
    return [esc(value) for value in as_list(values)]


def as_list(values) -> list:
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


@lru_cache(maxsize=1024)
def badge(kind: str, value) -> str:
    """A status, basis or verdict badge."""
    return f'<span class="mf-badge mf-{kind}-{slug(value)}">{esc(value)}</span>' if not missing(value) else ""


NUM = ' class="mf-num"'


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
        columns.append(values.map(table_number) if i in numeric else escaped_list(values))
    rows = "\n".join("<tr>" + "".join(f"<td{NUM if i in numeric else ''}>{cell}</td>"
                                      for i, cell in enumerate(cells)) + "</tr>"
                     for cells in zip(*columns)) if len(shown) else ""
    text = html_table([esc(c) for c in shown.columns], rows, numeric=numeric)
    if limit is not None and len(frame) > limit:
        text += f"\n<p><small>… and {len(frame) - limit:,} more rows.</small></p>\n"
    if frame.empty:
        text += "\n<p><small>(no rows in this build)</small></p>\n"
    return text


# ----------------------------------------------------------------------------------------------- paths

def model_url(organization, model_id) -> str:
    """A model page's URL, relative to the site root."""
    return f"models/{slug(organization)}/{slug(model_id)}/"


def source_url(source_id) -> str:
    """A source page's URL, relative to the site root."""
    return f"sources/{slug(source_id)}/"




def esc_multiline(text: str) -> str:
    """Escaped text that keeps its line breaks (inside <pre>); blank lines are dropped so the HTML block holds."""
    return "\n".join(html.escape(line) for line in str(text).splitlines() if line.strip())
