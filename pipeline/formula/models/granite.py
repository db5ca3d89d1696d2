"""granite: IBM Granite 3 dense decoders (GraniteForCausalLM): the llama layout (its scaling
multipliers hold no parameters). Source: transformers ``models/granite/modeling_granite.py``."""
from __future__ import annotations

from pipeline.formula.common import decoder_keys
from pipeline.formula.models.llama import build
from pipeline.formula.spec import Family, boolean

FAMILY = Family(
    "granite", "GraniteForCausalLM",
    decoder_keys(extra={"attention_bias": boolean(False), "mlp_bias": boolean(False)}),
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="Llama layout; embedding/residual/attention/logits multipliers are scalars, not parameters.",
    build=build,
)
