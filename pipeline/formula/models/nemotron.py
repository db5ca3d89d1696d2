"""nemotron: NVIDIA Nemotron-4 / Minitron (NemotronForCausalLM).

q/k/v/o with biases when ``attention_bias``; a two-matrix MLP (up, down; squared ReLU) with biases
when ``mlp_bias``; LayerNorms (1p) with bias. Source: transformers
``models/nemotron/modeling_nemotron.py``.
"""
from __future__ import annotations

from pipeline.formula.common import attn_qkvo, decoder_keys, std_dims, tied_head
from pipeline.formula.spec import Family, boolean
from pipeline.formula.terms import Ctx, ZERO, linear


def build(c: Ctx):
    V, h, L, H, KV, d, I = std_dims(c)
    ab, mb = c.flag("attention_bias"), c.flag("mlp_bias")
    parts = {
        "embeddings": V * h,
        "attention": L * attn_qkvo(c, h, H, KV, d, ab, ab),
        "mlp": L * (linear(c, h, I, mb) + linear(c, I, h, mb)),
        "norms": L * (2 * (2 * h)) + 2 * h,
        "head": tied_head(c, V, h),
    }
    return parts, ZERO, {}


FAMILY = Family(
    "nemotron", "NemotronForCausalLM",
    decoder_keys(extra={"attention_bias": boolean(False), "mlp_bias": boolean(False)}),
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="Non-gated MLP (up, down); LayerNorms with bias; biases with attention_bias / mlp_bias.",
    build=build,
)
