"""Which model class a config asks for: the ``architectures`` key, read as a head kind.

A config's ``architectures`` (``["LlamaForCausalLM"]``) names the class its checkpoint was saved from.
The class suffix says which head sits on the shared trunk:

============================  ==========  ==============================================================
suffix                        kind        head counted
============================  ==========  ==============================================================
``ForCausalLM``/``LMHeadModel`` causal_lm   output projection to the vocabulary (0 when tied)
``Model``                     base        none (the trunk; BERT/ViT keep their pooler)
``EncoderModel``              encoder     the encoder stack of an encoder-decoder (``T5EncoderModel``)
``ForSequenceClassification`` seq_cls     a score layer of ``num_labels`` outputs
``ForImageClassification``    img_cls     a classifier of ``num_labels`` outputs
``ForMaskedLM``               masked_lm   the masked-LM prediction head
``ForConditionalGeneration``  cond_gen    encoder-decoder or multimodal generation head
anything else                 other       whatever that class builds (counted by transformers)
============================  ==========  ==============================================================

``num_labels`` is the config's ``num_labels``, else the length of its ``id2label``, else 2
(``PretrainedConfig``'s default).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.formula.spec import column

#: (suffix, kind), longest suffixes first so ``EncoderModel`` wins over ``Model``.
_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("ForSequenceClassification", "seq_cls"),
    ("ForImageClassification", "img_cls"),
    ("ForConditionalGeneration", "cond_gen"),
    ("ForCausalLM", "causal_lm"),
    ("LMHeadModel", "causal_lm"),
    ("ForMaskedLM", "masked_lm"),
    ("EncoderModel", "encoder"),
    ("Model", "base"),
)
HEAD_KINDS: tuple[str, ...] = tuple(dict.fromkeys(kind for _, kind in _SUFFIXES)) + ("other",)
DEFAULT_NUM_LABELS = 2


def head_kind(architecture: str) -> str:
    """The head kind of one class name (``"LlamaForCausalLM"`` → ``"causal_lm"``)."""
    for suffix, kind in _SUFFIXES:
        if architecture.endswith(suffix):
            return kind
    return "other"


def architecture_column(df: pd.DataFrame, pos: np.ndarray) -> np.ndarray:
    """The first class named in ``architectures`` per row (None where absent or unusable)."""
    if "architectures" not in df.columns:
        return np.full(len(pos), None, dtype=object)
    values = pd.Series(column(df, "architectures", pos), dtype=object)
    present = values.notna().to_numpy()
    if not present.any():
        return np.full(len(pos), None, dtype=object)
    first = values.map(lambda v: v[0] if isinstance(v, (list, tuple)) and v and isinstance(v[0], str)
                       else (v if isinstance(v, str) else None))
    return first.to_numpy(dtype=object)


def kind_column(architectures: np.ndarray) -> np.ndarray:
    """Head kind per row (None where no architecture is named)."""
    present = pd.notna(pd.Series(architectures, dtype=object))
    kinds = np.full(len(architectures), None, dtype=object)
    if present.any():
        names = pd.Series(architectures[present.to_numpy()], dtype=object)
        kinds[present.to_numpy()] = names.map(head_kind).to_numpy(dtype=object)
    return kinds


def num_labels_column(df: pd.DataFrame, pos: np.ndarray) -> np.ndarray:
    """``num_labels``, else ``len(id2label)``, else 2, per row (int64)."""
    labels = pd.to_numeric(pd.Series(column(df, "num_labels", pos), dtype=object), errors="coerce")
    id2label = pd.Series(column(df, "id2label", pos), dtype=object)
    from_map = id2label.map(lambda v: len(v) if isinstance(v, dict) else np.nan).astype(float)
    out = labels.where(labels.notna(), from_map).fillna(DEFAULT_NUM_LABELS)
    return out.to_numpy(dtype=float).astype(np.int64)
