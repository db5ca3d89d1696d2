"""Building blocks shared by several families: default rules, llama-style keys and layers."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pipeline.formula.spec import Key, boolean, required
from pipeline.formula.terms import Ctx, Term, linear

def heads_default(cols):
    return cols["num_attention_heads"]


def head_dim_default(cols):
    return cols["hidden_size"] // cols["num_attention_heads"]


def tied_head(c: Ctx, vocab: Term, width: Term) -> Term:
    return c.when(~c.flag("tie_word_embeddings"), vocab * width, note="tied to the input embeddings")


def decoder_keys(kv_default: Any = heads_default, head_dim_default: Any = head_dim_default,
                  tie: bool = False, zero_hd: bool = False, extra: dict[str, Key] | None = None):
    keys = {
        "vocab_size": required(),
        "hidden_size": required(),
        "num_hidden_layers": required(),
        "num_attention_heads": required(positive=True),
        "intermediate_size": required(),
        "num_key_value_heads": Key(default=kv_default),
        "head_dim": Key(default=head_dim_default, zero_is_missing=zero_hd),
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
