from __future__ import annotations

from pipeline.formula.terms import Ctx, ZERO
from pipeline.formula.spec import Family
from pipeline.formula.common import attn_qkvo, decoder_keys, gated_mlp, std_dims, tied_head


def build(c: Ctx):
    V, h, L, H, KV, d, I = std_dims(c)
    parts = {
        "embeddings": V * h,
        "attention": L * attn_qkvo(c, h, H, KV, d, True, False),
        "mlp": L * gated_mlp(c, h, I),
        "norms": L * (2 * h) + h,
        "head": tied_head(c, V, h),
    }
    return parts, ZERO, {}


FAMILY = Family(
    "qwen2", "Qwen2ForCausalLM",
    decoder_keys(kv_default=32),
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="q/k/v projections always carry biases, o_proj none. num_key_value_heads defaults to 32 (Qwen2Config).",
    build=build,
)
