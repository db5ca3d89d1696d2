"""stablelm: Stability AI StableLM (StableLmForCausalLM).

q/k/v with biases when ``use_qkv_bias``, o without; optional per-head LayerNorms on queries and keys
(``qk_layernorm``: one bias-free norm of head_dim per head); SwiGLU MLP without biases; LayerNorms
with bias, and no post-attention norm with ``use_parallel_residual``. Source: transformers
``models/stablelm/modeling_stablelm.py``.
"""
from __future__ import annotations

from pipeline.formula.common import attn_qkvo, decoder_keys, gated_mlp, std_dims, tied_head
from pipeline.formula.spec import Family, boolean
from pipeline.formula.terms import Ctx, ZERO


def build(c: Ctx):
    V, h, L, H, KV, _config_head_dim, I = std_dims(c)
    d = c.derived("head_dim", h // H)       # StableLM ignores a head_dim key
    qkv_bias = c.flag("use_qkv_bias")
    per_layer_norms = c.where(c.flag("use_parallel_residual"), 2 * h, 2 * (2 * h))
    qk_norms = c.when(c.flag("qk_layernorm"), H * d + KV * d)
    parts = {
        "embeddings": V * h,
        "attention": L * attn_qkvo(c, h, H, KV, d, qkv_bias, False),
        "mlp": L * gated_mlp(c, h, I),
        "norms": L * (per_layer_norms + qk_norms) + 2 * h,
        "head": tied_head(c, V, h),
    }
    return parts, ZERO, {}


FAMILY = Family(
    "stablelm", "StableLmForCausalLM",
    decoder_keys(kv_default=32, extra={"use_qkv_bias": boolean(False), "qk_layernorm": boolean(False),
                        "use_parallel_residual": boolean(False)}),
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="LayerNorms with bias; qk_layernorm adds heads·head_dim + kv_heads·head_dim norm weights per layer; "
          "use_parallel_residual drops the post-attention LayerNorm; num_key_value_heads defaults to 32.",
    build=build,
)
