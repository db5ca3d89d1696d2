"""deberta-v2: DeBERTa-v2/v3 encoders (DebertaV2ForMaskedLM, DebertaV2Model,
DebertaV2ForSequenceClassification).

Disentangled attention: q/k/v projections with biases (``attention_head_size`` wide per head),
separate position projections only when ``share_att_key`` is false (``pos_key_proj`` for c2p,
``pos_query_proj`` for p2c); one shared relative-position table of 2·``position_buckets`` rows
(else 2·``max_relative_positions``, which below 1 means ``max_position_embeddings``), LayerNormed
when ``norm_rel_ebd`` says ``layer_norm``; an optional convolution after the first layer
(``conv_kernel_size`` > 0). Embeddings may be narrower than the model (``embedding_size``, projected
up without bias); absolute positions only with ``position_biased_input``; token types only when
``type_vocab_size`` > 0. Heads: the legacy MLM head (``legacy`` true: dense hidden → embedding_size,
LayerNorm, vocabulary bias, decoder tied to the word embeddings) or the new one (dense hidden →
hidden, LayerNorm, bias); the sequence classifier (ContextPooler of pooler_hidden_size + a Linear to
num_labels); the bare model has no pooler. Source: transformers ``models/deberta_v2/modeling_deberta_v2.py``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pipeline.formula.common import head_is
from pipeline.formula.spec import Family, Key, boolean, required
from pipeline.formula.terms import Ctx, Term, ZERO, linear


def _prepare(df: pd.DataFrame, pos: np.ndarray, raw: dict[str, Any]) -> None:
    """Negative sentinels (``max_relative_positions: -1``, ``position_buckets: -1``) mean "unset": 0.
    ``pos_att_type`` (a list, or a "p2c|c2p" string) becomes two flags."""
    for key in ("max_relative_positions", "position_buckets", "conv_kernel_size"):
        values = pd.to_numeric(pd.Series(raw[key], dtype=object), errors="coerce")
        raw[key] = np.where(values < 1, 0, raw[key]).astype(object) if len(values) else raw[key]
    kinds = pd.Series(raw["pos_att_type"], dtype=object).map(
        lambda v: [x.strip().lower() for x in v.split("|")] if isinstance(v, str)
        else (list(v) if isinstance(v, (list, tuple)) else []))
    raw["_c2p"] = kinds.map(lambda v: "c2p" in v).to_numpy(dtype=object)
    raw["_p2c"] = kinds.map(lambda v: "p2c" in v).to_numpy(dtype=object)
    raw["_rel_norm"] = pd.Series(raw["norm_rel_ebd"], dtype=object).map(
        lambda v: isinstance(v, str) and "layer_norm" in [x.strip() for x in v.lower().split("|")]
    ).to_numpy(dtype=object)


def build(c: Ctx):
    V, h, L, H, I, P, T = (c.v("vocab_size"), c.v("hidden_size"), c.v("num_hidden_layers"),
                           c.v("num_attention_heads"), c.v("intermediate_size"),
                           c.v("max_position_embeddings"), c.v("type_vocab_size"))
    E, Ph = c.v("embedding_size"), c.v("pooler_hidden_size")
    A = c.derived("all_head_size", H * c.v("attention_head_size"))
    rel, shared = c.flag("relative_attention"), c.flag("share_att_key")
    buckets, max_rel = c.cols["position_buckets"], c.cols["max_relative_positions"]
    span = c.derived("rel_embedding_rows", Term(2 * np.where(buckets > 0, buckets, np.where(max_rel > 0, max_rel, P.value))))
    kernel, groups = c.v("conv_kernel_size"), c.v("conv_groups")
    pos_proj = (c.when(rel & ~shared & c.flag("_c2p"), linear(c, h, A))
                + c.when(rel & ~shared & c.flag("_p2c"), linear(c, h, A)))
    lm, legacy = head_is(c, "masked_lm"), c.flag("legacy")
    seq = head_is(c, "seq_cls")
    labels = c.v("_num_labels", "num_labels")
    untied = ~c.flag("tie_word_embeddings")
    parts = {
        "embeddings": V * E,
        "token_type": T * E,
        "position": c.when(c.flag("position_biased_input"), P * E) + c.when(rel, span * h),
        "projection": c.when(c.cols["embedding_size"] != c.cols["hidden_size"], E * h),
        "attention": L * (3 * linear(c, h, A) + linear(c, h, h) + pos_proj),
        "mlp": L * (linear(c, h, I) + linear(c, I, h)),
        "norms": 2 * h + L * (2 * (2 * h)) + c.when(c.flag("_rel_norm"), 2 * h),
        "other": c.when(kernel.value > 0, h * (h // groups) * kernel + h + 2 * h),
        "classifier": (c.when(lm & legacy, linear(c, h, E) + 2 * E + V)
                       + c.when(lm & ~legacy, linear(c, h, h) + 2 * h + V)
                       + c.when(seq, linear(c, Ph, Ph) + linear(c, h, labels))),
        "head": c.when(lm & legacy & untied, V * E + V, note="tied to the input embeddings"),
    }
    return parts, ZERO, {}


FAMILY = Family(
    "deberta-v2", "DebertaV2ForMaskedLM",
    {
        "vocab_size": required(),
        "hidden_size": required(),
        "num_hidden_layers": required(),
        "num_attention_heads": required(positive=True),
        "intermediate_size": required(),
        "max_position_embeddings": Key(default=512),
        "type_vocab_size": Key(default=0),
        "embedding_size": Key(default=lambda c: c["hidden_size"]),
        "attention_head_size": Key(default=lambda c: c["hidden_size"] // c["num_attention_heads"]),
        "pooler_hidden_size": Key(default=lambda c: c["hidden_size"]),
        "relative_attention": boolean(False),
        "max_relative_positions": Key(default=0),
        "position_buckets": Key(default=0),
        "share_att_key": boolean(False),
        "pos_att_type": Key(kind="obj", default=None),
        "_c2p": boolean(False),
        "_p2c": boolean(False),
        "norm_rel_ebd": Key(kind="obj", default="none"),
        "_rel_norm": boolean(False),
        "position_biased_input": boolean(True),
        "conv_kernel_size": Key(default=0),
        "conv_groups": Key(default=1, positive=True),
        "legacy": boolean(True),
        "tie_word_embeddings": boolean(True),
    },
    ("embeddings", "token_type", "position", "projection", "attention", "mlp", "norms", "other", "classifier",
     "head"),
    notes="Relative-position table (2·position_buckets rows, else 2·max_relative_positions or "
          "2·max_position_embeddings) under position; position projections only without share_att_key; "
          "the optional convolution (conv_kernel_size) under other; MLM head (legacy or new) and the "
          "sequence classifier's ContextPooler under classifier.",
    prepare=_prepare,
    build=build,
    heads=("masked_lm", "base", "seq_cls"),
    head_width=None,
    own_heads=True,
)
