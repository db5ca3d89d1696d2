"""olmo3: OLMo 3 (Olmo3ForCausalLM): OLMo 2's layout (norms after attention and MLP, q/k norms over
all heads) with sliding-window layers, which add no parameters. Source: transformers
``models/olmo3/modeling_olmo3.py``."""
from __future__ import annotations

from pipeline.formula.common import decoder_keys
from pipeline.formula.models.olmo2 import build
from pipeline.formula.spec import Family, boolean

FAMILY = Family(
    "olmo3", "Olmo3ForCausalLM",
    decoder_keys(extra={"attention_bias": boolean(False)}),
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="As olmo2: post-attention and post-MLP RMSNorms, q_norm (heads·head_dim) and k_norm "
          "(kv_heads·head_dim); layer_types (sliding/full attention) change no shapes.",
    build=build,
)
