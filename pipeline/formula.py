"""Exact parameter counts from a Hugging Face ``config.json``, vectorized over tables of architectures.

The engine reproduces, to the unit, the number of parameters transformers builds for a config
(``sum(p.numel() for p in model.parameters())`` on the meta device), one family at a time:

=============  =====================================================================
family         class whose parameters are counted
=============  =====================================================================
gpt2           GPT2LMHeadModel (AutoModelForCausalLM)
gpt_neox       GPTNeoXForCausalLM
opt            OPTForCausalLM
bloom          BloomForCausalLM
falcon         FalconForCausalLM (also the old ``RefinedWeb``/``RefinedWebModel`` configs)
llama          LlamaForCausalLM
mistral        MistralForCausalLM
mixtral        MixtralForCausalLM
qwen2          Qwen2ForCausalLM
qwen2_moe      Qwen2MoeForCausalLM
gemma          GemmaForCausalLM
gemma2         Gemma2ForCausalLM
phi3           Phi3ForCausalLM
phi3small      Phi3SmallForCausalLM (remote code, microsoft/Phi-3-small-*)
olmo           OlmoForCausalLM
olmo2          Olmo2ForCausalLM
deepseek       DeepseekForCausalLM (remote code, deepseek-ai/deepseek-moe-16b-*)
deepseek_v2    DeepseekV2ForCausalLM
deepseek_v3    DeepseekV3ForCausalLM
bert           BertModel with its pooler (AutoModel)
t5             T5ForConditionalGeneration
vit            ViTModel with its pooler (AutoModel)
=============  =====================================================================

Definitions (``tests/test_formula.py`` has worked examples):

* ``total``: every parameter of that class, respecting ``tie_word_embeddings`` (a tied output head
  adds nothing). For T5, whose transformers v5 config class always ties, an explicit
  ``tie_word_embeddings: false`` (T5 v1.1, flan-t5) means the released checkpoint's separate
  ``lm_head`` is counted, as ``from_pretrained`` keeps it.
* ``active``: parameters used for one token. Equal to ``total`` for dense models; for
  mixture-of-experts models the routed experts a token does not visit are subtracted
  (shared parameters, top-k routed experts, shared experts and routers remain).
* ``embedding``: input token embedding + untied output head + learned position tables
  (OPT's offset table, GPT-2's ``wpe``, BERT's position and token-type tables, T5's relative
  attention bias tables, ViT's position embeddings and class token).
* ``non_embedding`` = ``total`` - ``embedding``.
* ``extra``: tensors a checkpoint ships that transformers does not count as parameters of the
  class (DeepSeek-V3's multi-token-prediction modules, its router bias buffers). Never in ``total``.

Keys. A config's *required* keys are the widths and depths that size the main weight matrices
(vocabulary, hidden size, layers, heads, feed-forward and expert widths); a row without one is an
error, never a silent default. Every other key takes the default transformers' config class applies
when the key is absent (``num_key_value_heads``, ``head_dim`` (256 for Gemma), biases,
``tie_word_embeddings``, ...). A table cannot tell an absent key from a JSON ``null``, so both read
as absent. The one key where that changes a count is DeepSeek's ``q_lora_rank``: absent or null both
mean no query compression (DeepSeek-V2-Lite, whose published config copies omit the key or set it to
null, has none), so transformers' class default of 1536 is not applied to an absent key.

Everything is computed on whole columns: rows are grouped by family, their keys normalized with
pandas, and the arithmetic done on int64 numpy arrays. ``count`` and ``explain`` run the very same
code on a one-row table.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

__all__ = [
    "SUPPORTED_FAMILIES",
    "COMPONENTS",
    "EMBEDDING_PARTS",
    "EXTRAS",
    "ConfigError",
    "count",
    "count_table",
    "explain",
    "format_breakdown",
    "dense_layer_params",
    "FAMILY_CLASSES",
    "FAMILY_NOTES",
]


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


# --------------------------------------------------------------------------------------------
# Output layout
# --------------------------------------------------------------------------------------------

#: Every component a family may report, in display order.
COMPONENTS: tuple[str, ...] = (
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
    "norms",
    "pooler",
    "head",              # untied output head (0 when tied)
)
#: Components that make up ``embedding``.
EMBEDDING_PARTS: tuple[str, ...] = ("embeddings", "token_type", "position", "cls_token", "head")
#: Checkpoint tensors outside ``total``.
EXTRAS: tuple[str, ...] = ("mtp", "router_bias")

_INT64 = np.int64
_MAX_KEY_VALUE = 2 ** 31      # any single config value at or above this is rejected as invalid


# --------------------------------------------------------------------------------------------
# Symbolic-or-numeric terms: one code path for the table (values only) and explain (strings too)
# --------------------------------------------------------------------------------------------

class _Term:
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

    def __add__(self, other: Any) -> "_Term":
        other = _lift(other)
        if self.zero:
            return other
        if other.zero:
            return self
        expr = None if self.expr is None or other.expr is None else f"{self.expr} + {other.expr}"
        arith = None if self.arith is None or other.arith is None else f"{self.arith} + {other.arith}"
        return _Term(self.value + other.value, expr, arith, 1)

    def __radd__(self, other: Any) -> "_Term":
        return _lift(other) + self

    def __sub__(self, other: Any) -> "_Term":
        other = _lift(other)
        if other.zero:
            return self
        expr = None if self.expr is None else f"{self.expr} − {self._wrap(other.expr, other.prec, 2)}"
        arith = None if self.arith is None else f"{self.arith} − {self._wrap(other.arith, other.prec, 2)}"
        return _Term(self.value - other.value, expr, arith, 1)

    def __mul__(self, other: Any) -> "_Term":
        other = _lift(other)
        if self.zero or other.zero:
            return _ZERO
        expr = (None if self.expr is None or other.expr is None else
                f"{self._wrap(self.expr, self.prec, 2)} × {self._wrap(other.expr, other.prec, 2)}")
        arith = (None if self.arith is None or other.arith is None else
                 f"{self._wrap(self.arith, self.prec, 2)} × {self._wrap(other.arith, other.prec, 2)}")
        return _Term(self.value * other.value, expr, arith, 2)

    def __rmul__(self, other: Any) -> "_Term":
        return _lift(other) * self

    def __floordiv__(self, other: Any) -> "_Term":
        other = _lift(other)
        expr = (None if self.expr is None or other.expr is None else
                f"{self._wrap(self.expr, self.prec, 3)} ÷ {self._wrap(other.expr, other.prec, 3)}")
        arith = (None if self.arith is None or other.arith is None else
                 f"{self._wrap(self.arith, self.prec, 3)} ÷ {self._wrap(other.arith, other.prec, 3)}")
        return _Term(self.value // other.value, expr, arith, 2)


_ZERO = _Term(0, "0", "0", 3, zero=True)


def _lift(x: Any) -> _Term:
    if isinstance(x, _Term):
        return x
    if isinstance(x, (int, np.integer)):
        x = int(x)
        if x == 0:
            return _ZERO
        return _Term(x, str(x), f"{x:,}", 3)
    raise TypeError(f"cannot use {type(x).__name__} in a formula")


def _fmt(v: Any) -> str:
    return f"{int(np.asarray(v).reshape(-1)[0]):,}"


class _Ctx:
    """Normalized columns of one family's rows, handed to the family's formula function."""

    def __init__(self, cols: dict[str, np.ndarray], n: int, explain: bool) -> None:
        self.cols = cols
        self.n = n
        self.explain = explain

    def v(self, key: str, label: str | None = None) -> _Term:
        """An integer config value as a named term."""
        arr = self.cols[key]
        if self.explain:
            return _Term(arr, label or key, _fmt(arr), 3)
        return _Term(arr)

    def derived(self, label: str, term: _Term) -> _Term:
        """A value computed from other terms, shown under its own name in formulas."""
        if self.explain:
            return _Term(term.value, label, _fmt(term.value), 3)
        return _Term(term.value)

    def flag(self, key: str) -> np.ndarray:
        return self.cols[key]

    def when(self, cond: Any, term: Any, note: str | None = None) -> _Term:
        """``term`` where ``cond`` holds, else 0 (``note`` explains the 0 in explain mode)."""
        term = _lift(term)
        cond = np.asarray(cond, dtype=bool)
        if self.explain:
            if bool(cond.reshape(-1)[0]):
                return term
            return _Term(0, note or "0", "0", 3, zero=True) if note else _ZERO
        return _Term(np.where(cond, term.value, 0))

    def where(self, cond: Any, a: Any, b: Any) -> _Term:
        a, b = _lift(a), _lift(b)
        cond = np.asarray(cond, dtype=bool)
        if self.explain:
            return a if bool(cond.reshape(-1)[0]) else b
        return _Term(np.where(cond, a.value, b.value))


def _linear(c: _Ctx, n_in: _Term, n_out: _Term, bias: Any = True) -> _Term:
    """``n_in × n_out`` (+ ``n_out`` where ``bias``): the term form of :func:`dense_layer_params`."""
    if isinstance(bias, (bool, np.bool_)):
        return n_in * n_out + (n_out if bias else _ZERO)
    return n_in * n_out + c.when(bias, n_out)


# --------------------------------------------------------------------------------------------
# Key specifications and family registry
# --------------------------------------------------------------------------------------------

_MISSING = object()


@dataclass(frozen=True)
class _Key:
    kind: str = "int"                 # int | bool | str | obj
    required: bool = False
    default: Any = _MISSING           # value, or callable(cols) -> array
    aliases: tuple[str, ...] = ()
    positive: bool = False            # must be > 0 (divisors)
    zero_is_missing: bool = False     # ``getattr(config, k, None) or default`` semantics


@dataclass
class _Family:
    name: str
    cls: str
    keys: dict[str, _Key]
    build: Callable[[_Ctx], tuple[dict[str, _Term], _Term, dict[str, _Term]]]
    parts: tuple[str, ...]
    notes: str = ""
    prepare: Callable[[pd.DataFrame, np.ndarray, dict[str, Any]], None] | None = None
    validate: Callable[[dict[str, np.ndarray]], dict[str, np.ndarray]] | None = None


_FAMILIES: dict[str, _Family] = {}
#: model_type values read as another family.
_MODEL_TYPE_ALIASES = {"RefinedWeb": "falcon", "RefinedWebModel": "falcon"}


def _family(name: str, cls: str, keys: dict[str, _Key], parts: tuple[str, ...], notes: str = "",
            prepare=None, validate=None):
    def deco(fn):
        assert len(keys) <= 31, name
        _FAMILIES[name] = _Family(name, cls, keys, fn, parts, notes, prepare, validate)
        return fn
    return deco


def _req(**kw) -> _Key:
    return _Key(required=True, **kw)


def _b(default: bool, **kw) -> _Key:
    return _Key(kind="bool", default=default, **kw)


def _heads_default(cols):
    return cols["num_attention_heads"]


def _head_dim_default(cols):
    return cols["hidden_size"] // cols["num_attention_heads"]


def _tied_head(c: _Ctx, vocab: _Term, width: _Term) -> _Term:
    return c.when(~c.flag("tie_word_embeddings"), vocab * width, note="tied to the input embeddings")


# ----- gpt2 ---------------------------------------------------------------------------------

@_family(
    "gpt2", "GPT2LMHeadModel",
    {
        "vocab_size": _req(),
        "n_embd": _req(aliases=("hidden_size",)),
        "n_layer": _req(aliases=("num_hidden_layers",)),
        "n_positions": _req(aliases=("max_position_embeddings",)),
        "n_inner": _Key(default=lambda c: 4 * c["n_embd"]),
        "add_cross_attention": _b(False),
        "tie_word_embeddings": _b(True),
    },
    ("embeddings", "position", "attention", "mlp", "norms", "head"),
    notes="n_inner defaults to 4 × n_embd; add_cross_attention adds a cross-attention block and its LayerNorm.",
)
def _gpt2(c: _Ctx):
    V, E, L, P, I = c.v("vocab_size"), c.v("n_embd"), c.v("n_layer"), c.v("n_positions"), c.v("n_inner")
    cross = c.flag("add_cross_attention")
    attn = L * (_linear(c, E, 3 * E) + _linear(c, E, E)
                + c.when(cross, _linear(c, E, 2 * E) + _linear(c, E, E) + _linear(c, E, E)))
    parts = {
        "embeddings": V * E,
        "position": P * E,
        "attention": attn,
        "mlp": L * (_linear(c, E, I) + _linear(c, I, E)),
        "norms": L * (2 * (2 * E) + c.when(cross, 2 * E)) + 2 * E,
        "head": _tied_head(c, V, E),
    }
    return parts, _ZERO, {}


# ----- gpt_neox ------------------------------------------------------------------------------

@_family(
    "gpt_neox", "GPTNeoXForCausalLM",
    {
        "vocab_size": _req(),
        "hidden_size": _req(),
        "num_hidden_layers": _req(),
        "intermediate_size": _req(),
        "attention_bias": _b(True),
        "tie_word_embeddings": _b(False),
    },
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="Fused query_key_value (biases when attention_bias, the default), MLP with biases, two "
          "LayerNorms per block; the output head (embed_out) is untied by default.",
)
def _gpt_neox(c: _Ctx):
    V, h, L, I = c.v("vocab_size"), c.v("hidden_size"), c.v("num_hidden_layers"), c.v("intermediate_size")
    ab = c.flag("attention_bias")
    parts = {
        "embeddings": V * h,
        "attention": L * (_linear(c, h, 3 * h, ab) + _linear(c, h, h, ab)),
        "mlp": L * (_linear(c, h, I) + _linear(c, I, h)),
        "norms": L * (2 * (2 * h)) + 2 * h,
        "head": _tied_head(c, V, h),
    }
    return parts, _ZERO, {}


# ----- opt -----------------------------------------------------------------------------------

@_family(
    "opt", "OPTForCausalLM",
    {
        "vocab_size": _req(),
        "hidden_size": _req(),
        "num_hidden_layers": _req(),
        "ffn_dim": _req(),
        "max_position_embeddings": _req(),
        "word_embed_proj_dim": _Key(default=lambda c: c["hidden_size"]),
        "do_layer_norm_before": _b(True),
        "_remove_final_layer_norm": _b(False),
        "enable_bias": _b(True),
        "layer_norm_elementwise_affine": _b(True),
        "tie_word_embeddings": _b(True),
    },
    ("embeddings", "position", "projection", "attention", "mlp", "norms", "head"),
    notes="The learned position table has max_position_embeddings + 2 rows (OPT's offset of 2). "
          "project_in/project_out exist when word_embed_proj_dim ≠ hidden_size (OPT-350m).",
)
def _opt(c: _Ctx):
    V, h, L, F, P, W = (c.v("vocab_size"), c.v("hidden_size"), c.v("num_hidden_layers"), c.v("ffn_dim"),
                        c.v("max_position_embeddings"), c.v("word_embed_proj_dim"))
    bias, affine = c.flag("enable_bias"), c.flag("layer_norm_elementwise_affine")
    final_ln = c.flag("do_layer_norm_before") & ~c.flag("_remove_final_layer_norm") & affine
    proj = c.when(W.value != h.value, 2 * (W * h), note="none (word_embed_proj_dim = hidden_size)")
    parts = {
        "embeddings": V * W,
        "position": (P + 2) * h,
        "projection": proj,
        "attention": L * (4 * _linear(c, h, h, bias)),
        "mlp": L * (_linear(c, h, F, bias) + _linear(c, F, h, bias)),
        "norms": L * c.when(affine, 2 * (2 * h)) + c.when(final_ln, 2 * h),
        "head": _tied_head(c, V, W),
    }
    return parts, _ZERO, {}


# ----- bloom ---------------------------------------------------------------------------------

@_family(
    "bloom", "BloomForCausalLM",
    {
        "vocab_size": _req(),
        "hidden_size": _req(aliases=("n_embed",)),
        "n_layer": _req(aliases=("num_hidden_layers",)),
        "tie_word_embeddings": _b(True),
    },
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="The feed-forward width is always 4 × hidden_size; ALiBi has no parameters.",
)
def _bloom(c: _Ctx):
    V, h, L = c.v("vocab_size"), c.v("hidden_size"), c.v("n_layer")
    parts = {
        "embeddings": V * h,
        "attention": L * (_linear(c, h, 3 * h) + _linear(c, h, h)),
        "mlp": L * (_linear(c, h, 4 * h) + _linear(c, 4 * h, h)),
        "norms": 2 * h + L * (2 * (2 * h)) + 2 * h,
        "head": _tied_head(c, V, h),
    }
    return parts, _ZERO, {}


# ----- falcon --------------------------------------------------------------------------------

def _falcon_prepare(df: pd.DataFrame, pos: np.ndarray, raw: dict[str, Any]) -> None:
    """Old ``RefinedWeb``/``RefinedWebModel`` configs, renamed as transformers' conversion script does.

    ``convert_custom_code_checkpoint.py``: n_head → num_attention_heads, n_layer → num_hidden_layers,
    n_head_kv → num_kv_heads with new_decoder_architecture = True, else new_decoder_architecture = False.
    """
    mt = _column(df, "model_type", pos)
    rw = np.isin(mt.astype(object), ["RefinedWeb", "RefinedWebModel"])
    if not rw.any():
        return
    for old, new in (("n_head", "num_attention_heads"), ("n_layer", "num_hidden_layers"),
                     ("n_head_kv", "num_kv_heads")):
        if old in df.columns:
            vals = _column(df, old, pos)
            take = rw & ~pd.isna(vals)
            if take.any():
                cur = raw[new].copy()
                cur[take] = vals[take]
                raw[new] = cur
    has_kv = ~pd.isna(_column(df, "n_head_kv", pos)) if "n_head_kv" in df.columns else np.zeros(len(pos), bool)
    nda = raw["new_decoder_architecture"].copy()
    nda[rw] = has_kv[rw]
    raw["new_decoder_architecture"] = nda


@_family(
    "falcon", "FalconForCausalLM",
    {
        "vocab_size": _req(),
        "hidden_size": _req(aliases=("n_embed",)),
        "num_hidden_layers": _req(),
        "num_attention_heads": _req(positive=True),
        "new_decoder_architecture": _b(False),
        "num_kv_heads": _Key(default=_heads_default),
        "multi_query": _b(True),
        "parallel_attn": _b(True),
        "bias": _b(False),
        "num_ln_in_parallel_attn": _Key(default=lambda c: np.where(c["new_decoder_architecture"], 2, 1)),
        "ffn_hidden_size": _Key(default=lambda c: 4 * c["hidden_size"]),
        "tie_word_embeddings": _b(True),
    },
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="Fused query_key_value width: (2·num_kv_heads + heads)·head_dim with new_decoder_architecture, "
          "hidden + 2·head_dim with multi_query, else 3·hidden. LayerNorms per block: 2 unless parallel "
          "attention with num_ln_in_parallel_attn ≠ 2 (then 1). RefinedWeb/RefinedWebModel keys are "
          "renamed as transformers' conversion script does.",
    prepare=_falcon_prepare,
)
def _falcon(c: _Ctx):
    V, h, L, H = c.v("vocab_size"), c.v("hidden_size"), c.v("num_hidden_layers"), c.v("num_attention_heads")
    KV, F = c.v("num_kv_heads"), c.v("ffn_hidden_size")
    d = c.derived("head_dim", h // H)
    bias = c.flag("bias")
    new_arch, mq = c.flag("new_decoder_architecture"), c.flag("multi_query")
    qkv = c.where(new_arch, (2 * KV + H) * d, c.where(mq, h + 2 * d, 3 * h))
    two_ln = ~c.flag("parallel_attn") | (c.flag("num_ln_in_parallel_attn") == 2)
    parts = {
        "embeddings": V * h,
        "attention": L * (_linear(c, h, qkv, bias) + _linear(c, h, h, bias)),
        "mlp": L * (_linear(c, h, F, bias) + _linear(c, F, h, bias)),
        "norms": L * c.where(two_ln, 2 * (2 * h), 2 * h) + 2 * h,
        "head": _tied_head(c, V, h),
    }
    return parts, _ZERO, {}


# ----- llama-like decoders ------------------------------------------------------------------

def _decoder_keys(kv_default: Any = _heads_default, head_dim_default: Any = _head_dim_default,
                  tie: bool = False, zero_hd: bool = False, extra: dict[str, _Key] | None = None):
    keys = {
        "vocab_size": _req(),
        "hidden_size": _req(),
        "num_hidden_layers": _req(),
        "num_attention_heads": _req(positive=True),
        "intermediate_size": _req(),
        "num_key_value_heads": _Key(default=kv_default),
        "head_dim": _Key(default=head_dim_default, zero_is_missing=zero_hd),
        "tie_word_embeddings": _b(tie),
    }
    keys.update(extra or {})
    return keys


def _attn_qkvo(c: _Ctx, h, H, KV, d, qkv_bias=False, o_bias=False):
    """Separate q/k/v/o projections (llama layout)."""
    return (_linear(c, h, H * d, qkv_bias) + _linear(c, h, KV * d, qkv_bias) + _linear(c, h, KV * d, qkv_bias)
            + _linear(c, H * d, h, o_bias))


def _std(c: _Ctx):
    return (c.v("vocab_size"), c.v("hidden_size"), c.v("num_hidden_layers"), c.v("num_attention_heads"),
            c.v("num_key_value_heads"), c.v("head_dim"), c.v("intermediate_size"))


def _gated_mlp(c: _Ctx, h, I, bias=False):
    """gate_proj, up_proj (hidden → I) and down_proj (I → hidden)."""
    return 2 * _linear(c, h, I, bias) + _linear(c, I, h, bias)


@_family(
    "llama", "LlamaForCausalLM",
    _decoder_keys(extra={"attention_bias": _b(False), "mlp_bias": _b(False)}),
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="q/k/v/o of width heads·head_dim and kv_heads·head_dim (head_dim defaults to hidden/heads); "
          "SwiGLU MLP; biases only with attention_bias / mlp_bias.",
)
def _llama(c: _Ctx):
    V, h, L, H, KV, d, I = _std(c)
    ab, mb = c.flag("attention_bias"), c.flag("mlp_bias")
    parts = {
        "embeddings": V * h,
        "attention": L * _attn_qkvo(c, h, H, KV, d, ab, ab),
        "mlp": L * _gated_mlp(c, h, I, mb),
        "norms": L * (2 * h) + h,
        "head": _tied_head(c, V, h),
    }
    return parts, _ZERO, {}


@_family(
    "mistral", "MistralForCausalLM",
    _decoder_keys(kv_default=8, zero_hd=True),
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="num_key_value_heads defaults to 8 (MistralConfig); head_dim may differ from hidden/heads (Mistral-Nemo).",
)
def _mistral(c: _Ctx):
    V, h, L, H, KV, d, I = _std(c)
    parts = {
        "embeddings": V * h,
        "attention": L * _attn_qkvo(c, h, H, KV, d),
        "mlp": L * _gated_mlp(c, h, I),
        "norms": L * (2 * h) + h,
        "head": _tied_head(c, V, h),
    }
    return parts, _ZERO, {}


@_family(
    "mixtral", "MixtralForCausalLM",
    _decoder_keys(kv_default=8, zero_hd=True, extra={
        "num_local_experts": _Key(default=8, aliases=("num_experts",)),
        "num_experts_per_tok": _Key(default=2),
    }),
    ("embeddings", "attention", "experts_routed", "router", "norms", "head"),
    notes="Every layer is sparse: num_local_experts SwiGLU experts of width intermediate_size and a "
          "bias-free router; a token visits num_experts_per_tok experts.",
)
def _mixtral(c: _Ctx):
    V, h, L, H, KV, d, I = _std(c)
    E, k = c.v("num_local_experts"), c.v("num_experts_per_tok")
    expert = 3 * (h * I)
    parts = {
        "embeddings": V * h,
        "attention": L * _attn_qkvo(c, h, H, KV, d),
        "experts_routed": L * E * expert,
        "router": L * (E * h),
        "norms": L * (2 * h) + h,
        "head": _tied_head(c, V, h),
    }
    idle = c.derived("idle_experts", _clip0(E - k))
    return parts, L * idle * expert, {}


def _clip0(t: _Term) -> _Term:
    return _Term(np.maximum(t.value, 0), t.expr, t.arith, t.prec)


@_family(
    "qwen2", "Qwen2ForCausalLM",
    _decoder_keys(kv_default=32),
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="q/k/v projections always carry biases, o_proj none. num_key_value_heads defaults to 32 (Qwen2Config).",
)
def _qwen2(c: _Ctx):
    V, h, L, H, KV, d, I = _std(c)
    parts = {
        "embeddings": V * h,
        "attention": L * _attn_qkvo(c, h, H, KV, d, True, False),
        "mlp": L * _gated_mlp(c, h, I),
        "norms": L * (2 * h) + h,
        "head": _tied_head(c, V, h),
    }
    return parts, _ZERO, {}


def _qwen2_moe_sparse_layers(cols: dict[str, np.ndarray], raw_mlp_only: np.ndarray) -> np.ndarray:
    """Layers i with i ∉ mlp_only_layers and (i + 1) % decoder_sparse_step == 0 (and num_experts > 0)."""
    L, step, E = cols["num_hidden_layers"], cols["decoder_sparse_step"], cols["num_experts"]
    n = (L // step).astype(_INT64)
    # mlp_only_layers is a list (usually empty): only rows carrying a non-empty one are read one by one.
    has = ~np.asarray(pd.isna(raw_mlp_only), bool)
    for i in np.flatnonzero(has):
        layers = raw_mlp_only[i]
        if not isinstance(layers, (list, tuple)) or not layers:
            continue
        drop = {int(j) for j in layers if 0 <= int(j) < L[i] and (int(j) + 1) % step[i] == 0}
        n[i] -= len(drop)
    return np.where(E > 0, n, 0)


@_family(
    "qwen2_moe", "Qwen2MoeForCausalLM",
    _decoder_keys(kv_default=16, extra={
        "moe_intermediate_size": _req(),
        "shared_expert_intermediate_size": _req(),
        "num_experts": _req(),
        "num_experts_per_tok": _Key(default=4),
        "decoder_sparse_step": _Key(default=1, positive=True),
        "mlp_only_layers": _Key(kind="obj", default=None),
        "qkv_bias": _b(True),
    }),
    ("embeddings", "attention", "mlp", "experts_routed", "experts_shared", "router", "norms", "head"),
    notes="Sparse layers: (i+1) % decoder_sparse_step == 0 and i not in mlp_only_layers; the others use a "
          "dense MLP of width intermediate_size. Each sparse layer has a shared expert of width "
          "shared_expert_intermediate_size and a 1-output shared_expert_gate (counted under router).",
)
def _qwen2_moe(c: _Ctx):
    V, h, L, H, KV, d, I = _std(c)
    E, k, mI, sI = c.v("num_experts"), c.v("num_experts_per_tok"), c.v("moe_intermediate_size"), \
        c.v("shared_expert_intermediate_size")
    S = c.v("_sparse_layers", "sparse_layers")
    dense = c.derived("dense_layers", L - S)
    expert = 3 * (h * mI)
    parts = {
        "embeddings": V * h,
        "attention": L * _attn_qkvo(c, h, H, KV, d, c.flag("qkv_bias"), False),
        "mlp": dense * _gated_mlp(c, h, I),
        "experts_routed": S * E * expert,
        "experts_shared": S * (3 * (h * sI)),
        "router": S * (E * h + h),
        "norms": L * (2 * h) + h,
        "head": _tied_head(c, V, h),
    }
    idle = c.derived("idle_experts", _clip0(E - k))
    return parts, S * idle * expert, {}


def _gemma_parts(c: _Ctx, norms_per_block: int) -> dict:
    """Gemma and Gemma 2 differ only in RMSNorms per block (two against four)."""
    V, h, L, H, KV, d, I = _std(c)
    ab = c.flag("attention_bias")
    return {
        "embeddings": V * h,
        "attention": L * _attn_qkvo(c, h, H, KV, d, ab, ab),
        "mlp": L * _gated_mlp(c, h, I),
        "norms": L * (norms_per_block * h) + h,
        "head": _tied_head(c, V, h),
    }


@_family(
    "gemma", "GemmaForCausalLM",
    _decoder_keys(kv_default=16, head_dim_default=256, tie=True, extra={"attention_bias": _b(False)}),
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="head_dim defaults to 256 whatever hidden/heads is; embeddings tied by default.",
)
def _gemma(c: _Ctx):
    return _gemma_parts(c, norms_per_block=2), _ZERO, {}


@_family(
    "gemma2", "Gemma2ForCausalLM",
    _decoder_keys(kv_default=4, head_dim_default=256, tie=True, extra={"attention_bias": _b(False)}),
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="Four RMSNorms per block (pre/post attention, pre/post feed-forward); head_dim defaults to 256.",
)
def _gemma2(c: _Ctx):
    return _gemma_parts(c, norms_per_block=4), _ZERO, {}


@_family(
    "phi3", "Phi3ForCausalLM",
    _decoder_keys(),
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="Fused qkv_proj and gate_up_proj, no biases.",
)
def _phi3(c: _Ctx):
    V, h, L, H, KV, d, I = _std(c)
    parts = {
        "embeddings": V * h,
        "attention": L * (h * ((H + 2 * KV) * d) + (H * d) * h),
        "mlp": L * (h * (2 * I) + I * h),
        "norms": L * (2 * h) + h,
        "head": _tied_head(c, V, h),
    }
    return parts, _ZERO, {}


def _phi3small_intermediate(cols):
    # Phi3SmallConfig.intermediate_size: ff_intermediate_size, else ff_dim_multiplier × (hidden // 3) × 2,
    # rounded up to a multiple of 256 when gegelu_pad_to_256.
    mult = cols["ff_dim_multiplier"]
    size = mult * (cols["hidden_size"] // 3) * 2
    padded = (size + 255) // 256 * 256
    return np.where(cols["gegelu_pad_to_256"], padded, size)


@_family(
    "phi3small", "Phi3SmallForCausalLM (remote code)",
    {
        "vocab_size": _req(),
        "hidden_size": _req(),
        "num_hidden_layers": _req(),
        "num_attention_heads": _req(positive=True),
        "num_key_value_heads": _Key(default=8),
        "gegelu_pad_to_256": _b(True),
        "ff_dim_multiplier": _Key(default=0),
        "ff_intermediate_size": _Key(default=lambda c: np.where(c["ff_dim_multiplier"] > 0,
                                                                _phi3small_intermediate(c), 14336)),
        "tie_word_embeddings": _b(True),
    },
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="From microsoft/Phi-3-small-8k-instruct modeling_phi3_small.py: fused query_key_value and dense "
          "with biases, up_proj (hidden → 2·intermediate) and down_proj with biases, LayerNorms with bias; "
          "the output head is tied (PretrainedConfig default, the released config does not untie it).",
)
def _phi3small(c: _Ctx):
    V, h, L, H, KV = c.v("vocab_size"), c.v("hidden_size"), c.v("num_hidden_layers"), \
        c.v("num_attention_heads"), c.v("num_key_value_heads")
    I = c.v("ff_intermediate_size", "intermediate_size")
    d = c.derived("head_dim", h // H)
    parts = {
        "embeddings": V * h,
        "attention": L * (_linear(c, h, (H + 2 * KV) * d) + _linear(c, h, h)),
        "mlp": L * (_linear(c, h, 2 * I) + _linear(c, I, h)),
        "norms": L * (2 * (2 * h)) + 2 * h,
        "head": _tied_head(c, V, h),
    }
    return parts, _ZERO, {}


@_family(
    "olmo", "OlmoForCausalLM",
    _decoder_keys(extra={"attention_bias": _b(False)}),
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="OLMo v1 LayerNorms have neither weight nor bias: norms count 0.",
)
def _olmo(c: _Ctx):
    V, h, L, H, KV, d, I = _std(c)
    ab = c.flag("attention_bias")
    parts = {
        "embeddings": V * h,
        "attention": L * _attn_qkvo(c, h, H, KV, d, ab, ab),
        "mlp": L * _gated_mlp(c, h, I),
        "norms": _Term(np.zeros(c.n, _INT64), "0 (non-parametric LayerNorm)", "0", 3) if c.explain
        else _Term(0),
        "head": _tied_head(c, V, h),
    }
    return parts, _ZERO, {}


@_family(
    "olmo2", "Olmo2ForCausalLM",
    _decoder_keys(extra={"attention_bias": _b(False)}),
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="RMSNorm after attention and after the MLP, plus q_norm (heads·head_dim) and k_norm "
          "(kv_heads·head_dim) on the projections, all counted under norms.",
)
def _olmo2(c: _Ctx):
    V, h, L, H, KV, d, I = _std(c)
    ab = c.flag("attention_bias")
    parts = {
        "embeddings": V * h,
        "attention": L * _attn_qkvo(c, h, H, KV, d, ab, ab),
        "mlp": L * _gated_mlp(c, h, I),
        "norms": L * (2 * h + H * d + KV * d) + h,
        "head": _tied_head(c, V, h),
    }
    return parts, _ZERO, {}


# ----- DeepSeek ------------------------------------------------------------------------------

def _deepseek_validate(cols):
    # A MoE config must say how many experts a token visits (no default in DeepseekConfig).
    moe = cols["n_routed_experts"] > 0
    return {"num_experts_per_tok": moe & (cols["num_experts_per_tok"] < 0)}


@_family(
    "deepseek", "DeepseekForCausalLM (remote code)",
    {
        "vocab_size": _req(),
        "hidden_size": _req(),
        "num_hidden_layers": _req(),
        "num_attention_heads": _req(positive=True),
        "intermediate_size": _req(),
        "num_key_value_heads": _Key(default=32),
        "moe_intermediate_size": _Key(default=1407),
        "n_routed_experts": _Key(default=0),
        "n_shared_experts": _Key(default=0),
        "num_experts_per_tok": _Key(default=-1),
        "first_k_dense_replace": _Key(default=0),
        "moe_layer_freq": _Key(default=1, positive=True),
        "attention_bias": _b(False),
        "tie_word_embeddings": _b(False),
    },
    ("embeddings", "attention", "mlp", "experts_routed", "experts_shared", "router", "norms", "head"),
    notes="From deepseek-ai/deepseek-moe-16b modeling_deepseek.py: layer i is MoE when n_routed_experts "
          "is set, i ≥ first_k_dense_replace and i % moe_layer_freq == 0; shared experts form one MLP of "
          "width moe_intermediate_size × n_shared_experts; the gate has no bias; head_dim = hidden/heads.",
    validate=_deepseek_validate,
)
def _deepseek(c: _Ctx):
    V, h, L, H, KV, I = (c.v("vocab_size"), c.v("hidden_size"), c.v("num_hidden_layers"),
                         c.v("num_attention_heads"), c.v("num_key_value_heads"), c.v("intermediate_size"))
    d = c.derived("head_dim", h // H)
    E, mI, ns, k = c.v("n_routed_experts"), c.v("moe_intermediate_size"), c.v("n_shared_experts"), \
        c.v("num_experts_per_tok")
    fk, freq = c.cols["first_k_dense_replace"], c.cols["moe_layer_freq"]
    Lv = c.cols["num_hidden_layers"]
    start = np.minimum(fk, Lv)
    # count of i in [start, L) with i % freq == 0
    n_moe = np.where(E.value > 0, np.maximum((Lv - 1) // freq - (start - 1) // freq, 0), 0)
    M = c.derived("moe_layers", _Term(n_moe.astype(_INT64)))
    dense = c.derived("dense_layers", L - M)
    ab = c.flag("attention_bias")
    expert = 3 * (h * mI)
    parts = {
        "embeddings": V * h,
        "attention": L * _attn_qkvo(c, h, H, KV, d, ab, ab),
        "mlp": dense * _gated_mlp(c, h, I),
        "experts_routed": M * E * expert,
        "experts_shared": M * (3 * (h * (mI * ns))),
        "router": M * (E * h),
        "norms": L * (2 * h) + h,
        "head": _tied_head(c, V, h),
    }
    idle = c.derived("idle_experts", _clip0(E - k))
    return parts, M * idle * expert, {}


def _mla_keys(v3: bool) -> dict[str, _Key]:
    keys = {
        "vocab_size": _req(),
        "hidden_size": _req(),
        "num_hidden_layers": _req(),
        "num_attention_heads": _req(),
        "intermediate_size": _req(),
        "moe_intermediate_size": _req(),
        "n_routed_experts": _req(aliases=("num_local_experts",) if v3 else ("num_experts",)),
        "kv_lora_rank": _req(),
        "qk_nope_head_dim": _req(),
        "qk_rope_head_dim": _req(),
        "v_head_dim": _req(),
        # absent or null: no query compression (see module notes)
        "q_lora_rank": _Key(default=0),
        "n_shared_experts": _Key(default=1 if v3 else 2),
        "first_k_dense_replace": _Key(default=3 if v3 else 0),
        "num_experts_per_tok": _Key(default=8 if v3 else -1),
        "attention_bias": _b(False),
        "tie_word_embeddings": _b(False),
    }
    if v3:
        keys["num_nextn_predict_layers"] = _Key(default=1, aliases=("num_mtp_layers",))
    else:
        keys["mlp_bias"] = _b(False)
    return keys


def _mla_validate(cols):
    return {"num_experts_per_tok": cols["num_experts_per_tok"] < 0}


def _mla(c: _Ctx, v3: bool):
    V, h, L, H, I = (c.v("vocab_size"), c.v("hidden_size"), c.v("num_hidden_layers"),
                     c.v("num_attention_heads"), c.v("intermediate_size"))
    E, mI, ns, k = c.v("n_routed_experts"), c.v("moe_intermediate_size"), c.v("n_shared_experts"), \
        c.v("num_experts_per_tok")
    qr, kvr, nope, rope, vd = (c.v("q_lora_rank"), c.v("kv_lora_rank"), c.v("qk_nope_head_dim"),
                               c.v("qk_rope_head_dim"), c.v("v_head_dim"))
    ab = c.flag("attention_bias")
    mb = False if v3 else c.flag("mlp_bias")
    qk = c.derived("qk_head_dim", nope + rope)
    has_q_lora = qr.value > 0
    q = c.where(has_q_lora,
                _linear(c, h, qr, ab) + qr + qr * (H * qk),     # q_a_proj, q_a_layernorm, q_b_proj
                h * (H * qk))                                   # q_proj
    per_layer_attn = (q + _linear(c, h, kvr + rope, ab) + kvr   # kv_a_proj_with_mqa, kv_a_layernorm
                      + kvr * (H * (nope + vd))                 # kv_b_proj
                      + _linear(c, H * vd, h, ab))              # o_proj
    # transformers builds a MoE block in every layer i >= first_k_dense_replace (moe_layer_freq unused)
    Lv = c.cols["num_hidden_layers"]
    n_moe = np.maximum(Lv - np.minimum(c.cols["first_k_dense_replace"], Lv), 0)
    M = c.derived("moe_layers", _Term(n_moe.astype(_INT64)))
    dense = c.derived("dense_layers", L - M)
    expert = 3 * (h * mI)
    shared = _gated_mlp(c, h, mI * ns, mb)
    parts = {
        "embeddings": V * h,
        "attention": L * per_layer_attn,
        "mlp": dense * _gated_mlp(c, h, I, mb),
        "experts_routed": M * E * expert,
        "experts_shared": M * shared,
        "router": M * (E * h),
        "norms": L * (2 * h) + h,
        "head": _tied_head(c, V, h),
    }
    idle = c.derived("idle_experts", _clip0(E - k))
    extras: dict[str, _Term] = {}
    if v3:
        n_mtp = c.v("num_nextn_predict_layers")
        # An MTP module: enorm, hnorm, eh_proj (2·hidden → hidden), one decoder block identical to a
        # main-model MoE block, and shared_head.norm. embed_tokens and shared_head.head share the main
        # model's tensors (DeepSeek-V3 README_WEIGHTS.md), so they add nothing.
        block = per_layer_attn + E * expert + shared + E * h + 2 * h
        extras["mtp"] = n_mtp * (3 * h + (2 * h) * h + block)
        # e_score_correction_bias: a buffer of n_routed_experts per MoE block (main model and MTP)
        extras["router_bias"] = (M + n_mtp) * E
    return parts, M * idle * expert, extras


@_family(
    "deepseek_v2", "DeepseekV2ForCausalLM",
    _mla_keys(v3=False),
    ("embeddings", "attention", "mlp", "experts_routed", "experts_shared", "router", "norms", "head"),
    notes="Multi-head latent attention (q_lora_rank null → plain q_proj). Layers ≥ first_k_dense_replace "
          "are MoE; transformers ignores moe_layer_freq (1 in every published config).",
    validate=_mla_validate,
)
def _deepseek_v2(c: _Ctx):
    return _mla(c, v3=False)


@_family(
    "deepseek_v3", "DeepseekV3ForCausalLM",
    _mla_keys(v3=True),
    ("embeddings", "attention", "mlp", "experts_routed", "experts_shared", "router", "norms", "head"),
    notes="As deepseek_v2 with bias-free MLPs. extra.mtp: the multi-token-prediction modules the "
          "checkpoint ships (num_nextn_predict_layers); extra.router_bias: e_score_correction_bias buffers.",
    validate=_mla_validate,
)
def _deepseek_v3(c: _Ctx):
    return _mla(c, v3=True)


# ----- encoders and encoder-decoders --------------------------------------------------------

@_family(
    "bert", "BertModel (with pooler)",
    {
        "vocab_size": _req(),
        "hidden_size": _req(),
        "num_hidden_layers": _req(),
        "num_attention_heads": _req(positive=True),
        "intermediate_size": _req(),
        "max_position_embeddings": _req(),
        "type_vocab_size": _Key(default=2),
        "add_cross_attention": _b(False),
    },
    ("embeddings", "token_type", "position", "attention", "mlp", "norms", "pooler"),
    notes="BertModel as AutoModel builds it: embeddings (word, position, token type, LayerNorm), the "
          "encoder and the pooler; no MLM/NSP head.",
)
def _bert(c: _Ctx):
    V, h, L, H, I, P, T = (c.v("vocab_size"), c.v("hidden_size"), c.v("num_hidden_layers"),
                           c.v("num_attention_heads"), c.v("intermediate_size"),
                           c.v("max_position_embeddings"), c.v("type_vocab_size"))
    A = c.derived("all_head_size", H * (h // H))
    cross = c.flag("add_cross_attention")
    block = 3 * _linear(c, h, A) + _linear(c, h, h)
    parts = {
        "embeddings": V * h,
        "token_type": T * h,
        "position": P * h,
        "attention": L * (block + c.when(cross, block)),
        "mlp": L * (_linear(c, h, I) + _linear(c, I, h)),
        "norms": 2 * h + L * (2 * (2 * h) + c.when(cross, 2 * h)),
        "pooler": _linear(c, h, h),
    }
    return parts, _ZERO, {}


@_family(
    "t5", "T5ForConditionalGeneration",
    {
        "vocab_size": _req(),
        "d_model": _req(aliases=("hidden_size",)),
        "d_ff": _req(),
        "d_kv": _req(aliases=("head_dim",)),
        "num_layers": _req(aliases=("num_hidden_layers",)),
        "num_heads": _req(aliases=("num_attention_heads",)),
        "num_decoder_layers": _Key(default=lambda c: c["num_layers"]),
        "relative_attention_num_buckets": _Key(default=32),
        "feed_forward_proj": _Key(kind="str", default="relu"),
        "tie_word_embeddings": _b(True),
    },
    ("embeddings", "position", "attention", "mlp", "norms", "head"),
    notes="Relative attention bias tables (buckets × heads) exist only in the first encoder and first "
          "decoder block and are counted as position tables. 'gated-*' feed_forward_proj (T5 v1.1) has "
          "wi_0, wi_1 and wo. tie_word_embeddings false (T5 v1.1) counts the separate lm_head.",
)
def _t5(c: _Ctx):
    V, d, F, dkv, Le, H = (c.v("vocab_size"), c.v("d_model"), c.v("d_ff"), c.v("d_kv"), c.v("num_layers"),
                           c.v("num_heads"))
    Ld, B = c.v("num_decoder_layers"), c.v("relative_attention_num_buckets")
    inner = c.derived("inner_dim", H * dkv)
    ffp = c.cols["feed_forward_proj"]
    gated = np.asarray(pd.Series(ffp, dtype=object).astype(str).str.startswith("gated-").to_numpy(), bool)
    n_in = c.where(gated, 2, 1)
    attn = 4 * (d * inner)
    parts = {
        "embeddings": V * d,
        "position": 2 * (B * H),
        "attention": Le * attn + Ld * (2 * attn),
        "mlp": (Le + Ld) * ((n_in + 1) * (d * F)),
        "norms": Le * (2 * d) + d + Ld * (3 * d) + d,
        "head": _tied_head(c, V, d),
    }
    return parts, _ZERO, {}


def _vit_prepare(df: pd.DataFrame, pos: np.ndarray, raw: dict[str, Any]) -> None:
    """image_size / patch_size may be an int or an (height, width) pair: split into two columns each."""
    for key in ("image_size", "patch_size"):
        vals = raw[key]
        h = np.empty(len(vals), dtype=object)
        w = np.empty(len(vals), dtype=object)
        if vals.dtype != object:
            h[:] = vals
            w[:] = vals
        else:
            seq = np.fromiter((isinstance(x, (list, tuple)) for x in vals), dtype=bool, count=len(vals))
            h[~seq] = vals[~seq]
            w[~seq] = vals[~seq]
            for i in np.flatnonzero(seq):
                pair = vals[i]
                if len(pair) == 2:
                    h[i], w[i] = pair[0], pair[1]
                else:
                    h[i] = w[i] = "invalid"
        raw[key + "_h"], raw[key + "_w"] = h, w


@_family(
    "vit", "ViTModel (with pooler)",
    {
        "hidden_size": _req(),
        "num_hidden_layers": _req(),
        "num_attention_heads": _req(positive=True),
        "intermediate_size": _req(),
        "image_size": _Key(kind="obj", required=True),
        "patch_size": _Key(kind="obj", required=True),
        "image_size_h": _Key(),
        "image_size_w": _Key(),
        "patch_size_h": _Key(positive=True),
        "patch_size_w": _Key(positive=True),
        "num_channels": _Key(default=3),
        "qkv_bias": _b(True),
        "head_dim": _Key(default=_head_dim_default),
        "pooler_output_size": _Key(default=lambda c: c["hidden_size"], zero_is_missing=True),
    },
    ("patch_embedding", "cls_token", "position", "attention", "mlp", "norms", "pooler"),
    notes="num_patches = (image_size ÷ patch_size)² (per side for pairs); the position table has "
          "num_patches + 1 rows (class token).",
    prepare=_vit_prepare,
)
def _vit(c: _Ctx):
    h, L, H, I, C = (c.v("hidden_size"), c.v("num_hidden_layers"), c.v("num_attention_heads"),
                     c.v("intermediate_size"), c.v("num_channels"))
    d, Po = c.v("head_dim"), c.v("pooler_output_size")
    ih, iw, ph, pw = c.cols["image_size_h"], c.cols["image_size_w"], c.cols["patch_size_h"], c.cols["patch_size_w"]
    N = c.derived("num_patches", _Term((ih // ph) * (iw // pw)))
    pp = c.derived("patch_area", _Term(ph * pw))
    qb = c.flag("qkv_bias")
    parts = {
        "patch_embedding": C * h * pp + h,
        "cls_token": h,
        "position": (N + 1) * h,
        "attention": L * (3 * _linear(c, h, H * d, qb) + _linear(c, H * d, h)),
        "mlp": L * (_linear(c, h, I) + _linear(c, I, h)),
        "norms": L * (2 * (2 * h)) + 2 * h,
        "pooler": _linear(c, h, Po),
    }
    return parts, _ZERO, {}


#: Extra modules each family reports.
_FAMILY_EXTRAS: dict[str, tuple[str, ...]] = {"deepseek_v3": ("mtp", "router_bias")}

#: model_type values the engine counts (falcon also accepts the old RefinedWeb names).
SUPPORTED_FAMILIES: tuple[str, ...] = tuple(_FAMILIES) + tuple(_MODEL_TYPE_ALIASES)
#: The transformers class whose parameters each family's ``total`` equals.
FAMILY_CLASSES: dict[str, str] = {name: fam.cls for name, fam in _FAMILIES.items()}
#: What is particular about each family's count (for documentation).
FAMILY_NOTES: dict[str, str] = {name: fam.notes for name, fam in _FAMILIES.items()}


# --------------------------------------------------------------------------------------------
# Column normalization
# --------------------------------------------------------------------------------------------

def _column(df: pd.DataFrame, key: str, pos: np.ndarray) -> np.ndarray:
    if key not in df.columns:
        return np.full(len(pos), np.nan, dtype=object)
    return df[key].to_numpy()[pos]


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
        out = vals.astype(_INT64)
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
    out = np.where(missing | bad, 0, f).astype(_INT64)
    return out, missing, bad


@dataclass
class _Normalized:
    cols: dict[str, np.ndarray]
    missing: dict[str, np.ndarray] = field(default_factory=dict)   # required keys absent
    invalid: dict[str, np.ndarray] = field(default_factory=dict)   # present but unusable


def _normalize(fam: _Family, df: pd.DataFrame, pos: np.ndarray) -> _Normalized:
    n = len(pos)
    raw: dict[str, Any] = {}
    for key, spec in fam.keys.items():
        vals = _column(df, key, pos)
        for alias in spec.aliases:
            if alias in df.columns:
                gap = np.asarray(pd.isna(vals), bool)
                if gap.any():
                    alt = _column(df, alias, pos)
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
            if spec.default is not _MISSING and not callable(spec.default):
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
            if spec.default is not _MISSING:
                d = spec.default(cols) if callable(spec.default) else spec.default
                col = np.where(missing, d, col).astype(bool)
        else:
            col, missing, invalid = _to_int(vals)
            if spec.zero_is_missing:
                missing = missing | ((col == 0) & ~invalid)
            if spec.positive:
                invalid = invalid | ((~missing) & (col <= 0))
            if spec.default is not _MISSING and missing.any():
                d = spec.default(cols) if callable(spec.default) else spec.default
                col = np.where(missing, d, col).astype(_INT64)
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
    if fam.name == "qwen2_moe":
        cols["_sparse_layers"] = _qwen2_moe_sparse_layers(cols, np.asarray(raw["mlp_only_layers"], dtype=object))
    return out


def _error_messages(fam: _Family, norm: _Normalized, n: int) -> np.ndarray:
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


def _run(fam: _Family, norm: _Normalized, n: int, explain: bool):
    ctx = _Ctx(norm.cols, n, explain)
    with np.errstate(all="ignore"):
        return fam.build(ctx)


def _as_array(value: Any, n: int) -> np.ndarray:
    arr = np.asarray(value, dtype=_INT64)
    if arr.ndim == 0:
        return np.full(n, int(arr), dtype=_INT64)
    return arr


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------

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
    values = {c: np.zeros(n, dtype=_INT64) for c in out_cols}
    ok = np.zeros(n, dtype=bool)
    errors = np.full(n, None, dtype=object)

    if "model_type" in configs.columns:
        mt = configs["model_type"].to_numpy(dtype=object)
    else:
        mt = np.full(n, None, dtype=object)
    fam_names = pd.Series(mt, dtype=object).replace(_MODEL_TYPE_ALIASES)
    codes, uniques = pd.factorize(fam_names, use_na_sentinel=True)

    for code, name in enumerate(uniques):
        pos = np.flatnonzero(codes == code)
        fam = _FAMILIES.get(name) if isinstance(name, str) else None
        if fam is None:
            errors[pos] = pd.Series(mt[pos], dtype=object).map(_unknown_message).to_numpy(dtype=object)
            continue
        norm = _normalize(fam, configs, pos)
        msgs = _error_messages(fam, norm, len(pos))
        parts, idle, extras = _run(fam, norm, len(pos), explain=False)
        total = np.zeros(len(pos), dtype=_INT64)
        emb = np.zeros(len(pos), dtype=_INT64)
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


def _family_of(cfg: Mapping[str, Any]) -> _Family:
    mt = cfg.get("model_type")
    if mt is None:
        raise ConfigError("missing key: model_type")
    fam = _FAMILIES.get(_MODEL_TYPE_ALIASES.get(mt, mt)) if isinstance(mt, str) else None
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
    extras = {p: int(row[f"extra_{p}"]) for p in _FAMILY_EXTRAS.get(fam.name, ())}
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
