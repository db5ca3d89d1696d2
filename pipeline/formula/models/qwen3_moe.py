"""qwen3_moe: Qwen3 mixture-of-experts decoders (Qwen3MoeForCausalLM).

Qwen3 attention (q_norm/k_norm of head_dim); sparse layers as Qwen2-MoE (``decoder_sparse_step``,
``mlp_only_layers``) but with no shared expert; the router is a bias-free Linear. ``head_dim``
defaults to hidden/heads. Source: transformers ``models/qwen3_moe/modeling_qwen3_moe.py``.
"""
from __future__ import annotations

from pipeline.formula.common import decoder_keys, gated_mlp, std_dims
from pipeline.formula.models.qwen2_moe import sparse_layers_finish
from pipeline.formula.models.qwen3 import qk_norm_decoder
from pipeline.formula.spec import Family, Key, boolean
from pipeline.formula.terms import Ctx, clip0


def build(c: Ctx):
    V, h, L, H, KV, d, I = std_dims(c)
    E, k, mI = c.v("num_experts"), c.v("num_experts_per_tok"), c.v("moe_intermediate_size")
    S = c.v("_sparse_layers", "sparse_layers")
    dense = c.derived("dense_layers", L - S)
    parts = qk_norm_decoder(c, lambda h, H, KV, d: (d, d))
    expert = 3 * (h * mI)
    parts["mlp"] = dense * gated_mlp(c, h, I)
    parts["experts_routed"] = S * E * expert
    parts["router"] = S * (E * h)
    idle = c.derived("idle_experts", clip0(E - k))
    return parts, S * idle * expert, {}


FAMILY = Family(
    "qwen3_moe", "Qwen3MoeForCausalLM",
    decoder_keys(kv_default=4, extra={
        "attention_bias": boolean(False),
        "moe_intermediate_size": Key(default=768),
        "num_experts": Key(default=128, aliases=("num_local_experts",)),
        "num_experts_per_tok": Key(default=8),
        "decoder_sparse_step": Key(default=1, positive=True),
        "mlp_only_layers": Key(kind="obj", default=None),
    }),
    ("embeddings", "attention", "mlp", "experts_routed", "router", "norms", "head"),
    notes="Sparse layers: (i+1) % decoder_sparse_step == 0 and i not in mlp_only_layers (the others a dense "
          "MLP of intermediate_size); num_experts experts of moe_intermediate_size, no shared expert; "
          "q_norm/k_norm under norms.",
    build=build,
    finish=sparse_layers_finish,
)
