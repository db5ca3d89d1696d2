"""The `checks` table's columns and verdicts, and the sentence helpers every check shares."""
from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.check.interval import NONE

CHECK_COLUMNS = ["check_id", "claim_id", "model_id", "check", "verdict", "expected", "observed", "rel_diff",
                 "severity", "detail"]
CONSISTENT, INCONSISTENT, UNVERIFIABLE = "consistent", "inconsistent", "unverifiable"
# A check that reports a position (tokens per parameter) and never judges the claim
INFORMATIONAL = "informational"
STATUS_RANK = {"confirmed": 1, "reported": 2, "estimated": 3, "rumored": 4}
STATUS_RANK_SQL = "CASE status WHEN 'confirmed' THEN 1 WHEN 'reported' THEN 2 WHEN 'estimated' THEN 3 ELSE 4 END"
DEFAULT_STAGE = "pre-training"


def empty_checks() -> pd.DataFrame:
    """A checks table with no rows."""
    return pd.DataFrame(columns=CHECK_COLUMNS)


def format_number(number: float) -> str:
    """A number as the details write it: 70,015,266,816, 1.76e+24 for huge values, 16.1 for small ones."""
    if number is None or pd.isna(number):
        return "n/a"
    if number == np.inf:
        return "infinity"
    if abs(number) >= 1e16:
        return f"{number:.3g}"
    return f"{number:,.0f}" if abs(number) >= 100 else f"{number:,.3g}"


def format_numbers(series: pd.Series) -> pd.Series:
    """format_number over a column."""
    return pd.to_numeric(series, errors="coerce").astype("float64").map(format_number).astype("str")


def claimed_text(frame: pd.DataFrame) -> pd.Series:
    """How each claim's value reads in a detail sentence: as written, or its exact number, range or bound."""
    precision = frame["precision"]
    text = frame["as_written"].astype(str)
    text = text.mask(precision == "exact", format_numbers(frame["value"]) + " exactly")
    text = text.mask(precision.isin(["range", "order of magnitude"]),
                     format_numbers(frame["low"]) + " to " + format_numbers(frame["high"]))
    text = text.mask(precision == "lower bound", "at least " + format_numbers(frame["low"]))
    return text.mask(precision == "upper bound", "at most " + format_numbers(frame["high"]))


def choose(condition: pd.Series, if_true: pd.Series | str, if_false: pd.Series | str) -> pd.Series:
    """Element-wise choice between two sentences."""
    return pd.Series(np.where(condition, if_true, if_false), index=condition.index, dtype="object")


def plural(count: pd.Series, singular: str, plural_form: str | None = None) -> pd.Series:
    """"1 claim", "3 claims": a count with the noun in the right number."""
    many = plural_form or singular + "s"
    return count.astype(int).astype(str) + " " + choose(count == 1, singular, many)


def check_rows(frame: pd.DataFrame, check: str, verdict, expected, observed, detail, severity=NONE) -> pd.DataFrame:
    """Rows of the checks table for the claims in `frame`.

    rel_diff = expected / observed − 1: the checked truth relative to the claim's central value (positive when the
    truth is larger than the claim, i.e. the claim understates it).
    """
    if frame.empty:
        return empty_checks()
    expected = pd.Series(expected, index=frame.index, dtype="float64")
    observed = pd.Series(observed, index=frame.index, dtype="float64")
    rel_diff = (expected / observed - 1).where(observed.notna() & (observed != 0) & expected.notna())
    return pd.DataFrame({
        "check_id": frame["claim_id"] + ":" + check, "claim_id": frame["claim_id"], "model_id": frame["model_id"],
        "check": check, "verdict": pd.Series(verdict, index=frame.index), "expected": expected,
        "observed": observed, "rel_diff": rel_diff, "severity": pd.Series(severity, index=frame.index, dtype="object"),
        "detail": pd.Series(detail, index=frame.index).astype(object),
    })


def verdict_from(known: pd.Series, holds: pd.Series) -> np.ndarray:
    """unverifiable where the truth is unknown, else consistent or inconsistent."""
    return np.where(~known, UNVERIFIABLE, np.where(holds, CONSISTENT, INCONSISTENT))


def stage_of(frame: pd.DataFrame) -> pd.Series:
    """Each claim's training stage, pre-training when the claim does not say."""
    stage = frame["stage"] if "stage" in frame else pd.Series(None, index=frame.index, dtype="object")
    return stage.fillna(DEFAULT_STAGE).astype(str)
