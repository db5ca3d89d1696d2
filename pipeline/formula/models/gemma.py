from __future__ import annotations

from pipeline.formula.terms import Ctx, ZERO
from pipeline.formula.spec import Family, boolean
from pipeline.formula.common import attn_qkvo, decoder_keys, gated_mlp, std_dims, tied_head


def gemma_parts(c: Ctx, norms_per_block: int) -> dict:
    """Gemma and Gemma 2 differ only in RMSNorms per block (two against four)."""
    V, h, L, H, KV, d, I = std_dims(c)
    ab = c.flag("attention_bias")
    return {
        "embeddings": V * h,
        "attention": L * attn_qkvo(c, h, H, KV, d, ab, ab),
        "mlp": L * gated_mlp(c, h, I),
        "norms": L * (norms_per_block * h) + h,
        "head": tied_head(c, V, h),
    }


def build(c: Ctx):
    return gemma_parts(c, norms_per_block=2), ZERO, {}


FAMILY = Family(
    "gemma", "GemmaForCausalLM",
    decoder_keys(kv_default=16, head_dim_default=256, tie=True, extra={"attention_bias": boolean(False)}),
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="head_dim defaults to 256 whatever hidden/heads is; embeddings tied by default.",
    build=build,
)
