"""memory: weight-size claims against the exact parameter count times bytes per parameter, in GB or GiB."""
from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.check.formula_params import derived_lookup
from pipeline.check.interval import gap_ratio, reading, severity, size_words, within
from pipeline.check.references import best_value, lookup
from pipeline.check.rows import INCONSISTENT, check_rows, choose, empty_checks, format_numbers, verdict_from
from pipeline.load.values import GIB_IN_GB

NAME = "memory"
BYTES_PER_PARAM = {"weights_gb_fp32": 4.0, "weights_gb_fp16": 2.0, "weights_gb_int8": 1.0, "weights_gb_int4": 0.5}
#: a weight size whose precision the source leaves unstated: judged against every precision above
UNSTATED_PRECISION_FIELD = "weights_gb"
UNIT_WORDS = {"GB": "GB (1e9 bytes)", "GiB": "GiB (2^30 bytes)"}
# No tolerance beyond the written precision: instead of a band wide enough for GB/GiB confusion (GiB/GB = 1.0737,
# which no +/-5% band absorbs), both units are tried.


def two_decimals(series: pd.Series) -> pd.Series:
    """Sizes with two decimals ("16.06")."""
    return series.map(lambda number: f"{number:,.2f}").astype(str)


def bytes_for_unstated_precision(frame: pd.DataFrame, params: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Per claim, bytes per parameter and a phrase naming the precision read ("" where the field names one).

    A ``weights_gb`` claim (precision not stated) is read at the precision whose size it is nearest to
    (FP32 4, FP16 2, INT8 1, INT4 0.5 bytes per parameter, sizes in GB); the phrase names that precision.
    """
    bytes_per_param = frame["field"].map(BYTES_PER_PARAM).astype("float64")
    unstated = frame["field"] == UNSTATED_PRECISION_FIELD
    words = pd.Series("", index=frame.index, dtype=object)
    if not unstated.any():
        return bytes_per_param, words
    gaps = pd.DataFrame({name: gap_ratio(frame["implied_low"], frame["implied_high"], params * size / 1e9,
                                         params * size / 1e9).abs()
                         for name, size in BYTES_PER_PARAM.items()}).astype("float64").fillna(np.inf)
    nearest = gaps.idxmin(axis=1)
    bytes_per_param = bytes_per_param.where(~unstated, nearest.map(BYTES_PER_PARAM))
    label = nearest.str.removeprefix("weights_gb_").str.upper()
    words = words.where(~unstated, "precision not stated, nearest precision " + label + ": ")
    return bytes_per_param, words


def check_memory(claims: pd.DataFrame, references: pd.DataFrame, derived: pd.DataFrame | None = None) -> pd.DataFrame:
    """Weight-memory claims against parameters x bytes per parameter.

    Sources print weight sizes in GB (1e9 bytes) or GiB (2^30 bytes, what PyTorch and vLLM print), and sometimes
    label GiB as GB. A claim is consistent when, at its written precision, it matches the exact size in either
    unit; the detail names the unit that matched. Values are stored in GB (a value written in GiB is converted,
    its unit kept in written_unit), so the GiB reading of a GB-labelled claim is the size / 1.0737.
    A claim about one component is sized from that component's count. A ``weights_gb`` claim (precision not
    stated) is judged at the precision it is nearest to, which the detail names.
    """
    frame = claims[claims["field"].isin([*BYTES_PER_PARAM, UNSTATED_PRECISION_FIELD])
                   & claims["value"].notna()].copy()
    if frame.empty:
        return empty_checks()
    params = lookup(frame, best_value(references, "params_total"))
    if "component" in frame and derived is not None:
        component_params = derived_lookup(frame, derived, "params_" + frame["component"].astype("string") + "_formula")
        params = params.where(frame["component"].isna(), component_params)
    bytes_per_param, precision_words = bytes_for_unstated_precision(frame, params)
    size_bytes = params * bytes_per_param
    in_gb = size_bytes / 1e9
    written_in_gib = frame["written_unit"] == "GiB" if "written_unit" in frame else pd.Series(False, index=frame.index)
    # stored numbers for the claim's own unit and for the other unit written under its label
    own = in_gb
    other = choose(written_in_gib, in_gb * GIB_IN_GB, in_gb / GIB_IN_GB).astype("float64")
    own_ratio = gap_ratio(frame["implied_low"], frame["implied_high"], own, own)
    other_ratio = gap_ratio(frame["implied_low"], frame["implied_high"], other, other)
    use_other = other_ratio.abs() < own_ratio.abs()
    truth = other.where(use_other, own)
    ratio = other_ratio.where(use_other, own_ratio)
    unit_matched = choose(use_other == written_in_gib, "GB", "GiB")
    known = truth.notna()
    holds = within(frame, truth)
    verdict = verdict_from(known, holds)
    outcome = choose(holds, reading(frame, truth) + " in " + unit_matched.map(UNIT_WORDS),
                     size_words(ratio) + " from the nearer unit (" + unit_matched + ")")
    detail = choose(known, "claimed " + frame["as_written"].astype(str) + "; " + precision_words + format_numbers(params)
                    + " parameters x " + bytes_per_param.map(lambda b: f"{b:g} byte" + ("" if b == 1 else "s"))
                    + " = "
                    + format_numbers(size_bytes) + " bytes = " + two_decimals(in_gb) + " GB = "
                    + two_decimals(size_bytes / 2**30) + " GiB: " + outcome,
                    "no parameter count to size the weights from")
    return check_rows(frame, NAME, verdict, truth, frame["value"], detail,
                      severity(ratio, pd.Series(np.asarray(verdict == INCONSISTENT), index=frame.index)))
