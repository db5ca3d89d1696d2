"""ministral3: Ministral 3 / Devstral 2 text decoders (Ministral3ForCausalLM; the language model of
the Mistral 3 vision-language models).

Mistral's llama layout (bias-free q/k/v/o of heads·head_dim and kv_heads·head_dim, a bias-free SwiGLU,
two RMSNorms per layer and a final one); head_dim defaults to 128, and a null or 0 head_dim means
hidden/heads (the modeling code's ``getattr(config, "head_dim", None) or hidden // heads``); kv heads
default to 8. Source: transformers ``models/ministral3/modeling_ministral3.py``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from pipeline.formula.common import decoder_keys
from pipeline.formula.models.mistral import build
from pipeline.formula.spec import Family


def head_dim_or_width(head_dim: np.ndarray, hidden: np.ndarray, heads: np.ndarray) -> np.ndarray:
    """``head_dim or hidden // heads`` per row: a 0 head width means hidden/heads."""
    return np.where(head_dim == 0, hidden // np.maximum(heads, 1), head_dim)


def _finish(cols: dict[str, np.ndarray], raw: dict[str, Any]) -> None:
    cols["head_dim"] = head_dim_or_width(cols["head_dim"], cols["hidden_size"], cols["num_attention_heads"])


FAMILY = Family(
    "ministral3", "Ministral3ForCausalLM",
    decoder_keys(kv_default=8, head_dim_default=128),
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="Mistral's layout; head_dim defaults to 128 (null or 0: hidden/heads), kv heads to 8.",
    build=build,
    finish=_finish,
)
