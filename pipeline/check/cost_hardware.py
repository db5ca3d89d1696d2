"""cost_hardware: claimed training cost against GPU-hours of the same stage times the chip's price band."""
from __future__ import annotations

import pandas as pd

from pipeline.check.compute_hardware import chip_column
from pipeline.check.interval import gap_ratio, severity, size_words
from pipeline.check.references import STAGE_ORDER, best_value, lookup_by_stage
from pipeline.check.rows import INCONSISTENT, check_rows, choose, empty_checks, format_numbers, stage_of, \
    verdict_from

NAME = "cost_hardware"


def dollars(amounts: pd.Series) -> pd.Series:
    """Amounts in dollars ("$5,328,000", "$2", "$2.5")."""
    return "$" + amounts.map(lambda number: "n/a" if number != number else f"{number:,.0f}" if number >= 100
                             else f"{number:,.2f}".rstrip("0").rstrip(".")).astype(str)


def price_band(low: pd.Series, high: pd.Series) -> pd.Series:
    """A price per hour: "$2" when the band is one price, else "$2-3"."""
    return choose(low == high, dollars(low), dollars(low) + "-" + dollars(high).str.lstrip("$"))


def check_cost_hardware(claims: pd.DataFrame, references: pd.DataFrame, chips: pd.DataFrame) -> pd.DataFrame:
    """Claimed training cost against the best GPU-hours of the same stage times the chip's sourced price band."""
    frame = claims[(claims["field"] == "training_cost_usd") & claims["value"].notna()].copy()
    if frame.empty:
        return empty_checks()
    hours_by_stage = {stage: best_value(references, "training_gpu_hours", stage) for stage in STAGE_ORDER}
    gpu_hours = lookup_by_stage(frame, stage_of(frame), hours_by_stage)
    price_low = chip_column(frame, chips, "price_low").astype("float64")
    price_high = chip_column(frame, chips, "price_high").astype("float64")
    low, high = gpu_hours * price_low, gpu_hours * price_high
    known = low.notna() & high.notna()
    ratio = gap_ratio(frame["implied_low"], frame["implied_high"], low, high)
    verdict = verdict_from(known, ratio == 1.0)
    cost = choose(low == high, dollars(low), dollars(low) + " to " + dollars(high))
    outcome = choose(ratio == 1.0, "", ": " + size_words(ratio))
    # as written: amounts read best with their own currency sign and words ("$3-4 million")
    detail = choose(known, "claimed " + frame["as_written"].astype(str) + "; " + format_numbers(gpu_hours) + " GPU-hours at "
                    + price_band(price_low, price_high) + " per hour cost " + cost + outcome,
                    "needs GPU-hours for the same stage and a sourced price for the training chip")
    return check_rows(frame, NAME, verdict, (low + high) / 2, frame["value"], detail,
                      severity(ratio, pd.Series(verdict == INCONSISTENT, index=frame.index)))
