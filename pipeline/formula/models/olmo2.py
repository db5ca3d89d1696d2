from __future__ import annotations

from pipeline.formula.terms import Ctx, ZERO
from pipeline.formula.spec import Family, boolean
from pipeline.formula.common import attn_qkvo, decoder_keys, gated_mlp, std_dims, tied_head


def build(c: Ctx):
    V, h, L, H, KV, d, I = std_dims(c)
    ab = c.flag("attention_bias")
    parts = {
        "embeddings": V * h,
        "attention": L * attn_qkvo(c, h, H, KV, d, ab, ab),
        "mlp": L * gated_mlp(c, h, I),
        "norms": L * (2 * h + H * d + KV * d) + h,
        "head": tied_head(c, V, h),
    }
    return parts, ZERO, {}


FAMILY = Family(
    "olmo2", "Olmo2ForCausalLM",
    decoder_keys(extra={"attention_bias": boolean(False)}),
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="RMSNorm after attention and after the MLP, plus q_norm (heads·head_dim) and k_norm "
          "(kv_heads·head_dim) on the projections, all counted under norms.",
    build=build,
)
