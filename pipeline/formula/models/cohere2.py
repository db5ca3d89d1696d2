"""cohere2: Cohere Command R7B / Command A (Cohere2ForCausalLM): Cohere's parallel block without
q/k norms; sliding/full layer lists hold no parameters. Source: transformers
``models/cohere2/modeling_cohere2.py``."""
from __future__ import annotations

from pipeline.formula.common import decoder_keys
from pipeline.formula.models.cohere import parallel_block_parts
from pipeline.formula.spec import Family, boolean
from pipeline.formula.terms import Ctx, ZERO


def build(c: Ctx):
    return parallel_block_parts(c, False), ZERO, {}


FAMILY = Family(
    "cohere2", "Cohere2ForCausalLM",
    decoder_keys(tie=True, extra={"attention_bias": boolean(False)}),
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="One LayerNorm (weight only) per layer; tied output head.",
    build=build,
)
