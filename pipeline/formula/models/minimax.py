"""minimax: MiniMax-Text-01 and MiniMax-M1 hybrid decoders (MiniMaxForCausalLM).

Layer types: ``layer_types`` ("full_attention" / "linear_attention") when given; MiniMax's own
remote-code configs (``model_type: minimax_m1``, MiniMaxM1ForCausalLM) give ``attn_type_list``
instead, 1 for softmax (full) attention and 0 for lightning (linear) attention, the mapping
transformers' conversion of MiniMax-Text-01 uses; with neither, the config class's default
pattern (full attention on even layer indices). Full attention: q/k/v/o without biases, q of
heads·head_dim, k/v of kv_heads·head_dim. Lightning attention: qkv_proj (hidden → 3·heads·head_dim),
output_gate (hidden → heads·head_dim), an RMSNorm of heads·head_dim and out_proj back to hidden,
all bias-free. Every layer is sparse: num_local_experts SwiGLU experts of intermediate_size and a
bias-free router; two RMSNorms per layer. MiniMax-M1's other keys (the residual alpha/beta factors,
``postnorm``, ``rotary_dim``, ``shared_intermediate_size`` 0) do not size any parameter. Source:
transformers ``models/minimax/modeling_minimax.py``; MiniMax-M1's ``modeling_minimax_m1.py`` and
``model.safetensors.index.json`` (MiniMax-AI/MiniMax-M1) name the same tensors.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pipeline.formula.common import attn_qkvo, decoder_keys, std_dims, tied_head
from pipeline.formula.models.mixtral import sparse_every_layer
from pipeline.formula.spec import Family, Key
from pipeline.formula.terms import Ctx

#: attn_type_list codes of MiniMax's remote-code configs.
_FULL_ATTENTION_CODE = 1


def _full_layers(layer_types: Any, attn_types: Any, layers: Any) -> Any:
    """Full-attention layers of one config: from ``layer_types``, else ``attn_type_list``, else the
    class default (every even index, i.e. ceil(layers / 2)); None when the layer count is unusable."""
    if layers != layers or layers is None:
        return None
    n = int(layers)
    if isinstance(layer_types, (list, tuple)):
        return sum(t == "full_attention" for t in list(layer_types)[:n])
    if isinstance(attn_types, (list, tuple)):
        return sum(t == _FULL_ATTENTION_CODE for t in list(attn_types)[:n])
    return (n + 1) // 2


def _prepare(df: pd.DataFrame, pos: np.ndarray, raw: dict[str, Any]) -> None:
    """Count the full-attention layers per row (the rest are lightning-attention layers)."""
    layers = pd.to_numeric(pd.Series(raw["num_hidden_layers"], dtype=object), errors="coerce")
    full = [_full_layers(lt, at, n) for lt, at, n in zip(raw["layer_types"], raw["attn_type_list"], layers)]
    raw["_full_attention_layers"] = np.array(full, dtype=object)


def build(c: Ctx):
    V, h, L, H, KV, d, I = std_dims(c)
    F = c.v("_full_attention_layers", "full_attention_layers")
    Lin = c.derived("lightning_attention_layers", L - F)
    inner = c.derived("attention_width", H * d)
    lightning = h * (3 * inner) + h * inner + inner + inner * h
    sparse, idle = sparse_every_layer(c, h, L, I)
    parts = {
        "embeddings": V * h,
        "attention": F * attn_qkvo(c, h, H, KV, d),
        "mixer": Lin * lightning,
        **sparse,
        "norms": L * (2 * h) + h,
        "head": tied_head(c, V, h),
    }
    return parts, idle, {}


FAMILY = Family(
    "minimax", "MiniMaxForCausalLM",
    decoder_keys(kv_default=8, zero_hd=True, extra={
        "num_local_experts": Key(default=8, aliases=("num_experts",)),
        "num_experts_per_tok": Key(default=2),
        "layer_types": Key(kind="obj", default=None),
        "attn_type_list": Key(kind="obj", default=None),
        "_full_attention_layers": Key(),
    }),
    ("embeddings", "attention", "mixer", "experts_routed", "router", "norms", "head"),
    notes="Lightning-attention layers (qkv_proj, output_gate, an RMSNorm of heads·head_dim, out_proj) under "
          "mixer, softmax attention on the layers layer_types (or MiniMax-M1's attn_type_list, 1 = full) marks; "
          "every layer sparse with num_local_experts SwiGLU experts. model_type minimax_m1 (MiniMax-M1's own "
          "config) is read as this family.",
    prepare=_prepare,
    build=build,
    model_types=("minimax_m1",),
)
