"""The SQL cookbook: ten queries over the published database, kept as data.

The docs site runs each query against the database it is built from and shows the result under
the SQL; tests/test_cookbook.py runs them against a real build and checks each result. Thresholds
come from pipeline.check and pipeline.scaling, so the SQL cannot drift from the checks.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.check import BYTES_PER_PARAM, CHINCHILLA_BAND
from pipeline.check.rows import STATUS_RANK_SQL
from pipeline.scaling import TOKENS_PER_PARAM_RULE

UNDER = TOKENS_PER_PARAM_RULE * CHINCHILLA_BAND[0]
OVER = TOKENS_PER_PARAM_RULE * CHINCHILLA_BAND[1]
STATUS_ORDER = STATUS_RANK_SQL  # confirmed > reported > estimated > rumored, as the checks rank them


@dataclass(frozen=True)
class Recipe:
    """One cookbook entry: a question, why it is useful, and the SQL that answers it."""

    slug: str
    title: str
    why: str
    sql: str


QUERIES: tuple[Recipe, ...] = (
    Recipe(
        "claims-for-one-model", "Every claim about one model, with its verdict",
        "Start here for any model: each claim as its source wrote it, its status, and the worst verdict of the "
        "checks that tested it, with that check's one-sentence explanation.",
        f"""SELECT field, as_written, status, source_id, verdict, detail
FROM claim_verdicts
WHERE model_id = 'llama-2-70b'
ORDER BY field, {STATUS_ORDER}, claim_id"""),
    Recipe(
        "largest-models", "The largest models by best-supported parameter count",
        "model_summary keeps one best value per model and field: the formula-derived count where the "
        "architecture is published, else the strongest claim (confirmed, then reported, estimated, rumored).",
        """SELECT m.name, m.organization, s.best_value AS params_total, s.basis
FROM model_summary s JOIN models m USING (model_id)
WHERE s.field = 'params_total'
ORDER BY s.best_value DESC, m.name
LIMIT 15"""),
    Recipe(
        "headline-vs-exact", "How far headline parameter counts are from the exact count",
        "Rounded headline figures (\"70B\") against the count the published architecture gives, largest "
        "relative difference first. A rounded figure is consistent when the exact count rounds to it.",
        """SELECT k.model_id, c.as_written, c.status, k.expected AS formula_count,
       round(100 * (c.value / k.expected - 1), 2) AS claimed_minus_formula_pct, k.verdict
FROM checks k JOIN claims c USING (claim_id)
WHERE k."check" = 'formula_params' AND k.expected IS NOT NULL AND c.field = 'params_total' AND c.component IS NULL
ORDER BY abs(c.value / k.expected - 1) DESC, k.claim_id
LIMIT 15"""),
    Recipe(
        "inconsistent-by-source", "Sources with the most claims that do not hold up",
        "Counts each source's claims and how many of them a check found inconsistent.",
        """SELECT s.source_id, s.kind, count(*) AS claims,
       count(*) FILTER (WHERE v.verdict = 'inconsistent') AS inconsistent,
       round(count(*) FILTER (WHERE v.verdict = 'inconsistent') / count(*), 3) AS share_inconsistent
FROM claim_verdicts v JOIN sources s USING (source_id)
GROUP BY ALL
HAVING count(*) FILTER (WHERE v.verdict = 'inconsistent') > 0
ORDER BY inconsistent DESC, s.source_id"""),
    Recipe(
        "status-by-organization", "How well sourced each organization's models are",
        "The mix of confirmed, reported, estimated and rumored claims per developer: closed models lean on rumors.",
        """SELECT coalesce(o.name, m.organization) AS organization, count(*) AS claims,
       count(*) FILTER (WHERE c.status = 'confirmed') AS confirmed,
       count(*) FILTER (WHERE c.status = 'reported') AS reported,
       count(*) FILTER (WHERE c.status = 'estimated') AS estimated,
       count(*) FILTER (WHERE c.status = 'rumored') AS rumored
FROM claims c JOIN models m USING (model_id)
LEFT JOIN organizations o ON o.organization_id = m.organization
GROUP BY ALL
ORDER BY claims DESC, organization"""),
    Recipe(
        "tokens-per-parameter", "Tokens per parameter against the Chinchilla rule",
        f"The derived table holds best training tokens divided by best parameters (active for MoE). About "
        f"{TOKENS_PER_PARAM_RULE:g} is compute-optimal; the label uses the checks' band of "
        f"{UNDER:g} to {OVER:g}.",
        f"""SELECT m.name, round(d.value, 1) AS tokens_per_param,
       CASE WHEN d.value < {UNDER:g} THEN 'under-trained'
            WHEN d.value > {OVER:g} THEN 'over-trained'
            ELSE 'near compute-optimal' END AS against_chinchilla
FROM derived d JOIN models m USING (model_id)
WHERE d.quantity = 'tokens_per_param'
ORDER BY d.value DESC, m.name"""),
    Recipe(
        "mixture-of-experts", "Total against active parameters for mixture-of-experts models",
        "For sparse models the formula engine derives both the total (every expert) and the parameters one "
        "token uses (shared parameters plus the routed experts it visits).",
        """SELECT t.model_id, t.value AS total, a.value AS active, round(a.value / t.value, 3) AS active_share
FROM derived t JOIN derived a USING (model_id)
WHERE t.quantity = 'params_total_formula' AND a.quantity = 'params_active_formula' AND a.value < t.value
ORDER BY active_share, t.model_id"""),
    Recipe(
        "unconfirmed-sizes", "Models whose size nobody has confirmed",
        "Models with parameter-count claims but neither a confirmed claim nor a published architecture: "
        "every figure for them is an estimate or a rumor.",
        """SELECT c.model_id, count(*) AS claims, string_agg(DISTINCT c.status, ', ' ORDER BY c.status) AS statuses,
       min(c.value) AS lowest, max(c.value) AS highest
FROM claims c
WHERE c.field = 'params_total' AND c.value IS NOT NULL
  AND c.model_id NOT IN (SELECT model_id FROM claims WHERE field = 'params_total' AND status = 'confirmed')
  AND c.model_id NOT IN (SELECT model_id FROM derived WHERE quantity = 'params_total_formula')
GROUP BY ALL
ORDER BY claims DESC, c.model_id"""),
    Recipe(
        "compute-vs-6nd", "Claimed training compute against 6·N·D",
        "Training costs about 6 FLOP per parameter per token. The compute_6nd check recomputes 6·N·D from the "
        "best parameter and token counts and compares it with the claimed compute.",
        """SELECT k.model_id, c.as_written AS claimed, k.expected AS six_n_d,
       round(k.observed / k.expected, 2) AS claimed_over_6nd, k.verdict
FROM checks k JOIN claims c USING (claim_id)
WHERE k."check" = 'compute_6nd' AND k.expected IS NOT NULL
ORDER BY k.model_id, k.claim_id"""),
    Recipe(
        "weights-memory", "Weight memory at each precision",
        "Parameters times bytes per parameter (1 GB = 10^9 bytes), from the best-supported total: the memory "
        "the weights alone need, before activations and the KV cache.",
        f"""SELECT m.name, s.best_value AS params,
       round(s.best_value * {BYTES_PER_PARAM['weights_gb_fp32']:g} / 1e9, 1) AS fp32_gb,
       round(s.best_value * {BYTES_PER_PARAM['weights_gb_fp16']:g} / 1e9, 1) AS fp16_gb,
       round(s.best_value * {BYTES_PER_PARAM['weights_gb_int8']:g} / 1e9, 1) AS int8_gb,
       round(s.best_value * {BYTES_PER_PARAM['weights_gb_int4']:g} / 1e9, 1) AS int4_gb
FROM model_summary s JOIN models m USING (model_id)
WHERE s.field = 'params_total'
ORDER BY s.best_value DESC, m.name
LIMIT 10"""),
)


def run(connection: duckdb.DuckDBPyConnection, recipe: Recipe) -> pd.DataFrame:
    """One recipe's result."""
    return connection.execute(recipe.sql).fetchdf()


def run_all(database: Path) -> list[tuple[Recipe, pd.DataFrame]]:
    """Every recipe's result against a database file (opened read-only)."""
    with duckdb.connect(str(database), read_only=True) as connection:
        return [(recipe, run(connection, recipe)) for recipe in QUERIES]
