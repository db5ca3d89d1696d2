"""ernie4_5: Baidu ERNIE 4.5 dense decoders (Ernie4_5ForCausalLM): the llama layout with biases on
every projection when ``use_bias``; head_dim defaults to 128, kv heads to 2, tied head. Source:
transformers ``models/ernie4_5/modeling_ernie4_5.py``."""
from __future__ import annotations

from pipeline.formula.common import decoder_keys
from pipeline.formula.models.llama import llama_parts
from pipeline.formula.spec import Family, boolean
from pipeline.formula.terms import Ctx, ZERO


def build(c: Ctx):
    bias = c.flag("use_bias")
    return llama_parts(c, bias, bias), ZERO, {}


FAMILY = Family(
    "ernie4_5", "Ernie4_5ForCausalLM",
    decoder_keys(kv_default=2, head_dim_default=128, tie=True, extra={"use_bias": boolean(False)}),
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="Llama layout; use_bias puts biases on q/k/v/o and the MLP; head_dim defaults to 128; tied.",
    build=build,
)
