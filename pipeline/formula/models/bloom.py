from __future__ import annotations

from pipeline.formula.terms import Ctx, ZERO, linear
from pipeline.formula.spec import Family, boolean, required
from pipeline.formula.common import tied_head


def build(c: Ctx):
    V, h, L = c.v("vocab_size"), c.v("hidden_size"), c.v("n_layer")
    parts = {
        "embeddings": V * h,
        "attention": L * (linear(c, h, 3 * h) + linear(c, h, h)),
        "mlp": L * (linear(c, h, 4 * h) + linear(c, 4 * h, h)),
        "norms": 2 * h + L * (2 * (2 * h)) + 2 * h,
        "head": tied_head(c, V, h),
    }
    return parts, ZERO, {}


FAMILY = Family(
    "bloom", "BloomForCausalLM",
    {
        "vocab_size": required(),
        "hidden_size": required(aliases=("n_embed",)),
        "n_layer": required(aliases=("num_hidden_layers",)),
        "tie_word_embeddings": boolean(True),
    },
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="The feed-forward width is always 4 × hidden_size; ALiBi has no parameters.",
    build=build,
)
