"""minimax_m2: MiniMax-M2 mixture-of-experts decoders (MiniMaxM2ForCausalLM; MiniMax-M2, M2.5, M2.7).

Full attention in every layer: bias-free q/k/v/o and RMSNorms over the whole query and key
projections (q_norm of heads·head_dim, k_norm of kv_heads·head_dim, not per head). Every layer is
sparse: num_local_experts SwiGLU experts of intermediate_size (gate_up and down stored as 3-D
tensors) and a bias-free router (experts × hidden); no shared expert, no dense layer. The router's
``e_score_correction_bias`` is a buffer (extra.router_bias), and the checkpoint's multi-token-prediction
modules are not part of the transformers model. head_dim defaults to 128, kv heads to 8. Source:
transformers ``models/minimax_m2/modeling_minimax_m2.py``.
"""
from __future__ import annotations

from pipeline.formula.common import decoder_keys, std_dims
from pipeline.formula.models.qwen3 import qk_norm_decoder
from pipeline.formula.spec import Family, Key
from pipeline.formula.terms import Ctx, ZERO, clip0


def build(c: Ctx):
    _V, h, L, _H, _KV, _d, I = std_dims(c)
    E, k = c.v("num_local_experts"), c.v("num_experts_per_tok")
    parts = qk_norm_decoder(c, lambda h, H, KV, d: (H * d, KV * d), biases=False)
    expert = 3 * (h * I)
    parts["mlp"] = ZERO
    parts["experts_routed"] = L * E * expert
    parts["router"] = L * (E * h)
    idle = c.derived("idle_experts", clip0(E - k))
    return parts, L * idle * expert, {"router_bias": L * E}


FAMILY = Family(
    "minimax_m2", "MiniMaxM2ForCausalLM",
    decoder_keys(kv_default=8, head_dim_default=128, extra={
        "num_local_experts": Key(default=256, aliases=("num_experts",)),
        "num_experts_per_tok": Key(default=8),
    }),
    ("embeddings", "attention", "experts_routed", "router", "norms", "head"),
    notes="Every layer sparse: num_local_experts experts of intermediate_size (no shared expert, no dense "
          "layer), bias-free router; q_norm/k_norm over all heads (heads·head_dim and kv_heads·head_dim, under "
          "norms); extra.router_bias: the e_score_correction_bias buffers; MTP modules are not in the "
          "transformers model.",
    build=build,
    extras=("router_bias",),
)
