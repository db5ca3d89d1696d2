"""t5: T5 and T5 v1.1 / Flan-T5 (T5ForConditionalGeneration). Source: transformers
``models/t5/modeling_t5.py``; components: encoder (shared token table + encoder stack, as
T5EncoderModel) and decoder (decoder stack + untied head)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.formula.terms import Ctx, ZERO
from pipeline.formula.spec import Family, Key, boolean, required
from pipeline.formula.common import tied_head


def build(c: Ctx):
    V, d, F, dkv, Le, H = (c.v("vocab_size"), c.v("d_model"), c.v("d_ff"), c.v("d_kv"), c.v("num_layers"),
                           c.v("num_heads"))
    Ld, B = c.v("num_decoder_layers"), c.v("relative_attention_num_buckets")
    inner = c.derived("inner_dim", H * dkv)
    ffp = c.cols["feed_forward_proj"]
    gated = np.asarray(pd.Series(ffp, dtype=object).astype(str).str.startswith("gated-").to_numpy(), bool)
    n_in = c.where(gated, 2, 1)
    attn = 4 * (d * inner)
    mlp = (n_in + 1) * (d * F)
    parts = {
        "embeddings": V * d,
        "position": 2 * (B * H),
        "attention": Le * attn + Ld * (2 * attn),
        "mlp": (Le + Ld) * mlp,
        "norms": Le * (2 * d) + d + Ld * (3 * d) + d,
        "head": tied_head(c, V, d),
    }
    # towers: the encoder with the shared token table (what T5EncoderModel holds), the decoder stack
    # with the untied head; together they are the total
    c.component("encoder", V * d + B * H + Le * (attn + mlp + 2 * d) + d)
    c.component("decoder", B * H + Ld * (2 * attn + mlp + 3 * d) + d + parts["head"])
    return parts, ZERO, {}


FAMILY = Family(
    "t5", "T5ForConditionalGeneration",
    {
        "vocab_size": required(),
        "d_model": required(aliases=("hidden_size",)),
        "d_ff": required(),
        "d_kv": required(aliases=("head_dim",)),
        "num_layers": required(aliases=("num_hidden_layers",)),
        "num_heads": required(aliases=("num_attention_heads",)),
        "num_decoder_layers": Key(default=lambda c: c["num_layers"]),
        "relative_attention_num_buckets": Key(default=32),
        "feed_forward_proj": Key(kind="str", default="relu"),
        "tie_word_embeddings": boolean(True),
    },
    ("embeddings", "position", "attention", "mlp", "norms", "head"),
    notes="Relative attention bias tables (buckets × heads) exist only in the first encoder and first "
          "decoder block and are counted as position tables. 'gated-*' feed_forward_proj (T5 v1.1) has "
          "wi_0, wi_1 and wo. tie_word_embeddings false (T5 v1.1) counts the separate lm_head.",
    build=build,
    heads=("cond_gen",),
    head_width=None,
)
