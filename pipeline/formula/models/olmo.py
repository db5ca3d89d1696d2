from __future__ import annotations

import numpy as np

from pipeline.formula.terms import Ctx, INT64, Term, ZERO
from pipeline.formula.spec import Family, boolean
from pipeline.formula.common import attn_qkvo, decoder_keys, gated_mlp, std_dims, tied_head


def build(c: Ctx):
    V, h, L, H, KV, d, I = std_dims(c)
    ab = c.flag("attention_bias")
    parts = {
        "embeddings": V * h,
        "attention": L * attn_qkvo(c, h, H, KV, d, ab, ab),
        "mlp": L * gated_mlp(c, h, I),
        "norms": Term(np.zeros(c.n, INT64), "0 (non-parametric LayerNorm)", "0", 3) if c.explain
        else Term(0),
        "head": tied_head(c, V, h),
    }
    return parts, ZERO, {}


FAMILY = Family(
    "olmo", "OlmoForCausalLM",
    decoder_keys(extra={"attention_bias": boolean(False)}),
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="OLMo v1 LayerNorms have neither weight nor bias: norms count 0.",
    build=build,
)
