"""gptj: EleutherAI GPT-J (GPTJForCausalLM).

Parallel block with one LayerNorm (with bias); q/k/v/out projections without biases; MLP fc_in/fc_out
with biases (n_inner defaults to 4 × n_embd); no learned positions (rotary); an output head with a
bias (the bias stays even when the weight is tied). Source: transformers
``models/gptj/modeling_gptj.py``.
"""
from __future__ import annotations

from pipeline.formula.common import tied_head
from pipeline.formula.spec import Family, Key, boolean, required
from pipeline.formula.terms import Ctx, ZERO, linear


def build(c: Ctx):
    V, E, L, I = c.v("vocab_size"), c.v("n_embd"), c.v("n_layer"), c.v("n_inner")
    parts = {
        "embeddings": V * E,
        "attention": L * (4 * (E * E)),
        "mlp": L * (linear(c, E, I) + linear(c, I, E)),
        "norms": L * (2 * E) + 2 * E,
        "head": tied_head(c, V, E) + V,
    }
    return parts, ZERO, {}


FAMILY = Family(
    "gptj", "GPTJForCausalLM",
    {
        "vocab_size": required(),
        "n_embd": required(aliases=("hidden_size",)),
        "n_layer": required(aliases=("num_hidden_layers",)),
        "n_inner": Key(default=lambda c: 4 * c["n_embd"]),
        "tie_word_embeddings": boolean(False),
    },
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="One LayerNorm per (parallel) block; bias-free attention; the output head carries a bias of "
          "vocab_size.",
    build=build,
    head_width="n_embd",
)
