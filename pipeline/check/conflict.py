"""conflict: claims on the same model, field, stage and window from different sources that cannot both be true."""
from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from pipeline.check.formula_params import claim_quantities, derived_lookup
from pipeline.check.interval import severity, size_words, within
from pipeline.check.references import with_claim_context
from pipeline.check.rows import CONSISTENT, DEFAULT_STAGE, INCONSISTENT, STATUS_RANK_SQL, check_rows, choose, \
    empty_checks, plural

NAME = "conflict"
AGAINST_SHOWN = 5  # claim IDs named in a detail

# Every pair of claims on one model, field, stage and component from two sources, whose context windows (native,
# extended, ...) are the same or unstated: a native 32,768 and a YaRN-extended 131,072 are both true. A pair is disjoint when the
# values the two claims allow do not overlap; it faults the claim when the other's status is as strong and both
# speak about the same scope (a family-wide statement does not fault a per-size figure, nor the reverse).
# gap: how far apart the pair is, as gap_ratio's signed factor (+: this claim is the larger).
CONFLICT_SQL = f"""
WITH ranked AS (
    SELECT *, {STATUS_RANK_SQL} AS rank, coalesce(stage, '{DEFAULT_STAGE}') AS stage_key,
           coalesce(component, '') AS component_key, coalesce(scope, 'model') AS scope_key, context_window
    FROM numeric
),
pairs AS (
    SELECT a.claim_id, b.claim_id AS other,
           a.implied_high < b.implied_low OR a.implied_low > b.implied_high AS disjoint,
           b.rank <= a.rank AND a.scope_key = b.scope_key AS stronger,
           CASE WHEN a.implied_low > b.implied_high THEN a.implied_low / b.implied_high
                WHEN a.implied_high < b.implied_low THEN -(b.implied_low / a.implied_high) END AS gap
    FROM ranked a JOIN ranked b
      ON a.model_id = b.model_id AND a.field = b.field AND a.stage_key = b.stage_key
     AND a.component_key = b.component_key AND a.source_id <> b.source_id
     AND (a.context_window IS NULL OR b.context_window IS NULL
          OR a.context_window = b.context_window)
)
SELECT claim_id, count(*) AS compared,
       count(*) FILTER (WHERE disjoint) AS disagreeing,
       count(*) FILTER (WHERE disjoint AND stronger) AS faulted,
       coalesce(array_to_string(list_slice(list(other ORDER BY other) FILTER (WHERE disjoint), 1, {AGAINST_SHOWN}),
                ', '), '') AS against,
       arg_min(gap, abs(gap)) FILTER (WHERE disjoint AND stronger) AS nearest_gap
FROM pairs GROUP BY claim_id
"""


def check_conflict(claims: pd.DataFrame, derived: pd.DataFrame | None = None) -> pd.DataFrame:
    """Claims on the same model, field and stage from different sources that cannot both be true.

    Two context lengths are compared only when their windows (native, extended, recommended, served) are the same
    or one of them is unstated.

    A claim is inconsistent when it cannot be reconciled with a claim of equal or stronger status
    (confirmed > reported > estimated > rumored): a developer's figure is not faulted for a rumor that contradicts
    it, and no claim that agrees with a formula-derived count (in any published convention) is faulted at all.
    Severity is the gap to the nearest claim that faults it.
    """
    numeric = with_claim_context(claims[claims["implied_low"].notna() & claims["implied_high"].notna()])
    with duckdb.connect() as connection:
        connection.register("numeric", numeric[["claim_id", "model_id", "field", "source_id", "status", "stage",
                                                "scope", "component", "context_window", "implied_low", "implied_high"]])
        summary = connection.execute(CONFLICT_SQL).fetchdf().set_index("claim_id")
    if summary.empty:
        return empty_checks()
    frame = numeric.set_index("claim_id").join(summary, how="inner").reset_index()
    frame["against"] = frame["against"].fillna("").astype(str)
    if derived is not None and not derived.empty:
        primary, alternatives = claim_quantities(frame)
        agrees = within(frame, derived_lookup(frame, derived, primary))
        for alternative in alternatives:
            agrees |= within(frame, derived_lookup(frame, derived, alternative))
        frame.loc[agrees, "faulted"] = 0
    faulted = frame["faulted"] > 0
    verdict = np.where(faulted, INCONSISTENT, CONSISTENT)
    others = plural(frame["compared"], "claim")
    disagreement = ("cannot be reconciled with " + frame["disagreeing"].astype(int).astype(str) + " of " + others
                    + " from other sources: " + frame["against"])
    gap = frame["nearest_gap"].astype("float64").where(faulted)
    detail = choose(frame["disagreeing"] == 0,
                    choose(frame["compared"] == 1, "agrees with the 1 claim from another source",
                           "agrees with all " + others + " from other sources"),
                    choose(faulted, disagreement + " (nearest: " + size_words(gap) + ")",
                           disagreement + " (none of equal or stronger status on the same scope)"))
    return check_rows(frame, NAME, verdict, np.nan, frame["value"], detail,
                      severity(gap, pd.Series(faulted.to_numpy(), index=frame.index)))
