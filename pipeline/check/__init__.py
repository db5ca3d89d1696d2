"""Check stage: which published numbers hold up, and by how much the others miss.

One module per check, each a function over whole tables returning rows of the `checks` table:
(check_id, claim_id, model_id, check, verdict, expected, observed, rel_diff, severity, detail).
Inconsistent claims are findings for readers, never build failures. Shared pieces: interval (what a claim
allows as written, severity), references (best values per model, field and stage), rows (columns, wording),
views (claim_verdicts, model_summary).
"""
from __future__ import annotations

import pandas as pd

from pipeline.check.chinchilla_ratio import CHINCHILLA_BAND, check_chinchilla_ratio
from pipeline.check.compute_6nd import COMPUTE_6ND_TOLERANCE, check_compute_6nd
from pipeline.check.compute_hardware import UTILIZATION_BAND, check_compute_hardware, model_hardware
from pipeline.check.conflict import check_conflict
from pipeline.check.cost_hardware import check_cost_hardware
from pipeline.check.formula_params import check_formula_params
from pipeline.check.interval import SEVERITIES, implied_interval, with_implied_interval
from pipeline.check.memory import BYTES_PER_PARAM, check_memory
from pipeline.check.moe_active import check_moe_active
from pipeline.check.references import BEST_VALUE_SQL, FORMULA_QUANTITY, compute_by_stage, params_for_training, \
    reference_values, tokens_by_stage, with_claim_context
from pipeline.check.rows import CHECK_COLUMNS, CONSISTENT, INCONSISTENT, INFORMATIONAL, STATUS_RANK, UNVERIFIABLE, \
    empty_checks
from pipeline.check.views import VIEWS
from pipeline.derive import empty_derived
from pipeline.imports.epoch import yearly_chip_prices
from pipeline.scaling import BESIROGLU_2024, HOFFMANN_2022, TOKENS_PER_PARAM_RULE

__all__ = ["BEST_VALUE_SQL", "BYTES_PER_PARAM", "CHECK_COLUMNS", "CHINCHILLA_BAND", "COMPUTE_6ND_TOLERANCE",
           "CONSISTENT", "FORMULA_QUANTITY", "INCONSISTENT", "INFORMATIONAL", "SEVERITIES", "STATUS_RANK",
           "UNVERIFIABLE", "UTILIZATION_BAND", "VIEWS", "check_chinchilla_ratio", "check_compute_6nd",
           "check_compute_hardware", "check_conflict", "check_cost_hardware", "check_formula_params",
           "check_memory", "check_moe_active", "implied_interval", "model_hardware", "reference_values",
           "run_checks", "training_derivations", "with_implied_interval"]

CHECKED_COLUMNS = ["claim_id", "model_id", "field", "value", "low", "high", "as_written", "precision", "sig_figs",
                   "status", "source_id", "stage", "scope", "component", "context_window", "written_unit", "implied_low", "implied_high"]


def run_checks(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """checks(check_id, claim_id, model_id, check, verdict, expected, observed, rel_diff, severity, detail).

    tables: claims (with implied_low/implied_high, see with_implied_interval), derived and hardware.
    """
    # Load: only the columns the checks read, so row selections copy less
    claims = tables["claims"]
    if "implied_low" not in claims:
        claims = with_implied_interval(claims)
    claims = with_claim_context(claims).reindex(columns=CHECKED_COLUMNS)
    references = reference_values({"claims": claims, "derived": tables["derived"]})
    chips = model_hardware(claims, tables["hardware"])
    chips = yearly_chip_prices(chips, tables)  # Epoch import: an imported chip's price band of the model's year
    # Process: the training checks judge one model's own run, so a total over several models (component: system,
    # Granite 3.0's one compute budget for four models), a part's figure or a family-wide statement is left out
    own_run = claims[claims["component"].isna() & claims["scope"].fillna("model").eq("model")]
    results = [
        check_formula_params(claims, tables["derived"]),
        check_moe_active(claims, references),
        check_chinchilla_ratio(own_run, references),
        check_compute_6nd(own_run, references),
        check_compute_hardware(own_run, references, chips),
        check_cost_hardware(own_run, references, chips),
        check_conflict(claims, tables["derived"]),
        check_memory(claims, references, tables["derived"]),
    ]
    # Save
    found = [result for result in results if not result.empty]
    checks = pd.concat(found, ignore_index=True) if found else empty_checks()
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
    """derived rows per model: tokens_per_param, chinchilla_optimal_tokens, the compute-optimal N and D, and the
    training compute used (the claimed whole-run or pre-training figure, else 6ND over all stages' tokens)."""
    references = reference_values(tables)
    params = params_for_training(references)
    tokens = tokens_by_stage(references)
    compute_stages = compute_by_stage(references)
    pre_training_claimed = references[(references["field"] == "training_compute_flop")
                                      & (references["stage"] == "pre-training")].set_index("model_id")["best_value"]
    whole_run_claimed = references[(references["field"] == "training_compute_flop")
                                   & (references["stage"] == "whole-run")].set_index("model_id")["best_value"]
    compute = whole_run_claimed.combine_first(pre_training_claimed).combine_first(compute_stages["whole-run"])
    compute = compute.astype("float64").dropna()
    rows = [
        ("tokens_per_param", (tokens["pre-training"] / params).dropna(),
         "best pre-training (with mid-training) training_tokens / best params (active for MoE)"),
        ("chinchilla_optimal_tokens", (params * TOKENS_PER_PARAM_RULE).dropna(), "20 x params (Hoffmann et al. 2022)"),
        ("compute_optimal_params", compute.map(BESIROGLU_2024.optimal_params), "Besiroglu et al. 2024 fit"),
        ("compute_optimal_tokens", compute.map(BESIROGLU_2024.optimal_tokens), "Besiroglu et al. 2024 fit"),
        ("compute_optimal_params_hoffmann", compute.map(HOFFMANN_2022.optimal_params), HOFFMANN_2022.name + " fit"),
        ("training_compute_used", compute, "claimed training compute (whole run, else pre-training), "
                                           "else 6ND with every stage's tokens"),
    ]
    frames = [pd.DataFrame({"model_id": series.index, "quantity": name, "value": series.values.astype("float64"),
                            "method": method}) for name, series, method in rows if not series.empty]
    return pd.concat(frames, ignore_index=True) if frames else empty_derived()
