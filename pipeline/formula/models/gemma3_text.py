"""gemma3_text: Gemma 3 text decoders (Gemma3ForCausalLM; the 1B model, and the language model of
the multimodal Gemma 3, whose whole model transformers counts through the fallback).

Gemma 2's four RMSNorms per block plus q_norm/k_norm (head_dim each); head_dim defaults to 256, kv
heads to 4, the output head is tied. Sliding/full layer lists hold no parameters. Source:
transformers ``models/gemma3/modeling_gemma3.py``.
"""
from __future__ import annotations

from pipeline.formula.common import decoder_keys, std_dims
from pipeline.formula.models.gemma import gemma_parts
from pipeline.formula.spec import Family, boolean
from pipeline.formula.terms import Ctx, ZERO


def build(c: Ctx):
    parts = gemma_parts(c, norms_per_block=4)
    _V, _h, L, _H, _KV, d, _I = std_dims(c)
    parts["norms"] = parts["norms"] + L * (2 * d)
    return parts, ZERO, {}


FAMILY = Family(
    "gemma3_text", "Gemma3ForCausalLM",
    decoder_keys(kv_default=4, head_dim_default=256, tie=True, extra={"attention_bias": boolean(False)}),
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="Four RMSNorms per block and q_norm/k_norm of head_dim; head_dim defaults to 256; tied.",
    build=build,
)
