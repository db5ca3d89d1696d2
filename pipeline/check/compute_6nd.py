"""compute_6nd: claimed training compute against 6·N·D for the same training stage."""
from __future__ import annotations

import pandas as pd

from pipeline.check.interval import gap_ratio, severity, size_words
from pipeline.check.references import lookup, lookup_by_stage, params_for_training, tokens_by_stage
from pipeline.check.rows import INCONSISTENT, check_rows, choose, claimed_text, empty_checks, format_numbers, \
    stage_of, verdict_from

NAME = "compute_6nd"
COMPUTE_6ND_TOLERANCE = 0.25  # 6ND ignores attention FLOPs and rounding of N and D: accept +/-25%


def check_compute_6nd(claims: pd.DataFrame, references: pd.DataFrame) -> pd.DataFrame:
    """Claimed training compute against 6 x N x D (N active for MoE, D the tokens of the claim's stage; a
    whole-run figure uses the stages' tokens added up), within +/-25%."""
    frame = claims[(claims["field"] == "training_compute_flop") & claims["value"].notna()].copy()
    if frame.empty:
        return empty_checks()
    params = lookup(frame, params_for_training(references))
    tokens = lookup_by_stage(frame, stage_of(frame), tokens_by_stage(references))
    truth = 6 * params * tokens
    known = truth.notna()
    low, high = truth * (1 - COMPUTE_6ND_TOLERANCE), truth * (1 + COMPUTE_6ND_TOLERANCE)
    ratio = gap_ratio(frame["implied_low"], frame["implied_high"], low, high)
    overlaps = ratio == 1.0
    verdict = verdict_from(known, overlaps)
    outcome = choose(overlaps, "within the ±25% the rule allows", size_words(ratio) + " beyond the ±25% the rule allows")
    detail = choose(known, "claimed " + claimed_text(frame) + " FLOP; 6 x " + format_numbers(params) + " parameters x "
                    + format_numbers(tokens) + " tokens = " + format_numbers(truth) + " FLOP: " + outcome,
                    "needs both a parameter count and a token count for the same stage")
    return check_rows(frame, NAME, verdict, truth, frame["value"], detail,
                      severity(ratio, pd.Series(verdict == INCONSISTENT, index=frame.index)))
