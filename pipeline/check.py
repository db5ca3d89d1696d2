"""Check stage: which published numbers hold up.

Each check is a small function over whole tables that returns rows of the `checks` table:
(check_id, claim_id, model_id, check, verdict, expected, observed, rel_diff, detail).
Inconsistent claims are findings for readers, never build failures.
"""
from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from pipeline.derive import empty_derived
from pipeline.imports.epoch import yearly_chip_prices
from pipeline.scaling import BESIROGLU_2024, HOFFMANN_2022, TOKENS_PER_PARAM_RULE

CHECK_COLUMNS = ["check_id", "claim_id", "model_id", "check", "verdict", "expected", "observed", "rel_diff", "detail"]
CONSISTENT, INCONSISTENT, UNVERIFIABLE = "consistent", "inconsistent", "unverifiable"

UTILIZATION_BAND = (0.2, 0.6)  # share of peak FLOP/s that large training runs reach (model FLOP utilization)
COMPUTE_6ND_TOLERANCE = 0.25  # 6ND ignores attention FLOPs and rounding of N and D: accept +/-25%
MEMORY_TOLERANCE = 0.05  # GB vs GiB, file metadata and rounding: accept +/-5% or the stated precision
CHINCHILLA_BAND = (0.5, 2.0)  # tokens per parameter within 2x of 20 counts as near compute-optimal
BYTES_PER_PARAM = {"weights_gb_fp32": 4.0, "weights_gb_fp16": 2.0, "weights_gb_int8": 1.0, "weights_gb_int4": 0.5}
FORMULA_QUANTITY = {"params_total": "params_total_formula", "params_active": "params_active_formula",
                    "params_embedding": "params_embedding_formula",
                    "params_non_embedding": "params_non_embedding_formula"}
STATUS_RANK = {"confirmed": 1, "estimated": 2, "rumored": 3}


# ---------------------------------------------------------------- helpers (vectorized)

def implied_interval(claims: pd.DataFrame) -> pd.DataFrame:
    """The range of true values each claim allows as written: exact, rounded (half a unit), range or bound."""
    value, low, high = claims["value"], claims["low"], claims["high"]
    sig_figs = claims["sig_figs"].astype("float64")
    exponent = np.floor(np.log10(value.where(value > 0)))
    half_unit = 0.5 * 10.0 ** (exponent - sig_figs + 1)
    precision = claims["precision"].astype(object).fillna("")
    lower = pd.Series(np.nan, index=claims.index)
    upper = pd.Series(np.nan, index=claims.index)
    rounded = precision.str.endswith(" sf")
    lower[rounded], upper[rounded] = (value - half_unit)[rounded], (value + half_unit)[rounded]
    exact = precision == "exact"
    lower[exact], upper[exact] = value[exact], value[exact]
    spans = precision.isin(["range", "order of magnitude"])
    lower[spans], upper[spans] = low[spans], high[spans]
    at_least = precision == "lower bound"
    lower[at_least], upper[at_least] = low[at_least], np.inf
    at_most = precision == "upper bound"
    lower[at_most], upper[at_most] = 0.0, high[at_most]
    return pd.DataFrame({"implied_low": lower.astype("float64"), "implied_high": upper.astype("float64")})


def _fmt(number: float) -> str:
    """A number as the details write it: 70,015,266,816 or 1.76e+12 style for huge values."""
    if number is None or pd.isna(number):
        return "n/a"
    if number == np.inf:
        return "infinity"
    if abs(number) >= 1e16:
        return f"{number:.3g}"
    return f"{number:,.0f}" if abs(number) >= 100 else f"{number:,.3g}"


def _pct(rel: float) -> str:
    """A relative difference as a signed percentage."""
    return "n/a" if pd.isna(rel) else f"{rel * 100:+.2f}%"


def F(series: pd.Series) -> pd.Series:
    """Numbers formatted for detail sentences (as _fmt does), one format call per cell and no branching."""
    values = pd.to_numeric(series, errors="coerce").astype("float64")
    magnitude = values.abs()
    result = pd.Series("n/a", index=series.index, dtype="object")
    for mask, pattern in ((magnitude >= 1e16, "{:.3g}"), ((magnitude >= 100) & (magnitude < 1e16), "{:,.0f}"),
                          (magnitude < 100, "{:,.3g}")):
        if mask.any():
            result[mask] = values[mask].map(pattern.format)
    result[values == np.inf] = "infinity"
    return result.astype("str")


def P(series: pd.Series) -> pd.Series:
    """Relative differences formatted as signed percentages, element-wise."""
    return series.map(_pct).astype("str")


def claimed(frame: pd.DataFrame) -> pd.Series:
    """How each claim's value reads in a detail sentence."""
    precision = frame["precision"]
    text = frame["as_written"].astype(str) + " (±" + F(frame["implied_high"] - frame["value"]) + ")"
    text = text.mask(precision == "exact", F(frame["value"]) + " exactly")
    text = text.mask(precision.isin(["range", "order of magnitude"]), F(frame["low"]) + " to " + F(frame["high"]))
    text = text.mask(precision == "lower bound", "at least " + F(frame["low"]))
    return text.mask(precision == "upper bound", "at most " + F(frame["high"]))


def choose(condition: pd.Series, if_true: pd.Series | str, if_false: pd.Series | str) -> pd.Series:
    """Element-wise choice between two sentences."""
    return pd.Series(np.where(condition, if_true, if_false), index=condition.index, dtype="object")


def _rows(frame: pd.DataFrame, check: str, verdict, expected, observed, detail) -> pd.DataFrame:
    """Check rows for the claims in `frame`."""
    if frame.empty:
        return pd.DataFrame(columns=CHECK_COLUMNS)
    expected = pd.Series(expected, index=frame.index, dtype="float64")
    observed = pd.Series(observed, index=frame.index, dtype="float64")
    rel_diff = (expected / observed - 1).where(observed.notna() & (observed != 0) & expected.notna())
    return pd.DataFrame({
        "check_id": frame["claim_id"] + ":" + check, "claim_id": frame["claim_id"], "model_id": frame["model_id"],
        "check": check, "verdict": pd.Series(verdict, index=frame.index), "expected": expected,
        "observed": observed, "rel_diff": rel_diff, "detail": pd.Series(detail, index=frame.index).astype(object),
    })


def _within(frame: pd.DataFrame, truth: pd.Series) -> pd.Series:
    """Whether each claim's implied interval contains the true value."""
    return (truth >= frame["implied_low"]) & (truth <= frame["implied_high"])


def with_origin(claims: pd.DataFrame) -> pd.DataFrame:
    """Claims with an `origin` column (NULL for curated claims; set by the import of a snapshot)."""
    return claims if "origin" in claims.columns else claims.assign(origin=None)


def reference_values(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per model and field, the best-supported value: formula first, then confirmed, estimated, rumored."""
    with duckdb.connect() as connection:
        connection.register("claims", with_origin(tables["claims"]))
        connection.register("derived", tables["derived"])
        return connection.execute(BEST_VALUE_SQL).fetchdf()


# The same definition serves the published model_summary view and the checks' reference values.
BEST_VALUE_SQL = """
WITH candidates AS (
    SELECT model_id, replace(quantity, '_formula', '') AS field, value, 'formula' AS basis,
           NULL::VARCHAR AS claim_id, 0 AS rank, 0 AS vagueness
    FROM derived WHERE quantity LIKE 'params_%_formula'
    UNION ALL
    SELECT model_id, field, value, status, claim_id,
           CASE status WHEN 'confirmed' THEN 1 WHEN 'estimated' THEN 2 ELSE 3 END
               + CASE WHEN origin IS NULL THEN 0 ELSE 0.5 END,  -- imported: below curated claims of its status
           CASE WHEN precision = 'exact' THEN 0 WHEN precision LIKE '% sf' THEN 10 - sig_figs
                WHEN precision = 'range' THEN 20 ELSE 30 END
    FROM claims WHERE value IS NOT NULL AND precision NOT IN ('lower bound', 'upper bound', 'order of magnitude')
),
ranked AS (
    SELECT *, row_number() OVER (PARTITION BY model_id, field ORDER BY rank, vagueness, claim_id) AS position
    FROM candidates
)
SELECT model_id, field, value AS best_value, basis, claim_id AS best_claim_id
FROM ranked WHERE position = 1
"""


def _best(references: pd.DataFrame, field: str) -> pd.Series:
    """Best value of one field, indexed by model."""
    rows = references[references["field"] == field]
    return rows.set_index("model_id")["best_value"]


def _lookup(frame: pd.DataFrame, values: pd.Series) -> pd.Series:
    """Per-model numbers looked up for each claim row (NaN where the model has none)."""
    return frame["model_id"].map(values).astype("float64")


def _params_for_training(references: pd.DataFrame) -> pd.Series:
    """N for 6ND and Chinchilla: active parameters (MoE), else total."""
    return _best(references, "params_active").combine_first(_best(references, "params_total"))


# ---------------------------------------------------------------- checks

def check_formula_params(claims: pd.DataFrame, derived: pd.DataFrame) -> pd.DataFrame:
    """Parameter claims against the formula-derived count, at the claim's own precision."""
    frame = claims[claims["field"].isin(FORMULA_QUANTITY)].copy()
    if frame.empty:
        return pd.DataFrame(columns=CHECK_COLUMNS)
    formula = derived.set_index(["model_id", "quantity"])["value"]
    keys = pd.MultiIndex.from_arrays([frame["model_id"], frame["field"].map(FORMULA_QUANTITY)])
    frame["truth"] = formula.reindex(keys).to_numpy()
    known = frame["truth"].notna()
    holds = _within(frame, frame["truth"])
    verdict = np.where(~known, UNVERIFIABLE, np.where(holds, CONSISTENT, INCONSISTENT))
    detail = choose(known, "claimed " + claimed(frame) + "; the released architecture gives " + F(frame["truth"])
                    + " (" + P(frame["truth"] / frame["value"] - 1) + ")",
                    "no published architecture to derive this count from")
    return _rows(frame, "formula_params", verdict, frame["truth"], frame["value"], detail)


def check_moe_active(claims: pd.DataFrame, references: pd.DataFrame) -> pd.DataFrame:
    """Active-parameter claims: at most the model's total, and below it only for a sparse model."""
    frame = claims[claims["field"] == "params_active"].copy()
    if frame.empty:
        return pd.DataFrame(columns=CHECK_COLUMNS)
    frame["total"] = _lookup(frame, _best(references, "params_total"))
    known = frame["total"].notna() & frame["implied_low"].notna()
    fits = frame["implied_low"] <= frame["total"]
    verdict = np.where(~known, UNVERIFIABLE, np.where(fits, CONSISTENT, INCONSISTENT))
    share = (frame["value"] / frame["total"]).map(lambda x: f"{x:.1%}" if x == x else "n/a")
    detail = choose(known, "claims " + claimed(frame) + " active of " + F(frame["total"]) + " total (" + share
                    + " of the model)" + choose(fits, "", "; active parameters cannot exceed the total"),
                    "no total parameter count to compare with")
    return _rows(frame, "moe_active", verdict, frame["total"], frame["value"], detail)


def check_chinchilla_ratio(claims: pd.DataFrame, references: pd.DataFrame) -> pd.DataFrame:
    """Training tokens per parameter against the ~20:1 compute-optimal ratio."""
    frame = claims[(claims["field"] == "training_tokens") & claims["value"].notna()].copy()
    if frame.empty:
        return pd.DataFrame(columns=CHECK_COLUMNS)
    frame["params"] = _lookup(frame, _params_for_training(references))
    known = frame["params"].notna()
    ratio = frame["value"] / frame["params"]
    optimal = frame["params"] * TOKENS_PER_PARAM_RULE
    near = ratio.between(TOKENS_PER_PARAM_RULE * CHINCHILLA_BAND[0], TOKENS_PER_PARAM_RULE * CHINCHILLA_BAND[1])
    verdict = np.where(known, CONSISTENT, UNVERIFIABLE)
    one_decimal = lambda series: series.map(lambda x: f"{x:.1f}")  # noqa: E731
    label = choose(near, "near compute-optimal",
                   choose(ratio < TOKENS_PER_PARAM_RULE, "under-trained by " + one_decimal(TOKENS_PER_PARAM_RULE / ratio) + "x",
                          "over-trained by " + one_decimal(ratio / TOKENS_PER_PARAM_RULE) + "x"))
    detail = choose(known, F(frame["value"]) + " tokens on " + F(frame["params"]) + " parameters is "
                    + one_decimal(ratio) + " tokens per parameter; compute-optimal is about "
                    f"{TOKENS_PER_PARAM_RULE:.0f} (Hoffmann et al. 2022): " + label,
                    "no parameter count to divide the tokens by")
    return _rows(frame, "chinchilla_ratio", verdict, optimal, frame["value"], detail)


def check_compute_6nd(claims: pd.DataFrame, references: pd.DataFrame) -> pd.DataFrame:
    """Claimed training compute against 6·N·D (N active for MoE), within ±25%."""
    frame = claims[(claims["field"] == "training_compute_flop") & claims["value"].notna()].copy()
    if frame.empty:
        return pd.DataFrame(columns=CHECK_COLUMNS)
    frame["params"] = _lookup(frame, _params_for_training(references))
    frame["tokens"] = _lookup(frame, _best(references, "training_tokens"))
    frame["truth"] = 6 * frame["params"] * frame["tokens"]
    known = frame["truth"].notna()
    low, high = frame["truth"] * (1 - COMPUTE_6ND_TOLERANCE), frame["truth"] * (1 + COMPUTE_6ND_TOLERANCE)
    overlaps = (frame["implied_high"] >= low) & (frame["implied_low"] <= high)
    verdict = np.where(~known, UNVERIFIABLE, np.where(overlaps, CONSISTENT, INCONSISTENT))
    detail = choose(known, "claimed " + claimed(frame) + " FLOP; 6 x " + F(frame["params"]) + " parameters x "
                    + F(frame["tokens"]) + " tokens = " + F(frame["truth"]) + " FLOP ("
                    + P(frame["truth"] / frame["value"] - 1) + ")",
                    "needs both a parameter count and a token count")
    return _rows(frame, "compute_6nd", verdict, frame["truth"], frame["value"], detail)


def model_hardware(claims: pd.DataFrame, hardware: pd.DataFrame) -> pd.DataFrame:
    """Each model's training chip, matched from its training_hardware claims to data/hardware aliases."""
    text = claims[claims["field"] == "training_hardware"][["model_id", "as_written", "status"]].copy()
    if text.empty or hardware.empty:
        return pd.DataFrame(columns=["hardware_id", "peak_bf16_flops", "price_low", "price_high"])
    squashed = text["as_written"].str.lower().str.replace(r"[\s_-]", "", regex=True)
    aliases = hardware.assign(alias=hardware["aliases"].fillna("").str.split("; ")).explode("alias")
    aliases["alias"] = aliases["alias"].str.lower().str.replace(r"[\s_-]", "", regex=True)
    aliases = aliases[aliases["alias"] != ""]
    matches = text.assign(squashed=squashed).merge(aliases, how="cross")
    matches = matches[[alias in written for alias, written in zip(matches["alias"], matches["squashed"])]]
    # Epoch import: curated chips first, then the most specific (longest) alias
    imported = matches["origin"].notna() if "origin" in matches.columns else False
    matches = matches.assign(rank=matches["status"].map(STATUS_RANK), imported=imported,
                             specific=-matches["alias"].str.len())
    matches = matches.sort_values(["model_id", "rank", "imported", "specific"], kind="stable")
    chosen = matches.drop_duplicates("model_id").set_index("model_id")
    return pd.DataFrame({"hardware_id": chosen["hardware_id"], "peak_bf16_flops": chosen["peak_bf16_flops"],
                         "price_low": chosen["price_usd_per_hour_low"], "price_high": chosen["price_usd_per_hour_high"]})


def check_compute_hardware(claims: pd.DataFrame, references: pd.DataFrame, chips: pd.DataFrame) -> pd.DataFrame:
    """Claimed GPU-hours against the compute they must deliver at 20-60% of the chip's peak."""
    frame = claims[(claims["field"] == "training_gpu_hours") & claims["value"].notna()].copy()
    if frame.empty:
        return pd.DataFrame(columns=CHECK_COLUMNS)
    compute = _best(references, "training_compute_flop")
    six_nd = 6 * _params_for_training(references) * _best(references, "training_tokens")
    frame["compute"] = _lookup(frame, compute.combine_first(six_nd))
    frame["peak"] = _lookup(frame, chips["peak_bf16_flops"]) if not chips.empty else np.nan
    frame["chip"] = frame["model_id"].map(chips["hardware_id"]) if not chips.empty else None
    seconds_at_peak = frame["compute"] / frame["peak"]
    hours_low = seconds_at_peak / UTILIZATION_BAND[1] / 3600
    hours_high = seconds_at_peak / UTILIZATION_BAND[0] / 3600
    known = hours_low.notna()
    overlaps = (frame["implied_high"] >= hours_low) & (frame["implied_low"] <= hours_high)
    utilization = seconds_at_peak / 3600 / frame["value"]
    verdict = np.where(~known, UNVERIFIABLE, np.where(overlaps, CONSISTENT, INCONSISTENT))
    detail = choose(known, F(frame["compute"]) + " FLOP on " + frame["chip"].astype(str) + " ("
                    + F(frame["peak"] / 1e12) + " TFLOP/s peak) needs " + F(hours_low) + " to " + F(hours_high)
                    + " GPU-hours at 20-60% utilization; the claimed " + F(frame["value"]) + " implies "
                    + utilization.map(lambda x: f"{x:.0%}" if x == x else "n/a") + " utilization",
                    "needs a compute figure (claimed or 6ND) and a known training chip")
    expected = seconds_at_peak / np.mean(UTILIZATION_BAND) / 3600
    return _rows(frame, "compute_hardware", verdict, expected, frame["value"], detail)


def check_cost_hardware(claims: pd.DataFrame, references: pd.DataFrame, chips: pd.DataFrame) -> pd.DataFrame:
    """Claimed training cost against GPU-hours times the chip's sourced price band."""
    frame = claims[(claims["field"] == "training_cost_usd") & claims["value"].notna()].copy()
    if frame.empty:
        return pd.DataFrame(columns=CHECK_COLUMNS)
    frame["gpu_hours"] = _lookup(frame, _best(references, "training_gpu_hours"))
    frame["price_low"] = _lookup(frame, chips["price_low"]) if not chips.empty else np.nan
    frame["price_high"] = _lookup(frame, chips["price_high"]) if not chips.empty else np.nan
    low, high = frame["gpu_hours"] * frame["price_low"], frame["gpu_hours"] * frame["price_high"]
    known = low.notna() & high.notna()
    overlaps = (frame["implied_high"] >= low) & (frame["implied_low"] <= high)
    verdict = np.where(~known, UNVERIFIABLE, np.where(overlaps, CONSISTENT, INCONSISTENT))
    detail = choose(known, "claimed $" + claimed(frame) + "; " + F(frame["gpu_hours"]) + " GPU-hours at $"
                    + F(frame["price_low"]) + "-" + F(frame["price_high"]) + " per hour cost $" + F(low) + " to $" + F(high),
                    "needs GPU-hours and a sourced price for the training chip")
    return _rows(frame, "cost_hardware", verdict, (low + high) / 2, frame["value"], detail)


# Every pair of claims on one model and field from two sources; a pair is disjoint when the ranges of
# values the two claims allow do not overlap, and "faulted" when the other claim's status is as strong.
CONFLICT_SQL = """
WITH ranked AS (
    SELECT *, CASE status WHEN 'confirmed' THEN 1 WHEN 'estimated' THEN 2 ELSE 3 END
              + CASE WHEN origin IS NULL THEN 0 ELSE 0.5 END AS rank  -- imported: never faults a curated claim
    FROM numeric
),
pairs AS (
    SELECT a.claim_id, b.claim_id AS other,
           a.implied_high < b.implied_low OR a.implied_low > b.implied_high AS disjoint,
           b.rank <= a.rank AS stronger
    FROM ranked a JOIN ranked b ON a.model_id = b.model_id AND a.field = b.field AND a.source_id <> b.source_id
)
SELECT claim_id, count(*) AS compared,
       count(*) FILTER (WHERE disjoint) AS disagreeing,
       count(*) FILTER (WHERE disjoint AND stronger) AS faulted,
       coalesce(array_to_string(list_slice(list(other ORDER BY other) FILTER (WHERE disjoint), 1, 5), ', '), '')
           AS against
FROM pairs GROUP BY claim_id
"""


def check_conflict(claims: pd.DataFrame, derived: pd.DataFrame | None = None) -> pd.DataFrame:
    """Claims on the same model and field from different sources that cannot both be true.

    A claim is inconsistent when it cannot be reconciled with a claim of equal or stronger status
    (confirmed > estimated > rumored): a developer's figure is not faulted for a rumor that contradicts it,
    and no claim that agrees with the formula-derived count is faulted at all.
    """
    numeric = claims[claims["implied_low"].notna() & claims["implied_high"].notna()]
    with duckdb.connect() as connection:
        connection.register("numeric", with_origin(numeric)[["claim_id", "model_id", "field", "source_id", "status",
                                                             "implied_low", "implied_high", "origin"]])
        summary = connection.execute(CONFLICT_SQL).fetchdf().set_index("claim_id")
    if summary.empty:
        return pd.DataFrame(columns=CHECK_COLUMNS)
    frame = numeric.set_index("claim_id").join(summary, how="inner").reset_index()
    frame["against"] = frame["against"].fillna("").astype(str)
    if derived is not None and not derived.empty:
        formula = derived.set_index(["model_id", "quantity"])["value"]
        keys = pd.MultiIndex.from_arrays([frame["model_id"], frame["field"].map(FORMULA_QUANTITY)])
        truth = pd.Series(formula.reindex(keys).to_numpy(), index=frame.index)
        frame.loc[_within(frame, truth), "faulted"] = 0
    verdict = np.where(frame["faulted"] > 0, INCONSISTENT, CONSISTENT)
    compared = frame["compared"].astype(str)
    disagreement = ("cannot be reconciled with " + frame["disagreeing"].astype(int).astype(str) + " of " + compared
                    + " claims from other sources: " + frame["against"])
    detail = choose(frame["disagreeing"] == 0, "agrees with all " + compared + " claims from other sources",
                    choose(frame["faulted"] > 0, disagreement, disagreement + " (all of weaker status)"))
    return _rows(frame, "conflict", verdict, np.nan, frame["value"], detail)


def check_memory(claims: pd.DataFrame, references: pd.DataFrame) -> pd.DataFrame:
    """Weight-memory claims against parameters x bytes per parameter (1 GB = 1e9 bytes)."""
    frame = claims[claims["field"].isin(BYTES_PER_PARAM) & claims["value"].notna()].copy()
    if frame.empty:
        return pd.DataFrame(columns=CHECK_COLUMNS)
    frame["params"] = _lookup(frame, _best(references, "params_total"))
    frame["truth"] = frame["params"] * frame["field"].map(BYTES_PER_PARAM) / 1e9
    known = frame["truth"].notna()
    low = np.minimum(frame["implied_low"], frame["value"] * (1 - MEMORY_TOLERANCE))
    high = np.maximum(frame["implied_high"], frame["value"] * (1 + MEMORY_TOLERANCE))
    holds = (frame["truth"] >= low) & (frame["truth"] <= high)
    verdict = np.where(~known, UNVERIFIABLE, np.where(holds, CONSISTENT, INCONSISTENT))
    detail = choose(known, "claimed " + frame["as_written"].astype(str) + "; " + F(frame["params"]) + " parameters x "
                    + frame["field"].map(BYTES_PER_PARAM).map(lambda b: f"{b:g}") + " bytes = "
                    + frame["truth"].map(lambda x: f"{x:,.1f}") + " GB (" + P(frame["truth"] / frame["value"] - 1) + ")",
                    "no parameter count to size the weights from")
    return _rows(frame, "memory", verdict, frame["truth"], frame["value"], detail)


# ---------------------------------------------------------------- stage

def with_implied_interval(claims: pd.DataFrame) -> pd.DataFrame:
    """Claims with implied_low/implied_high: the true values each claim allows as written."""
    claims = claims.drop(columns=["implied_low", "implied_high"], errors="ignore")
    claims = claims.astype({"value": "float64", "low": "float64", "high": "float64"})
    return claims.join(implied_interval(claims))


CHECKED_COLUMNS = ["claim_id", "model_id", "field", "value", "low", "high", "as_written", "precision", "sig_figs",
                   "status", "source_id"]


def run_checks(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """checks(check_id, claim_id, model_id, check, verdict, expected, observed, rel_diff, detail)."""
    # Load: only the columns the checks read, so row selections copy less
    claims = with_implied_interval(with_origin(tables["claims"])[CHECKED_COLUMNS + ["origin"]])
    references = reference_values(tables)
    chips = model_hardware(claims, tables["hardware"])
    chips = yearly_chip_prices(chips, tables)  # Epoch import: an imported chip's price band of the model's year
    # Process
    results = [
        check_formula_params(claims, tables["derived"]),
        check_moe_active(claims, references),
        check_chinchilla_ratio(claims, references),
        check_compute_6nd(claims, references),
        check_compute_hardware(claims, references, chips),
        check_cost_hardware(claims, references, chips),
        check_conflict(claims, tables["derived"]),
        check_memory(claims, references),
    ]
    # Save
    checks = pd.concat([r for r in results if not r.empty], ignore_index=True) if any(not r.empty for r in results) \
        else pd.DataFrame(columns=CHECK_COLUMNS)
    checks = checks.astype({"expected": "float64", "observed": "float64", "rel_diff": "float64"})
    checks = judged_by_curated_claims(checks, tables)
    return checks.sort_values("check_id", kind="stable").reset_index(drop=True)[CHECK_COLUMNS]


def judged_by_curated_claims(checks: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Epoch import: imported claims are judged against everything, but a curated claim only against curated
    claims and formulas (its checks are those of a build without imports), so an imported figure can be
    flagged by a primary source and never the other way round."""
    claims = tables["claims"]
    if "origin" not in claims.columns or claims["origin"].isna().all():
        return checks
    curated = claims[claims["origin"].isna()]
    own = run_checks({**tables, "claims": curated})
    return pd.concat([checks[~checks["claim_id"].isin(curated["claim_id"])], own], ignore_index=True)


def training_derivations(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """derived rows per model: tokens_per_param, chinchilla_optimal_tokens and the compute-optimal N and D."""
    references = reference_values(tables)
    params = _params_for_training(references)
    tokens = _best(references, "training_tokens")
    compute = _best(references, "training_compute_flop").combine_first(6 * params * tokens).dropna()
    rows = [
        ("tokens_per_param", (tokens / params).dropna(), "best training_tokens / best params (active for MoE)"),
        ("chinchilla_optimal_tokens", (params * TOKENS_PER_PARAM_RULE).dropna(), "20 x params (Hoffmann et al. 2022)"),
        ("compute_optimal_params", compute.map(BESIROGLU_2024.optimal_params), "Besiroglu et al. 2024 fit"),
        ("compute_optimal_tokens", compute.map(BESIROGLU_2024.optimal_tokens), "Besiroglu et al. 2024 fit"),
        ("compute_optimal_params_hoffmann", compute.map(HOFFMANN_2022.optimal_params), "Hoffmann et al. 2022 fit"),
        ("training_compute_used", compute, "claimed training compute, else 6ND"),
    ]
    frames = [pd.DataFrame({"model_id": series.index, "quantity": name, "value": series.values.astype("float64"),
                            "method": method}) for name, series, method in rows if not series.empty]
    return pd.concat(frames, ignore_index=True) if frames else empty_derived()


VIEWS = [
    """CREATE VIEW claim_verdicts AS
    SELECT c.claim_id, c.model_id, c.field, c.as_written, c.value, c.status, c.source_id,
           coalesce(min_by(k.verdict, CASE k.verdict WHEN 'inconsistent' THEN 0 WHEN 'unverifiable' THEN 1 ELSE 2 END),
                    'unverifiable') AS verdict,
           count(k.check_id) AS checks_run,
           min_by(k.detail, CASE k.verdict WHEN 'inconsistent' THEN 0 WHEN 'unverifiable' THEN 1 ELSE 2 END) AS detail
    FROM claims c LEFT JOIN checks k USING (claim_id)
    GROUP BY ALL""",
    f"""CREATE VIEW model_summary AS
    WITH best AS ({BEST_VALUE_SQL})
    SELECT b.model_id, b.field, b.best_value, b.basis, b.best_claim_id,
           count(c.claim_id) AS claims,
           count(c.claim_id) FILTER (WHERE b.best_value < c.implied_low OR b.best_value > c.implied_high) AS disagreeing
    FROM best b LEFT JOIN claims c ON c.model_id = b.model_id AND c.field = b.field
    GROUP BY ALL""",
]
