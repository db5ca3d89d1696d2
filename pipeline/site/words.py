"""Words for readers: field labels with their units, and how far off a verdict is.

A check compares a claim's value (``observed``) with what the check expects (``expected``); the checks
table stores ``rel_diff = expected / observed - 1`` (pipeline.check). Readers want the other direction,
the claim against the reference, so the words here use ``observed / expected``: 3.82 reads
"off by 282% (3.8x too large)", 0.26 reads "3.8x too small".
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from pipeline import check as checks_module
from pipeline.fields import FIELDS

#: Human labels (issue 18): what the field is and its unit, as a table header would say it.
FIELD_LABELS = {
    "params_total": "total parameters",
    "params_active": "active parameters per token",
    "params_embedding": "embedding parameters",
    "params_non_embedding": "non-embedding parameters",
    "params_active_non_embedding": "active non-embedding parameters",
    "num_layers": "layers",
    "training_tokens": "training tokens",
    "training_images": "training images",
    "training_compute_flop": "training compute (FLOP)",
    "training_cost_usd": "training cost (USD)",
    "training_gpu_hours": "training GPU-hours",
    "training_core_hours": "training accelerator core-hours",
    "training_dataset_size": "training dataset size",
    "training_duration_days": "training duration (days)",
    "training_chip_count": "training chips",
    "training_hardware": "training hardware",
    "context_length": "context length (tokens)",
    "weights_gb_fp32": "weights at FP32 (GB)",
    "weights_gb_fp16": "weights at FP16 (GB)",
    "weights_gb_int8": "weights at INT8 (GB)",
    "weights_gb_int4": "weights at INT4 (GB)",
    "weights_gb": "weights, precision not stated (GB)",
}

#: How far off, as a check's detail words it ("nearest: off by -36%", "2.5x too small").
_SAID = r"(off by [+\-−]?[\d.,]+%(?: \([\d.]+x too (?:small|large)\))?|[\d.]+x too (?:small|large))"
#: Below this relative gap a consistent claim is "within rounding"; above it, "within tolerance".
ROUNDING_GAP = 0.005
SEVERITIES = ("none", "minor", "major", "gross")


def field_label(name: str) -> str:
    """params_total -> 'total parameters'; a field without a label reads with spaces for underscores."""
    return FIELD_LABELS.get(str(name)) or str(name).replace("_", " ")


def field_description(name: str) -> str:
    """The field's one-sentence definition (pipeline.fields), empty for unknown fields."""
    return FIELDS[name].description if name in FIELDS else ""


def _percent(gap: float) -> str:
    """0.0146 -> '1.5%', 2.82 -> '282%' (two significant figures below 10%, whole percent above)."""
    value = abs(gap) * 100
    return f"{value:.2g}%" if value < 10 else f"{value:,.0f}%"


def truncated_instead_of_rounded(observed: pd.Series, expected: pd.Series, sig_figs: pd.Series) -> pd.Series:
    """True where the claim is the expected value cut (not rounded) to the claim's significant figures:
    68.97B written with 3 figures as "68.9B" rounds to 69.0B. Whole arrays at once (numpy)."""
    observed = pd.to_numeric(observed, errors="coerce").to_numpy(dtype="float64")
    expected = pd.to_numeric(expected, errors="coerce").to_numpy(dtype="float64")
    figures = pd.to_numeric(sig_figs, errors="coerce").to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        exponent = np.floor(np.log10(np.abs(expected)))
        step = 10.0 ** (exponent - figures + 1)
        cut = np.trunc(expected / step) * step
        rounded = np.round(expected / step) * step
        result = (np.isclose(observed, cut, rtol=1e-9) & ~np.isclose(observed, rounded, rtol=1e-9)
                  & np.isfinite(figures) & (expected > 0))
    return pd.Series(result, index=getattr(sig_figs, "index", None))


def size_words(observed: float, expected: float, verdict: str, truncated: bool = False,
               within_precision: bool = False) -> str:
    """How far a claim is from what its check expected, in words ("" when the check had no two numbers).

    observed: the claim's value; expected: the check's reference (same unit). Consistent claims read
    "exact", "within rounding" (the expected value lies inside what the claim's writing allows, or within
    0.5%) or "within tolerance (off by 12%)"; others "off by 1.5%, too large",
    "off by 282% (3.8x too large)", "3.8x too small", or "truncated, not rounded".
    """
    if any(value is None or (isinstance(value, float) and math.isnan(value)) for value in (observed, expected)):
        return ""
    if expected == 0 or observed <= 0 or expected < 0:
        return ""
    if truncated and verdict != checks_module.CONSISTENT:
        return "truncated, not rounded"
    ratio = observed / expected
    gap = ratio - 1
    if verdict == checks_module.CONSISTENT:
        if gap == 0:
            return "exact"
        return "within rounding" if within_precision or abs(gap) < ROUNDING_GAP else f"within tolerance (off by {_percent(gap)})"
    if ratio >= 2:
        return f"off by {_percent(gap)} ({ratio:.2g}x too large)"
    if ratio <= 0.5:
        return f"{1 / ratio:.2g}x too small"
    return f"off by {_percent(gap)}, too {'large' if gap > 0 else 'small'}"


def check_sizes(checks: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    """Per check row: `size` (words) and `severity` (the checks table's column when present, else empty).

    Words come from observed and expected; a check without both (a conflict between sources) gives the words
    its detail uses, else its severity ("gross difference").

    checks: the checks table (claim_id, verdict, observed, expected[, severity]); claims: claim_id,
    sig_figs, implied_low, implied_high (each optional).
    """
    indexed = claims.set_index("claim_id")
    column = lambda name: checks["claim_id"].map(indexed[name]) if name in indexed else pd.Series(np.nan, index=checks.index)  # noqa: E731
    truncated = truncated_instead_of_rounded(checks["observed"], checks["expected"], column("sig_figs"))
    expected = pd.to_numeric(checks["expected"], errors="coerce")
    within = (expected >= pd.to_numeric(column("implied_low"), errors="coerce")) & \
        (expected <= pd.to_numeric(column("implied_high"), errors="coerce"))
    sizes = [size_words(o, e, v, t, w) for o, e, v, t, w in zip(
        checks["observed"].tolist(), checks["expected"].tolist(), checks["verdict"].tolist(), truncated.tolist(),
        within.tolist())]
    sizes = pd.Series(sizes, index=checks.index, dtype=object)
    if "detail" in checks:
        # a miss reads as its detail measures it (from the nearest end of what the claim allows, so a page never
        # shows two percentages for one claim); checks without a single reference (conflicts) only say it there
        said = checks["detail"].astype(str).str.extract(_SAID, expand=False).fillna("")
        inconsistent = checks["verdict"] == checks_module.INCONSISTENT
        sizes = said.where((said != "") & (inconsistent | (sizes == "")), sizes)
    # an informational check (tokens per parameter) compares with a rule of thumb, not a truth: no size
    sizes = sizes.where(checks["verdict"] != checks_module.INFORMATIONAL, "")
    severity = checks["severity"] if "severity" in checks else pd.Series("", index=checks.index)
    severity = severity.fillna("").astype(str)
    sizes = sizes.where((sizes != "") | ~severity.isin(["major", "gross"]), severity + " difference")
    return pd.DataFrame({"size": sizes.to_numpy(), "severity": severity.to_numpy()}, index=checks.index)


def claim_sizes(checks: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    """Per claim: the size words and severity of the check that set its verdict (claim_id, size, severity).

    A claim's verdict is the worst of its checks; among the checks with that verdict, the one furthest
    off (largest |log(observed / expected)|) speaks for it.
    """
    if checks.empty:
        return pd.DataFrame(columns=["claim_id", "size", "severity"])
    frame = checks[["claim_id", "verdict", "observed", "expected"]].join(check_sizes(checks, claims))
    verdicts = claims.set_index("claim_id")["verdict"]
    frame = frame[frame["verdict"] == frame["claim_id"].map(verdicts)]
    with np.errstate(divide="ignore", invalid="ignore"):
        distance = np.abs(np.log(frame["observed"].astype("float64") / frame["expected"].astype("float64")))
    frame = frame.assign(distance=distance.fillna(-1), has_size=frame["size"] != "")
    frame = frame.sort_values(["claim_id", "has_size", "distance"], ascending=[True, False, False], kind="stable")
    return frame.drop_duplicates("claim_id")[["claim_id", "size", "severity"]].reset_index(drop=True)
