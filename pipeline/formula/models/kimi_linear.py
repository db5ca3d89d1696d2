"""kimi_linear: Kimi Linear hybrid decoders (KimiLinearForCausalLM; Kimi-Linear-48B-A3B).

Layers are Kimi Delta Attention (KDA) or multi-head latent attention. Full-attention layers come from
``layer_types``, else from ``linear_attn_config`` (``full_attn_layers``, 1-indexed, minus any also in
``kda_layers``), else every 4th layer after the first (i > 0, i % 4 == 0). MLA as DeepSeek-V2's
(q_lora_rank default null: a plain q_proj). KDA (num_heads × head_dim = qkv width, from
``linear_attn_config`` when it gives them, else linear_num_heads / linear_head_dim): bias-free q/k/v
(hidden → qkv), a depthwise conv1d over 3·qkv channels (short_conv_kernel_size), the forget gate
(f_a: hidden → head_dim, f_b: head_dim → qkv, dt_bias of qkv, A_log per head), b_proj (hidden →
heads), the output gate (g_a, g_b as f_a, f_b), a gated RMSNorm of head_dim and o_proj. Sparse layers
(``mlp_layer_types``, else all but the first ``first_k_dense_replace``, default 1): num_experts experts
of moe_intermediate_size, a bias-free router and shared experts of moe_intermediate_size ×
num_shared_experts; dense layers a SwiGLU of intermediate_size. The output head is never tied
(the class declares no tied weights, whatever ``tie_word_embeddings`` says). The router's
e_score_correction_bias is a buffer (extra.router_bias). Source: transformers ``models/kimi_linear/modeling_kimi_linear.py``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pipeline.formula.common import gated_mlp
from pipeline.formula.models.deepseek_v2 import mla_attention
from pipeline.formula.models.glm4_moe_lite import sparse_layers
from pipeline.formula.spec import Family, Key, boolean, column, required
from pipeline.formula.terms import Ctx, clip0

#: linear_attn_config's names for the KDA widths -> the config class's own keys.
LINEAR_ATTN_KEYS = {"head_dim": "linear_head_dim", "num_heads": "linear_num_heads",
                    "short_conv_kernel_size": "linear_conv_kernel_dim"}


def _full_layers(layer_types: Any, linear_config: Any, num_layers: Any) -> float | int:
    """Full-attention layers of one config, as KimiLinearConfig derives ``layer_types``."""
    if num_layers != num_layers:
        return np.nan
    n = int(num_layers)
    if isinstance(layer_types, (list, tuple)):
        return sum(t == "full_attention" for t in list(layer_types)[:n])
    if isinstance(linear_config, dict) and "full_attn_layers" in linear_config and "kda_layers" in linear_config:
        types: list[Any] = [None] * n
        for layer in linear_config["full_attn_layers"]:
            types[layer - 1] = "full_attention"       # 1-indexed in the checkpoint
        for layer in linear_config["kda_layers"]:
            types[layer - 1] = "linear_attention"
        return sum(t == "full_attention" for t in types)
    return max(n - 1, 0) // 4


def _prepare(df: pd.DataFrame, pos: np.ndarray, raw: dict[str, Any]) -> None:
    linear_config = pd.Series(column(df, "linear_attn_config", pos), dtype=object)
    for nested, key in LINEAR_ATTN_KEYS.items():
        given = linear_config.map(lambda d, nested=nested: d.get(nested) if isinstance(d, dict) else None)
        raw[key] = given.where(given.notna(), pd.Series(raw[key], dtype=object)).to_numpy(dtype=object)
    layers = pd.to_numeric(pd.Series(raw["num_hidden_layers"], dtype=object), errors="coerce")
    raw["_full_attention_layers"] = np.array(
        [_full_layers(t, d, n) for t, d, n in zip(column(df, "layer_types", pos), linear_config, layers)], dtype=object)
    first_dense = pd.to_numeric(pd.Series(column(df, "first_k_dense_replace", pos), dtype=object),
                                errors="coerce").fillna(1)
    raw["_sparse_layers"] = sparse_layers(raw["num_hidden_layers"], first_dense, raw["mlp_layer_types"])


def build(c: Ctx):
    V, h, L, H, I = (c.v("vocab_size"), c.v("hidden_size"), c.v("num_hidden_layers"),
                     c.v("num_attention_heads"), c.v("intermediate_size"))
    E, k, mI, ns = (c.v("num_local_experts"), c.v("num_experts_per_tok"), c.v("moe_intermediate_size"),
                    c.v("n_shared_experts"))
    F = c.v("_full_attention_layers", "full_attention_layers")
    kda_layers = c.derived("kda_layers", L - F)
    M = c.v("_sparse_layers", "sparse_layers")
    dense = c.derived("dense_layers", L - M)
    nh, hd, K = c.v("linear_num_heads"), c.v("linear_head_dim"), c.v("linear_conv_kernel_dim")
    qkv = c.derived("qkv_dim", nh * hd)
    gate = h * hd + hd * qkv
    kda = 3 * (h * qkv) + (3 * qkv) * K + gate + qkv + nh + h * nh + gate + hd + qkv * h
    mla = mla_attention(c, h, H, c.v("q_lora_rank"), c.v("kv_lora_rank"), c.v("qk_nope_head_dim"),
                        c.v("qk_rope_head_dim"), c.v("v_head_dim"), c.flag("attention_bias"))
    expert = 3 * (h * mI)
    parts = {
        "embeddings": V * h,
        "attention": F * mla,
        "mixer": kda_layers * kda,
        "mlp": dense * gated_mlp(c, h, I),
        "experts_routed": M * E * expert,
        "experts_shared": M * gated_mlp(c, h, mI * ns),
        "router": M * (E * h),
        "norms": L * (2 * h) + h,
        "head": V * h,          # KimiLinearForCausalLM ties nothing, whatever tie_word_embeddings says
    }
    idle = c.derived("idle_experts", clip0(E - k))
    return parts, M * idle * expert, {"router_bias": M * E}


FAMILY = Family(
    "kimi_linear", "KimiLinearForCausalLM",
    {
        **{name: required() for name in ("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
                                         "intermediate_size")},
        "moe_intermediate_size": Key(default=1024),
        "num_local_experts": Key(default=256, aliases=("num_experts",)),
        "num_experts_per_tok": Key(default=8, aliases=("num_experts_per_token",)),
        "n_shared_experts": Key(default=1, aliases=("num_shared_experts",)),
        "kv_lora_rank": Key(default=512),
        "q_lora_rank": Key(default=0, null=0),
        "qk_nope_head_dim": Key(default=128),
        "qk_rope_head_dim": Key(default=64),
        "v_head_dim": Key(default=128),
        "attention_bias": boolean(False),
        "linear_head_dim": Key(default=128),
        "linear_num_heads": Key(default=32),
        "linear_conv_kernel_dim": Key(default=4),
        "mlp_layer_types": Key(kind="obj", default=None),
        "_full_attention_layers": Key(),
        "_sparse_layers": Key(),
    },
    ("embeddings", "attention", "mixer", "mlp", "experts_routed", "experts_shared", "router", "norms", "head"),
    notes="Kimi Delta Attention layers under mixer, MLA (q_lora_rank null by default) on the layers layer_types "
          "or linear_attn_config.full_attn_layers name (else every 4th after the first); KDA widths from "
          "linear_attn_config when given; sparse layers after first_k_dense_replace (default 1) or as "
          "mlp_layer_types lists, with shared experts; the output head is never tied; extra.router_bias: e_score_correction_bias buffers.",
    prepare=_prepare,
    build=build,
    extras=("router_bias",),
)
