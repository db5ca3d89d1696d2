from __future__ import annotations

from pipeline.formula.terms import Ctx, ZERO
from pipeline.formula.spec import Family
from pipeline.formula.common import attn_qkvo, decoder_keys, gated_mlp, std_dims, tied_head


def build(c: Ctx):
    V, h, L, H, KV, d, I = std_dims(c)
    parts = {
        "embeddings": V * h,
        "attention": L * attn_qkvo(c, h, H, KV, d),
        "mlp": L * gated_mlp(c, h, I),
        "norms": L * (2 * h) + h,
        "head": tied_head(c, V, h),
    }
    return parts, ZERO, {}


FAMILY = Family(
    "mistral", "MistralForCausalLM",
    decoder_keys(kv_default=8, zero_hd=True),
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="num_key_value_heads defaults to 8 (MistralConfig); head_dim may differ from hidden/heads (Mistral-Nemo).",
    build=build,
)
