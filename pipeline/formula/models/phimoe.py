"""phimoe: Phi-3.5-MoE (PhimoeForCausalLM), every layer a mixture of experts.

q/k/v/o with biases when ``attention_bias``; num_local_experts SwiGLU experts of intermediate_size;
a bias-free router; LayerNorms with bias; an output-head bias when ``lm_head_bias``. Source:
transformers ``models/phimoe/modeling_phimoe.py``.
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
        "norms": L * (2 * (2 * h)) + 2 * h,
        "head": tied_head(c, V, h) + c.when(c.flag("lm_head_bias"), V),
    }
    idle = c.derived("idle_experts", clip0(E - k))
    return parts, L * idle * expert, {}


FAMILY = Family(
    "phimoe", "PhimoeForCausalLM",
    decoder_keys(kv_default=8, extra={
        "attention_bias": boolean(False),
        "lm_head_bias": boolean(False),
        "num_local_experts": Key(default=16, aliases=("num_experts",)),
        "num_experts_per_tok": Key(default=2),
    }),
    ("embeddings", "attention", "experts_routed", "router", "norms", "head"),
    notes="Every layer sparse; LayerNorms with bias; lm_head_bias adds a vocabulary-sized bias to the head.",
    build=build,
)
