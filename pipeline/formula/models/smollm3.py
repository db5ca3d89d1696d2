"""smollm3: Hugging Face SmolLM3 (SmolLM3ForCausalLM): the llama layout (NoPE layers hold no
parameters), tied embeddings by default. Source: transformers ``models/smollm3/modeling_smollm3.py``."""
from __future__ import annotations

from pipeline.formula.common import decoder_keys
from pipeline.formula.models.llama import build
from pipeline.formula.spec import Family, boolean

FAMILY = Family(
    "smollm3", "SmolLM3ForCausalLM",
    decoder_keys(kv_default=4, tie=True, extra={"attention_bias": boolean(False), "mlp_bias": boolean(False)}),
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="Llama layout; num_key_value_heads defaults to 4 and the output head is tied by default.",
    build=build,
)
