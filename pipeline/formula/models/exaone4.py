"""exaone4: LG EXAONE 4.0 (Exaone4ForCausalLM).

Llama projections; norms after attention and after the MLP (no input norm) and q_norm/k_norm of
head_dim. kv heads default to 32. Source: transformers ``models/exaone4/modeling_exaone4.py``.
"""
from __future__ import annotations

from pipeline.formula.common import decoder_keys
from pipeline.formula.models.qwen3 import qk_norm_decoder
from pipeline.formula.spec import Family
from pipeline.formula.terms import Ctx, ZERO


def build(c: Ctx):
    # the same tensors as Qwen3: two RMSNorms per block (post-attention, post-feed-forward), q/k norms
    return qk_norm_decoder(c, lambda h, H, KV, d: (d, d), biases=False), ZERO, {}


FAMILY = Family(
    "exaone4", "Exaone4ForCausalLM",
    decoder_keys(kv_default=32),
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="Post-attention and post-feed-forward RMSNorms and q_norm/k_norm of head_dim; no biases.",
    build=build,
)
