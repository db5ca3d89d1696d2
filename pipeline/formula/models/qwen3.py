"""qwen3: Qwen3 dense decoders (Qwen3ForCausalLM).

Llama layout plus per-head RMSNorms on queries and keys (``q_norm``/``k_norm``, head_dim each).
``head_dim`` defaults to 128 whatever hidden/heads is; an explicit null means hidden/heads.
Source: transformers ``models/qwen3/modeling_qwen3.py``.
"""
from __future__ import annotations

from pipeline.formula.common import attn_qkvo, decoder_keys, gated_mlp, head_dim_default, std_dims, tied_head
from pipeline.formula.spec import Family, Key, boolean
from pipeline.formula.terms import Ctx, ZERO


def qk_norm_decoder(c: Ctx, qk_norm_width, biases: bool = True):
    """Parts of a llama-style decoder whose attention normalizes q and k (widths ``qk_norm_width(h, H, KV, d)``);
    q/k/v/o biases follow ``attention_bias`` when ``biases``, else there are none."""
    V, h, L, H, KV, d, I = std_dims(c)
    ab = c.flag("attention_bias") if biases else False
    q_width, k_width = qk_norm_width(h, H, KV, d)
    return {
        "embeddings": V * h,
        "attention": L * attn_qkvo(c, h, H, KV, d, ab, ab),
        "mlp": L * gated_mlp(c, h, I),
        "norms": L * (2 * h + q_width + k_width) + h,
        "head": tied_head(c, V, h),
    }


def build(c: Ctx):
    return qk_norm_decoder(c, lambda h, H, KV, d: (d, d)), ZERO, {}


def _keys():
    keys = decoder_keys(kv_default=32, head_dim_default=128, extra={"attention_bias": boolean(False)})
    keys["head_dim"] = Key(default=128, null=head_dim_default)
    return keys


FAMILY = Family(
    "qwen3", "Qwen3ForCausalLM",
    _keys(),
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="q_norm and k_norm (head_dim each) per layer, counted under norms; head_dim defaults to 128, "
          "num_key_value_heads to 32; biases on q/k/v/o only with attention_bias.",
    build=build,
)
