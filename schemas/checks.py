"""Element-wise checks shared by the pandera models: each is (test over a Series, error text)."""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata

import pandas as pd
from typing import Callable

from schemas.spec import SLUG

Rule = tuple[Callable[[pd.Series], pd.Series], str]
# Patterns are matched whole (fullmatch: '$' would accept a final newline) and ASCII-only ('\d' would
# accept Arabic-Indic and full-width digits, which no link or parser downstream understands).
# The pattern texts are also the JSON Schema's (where '\d' is ASCII and '$' ends the text).
_SLUG = re.compile(SLUG, re.ASCII)
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$", re.ASCII)
_ARXIV = re.compile(r"^\d{4}\.\d{4,5}(v\d+)?$|^[a-z.-]+/\d{7}$", re.ASCII)
_URL = re.compile(r"^https?://[^\s/]+\.[^\s]+$")
_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")
# C0 controls except tab and line breaks, DEL, C1 controls (ESC sequences, NUL): never in published text
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def visible(value: str) -> bool:
    """Whether text has at least one visible character: not only spaces, zero-width characters
    (U+200B, U+2060, U+FEFF: Unicode category Cf) or other separators and controls."""
    return any(unicodedata.category(char)[0] not in "ZC" for char in value)


def clean_text(value: str) -> bool:
    """Visible text with no control characters (NUL, ESC, ...)."""
    return visible(value) and not _CONTROL.search(value)


def _each(series: pd.Series, test) -> pd.Series:
    """Apply a scalar test to every non-null element (nulls pass: required keys are the loader's job)."""
    return series.map(lambda value: value is None or (isinstance(value, float) and math.isnan(value)) or test(value))


def _text_cells(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Which cells hold text, and the column with every other cell blanked (so .str methods apply)."""
    is_text = series.map(type).eq(str)
    return is_text, series.where(is_text, "")


def text() -> Rule:
    """A non-empty string with something visible in it and no control characters."""
    def test(series: pd.Series) -> pd.Series:
        is_text, texts = _text_cells(series)
        return series.isna() | (is_text & texts.map(clean_text))
    return (test, "expected non-empty text")


def slug() -> Rule:
    """A lowercase slug such as 'llama-2-70b'."""
    def test(series: pd.Series) -> pd.Series:
        is_text, texts = _text_cells(series)
        return series.isna() | (is_text & texts.map(lambda value: _SLUG.fullmatch(value) is not None))
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
    """A date written YYYY-MM-DD, YYYY-MM or YYYY (or 'undated'); its range is validate's to judge."""
    def valid(value) -> bool:
        if isinstance(value, dt.date):
            return True
        if allow_undated and value == "undated":
            return True
        text_value = str(value)
        if not _DATE.fullmatch(text_value):
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
    return (lambda s: _each(s, lambda v: isinstance(v, str) and _URL.fullmatch(v) is not None), "expected an http:// or https:// address")


def arxiv_id() -> Rule:
    """An arXiv identifier such as '2307.09288'."""
    return (lambda s: _each(s, lambda v: isinstance(v, str) and _ARXIV.fullmatch(v) is not None), "expected an arXiv identifier such as '2307.09288' (quote it)")


def text_list() -> Rule:
    """A list of one or more non-empty strings (an empty list names nobody: leave the key out)."""
    return (lambda s: _each(s, lambda v: isinstance(v, list) and len(v) > 0 and all(isinstance(x, str) and clean_text(x) for x in v)),
            "expected a list of names")


def finite_number(value) -> float | None:
    """A number written as a YAML number or as plain ASCII digits ('312e12'); None otherwise.

    Python's float() would also take '312_000e9', ' 3_1_2e1_2 ', 'infinity' and non-ASCII digits,
    which nothing else in the pipeline reads the same way."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value) if abs(value) < 1e308 or isinstance(value, float) else math.inf
    elif isinstance(value, str) and _NUMBER.fullmatch(value):
        number = float(value)
    else:
        return None
    return number if math.isfinite(number) else None


def positive_number() -> Rule:
    """A finite number greater than 0."""
    def valid(value) -> bool:
        number = finite_number(value)
        return number is not None and number > 0
    return (lambda s: _each(s, valid), "expected a finite number greater than 0")


# The slowest accelerator anyone trains on does well over a TFLOP/s; a smaller figure is a unit slip
# ('312' meant as 312 TFLOP/s).
MIN_PEAK_FLOPS = 1e12


def peak_flops() -> Rule:
    """A chip's peak FLOP/s written in full: at least MIN_PEAK_FLOPS."""
    def valid(value) -> bool:
        number = finite_number(value)
        return number is not None and number >= MIN_PEAK_FLOPS
    return (lambda s: _each(s, valid),
            f"expected the peak in FLOP/s written in full (e.g. '312e12'), at least {MIN_PEAK_FLOPS:.0e}")
