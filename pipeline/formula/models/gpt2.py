from __future__ import annotations

from pipeline.formula.terms import Ctx, ZERO, linear
from pipeline.formula.spec import Family, Key, boolean, required
from pipeline.formula.common import tied_head


def build(c: Ctx):
    V, E, L, P, I = c.v("vocab_size"), c.v("n_embd"), c.v("n_layer"), c.v("n_positions"), c.v("n_inner")
    cross = c.flag("add_cross_attention")
    attn = L * (linear(c, E, 3 * E) + linear(c, E, E)
                + c.when(cross, linear(c, E, 2 * E) + linear(c, E, E) + linear(c, E, E)))
    parts = {
        "embeddings": V * E,
        "position": P * E,
        "attention": attn,
        "mlp": L * (linear(c, E, I) + linear(c, I, E)),
        "norms": L * (2 * (2 * E) + c.when(cross, 2 * E)) + 2 * E,
        "head": tied_head(c, V, E),
    }
    return parts, ZERO, {}


FAMILY = Family(
    "gpt2", "GPT2LMHeadModel",
    {
        "vocab_size": required(),
        "n_embd": required(aliases=("hidden_size",)),
        "n_layer": required(aliases=("num_hidden_layers",)),
        "n_positions": required(aliases=("max_position_embeddings",)),
        "n_inner": Key(default=lambda c: 4 * c["n_embd"]),
        "add_cross_attention": boolean(False),
        "tie_word_embeddings": boolean(True),
    },
    ("embeddings", "position", "attention", "mlp", "norms", "head"),
    notes="n_inner defaults to 4 × n_embd; add_cross_attention adds a cross-attention block and its LayerNorm.",
    build=build,
    head_width="n_embd",
)
