"""olmoe: AllenAI's OLMoE (OlmoeForCausalLM), every layer a mixture of experts.

Attention with RMSNorms on queries (hidden_size wide) and keys (kv_heads × hidden ÷ heads);
num_experts SwiGLU experts of intermediate_size and a bias-free router. Source: transformers
``models/olmoe/modeling_olmoe.py``.
"""
from __future__ import annotations

from pipeline.formula.common import decoder_keys, std_dims
from pipeline.formula.models.qwen3 import qk_norm_decoder
from pipeline.formula.spec import Family, Key, boolean
from pipeline.formula.terms import Ctx, clip0


def build(c: Ctx):
    V, h, L, H, KV, d, I = std_dims(c)
    E, k = c.v("num_experts"), c.v("num_experts_per_tok")
    # q_norm spans hidden_size and k_norm kv_heads × (hidden ÷ heads), whatever head_dim says
    parts = qk_norm_decoder(c, lambda h, H, KV, d: (h, KV * (h // H)))
    del parts["mlp"]
    expert = 3 * (h * I)
    parts["experts_routed"] = L * E * expert
    parts["router"] = L * (E * h)
    idle = c.derived("idle_experts", clip0(E - k))
    return parts, L * idle * expert, {}


FAMILY = Family(
    "olmoe", "OlmoeForCausalLM",
    decoder_keys(extra={
        "attention_bias": boolean(False),
        "num_experts": Key(default=64, aliases=("num_local_experts",)),
        "num_experts_per_tok": Key(default=8),
    }),
    ("embeddings", "attention", "experts_routed", "router", "norms", "head"),
    notes="Every layer sparse (num_experts experts of intermediate_size, bias-free router); q_norm over "
          "hidden_size and k_norm over kv_heads × (hidden ÷ heads), counted under norms.",
    build=build,
)
