"""The published views: each claim's overall verdict and each model's best value per field."""
from __future__ import annotations

from pipeline.check.references import BEST_VALUE_SQL, STAGE_ORDER
from pipeline.check.rows import DEFAULT_STAGE

_STAGE_RANK = "CASE stage " + " ".join(f"WHEN '{stage}' THEN {rank}" for rank, stage in enumerate(STAGE_ORDER)) + " END"
VERDICT_RANK = "CASE k.verdict WHEN 'inconsistent' THEN 0 WHEN 'unverifiable' THEN 1 ELSE 2 END"
SEVERITY_RANK = "CASE k.severity WHEN 'gross' THEN 0 WHEN 'major' THEN 1 WHEN 'minor' THEN 2 ELSE 3 END"

# A claim's verdict is the worst of its judging checks (informational ones such as chinchilla_ratio never count);
# a claim no check could judge is unverifiable. The `check` command counts claims with this same view.
CLAIM_VERDICTS_SQL = f"""
SELECT c.claim_id, c.model_id, c.field, c.as_written, c.value, c.status, c.source_id,
       coalesce(min_by(k.verdict, {VERDICT_RANK}) FILTER (WHERE k.verdict <> 'informational'), 'unverifiable')
           AS verdict,
       coalesce(min_by(k.severity, {SEVERITY_RANK}) FILTER (WHERE k.verdict <> 'informational'), 'none') AS severity,
       count(k.check_id) AS checks_run,
       coalesce(min_by(k.detail, {VERDICT_RANK}) FILTER (WHERE k.verdict <> 'informational'), any_value(k.detail))
           AS detail
FROM claims c LEFT JOIN checks k USING (claim_id)
GROUP BY ALL"""

# One row per model and field: the best value (of the first stage in STAGE_ORDER that has one) with its status,
# precision, range and context window (claims of another window do not count as disagreeing), and whether the developer disclosed the figure: true with a confirmed number or a count
# from the released architecture, false when the developer's own "not disclosed" claim stands alone, else null.
MODEL_SUMMARY_SQL = f"""
WITH best AS ({BEST_VALUE_SQL}),
first_stage AS (
    SELECT * FROM best
    QUALIFY row_number() OVER (PARTITION BY model_id, field ORDER BY {_STAGE_RANK}) = 1
),
disclosure AS (
    SELECT model_id, field,
           bool_or(precision = 'undisclosed' AND status = 'confirmed') AS withheld,
           bool_or(value IS NOT NULL AND status = 'confirmed' AND component IS NULL) AS confirmed_number
    FROM claims GROUP BY ALL
),
fields AS (
    SELECT model_id, field FROM first_stage
    UNION SELECT model_id, field FROM disclosure WHERE withheld
)
SELECT f.model_id, f.field, b.stage, b.best_value, b.best_low, b.best_high, b.basis, b.status, b.precision,
       b.best_claim_id, b.context_window,
       CASE WHEN b.basis = 'formula' OR d.confirmed_number THEN true WHEN d.withheld THEN false END
           AS disclosed_by_developer,
       count(c.claim_id) AS claims,
       count(c.claim_id) FILTER (WHERE coalesce(c.stage, '{DEFAULT_STAGE}') = b.stage AND c.component IS NULL
                                 AND (c.context_window IS NULL OR b.context_window IS NULL
                                      OR c.context_window = b.context_window)
                                 AND (b.best_value < c.implied_low OR b.best_value > c.implied_high)) AS disagreeing
FROM fields f
LEFT JOIN first_stage b ON b.model_id = f.model_id AND b.field = f.field
LEFT JOIN disclosure d ON d.model_id = f.model_id AND d.field = f.field
LEFT JOIN claims c ON c.model_id = f.model_id AND c.field = f.field
GROUP BY ALL"""

VIEWS = [f"CREATE VIEW claim_verdicts AS {CLAIM_VERDICTS_SQL}", f"CREATE VIEW model_summary AS {MODEL_SUMMARY_SQL}"]
