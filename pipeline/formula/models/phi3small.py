from __future__ import annotations

import numpy as np

from pipeline.formula.terms import Ctx, ZERO, linear
from pipeline.formula.spec import Family, Key, boolean, required
from pipeline.formula.common import tied_head


def _phi3small_intermediate(cols):
    # Phi3SmallConfig.intermediate_size: ff_intermediate_size, else ff_dim_multiplier × (hidden // 3) × 2,
    # rounded up to a multiple of 256 when gegelu_pad_to_256.
    mult = cols["ff_dim_multiplier"]
    size = mult * (cols["hidden_size"] // 3) * 2
    padded = (size + 255) // 256 * 256
    return np.where(cols["gegelu_pad_to_256"], padded, size)


def build(c: Ctx):
    V, h, L, H, KV = c.v("vocab_size"), c.v("hidden_size"), c.v("num_hidden_layers"), \
        c.v("num_attention_heads"), c.v("num_key_value_heads")
    I = c.v("ff_intermediate_size", "intermediate_size")
    d = c.derived("head_dim", h // H)
    parts = {
        "embeddings": V * h,
        "attention": L * (linear(c, h, (H + 2 * KV) * d) + linear(c, h, h)),
        "mlp": L * (linear(c, h, 2 * I) + linear(c, I, h)),
        "norms": L * (2 * (2 * h)) + 2 * h,
        "head": tied_head(c, V, h),
    }
    return parts, ZERO, {}


FAMILY = Family(
    "phi3small", "Phi3SmallForCausalLM (remote code)",
    {
        "vocab_size": required(),
        "hidden_size": required(),
        "num_hidden_layers": required(),
        "num_attention_heads": required(positive=True),
        "num_key_value_heads": Key(default=8),
        "gegelu_pad_to_256": boolean(True),
        "ff_dim_multiplier": Key(default=0),
        "ff_intermediate_size": Key(default=lambda c: np.where(c["ff_dim_multiplier"] > 0,
                                                                _phi3small_intermediate(c), 14336)),
        "tie_word_embeddings": boolean(True),
    },
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="From microsoft/Phi-3-small-8k-instruct modeling_phi3_small.py: fused query_key_value and dense "
          "with biases, up_proj (hidden → 2·intermediate) and down_proj with biases, LayerNorms with bias; "
          "the output head is tied (PretrainedConfig default, the released config does not untie it).",
    build=build,
    heads=("causal_lm",),
    head_width=None,
)
