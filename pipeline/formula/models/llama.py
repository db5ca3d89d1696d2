from __future__ import annotations

from pipeline.formula.terms import Ctx, ZERO
from pipeline.formula.spec import Family, boolean
from pipeline.formula.common import attn_qkvo, decoder_keys, gated_mlp, std_dims, tied_head


def build(c: Ctx):
    V, h, L, H, KV, d, I = std_dims(c)
    ab, mb = c.flag("attention_bias"), c.flag("mlp_bias")
    parts = {
        "embeddings": V * h,
        "attention": L * attn_qkvo(c, h, H, KV, d, ab, ab),
        "mlp": L * gated_mlp(c, h, I, mb),
        "norms": L * (2 * h) + h,
        "head": tied_head(c, V, h),
    }
    return parts, ZERO, {}


FAMILY = Family(
    "llama", "LlamaForCausalLM",
    decoder_keys(extra={"attention_bias": boolean(False), "mlp_bias": boolean(False)}),
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="q/k/v/o of width heads·head_dim and kv_heads·head_dim (head_dim defaults to hidden/heads); "
          "SwiGLU MLP; biases only with attention_bias / mlp_bias.",
    build=build,
)
