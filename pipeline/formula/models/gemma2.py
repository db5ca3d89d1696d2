from __future__ import annotations

from pipeline.formula.terms import Ctx, ZERO
from pipeline.formula.spec import Family, boolean
from pipeline.formula.common import decoder_keys
from pipeline.formula.models.gemma import gemma_parts


def build(c: Ctx):
    return gemma_parts(c, norms_per_block=4), ZERO, {}


FAMILY = Family(
    "gemma2", "Gemma2ForCausalLM",
    decoder_keys(kv_default=4, head_dim_default=256, tie=True, extra={"attention_bias": boolean(False)}),
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="Four RMSNorms per block (pre/post attention, pre/post feed-forward); head_dim defaults to 256.",
    build=build,
)
