"""pandera models of the tables the loader builds, one per kind of record.

Columns arrive raw (as YAML gave them), so each is `object` and nullable: a missing required key
is reported by the loader, and these rules judge the values that are present.
"""
from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from pipeline.fields import ACCESS_MODES, COMPONENTS, CONTEXT_WINDOWS, DOMAINS, FIELDS, SCOPES, SOURCE_KINDS, STAGES, \
    STATUSES
from schemas import checks as c


def rule(column: str, check: c.Rule):
    """A pandera column check from a shared (test, error) pair."""
    test, error = check
    return pa.check(column, error=error)(lambda cls, series: test(series))


class _Raw(pa.DataFrameModel):
    class Config:
        strict = False  # bookkeeping columns (file, line, ...) pass through


def table_model(name: str, doc: str, rules: dict[str, c.Rule]) -> type[pa.DataFrameModel]:
    """A DataFrameModel with one nullable object column and one check per entry of `rules`."""
    namespace: dict = {"__doc__": doc, "__module__": __name__,
                       "__annotations__": {column: Series[object] for column in rules}}
    for column, check in rules.items():
        namespace[column] = pa.Field(nullable=True)
        namespace[f"_check_{column}"] = rule(column, check)
    return type(name, (_Raw,), namespace)


Models = table_model("Models", "One row per model file.", {
    "schema_version": c.integer_equal(1), "model_id": c.slug(), "name": c.text(), "organization": c.slug(),
    "released": c.date_like(), "domain": c.one_of(DOMAINS), "open_weights": c.boolean(), "family": c.slug(),
    "aliases": c.text_list(), "description": c.text(),
})
Claims = table_model("Claims", "One row per claim.", {
    "field": c.one_of(FIELDS), "as_written": c.text(), "status": c.one_of(STATUSES), "source_id": c.slug(),
    "locator": c.text(), "attributed_to": c.text(), "key": c.slug(), "note": c.text(),
    "stage": c.one_of(STAGES), "scope": c.one_of(SCOPES), "component": c.one_of(COMPONENTS),
    "context_window": c.one_of(CONTEXT_WINDOWS),
})
Sources = table_model("Sources", "One row per source file.", {
    "schema_version": c.integer_equal(1), "source_id": c.slug(), "title": c.text(), "authors": c.text_list(),
    "publisher": c.text(), "published": c.date_like(allow_undated=True), "kind": c.one_of(SOURCE_KINDS),
    "url": c.http_url(), "arxiv": c.arxiv_id(), "repository": c.text(), "path": c.text(), "note": c.text(),
    "accessed_via": c.one_of(ACCESS_MODES), "copy": c.text(),
})
Organizations = table_model("Organizations", "One row per organization.", {
    "organization": c.slug(), "name": c.text(), "url": c.http_url(),
})
Architectures = table_model("Architectures", "One row per model with an architecture block.", {
    "source_id": c.slug(), "note": c.text(),
})
Hardware = table_model("Hardware", "One row per accelerator file.", {
    "schema_version": c.integer_equal(1), "hardware_id": c.slug(), "name": c.text(), "vendor": c.text(),
    "aliases": c.text_list(), "peak_bf16_flops": c.peak_flops(), "price_usd_per_hour_low": c.positive_number(),
    "price_usd_per_hour_high": c.positive_number(), "source_id": c.slug(), "price_source_id": c.slug(),
    "note": c.text(),
})

MODELS = {"models": Models, "claims": Claims, "sources": Sources, "organizations": Organizations,
          "architectures": Architectures, "hardware": Hardware}
