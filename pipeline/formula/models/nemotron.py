"""nemotron: NVIDIA Nemotron-4 / Minitron (NemotronForCausalLM).

q/k/v/o with biases when ``attention_bias``; a two-matrix MLP (up, down; squared ReLU) with biases
when ``mlp_bias``; LayerNorms (1p) with bias. Source: transformers
``models/nemotron/modeling_nemotron.py``.
"""
from __future__ import annotations

from pipeline.formula.common import decoder_keys
from pipeline.formula.models.starcoder2 import plain_mlp_parts
from pipeline.formula.spec import Family, boolean
from pipeline.formula.terms import Ctx, ZERO


def build(c: Ctx):
    return plain_mlp_parts(c, c.flag("attention_bias"), c.flag("mlp_bias")), ZERO, {}


FAMILY = Family(
    "nemotron", "NemotronForCausalLM",
    decoder_keys(extra={"attention_bias": boolean(False), "mlp_bias": boolean(False)}),
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="Non-gated MLP (up, down); LayerNorms with bias; biases with attention_bias / mlp_bias.",
    build=build,
)
