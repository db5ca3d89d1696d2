"""Exact parameter counts from a Hugging Face ``config.json``, vectorized over tables of architectures.

The engine reproduces, to the unit, the number of parameters transformers builds for a config
(``sum(p.numel() for p in model.parameters())`` on the meta device). Families with a formula (one
module each under ``models/``, listed in :mod:`pipeline.formula.registry`; the table with the real
configs each is tested on is ``docs/formula-families.md``) are counted by vectorized int64
arithmetic over whole tables. Any other ``model_type`` transformers implements, and any head class a
formula does not model, is counted by transformers itself on the meta device
(:mod:`pipeline.formula.fallback`, cached per config). Only a model_type neither knows is an error,
naming the closest known families.

Layout: :mod:`~pipeline.formula.terms` (the term algebra: int64 columns that carry their formula in
explain mode), :mod:`~pipeline.formula.spec` (how a family declares keys and itself),
:mod:`~pipeline.formula.common` (llama-style building blocks), :mod:`~pipeline.formula.heads`
(``architectures`` → head kind), :mod:`~pipeline.formula.engine` (normalization, ``count_table``,
``count``, ``explain``), :mod:`~pipeline.formula.fallback` (transformers on the meta device).

The count (``count`` returns it; ``count_table`` has one column each; ``tests/test_formula.py`` has
worked examples):

* ``total``: every parameter of the class counted (``head``), respecting ``tie_word_embeddings`` (a
  tied output head adds nothing). For T5, whose transformers v5 config class always ties, an explicit
  ``tie_word_embeddings: false`` (T5 v1.1, flan-t5) counts the released checkpoint's separate
  ``lm_head``, as ``from_pretrained`` keeps it.
* ``active``: parameters one token uses, counting the input embedding (Mistral's convention: 12.9B
  for Mixtral). Equal to ``total`` for dense models; for mixture-of-experts models the routed
  experts a token does not visit are subtracted (shared parameters, top-k routed experts, shared
  experts and routers remain).
* ``active_without_input_embedding``: ``active`` less the input token table (DeepSeek's and
  OpenAI's convention: 36.63B activated for DeepSeek-V3).
* ``active_non_embedding``: ``active`` less the input table and the untied output head (Qwen's
  "activated non-embedding parameters").
* ``input_embedding``: the token table; ``output_embedding``: the untied output head (0 when tied).
* ``embedding``: input table + untied output head + learned position tables (OPT's offset table,
  GPT-2's ``wpe``, BERT's position and token-type tables, T5's relative attention bias tables, ViT's
  position embeddings and class token). ``non_embedding`` = ``total`` − ``embedding``.
* ``components``: towers, named as :data:`pipeline.fields.COMPONENTS` (T5's encoder and decoder;
  language model, vision encoder and projector of multimodal models; CLIP's text and vision
  encoders), empty for a single-tower model.
* ``head`` (the class counted), ``head_source`` (``architectures`` or the family's default) and
  ``method`` (``formula`` or ``transformers``); ``defaults_used`` lists required keys that were
  absent and took the config class's default.
* ``extra``: tensors a checkpoint ships that transformers does not count as parameters of the
  class (DeepSeek-V3's multi-token-prediction modules, its router bias buffers). Never in ``total``.

Keys. A key missing from a config takes the default of transformers' config class for that
model_type (``tests/test_formula_defaults.py`` checks every key every family reads). Where the
widths that size the main matrices (vocabulary, hidden size, layers, heads, feed-forward width) are
missing, transformers counts the config with its defaults and ``defaults_used`` names them. An
explicit JSON ``null`` reads as transformers reads ``None`` where that differs from absence:
DeepSeek's ``q_lora_rank`` absent is the class default 1536 (query compression), null is no
compression (DeepSeek-V2-Lite). Tables keep the difference when built with ``config_frame``.

Heads. ``architectures`` picks the class: ``...ForCausalLM``, the bare ``...Model``,
``...ForSequenceClassification`` (``num_labels`` / ``id2label``) are modelled for decoders; any
other class transformers has (``...ForMaskedLM``, ``T5EncoderModel``, ``...ForImageClassification``,
...) is counted by transformers. Without ``architectures`` a family's usual class is counted and
``head_source`` says so.
"""
from __future__ import annotations

from pipeline.formula.engine import (
    COUNT_COLUMNS,
    NULL,
    TOWERS,
    config_frame,
    count,
    count_table,
    explain,
    format_breakdown,
)
from pipeline.formula.registry import (
    FAMILIES,
    FAMILY_CLASSES,
    FAMILY_EXTRAS,
    FAMILY_NOTES,
    MODEL_TYPE_ALIASES,
    SUPPORTED_FAMILIES,
)
from pipeline.formula.terms import EMBEDDING_PARTS, PARTS, EXTRAS, INT64, ConfigError, dense_layer_params

__all__ = [
    "SUPPORTED_FAMILIES",
    "PARTS",
    "TOWERS",
    "COUNT_COLUMNS",
    "NULL",
    "config_frame",
    "EMBEDDING_PARTS",
    "EXTRAS",
    "ConfigError",
    "count",
    "count_table",
    "explain",
    "format_breakdown",
    "dense_layer_params",
    "FAMILIES",
    "FAMILY_CLASSES",
    "FAMILY_EXTRAS",
    "FAMILY_NOTES",
    "MODEL_TYPE_ALIASES",
    "INT64",
]
