"""Building blocks shared by several families: default rules, llama-style keys and layers."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pipeline.formula.spec import Key, boolean, required
from pipeline.formula.terms import Ctx, Term, linear

def heads_default(cols):
    """num_attention_heads: the kv-head count when a config gives none (no grouping)."""
    return cols["num_attention_heads"]


def hidden_per_head(cols):
    """hidden_size ÷ num_attention_heads: the head width when a config gives none."""
    return cols["hidden_size"] // cols["num_attention_heads"]


def tied_head(c: Ctx, vocab: Term, width: Term) -> Term:
    return c.when(~c.flag("tie_word_embeddings"), vocab * width, note="tied to the input embeddings")


def decoder_keys(kv_default: Any = heads_default, head_dim_default: Any = hidden_per_head,
                  tie: bool = False, zero_hd: bool = False, extra: dict[str, Key] | None = None):
    """The keys of a llama-style decoder with its config class's defaults (``extra`` adds or overrides)."""
    keys = {
        "vocab_size": required(),
        "hidden_size": required(),
        "num_hidden_layers": required(),
        "num_attention_heads": required(positive=True),
        "intermediate_size": required(),
        "num_key_value_heads": Key(default=kv_default),
        # an explicit null: the modeling code's ``getattr(config, "head_dim", None) or hidden // heads``
        "head_dim": Key(default=head_dim_default, zero_is_missing=zero_hd, null=hidden_per_head),
        "tie_word_embeddings": boolean(tie),
    }
    keys.update(extra or {})
    return keys


def attn_qkvo(c: Ctx, h, H, KV, d, qkv_bias=False, o_bias=False):
    """Separate q/k/v/o projections (llama layout)."""
    return (linear(c, h, H * d, qkv_bias) + linear(c, h, KV * d, qkv_bias) + linear(c, h, KV * d, qkv_bias)
            + linear(c, H * d, h, o_bias))


def std_dims(c: Ctx):
    return (c.v("vocab_size"), c.v("hidden_size"), c.v("num_hidden_layers"), c.v("num_attention_heads"),
            c.v("num_key_value_heads"), c.v("head_dim"), c.v("intermediate_size"))


def gated_mlp(c: Ctx, h, I, bias=False):
    """gate_proj, up_proj (hidden → I) and down_proj (I → hidden)."""
    return 2 * linear(c, h, I, bias) + linear(c, I, h, bias)




def head_is(c: Ctx, *kinds: str):
    """Bool column: rows whose counted head kind (``c.cols["_head"]``, families with ``own_heads``)
    is one of ``kinds``."""
    return np.isin(c.cols["_head"], kinds)


#: ``Family`` arguments of a composite whose ``...ForConditionalGeneration`` (first: the usual class) and
#: bare ``...Model`` the family counts itself (its ``build`` reads the head kind; see :func:`generation_head`).
COMPOSITE_HEADS: dict[str, Any] = {"heads": ("cond_gen", "base"), "head_width": None, "own_heads": True}


def generation_head(c: Ctx, vocab: Term, width: Term, tie_key: str | None = "tie_word_embeddings") -> Term:
    """The output head of a composite's ``...ForConditionalGeneration`` (vocab × width): none in the bare
    ``...Model`` (head kind base), none where the top-level flag ``tie_key`` ties it to the input
    embeddings (``tie_key`` None: the class never ties it)."""
    counted = head_is(c, "cond_gen")
    if tie_key is not None:
        counted = counted & ~c.flag(tie_key)
    return c.when(counted, vocab * width, note="tied to the input embeddings, or no output head")


def nested_keys(parent: str, defaults: dict[str, Any]) -> dict[str, Key]:
    """Keys ``"<parent>.<name>"`` read from the sub-config dict ``parent`` (``text_config``, ...), each
    with the sub-config class default; fill them with :func:`flatten_nested` in the family's ``prepare``."""
    return {f"{parent}.{name}": Key(default=default) for name, default in defaults.items()}


def flatten_nested(raw: dict[str, Any], parent: str, names, override: str | None = None) -> None:
    """Copy ``raw[parent][i][name]`` into ``raw["<parent>.<name>"]`` (None where the sub-config or the
    key is absent, so the key's default applies). Where the column ``override`` holds a dict (CLIP's
    legacy ``text_config_dict``), that dict replaces the sub-config whole, as CLIPConfig does."""
    dicts = pd.Series(raw[parent], dtype=object).map(lambda v: v if isinstance(v, dict) else {})
    if override is not None:
        replacement = pd.Series(raw[override], dtype=object, index=dicts.index)
        has = replacement.map(lambda v: isinstance(v, dict))
        dicts = dicts.where(~has, replacement)
    for name in names:
        raw[f"{parent}.{name}"] = dicts.map(lambda d, name=name: d.get(name)).to_numpy(dtype=object)


def encoder_layers(c: Ctx, L, h, I):
    """``L`` CLIP/SigLIP encoder layers: q/k/v/out with biases, fc1/fc2 with biases, two LayerNorms.
    Returns (attention, mlp, norms)."""
    return L * (4 * linear(c, h, h)), L * (linear(c, h, I) + linear(c, I, h)), L * (2 * (2 * h))


class SubConfigCtx(Ctx):
    """A view of ``ctx`` that reads key ``name`` as ``<prefix><name>`` (a composite's nested sub-config,
    flattened by :func:`flatten_nested`), so a one-tower family's ``build`` can count a composite's
    language model. Derived columns (names starting with ``_``) are read as they are; components
    recorded through the view land in ``ctx``."""

    def __init__(self, ctx: Ctx, prefix: str) -> None:
        super().__init__(ctx.cols, ctx.n, ctx.explain)
        self.prefix = prefix
        self.components = ctx.components

    def _name(self, key: str) -> str:
        return key if key.startswith("_") else self.prefix + key

    def v(self, key: str, label: str | None = None) -> Term:
        return super().v(self._name(key), label)

    def flag(self, key: str) -> np.ndarray:
        return super().flag(self._name(key))
