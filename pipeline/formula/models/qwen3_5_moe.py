"""qwen3_5_moe: Qwen3.5 mixture-of-experts vision-language models (Qwen3_5MoeForConditionalGeneration;
Qwen3.5-35B-A3B, -397B-A17B).

As :mod:`qwen3_5` (the same hybrid attention, vision encoder, merger, components and heads), but every
layer's feed-forward is sparse: num_experts experts of moe_intermediate_size (gate_up and down stored
as 3-D tensors), a bias-free router (num_experts × hidden), a SwiGLU shared expert of
shared_expert_intermediate_size and its sigmoid gate (hidden → 1, under experts_shared). A token visits
num_experts_per_tok experts. Keys of ``text_config`` default to Qwen3_5MoeTextConfig's (the 35B-A3B
model's widths). Source: transformers ``models/qwen3_5_moe/modeling_qwen3_5_moe.py``.
"""
from __future__ import annotations

from typing import Any

from pipeline.formula.common import COMPOSITE_HEADS
from pipeline.formula.models.qwen3_5 import TEXT, combine, composite_keys, composite_prepare, text_layers, vision_tower
from pipeline.formula.spec import Family
from pipeline.formula.terms import Ctx, clip0

#: Qwen3_5MoeTextConfig's defaults for the keys the formula reads.
TEXT_DEFAULTS: dict[str, Any] = {"vocab_size": 248320, "hidden_size": 2048, "num_hidden_layers": 40,
                                 "num_attention_heads": 16, "num_key_value_heads": 2, "head_dim": 256,
                                 "linear_conv_kernel_dim": 4, "linear_key_head_dim": 128,
                                 "linear_value_head_dim": 128, "linear_num_key_heads": 16,
                                 "linear_num_value_heads": 32, "moe_intermediate_size": 512,
                                 "shared_expert_intermediate_size": 512, "num_experts_per_tok": 8,
                                 "num_experts": 256}


def build(c: Ctx):
    h, L, language = text_layers(c)
    E, k = c.v(TEXT + "num_experts"), c.v(TEXT + "num_experts_per_tok")
    mI, sI = c.v(TEXT + "moe_intermediate_size"), c.v(TEXT + "shared_expert_intermediate_size")
    expert = 3 * (h * mI)
    language["experts_routed"] = L * E * expert
    language["experts_shared"] = L * (3 * (h * sI) + h)
    language["router"] = L * (E * h)
    idle = c.derived("idle_experts", clip0(E - k))
    return combine(c, language, vision_tower(c)), L * idle * expert, {}


FAMILY = Family(
    "qwen3_5_moe", "Qwen3_5MoeForConditionalGeneration",
    composite_keys(TEXT_DEFAULTS),
    ("embeddings", "position", "patch_embedding", "projection", "attention", "mixer", "mlp", "experts_routed",
     "experts_shared", "router", "norms", "head"),
    notes="As qwen3_5, with every layer sparse: num_experts experts of moe_intermediate_size, a bias-free "
          "router, a shared expert of shared_expert_intermediate_size and its sigmoid gate (under "
          "experts_shared); keys of text_config default to Qwen3_5MoeTextConfig.",
    prepare=composite_prepare(TEXT_DEFAULTS),
    build=build,
    **COMPOSITE_HEADS,
)
