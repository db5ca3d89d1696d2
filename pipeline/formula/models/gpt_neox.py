from __future__ import annotations

from pipeline.formula.terms import Ctx, ZERO, linear
from pipeline.formula.spec import Family, boolean, required
from pipeline.formula.common import tied_head


def build(c: Ctx):
    V, h, L, I = c.v("vocab_size"), c.v("hidden_size"), c.v("num_hidden_layers"), c.v("intermediate_size")
    ab = c.flag("attention_bias")
    parts = {
        "embeddings": V * h,
        "attention": L * (linear(c, h, 3 * h, ab) + linear(c, h, h, ab)),
        "mlp": L * (linear(c, h, I) + linear(c, I, h)),
        "norms": L * (2 * (2 * h)) + 2 * h,
        "head": tied_head(c, V, h),
    }
    return parts, ZERO, {}


FAMILY = Family(
    "gpt_neox", "GPTNeoXForCausalLM",
    {
        "vocab_size": required(),
        "hidden_size": required(),
        "num_hidden_layers": required(),
        "intermediate_size": required(),
        "attention_bias": boolean(True),
        "tie_word_embeddings": boolean(False),
    },
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="Fused query_key_value (biases when attention_bias, the default), MLP with biases, two "
          "LayerNorms per block; the output head (embed_out) is untied by default.",
    build=build,
)
