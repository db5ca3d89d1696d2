"""glm4_moe: GLM-4.5 / GLM-4.6 (Glm4MoeForCausalLM).

q/k/v with biases when ``attention_bias`` (o never), q_norm/k_norm of head_dim when ``use_qk_norm``.
Layers ≥ first_k_dense_replace are MoE: n_routed_experts SwiGLU experts of moe_intermediate_size, a
bias-free router, shared experts as one MLP of moe_intermediate_size × n_shared_experts; the others
a SwiGLU MLP of intermediate_size. The multi-token-prediction layers (num_nextn_predict_layers) are
not part of the transformers model. Source: transformers ``models/glm4_moe/modeling_glm4_moe.py``.
"""
from __future__ import annotations

import numpy as np

from pipeline.formula.common import attn_qkvo, decoder_keys, gated_mlp, std_dims, tied_head
from pipeline.formula.spec import Family, Key, boolean
from pipeline.formula.terms import INT64, Ctx, Term, clip0


def build(c: Ctx):
    V, h, L, H, KV, d, I = std_dims(c)
    E, k, mI, ns = (c.v("n_routed_experts"), c.v("num_experts_per_tok"), c.v("moe_intermediate_size"),
                    c.v("n_shared_experts"))
    ab = c.flag("attention_bias")
    layers = c.cols["num_hidden_layers"]
    M = c.derived("moe_layers", Term(np.maximum(layers - np.minimum(c.cols["first_k_dense_replace"], layers),
                                                0).astype(INT64)))
    dense = c.derived("dense_layers", L - M)
    expert = 3 * (h * mI)
    parts = {
        "embeddings": V * h,
        "attention": L * attn_qkvo(c, h, H, KV, d, ab, False),
        "mlp": dense * gated_mlp(c, h, I),
        "experts_routed": M * E * expert,
        "experts_shared": M * gated_mlp(c, h, mI * ns),
        "router": M * (E * h),
        "norms": L * (2 * h + c.when(c.flag("use_qk_norm"), 2 * d)) + h,
        "head": tied_head(c, V, h),
    }
    idle = c.derived("idle_experts", clip0(E - k))
    return parts, M * idle * expert, {}


FAMILY = Family(
    "glm4_moe", "Glm4MoeForCausalLM",
    decoder_keys(kv_default=8, extra={
        "attention_bias": boolean(False),
        "use_qk_norm": boolean(False),
        "moe_intermediate_size": Key(default=1408),
        "n_routed_experts": Key(default=128),
        "n_shared_experts": Key(default=1),
        "num_experts_per_tok": Key(default=8),
        "first_k_dense_replace": Key(default=1),
    }),
    ("embeddings", "attention", "mlp", "experts_routed", "experts_shared", "router", "norms", "head"),
    notes="Layers ≥ first_k_dense_replace are MoE with shared experts; q/k/v biases with attention_bias; "
          "MTP layers are not in the transformers model.",
    build=build,
)
