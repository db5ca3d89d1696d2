"""Validate stage: pandera rules per table, then cross-table rules, then typed tables.

Every rule reports `file:line: path: expected ...; found ...`; all errors are collected first.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import unicodedata
from pathlib import PurePosixPath

import pandas as pd
import pandera.pandas as pa

from pipeline import clock
from pipeline.errors import DataError, DataErrors
from pipeline.fields import CONTEXT_WINDOW_FIELDS, FIELDS, PARAM_FIELDS
from pipeline.hfconfig import width_problems
from pipeline.load import Dataset, key_line, yaml_key
from pipeline.resolve import did_you_mean
from schemas.checks import finite_number
from schemas.tables import MODELS as TABLE_MODELS

# Values beyond these are typing slips, not claims (the largest real figures are ~1e26 FLOP, ~1e13 params).
PLAUSIBLE_MAX = {
    "params_total": 1e15, "params_active": 1e15, "params_embedding": 1e14, "params_non_embedding": 1e15,
    "num_layers": 1e4, "training_tokens": 1e16, "training_dataset_size": 1e16, "training_images": 1e12, "training_compute_flop": 1e30,
    "training_cost_usd": 1e11, "training_gpu_hours": 1e10, "training_duration_days": 3650,
    "training_chip_count": 1e7, "context_length": 1e9, "weights_gb_fp32": 1e7, "weights_gb_fp16": 1e7,
    "weights_gb_int8": 1e7, "weights_gb_int4": 1e7, "weights_gb": 1e7, "training_core_hours": 1e11,
}
# Counts start at one (a parameter count of 0.000001 or 5e-324 is a slip); a token or image count
# below a thousand is a missing multiplier ("1-2" meant as 1-2 trillion).
PLAUSIBLE_MIN = {**dict.fromkeys(PARAM_FIELDS, 1.0), "num_layers": 1.0, "training_chip_count": 1.0,
                 "context_length": 1.0, "training_tokens": 1e3, "training_images": 1e3}
# The earliest date a record may carry: the first learning machines (SNARC, 1951; the perceptron, 1958)
# come after it, so an earlier year is a typing slip ('0999', '1066'), not a model or a source about one.
EARLIEST_YEAR = 1950
# Fields that count whole things: a layer or a chip is never split
WHOLE_NUMBER_FIELDS = ("num_layers", "training_chip_count", "context_length")


def _shown(value) -> str:
    """A found value as a message shows it: text in double quotes, the rest as YAML would write it."""
    if isinstance(value, str):  # invisible characters (U+200B, controls) as \u escapes, so a message shows them
        return "".join(f"\\u{ord(char):04x}" if unicodedata.category(char) in ("Cf", "Cc", "Zl", "Zp") else char
                       for char in json.dumps(value, ensure_ascii=False))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return str(value)


def _error_at(table: pd.DataFrame, index, column: str, message: str) -> DataError:
    """A DataError for one cell of a loader table, using the row's file and the key's line."""
    row = table.loc[index]
    key = yaml_key(table.attrs["name"], column)
    prefix = row["path_prefix"]
    path = f"{prefix}.{key}" if prefix else key
    line = key_line(table.attrs["repository"], row["file"], path, int(row["line"]))
    return DataError(row["file"], line, path, message)


def schema_errors(dataset: Dataset) -> list[DataError]:
    """Run every table's pandera model lazily and turn each failure into a located error."""
    errors: list[DataError] = []
    for name, model in TABLE_MODELS.items():
        table = dataset.tables[name]
        if table.empty:
            continue
        try:
            model.validate(table, lazy=True)
        except pa.errors.SchemaErrors as failure:
            cases = failure.failure_cases
            cases = cases[cases["index"].notna()]
            for case in cases.itertuples():
                errors.append(_error_at(table, case.index, case.column, f"{case.check}; found {_shown(case.failure_case)}"
                                        + _closest_allowed(str(case.check), case.failure_case)))
    return errors


def _closest_allowed(check: str, found) -> str:
    """" (did you mean 'weights_gb_fp16'?)" for a misspelt word of an "expected one of A, B, C" rule, else ""."""
    prefix = "expected one of "
    if not check.startswith(prefix) or not isinstance(found, str):
        return ""
    return did_you_mean(found, check[len(prefix):].split(", "))


def _rows_where(table: pd.DataFrame, mask: pd.Series, column: str, message) -> list[DataError]:
    """Errors for the rows a vectorized rule flags; message is text or a function of the row."""
    return [_error_at(table, index, column, message(table.loc[index]) if callable(message) else message)
            for index in table.index[mask.fillna(False).astype(bool)]]


def _is_text(series: pd.Series) -> pd.Series:
    """Which cells hold text."""
    return series.map(lambda value: isinstance(value, str))


def _text_only(series: pd.Series) -> pd.Series:
    """A column as plain objects with only its text cells kept (others None)."""
    return series.map(lambda value: value if isinstance(value, str) else None).astype(object)


def _parse_date(value) -> tuple[dt.date | None, str]:
    """A date and its precision from YYYY-MM-DD / YYYY-MM / YYYY / 'undated'."""
    if isinstance(value, dt.datetime):
        return value.date(), "day"
    if isinstance(value, dt.date):
        return value, "day"
    text = str(value)
    if text == "undated" or value is None or (isinstance(value, float) and math.isnan(value)):
        return None, "undated"
    try:
        if len(text) == 4:
            return dt.date(int(text), 1, 1), "year"
        if len(text) == 7:
            return dt.date.fromisoformat(text + "-01"), "month"
        return dt.date.fromisoformat(text), "day"
    except ValueError:
        return None, "invalid"


def cross_table_errors(dataset: Dataset, today: dt.date) -> list[DataError]:
    """Rules that need more than one row or table: identity, references, duplicates, ordering."""
    models, claims, sources = dataset.models, dataset.claims, dataset.sources
    organizations, architectures, hardware = dataset.organizations, dataset.architectures, dataset.hardware
    # Identity columns with every non-text cell (a list, a mapping, a number: the schema reports those)
    # blanked, so comparing, hashing and matching them never meets an unhashable or non-string value
    models = models.assign(model_id=_text_only(models["model_id"]), organization=_text_only(models["organization"]))
    sources = sources.assign(source_id=_text_only(sources["source_id"]))
    organizations = organizations.assign(organization=_text_only(organizations["organization"]))
    hardware = hardware.assign(hardware_id=_text_only(hardware["hardware_id"]), source_id=_text_only(hardware["source_id"]),
                               price_source_id=_text_only(hardware["price_source_id"]))
    claims = claims.assign(model_id=_text_only(claims["model_id"]), field=_text_only(claims["field"]),
                           source_id=_text_only(claims["source_id"]))
    architectures = architectures.assign(model_id=_text_only(architectures["model_id"]),
                                         source_id=_text_only(architectures["source_id"]))
    for table, name in ((models, "models"), (sources, "sources"), (organizations, "organizations"),
                        (hardware, "hardware"), (claims, "claims"), (architectures, "architectures")):
        table.attrs.update(dataset.tables[name].attrs)
    errors: list[DataError] = []
    text_ids = _is_text(models["model_id"])

    # The path is the identity: data/models/<organization>/<id>.yaml (an imported row's is its snapshot and row)
    curated = ~models["file"].astype(str).str.startswith("data/imports/")
    stems = models["file"].map(lambda f: PurePosixPath(f).stem).astype(object)
    folders = models["file"].map(lambda f: PurePosixPath(f).parent.name).astype(object)
    errors += _rows_where(models, curated & text_ids & (models["model_id"] != stems), "model_id",
                          lambda r: f"expected the file name \"{PurePosixPath(r['file']).stem}\"; found {_shown(r['model_id'])}")
    errors += _rows_where(models, curated & _is_text(models["organization"]) & (models["organization"] != folders), "organization",
                          lambda r: f"expected the folder name \"{PurePosixPath(r['file']).parent.name}\"; found {_shown(r['organization'])}")
    duplicated = text_ids & models["model_id"].duplicated(keep=False)
    errors += _rows_where(models, duplicated, "model_id", lambda r: (
        f"the id {_shown(r['model_id'])} is used by more than one file: "
        + ", ".join(sorted(models.loc[models['model_id'] == r['model_id'], 'file']))))
    known_orgs = set(organizations["organization"].dropna())
    errors += _rows_where(models, _is_text(models["organization"]) & ~models["organization"].isin(known_orgs), "organization",
                          lambda r: f"expected an organization listed in data/organizations.yaml; found {_shown(r['organization'])}"
                          + did_you_mean(r["organization"], known_orgs))
    errors += _rows_where(organizations, organizations["organization"].duplicated(keep="first"), "organization",
                          lambda r: f"the organization id {_shown(r['organization'])} is listed twice")

    source_stems = sources["file"].map(lambda f: PurePosixPath(f).stem).astype(object)
    errors += _rows_where(sources, _is_text(sources["source_id"]) & (sources["source_id"] != source_stems), "source_id",
                          lambda r: f"expected the file name \"{PurePosixPath(r['file']).stem}\"; found {_shown(r['source_id'])}")
    has_authors = sources["authors"].map(lambda v: v is not None and v == v and v != [])
    errors += _rows_where(sources, ~has_authors & sources["publisher"].isna(), "publisher",
                          "a source needs `authors` or `publisher` (write publisher: unknown if nobody can name it)")
    # The published sources table joins authors with ", " and fills a missing publisher with them, so a file
    # that export could not write back the same way is refused here
    comma_in_name = sources["authors"].map(lambda v: isinstance(v, list) and any(isinstance(a, str) and ", " in a for a in v))
    errors += _rows_where(sources, comma_in_name, "authors", lambda r: (
        "expected one name per list item without \", \" inside; found "
        + _shown(next(a for a in r["authors"] if isinstance(a, str) and ", " in a))
        + " (split it into two items, or write the affiliation in parentheses: \"Granite Team (IBM)\")"))
    publisher_repeats = sources["authors"].map(lambda v: ", ".join(v) if isinstance(v, list) and all(
        isinstance(a, str) for a in v) else None).eq(sources["publisher"]) & _is_text(sources["publisher"])
    errors += _rows_where(sources, publisher_repeats, "publisher", lambda r: (
        f"the publisher repeats the authors ({_shown(r['publisher'])}); keep `publisher` alone for an organization, "
        "or `authors` alone for people"))
    hardware_stems = hardware["file"].map(lambda f: PurePosixPath(f).stem).astype(object)
    curated_chips = ~hardware["file"].astype(str).str.startswith("data/imports/")
    errors += _rows_where(hardware, curated_chips & _is_text(hardware["hardware_id"]) & (hardware["hardware_id"] != hardware_stems),
                          "hardware_id", lambda r: f"expected the file name \"{PurePosixPath(r['file']).stem}\"; found {_shown(r['hardware_id'])}")

    # How a source was read bounds what it can confirm
    is_copy = sources["accessed_via"].eq("copy")
    errors += _rows_where(sources, is_copy & ~_is_text(sources["copy"]), "accessed_via",
                          "with accessed_via: copy, name the copy that was read in `copy:` (repository, path, commit or archive)")
    unread = set(sources.loc[sources["accessed_via"].eq("not_read"), "source_id"].dropna())
    errors += _rows_where(claims, claims["status"].eq("confirmed") & claims["source_id"].isin(unread), "status", lambda r: (
        f"a claim can be confirmed only from a source that was read; {r['source_id']} says accessed_via: not_read "
        "(read it and update accessed_via, or give the claim the status its evidence supports)"))

    # References resolve
    known_sources = set(source_stems)  # the path is the identity; a wrong id inside is its own error
    for table in (claims, architectures, hardware):
        errors += _rows_where(table, _is_text(table["source_id"]) & ~table["source_id"].isin(known_sources), "source_id",
                              lambda r: f"expected a source id with a file in data/sources/; found {_shown(r['source_id'])}"
                              + did_you_mean(r["source_id"], known_sources))
    errors += _rows_where(hardware, _is_text(hardware["price_source_id"]) & ~hardware["price_source_id"].isin(known_sources),
                          "price_source_id", lambda r: f"expected a source id with a file in data/sources/; found {_shown(r['price_source_id'])}"
                          + did_you_mean(r["price_source_id"], known_sources))

    # Claims: one per model, field, source and key; numbers ordered and plausible
    identity = claims["model_id"].map(str)
    for column in ("field", "source_id", "key"):
        identity = identity + "|" + claims[column].map(lambda v: v if isinstance(v, str) else "")
    twins = identity.duplicated(keep="first") & ~claims["model_id"].isin(models.loc[duplicated, "model_id"])
    first_line = identity.map(claims.groupby(identity)["line"].first())
    errors += _rows_where(claims, twins, "key", lambda r: (
        f"another claim on line {first_line[r.name]} has the same field and source; "
        "give each a distinct `key:` (e.g. key: table)"))
    errors += _claim_id_collisions(claims, twins | claims["model_id"].isin(models.loc[duplicated, "model_id"]))
    numeric = pd.to_numeric(claims["value"], errors="coerce")
    low = pd.to_numeric(claims["low"], errors="coerce")
    high = pd.to_numeric(claims["high"], errors="coerce")
    errors += _rows_where(claims, (low > numeric) | (numeric > high) | (low > high), "as_written",
                          lambda r: f"expected low <= value <= high; found low={r['low']}, value={r['value']}, high={r['high']}")
    ceiling = claims["field"].map(PLAUSIBLE_MAX)
    biggest = pd.concat([numeric, low, high], axis=1).max(axis=1)
    errors += _rows_where(claims, biggest > ceiling, "as_written", lambda r: (
        f"expected at most {PLAUSIBLE_MAX[r['field']]:.0e} {FIELDS[r['field']].unit} for {r['field']}; "
        f"found {_shown(r['as_written'])}"))
    misplaced_window = claims["context_window"].notna() & ~claims["field"].isin(CONTEXT_WINDOW_FIELDS)
    errors += _rows_where(claims, misplaced_window, "context_window", lambda r: (
        f"`context_window` says which window a context length is, so it belongs to {', '.join(CONTEXT_WINDOW_FIELDS)} only; "
        f"found it on {_shown(r['field'])} (remove it, or use stage/scope/component)"))
    errors += _active_over_total(claims, numeric)
    errors += _implausibly_small(claims, numeric, low, high)
    errors += _hardware_errors(hardware)
    errors += _architecture_errors(architectures)

    # Dates are not in the future, nor before the first learning machines
    for table, column in ((models, "released"), (sources, "published")):
        dates = table[column].map(lambda v: _parse_date(v)[0])
        future = dates.map(lambda d: d is not None and d > today)
        errors += _rows_where(table, future, column,
                              lambda r: f"expected a date on or before {today.isoformat()}; found {_shown(str(r[column]))}")
        early = dates.map(lambda d: d is not None and d.year < EARLIEST_YEAR)
        errors += _rows_where(table, early, column,
                              lambda r: f"expected a date in {EARLIEST_YEAR} or later; found {_shown(str(r[column]))}")
    return errors


def _active_over_total(claims: pd.DataFrame, numeric: pd.Series) -> list[DataError]:
    """params_active must not exceed params_total from the same model and source."""
    frame = claims.assign(number=numeric)
    totals = frame[frame["field"] == "params_total"].groupby(["model_id", "source_id"])["number"].max()
    active = frame[frame["field"] == "params_active"]
    if active.empty or totals.empty:
        return []
    paired = active.join(totals.rename("total"), on=["model_id", "source_id"])
    return _rows_where(claims.loc[paired.index], paired["number"] > paired["total"], "as_written", lambda r: (
        f"expected params_active <= params_total ({paired.loc[r.name, 'total']:,.0f}) from the same source; "
        f"found {_shown(r['as_written'])}"))


def claim_ids(claims: pd.DataFrame) -> pd.Series:
    """claim_id = model.field.source[.key], the published, citable identity of a claim."""
    key = claims["key"].where(claims["key"].notna(), None)
    return claims["model_id"].map(str) + "." + claims["field"].map(str) + "." + claims["source_id"].map(str) + key.map(
        lambda k: f".{k}" if isinstance(k, str) else "")


def _claim_id_collisions(claims: pd.DataFrame, reported: pd.Series) -> list[DataError]:
    """Two different claims whose ids spell the same text: a key equal to another source id's suffix
    (source `card` with key `table`, and source `card.table`). `cite` could return only one of them."""
    ids = claim_ids(claims)
    collide = ids.duplicated(keep="first") & ~reported.fillna(False).astype(bool)
    if not collide.any():
        return []
    first_line = ids.map(claims.groupby(ids)["line"].first())
    return _rows_where(claims, collide, "key", lambda r: (
        f"the claim id \"{ids[r.name]}\" is also the id of the claim on line {first_line[r.name]}; "
        "choose a `key:` that no source id ends with"))


def _implausibly_small(claims: pd.DataFrame, numeric: pd.Series, low: pd.Series, high: pd.Series) -> list[DataError]:
    """Counts below PLAUSIBLE_MIN, and fractions in fields that count whole things (32.5 layers)."""
    smallest = pd.concat([numeric, low, high], axis=1).min(axis=1)
    floor = claims["field"].map(PLAUSIBLE_MIN)
    errors = _rows_where(claims, smallest < floor, "as_written", lambda r: (
        f"expected at least {PLAUSIBLE_MIN[r['field']]:,.0f} {FIELDS[r['field']].unit} for {r['field']}; "
        f"found {_shown(r['as_written'])}"))
    whole = claims["field"].isin(WHOLE_NUMBER_FIELDS)
    fractional = pd.concat([(column % 1).abs() > 0 for column in (numeric, low, high)], axis=1).any(axis=1)
    errors += _rows_where(claims, whole & fractional & ~(smallest < floor), "as_written", lambda r: (
        f"expected a whole number of {FIELDS[r['field']].unit} for {r['field']}; found {_shown(r['as_written'])}"))
    return errors


def _squashed_alias(alias: str) -> str:
    """An alias as the hardware matcher compares it: lower case without spaces, '_' and '-'."""
    return "".join(char for char in alias.lower() if not char.isspace() and char not in "_-")


def _hardware_errors(hardware: pd.DataFrame) -> list[DataError]:
    """A price band must go from low to high, and no alias may name two chips (the matcher would pick
    one of them at random for every claim that names it)."""
    price_low = pd.to_numeric(hardware["price_usd_per_hour_low"].map(finite_number), errors="coerce")
    price_high = pd.to_numeric(hardware["price_usd_per_hour_high"].map(finite_number), errors="coerce")
    errors = _rows_where(hardware, price_low > price_high, "price_usd_per_hour_low", lambda r: (
        f"expected price_usd_per_hour_low <= price_usd_per_hour_high; found {r['price_usd_per_hour_low']} > "
        f"{r['price_usd_per_hour_high']}"))
    owner: dict[str, str] = {}
    for index, row in hardware.iterrows():  # a few dozen chips: a loop is clearer than a self-join
        aliases = row["aliases"] if isinstance(row["aliases"], list) else []
        for alias in aliases:
            squashed = _squashed_alias(alias) if isinstance(alias, str) else ""
            other = owner.setdefault(squashed, str(row["hardware_id"])) if squashed else str(row["hardware_id"])
            if other != str(row["hardware_id"]):
                errors.append(_error_at(hardware, index, "aliases",
                                        f"the alias {_shown(alias)} already names the chip {_shown(other)}; "
                                        "an alias may name one chip only"))
    return errors


def _architecture_errors(architectures: pd.DataFrame) -> list[DataError]:
    """Width keys of hf_config and overrides that the formula engine must not count (see
    pipeline.hfconfig.width_problems): booleans, fractions, zero, or widths that would overflow."""
    errors = []
    for index, row in architectures.iterrows():  # one row per model with an architecture block
        for column in ("hf_config", "overrides"):
            config = json.loads(row[column]) if isinstance(row[column], str) else {}
            for key, message in width_problems(config):
                path = f"architecture.{column}.{key}"
                line = key_line(architectures.attrs["repository"], row["file"], path, int(row["line"]))
                errors.append(DataError(row["file"], line, path, message))
    return errors


def typed_tables(dataset: Dataset) -> dict[str, pd.DataFrame]:
    """The validated tables with proper types and the published column names."""
    models, claims, sources = dataset.models, dataset.claims, dataset.sources
    released = models["released"].map(_parse_date)
    published = sources["published"].map(_parse_date)
    key = claims["key"].where(claims["key"].notna(), None)
    claim_id = claim_ids(claims)
    authors = sources["authors"].map(lambda v: ", ".join(v) if isinstance(v, list) else None)
    text = lambda series: series.astype("str")  # noqa: E731 - missing values stay NaN
    return {
        "models": pd.DataFrame({
            "model_id": text(models["model_id"]), "name": text(models["name"]),
            "organization": text(models["organization"]),
            "released": pd.to_datetime(released.map(lambda d: d[0])).dt.date,
            "released_precision": text(released.map(lambda d: d[1])),
            "domain": text(models["domain"]), "open_weights": models["open_weights"].astype("boolean"),
            "family": text(models["family"]),
            "aliases": text(models["aliases"].map(lambda v: "; ".join(v) if isinstance(v, list) else None)),
            "description": text(models["description"]), "file": text(models["file"]),
        }),
        "claims": pd.DataFrame({
            "claim_id": text(claim_id), "model_id": text(claims["model_id"]), "field": text(claims["field"]),
            "value": pd.to_numeric(claims["value"]).astype("float64"),
            "low": pd.to_numeric(claims["low"]).astype("float64"),
            "high": pd.to_numeric(claims["high"]).astype("float64"),
            "as_written": text(claims["as_written"]), "precision": text(claims["precision"]),
            "sig_figs": pd.to_numeric(claims["sig_figs"]).astype("Int64"),
            "approximate": claims["approximate"].astype("boolean"),
            "unit": text(claims["field"].map(lambda f: FIELDS[f].unit)),
            "status": text(claims["status"]), "source_id": text(claims["source_id"]),
            "locator": text(claims["locator"]), "attributed_to": text(claims["attributed_to"]),
            "note": text(claims["note"]), "key": text(key),
            "stage": text(claims["stage"].where(claims["stage"].notna(), "pre-training")),
            "scope": text(claims["scope"].where(claims["scope"].notna(), "model")),
            "component": text(claims["component"]),
            "context_window": text(claims["context_window"]),
            "file": text(claims["file"]),
            "line": claims["line"].astype("int64"), "claim_index": claims["claim_index"].astype("int64"),
        }),
        "sources": pd.DataFrame({
            "source_id": text(sources["source_id"]), "title": text(sources["title"]),
            "publisher": text(sources["publisher"].where(sources["publisher"].notna(), authors)),
            "authors": text(authors),
            "published": pd.to_datetime(published.map(lambda d: d[0])).dt.date,
            "published_precision": text(published.map(lambda d: d[1])),
            "kind": text(sources["kind"]), "url": text(sources["url"]), "arxiv": text(sources["arxiv"]),
            "repository": text(sources["repository"]), "path": text(sources["path"]),
            "accessed_via": text(sources["accessed_via"]), "copy": text(sources["copy"]),
            "note": text(sources["note"]), "file": text(sources["file"]),
        }),
        "organizations": pd.DataFrame({
            "organization_id": text(dataset.organizations["organization"]),
            "name": text(dataset.organizations["name"]), "url": text(dataset.organizations["url"]),
        }),
        "architectures": pd.DataFrame({
            "model_id": text(dataset.architectures["model_id"]),
            "source_id": text(dataset.architectures["source_id"]),
            "hf_config": text(dataset.architectures["hf_config"]),
            "overrides": text(dataset.architectures["overrides"]),
            "note": text(dataset.architectures["note"]), "file": text(dataset.architectures["file"]),
        }),
        "hardware": pd.DataFrame({
            "hardware_id": text(dataset.hardware["hardware_id"]), "name": text(dataset.hardware["name"]),
            "vendor": text(dataset.hardware["vendor"]),
            "aliases": text(dataset.hardware["aliases"].map(lambda v: "; ".join(v) if isinstance(v, list) else None)),
            "peak_bf16_flops": pd.to_numeric(dataset.hardware["peak_bf16_flops"]).astype("float64"),
            "price_usd_per_hour_low": pd.to_numeric(dataset.hardware["price_usd_per_hour_low"]).astype("float64"),
            "price_usd_per_hour_high": pd.to_numeric(dataset.hardware["price_usd_per_hour_high"]).astype("float64"),
            "source_id": text(dataset.hardware["source_id"]),
            "price_source_id": text(dataset.hardware["price_source_id"]),
            "note": text(dataset.hardware["note"]),
        }),
    }


# The contract's columns come first, in the contract's order; extra columns follow.
LEADING = {
    "models": ["model_id", "name", "organization", "released", "domain", "open_weights", "file"],
    "claims": ["claim_id", "model_id", "field", "value", "low", "high", "as_written", "precision", "status",
               "source_id", "locator", "note", "file", "line"],
    "sources": ["source_id", "title", "publisher", "published", "kind", "url"],
}


def _ordered(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Tables with the contract's columns first."""
    for name, leading in LEADING.items():
        table = tables[name]
        tables[name] = table[leading + [c for c in table.columns if c not in leading]]
    return tables


def validate(dataset: Dataset, today: dt.date | None = None) -> dict[str, pd.DataFrame]:
    """All errors of a loaded dataset, or its typed tables; raises DataErrors listing every problem."""
    # Load
    today = today or clock.today()
    # Process
    errors = list(dataset.errors) + schema_errors(dataset) + cross_table_errors(dataset, today)
    if errors:
        raise DataErrors(errors)
    # Save
    return _ordered(typed_tables(dataset))
