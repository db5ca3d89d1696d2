"""Every key the engine reads takes the default of transformers' config class for that model_type.

For each formula family transformers implements, the config class's own defaults
(``AutoConfig.for_model(model_type).to_dict()``) are counted twice: whole, and with one key the
engine reads removed at a time. A missing key must read as the class default, so both counts must be
equal, and the whole default config must match transformers' meta-device count.
"""
from __future__ import annotations

import warnings

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
from transformers import AutoConfig, AutoModelForCausalLM, AutoModel, T5ForConditionalGeneration  # noqa: E402

from pipeline import formula  # noqa: E402

pytestmark = pytest.mark.oracle

REMOTE_ONLY = {"deepseek", "phi3small"}
FAMILIES = sorted(set(formula.FAMILY_CLASSES) - REMOTE_ONLY)


def class_defaults(model_type: str) -> dict:
    """The config class's defaults as a config.json would carry them (null values left out)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        values = AutoConfig.for_model(model_type).to_dict()
    return {k: v for k, v in values.items() if v is not None and k not in ("architectures", "transformers_version")}


def meta_total(cfg: dict) -> int:
    config = AutoConfig.for_model(**cfg)
    with warnings.catch_warnings(), torch.device("meta"):
        warnings.simplefilter("ignore")
        usual = getattr(transformers, formula.FAMILY_CLASSES[cfg["model_type"]].split(" ")[0], None)
        if cfg["model_type"] == "t5":
            model = T5ForConditionalGeneration(config)
        elif cfg["model_type"] in ("bert", "vit", "roberta", "xlm-roberta"):
            model = AutoModel.from_config(config)
        elif usual is not None:
            model = usual(config)             # the family's usual class (CLIPModel, WhisperForConditionalGeneration, ...)
        else:
            model = AutoModelForCausalLM.from_config(config)
    return sum(p.numel() for p in model.parameters())


#: Config classes whose defaults leave head_dim None, which transformers cannot build (the formula
#: requires the key, so such a config is handed to transformers and fails there).
NO_BUILDABLE_DEFAULT = {"hunyuan_v1_dense", "hunyuan_v1_moe"}


@pytest.mark.parametrize("family", [f for f in FAMILIES if f not in NO_BUILDABLE_DEFAULT])
def test_missing_keys_take_the_config_class_defaults(family):
    defaults = class_defaults(family)
    without_class_default = set()
    if family == "deepseek_v2":
        # DeepseekV2Config has no top-k default (None: no active count); any value lets the formula run
        defaults["num_experts_per_tok"] = 6
        without_class_default.add("num_experts_per_tok")
    whole = formula.count(defaults)
    assert whole["method"] == "formula", whole
    spec = formula.FAMILIES[family].keys
    checked = 0
    for key, key_spec in spec.items():
        names = (key,) + key_spec.aliases
        if key_spec.required or key in without_class_default or not any(name in defaults for name in names):
            continue
        reduced = {k: v for k, v in defaults.items() if k not in names}
        result = formula.count(reduced)
        assert result["method"] == "formula", (family, key)
        assert (result["total"], result["active"]) == (whole["total"], whole["active"]), (family, key)
        checked += 1
    for key in spec:
        # a nested key ("text_config.hidden_size") left out of its sub-config takes the sub-config class's
        # default, which may differ from the composite's own sub-config defaults (Mistral3Config's text
        # vocabulary is 131,072, MistralConfig's 32,000): compared with transformers itself
        parent, _, name = key.partition(".")
        if not name or not isinstance(defaults.get(parent), dict) or name not in defaults[parent]:
            continue
        reduced = {**defaults, parent: {k: v for k, v in defaults[parent].items() if k != name}}
        result = formula.count(reduced)
        assert result["method"] == "formula", (family, key)
        assert result["total"] == meta_total(reduced), (family, key)
        checked += 1
    assert checked or not [k for k, s in spec.items() if not s.required]


@pytest.mark.parametrize("family", [f for f in FAMILIES if f not in {"deepseek_v3", "nemotron"} | NO_BUILDABLE_DEFAULT])
def test_default_config_matches_meta_device(family):
    """The class defaults describe a real model (Llama-7B, Qwen3-MoE-30B, ...): counted exactly.
    (DeepSeek-V3's default, 671B parameters, is covered by the real DeepSeek-R1 config elsewhere;
    NemotronConfig's defaults leave num_key_value_heads None, which transformers cannot build.)"""
    defaults = class_defaults(family)
    assert formula.count(defaults)["total"] == meta_total(defaults)


def test_deepseek_q_lora_rank_defaults_to_1536():
    """DeepseekV2Config and DeepseekV3Config: q_lora_rank = 1536 when the key is absent."""
    for model_type in ("deepseek_v2", "deepseek_v3"):
        assert AutoConfig.for_model(model_type).q_lora_rank == 1536
        assert formula.FAMILIES[model_type].keys["q_lora_rank"].default == 1536


@pytest.mark.parametrize("family", ["mistral3", "qwen3_5", "qwen3_5_moe", "gemma3", "voxtral"])
def test_composite_without_sub_configs_takes_the_composite_class_defaults(family):
    """No ``text_config`` / ``vision_config`` at all: the composite config class builds its own
    sub-configs (Mistral3Config's are Mistral Small 3.1's widths, not MistralConfig's defaults)."""
    cfg = {"model_type": family}
    result = formula.count(cfg)
    assert result["method"] == "formula", result
    assert result["total"] == meta_total(cfg)
    assert sum(result["components"].values()) == result["total"]
