"""mt5: multilingual T5 (MT5ForConditionalGeneration, MT5Model, MT5EncoderModel); umt5 reuses it.

T5's layout: a shared token table, bias-free q/k/v/o of ``num_heads × d_kv``, RMS-style LayerNorms
(weight only), a relative-position bias table (``relative_attention_num_buckets × num_heads``) in
the first block of each stack (UMT5: in every block's self-attention), gated feed-forward
(``gated-gelu``: wi_0, wi_1, wo) by default. transformers 5 builds these classes tied, but mT5 and
UMT5 checkpoints carry their own ``lm_head`` (``tie_word_embeddings: false``) and ``from_pretrained``
unties it, so a false value counts the separate head, as for T5 v1.1. Heads: the encoder-decoder
with LM head, the bare model, the encoder alone (``...EncoderModel``). Components: ``encoder`` (with
the shared token table) and ``decoder`` (with the LM head). Source: transformers
``models/mt5/modeling_mt5.py`` and ``models/umt5/modeling_umt5.py``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.formula.common import head_is
from pipeline.formula.spec import Family, Key, boolean, required
from pipeline.formula.terms import Ctx, ZERO


def t5_stacks(c: Ctx, bias_every_layer: bool):
    """Parts of a T5-style encoder-decoder (without head) and its (encoder, decoder) totals; the
    decoder is dropped where the head kind is ``encoder``."""
    V, d, F, dkv, Le, H = (c.v("vocab_size"), c.v("d_model"), c.v("d_ff"), c.v("d_kv"), c.v("num_layers"),
                           c.v("num_heads"))
    B = c.v("relative_attention_num_buckets")
    Ld = c.when(~head_is(c, "encoder"), c.v("num_decoder_layers"), note="no decoder in the encoder model")
    has_decoder = c.when(~head_is(c, "encoder"), 1, note="no decoder in the encoder model")
    inner = c.derived("inner_dim", H * dkv)
    gated = np.asarray(pd.Series(c.cols["feed_forward_proj"], dtype=object).astype(str)
                       .str.startswith("gated-").to_numpy(), bool)
    n_in = c.where(gated, 2, 1)
    attn = 4 * (d * inner)
    mlp = (n_in + 1) * (d * F)
    bias_enc = (Le if bias_every_layer else 1) * (B * H)
    bias_dec = (Ld if bias_every_layer else has_decoder) * (B * H)
    encoder = {"embeddings": V * d, "position": bias_enc, "attention": Le * attn, "mlp": Le * mlp,
               "norms": Le * (2 * d) + d}
    decoder = {"position": bias_dec, "attention": Ld * (2 * attn), "mlp": Ld * mlp,
               "norms": Ld * (3 * d) + has_decoder * d}
    return encoder, decoder


def t5_family(name: str, prefix: str, bias_every_layer: bool) -> Family:
    """A T5-style family with mT5's config defaults and ``prefix`` class names."""

    def build(c: Ctx):
        encoder, decoder = t5_stacks(c, bias_every_layer)
        V, d = c.v("vocab_size"), c.v("d_model")
        head = c.when(head_is(c, "cond_gen") & ~c.flag("tie_word_embeddings"), V * d,
                      note="tied to the shared token table")
        parts = {part: encoder.get(part, ZERO) + decoder.get(part, ZERO)
                 for part in ("embeddings", "position", "attention", "mlp", "norms")}
        parts["head"] = head
        enc_total, dec_total = ZERO, head
        for term in encoder.values():
            enc_total = enc_total + term
        for term in decoder.values():
            dec_total = dec_total + term
        c.component("encoder", enc_total)
        c.component("decoder", dec_total)
        return parts, ZERO, {}

    return Family(
        name, f"{prefix}ForConditionalGeneration",
        {
            "vocab_size": Key(default=250112),
            "d_model": Key(default=512, aliases=("hidden_size",)),
            "d_ff": Key(default=1024),
            "d_kv": Key(default=64, aliases=("head_dim",)),
            "num_layers": Key(default=8, aliases=("num_hidden_layers",)),
            "num_heads": Key(default=6, aliases=("num_attention_heads",)),
            "num_decoder_layers": Key(default=lambda cols: cols["num_layers"]),
            "relative_attention_num_buckets": Key(default=32),
            "feed_forward_proj": Key(kind="str", default="gated-gelu"),
            "tie_word_embeddings": boolean(True),
        },
        ("embeddings", "position", "attention", "mlp", "norms", "head"),
        notes=("Relative-bias tables in every self-attention block" if bias_every_layer else
               "Relative-bias tables in the first block of each stack") +
              " (under position); gated-gelu feed-forward by default; tie_word_embeddings false counts "
              "the checkpoint's own lm_head; the encoder model keeps the shared table and the encoder.",
        build=build,
        heads=("cond_gen", "base", "encoder"),
        head_width=None,
        own_heads=True,
    )


FAMILY = t5_family("mt5", "MT5", bias_every_layer=False)
