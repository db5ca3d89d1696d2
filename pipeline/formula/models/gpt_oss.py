"""gpt_oss: OpenAI's gpt-oss (GptOssForCausalLM), every layer a mixture of experts.

Attention: q/k/v/o with biases (``attention_bias``, default true) and one learned sink logit per
head. Experts: fused ``gate_up_proj`` (hidden → 2·intermediate) and ``down_proj`` with biases; the
router is a Linear with bias. Source: transformers ``models/gpt_oss/modeling_gpt_oss.py``.
"""
from __future__ import annotations

from pipeline.formula.common import attn_qkvo, decoder_keys, std_dims, tied_head
from pipeline.formula.spec import Family, Key, boolean
from pipeline.formula.terms import Ctx, clip0


def build(c: Ctx):
    V, h, L, H, KV, d, I = std_dims(c)
    E, k = c.v("num_local_experts"), c.v("num_experts_per_tok")
    ab = c.flag("attention_bias")
    expert = c.derived("expert", h * (2 * I) + 2 * I + I * h + h)
    parts = {
        "embeddings": V * h,
        "attention": L * (attn_qkvo(c, h, H, KV, d, ab, ab) + H),
        "experts_routed": L * E * expert,
        "router": L * (E * h + E),
        "norms": L * (2 * h) + h,
        "head": tied_head(c, V, h),
    }
    idle = c.derived("idle_experts", clip0(E - k))
    return parts, L * idle * expert, {}


FAMILY = Family(
    "gpt_oss", "GptOssForCausalLM",
    decoder_keys(kv_default=8, head_dim_default=64, extra={
        "num_local_experts": Key(default=128, aliases=("num_experts",)),
        "num_experts_per_tok": Key(default=4, aliases=("experts_per_token",)),
        "attention_bias": boolean(True),
    }),
    ("embeddings", "attention", "experts_routed", "router", "norms", "head"),
    notes="Every layer sparse: num_local_experts experts with biases (gate_up 2·intermediate wide), a "
          "router with bias, one attention-sink logit per head; head_dim defaults to 64, kv heads to 8.",
    build=build,
)
