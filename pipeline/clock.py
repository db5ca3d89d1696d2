"""What "today" is for the rules that depend on it (no date may lie in the future).

Today is an input, not a hidden read of the clock, so that a test, a CI run or a rebuild of an old
release gives the same answer on any day: `--today YYYY-MM-DD` on the command line, else the
environment variable MODELFACTS_TODAY, else the machine's calendar date.
"""
from __future__ import annotations

import datetime as dt
import os

ENVIRONMENT_VARIABLE = "MODELFACTS_TODAY"


class TodayError(ValueError):
    """A `--today` or MODELFACTS_TODAY value that is not a calendar date."""


def parse_today(text: str, origin: str) -> dt.date:
    """A YYYY-MM-DD date; raises TodayError naming `origin` (the option or variable it came from)."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise TodayError(f"{origin}: expected a date written YYYY-MM-DD; found {text!r}") from None


def today(option: str | None = None) -> dt.date:
    """Today's date: the option if given, else MODELFACTS_TODAY, else the calendar date.

    Raises TodayError when the option or the variable is set but is not a YYYY-MM-DD date.
    """
    if option:
        return parse_today(option, "--today")
    pinned = os.environ.get(ENVIRONMENT_VARIABLE)
    if pinned:
        return parse_today(pinned, ENVIRONMENT_VARIABLE)
    return dt.date.today()
