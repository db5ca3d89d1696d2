"""What true values a claim allows as written, and how far a truth lies outside them.

A claim's implied interval is the set of true values its wording admits:
- exact ("exactly N", a fully written integer): the value itself;
- rounded ("7B", "12B", any 1-2 significant figures): value ± half a unit in the last written digit;
- 3 or more significant figures ("1.23B", "7.61B", "405B"), or two written with a decimal point ("3.3B",
  "2.0B"): the rounded reading joined with the truncated one (developers often cut a precise count instead of
  rounding it), so [value − ½ unit, value + 1 unit);
- ranges, bounds and orders of magnitude: their written ends.
Units written in another unit than the field's (GiB, a context length's binary k) size the unit in that unit;
a binary-k context length also allows its decimal reading ("128k" is 131,072, or 128,000 as OpenAI counts).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.load.values import BINARY_K, WRITTEN_UNITS, written_units

DECIMAL_PER_BINARY_K = 1000 / BINARY_K
TRUNCATION_MIN_SIG_FIGS = 3  # one- and two-digit size labels ("7B", "12B") are rounded, never truncated...
# ...but two figures with a decimal point are a measurement, not a label: Qwen's "3.3B" activated is 3,353,032,704
DECIMAL_POINT = r"\d\.\d"
MINOR_LIMIT = 1.05  # a miss under 5% is minor
GROSS_LIMIT = 2.0  # a miss of 2x or more, either way, is gross
NONE, MINOR, MAJOR, GROSS = "none", "minor", "major", "gross"
SEVERITIES = (NONE, MINOR, MAJOR, GROSS)


def written_unit_column(claims: pd.DataFrame) -> pd.Series:
    """The claims' written_unit column, read from as_written when the frame has none (None without either)."""
    if "written_unit" in claims:
        return claims["written_unit"]
    if "as_written" in claims and "field" in claims:
        return written_units(claims["as_written"], claims["field"])
    return pd.Series(None, index=claims.index, dtype="object")


def half_unit(claims: pd.DataFrame) -> pd.Series:
    """Half a unit in the last written digit, in the field's unit ("1.23B": 5,000,000; "14.96GiB": 0.005 GiB in GB).

    NaN for claims without significant figures (exact values, ranges, text).
    """
    scale = written_unit_column(claims).map(WRITTEN_UNITS).astype("float64").fillna(1.0)
    written = claims["value"].astype("float64") / scale
    # the small offset keeps 100 (stored as 99.99999999 after a unit conversion) in the right decade
    exponent = np.floor(np.log10(written.where(written > 0)) + 1e-9)
    return 0.5 * 10.0 ** (exponent - claims["sig_figs"].astype("float64") + 1) * scale


def implied_interval(claims: pd.DataFrame) -> pd.DataFrame:
    """implied_low/implied_high per claim: the true values its wording admits (see the module docstring).

    Needs value, low, high, precision and sig_figs (and written_unit or as_written + field).
    """
    value, low, high = claims["value"], claims["low"], claims["high"]
    half = half_unit(claims)
    precision = claims["precision"].astype(object).fillna("")
    lower = pd.Series(np.nan, index=claims.index)
    upper = pd.Series(np.nan, index=claims.index)
    rounded = precision.str.endswith(" sf")
    sig_figs = claims["sig_figs"].astype("float64")
    decimal_point = claims["as_written"].astype("string").str.contains(DECIMAL_POINT, regex=True).fillna(False) \
        if "as_written" in claims else pd.Series(False, index=claims.index)
    truncatable = rounded & ((sig_figs >= TRUNCATION_MIN_SIG_FIGS) | ((sig_figs == 2) & decimal_point.astype(bool)))
    lower[rounded], upper[rounded] = (value - half)[rounded], (value + half)[rounded]
    upper[truncatable] = (value + 2 * half)[truncatable]
    # a power-of-two k context length also allows the decimal reading ("128k": 128,000 as well as 131,072)
    decimal = rounded & (written_unit_column(claims) == "binary k")
    lower[decimal] = ((value - half) * DECIMAL_PER_BINARY_K)[decimal]
    exact = precision == "exact"
    lower[exact], upper[exact] = value[exact], value[exact]
    spans = precision.isin(["range", "order of magnitude"])
    lower[spans], upper[spans] = low[spans], high[spans]
    at_least = precision == "lower bound"
    lower[at_least], upper[at_least] = low[at_least], np.inf
    at_most = precision == "upper bound"
    lower[at_most], upper[at_most] = 0.0, high[at_most]
    return pd.DataFrame({"implied_low": lower.astype("float64"), "implied_high": upper.astype("float64")})


def with_implied_interval(claims: pd.DataFrame) -> pd.DataFrame:
    """Claims with written_unit, implied_low and implied_high (the true values each claim allows as written)."""
    claims = claims.drop(columns=["implied_low", "implied_high", "written_unit"], errors="ignore")
    claims = claims.astype({"value": "float64", "low": "float64", "high": "float64"})
    claims = claims.assign(written_unit=written_units(claims["as_written"], claims["field"]))
    return claims.join(implied_interval(claims))


def within(frame: pd.DataFrame, truth: pd.Series) -> pd.Series:
    """Whether each claim's implied interval contains the true value (False where the truth is unknown)."""
    return (truth >= frame["implied_low"]) & (truth <= frame["implied_high"])


def reading(frame: pd.DataFrame, truth: pd.Series) -> pd.Series:
    """How a claim holds a truth inside its interval: "exact", "within rounding", "truncated", "within the
    range", "within the bound" ("" where it does not)."""
    precision = frame["precision"].astype(object).fillna("")
    half = half_unit(frame)
    in_rounding = (truth >= frame["value"] - half) & (truth <= frame["value"] + half)
    words = pd.Series("", index=frame.index, dtype="object")
    holds = within(frame, truth)
    words[holds & precision.str.endswith(" sf")] = "truncated"
    words[holds & precision.str.endswith(" sf") & (truth < frame["value"] - half)] = "within rounding, k read as 1,000"
    words[holds & precision.str.endswith(" sf") & in_rounding] = "within rounding"
    words[holds & (precision == "exact")] = "exact"
    words[holds & precision.isin(["range", "order of magnitude"])] = "within the range"
    words[holds & precision.isin(["lower bound", "upper bound"])] = "within the bound"
    return words


def gap_ratio(claim_low: pd.Series, claim_high: pd.Series, truth_low: pd.Series, truth_high: pd.Series) -> pd.Series:
    """How far a claim's interval lies from the truth's, as a signed factor measured from the nearest ends.

    +r: the claim is too large (its low end is r times the truth's high end); −r: too small (the truth's low end is
    r times the claim's high end); 1.0 where the intervals overlap; NaN where the truth is unknown. r >= 1.
    """
    too_large = claim_low / truth_high
    too_small = truth_low / claim_high
    ratio = pd.Series(1.0, index=claim_low.index)
    ratio = ratio.mask(claim_low > truth_high, too_large).mask(claim_high < truth_low, -too_small)
    return ratio.where(truth_low.notna() & truth_high.notna())


def severity(ratio: pd.Series, inconsistent: pd.Series) -> pd.Series:
    """none (no miss), minor (< 5%), major (5% up to 2x) or gross (2x or more), from gap_ratio's factor."""
    size = ratio.abs()
    levels = np.select([~inconsistent | size.isna() | (size <= 1.0), size < MINOR_LIMIT, size < GROSS_LIMIT],
                       [NONE, MINOR, MAJOR], GROSS)
    return pd.Series(levels, index=ratio.index, dtype="object")


def _percent(share: float) -> str:
    """A signed percentage with the digits a reader needs: +0.06%, -7.4%, +282%."""
    size = abs(share * 100)
    digits = 2 if size < 1 else 1 if size < 10 else 0
    return f"{share * 100:+.{digits}f}%"


def size_words(ratio: pd.Series) -> pd.Series:
    """A miss in words: "off by +0.06%", "off by -11%", "off by +282% (3.8x too large)", "3.8x too small"."""
    def words(factor: float) -> str:
        if factor != factor or abs(factor) <= 1.0:
            return ""
        if factor > 0:
            text = f"off by {_percent(factor - 1)}"
            return text + f" ({factor:.1f}x too large)" if factor >= GROSS_LIMIT else text
        if -factor >= GROSS_LIMIT:
            return f"{-factor:.1f}x too small"
        return f"off by {_percent(1 / -factor - 1)}"
    return ratio.map(words).astype("object")
