"""How a family declares the keys it reads (:class:`Key`) and itself (:class:`Family`).

A family module builds one :class:`Family` named ``FAMILY``; :mod:`pipeline.formula.registry` lists
the modules. The engine (:mod:`pipeline.formula.engine`) normalizes each key's column (aliases,
defaults, validity) before calling the family's ``build``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd

from pipeline.formula.terms import Ctx, Term

MISSING = object()


@dataclass(frozen=True)
class Key:
    """How one config key is read: its kind, whether it is required, its default (a value or
    ``callable(cols) -> array`` of already-normalized columns) and other names it may appear under."""

    kind: str = "int"                 # int | bool | str | obj
    required: bool = False
    default: Any = MISSING           # value, or callable(cols) -> array
    aliases: tuple[str, ...] = ()
    positive: bool = False            # must be > 0 (divisors)
    zero_is_missing: bool = False     # ``getattr(config, k, None) or default`` semantics
    #: what an explicit JSON ``null`` means when it differs from absence (DeepSeek's q_lora_rank: absent
    #: is the class default 1536, null is "no query compression", read as 0). Needs the table built by
    #: :func:`pipeline.formula.engine.config_frame`, which keeps explicit nulls apart from absent keys.
    null: Any = MISSING


@dataclass
class Family:
    """One architecture family: the keys it reads and how its parameters are counted.

    ``build(ctx)`` returns ``(parts, idle, extras)``: ``parts`` maps each name in ``parts`` to a
    :class:`Term` (parameters of that part), ``idle`` the parameters a token does not use (routed
    experts it does not visit; ``ZERO`` for dense models), ``extras`` checkpoint tensors outside
    ``total`` (names from :data:`pipeline.formula.terms.EXTRAS`).

    Optional hooks, all vectorized over the family's rows: ``prepare(df, pos, raw)`` rewrites raw
    columns before normalization (old key names, pairs split into two columns); ``validate(cols)``
    returns ``{key: mask}`` of rows to reject as missing ``key``; ``finish(cols, raw)`` adds derived
    columns after normalization (for example, how many layers are sparse).
    """

    name: str
    cls: str
    keys: dict[str, Key]
    parts: tuple[str, ...]
    notes: str = ""
    prepare: Callable[[pd.DataFrame, np.ndarray, dict[str, Any]], None] | None = None
    validate: Callable[[dict[str, np.ndarray]], dict[str, np.ndarray]] | None = None
    build: Callable[[Ctx], tuple[dict[str, Term], Term, dict[str, Term]]] | None = None
    #: other ``model_type`` values read as this family (falcon's old ``RefinedWeb`` names)
    model_types: tuple[str, ...] = ()
    #: names of the ``extras`` this family reports
    extras: tuple[str, ...] = ()
    finish: Callable[[dict[str, np.ndarray], dict[str, Any]], None] | None = None
    #: head kinds (:mod:`pipeline.formula.heads`) the formula counts; the first is the family's usual
    #: class (``cls``), counted when a config has no ``architectures``. Decoders: the causal LM, the
    #: bare ``...Model`` (no output head) and ``...ForSequenceClassification`` (a bias-free score layer
    #: of num_labels × ``head_width``). Any other class is counted by transformers.
    heads: tuple[str, ...] = ("causal_lm", "base", "seq_cls")
    #: the key giving the width the output head reads (None: only ``heads[0]`` is modelled)
    head_width: str | None = "hidden_size"
    #: the family's ``build`` counts every head in ``heads`` itself, reading ``c.cols["_head"]`` (the head
    #: kind per row) and ``c.cols["_num_labels"]``; the engine then leaves its parts as built (encoders
    #: whose heads drop the pooler or add a prediction transform: RoBERTa, DeBERTa-v2, CLIP, ...)
    own_heads: bool = False

    def __post_init__(self) -> None:
        # error messages pack missing/invalid flags of every key into one int64 (31 bits each)
        if len(self.keys) > 31:
            raise ValueError(f"family {self.name}: at most 31 keys")
        if self.build is None:
            raise ValueError(f"family {self.name}: build is required")
        if self.head_width is None and len(self.heads) > 1 and not self.own_heads:
            raise ValueError(f"family {self.name}: heads other than {self.heads[0]} need head_width")


def required(**kw) -> Key:
    """A key without which the row is an error (widths and depths)."""
    return Key(required=True, **kw)


def boolean(default: bool, **kw) -> Key:
    """A boolean key with its config-class default."""
    return Key(kind="bool", default=default, **kw)


def column(df: pd.DataFrame, key: str, pos: np.ndarray) -> np.ndarray:
    """Column ``key`` of ``df`` at rows ``pos`` (all NaN when no config has the key)."""
    if key not in df.columns:
        return np.full(len(pos), np.nan, dtype=object)
    return df[key].to_numpy()[pos]
