"""The term algebra: values that are int64 columns when counting a table and, in explain mode,
also carry their formula (in the config's key names) and their arithmetic (in this config's numbers).

One code path serves both uses: a family's ``build`` function composes :class:`Term` objects with
``+``, ``-``, ``×`` and ``÷``; :class:`Ctx` hands it the normalized config columns.
"""
from __future__ import annotations

from typing import Any

import numpy as np

class ConfigError(ValueError):
    """A config the engine cannot count: unknown ``model_type``, or missing/invalid keys (named)."""


def dense_layer_params(n_in: int, n_out: int, bias: bool = True) -> int:
    """Parameters of one dense (``nn.Linear``) layer: ``n_in × n_out`` weights plus ``n_out`` biases.

    >>> dense_layer_params(100, 50)
    5050
    >>> dense_layer_params(100, 50, bias=False)
    5000
    """
    if n_in != int(n_in) or n_out != int(n_out) or n_in < 0 or n_out < 0:
        raise ValueError("layer sizes must be non-negative integers")
    n_in, n_out = int(n_in), int(n_out)
    return n_in * n_out + (n_out if bias else 0)


# Output layout

#: Every part a family may report, in display order.
PARTS: tuple[str, ...] = (
    "embeddings",        # input token embedding table
    "token_type",        # BERT token-type table
    "position",          # learned position tables (GPT-2, OPT, BERT, ViT; T5 relative bias)
    "cls_token",         # ViT class token
    "patch_embedding",   # ViT patch projection (a convolution)
    "projection",        # OPT project_in / project_out
    "attention",
    "mlp",               # dense feed-forward blocks
    "experts_routed",
    "experts_shared",
    "router",
    "mixer",             # state-space / linear-attention mixers (Mamba, gated delta nets)
    "norms",
    "pooler",
    "classifier",        # a classification head (num_labels outputs): not an embedding
    "head",              # untied output head (0 when tied)
    "other",             # parameters the transformers fallback cannot place in a part
)
#: Parts that make up ``embedding``.
EMBEDDING_PARTS: tuple[str, ...] = ("embeddings", "token_type", "position", "cls_token", "head")
#: Checkpoint tensors outside ``total``.
EXTRAS: tuple[str, ...] = ("mtp", "router_bias")

INT64 = np.int64


class Term:
    """A value (int64 array or scalar) with, in explain mode, its formula and its arithmetic."""

    __slots__ = ("value", "expr", "arith", "prec", "zero")

    def __init__(self, value: Any, expr: str | None = None, arith: str | None = None,
                 prec: int = 3, zero: bool = False) -> None:
        self.value = value
        self.expr = expr
        self.arith = arith
        self.prec = prec          # 3 atom, 2 product, 1 sum
        self.zero = zero

    # -- helpers
    @staticmethod
    def _wrap(s: str | None, prec: int, need: int) -> str | None:
        if s is None:
            return None
        return s if prec >= need else f"({s})"

    def __add__(self, other: Any) -> "Term":
        other = lift(other)
        if self.zero:
            return other
        if other.zero:
            return self
        expr = None if self.expr is None or other.expr is None else f"{self.expr} + {other.expr}"
        arith = None if self.arith is None or other.arith is None else f"{self.arith} + {other.arith}"
        return Term(self.value + other.value, expr, arith, 1)

    def __radd__(self, other: Any) -> "Term":
        return lift(other) + self

    def __sub__(self, other: Any) -> "Term":
        other = lift(other)
        if other.zero:
            return self
        expr = None if self.expr is None else f"{self.expr} − {self._wrap(other.expr, other.prec, 2)}"
        arith = None if self.arith is None else f"{self.arith} − {self._wrap(other.arith, other.prec, 2)}"
        return Term(self.value - other.value, expr, arith, 1)

    def __mul__(self, other: Any) -> "Term":
        other = lift(other)
        if self.zero or other.zero:
            return ZERO
        expr = (None if self.expr is None or other.expr is None else
                f"{self._wrap(self.expr, self.prec, 2)} × {self._wrap(other.expr, other.prec, 2)}")
        arith = (None if self.arith is None or other.arith is None else
                 f"{self._wrap(self.arith, self.prec, 2)} × {self._wrap(other.arith, other.prec, 2)}")
        return Term(self.value * other.value, expr, arith, 2)

    def __rmul__(self, other: Any) -> "Term":
        return lift(other) * self

    def __floordiv__(self, other: Any) -> "Term":
        other = lift(other)
        expr = (None if self.expr is None or other.expr is None else
                f"{self._wrap(self.expr, self.prec, 3)} ÷ {self._wrap(other.expr, other.prec, 3)}")
        arith = (None if self.arith is None or other.arith is None else
                 f"{self._wrap(self.arith, self.prec, 3)} ÷ {self._wrap(other.arith, other.prec, 3)}")
        return Term(self.value // other.value, expr, arith, 2)


ZERO = Term(0, "0", "0", 3, zero=True)


def lift(x: Any) -> Term:
    if isinstance(x, Term):
        return x
    if isinstance(x, (int, np.integer)):
        x = int(x)
        if x == 0:
            return ZERO
        return Term(x, str(x), f"{x:,}", 3)
    raise TypeError(f"cannot use {type(x).__name__} in a formula")


def format_int(v: Any) -> str:
    return f"{int(np.asarray(v).reshape(-1)[0]):,}"


class Ctx:
    """Normalized columns of one family's rows, handed to the family's formula function."""

    def __init__(self, cols: dict[str, np.ndarray], n: int, explain: bool) -> None:
        self.cols = cols
        self.n = n
        self.explain = explain
        #: component name (pipeline.fields.COMPONENTS) -> Term, filled by families that can split
        #: their total into towers (encoder/decoder, language model/vision encoder/projector)
        self.components: dict[str, Term] = {}

    def component(self, name: str, term: "Term") -> "Term":
        """Record ``term`` as the parameters of component ``name`` and return it unchanged."""
        self.components[name] = term
        return term

    def v(self, key: str, label: str | None = None) -> Term:
        """An integer config value as a named term."""
        arr = self.cols[key]
        if self.explain:
            return Term(arr, label or key, format_int(arr), 3)
        return Term(arr)

    def derived(self, label: str, term: Term) -> Term:
        """A value computed from other terms, shown under its own name in formulas."""
        if self.explain:
            return Term(term.value, label, format_int(term.value), 3)
        return Term(term.value)

    def flag(self, key: str) -> np.ndarray:
        return self.cols[key]

    def when(self, cond: Any, term: Any, note: str | None = None) -> Term:
        """``term`` where ``cond`` holds, else 0 (``note`` explains the 0 in explain mode)."""
        term = lift(term)
        cond = np.asarray(cond, dtype=bool)
        if self.explain:
            if bool(cond.reshape(-1)[0]):
                return term
            return Term(0, note or "0", "0", 3, zero=True) if note else ZERO
        return Term(np.where(cond, term.value, 0))

    def where(self, cond: Any, a: Any, b: Any) -> Term:
        a, b = lift(a), lift(b)
        cond = np.asarray(cond, dtype=bool)
        if self.explain:
            return a if bool(cond.reshape(-1)[0]) else b
        return Term(np.where(cond, a.value, b.value))


def linear(c: Ctx, n_in: Term, n_out: Term, bias: Any = True) -> Term:
    """``n_in × n_out`` (+ ``n_out`` where ``bias``): the term form of :func:`dense_layer_params`."""
    if isinstance(bias, (bool, np.bool_)):
        return n_in * n_out + (n_out if bias else ZERO)
    return n_in * n_out + c.when(bias, n_out)


def clip0(t: Term) -> Term:
    return Term(np.maximum(t.value, 0), t.expr, t.arith, t.prec)


