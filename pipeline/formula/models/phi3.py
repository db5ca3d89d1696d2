from __future__ import annotations

from pipeline.formula.terms import Ctx, ZERO
from pipeline.formula.spec import Family
from pipeline.formula.common import decoder_keys, std_dims, tied_head


def build(c: Ctx):
    V, h, L, H, KV, d, I = std_dims(c)
    parts = {
        "embeddings": V * h,
        "attention": L * (h * ((H + 2 * KV) * d) + (H * d) * h),
        "mlp": L * (h * (2 * I) + I * h),
        "norms": L * (2 * h) + h,
        "head": tied_head(c, V, h),
    }
    return parts, ZERO, {}


FAMILY = Family(
    "phi3", "Phi3ForCausalLM",
    decoder_keys(),
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="Fused qkv_proj and gate_up_proj, no biases.",
    build=build,
)
