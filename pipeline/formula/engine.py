"""Counting tables of configs: key normalization, errors, and the public ``count``/``explain``."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd

from pipeline.formula.registry import FAMILIES, FAMILY_EXTRAS, MODEL_TYPE_ALIASES, SUPPORTED_FAMILIES
from pipeline.formula.spec import MISSING, Family, column
from pipeline.formula.terms import COMPONENTS, EMBEDDING_PARTS, EXTRAS, INT64, ConfigError, Ctx

_MAX_KEY_VALUE = 2 ** 31      # any single config value at or above this is rejected as invalid


_IS_STR = np.frompyfunc(lambda x: isinstance(x, str), 1, 1)


_BOOL_MAP = {True: True, False: False, "true": True, "false": False, "True": True, "False": False}


def _to_bool(vals: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(values, missing, invalid) for a boolean key."""
    if vals.dtype == bool:
        return vals, np.zeros(len(vals), bool), np.zeros(len(vals), bool)
    s = pd.Series(vals, dtype=object)
    missing = s.isna().to_numpy()
    mapped = s.map(_BOOL_MAP)          # hash lookups: True/False, 1/0 and "true"/"false"
    invalid = (~missing) & mapped.isna().to_numpy()
    out = mapped.where(~mapped.isna(), False).to_numpy().astype(bool)
    return out, missing, invalid


def _to_int(vals: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(int64 values with 0 where missing/invalid, missing, invalid) for an integer key."""
    if vals.dtype.kind in "iu":
        z = np.zeros(len(vals), bool)
        out = vals.astype(INT64)
        bad = (out < 0) | (out >= _MAX_KEY_VALUE)
        return np.where(bad, 0, out), z, bad
    if vals.dtype.kind == "f":
        missing = np.isnan(vals)
        f = vals
    else:
        s = pd.Series(vals, dtype=object)
        missing = s.isna().to_numpy()
        f = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        # integral, non-negative and below 2**31: larger widths would let int64 products overflow
        bad = (~missing) & (np.isnan(f) | (f != np.floor(f)) | (f < 0) | (f >= _MAX_KEY_VALUE))
    out = np.where(missing | bad, 0, f).astype(INT64)
    return out, missing, bad


@dataclass
class _Normalized:
    cols: dict[str, np.ndarray]
    missing: dict[str, np.ndarray] = field(default_factory=dict)   # required keys absent
    invalid: dict[str, np.ndarray] = field(default_factory=dict)   # present but unusable


def _normalize(fam: Family, df: pd.DataFrame, pos: np.ndarray) -> _Normalized:
    n = len(pos)
    raw: dict[str, Any] = {}
    for key, spec in fam.keys.items():
        vals = column(df, key, pos)
        for alias in spec.aliases:
            if alias in df.columns:
                gap = np.asarray(pd.isna(vals), bool)
                if gap.any():
                    alt = column(df, alias, pos)
                    if alt.dtype == vals.dtype:
                        vals = np.where(gap, alt, vals)
                    else:
                        vals = np.where(gap, alt.astype(object), vals.astype(object))
        raw[key] = vals
    if fam.prepare is not None:
        fam.prepare(df, pos, raw)

    out = _Normalized(cols={})
    cols = out.cols
    for key, spec in fam.keys.items():
        vals = np.asarray(raw[key]) if not isinstance(raw[key], np.ndarray) else raw[key]
        if spec.kind == "obj":
            # lists and dicts are never NA: pd.isna looks at each element of an object array
            missing = np.asarray(pd.isna(vals), bool)
            col = vals.astype(object)
            if spec.default is not MISSING and not callable(spec.default):
                col = col.copy()
                col[missing] = spec.default
            invalid = np.zeros(n, bool)
        elif spec.kind == "str":
            missing = np.asarray(pd.isna(vals), bool)
            col = vals.astype(object).copy()
            col[missing] = spec.default
            is_str = _IS_STR(vals.astype(object)).astype(bool) if n else np.zeros(0, bool)
            invalid = (~missing) & ~is_str
            col[invalid] = spec.default
        elif spec.kind == "bool":
            col, missing, invalid = _to_bool(vals)
            if spec.default is not MISSING:
                d = spec.default(cols) if callable(spec.default) else spec.default
                col = np.where(missing, d, col).astype(bool)
        else:
            col, missing, invalid = _to_int(vals)
            if spec.zero_is_missing:
                missing = missing | ((col == 0) & ~invalid)
            if spec.positive:
                invalid = invalid | ((~missing) & (col <= 0))
            if spec.default is not MISSING and missing.any():
                d = spec.default(cols) if callable(spec.default) else spec.default
                col = np.where(missing, d, col).astype(INT64)
            if spec.positive:
                col = np.where(col <= 0, 1, col)      # keep divisions safe on rows that will error out
        cols[key] = col
        if spec.required and missing.any():
            out.missing[key] = missing
        if invalid.any():
            out.invalid[key] = invalid
    if fam.validate is not None:
        for key, mask in fam.validate(cols).items():
            if mask.any():
                out.missing[key] = out.missing.get(key, np.zeros(n, bool)) | mask
    if fam.finish is not None:
        fam.finish(cols, raw)
    return out


def _error_messages(fam: Family, norm: _Normalized, n: int) -> np.ndarray:
    """One message per row (None when fine), built per distinct pattern of missing/invalid keys."""
    keys = list(fam.keys)
    code = np.zeros(n, dtype=np.int64)
    for i, k in enumerate(keys):
        if k in norm.missing:
            code |= norm.missing[k].astype(np.int64) << i
        if k in norm.invalid:
            code |= norm.invalid[k].astype(np.int64) << (i + 31)
    msgs = np.full(n, None, dtype=object)
    bad = code != 0
    if not bad.any():
        return msgs
    for pattern in np.unique(code[bad]):
        pattern = int(pattern)
        miss = [k for i, k in enumerate(keys) if pattern >> i & 1]
        inv = [k for i, k in enumerate(keys) if pattern >> (i + 31) & 1]
        text = []
        if miss:
            text.append(f"missing required key(s) for {fam.name}: {', '.join(miss)}")
        if inv:
            text.append(f"invalid value for key(s) in {fam.name}: {', '.join(inv)}")
        msgs[code == pattern] = "; ".join(text)
    return msgs


def _run(fam: Family, norm: _Normalized, n: int, explain: bool):
    ctx = Ctx(norm.cols, n, explain)
    with np.errstate(all="ignore"):
        return fam.build(ctx)


def _as_array(value: Any, n: int) -> np.ndarray:
    arr = np.asarray(value, dtype=INT64)
    if arr.ndim == 0:
        return np.full(n, int(arr), dtype=INT64)
    return arr


def _unknown_message(mt: Any) -> str:
    return (f"unknown model_type {mt!r}; supported families: {', '.join(SUPPORTED_FAMILIES)}")


def count_table(configs: pd.DataFrame) -> pd.DataFrame:
    """Count many configs at once.

    Input: one row per architecture, index = model id, columns = top-level config keys (overrides
    already merged; nested values stay Python objects; missing keys NaN/None). Output: same index,
    columns ``model_type``, ``total``, ``active``, ``embedding``, ``non_embedding``, one ``comp_<part>``
    per component, one ``extra_<part>`` per extra module (all Int64) and ``error`` (None when fine).
    A row with an unknown family or a missing key gets its error and NA counts; nothing raises.
    """
    if not isinstance(configs, pd.DataFrame):
        raise TypeError("count_table expects a pandas DataFrame")
    n = len(configs)
    out_cols = ["total", "active", "embedding", "non_embedding"] + [f"comp_{p}" for p in COMPONENTS] \
        + [f"extra_{p}" for p in EXTRAS]
    values = {c: np.zeros(n, dtype=INT64) for c in out_cols}
    ok = np.zeros(n, dtype=bool)
    errors = np.full(n, None, dtype=object)

    if "model_type" in configs.columns:
        mt = configs["model_type"].to_numpy(dtype=object)
    else:
        mt = np.full(n, None, dtype=object)
    fam_names = pd.Series(mt, dtype=object).replace(MODEL_TYPE_ALIASES)
    codes, uniques = pd.factorize(fam_names, use_na_sentinel=True)

    for code, name in enumerate(uniques):
        pos = np.flatnonzero(codes == code)
        fam = FAMILIES.get(name) if isinstance(name, str) else None
        if fam is None:
            errors[pos] = pd.Series(mt[pos], dtype=object).map(_unknown_message).to_numpy(dtype=object)
            continue
        norm = _normalize(fam, configs, pos)
        msgs = _error_messages(fam, norm, len(pos))
        parts, idle, extras = _run(fam, norm, len(pos), explain=False)
        total = np.zeros(len(pos), dtype=INT64)
        emb = np.zeros(len(pos), dtype=INT64)
        for part in fam.parts:
            arr = _as_array(parts[part].value, len(pos))
            values[f"comp_{part}"][pos] = arr
            total += arr
            if part in EMBEDDING_PARTS:
                emb += arr
        values["total"][pos] = total
        values["embedding"][pos] = emb
        values["non_embedding"][pos] = total - emb
        values["active"][pos] = total - _as_array(idle.value, len(pos))
        for part, term in extras.items():
            values[f"extra_{part}"][pos] = _as_array(term.value, len(pos))
        ok[pos] = np.asarray(pd.isna(msgs), bool)
        errors[pos] = msgs

    no_type = pd.isna(pd.Series(mt, dtype=object)).to_numpy()
    errors[no_type] = "missing key: model_type"
    ok[no_type] = False

    result = {"model_type": pd.Series(mt, dtype=object).astype("string").array}
    mask = ~ok
    for c in out_cols:
        result[c] = pd.arrays.IntegerArray(values[c], mask.copy())
    out = pd.DataFrame(result, index=configs.index)
    # object dtype keeps None (not NaN) for rows without error, whatever pandas infers for strings
    out["error"] = pd.Series(errors, index=configs.index, dtype=object)
    return out


def _merge(config: Mapping[str, Any], overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    if not isinstance(config, Mapping):
        raise ConfigError("config must be a mapping (the parsed config.json)")
    merged = dict(config)
    if overrides:
        merged.update(overrides)
    return merged


def _one_row(cfg: dict[str, Any]) -> pd.DataFrame:
    # object columns keep lists/dicts as they are
    index = pd.Index(["config"])
    return pd.DataFrame({k: pd.Series([v], dtype=object, index=index) for k, v in cfg.items()}, index=index)


def _family_of(cfg: Mapping[str, Any]) -> Family:
    mt = cfg.get("model_type")
    if mt is None:
        raise ConfigError("missing key: model_type")
    fam = FAMILIES.get(MODEL_TYPE_ALIASES.get(mt, mt)) if isinstance(mt, str) else None
    if fam is None:
        raise ConfigError(_unknown_message(mt))
    return fam


def count(config: dict, overrides: dict | None = None) -> dict:
    """Count one config.

    Returns ``{"model_type", "total", "active", "embedding", "non_embedding", "components": {part: int},
    "extra": {part: int}}`` with Python ints. Raises :class:`ConfigError` for an unknown ``model_type``
    (the message lists :data:`SUPPORTED_FAMILIES`) or missing/invalid keys (named in the message).
    """
    cfg = _merge(config, overrides)
    fam = _family_of(cfg)
    row = count_table(_one_row(cfg)).iloc[0]
    if row["error"] is not None:
        raise ConfigError(row["error"])
    extras = {p: int(row[f"extra_{p}"]) for p in FAMILY_EXTRAS.get(fam.name, ())}
    return {
        "model_type": str(row["model_type"]),
        "total": int(row["total"]),
        "active": int(row["active"]),
        "embedding": int(row["embedding"]),
        "non_embedding": int(row["non_embedding"]),
        "components": {p: int(row[f"comp_{p}"]) for p in fam.parts},
        "extra": extras,
    }


def explain(config: dict, overrides: dict | None = None) -> list[dict]:
    """Per component: ``{"part", "formula", "arithmetic", "value"}``.

    ``formula`` is symbolic in the config's own key names (e.g. ``"vocab_size × hidden_size"``),
    ``arithmetic`` the same with this config's numbers (``"32,000 × 8,192"``), ``value`` an int that
    equals ``count(config)["components"][part]``. Extra modules follow with part ``"extra:<name>"``.
    """
    cfg = _merge(config, overrides)
    fam = _family_of(cfg)
    df = _one_row(cfg)
    pos = np.arange(1)
    norm = _normalize(fam, df, pos)
    msg = _error_messages(fam, norm, 1)[0]
    if msg is not None:
        raise ConfigError(msg)
    parts, _idle, extras = _run(fam, norm, 1, explain=True)
    rows = []
    for name, term in [(p, parts[p]) for p in fam.parts] + [(f"extra:{k}", v) for k, v in extras.items()]:
        value = int(_as_array(term.value, 1)[0])
        rows.append({"part": name, "formula": term.expr or "0", "arithmetic": term.arith or "0", "value": value})
    return rows


def format_breakdown(result: dict) -> str:
    """A readable multi-line breakdown of a :func:`count` result (thousands separators, % of total)."""
    total = int(result["total"])
    comps = result.get("components", {})
    width = max([len(p) for p in comps] + [len("non_embedding")])
    num_w = max(len(f"{total:,}"), 1)

    def pct(v: int) -> str:
        return f"{100.0 * v / total:6.2f}%" if total else "     —"

    lines = [f"{result.get('model_type', '?')}: {total:,} parameters"]
    active = int(result.get("active", total))
    if active != total:
        lines[0] += f" ({active:,} active per token, {pct(active).strip()})"
    for part, v in comps.items():
        lines.append(f"  {part:<{width}}  {int(v):>{num_w},}  {pct(int(v))}")
    lines.append(f"  {'-' * width}  {'-' * num_w}")
    lines.append(f"  {'total':<{width}}  {total:>{num_w},}  {pct(total)}")
    for key in ("embedding", "non_embedding"):
        if key in result:
            lines.append(f"  {key:<{width}}  {int(result[key]):>{num_w},}  {pct(int(result[key]))}")
    extra = {k: v for k, v in result.get("extra", {}).items() if v}
    if extra:
        lines.append("  not in total (checkpoint extras):")
        for k, v in extra.items():
            lines.append(f"  {k:<{width}}  {int(v):>{num_w},}")
    return "\n".join(lines)


