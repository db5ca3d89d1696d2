"""qwen3_next: Qwen3-Next hybrid decoders (Qwen3NextForCausalLM; Qwen3-Next-80B-A3B).

Layer types: ``layer_types`` when given, else every ``full_attention_interval``-th layer (default 4)
is full attention and the others are gated DeltaNet linear attention. Full attention: q_proj of
2·heads·head_dim (queries and their output gate), k/v of kv_heads·head_dim, o_proj, q/k RMSNorms
of head_dim; biases with ``attention_bias``. Linear attention (key_dim = linear_num_key_heads ×
linear_key_head_dim, value_dim = linear_num_value_heads × linear_value_head_dim): in_proj_qkvz
(hidden → 2·key_dim + 2·value_dim), in_proj_ba (hidden → 2·value heads), a bias-free depthwise
conv1d over 2·key_dim + value_dim channels (linear_conv_kernel_dim), dt_bias and A_log per value
head, a gated RMSNorm of linear_value_head_dim and out_proj (value_dim → hidden). MLP: Qwen2-MoE's
sparse layers (``decoder_sparse_step``, ``mlp_only_layers``, num_experts > 0) with num_experts
experts of moe_intermediate_size, a shared expert of shared_expert_intermediate_size and its
sigmoid gate (hidden → 1); other layers a SwiGLU of intermediate_size. Source: transformers
``models/qwen3_next/modeling_qwen3_next.py``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pipeline.formula.common import decoder_keys, gated_mlp, std_dims, tied_head
from pipeline.formula.models.qwen2_moe import sparse_layers_finish
from pipeline.formula.spec import Family, Key, boolean
from pipeline.formula.terms import Ctx, Term, clip0, linear


def full_attention_layers(num_layers: Any, interval: Any, layer_types: Any) -> np.ndarray:
    """Full-attention layers per row (object array): counted in ``layer_types`` (its first
    ``num_layers`` entries) where a row gives the list, else every ``interval``-th layer (interval
    default 4, the Qwen3-Next / Qwen3.5 config classes' pattern). Missing depths give NaN."""
    layers = pd.to_numeric(pd.Series(num_layers, dtype=object), errors="coerce")
    interval = pd.to_numeric(pd.Series(interval, dtype=object), errors="coerce").fillna(4)
    by_interval = (layers // interval.where(interval > 0, 1)).fillna(0)
    types = pd.Series(layer_types, dtype=object)
    counted = [sum(t == "full_attention" for t in list(v)[: int(n)]) if isinstance(v, (list, tuple)) and n == n
               else None for v, n in zip(types, layers)]
    full = pd.Series(counted, dtype=object).where(types.map(lambda v: isinstance(v, (list, tuple))), by_interval)
    return full.to_numpy(dtype=object)


def _prepare(df: pd.DataFrame, pos: np.ndarray, raw: dict[str, Any]) -> None:
    raw["_full_attention_layers"] = full_attention_layers(raw["num_hidden_layers"], raw["full_attention_interval"],
                                                          raw["layer_types"])


def _finish(cols: dict[str, np.ndarray], raw: dict[str, Any]) -> None:
    sparse_layers_finish(cols, raw)
    cols["_sparse_layers"] = np.where(cols["num_experts"] > 0, cols["_sparse_layers"], 0)


def gated_attention(c: Ctx, h: Term, H: Term, KV: Term, d: Term, bias: Any) -> Term:
    """One gated full-attention layer: q_proj of 2·H·d (queries and their output gate), k/v of
    KV·d, o_proj, q/k RMSNorms of d; biases where ``bias``."""
    return linear(c, h, 2 * (H * d), bias) + 2 * linear(c, h, KV * d, bias) + linear(c, H * d, h, bias) + 2 * d


def gated_delta_net(c: Ctx, h: Term, key_dim: Term, value_dim: Term, Hv: Term, dv: Term, K: Term) -> Term:
    """One gated DeltaNet layer: bias-free input projections hidden → 2·key_dim + 2·value_dim
    (q, k, v and the gate z) and hidden → 2·Hv (b and a), a depthwise conv1d over 2·key_dim +
    value_dim channels of kernel K, dt_bias and A_log per value head, a gated RMSNorm of dv and
    out_proj value_dim → hidden."""
    return (h * (2 * key_dim + 2 * value_dim) + h * (2 * Hv) + (2 * key_dim + value_dim) * K + 2 * Hv + dv
            + value_dim * h)


def build(c: Ctx):
    V, h, L, H, KV, d, I = std_dims(c)
    F = c.v("_full_attention_layers", "full_attention_layers")
    Lin = c.derived("linear_attention_layers", L - F)
    S = c.v("_sparse_layers", "sparse_layers")
    dense = c.derived("dense_layers", L - S)
    E, k = c.v("num_experts"), c.v("num_experts_per_tok")
    mI, sI = c.v("moe_intermediate_size"), c.v("shared_expert_intermediate_size")
    Hk, Hv, dk, dv, K = (c.v("linear_num_key_heads"), c.v("linear_num_value_heads"), c.v("linear_key_head_dim"),
                         c.v("linear_value_head_dim"), c.v("linear_conv_kernel_dim"))
    key_dim, value_dim = c.derived("key_dim", Hk * dk), c.derived("value_dim", Hv * dv)
    ab = c.flag("attention_bias")
    full = gated_attention(c, h, H, KV, d, ab)
    delta = gated_delta_net(c, h, key_dim, value_dim, Hv, dv, K)
    expert = 3 * (h * mI)
    parts = {
        "embeddings": V * h,
        "attention": F * full,
        "mixer": Lin * delta,
        "mlp": dense * gated_mlp(c, h, I),
        "experts_routed": S * E * expert,
        "experts_shared": S * (3 * (h * sI) + h),
        "router": S * (E * h),
        "norms": L * (2 * h) + h,
        "head": tied_head(c, V, h),
    }
    idle = c.derived("idle_experts", clip0(E - k))
    return parts, S * idle * expert, {}


FAMILY = Family(
    "qwen3_next", "Qwen3NextForCausalLM",
    decoder_keys(kv_default=2, head_dim_default=256, extra={
        "attention_bias": boolean(False),
        "linear_conv_kernel_dim": Key(default=4),
        "linear_key_head_dim": Key(default=128),
        "linear_value_head_dim": Key(default=128),
        "linear_num_key_heads": Key(default=16),
        "linear_num_value_heads": Key(default=32),
        "decoder_sparse_step": Key(default=1, positive=True),
        "moe_intermediate_size": Key(default=512),
        "shared_expert_intermediate_size": Key(default=512),
        "num_experts_per_tok": Key(default=10),
        "num_experts": Key(default=512),
        "mlp_only_layers": Key(kind="obj", default=None),
        "layer_types": Key(kind="obj", default=None),
        "full_attention_interval": Key(default=4, positive=True),
        "_full_attention_layers": Key(),
    }),
    ("embeddings", "attention", "mixer", "mlp", "experts_routed", "experts_shared", "router", "norms", "head"),
    notes="Gated-DeltaNet linear-attention layers under mixer, gated full attention (q_proj twice as wide, q/k "
          "norms) every full_attention_interval-th layer (or as layer_types lists); sparse layers with a shared "
          "expert and its sigmoid gate (under experts_shared); head_dim defaults to 256, kv heads to 2.",
    prepare=_prepare,
    build=build,
    finish=_finish,
)
