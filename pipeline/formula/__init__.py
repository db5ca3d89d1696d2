"""Exact parameter counts from a Hugging Face ``config.json``, vectorized over tables of architectures.

The engine reproduces, to the unit, the number of parameters transformers builds for a config
(``sum(p.numel() for p in model.parameters())`` on the meta device), one family at a time:

=============  =====================================================================
family         class whose parameters are counted
=============  =====================================================================
gpt2           GPT2LMHeadModel (AutoModelForCausalLM)
gpt_neox       GPTNeoXForCausalLM
opt            OPTForCausalLM
bloom          BloomForCausalLM
falcon         FalconForCausalLM (also the old ``RefinedWeb``/``RefinedWebModel`` configs)
llama          LlamaForCausalLM
mistral        MistralForCausalLM
mixtral        MixtralForCausalLM
qwen2          Qwen2ForCausalLM
qwen2_moe      Qwen2MoeForCausalLM
gemma          GemmaForCausalLM
gemma2         Gemma2ForCausalLM
phi3           Phi3ForCausalLM
phi3small      Phi3SmallForCausalLM (remote code, microsoft/Phi-3-small-*)
olmo           OlmoForCausalLM
olmo2          Olmo2ForCausalLM
deepseek       DeepseekForCausalLM (remote code, deepseek-ai/deepseek-moe-16b-*)
deepseek_v2    DeepseekV2ForCausalLM
deepseek_v3    DeepseekV3ForCausalLM
bert           BertModel with its pooler (AutoModel)
t5             T5ForConditionalGeneration
vit            ViTModel with its pooler (AutoModel)
=============  =====================================================================

Definitions (``tests/test_formula.py`` has worked examples):

* ``total``: every parameter of that class, respecting ``tie_word_embeddings`` (a tied output head
  adds nothing). For T5, whose transformers v5 config class always ties, an explicit
  ``tie_word_embeddings: false`` (T5 v1.1, flan-t5) means the released checkpoint's separate
  ``lm_head`` is counted, as ``from_pretrained`` keeps it.
* ``active``: parameters used for one token. Equal to ``total`` for dense models; for
  mixture-of-experts models the routed experts a token does not visit are subtracted
  (shared parameters, top-k routed experts, shared experts and routers remain).
* ``embedding``: input token embedding + untied output head + learned position tables
  (OPT's offset table, GPT-2's ``wpe``, BERT's position and token-type tables, T5's relative
  attention bias tables, ViT's position embeddings and class token).
* ``non_embedding`` = ``total`` - ``embedding``.
* ``extra``: tensors a checkpoint ships that transformers does not count as parameters of the
  class (DeepSeek-V3's multi-token-prediction modules, its router bias buffers). Never in ``total``.

Keys. A config's *required* keys are the widths and depths that size the main weight matrices
(vocabulary, hidden size, layers, heads, feed-forward and expert widths); a row without one is an
error, never a silent default. Every other key takes the default transformers' config class applies
when the key is absent (``num_key_value_heads``, ``head_dim`` (256 for Gemma), biases,
``tie_word_embeddings``, ...). An explicit JSON ``null`` reads as the value ``None`` would give in transformers where that differs from absence: DeepSeek's ``q_lora_rank`` absent is the class default 1536 (query compression), null is no compression (DeepSeek-V2-Lite). Tables keep the difference when built with ``config_frame``.

Everything is computed on whole columns: rows are grouped by family, their keys normalized with
pandas, and the arithmetic done on int64 numpy arrays. ``count`` and ``explain`` run the very same
code on a one-row table.
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
