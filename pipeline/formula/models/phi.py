"""phi: Microsoft Phi-1, Phi-1.5 and Phi-2 (PhiForCausalLM).

Parallel block with one LayerNorm (with bias); q/k/v and dense with biases; per-head LayerNorms on
q and k (head_dim, with bias) when ``qk_layernorm``; a two-matrix MLP (fc1, fc2) with biases; an
output head with a bias. Source: transformers ``models/phi/modeling_phi.py``.
"""
from __future__ import annotations

from pipeline.formula.common import attn_qkvo, decoder_keys, std_dims, tied_head
from pipeline.formula.spec import Family, boolean
from pipeline.formula.terms import Ctx, ZERO, linear


def build(c: Ctx):
    V, h, L, H, KV, d, I = std_dims(c)
    parts = {
        "embeddings": V * h,
        "attention": L * attn_qkvo(c, h, H, KV, d, True, True),
        "mlp": L * (linear(c, h, I) + linear(c, I, h)),
        # the q/k LayerNorms span hidden ÷ heads even where head_dim differs
        "norms": L * (2 * h + c.when(c.flag("qk_layernorm"), 2 * (2 * (h // H)))) + 2 * h,
        "head": tied_head(c, V, h) + V,
    }
    return parts, ZERO, {}


FAMILY = Family(
    "phi", "PhiForCausalLM",
    decoder_keys(extra={"qk_layernorm": boolean(False)}),
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="One LayerNorm per (parallel) block; biases on every projection; qk_layernorm adds two "
          "head_dim LayerNorms per layer; the output head carries a vocab_size bias.",
    build=build,
)
