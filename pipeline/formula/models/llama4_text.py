"""llama4_text: Llama 4 text decoders (Llama4ForCausalLM; the language model of Llama 4 Scout and
Maverick, whose multimodal whole transformers counts through the fallback).

MoE layers are ``moe_layers`` when given, else every ``interleave_moe_layer_step``-th layer
(indices step−1, 2·step−1, ...). A MoE layer holds num_local_experts SwiGLU experts of
intermediate_size, a bias-free router and one shared expert of intermediate_size; a dense layer a
SwiGLU MLP of intermediate_size_mlp. The q/k norm is an L2 norm without weights. Source:
transformers ``models/llama4/modeling_llama4.py``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.formula.common import attn_qkvo, decoder_keys, gated_mlp, std_dims, tied_head
from pipeline.formula.spec import Family, Key, boolean
from pipeline.formula.terms import INT64, Ctx, clip0


def _moe_layers_finish(cols: dict[str, np.ndarray], raw: dict) -> None:
    layers, step = cols["num_hidden_layers"], cols["interleave_moe_layer_step"]
    count = (layers // step).astype(INT64)
    listed = np.asarray(raw["moe_layers"], dtype=object)
    # an explicit moe_layers list (rare) is read row by row
    for i in np.flatnonzero(~np.asarray(pd.isna(listed), bool)):
        if isinstance(listed[i], (list, tuple)):
            count[i] = len({int(j) for j in listed[i] if 0 <= int(j) < layers[i]})
    cols["_moe_layers"] = count


def build(c: Ctx):
    V, h, L, H, KV, d, I = std_dims(c)
    E, k, dense_width = c.v("num_local_experts"), c.v("num_experts_per_tok"), c.v("intermediate_size_mlp")
    M = c.v("_moe_layers", "moe_layers")
    dense = c.derived("dense_layers", L - M)
    ab = c.flag("attention_bias")
    expert = 3 * (h * I)
    parts = {
        "embeddings": V * h,
        "attention": L * attn_qkvo(c, h, H, KV, d, ab, ab),
        "mlp": dense * gated_mlp(c, h, dense_width),
        "experts_routed": M * E * expert,
        "experts_shared": M * gated_mlp(c, h, I),
        "router": M * (E * h),
        "norms": L * (2 * h) + h,
        "head": tied_head(c, V, h),
    }
    idle = c.derived("idle_experts", clip0(E - k))
    return parts, M * idle * expert, {}


FAMILY = Family(
    "llama4_text", "Llama4ForCausalLM",
    decoder_keys(kv_default=8, head_dim_default=128, extra={
        "attention_bias": boolean(False),
        "intermediate_size_mlp": Key(default=16384),
        "num_local_experts": Key(default=16),
        "num_experts_per_tok": Key(default=1),
        "interleave_moe_layer_step": Key(default=1, positive=True),
        "moe_layers": Key(kind="obj", default=None),
    }),
    ("embeddings", "attention", "mlp", "experts_routed", "experts_shared", "router", "norms", "head"),
    notes="MoE layers from moe_layers or interleave_moe_layer_step; each with a shared expert; dense layers "
          "use intermediate_size_mlp.",
    build=build,
    finish=_moe_layers_finish,
)
