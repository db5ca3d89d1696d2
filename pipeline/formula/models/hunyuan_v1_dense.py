"""hunyuan_v1_dense: Tencent's Hunyuan dense decoders (HunYuanDenseV1ForCausalLM; Hunyuan-0.5B…7B).

Llama's layout (q/k/v/o with biases only with ``attention_bias``, SwiGLU MLP, two RMSNorms per
layer, untied head by default) plus RMSNorms on queries and keys of ``head_dim`` (which the config
must give: transformers cannot build the model without it). Source: transformers
``models/hunyuan_v1_dense/modeling_hunyuan_v1_dense.py``.
"""
from __future__ import annotations

from pipeline.formula.common import attn_qkvo, decoder_keys, gated_mlp, std_dims, tied_head
from pipeline.formula.spec import Family, boolean, required
from pipeline.formula.terms import Ctx, ZERO


def hunyuan_attention(c: Ctx, h, H, KV, d):
    """q/k/v/o (biases with ``attention_bias``) plus query and key RMSNorms of head_dim."""
    ab = c.flag("attention_bias")
    return attn_qkvo(c, h, H, KV, d, ab, ab) + 2 * d


def build(c: Ctx):
    V, h, L, H, KV, d, I = std_dims(c)
    parts = {
        "embeddings": V * h,
        "attention": L * hunyuan_attention(c, h, H, KV, d),
        "mlp": L * gated_mlp(c, h, I),
        "norms": L * (2 * h) + h,
        "head": tied_head(c, V, h),
    }
    return parts, ZERO, {}


FAMILY = Family(
    "hunyuan_v1_dense", "HunYuanDenseV1ForCausalLM",
    decoder_keys(extra={"head_dim": required(), "attention_bias": boolean(False)}),
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="Llama layout with query/key RMSNorms (2·head_dim per layer, under attention); head_dim is required.",
    build=build,
)
