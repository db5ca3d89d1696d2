"""Element-wise checks shared by the pandera models: each is (test over a Series, error text)."""
from __future__ import annotations

import datetime as dt
import math
import re

import pandas as pd
from typing import Callable

from schemas.spec import SLUG

Rule = tuple[Callable[[pd.Series], pd.Series], str]
_SLUG = re.compile(SLUG)
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_ARXIV = re.compile(r"^\d{4}\.\d{4,5}(v\d+)?$|^[a-z.-]+/\d{7}$")


def _each(series: pd.Series, test) -> pd.Series:
    """Apply a scalar test to every non-null element (nulls pass: required keys are the loader's job)."""
    return series.map(lambda value: value is None or (isinstance(value, float) and math.isnan(value)) or test(value))


def _text_cells(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Which cells hold text, and the column with every other cell blanked (so .str methods apply)."""
    is_text = series.map(type).eq(str)
    return is_text, series.where(is_text, "")


def text() -> Rule:
    """A non-empty string."""
    def test(series: pd.Series) -> pd.Series:
        is_text, texts = _text_cells(series)
        return series.isna() | (is_text & texts.str.strip().ne(""))
    return (test, "expected non-empty text")


def slug() -> Rule:
    """A lowercase slug such as 'llama-2-70b'."""
    def test(series: pd.Series) -> pd.Series:
        is_text, texts = _text_cells(series)
        return series.isna() | (is_text & texts.str.match(SLUG))
    return (test, "expected a lowercase slug (a-z, 0-9, '-', '.', '_'), e.g. 'llama-2-70b'")


def one_of(values) -> Rule:
    """One of a fixed list of words."""
    allowed = tuple(values)

    def test(series: pd.Series) -> pd.Series:
        is_text, texts = _text_cells(series)
        return series.isna() | (is_text & texts.isin(allowed))
    return (test, f"expected one of {', '.join(allowed)}")


def boolean() -> Rule:
    """true or false."""
    return (lambda s: _each(s, lambda v: isinstance(v, bool)), "expected true or false")


def integer_equal(expected: int) -> Rule:
    """Exactly this whole number."""
    return (lambda s: _each(s, lambda v: type(v) is int and v == expected), f"expected {expected}")


def date_like(allow_undated: bool = False) -> Rule:
    """A date written YYYY-MM-DD, YYYY-MM or YYYY (or 'undated')."""
    def valid(value) -> bool:
        if isinstance(value, dt.date):
            return True
        if allow_undated and value == "undated":
            return True
        text_value = str(value)
        if not _DATE.match(text_value):
            return False
        try:
            dt.date.fromisoformat((text_value + "-01-01")[:10] if len(text_value) < 10 else text_value)
        except ValueError:
            return False
        return True
    error = "expected a date written YYYY-MM-DD, YYYY-MM or YYYY" + (" (or 'undated')" if allow_undated else "")
    return (lambda s: _each(s, valid), error)


def http_url() -> Rule:
    """An http:// or https:// address."""
    return (lambda s: _each(s, lambda v: isinstance(v, str) and re.match(r"^https?://[^\s/]+\.[^\s]+$", v) is not None), "expected an http:// or https:// address")


def arxiv_id() -> Rule:
    """An arXiv identifier such as '2307.09288'."""
    return (lambda s: _each(s, lambda v: isinstance(v, str) and bool(_ARXIV.match(v))), "expected an arXiv identifier such as '2307.09288' (quote it)")


def text_list() -> Rule:
    """A list of non-empty strings."""
    return (lambda s: _each(s, lambda v: isinstance(v, list) and all(isinstance(x, str) and x for x in v)), "expected a list of names")


def positive_number() -> Rule:
    """A finite number greater than 0."""
    def valid(value) -> bool:
        try:
            number = float(value) if not isinstance(value, bool) else float("nan")
        except (TypeError, ValueError):
            return False
        return math.isfinite(number) and number > 0
    return (lambda s: _each(s, valid), "expected a finite number greater than 0")
