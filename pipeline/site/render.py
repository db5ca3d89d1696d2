"""Jinja2 templates for the site's pages: autoescaping on, so text from data files is escaped wherever it lands.

Pages are Markdown for mkdocs with raw HTML blocks; inside a block Markdown is not parsed, and the `md`
filter escapes text that lands in Markdown proper (headings). Filters return `Markup` only for HTML the
site itself builds (badges, numbers) from escaped parts.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup

from pipeline.site import common
from pipeline.site.words import field_description, field_label

TEMPLATES = Path(__file__).resolve().parent / "templates"
_WHITESPACE = re.compile(r"\s+")


def _badge(value, kind: str) -> Markup:
    return Markup(common.badge(kind, value))


def _md(value) -> Markup:
    return Markup(common.md(value))


def _title(value) -> Markup:
    """A page title for YAML front matter: HTML-escaped, then quoted for YAML (JSON strings are YAML)."""
    return Markup(json.dumps(common.esc(value)))


def _blank(value, fallback: str = ""):
    return fallback if common.missing(value) else value


def _one_line(value):
    """Every printed value: missing ones print nothing, text from data prints on one line (a blank line inside
    a raw HTML block would end it and let Markdown parse the rest); Markup the site built is left alone."""
    if isinstance(value, Markup):
        return value
    if isinstance(value, str):
        return _WHITESPACE.sub(" ", value)
    return "" if common.missing(value) else value


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The one template environment (templates compile once per process)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True, trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined,
                             finalize=_one_line)
    env.filters.update({
        "badge": _badge, "md": _md, "title": _title, "blank": _blank, "fragment": common.fragment,
        "slug": common.slug, "full": common.full, "short": common.short, "sci": common.sci,
        "field_label": field_label, "field_description": field_description, "date": common.fmt_date,
        "url": common.link_url, "multiline": lambda text: Markup(common.esc_multiline(text)), "value": common.fmt_value, "number": common.table_number,
        "fmt": format,  # Python's format spec, as an f-string writes it: {{ n|fmt(",") }}, {{ share|fmt(".1%") }}
    })
    env.globals.update({"model_url": common.model_url, "source_url": common.source_url, "missing": common.missing})
    return env


def render(template: str, **context) -> str:
    """One page from templates/<template> with the given names."""
    return environment().get_template(template).render(**context)
