"""gpt_bigcode: BigCode's SantaCoder / StarCoder (GPTBigCodeForCausalLM).

GPT-2 layout with multi-query attention: the fused c_attn projects to hidden + 2·head_dim with
``multi_query`` (default), else 3·hidden; learned positions; LayerNorms and linears with biases;
tied output head by default. Source: transformers ``models/gpt_bigcode/modeling_gpt_bigcode.py``.
"""
from __future__ import annotations

from pipeline.formula.common import tied_head
from pipeline.formula.spec import Family, Key, boolean, required
from pipeline.formula.terms import Ctx, ZERO, linear


def build(c: Ctx):
    V, E, L, P, H, I = (c.v("vocab_size"), c.v("n_embd"), c.v("n_layer"), c.v("n_positions"), c.v("n_head"),
                        c.v("n_inner"))
    d = c.derived("head_dim", E // H)
    qkv = c.where(c.flag("multi_query"), E + 2 * d, 3 * E)
    parts = {
        "embeddings": V * E,
        "position": P * E,
        "attention": L * (linear(c, E, qkv) + linear(c, E, E)),
        "mlp": L * (linear(c, E, I) + linear(c, I, E)),
        "norms": L * (2 * (2 * E)) + 2 * E,
        "head": tied_head(c, V, E),
    }
    return parts, ZERO, {}


FAMILY = Family(
    "gpt_bigcode", "GPTBigCodeForCausalLM",
    {
        "vocab_size": required(),
        "n_embd": required(aliases=("hidden_size",)),
        "n_layer": required(aliases=("num_hidden_layers",)),
        "n_head": required(positive=True, aliases=("num_attention_heads",)),
        "n_positions": required(aliases=("max_position_embeddings",)),
        "n_inner": Key(default=lambda c: 4 * c["n_embd"]),
        "multi_query": boolean(True),
        "tie_word_embeddings": boolean(True),
    },
    ("embeddings", "position", "attention", "mlp", "norms", "head"),
    notes="Multi-query c_attn (hidden + 2·head_dim) unless multi_query is false; n_inner defaults to 4 × n_embd.",
    build=build,
    head_width="n_embd",
)
