"""starcoder2: BigCode StarCoder2 (Starcoder2ForCausalLM).

q/k/v/o and a two-matrix MLP (c_fc, c_proj; not gated), all with biases when ``use_bias`` (default
true); LayerNorms with bias. Tied embeddings by default. Source: transformers
``models/starcoder2/modeling_starcoder2.py``.
"""
from __future__ import annotations

from pipeline.formula.common import attn_qkvo, decoder_keys, std_dims, tied_head
from pipeline.formula.spec import Family, boolean
from pipeline.formula.terms import Ctx, ZERO, linear


def build(c: Ctx):
    V, h, L, H, KV, d, I = std_dims(c)
    bias = c.flag("use_bias")
    parts = {
        "embeddings": V * h,
        "attention": L * attn_qkvo(c, h, H, KV, d, bias, bias),
        "mlp": L * (linear(c, h, I, bias) + linear(c, I, h, bias)),
        "norms": L * (2 * (2 * h)) + 2 * h,
        "head": tied_head(c, V, h),
    }
    return parts, ZERO, {}


FAMILY = Family(
    "starcoder2", "Starcoder2ForCausalLM",
    decoder_keys(kv_default=2, tie=True, extra={"use_bias": boolean(True)}),
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="Non-gated MLP (c_fc, c_proj); biases everywhere with use_bias; LayerNorms with bias; kv heads "
          "default to 2; tied by default.",
    build=build,
)
