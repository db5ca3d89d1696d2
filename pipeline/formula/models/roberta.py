"""roberta: RoBERTa encoders (RobertaModel, RobertaForMaskedLM, RobertaForCausalLM,
RobertaForSequenceClassification); xlm-roberta reuses it (same modules, other class names).

BERT's layout (word, position and token-type tables, post-LayerNorm blocks with biases) with heads
that drop the pooler: the LM head is dense (hidden → hidden) + LayerNorm + a vocabulary bias, its
decoder weight tied to the word embeddings unless ``tie_word_embeddings`` is false (then the
decoder also brings its own bias); the sequence
classifier is dense (hidden → hidden) + out_proj (hidden → num_labels). Only the bare model keeps
the pooler. Source: transformers ``models/roberta/modeling_roberta.py``.
"""
from __future__ import annotations

from pipeline.formula.common import head_is, tied_head
from pipeline.formula.spec import Family, Key, boolean, required
from pipeline.formula.terms import Ctx, ZERO, linear


def build(c: Ctx):
    V, h, L, H, I, P, T = (c.v("vocab_size"), c.v("hidden_size"), c.v("num_hidden_layers"),
                           c.v("num_attention_heads"), c.v("intermediate_size"),
                           c.v("max_position_embeddings"), c.v("type_vocab_size"))
    A = c.derived("all_head_size", H * (h // H))
    cross = c.flag("add_cross_attention")
    block = 3 * linear(c, h, A) + linear(c, A, h)
    lm, seq, base = head_is(c, "masked_lm", "causal_lm"), head_is(c, "seq_cls"), head_is(c, "base")
    labels = c.v("_num_labels", "num_labels")
    parts = {
        "embeddings": V * h,
        "token_type": T * h,
        "position": P * h,
        "attention": L * (block + c.when(cross, block)),
        "mlp": L * (linear(c, h, I) + linear(c, I, h)),
        "norms": 2 * h + L * (2 * (2 * h) + c.when(cross, 2 * h)),
        "pooler": c.when(base, linear(c, h, h), note="no pooler in this head"),
        "classifier": (c.when(lm, linear(c, h, h) + 2 * h + V, note="no LM head")
                       + c.when(seq, linear(c, h, h) + linear(c, h, labels), note="no classifier")),
        # untied, the decoder is a Linear with its own bias (the head's bias is tied to it only when tied)
        "head": c.when(lm, tied_head(c, V, h + 1), note="no LM head"),
    }
    return parts, ZERO, {}


def roberta_family(name: str, cls_prefix: str) -> Family:
    """The RoBERTa family under ``name`` whose classes start with ``cls_prefix``."""
    return Family(
        name, f"{cls_prefix}ForMaskedLM",
        {
            "vocab_size": required(),
            "hidden_size": required(),
            "num_hidden_layers": required(),
            "num_attention_heads": required(positive=True),
            "intermediate_size": required(),
            "max_position_embeddings": Key(default=512),
            "type_vocab_size": Key(default=2),
            "add_cross_attention": boolean(False),
            "tie_word_embeddings": boolean(True),
        },
        ("embeddings", "token_type", "position", "attention", "mlp", "norms", "pooler", "classifier", "head"),
        notes="Heads: the bare model keeps the pooler; the masked/causal LM head (dense, LayerNorm, vocabulary "
              "bias, under classifier) and the sequence classifier (dense + out_proj of num_labels) replace "
              "it. Default without architectures: the masked LM, as published checkpoints declare.",
        build=build,
        heads=("masked_lm", "base", "causal_lm", "seq_cls"),
        head_width=None,
        own_heads=True,
    )


FAMILY = roberta_family("roberta", "Roberta")
