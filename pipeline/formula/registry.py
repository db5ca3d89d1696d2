"""The families the engine counts, one module each under ``pipeline/formula/models/``.

How to add a family (as transformers keeps ``models/<name>/``):

1. Create ``pipeline/formula/models/<model_type>.py`` defining

   * ``build(c: Ctx) -> (parts, idle, extras)``: ``parts`` maps each part name (from
     :data:`pipeline.formula.terms.COMPONENTS`) to a :class:`~pipeline.formula.terms.Term` built from
     ``c.v("key")`` (an int column), ``c.flag("key")`` (a bool column), ``c.when``/``c.where`` and the
     helpers in :mod:`pipeline.formula.common` (``attn_qkvo``, ``gated_mlp``, ``tied_head``, ...);
     ``idle`` the routed-expert parameters a token does not visit (``ZERO`` when dense); ``extras``
     checkpoint tensors outside the total (usually ``{}``).
   * ``FAMILY = Family(name, transformers_class, keys, parts, notes=..., build=build)``: ``keys`` maps
     every config key ``build`` reads to a :class:`~pipeline.formula.spec.Key`; required widths use
     ``required()``, every other key takes the default of transformers' config class for that
     model_type (``tests/test_formula_defaults.py`` checks it). ``decoder_keys(...)`` gives the
     llama-style set.

   Everything is vectorized: ``c.v(...)`` holds one value per row of the table being counted, so use
   numpy/``c.where`` instead of ``if`` on values.
2. Add the module name to :data:`FAMILY_MODULES` below (one line).
3. Add a real published config to ``tests/fixtures/configs/`` (its source in the README there) and the
   family to the oracle and property tests, which compare against transformers on the meta device.
"""
from __future__ import annotations

import importlib

from pipeline.formula.spec import Family

#: One module per family, in documentation order.
FAMILY_MODULES: tuple[str, ...] = (
    "gpt2",
    "gpt_neox",
    "opt",
    "bloom",
    "falcon",
    "llama",
    "mistral",
    "mixtral",
    "qwen2",
    "qwen2_moe",
    "gemma",
    "gemma2",
    "phi3",
    "phi3small",
    "olmo",
    "olmo2",
    "deepseek",
    "deepseek_v2",
    "deepseek_v3",
    "bert",
    "t5",
    "vit",
    "gpt_oss",
    "qwen3",
    "qwen3_moe",
    "olmo3",
    "olmoe",
    "granite",
    "granitemoe",
    "smollm3",
    "starcoder2",
    "stablelm",
    "gemma3_text",
    "phimoe",
    "exaone4",
    "cohere",
    "cohere2",
    "llama4_text",
    "glm4_moe",
    "gpt_bigcode",
    "gptj",
    "phi",
    "ernie4_5",
    "roberta",
    "xlm_roberta",
    "deberta_v2",
    "whisper",
    "clip",
    "clip_text_model",
    "clip_vision_model",
    "siglip",
    "siglip_text_model",
    "siglip_vision_model",
    "mt5",
    "umt5",
    "mamba",
    "mamba2",
    "falcon_mamba",
    "jamba",
    "nemotron",
    "hunyuan_v1_dense",
    "hunyuan_v1_moe",
    "qwen3_next",
    "falcon_h1",
    "minimax",
    "qwen3_5",
    "qwen3_5_moe",
    "minimax_m2",
    "glm4_moe_lite",
    "glm_moe_dsa",
    "ministral3",
    "mistral3",
    "gemma3",
    "kimi_linear",
    "voxtral",
)


def _load(names: tuple[str, ...]) -> dict[str, Family]:
    families: dict[str, Family] = {}
    for module_name in names:
        family = importlib.import_module(f"pipeline.formula.models.{module_name}").FAMILY
        families[family.name] = family
    return families


#: family name -> Family
FAMILIES: dict[str, Family] = _load(FAMILY_MODULES)
#: model_type values read as another family (falcon's old RefinedWeb names).
MODEL_TYPE_ALIASES: dict[str, str] = {alias: fam.name for fam in FAMILIES.values() for alias in fam.model_types}
#: model_type values the engine counts with a formula.
SUPPORTED_FAMILIES: tuple[str, ...] = tuple(FAMILIES) + tuple(MODEL_TYPE_ALIASES)
#: The transformers class whose parameters each family's ``total`` equals.
FAMILY_CLASSES: dict[str, str] = {name: fam.cls for name, fam in FAMILIES.items()}
#: What is particular about each family's count (for documentation).
FAMILY_NOTES: dict[str, str] = {name: fam.notes for name, fam in FAMILIES.items()}
#: Extra modules each family reports.
FAMILY_EXTRAS: dict[str, tuple[str, ...]] = {name: fam.extras for name, fam in FAMILIES.items() if fam.extras}
