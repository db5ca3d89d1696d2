"""Parse claim values written the way sources write them ("~1.76T", "$63-78M", "3.14 × 10²³")."""
from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from functools import lru_cache
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.fields import FIELDS, Field


class ValueParseError(ValueError):
    """A value that cannot be read as a number in the field's unit; the message says what was expected."""


@dataclass(frozen=True)
class ParsedValue:
    """A canonical reading of a written value."""

    value: float | None
    low: float | None
    high: float | None
    precision: str  # exact | N sf | range | lower bound | upper bound | order of magnitude | text | undisclosed
    sig_figs: int | None
    approximate: bool
    written_unit: str | None = None  # the unit as written when it is not the field's own (see WRITTEN_UNITS)


MULTIPLIERS = {
    "k": 1e3, "thousand": 1e3, "thousands": 1e3,
    "m": 1e6, "mn": 1e6, "million": 1e6, "millions": 1e6,
    "b": 1e9, "bn": 1e9, "billion": 1e9, "billions": 1e9,
    "t": 1e12, "tn": 1e12, "trillion": 1e12, "trillions": 1e12,
    "quadrillion": 1e15,
}
# Units a value may be written in that are not its field's own, with their size in the field's unit.
# GiB: 2^30 bytes, the unit memory tools (vLLM, PyTorch) print while model cards write GB (1e9 bytes).
# "binary k": context lengths written as a power of two of k ("4k", "32K", "128k") count 1,024 tokens per k
# (4,096 / 32,768 / 131,072, the configs' max_position_embeddings); other k counts ("200K") are decimal, as
# Anthropic's 200,000-token window. The checks also accept the decimal reading (OpenAI's "128k" is 128,000).
GIB_IN_GB = 2**30 / 1e9
BINARY_K = 1024.0
# TB: 1,000 GB (decimal, like GB) for weight sizes ("3.52TB"); core-years: 8,766 hours (365.25 days) of one
# accelerator core, optionally named before the unit ("395 TPU-v3 core-years").
HOURS_PER_YEAR = 8766.0
WRITTEN_UNITS = {"GiB": GIB_IN_GB, "binary k": BINARY_K, "TB": 1000.0, "core-years": HOURS_PER_YEAR}
GIB_SUFFIX = re.compile(r"\s*gib$")
#: field unit -> (suffix pattern, the unit recorded) of a written unit scaled into the field's unit
SCALED_SUFFIXES = {"GB": ((re.compile(r"\s*tb$"), "TB"),),
                   "core-hours": ((re.compile(r"\s*(?:[a-z0-9.-]+\s+)?core-years?$"), "core-years"),)}
FILLER_WORDS = ("just", "only", "a whopping", "a staggering")
APPROXIMATE_WORDS = ("approximately", "approx.", "approx", "about", "around", "roughly", "nearly",
                     "almost", "some", "circa", "ca.", "~", "≈", "est.", "estimated")
EXACT_WORDS = ("exactly", "precisely")
# "toward 2 trillion" states scale by naming a mark being approached: read like "1T+", a bound, not a point
LOWER_WORDS = ("more than", "greater than", "at least", "over", "above", "exceeding", "topping", "towards", "toward",
               ">=", ">", "≥")
UPPER_WORDS = ("as many as", "as much as", "less than", "fewer than", "at most", "up to", "under", "below", "<=", "<", "≤")
VAGUE = {"tens of": 1, "hundreds of": 2, "": 0}
SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")

_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+"
_SCI = rf"(?P<mant>{_NUMBER})\s*(?:e(?P<exp1>[+-]?\d+)|[x*]\s*10\s*\^\s*(?P<exp2>[+-]?\d+))|10\s*\^\s*(?P<exp3>[+-]?\d+)"
_MULT = r"(?:quadrillion|trillions?|billions?|millions?|thousand|tn|bn|mn|[kmbt])"
# re.ASCII: '\d' means 0-9 only ('٧٠B' and '２T' are refused, not read as 70B and 2T); '\Z' ends the
# text ('$' would also accept a final newline)
_SINGLE = re.compile(rf"^(?:{_SCI}|(?P<num>{_NUMBER})\s*(?P<mult>{_MULT})?)\Z", re.ASCII)
_RANGE = re.compile(rf"^(?P<a>{_NUMBER})\s*(?P<amult>{_MULT})?\s*(?:-|to)\s*\$?\s*(?P<b>{_NUMBER})\s*(?P<bmult>{_MULT})?\Z",
                    re.ASCII)
# No real figure needs an exponent beyond this; longer ones overflow (10^400) or hit Python's
# 4,300-digit limit on int() (an exponent of 5,000 digits), so they are refused before arithmetic.
MAX_EXPONENT = 999
_VAGUE = re.compile(r"^(?P<scale>tens of |hundreds of )?(?P<mult>billions|millions|trillions|thousands)$")


def _multiplier(word: str, field: Field, number: str) -> float:
    """The number a multiplier word stands for; a context length's "k" after a power of two is 1,024 tokens."""
    if word == "k" and field.name == "context_length" and _power_of_two(number):
        return BINARY_K
    return MULTIPLIERS[word]


def _power_of_two(number: str) -> bool:
    """Whether a written number is a whole power of two ("128" yes, "200" and "1.5" no)."""
    digits = number.replace(",", "")
    return digits.isdigit() and int(digits) > 0 and int(digits) & (int(digits) - 1) == 0


@lru_cache(maxsize=None)
def _unit_words_elsewhere(field: Field) -> dict[str, str]:
    """Unit words that belong to other fields but not this one, mapped to a field that owns them."""
    own = set(field.unit_words)
    foreign: dict[str, str] = {}
    for other in FIELDS.values():
        for word in other.unit_words:
            if word not in own and word not in foreign and len(word) > 2:
                foreign[word] = other.name
    return foreign


def _significant_figures(digits: str) -> int:
    """Significant figures of a mantissa as written: '1.76' -> 3, '500' -> 1, '1.0' -> 2."""
    digits = digits.replace(",", "")
    if "." in digits:
        return max(len(digits.replace(".", "").lstrip("0")), 1)
    return max(len(digits.lstrip("0").rstrip("0")), 1)


def _number(text: str, exponent: int = 0, written: str | None = None) -> float:
    """A plain written number, commas allowed, times 10**exponent, rounded once (3.14e23 stays 3.14e23)."""
    try:
        number = float(Decimal(text.replace(",", "")).scaleb(exponent))
    except ArithmeticError:  # decimal.Overflow beyond Decimal's exponent range
        number = math.inf
    if not math.isfinite(number):
        found = json.dumps(written, ensure_ascii=False) if written is not None else f"{text}e{exponent}"
        raise ValueParseError(f"expected a finite value greater than 0; found {found}")
    return number


def _exponent(digits: str, written: str) -> int:
    """A written power of ten as an int; ValueParseError beyond ±MAX_EXPONENT (checked on the text, so
    a 5,000-digit exponent is never converted)."""
    if len(digits.lstrip("+-").lstrip("0")) > len(str(MAX_EXPONENT)) or abs(int(digits)) > MAX_EXPONENT:
        raise ValueParseError(f"expected a finite value greater than 0; found {json.dumps(written, ensure_ascii=False)}")
    return int(digits)


def _normalize(text: str) -> str:
    """Fold case, typographic dashes, multiplication signs and superscript exponents."""
    text = text.strip().lower()
    text = re.sub(r"10([⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+)", lambda m: "10^" + m.group(1).translate(SUPERSCRIPTS), text)
    text = text.replace("×", "x").replace("·", "*").replace("–", "-").replace("—", "-").replace("−", "-")
    return re.sub(r"\s+", " ", text)


@lru_cache(maxsize=None)
def _prefix_pattern(words: tuple[str, ...]) -> re.Pattern:
    """One regex for 'any of these qualifiers at the start, as a whole word'."""
    alternatives = "|".join(re.escape(word) + (r"(?![a-z])" if word[-1].isalpha() else "") for word in words)
    return re.compile(rf"^(?:{alternatives})\s*")


def _strip_prefix(text: str, words: tuple[str, ...]) -> tuple[str, bool]:
    """Remove one leading qualifier from the list, reporting whether one was there."""
    match = _prefix_pattern(words).match(text)
    return (text[match.end():], True) if match else (text, False)


@lru_cache(maxsize=None)
def _unit_phrases(field: Field) -> re.Pattern | None:
    """One regex finding the field's own unit words and other fields' ones, the longest at each place first, so
    "activated non-embedding parameters" is read whole and not as "activated" plus "non-embedding parameters"."""
    words = sorted(set(field.unit_words) | set(_unit_words_elsewhere(field)), key=len, reverse=True)
    return re.compile(rf"(?<![a-z])({'|'.join(map(re.escape, words))})(?![a-z])") if words else None


def _strip_units(text: str, field: Field) -> str:
    """Remove trailing unit words that belong to the field; reject ones that belong to another field."""
    original = text
    for word in sorted(field.unit_words, key=len, reverse=True):
        if text.endswith(" " + word) or text.endswith(word) and not text[: -len(word)][-1:].isalpha():
            text = text[: -len(word)].strip()
            break
    pattern = _unit_phrases(field)
    foreign = _unit_words_elsewhere(field)
    for found in (pattern.finditer(original) if pattern else ()):
        word = found.group(1)
        if word in foreign:
            raise ValueParseError(f"the unit '{word}' belongs to {foreign[word]}, not {field.name} (unit: {field.unit})")
    return text


# A claim whose value is one of these records that the developer declined to publish the figure
# (e.g. the GPT-4 report's "no further details about the architecture (including model size)").
UNDISCLOSED_WORDS = frozenset({"not disclosed", "undisclosed"})


@lru_cache(maxsize=200_000)
def parse_value(written: str, field_name: str) -> ParsedValue:
    """Read a value as written into value/low/high and its precision, in the field's unit."""
    field = FIELDS[field_name]
    if not field.numeric:
        if not written.strip():
            raise ValueParseError("expected text naming the hardware; found an empty string")
        return ParsedValue(None, None, None, "text", None, False)
    text = _normalize(written)
    if text in UNDISCLOSED_WORDS:  # the developer says it does not publish this figure
        return ParsedValue(None, None, None, "undisclosed", None, False)
    text, _ = _strip_prefix(text, FILLER_WORDS)
    # "7-billion-parameter" is the adjective form of "7 billion parameters"
    text = re.sub(rf"(\d)-({_MULT})\b", r"\1 \2", text)
    text = re.sub(r"-(parameters?|params?|tokens?)$", r" \1", text)
    text, approximate = _strip_prefix(text, APPROXIMATE_WORDS)
    text, exact = _strip_prefix(text, EXACT_WORDS)
    text, lower = _strip_prefix(text, LOWER_WORDS)
    text, upper = (text, False) if lower else _strip_prefix(text, UPPER_WORDS)
    if not approximate:
        text, approximate = _strip_prefix(text, APPROXIMATE_WORDS)
    scale, written_unit = 1.0, None
    if field.unit == "GB" and GIB_SUFFIX.search(text):  # "14.96GiB": stored in GB, the unit recorded
        text, scale, written_unit = GIB_SUFFIX.sub("", text), GIB_IN_GB, "GiB"
    for suffix, unit in SCALED_SUFFIXES.get(field.unit, ()):
        if suffix.search(text):
            text, scale, written_unit = suffix.sub("", text), WRITTEN_UNITS[unit], unit
    text = _strip_units(text, field)
    if text.startswith("$") or text.startswith("usd"):
        if not field.currency:
            raise ValueParseError(f"a currency amount belongs to training_cost_usd, not {field.name}")
        text = text.lstrip("$").removeprefix("usd").strip()
    if text.endswith("+"):  # "1T+" means at least 1T
        text, lower = text[:-1].strip(), True
    text = re.sub(r"^in the (?=(?:tens of |hundreds of )?(?:thousands|millions|billions|trillions)$)", "", text)
    text = re.sub(r"^(?:a|one) (?=(?:thousand|million|billion|trillion)$)", "1 ", text)

    if match := re.match(r"^sub-(?P<mult>thousand|million|billion|trillion)$", text):
        limit = MULTIPLIERS[match["mult"]]  # "sub-billion" is below one billion
        return _checked(ParsedValue(limit, None, limit, "upper bound", 1, False), written)
    if match := _VAGUE.match(text):
        scale = MULTIPLIERS[match["mult"].removesuffix("s")] * 10 ** VAGUE[(match["scale"] or "").strip()]
        return _checked(ParsedValue(None, scale, scale * 10, "order of magnitude", None, True), written)
    if match := _RANGE.match(text):
        high_mult = _multiplier(match["bmult"], field, match["b"]) if match["bmult"] else 1.0
        low_mult = _multiplier(match["amult"], field, match["a"]) if match["amult"] else high_mult
        low, high = _number(match["a"]) * low_mult * scale, _number(match["b"]) * high_mult * scale
        if high_mult == BINARY_K:
            written_unit = "binary k"
        if low > high:
            raise ValueParseError(f"a range must go from low to high; found {json.dumps(written, ensure_ascii=False)}")
        return _checked(ParsedValue((low + high) / 2, low, high, "range", None, approximate, written_unit), written)
    match = _SINGLE.match(text)
    if not match and re.match(r"^(-\s*[\d.]|[.+-]?(nan|inf|infinity)$)", text):
        raise ValueParseError(f"expected a finite value greater than 0; found {json.dumps(written, ensure_ascii=False)}")
    if not match:
        raise ValueParseError(
            f"expected a number in {field.unit} such as '175B', '~1.76 trillion', '70,015,266,816', "
            f"'650-800B' or '3.14e23'; found {json.dumps(written, ensure_ascii=False)}")
    if match["exp3"] is not None:
        value, sig_figs = _number("1", _exponent(match["exp3"], written), written), 1
    elif match["mant"] is not None:
        exponent = _exponent(match["exp1"] if match["exp1"] is not None else match["exp2"], written)
        value, sig_figs = _number(match["mant"], exponent, written), _significant_figures(match["mant"])
    else:
        multiplier = _multiplier(match["mult"], field, match["num"]) if match["mult"] else None
        if multiplier == BINARY_K:
            written_unit = "binary k"
        value = _number(match["num"]) * (multiplier or 1.0)
        sig_figs = _significant_figures(match["num"])
        if multiplier is None and "." not in match["num"] and not approximate and field.unit != "GB" and scale == 1.0:
            # a fully written count is exact unless hedged; a size in GB ("140GB") or a figure in a larger unit
            # ("395 core-years") is a rounded measure
            exact = True
    value *= scale
    value = float(round(value)) if value >= 1 and abs(value - round(value)) < 1e-6 * value else value
    if lower:
        return _checked(ParsedValue(value, value, None, "lower bound", sig_figs, approximate, written_unit), written)
    if upper:
        return _checked(ParsedValue(value, None, value, "upper bound", sig_figs, approximate, written_unit), written)
    precision = "exact" if exact and not approximate else f"{sig_figs} sf"
    return _checked(ParsedValue(value, None, None, precision, None if precision == "exact" else sig_figs,
                                approximate, written_unit), written)


def written_units(as_written: pd.Series, field: pd.Series) -> pd.Series:
    """Per claim, the unit its value was written in when not the field's own: "GiB", "binary k" or None.

    The vectorized twin of parse_value's `written_unit` (same patterns), for whole claims tables.
    """
    text = as_written.astype("string").str.strip().str.lower()
    in_gib = field.isin([name for name, spec in FIELDS.items() if spec.unit == "GB"]) & text.str.contains(
        GIB_SUFFIX.pattern, regex=True)
    k_count = text.str.extract(r"(?:^|[^\d.,])([\d,]+)\s*k(?:\s*tokens?)?$", expand=False).str.replace(",", "")
    count = pd.to_numeric(k_count, errors="coerce").astype("float64").to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        power_of_two = pd.Series((count > 0) & (np.log2(count) % 1 == 0), index=as_written.index)
    in_binary_k = (field == "context_length") & power_of_two
    units = np.select([in_gib.fillna(False).astype(bool), in_binary_k.fillna(False).astype(bool)],
                      ["GiB", "binary k"], "")
    units = pd.Series(units, index=as_written.index, dtype="object")
    return units.where(units != "", None)


def _checked(parsed: ParsedValue, written: str) -> ParsedValue:
    """Reject non-finite or non-positive readings."""
    for number in (parsed.value, parsed.low, parsed.high):
        if number is not None and (not math.isfinite(number) or number <= 0):
            raise ValueParseError(f"expected a finite value greater than 0; found {json.dumps(written, ensure_ascii=False)}")
    return parsed
