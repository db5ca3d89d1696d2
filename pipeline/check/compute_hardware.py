"""compute_hardware: claimed GPU-hours against the compute they must deliver on the model's training chip."""
from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.check.interval import gap_ratio, severity, size_words
from pipeline.check.references import compute_by_stage, lookup_by_stage
from pipeline.check.rows import INCONSISTENT, STATUS_RANK, check_rows, choose, empty_checks, format_numbers, \
    stage_of, verdict_from

NAME = "compute_hardware"
UTILIZATION_BAND = (0.2, 0.6)  # share of peak FLOP/s that large training runs reach (model FLOP utilization)


def squashed(text: pd.Series) -> pd.Series:
    """Lower case without spaces, underscores or hyphens, so "H100-80GB" and "h100 80gb" compare equal."""
    return text.str.lower().str.replace(r"[\s_-]", "", regex=True)


def model_hardware(claims: pd.DataFrame, hardware: pd.DataFrame) -> pd.DataFrame:
    """Each model's training chip, matched from its training_hardware claims to data/hardware aliases
    (the strongest-status claim that names a known chip wins)."""
    text = claims[claims["field"] == "training_hardware"][["model_id", "as_written", "status"]].copy()
    if text.empty or hardware.empty:
        return pd.DataFrame(columns=["hardware_id", "peak_bf16_flops", "price_low", "price_high"])
    aliases = hardware.assign(alias=hardware["aliases"].fillna("").str.split("; ")).explode("alias")
    aliases["alias"] = squashed(aliases["alias"])
    aliases = aliases[aliases["alias"] != ""]
    matches = text.assign(written=squashed(text["as_written"])).merge(aliases, how="cross")
    matches = matches[[alias in written for alias, written in zip(matches["alias"], matches["written"])]]
    matches = matches.assign(rank=matches["status"].map(STATUS_RANK)).sort_values(["model_id", "rank"])
    chosen = matches.drop_duplicates("model_id").set_index("model_id")
    return pd.DataFrame({"hardware_id": chosen["hardware_id"], "peak_bf16_flops": chosen["peak_bf16_flops"],
                         "price_low": chosen["price_usd_per_hour_low"], "price_high": chosen["price_usd_per_hour_high"]})


def chip_column(frame: pd.DataFrame, chips: pd.DataFrame, column: str) -> pd.Series:
    """One column of the model's chip per claim (NaN where the chip is unknown)."""
    if chips.empty:
        return pd.Series(np.nan, index=frame.index, dtype="object")
    return frame["model_id"].map(chips[column])


def percent_each(share: pd.Series) -> pd.Series:
    """Shares as whole percentages ("35%")."""
    return share.map(lambda number: f"{number:.0%}" if number == number else "n/a").astype(str)


def check_compute_hardware(claims: pd.DataFrame, references: pd.DataFrame, chips: pd.DataFrame) -> pd.DataFrame:
    """Claimed GPU-hours against the compute of the same stage at 20-60% of the chip's peak."""
    frame = claims[(claims["field"] == "training_gpu_hours") & claims["value"].notna()].copy()
    if frame.empty:
        return empty_checks()
    compute = lookup_by_stage(frame, stage_of(frame), compute_by_stage(references))
    peak = chip_column(frame, chips, "peak_bf16_flops").astype("float64")
    chip = chip_column(frame, chips, "hardware_id").astype(str)
    seconds_at_peak = compute / peak
    hours_low = seconds_at_peak / UTILIZATION_BAND[1] / 3600
    hours_high = seconds_at_peak / UTILIZATION_BAND[0] / 3600
    known = hours_low.notna()
    ratio = gap_ratio(frame["implied_low"], frame["implied_high"], hours_low, hours_high)
    verdict = verdict_from(known, ratio == 1.0)
    utilization = seconds_at_peak / 3600 / frame["value"]
    outcome = choose(ratio == 1.0, "", ": " + size_words(ratio) + " outside that band")
    detail = choose(known, format_numbers(compute) + " FLOP on " + chip + " ("
                    + format_numbers(peak / 1e12) + " TFLOP/s peak) needs " + format_numbers(hours_low) + " to "
                    + format_numbers(hours_high) + " GPU-hours at 20-60% utilization; the claimed "
                    + format_numbers(frame["value"]) + " implies " + percent_each(utilization) + " utilization"
                    + outcome, "needs a compute figure (claimed or 6ND) for the same stage and a known training chip")
    expected = seconds_at_peak / np.mean(UTILIZATION_BAND) / 3600
    return check_rows(frame, NAME, verdict, expected, frame["value"], detail,
                      severity(ratio, pd.Series(verdict == INCONSISTENT, index=frame.index)))


