"""chinchilla_ratio: where a model sits against ~20 training tokens per parameter (informational, never a fault)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.check.references import lookup, params_for_training
from pipeline.check.rows import INFORMATIONAL, UNVERIFIABLE, check_rows, choose, empty_checks, format_numbers, \
    stage_of
from pipeline.scaling import TOKENS_PER_PARAM_RULE

NAME = "chinchilla_ratio"
CHINCHILLA_BAND = (0.5, 2.0)  # tokens per parameter within 2x of 20 counts as near compute-optimal
WHOLE_TRAINING_STAGES = ("pre-training", "whole-run")  # a post-training token count says nothing about this


def one_decimal(series: pd.Series) -> pd.Series:
    """Numbers with one decimal ("11.7")."""
    return series.map(lambda number: f"{number:.1f}").astype(str)


def check_chinchilla_ratio(claims: pd.DataFrame, references: pd.DataFrame) -> pd.DataFrame:
    """Training tokens per parameter against the ~20:1 compute-optimal ratio; the verdict is informational."""
    frame = claims[(claims["field"] == "training_tokens") & claims["value"].notna()].copy()
    frame = frame[stage_of(frame).isin(WHOLE_TRAINING_STAGES)]
    if frame.empty:
        return empty_checks()
    params = lookup(frame, params_for_training(references))
    known = params.notna()
    ratio = frame["value"] / params
    optimal = params * TOKENS_PER_PARAM_RULE
    near = ratio.between(TOKENS_PER_PARAM_RULE * CHINCHILLA_BAND[0], TOKENS_PER_PARAM_RULE * CHINCHILLA_BAND[1])
    verdict = np.where(known, INFORMATIONAL, UNVERIFIABLE)
    label = choose(near, "near compute-optimal",
                   choose(ratio < TOKENS_PER_PARAM_RULE,
                          "under-trained by " + one_decimal(TOKENS_PER_PARAM_RULE / ratio) + "x",
                          "over-trained by " + one_decimal(ratio / TOKENS_PER_PARAM_RULE) + "x"))
    detail = choose(known, format_numbers(frame["value"]) + " tokens on " + format_numbers(params)
                    + " parameters is " + one_decimal(ratio) + " tokens per parameter; compute-optimal is about "
                    f"{TOKENS_PER_PARAM_RULE:.0f} (Hoffmann et al. 2022): " + label,
                    "no parameter count to divide the tokens by")
    return check_rows(frame, NAME, verdict, optimal, frame["value"], detail)
