"""nemotron: NVIDIA's Nemotron-4 / Minitron decoders (NemotronForCausalLM).

Llama's attention (q/k/v/o of heads·head_dim, head_dim defaults to hidden ÷ heads, biases with
``attention_bias``) but a non-gated squared-ReLU MLP (up_proj and down_proj only, biases with
``mlp_bias``) and LayerNorm1P norms with weight and bias. The head is untied by default.
Source: transformers ``models/nemotron/modeling_nemotron.py``.
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
    decoder_keys(zero_hd=True, extra={"attention_bias": boolean(False), "mlp_bias": boolean(False)}),
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="Squared-ReLU MLP without a gate (up/down only); LayerNorm1P norms with bias (2·hidden each); "
          "untied head by default.",
    build=build,
)
