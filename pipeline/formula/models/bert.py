from __future__ import annotations

from pipeline.formula.terms import Ctx, ZERO, linear
from pipeline.formula.spec import Family, Key, boolean, required


def build(c: Ctx):
    V, h, L, H, I, P, T = (c.v("vocab_size"), c.v("hidden_size"), c.v("num_hidden_layers"),
                           c.v("num_attention_heads"), c.v("intermediate_size"),
                           c.v("max_position_embeddings"), c.v("type_vocab_size"))
    A = c.derived("all_head_size", H * (h // H))
    cross = c.flag("add_cross_attention")
    block = 3 * linear(c, h, A) + linear(c, h, h)
    parts = {
        "embeddings": V * h,
        "token_type": T * h,
        "position": P * h,
        "attention": L * (block + c.when(cross, block)),
        "mlp": L * (linear(c, h, I) + linear(c, I, h)),
        "norms": 2 * h + L * (2 * (2 * h) + c.when(cross, 2 * h)),
        "pooler": linear(c, h, h),
    }
    return parts, ZERO, {}


FAMILY = Family(
    "bert", "BertModel (with pooler)",
    {
        "vocab_size": required(),
        "hidden_size": required(),
        "num_hidden_layers": required(),
        "num_attention_heads": required(positive=True),
        "intermediate_size": required(),
        "max_position_embeddings": required(),
        "type_vocab_size": Key(default=2),
        "add_cross_attention": boolean(False),
    },
    ("embeddings", "token_type", "position", "attention", "mlp", "norms", "pooler"),
    notes="BertModel as AutoModel builds it: embeddings (word, position, token type, LayerNorm), the "
          "encoder and the pooler; no MLM/NSP head.",
    build=build,
    heads=("base",),
    head_width=None,
)
