"""qwen3_5: Qwen3.5 dense vision-language models (Qwen3_5ForConditionalGeneration; Qwen3.5-9B, -27B).

Language model (``text_config``, Qwen3_5TextConfig's defaults): Qwen3-Next's hybrid layers without
experts. ``layer_types`` when given, else every ``full_attention_interval``-th layer (default 4), is
gated full attention (q_proj of 2·heads·head_dim, k/v of kv_heads·head_dim, o_proj, q/k RMSNorms of
head_dim; biases with ``attention_bias``); the others are gated DeltaNet linear attention
(in_proj_qkv/z/b/a, a depthwise conv1d, dt_bias, A_log, a gated RMSNorm, out_proj). Every layer has a
SwiGLU of intermediate_size and two RMSNorms; a final RMSNorm; the output head is untied unless the
top-level ``tie_word_embeddings`` says so. Vision encoder (``vision_config``, Qwen3_5VisionConfig's
defaults): a Conv3d patch embedding with bias (in_channels × hidden × temporal_patch_size ×
patch_size²), a learned position table of num_position_embeddings rows, ``depth`` pre-LN blocks
(packed qkv and proj with biases, fc1/fc2 with biases, two LayerNorms) and the patch merger (a
LayerNorm of hidden, fc1 of hidden·m² → hidden·m², fc2 → out_hidden_size, both with bias;
m = spatial_merge_size), which transformers keeps inside the vision tower. Components:
language_model (with the output head) and vision_encoder. Qwen3_5Model (the bare trunk) has no
output head. Source: transformers ``models/qwen3_5/modeling_qwen3_5.py``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pipeline.formula.common import COMPOSITE_HEADS, flatten_nested, gated_mlp, generation_head
from pipeline.formula.models.clip import combine_towers
from pipeline.formula.models.qwen3_next import full_attention_layers, gated_attention, gated_delta_net
from pipeline.formula.spec import Family, Key, boolean, column
from pipeline.formula.terms import Ctx, Term, ZERO, linear

#: Qwen3_5TextConfig's defaults for the keys the formula reads (the 9B model's widths).
TEXT_DEFAULTS: dict[str, Any] = {"vocab_size": 248320, "hidden_size": 4096, "num_hidden_layers": 32,
                                 "num_attention_heads": 16, "num_key_value_heads": 4, "head_dim": 256,
                                 "intermediate_size": 12288, "linear_conv_kernel_dim": 4, "linear_key_head_dim": 128,
                                 "linear_value_head_dim": 128, "linear_num_key_heads": 16,
                                 "linear_num_value_heads": 32}
#: Qwen3_5VisionConfig's defaults (Qwen3_5MoeVisionConfig has the same).
VISION_DEFAULTS: dict[str, Any] = {"depth": 27, "hidden_size": 1152, "intermediate_size": 4304, "in_channels": 3,
                                   "patch_size": 16, "temporal_patch_size": 2, "spatial_merge_size": 2,
                                   "out_hidden_size": 3584, "num_position_embeddings": 2304}
TEXT = "text_config."
VISION = "vision_config."


def composite_keys(text_defaults: dict[str, Any]) -> dict[str, Key]:
    """The keys of a Qwen3.5 composite: nested text keys (``text_defaults``), nested vision keys,
    the layer-type count and the top-level tying flag."""
    keys = {TEXT + name: Key(default=default) for name, default in text_defaults.items()}
    keys[TEXT + "attention_bias"] = Key(kind="bool", default=False)
    keys["_full_attention_layers"] = Key()
    keys.update({VISION + name: Key(default=default) for name, default in VISION_DEFAULTS.items()})
    keys["tie_word_embeddings"] = boolean(False)
    return keys


def composite_prepare(text_defaults: dict[str, Any]):
    """A ``prepare`` hook: the nested keys of ``text_config``/``vision_config`` as columns (None where
    absent, so the sub-config class default applies) and the full-attention layers per row."""
    def prepare(df: pd.DataFrame, pos: np.ndarray, raw: dict[str, Any]) -> None:
        raw["text_config"] = column(df, "text_config", pos)
        raw["vision_config"] = column(df, "vision_config", pos)
        flatten_nested(raw, "text_config", list(text_defaults) + ["attention_bias", "layer_types",
                                                                  "full_attention_interval"])
        flatten_nested(raw, "vision_config", VISION_DEFAULTS)
        layers = pd.Series(raw[TEXT + "num_hidden_layers"], dtype=object)
        layers = layers.where(layers.notna(), text_defaults["num_hidden_layers"])
        raw["_full_attention_layers"] = full_attention_layers(layers, raw[TEXT + "full_attention_interval"],
                                                              raw[TEXT + "layer_types"])
    return prepare


def vision_tower(c: Ctx) -> dict[str, Term]:
    """Parts of the Qwen3.5 vision encoder (patch merger included, under ``projection``)."""
    D, h, I, C, p, T, m, out, P = (c.v(VISION + k) for k in VISION_DEFAULTS)
    merged = c.derived("merged_width", h * (m * m))
    return {
        "patch_embedding": C * h * T * p * p + h,
        "position": P * h,
        "attention": D * (linear(c, h, 3 * h) + linear(c, h, h)),
        "mlp": D * (linear(c, h, I) + linear(c, I, h)),
        "norms": D * (2 * (2 * h)),
        "projection": 2 * h + linear(c, merged, merged) + linear(c, merged, out),
    }


def text_layers(c: Ctx) -> tuple[Term, Term, dict[str, Term]]:
    """(hidden, layers, parts) of the hybrid language model's attention/mixer/norm/embedding parts
    (the feed-forward parts are the caller's)."""
    V, h, L, H, KV, d = (c.v(TEXT + k) for k in ("vocab_size", "hidden_size", "num_hidden_layers",
                                                  "num_attention_heads", "num_key_value_heads", "head_dim"))
    Hk, Hv, dk, dv, K = (c.v(TEXT + k) for k in ("linear_num_key_heads", "linear_num_value_heads",
                                                  "linear_key_head_dim", "linear_value_head_dim",
                                                  "linear_conv_kernel_dim"))
    F = c.v("_full_attention_layers", "full_attention_layers")
    Lin = c.derived("linear_attention_layers", L - F)
    key_dim, value_dim = c.derived("key_dim", Hk * dk), c.derived("value_dim", Hv * dv)
    parts = {
        "embeddings": V * h,
        "attention": F * gated_attention(c, h, H, KV, d, c.flag(TEXT + "attention_bias")),
        "mixer": Lin * gated_delta_net(c, h, key_dim, value_dim, Hv, dv, K),
        "norms": L * (2 * h) + h,
        "head": generation_head(c, V, h),
    }
    return h, L, parts


def combine(c: Ctx, language: dict[str, Term], vision: dict[str, Term]) -> dict[str, Term]:
    """The model's parts (language and vision summed part by part), recording the two components."""
    return combine_towers(c, {"language_model": language, "vision_encoder": vision})


def build(c: Ctx):
    h, L, language = text_layers(c)
    language["mlp"] = L * gated_mlp(c, h, c.v(TEXT + "intermediate_size"))
    return combine(c, language, vision_tower(c)), ZERO, {}


FAMILY = Family(
    "qwen3_5", "Qwen3_5ForConditionalGeneration",
    composite_keys(TEXT_DEFAULTS),
    ("embeddings", "position", "patch_embedding", "projection", "attention", "mixer", "mlp", "norms", "head"),
    notes="Language model: gated-DeltaNet linear-attention layers (mixer) and gated full attention every "
          "full_attention_interval-th layer (or as text_config.layer_types lists), a SwiGLU in every layer; "
          "vision encoder with a Conv3d patch embedding, a learned position table and the patch merger "
          "(projection); keys of text_config / vision_config default to Qwen3_5TextConfig / "
          "Qwen3_5VisionConfig; the output head follows the top-level tie_word_embeddings.",
    prepare=composite_prepare(TEXT_DEFAULTS),
    build=build,
    **COMPOSITE_HEADS,
)
