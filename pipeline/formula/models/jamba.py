"""jamba: AI21's Jamba hybrid (JambaForCausalLM): Mamba and attention layers, dense and MoE MLPs.

Layer i is attention when i % attn_layer_period == attn_layer_offset, else a Mamba mixer; its MLP
is a mixture of num_experts experts when i % expert_layer_period == expert_layer_offset and
num_experts > 1, else one gated MLP. Mamba mixer: in_proj (hidden → 2·I, bias with
``mamba_proj_bias``), depthwise conv1d (I × mamba_d_conv, bias with ``mamba_conv_bias``), x_proj
(I → dt_rank + 2·d_state), dt_proj (dt_rank → I, with bias), A_log (I × d_state), D (I), out_proj
(I → hidden), and RMSNorms on Δ (dt_rank), B and C (d_state); I = mamba_expand × hidden and
mamba_dt_rank "auto" = ⌈hidden ÷ 16⌉. Attention: bias-free q/k/v/o with head_dim = hidden ÷ heads.
Experts: fused gate_up and down (gated, intermediate_size) and a bias-free router. Two RMSNorms per
layer plus the final one; the head is untied by default. Source: transformers
``models/jamba/modeling_jamba.py``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pipeline.formula.common import attn_qkvo, gated_mlp, tied_head
from pipeline.formula.spec import Family, Key, boolean, required
from pipeline.formula.terms import Ctx, Term, clip0, linear


def periodic_layers(L: np.ndarray, period: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """How many i in [0, L) have i % period == offset (0 when offset ≥ period)."""
    return np.where((offset < period) & (offset < L), (L - 1 - offset) // period + 1, 0)


def _prepare(df: pd.DataFrame, pos: np.ndarray, raw: dict[str, Any]) -> None:
    """``mamba_dt_rank: "auto"`` is the class default (⌈hidden ÷ 16⌉): read it as absent."""
    ranks = pd.Series(raw["mamba_dt_rank"], dtype=object)
    raw["mamba_dt_rank"] = ranks.where(~ranks.eq("auto"), None).to_numpy(dtype=object)


def _finish(cols: dict[str, np.ndarray], raw: dict[str, Any]) -> None:
    L = cols["num_hidden_layers"]
    cols["_attention_layers"] = periodic_layers(L, cols["attn_layer_period"], cols["attn_layer_offset"])
    moe = periodic_layers(L, cols["expert_layer_period"], cols["expert_layer_offset"])
    cols["_moe_layers"] = np.where(cols["num_experts"] > 1, moe, 0)


def build(c: Ctx):
    V, h, L, H, KV, I = (c.v("vocab_size"), c.v("hidden_size"), c.v("num_hidden_layers"),
                         c.v("num_attention_heads"), c.v("num_key_value_heads"), c.v("intermediate_size"))
    A, S = c.v("_attention_layers", "attention_layers"), c.v("_moe_layers", "moe_layers")
    M, D = c.derived("mamba_layers", L - A), c.derived("dense_mlp_layers", L - S)
    E, k = c.v("num_experts"), c.v("num_experts_per_tok")
    N, K, R = c.v("mamba_d_state"), c.v("mamba_d_conv"), c.v("mamba_dt_rank")
    Im = c.derived("mamba_intermediate", c.v("mamba_expand") * h)
    d = c.derived("head_dim", h // H)
    proj_bias, conv_bias = c.flag("mamba_proj_bias"), c.flag("mamba_conv_bias")
    mixer = (linear(c, h, 2 * Im, proj_bias) + Im * K + c.when(conv_bias, Im) + Im * (R + 2 * N)
             + linear(c, R, Im) + Im * N + Im + linear(c, Im, h, proj_bias) + R + 2 * N)
    expert = 3 * (h * I)
    parts = {
        "embeddings": V * h,
        "attention": A * attn_qkvo(c, h, H, KV, d),
        "mixer": M * mixer,
        "mlp": D * gated_mlp(c, h, I),
        "experts_routed": S * E * expert,
        "router": S * (E * h),
        "norms": L * (2 * h) + h,
        "head": tied_head(c, V, h),
    }
    idle = c.derived("idle_experts", clip0(E - k))
    return parts, S * idle * expert, {}


FAMILY = Family(
    "jamba", "JambaForCausalLM",
    {
        "vocab_size": required(),
        "hidden_size": required(),
        "num_hidden_layers": required(),
        "num_attention_heads": required(positive=True),
        "intermediate_size": required(),
        "num_key_value_heads": Key(default=8),
        "num_experts": Key(default=16),
        "num_experts_per_tok": Key(default=2),
        "expert_layer_period": Key(default=2, positive=True),
        "expert_layer_offset": Key(default=1),
        "attn_layer_period": Key(default=8, positive=True),
        "attn_layer_offset": Key(default=4),
        "mamba_d_state": Key(default=16),
        "mamba_d_conv": Key(default=4),
        "mamba_expand": Key(default=2),
        "mamba_dt_rank": Key(default=lambda cols: -(-cols["hidden_size"] // 16)),
        "mamba_conv_bias": boolean(True),
        "mamba_proj_bias": boolean(False),
        "tie_word_embeddings": boolean(False),
    },
    ("embeddings", "attention", "mixer", "mlp", "experts_routed", "router", "norms", "head"),
    notes="Attention layers where i % attn_layer_period == attn_layer_offset, Mamba mixers elsewhere (with "
          "RMSNorms on Δ, B, C); MoE MLPs where i % expert_layer_period == expert_layer_offset (num_experts > 1), "
          "gated MLPs elsewhere; untied head by default.",
    prepare=_prepare,
    build=build,
    finish=_finish,
)
