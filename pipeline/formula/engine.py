"""Counting tables of configs: key normalization, errors, and the public ``count``/``explain``."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from pipeline.fields import COMPONENTS as FIELD_COMPONENTS
from pipeline.formula import fallback
from pipeline.formula.heads import architecture_column, kind_column, num_labels_column
from pipeline.formula.registry import FAMILIES, FAMILY_EXTRAS, MODEL_TYPE_ALIASES, SUPPORTED_FAMILIES
from pipeline.formula.spec import MISSING, Family, column
from pipeline.formula.terms import EMBEDDING_PARTS, EXTRAS, INT64, PARTS, ConfigError, Ctx

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
            is_null = _is_null(vals)
            if is_null.any():
                vals = np.where(is_null, np.nan, vals.astype(object))
            col, missing, invalid = _to_int(vals)
            if is_null.any() and spec.null is not MISSING:
                # an explicit null means something else than the class default (Key.null)
                null_value = spec.null(cols) if callable(spec.null) else spec.null
                col = np.where(is_null, null_value, col).astype(INT64)
                missing = missing & ~is_null
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


def _is_null(vals: np.ndarray) -> np.ndarray:
    """Rows holding the explicit-null marker (object columns only)."""
    if vals.dtype != object:
        return np.zeros(len(vals), bool)
    return np.asarray(pd.Series(vals, dtype=object).eq(NULL).to_numpy(), bool)


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


#: Families that exist only as remote code: transformers cannot count them.
REMOTE_CODE_FAMILIES: frozenset[str] = frozenset(name for name, fam in FAMILIES.items() if "remote code" in fam.cls)
#: Integer columns of :func:`count_table`, in order.
COUNT_COLUMNS: tuple[str, ...] = ("total", "active", "active_without_input_embedding", "active_non_embedding",
                                  "input_embedding", "output_embedding", "embedding", "non_embedding")
#: Component names (towers) a count may report, from the data model.
TOWERS: tuple[str, ...] = FIELD_COMPONENTS
#: The value of a key the table marks as an explicit JSON null (see :func:`config_frame`).
NULL = "__null__"
#: Keys whose explicit null differs from absence in some family.
NULL_KEYS: frozenset[str] = frozenset(key for fam in FAMILIES.values() for key, spec in fam.keys.items()
                                      if spec.null is not MISSING)


def config_frame(configs: Sequence[Mapping[str, Any]], index: Any = None) -> pd.DataFrame:
    """The table :func:`count_table` reads: one row per config, one column per top-level key.

    An explicit ``null`` of a key in :data:`NULL_KEYS` is kept as :data:`NULL` (a plain DataFrame
    cannot tell it from an absent key, and for those keys transformers does).
    """
    rows = [{k: (NULL if v is None and k in NULL_KEYS else v) for k, v in cfg.items()} for cfg in configs]
    return pd.DataFrame(rows, index=index)


def _head_plan(fam: Family, df: pd.DataFrame, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: head kind to count with the formula (None: hand the row to transformers), the class
    name reported, and where it came from ("architectures" or "default")."""
    arch = architecture_column(df, pos)
    kinds = kind_column(arch)
    default_kind, default_cls = fam.heads[0], fam.cls.split(" ")[0]
    supported = pd.Series(kinds, dtype=object).isin(fam.heads).to_numpy()
    named = pd.notna(pd.Series(arch, dtype=object)).to_numpy()
    plan = np.where(named & supported, kinds, default_kind).astype(object)
    head = np.where(named & supported, arch, default_cls).astype(object)
    source = np.where(named & supported, "architectures", "default").astype(object)
    unsupported = named & ~supported
    if unsupported.any():
        # a class the formula does not model: transformers counts it when it has that class
        for i in np.flatnonzero(unsupported):
            if fallback.class_exists(arch[i]):
                plan[i] = None
            else:
                source[i] = f"default ({arch[i]} is not a transformers class)"
    return plan, head, source


def _head_columns(fam: Family, norm: _Normalized, plan: np.ndarray, df: pd.DataFrame, pos: np.ndarray) -> None:
    """For families that count their own heads (``Family.own_heads``): the head kind per row
    (``_head``; rows handed to transformers get the family default) and ``_num_labels``."""
    if fam.own_heads:
        norm.cols["_head"] = np.where(pd.isna(pd.Series(plan, dtype=object)).to_numpy(), fam.heads[0], plan)
        norm.cols["_num_labels"] = num_labels_column(df, pos)


def _apply_head(fam: Family, norm: _Normalized, parts: dict[str, Any], plan: np.ndarray,
                df: pd.DataFrame, pos: np.ndarray) -> None:
    """Swap the family's default head for the one each row asks for (decoders: base, seq_cls)."""
    if fam.head_width is None or len(fam.heads) == 1 or fam.own_heads:
        return
    n = len(pos)
    base = plan == "base"
    seq = plan == "seq_cls"
    if "head" in parts:
        parts["head"] = np.where(base | seq, 0, _as_array(parts["head"], n))
    if seq.any():
        labels = num_labels_column(df, pos)
        parts["classifier"] = np.where(seq, labels * norm.cols[fam.head_width], 0)


def _formula_rows(fam: Family, configs: pd.DataFrame, pos: np.ndarray, values: dict[str, np.ndarray],
                  text: dict[str, np.ndarray], has_tower: dict[str, np.ndarray]
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Count rows ``pos`` of one family; returns (ok mask, error messages, hand-off messages) over
    ``pos``. Rows only transformers can count (a head class the formula does not model, a required
    key left to the config class default) get ok False, no error, and the hand-off message to use
    as their error when transformers is not asked."""
    n = len(pos)
    plan, head, source = _head_plan(fam, configs, pos)
    norm = _normalize(fam, configs, pos)
    _head_columns(fam, norm, plan, configs, pos)
    msgs = _error_messages(fam, norm, n)
    ctx = Ctx(norm.cols, n, explain=False)
    with np.errstate(all="ignore"):
        terms, idle, extras = fam.build(ctx)
    parts = {part: _as_array(terms[part].value, n) for part in fam.parts}
    _apply_head(fam, norm, parts, plan, configs, pos)
    total = np.zeros(n, dtype=INT64)
    emb = np.zeros(n, dtype=INT64)
    for part, arr in parts.items():
        values[f"comp_{part}"][pos] = arr
        total += arr
        if part in EMBEDDING_PARTS:
            emb += arr
    active = total - _as_array(idle.value, n)
    inp = parts.get("embeddings", np.zeros(n, INT64))
    out = parts.get("head", np.zeros(n, INT64))
    for name, arr in (("total", total), ("active", active), ("active_without_input_embedding", active - inp),
                      ("active_non_embedding", active - inp - out), ("input_embedding", inp),
                      ("output_embedding", out), ("embedding", emb), ("non_embedding", total - emb)):
        values[name][pos] = arr
    for name, term in ctx.components.items():
        values[f"component_{name}"][pos] = _as_array(term.value, n)
        has_tower[name][pos] = True
    for part, term in extras.items():
        values[f"extra_{part}"][pos] = _as_array(term.value, n)
    text["head"][pos] = head
    text["head_source"][pos] = source
    text["method"][pos] = "formula"
    to_transformers = pd.isna(pd.Series(plan, dtype=object)).to_numpy().copy()
    # a required key the config leaves out takes transformers' class default: transformers counts the row
    missing = np.zeros(n, bool)
    for mask in norm.missing.values():
        missing |= mask
    invalid = np.zeros(n, bool)
    for mask in norm.invalid.values():
        invalid |= mask
    defaulted = missing & ~invalid & (fam.name not in REMOTE_CODE_FAMILIES)
    handoff = np.where(to_transformers, "the head class is counted by transformers only", None).astype(object)
    if defaulted.any():
        names = [",".join(k for k, mask in norm.missing.items() if mask[i]) for i in np.flatnonzero(defaulted)]
        text["defaults"][pos[defaulted]] = names
        handoff[defaulted] = msgs[defaulted]
        msgs = np.where(defaulted, None, msgs)
        to_transformers |= defaulted
    ok = np.asarray(pd.isna(msgs), bool) & ~to_transformers
    return ok, msgs, handoff


def _fallback_rows(configs: pd.DataFrame, pos: np.ndarray, values: dict[str, np.ndarray],
                   text: dict[str, np.ndarray], masks: dict[str, np.ndarray], has_tower: dict[str, np.ndarray]
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Count rows ``pos`` with transformers on the meta device, one config at a time (cached)."""
    ok = np.zeros(len(pos), bool)
    msgs = np.full(len(pos), None, dtype=object)
    records = configs.iloc[pos].to_dict("records")
    for j, (i, record) in enumerate(zip(pos, records)):
        cfg = {k: (None if isinstance(v, str) and v == NULL else v) for k, v in record.items()
               if not _is_na(v)}
        try:
            result = fallback.meta_count(cfg)
        except ConfigError as error:
            msgs[j] = str(error)
            continue
        _store(result, i, values, text, masks, has_tower)
        ok[j] = True
    return ok, msgs


def _is_na(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _store(result: dict[str, Any], i: int, values: dict[str, np.ndarray], text: dict[str, np.ndarray],
           masks: dict[str, np.ndarray], has_tower: dict[str, np.ndarray]) -> None:
    """Write one transformers count into row ``i`` of the output columns."""
    total, inp, out = result["total"], result["input_embedding"], result["output_embedding"]
    active = result["active"]
    values["total"][i] = total
    values["input_embedding"][i] = inp
    values["output_embedding"][i] = out
    values["embedding"][i] = result["embedding"]
    values["non_embedding"][i] = total - result["embedding"]
    if active is None:
        for name in ("active", "active_without_input_embedding", "active_non_embedding"):
            masks[name][i] = True
    else:
        values["active"][i] = active
        values["active_without_input_embedding"][i] = active - inp
        values["active_non_embedding"][i] = active - inp - out
    for part in PARTS:
        values[f"comp_{part}"][i] = result["parts"].get(part, 0)
    for name, value in result["components"].items():
        values[f"component_{name}"][i] = value
        has_tower[name][i] = True
    text["head"][i] = result["head"]
    text["head_source"][i] = result["head_source"]
    text["method"][i] = "transformers"


def count_table(configs: pd.DataFrame, fallback_to_transformers: bool = True) -> pd.DataFrame:
    """Count many configs at once.

    Input: one row per architecture (build it with :func:`config_frame`), index = model id, columns =
    top-level config keys (overrides already merged; nested values stay Python objects; missing keys
    NaN/None). Output: same index, columns ``model_type``, the integer columns :data:`COUNT_COLUMNS`,
    one ``comp_<part>`` per part (:data:`PARTS`), one ``component_<name>`` per tower
    (:data:`TOWERS`, NA where the count does not split into towers), one ``extra_<name>`` per extra
    module (all Int64), ``head`` (class counted), ``head_source``, ``method`` ("formula" or
    "transformers") and ``error`` (None when fine).

    Rows of a formula family are counted vectorized. Rows of a model_type only transformers knows,
    or asking (``architectures``) for a head class the formula does not model, are built with
    transformers on the meta device when ``fallback_to_transformers`` (cached per config); otherwise
    they get an error. A row nothing can count gets its error and NA counts; nothing raises.
    """
    if not isinstance(configs, pd.DataFrame):
        raise TypeError("count_table expects a pandas DataFrame")
    n = len(configs)
    int_cols = list(COUNT_COLUMNS) + [f"comp_{p}" for p in PARTS] + [f"extra_{p}" for p in EXTRAS]
    values = {c: np.zeros(n, dtype=INT64) for c in int_cols + [f"component_{t}" for t in TOWERS]}
    masks = {c: np.zeros(n, dtype=bool) for c in values}
    text = {c: np.full(n, None, dtype=object) for c in ("head", "head_source", "method", "defaults")}
    has_tower = {name: np.zeros(n, dtype=bool) for name in TOWERS}
    ok = np.zeros(n, dtype=bool)
    errors = np.full(n, None, dtype=object)

    if "model_type" in configs.columns:
        mt = configs["model_type"].to_numpy(dtype=object)
    else:
        mt = np.full(n, None, dtype=object)
    fam_names = pd.Series(mt, dtype=object).replace(MODEL_TYPE_ALIASES)
    codes, uniques = pd.factorize(fam_names, use_na_sentinel=True)
    to_transformers: list[np.ndarray] = []

    for code, name in enumerate(uniques):
        pos = np.flatnonzero(codes == code)
        fam = FAMILIES.get(name) if isinstance(name, str) else None
        if fam is None:
            if fallback_to_transformers and fallback.transformers_knows(name):
                to_transformers.append(pos)
            else:
                errors[pos] = _unknown_message(mt[pos[0]])
            continue
        rows_ok, msgs, handoff = _formula_rows(fam, configs, pos, values, text, has_tower)
        ok[pos] = rows_ok
        errors[pos] = msgs
        handed = pd.notna(pd.Series(handoff, dtype=object)).to_numpy()
        if handed.any():
            if fallback_to_transformers:
                to_transformers.append(pos[handed])
            else:
                errors[pos[handed]] = handoff[handed]
    if to_transformers:
        pos = np.concatenate(to_transformers)
        rows_ok, msgs = _fallback_rows(configs, pos, values, text, masks, has_tower)
        ok[pos] = rows_ok
        errors[pos] = msgs

    no_type = pd.isna(pd.Series(mt, dtype=object)).to_numpy()
    errors[no_type] = "missing key: model_type"
    ok[no_type] = False

    result: dict[str, Any] = {"model_type": pd.Series(mt, dtype=object).astype("string").array}
    for c, arr in values.items():
        mask = ~ok | masks[c]
        if c.startswith("component_"):
            mask = mask | ~has_tower[c[len("component_"):]]
        result[c] = pd.arrays.IntegerArray(arr, mask)
    out = pd.DataFrame(result, index=configs.index)
    for c in ("head", "head_source", "method", "defaults"):
        out[c] = pd.Series(np.where(ok, text[c], None), index=configs.index, dtype=object)
    # object dtype keeps None (not NaN) for rows without error, whatever pandas infers for strings
    out["error"] = pd.Series(errors, index=configs.index, dtype=object)
    return out


def _unknown_message(mt: Any) -> str:
    if mt is None or (isinstance(mt, float) and mt != mt):
        return "missing key: model_type"
    return fallback.unknown_model_type_message(mt, SUPPORTED_FAMILIES)


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
    return pd.DataFrame({k: pd.Series([NULL if v is None and k in NULL_KEYS else v], dtype=object, index=index)
                         for k, v in cfg.items()}, index=index)


def _family_of(cfg: Mapping[str, Any]) -> Family | None:
    """The formula family of ``cfg``; None when only transformers can count it. Raises
    :class:`ConfigError` when nothing can."""
    mt = cfg.get("model_type")
    if mt is None:
        raise ConfigError("missing key: model_type")
    fam = FAMILIES.get(MODEL_TYPE_ALIASES.get(mt, mt)) if isinstance(mt, str) else None
    if fam is None and not fallback.transformers_knows(mt):
        raise ConfigError(_unknown_message(mt))
    return fam


def count(config: dict, overrides: dict | None = None) -> dict:
    """Count one config (``overrides`` merged over it).

    Returns Python ints and strings: ``model_type``, ``total``, ``active`` (parameters one token uses,
    counting the input embedding: Mistral's convention for Mixtral's 12.9B), ``active_without_input_embedding``
    (DeepSeek's and OpenAI's convention), ``active_non_embedding`` (active less the input embedding and
    the untied output head), ``input_embedding``, ``output_embedding`` (untied head, 0 when tied),
    ``embedding`` (those two plus learned position tables), ``non_embedding``, ``components`` (tower ->
    count, names from :data:`pipeline.fields.COMPONENTS`; empty when the model is one tower),
    ``parts`` (part -> count), ``extra`` (checkpoint tensors outside the total), ``head`` (class
    counted), ``head_source`` and ``method`` ("formula" or "transformers"). ``active`` and the two
    active variants are None when a mixture-of-experts config counted by transformers does not say
    how many experts a token visits. Raises :class:`ConfigError` for a model_type nothing knows (the
    message names the closest ones), missing/invalid keys (named), or a config transformers rejects.
    """
    cfg = _merge(config, overrides)
    fam = _family_of(cfg)
    row = count_table(_one_row(cfg)).iloc[0]
    if row["error"] is not None:
        raise ConfigError(row["error"])
    extras = ({p: int(row[f"extra_{p}"]) for p in FAMILY_EXTRAS.get(fam.name, ())}
              if fam is not None and row["method"] == "formula" else {})
    def number(name: str) -> int | None:
        return None if pd.isna(row[name]) else int(row[name])
    parts = {p: int(row[f"comp_{p}"]) for p in PARTS if not pd.isna(row[f"comp_{p}"])}
    if row["method"] == "formula":
        parts = {p: parts[p] for p in fam.parts + tuple(p for p in ("classifier",) if parts.get(p))}
    else:
        parts = {p: v for p, v in parts.items() if v}
    return {
        "model_type": str(row["model_type"]),
        **{name: number(name) for name in COUNT_COLUMNS},
        "components": {t: int(row[f"component_{t}"]) for t in TOWERS if not pd.isna(row[f"component_{t}"])},
        "parts": parts,
        "extra": extras,
        "head": row["head"],
        "head_source": row["head_source"],
        "method": row["method"],
        "defaults_used": row["defaults"].split(",") if row["defaults"] else [],
    }


def explain(config: dict, overrides: dict | None = None) -> list[dict]:
    """Per part: ``{"part", "formula", "arithmetic", "value"}``.

    Formula families: ``formula`` is symbolic in the config's own key names (e.g.
    ``"vocab_size × hidden_size"``), ``arithmetic`` the same with this config's numbers
    (``"32,000 × 8,192"``), ``value`` an int that equals ``count(config)["parts"][part]``. Extra
    modules follow with part ``"extra:<name>"``. Configs counted by transformers: one row per group
    of named parameters (embedding, attention, MLP/experts, norms, head), ``formula`` saying which
    names were grouped.
    """
    cfg = _merge(config, overrides)
    fam = _family_of(cfg)
    result = count(cfg)
    if result["method"] == "transformers":
        return [{"part": part, "formula": f"Σ numel of the {_GROUP_TEXT.get(part, part)} parameters "
                                          f"(transformers, meta device)",
                 "arithmetic": f"{value:,}", "value": value} for part, value in result["parts"].items()]
    df = _one_row(cfg)
    pos = np.arange(1)
    norm = _normalize(fam, df, pos)
    plan = _head_plan(fam, df, pos)[0]
    _head_columns(fam, norm, plan, df, pos)
    parts, _idle, extras = _run(fam, norm, 1, explain=True)
    rows = []
    for name in fam.parts:
        term = parts[name]
        value = int(_as_array(term.value, 1)[0])
        if name == "head" and plan[0] in ("base", "seq_cls") and len(fam.heads) > 1 and not fam.own_heads:
            rows.append({"part": name, "formula": f"0 (no output head in {result['head']})", "arithmetic": "0",
                         "value": 0})
            continue
        rows.append({"part": name, "formula": term.expr or "0", "arithmetic": term.arith or "0", "value": value})
    if result["parts"].get("classifier") and not fam.own_heads:
        labels = int(num_labels_column(df, pos)[0])
        width = int(norm.cols[fam.head_width][0])
        rows.append({"part": "classifier", "formula": f"num_labels × {fam.head_width}",
                     "arithmetic": f"{labels:,} × {width:,}", "value": labels * width})
    for name, term in extras.items():
        rows.append({"part": f"extra:{name}", "formula": term.expr or "0", "arithmetic": term.arith or "0",
                     "value": int(_as_array(term.value, 1)[0])})
    return rows


_GROUP_TEXT = {"embeddings": "input embedding", "head": "untied output head", "experts_routed": "routed expert",
               "experts_shared": "shared expert", "router": "router", "norms": "normalization",
               "attention": "attention / mixer", "mlp": "MLP", "position": "position / relative-bias",
               "classifier": "classification head", "pooler": "pooler", "other": "remaining"}


def format_breakdown(result: dict) -> str:
    """A readable multi-line breakdown of a :func:`count` result (thousands separators, % of total)."""
    total = int(result["total"])
    parts = result.get("parts", {})
    labels = ["active_without_input_embedding"] + list(parts) + list(result.get("components", {}))
    width = max(len(label) for label in labels)
    num_w = max(len(f"{total:,}"), 1)

    def pct(v: int) -> str:
        return f"{100.0 * v / total:6.2f}%" if total else "     —"

    def line(label: str, value: int) -> str:
        return f"  {label:<{width}}  {int(value):>{num_w},}  {pct(int(value))}"

    head = result.get("head")
    lines = [f"{result.get('model_type', '?')}: {total:,} parameters"
             + (f" ({head}, counted by {result.get('method', 'formula')})" if head else "")]
    if result.get("head_source", "").startswith("default"):
        lines.append(f"  no usable `architectures` key: counted the family's usual class, {head}")
    for part, v in parts.items():
        lines.append(line(part, v))
    lines.append(f"  {'-' * width}  {'-' * num_w}")
    lines.append(line("total", total))
    for key in ("embedding", "non_embedding", "input_embedding", "output_embedding", "active",
                "active_without_input_embedding", "active_non_embedding"):
        if result.get(key) is not None:
            lines.append(line(key, result[key]))
        elif key in result:
            lines.append(f"  {key:<{width}}  {'unknown':>{num_w}}  (the config does not say how many experts "
                         f"a token visits)")
    if result.get("components"):
        lines.append("  components:")
        for name, value in result["components"].items():
            lines.append(line(name, value))
    extra = {k: v for k, v in result.get("extra", {}).items() if v}
    if extra:
        lines.append("  not in total (checkpoint extras):")
        for k, v in extra.items():
            lines.append(f"  {k:<{width}}  {int(v):>{num_w},}")
    return "\n".join(lines)
