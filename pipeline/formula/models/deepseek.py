from __future__ import annotations

import numpy as np

from pipeline.formula.terms import Ctx, INT64, Term, clip0
from pipeline.formula.spec import Family, Key, boolean, required
from pipeline.formula.common import attn_qkvo, gated_mlp, tied_head


def _deepseek_validate(cols):
    # A MoE config must say how many experts a token visits (no default in DeepseekConfig).
    moe = cols["n_routed_experts"] > 0
    return {"num_experts_per_tok": moe & (cols["num_experts_per_tok"] < 0)}


def build(c: Ctx):
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
    M = c.derived("moe_layers", Term(n_moe.astype(INT64)))
    dense = c.derived("dense_layers", L - M)
    ab = c.flag("attention_bias")
    expert = 3 * (h * mI)
    parts = {
        "embeddings": V * h,
        "attention": L * attn_qkvo(c, h, H, KV, d, ab, ab),
        "mlp": dense * gated_mlp(c, h, I),
        "experts_routed": M * E * expert,
        "experts_shared": M * (3 * (h * (mI * ns))),
        "router": M * (E * h),
        "norms": L * (2 * h) + h,
        "head": tied_head(c, V, h),
    }
    idle = c.derived("idle_experts", clip0(E - k))
    return parts, M * idle * expert, {}


FAMILY = Family(
    "deepseek", "DeepseekForCausalLM (remote code)",
    {
        "vocab_size": required(),
        "hidden_size": required(),
        "num_hidden_layers": required(),
        "num_attention_heads": required(positive=True),
        "intermediate_size": required(),
        "num_key_value_heads": Key(default=32),
        "moe_intermediate_size": Key(default=1407),
        "n_routed_experts": Key(default=0),
        "n_shared_experts": Key(default=0),
        "num_experts_per_tok": Key(default=-1),
        "first_k_dense_replace": Key(default=0),
        "moe_layer_freq": Key(default=1, positive=True),
        "attention_bias": boolean(False),
        "tie_word_embeddings": boolean(False),
    },
    ("embeddings", "attention", "mlp", "experts_routed", "experts_shared", "router", "norms", "head"),
    notes="From deepseek-ai/deepseek-moe-16b modeling_deepseek.py: layer i is MoE when n_routed_experts "
          "is set, i ≥ first_k_dense_replace and i % moe_layer_freq == 0; shared experts form one MLP of "
          "width moe_intermediate_size × n_shared_experts; the gate has no bias; head_dim = hidden/heads.",
    validate=_deepseek_validate,
    build=build,
    heads=("causal_lm",),
    head_width=None,
)
