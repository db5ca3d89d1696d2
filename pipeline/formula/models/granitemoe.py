"""granitemoe: IBM Granite MoE (GraniteMoeForCausalLM), every layer a mixture of experts.

Llama attention; num_local_experts experts with a fused input projection (hidden → 2·intermediate)
and an output projection, no biases; a bias-free router. Source: transformers
``models/granitemoe/modeling_granitemoe.py``.
"""
from __future__ import annotations

from pipeline.formula.common import attn_qkvo, decoder_keys, std_dims, tied_head
from pipeline.formula.spec import Family, Key, boolean
from pipeline.formula.terms import Ctx, clip0


def build(c: Ctx):
    V, h, L, H, KV, d, I = std_dims(c)
    E, k = c.v("num_local_experts"), c.v("num_experts_per_tok")
    ab = c.flag("attention_bias")
    expert = 3 * (h * I)
    parts = {
        "embeddings": V * h,
        "attention": L * attn_qkvo(c, h, H, KV, d, ab, ab),
        "experts_routed": L * E * expert,
        "router": L * (E * h),
        "norms": L * (2 * h) + h,
        "head": tied_head(c, V, h),
    }
    idle = c.derived("idle_experts", clip0(E - k))
    return parts, L * idle * expert, {}


FAMILY = Family(
    "granitemoe", "GraniteMoeForCausalLM",
    decoder_keys(extra={
        "attention_bias": boolean(False),
        "num_local_experts": Key(default=8, aliases=("num_experts",)),
        "num_experts_per_tok": Key(default=2),
    }),
    ("embeddings", "attention", "experts_routed", "router", "norms", "head"),
    notes="Every layer sparse: num_local_experts bias-free experts of intermediate_size, bias-free router.",
    build=build,
)
