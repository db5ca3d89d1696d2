"""cohere: Cohere Command R (CohereForCausalLM).

Parallel block: one bias-free LayerNorm per layer feeding attention and the SwiGLU MLP; per-head
q/k LayerNorm weights (heads·head_dim, kv_heads·head_dim) when ``use_qk_norm``; tied output head.
Source: transformers ``models/cohere/modeling_cohere.py``.
"""
from __future__ import annotations

from pipeline.formula.common import attn_qkvo, decoder_keys, gated_mlp, std_dims, tied_head
from pipeline.formula.spec import Family, boolean
from pipeline.formula.terms import Ctx, ZERO


def parallel_block_parts(c: Ctx, qk_norm):
    """Cohere-style decoders: one norm per layer, optional q/k norms (a bool column or False)."""
    V, h, L, H, KV, d, I = std_dims(c)
    ab = c.flag("attention_bias")
    return {
        "embeddings": V * h,
        "attention": L * attn_qkvo(c, h, H, KV, d, ab, ab),
        "mlp": L * gated_mlp(c, h, I),
        "norms": L * (h + c.when(qk_norm, H * d + KV * d)) + h,
        "head": tied_head(c, V, h),
    }


def build(c: Ctx):
    return parallel_block_parts(c, c.flag("use_qk_norm")), ZERO, {}


FAMILY = Family(
    "cohere", "CohereForCausalLM",
    decoder_keys(tie=True, extra={"attention_bias": boolean(False), "use_qk_norm": boolean(False)}),
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="One LayerNorm (weight only) per layer; use_qk_norm adds heads·head_dim + kv_heads·head_dim; tied.",
    build=build,
)
