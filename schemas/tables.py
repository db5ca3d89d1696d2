"""pandera models of the tables the loader builds, one per kind of record.

Columns arrive raw (as YAML gave them), so each is `object` and nullable: a missing required key
is reported by the loader, and these rules judge the values that are present.
"""
from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from pipeline.fields import DOMAINS, FIELDS, SOURCE_KINDS, STATUSES
from schemas import checks as c


def rule(column: str, check: c.Rule):
    """A pandera column check from a shared (test, error) pair."""
    test, error = check
    return pa.check(column, error=error)(lambda cls, series: test(series))


def raw() -> object:
    """A raw column that may hold nulls."""
    return pa.Field(nullable=True)


class _Raw(pa.DataFrameModel):
    class Config:
        strict = False  # bookkeeping columns (file, line, ...) pass through


class Models(_Raw):
    """One row per model file."""

    schema_version: Series[object] = raw()
    model_id: Series[object] = raw()
    name: Series[object] = raw()
    organization: Series[object] = raw()
    released: Series[object] = raw()
    domain: Series[object] = raw()
    open_weights: Series[object] = raw()
    family: Series[object] = raw()
    aliases: Series[object] = raw()
    description: Series[object] = raw()

    _schema_version = rule("schema_version", c.integer_equal(1))
    _model_id = rule("model_id", c.slug())
    _name = rule("name", c.text())
    _organization = rule("organization", c.slug())
    _released = rule("released", c.date_like())
    _domain = rule("domain", c.one_of(DOMAINS))
    _open_weights = rule("open_weights", c.boolean())
    _family = rule("family", c.slug())
    _aliases = rule("aliases", c.text_list())
    _description = rule("description", c.text())


class Claims(_Raw):
    """One row per claim."""

    field: Series[object] = raw()
    as_written: Series[object] = raw()
    status: Series[object] = raw()
    source_id: Series[object] = raw()
    locator: Series[object] = raw()
    attributed_to: Series[object] = raw()
    key: Series[object] = raw()
    note: Series[object] = raw()

    _field = rule("field", c.one_of(FIELDS))
    _as_written = rule("as_written", c.text())
    _status = rule("status", c.one_of(STATUSES))
    _source_id = rule("source_id", c.slug())
    _locator = rule("locator", c.text())
    _attributed_to = rule("attributed_to", c.text())
    _key = rule("key", c.slug())
    _note = rule("note", c.text())


class Sources(_Raw):
    """One row per source file."""

    schema_version: Series[object] = raw()
    source_id: Series[object] = raw()
    title: Series[object] = raw()
    authors: Series[object] = raw()
    publisher: Series[object] = raw()
    published: Series[object] = raw()
    kind: Series[object] = raw()
    url: Series[object] = raw()
    arxiv: Series[object] = raw()
    repository: Series[object] = raw()
    path: Series[object] = raw()
    note: Series[object] = raw()

    _schema_version = rule("schema_version", c.integer_equal(1))
    _source_id = rule("source_id", c.slug())
    _title = rule("title", c.text())
    _authors = rule("authors", c.text_list())
    _publisher = rule("publisher", c.text())
    _published = rule("published", c.date_like(allow_undated=True))
    _kind = rule("kind", c.one_of(SOURCE_KINDS))
    _url = rule("url", c.http_url())
    _arxiv = rule("arxiv", c.arxiv_id())
    _repository = rule("repository", c.text())
    _path = rule("path", c.text())
    _note = rule("note", c.text())


class Organizations(_Raw):
    """One row per organization."""

    organization: Series[object] = raw()
    name: Series[object] = raw()
    url: Series[object] = raw()

    _organization = rule("organization", c.slug())
    _name = rule("name", c.text())
    _url = rule("url", c.http_url())


class Architectures(_Raw):
    """One row per model with an architecture block."""

    source_id: Series[object] = raw()
    note: Series[object] = raw()

    _source_id = rule("source_id", c.slug())
    _note = rule("note", c.text())


class Hardware(_Raw):
    """One row per accelerator file."""

    schema_version: Series[object] = raw()
    hardware_id: Series[object] = raw()
    name: Series[object] = raw()
    vendor: Series[object] = raw()
    aliases: Series[object] = raw()
    peak_bf16_flops: Series[object] = raw()
    price_usd_per_hour_low: Series[object] = raw()
    price_usd_per_hour_high: Series[object] = raw()
    source_id: Series[object] = raw()
    price_source_id: Series[object] = raw()
    note: Series[object] = raw()

    _schema_version = rule("schema_version", c.integer_equal(1))
    _hardware_id = rule("hardware_id", c.slug())
    _name = rule("name", c.text())
    _vendor = rule("vendor", c.text())
    _aliases = rule("aliases", c.text_list())
    _peak = rule("peak_bf16_flops", c.positive_number())
    _price_low = rule("price_usd_per_hour_low", c.positive_number())
    _price_high = rule("price_usd_per_hour_high", c.positive_number())
    _source_id = rule("source_id", c.slug())
    _price_source_id = rule("price_source_id", c.slug())
    _note = rule("note", c.text())


MODELS = {"models": Models, "claims": Claims, "sources": Sources, "organizations": Organizations,
          "architectures": Architectures, "hardware": Hardware}
