"""moe_active: active parameters are at most the model's total."""
from __future__ import annotations

import pandas as pd

from pipeline.check.interval import gap_ratio, severity, size_words
from pipeline.check.references import best_value, lookup
from pipeline.check.rows import INCONSISTENT, check_rows, choose, claimed_text, empty_checks, format_numbers, \
    verdict_from

NAME = "moe_active"


def check_moe_active(claims: pd.DataFrame, references: pd.DataFrame) -> pd.DataFrame:
    """Active-parameter claims: at most the model's best total (a claim above it is too large by the gap)."""
    frame = claims[(claims["field"] == "params_active") & claims["value"].notna()].copy()
    if "component" in frame:
        frame = frame[frame["component"].isna()]
    if frame.empty:
        return empty_checks()
    total = lookup(frame, best_value(references, "params_total"))
    known = total.notna() & frame["implied_low"].notna()
    fits = frame["implied_low"] <= total
    verdict = verdict_from(known, fits)
    ratio = gap_ratio(frame["implied_low"], frame["implied_high"], total * 0, total)
    share = (frame["value"] / total).map(lambda x: f"{x:.1%}" if x == x else "n/a")
    detail = choose(known, "claimed " + claimed_text(frame) + " against a total of " + format_numbers(total)
                    + " (" + share + " of the model)"
                    + choose(fits, "", "; active parameters cannot exceed the total: " + size_words(ratio)),
                    "no total parameter count to compare with")
    return check_rows(frame, NAME, verdict, total, frame["value"], detail,
                      severity(ratio, pd.Series(verdict == INCONSISTENT, index=frame.index)))
