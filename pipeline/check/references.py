"""Reference values: per model, field and training stage, the best-supported number the checks compare with."""
from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.check.rows import DEFAULT_STAGE, STATUS_RANK_SQL

# Each parameter field and the derived quantity that gives its exact count
FORMULA_QUANTITY = {"params_total": "params_total_formula", "params_active": "params_active_formula",
                    "params_embedding": "params_embedding_formula",
                    "params_non_embedding": "params_non_embedding_formula",
                    "params_active_non_embedding": "params_active_non_embedding_formula"}
# Other published conventions a field's claims may follow, in order: DeepSeek counts active parameters without
# the input embedding table (37B for DeepSeek-V3, whose active count with it is 37.55B); MiniMax counts them
# without either embedding table (45.9B for MiniMax-M1: 47.17B without the input embedding, less its
# 1.23B output head).
# (one mapping of field -> quantity per convention, in that order)
ALTERNATIVE_QUANTITIES = ({"params_active": "params_active_without_input_embedding_formula"},
                          {"params_active": "params_active_non_embedding_formula"})
CONVENTION_WORDS = {"params_active_formula": "with the input embedding",
                    "params_active_without_input_embedding_formula": "without the input embedding",
                    "params_active_non_embedding_formula": "without either embedding table"}
# The order in which model_summary picks a stage when a field has figures for several
STAGE_ORDER = ("pre-training", "whole-run", "mid-training", "context-extension", "post-training")
CLAIM_CONTEXT_COLUMNS = ("stage", "scope", "component", "context_window")

_FORMULA_LIST = ", ".join(f"'{quantity}'" for quantity in FORMULA_QUANTITY.values())

# Per model, field and stage, the best-supported value: the formula count first, then per-model figures before
# family-wide ones, then by status (confirmed > reported > estimated > rumored), then the most precise wording.
# Claims about one component (a UNet, a vision encoder) never stand for the whole model. Among context lengths
# of equal status the native window comes first, then one that does not say. Ranges stay ranges
# (best_low/best_high). The same definition serves the published model_summary view and the checks.
BEST_VALUE_SQL = f"""
WITH candidates AS (
    SELECT model_id, replace(quantity, '_formula', '') AS field, '{DEFAULT_STAGE}' AS stage, value,
           NULL::DOUBLE AS low, NULL::DOUBLE AS high, 'formula' AS basis, NULL::VARCHAR AS status,
           'exact' AS precision, NULL::VARCHAR AS claim_id, 0 AS family, 0 AS rank, 0 AS vagueness,
           NULL::VARCHAR AS context_window, 1 AS window_order
    FROM derived WHERE quantity IN ({_FORMULA_LIST})
    UNION ALL
    SELECT model_id, field, coalesce(stage, '{DEFAULT_STAGE}'), value, low, high, status, status, precision,
           claim_id, CASE WHEN scope = 'family' THEN 1 ELSE 0 END, {STATUS_RANK_SQL},
           CASE WHEN precision = 'exact' THEN 0 WHEN precision LIKE '% sf' THEN 10 - sig_figs
                WHEN precision = 'range' THEN 20 ELSE 30 END,
           context_window, CASE WHEN context_window = 'native' THEN 0 WHEN context_window IS NULL THEN 1 ELSE 2 END
    FROM claims
    WHERE value IS NOT NULL AND component IS NULL
      AND precision NOT IN ('lower bound', 'upper bound', 'order of magnitude')
),
ranked AS (
    SELECT *, row_number() OVER (PARTITION BY model_id, field, stage
                                 ORDER BY family, rank, window_order, vagueness, claim_id) AS position
    FROM candidates
)
SELECT model_id, field, stage, value AS best_value,
       CASE WHEN precision = 'range' THEN low END AS best_low, CASE WHEN precision = 'range' THEN high END AS best_high,
       basis, status, precision, claim_id AS best_claim_id, context_window
FROM ranked WHERE position = 1
"""


def with_claim_context(claims: pd.DataFrame) -> pd.DataFrame:
    """Claims with stage, scope, component and context_window columns (empty where a frame lacks them)."""
    missing = {column: None for column in CLAIM_CONTEXT_COLUMNS if column not in claims}
    return claims.assign(**missing) if missing else claims


def reference_values(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """references(model_id, field, stage, best_value, best_low, best_high, basis, status, precision, best_claim_id,
    context_window)."""
    with duckdb.connect() as connection:
        connection.register("claims", with_claim_context(tables["claims"]))
        connection.register("derived", tables["derived"])
        return connection.execute(BEST_VALUE_SQL).fetchdf()


def best_value(references: pd.DataFrame, field: str, stage: str = DEFAULT_STAGE) -> pd.Series:
    """Best value of one field at one stage, indexed by model."""
    rows = references[(references["field"] == field) & (references["stage"] == stage)]
    return rows.set_index("model_id")["best_value"].astype("float64")


def lookup(frame: pd.DataFrame, values: pd.Series) -> pd.Series:
    """Per-model numbers looked up for each claim row (NaN where the model has none)."""
    return frame["model_id"].map(values).astype("float64")


def lookup_by_stage(frame: pd.DataFrame, stage: pd.Series, values_by_stage: dict[str, pd.Series]) -> pd.Series:
    """Per claim, the number for its model at its own stage (NaN where there is none)."""
    result = pd.Series(float("nan"), index=frame.index)
    for name, values in values_by_stage.items():
        rows = stage == name
        if rows.any():
            result[rows] = lookup(frame[rows], values)
    return result


def params_for_training(references: pd.DataFrame) -> pd.Series:
    """N for 6ND and Chinchilla: active parameters (MoE), else total."""
    return best_value(references, "params_active").combine_first(best_value(references, "params_total"))


def added_up(parts: list[pd.Series]) -> pd.Series:
    """Per model, the sum of the parts it has (NaN where it has none)."""
    present = [part for part in parts if not part.empty]
    return pd.concat(present, axis=1).sum(axis=1, min_count=1) if present else pd.Series(dtype="float64")


def tokens_by_stage(references: pd.DataFrame) -> dict[str, pd.Series]:
    """Training tokens per model for each stage, each stage's best figure, except:
    pre-training includes mid-training (a later pre-training phase on another mix, OLMo 2's stage 2), and the
    whole run is its own figure, else the stages added up."""
    stages = {stage: best_value(references, "training_tokens", stage) for stage in STAGE_ORDER}
    stages["whole-run"] = stages["whole-run"].combine_first(added_up(
        [stages[stage] for stage in ("pre-training", "mid-training", "context-extension", "post-training")]))
    stages["pre-training"] = added_up([stages["pre-training"], stages["mid-training"]])
    return stages


def compute_by_stage(references: pd.DataFrame) -> dict[str, pd.Series]:
    """Training compute per model for each stage: the claimed figure, else 6 x N x that stage's tokens."""
    params = params_for_training(references)
    return {stage: best_value(references, "training_compute_flop", stage).combine_first(6 * params * tokens)
            for stage, tokens in tokens_by_stage(references).items()}
