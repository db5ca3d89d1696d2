"""ernie4_5: Baidu ERNIE 4.5 dense decoders (Ernie4_5ForCausalLM): the llama layout with biases on
every projection when ``use_bias``; head_dim defaults to 128, kv heads to 2, tied head. Source:
transformers ``models/ernie4_5/modeling_ernie4_5.py``."""
from __future__ import annotations

from pipeline.formula.common import attn_qkvo, decoder_keys, gated_mlp, std_dims, tied_head
from pipeline.formula.spec import Family, boolean
from pipeline.formula.terms import Ctx, ZERO


def build(c: Ctx):
    V, h, L, H, KV, d, I = std_dims(c)
    bias = c.flag("use_bias")
    parts = {
        "embeddings": V * h,
        "attention": L * attn_qkvo(c, h, H, KV, d, bias, bias),
        "mlp": L * gated_mlp(c, h, I, bias),
        "norms": L * (2 * h) + h,
        "head": tied_head(c, V, h),
    }
    return parts, ZERO, {}


FAMILY = Family(
    "ernie4_5", "Ernie4_5ForCausalLM",
    decoder_keys(kv_default=2, head_dim_default=128, tie=True, extra={"use_bias": boolean(False)}),
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="Llama layout; use_bias puts biases on q/k/v/o and the MLP; head_dim defaults to 128; tied.",
    build=build,
)
