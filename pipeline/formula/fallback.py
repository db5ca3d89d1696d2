"""Counting with transformers itself, for configs no formula family covers.

transformers builds the model on PyTorch's ``meta`` device (shapes only, no memory, no weights) and
``sum(p.numel() for p in model.parameters())`` is the exact count (tied tensors once). Slower than a
formula (about a second for a large model, plus transformers' import) but exact for every
``model_type`` transformers implements, and for every head class it implements. Results are cached
per config (canonical JSON), so a build that meets the same config twice instantiates it once.

The parameters are grouped by name into parts (input embedding, attention, MLP, experts, norms,
head) for ``explain``; towers of composite models (``language_model``, ``vision_tower``, ``text_model``,
an encoder-decoder's ``encoder``/``decoder``, ...) become ``components`` named as in
:data:`pipeline.fields.COMPONENTS`.
"""
from __future__ import annotations

import difflib
import functools
import json
import numbers
import re
import warnings
from typing import Any, Mapping

import numpy as np

from pipeline.formula.heads import head_kind
from pipeline.formula.terms import ConfigError

#: Keys that describe a checkpoint's storage or loading, not the architecture: dropped before building.
_NOT_ARCHITECTURE = ("quantization_config", "auto_map", "_name_or_path", "transformers_version", "torch_dtype",
                     "dtype")

#: Default class per model_type, in order of preference (the family's usual published checkpoint).
_DEFAULT_MAPPINGS = ("MODEL_FOR_CAUSAL_LM_MAPPING_NAMES", "MODEL_FOR_IMAGE_TEXT_TO_TEXT_MAPPING_NAMES",
                     "MODEL_FOR_SEQ_TO_SEQ_CAUSAL_LM_MAPPING_NAMES", "MODEL_FOR_SPEECH_SEQ_2_SEQ_MAPPING_NAMES",
                     "MODEL_MAPPING_NAMES")

#: (pattern on the parameter name, part), first match wins. Part names as the formula families use.
_PART_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p, re.IGNORECASE), part) for p, part in (
    (r"(^|\.)(lm_head|embed_out|score|classifier|cls|qa_outputs|proj_out|output_projection)\.", "head"),
    (r"(^|\.)pooler\.", "pooler"),
    (r"(position|wpe|embed_positions|token_type|relative_attention_bias|pos_embed)", "position"),
    (r"(patch_embed|patch_embedding)", "patch_embedding"),
    (r"(cls_token|class_embedding)", "cls_token"),
    (r"(norm|(^|\.)ln_?\w*\.|layer_norm|layernorm)", "norms"),
    (r"(embed_tokens|word_embeddings|(^|\.)wte\.|(^|\.)shared\.|embeddings\.)", "embeddings"),
    (r"(shared_expert|shared_mlp|shared_experts)", "experts_shared"),
    (r"(^|\.)experts?\.", "experts_routed"),
    (r"(router|(^|\.)gate\.weight$|(^|\.)gate\.bias$)", "router"),
    (r"(attn|attention|q_proj|k_proj|v_proj|o_proj|qkv|query|key|value|mixer|linear_attn|conv)", "attention"),
    (r"(mlp|ffn|feed_forward|fc\d|intermediate|output\.dense|dense|wi|wo)", "mlp"),
))

#: Top-level sub-module names of composite models -> component names (pipeline.fields.COMPONENTS).
_TOWERS = {
    "language_model": "language_model", "text_model": "text_encoder", "text_encoder": "text_encoder",
    "vision_model": "vision_encoder", "vision_tower": "vision_encoder", "visual": "vision_encoder",
    "vision_encoder": "vision_encoder", "vision": "vision_encoder",
    "audio_tower": "audio_encoder", "audio_encoder": "audio_encoder", "audio_model": "audio_encoder",
    "multi_modal_projector": "projector", "mm_projector": "projector", "visual_projection": "projector",
    "text_projection": "projector", "connector": "projector", "vision_projection": "projector",
    "embed_vision": "projector", "embed_audio": "projector",
}
_ENCODER_DECODER_TOWERS = {"encoder": "encoder", "decoder": "decoder"}

#: Keys naming the routed experts of a mixture-of-experts config, and how many a token visits.
_EXPERT_KEYS = ("num_local_experts", "num_experts", "n_routed_experts", "moe_num_experts")
_TOP_K_KEYS = ("num_experts_per_tok", "moe_k", "top_k", "num_experts_per_token", "top_k_experts")


def _transformers():
    """transformers and torch, imported on first use (the import takes seconds)."""
    try:
        import torch
        import transformers
        from transformers.models.auto import configuration_auto, modeling_auto
    except ImportError as error:  # pragma: no cover - both are in requirements.lock
        raise ConfigError(f"counting this model_type needs transformers and torch ({error})") from error
    return torch, transformers, configuration_auto, modeling_auto


def known_model_types() -> tuple[str, ...]:
    """Every model_type transformers implements."""
    _torch, _tf, configuration_auto, _ma = _transformers()
    return tuple(configuration_auto.CONFIG_MAPPING_NAMES)


def transformers_knows(model_type: Any) -> bool:
    """Whether transformers has a config class for ``model_type``."""
    return isinstance(model_type, str) and model_type in known_model_types()


def unknown_model_type_message(model_type: Any, engine_families: tuple[str, ...]) -> str:
    """The error for a model_type neither the engine nor transformers knows, naming the closest ones."""
    try:
        candidates = tuple(dict.fromkeys(engine_families + known_model_types()))
    except ConfigError:
        candidates = engine_families
    close = difflib.get_close_matches(str(model_type), candidates, n=3, cutoff=0.5)
    hint = f"; closest known: {', '.join(close)}" if close else ""
    return (f"unknown model_type {model_type!r}: neither the formula engine nor transformers implements it"
            f"{hint} (the engine's families: {', '.join(engine_families)})")


def _model_class(model_type: str, architecture: str | None, is_encoder_decoder: bool = False):
    """The class to build: the one ``architectures`` names if transformers has it, else the default
    (for an encoder-decoder, its sequence-to-sequence class: Whisper's, T5's ForConditionalGeneration)."""
    _torch, transformers, _ca, modeling_auto = _transformers()
    if architecture:
        cls = getattr(transformers, architecture, None)
        if isinstance(cls, type) and hasattr(cls, "config_class"):
            return cls
    order = _DEFAULT_MAPPINGS
    if is_encoder_decoder:
        order = ("MODEL_FOR_SPEECH_SEQ_2_SEQ_MAPPING_NAMES", "MODEL_FOR_SEQ_TO_SEQ_CAUSAL_LM_MAPPING_NAMES") + order
    for mapping_name in order:
        names = getattr(modeling_auto, mapping_name, {})
        if model_type in names:
            name = names[model_type]
            name = name[0] if isinstance(name, (list, tuple)) else name
            cls = getattr(transformers, name, None)
            if cls is not None:
                return cls
    raise ConfigError(f"transformers has no model class for model_type {model_type!r}")


def _components_of(named: list[tuple[str, int]], is_encoder_decoder: bool) -> dict[str, int]:
    towers = dict(_TOWERS, **(_ENCODER_DECODER_TOWERS if is_encoder_decoder else {}))
    found: dict[str, int] = {}
    for name, numel in named:
        pieces = name.split(".")
        # the tower is a top-level module, or one level down (``model.vision_tower``)
        tower = next((towers[p] for p in pieces[:2] if p in towers), None)
        if tower is None and pieces[0] == "lm_head":
            tower = "language_model"
        if tower is not None:
            found[tower] = found.get(tower, 0) + numel
    if len(found) < 2 or (set(found) == {"language_model"}):
        return {}
    return found


def _int_key(config: Mapping[str, Any], keys: tuple[str, ...]) -> int | None:
    """The first positive whole number under one of ``keys`` (top level, then nested sections).

    A config row of a table arrives with numpy integers, or floats where other rows lack the key
    (``256.0``), so any integral real counts, not only Python ``int``; booleans and NaN do not.
    """
    sections = [config] + [v for v in config.values() if isinstance(v, dict)]
    for section in sections:
        for key in keys:
            value = section.get(key)
            if (isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
                    and float(value).is_integer() and value > 0):
                return int(value)
    return None


def _annotations(config_cls: type) -> dict[str, str]:
    hints: dict[str, str] = {}
    for klass in reversed(config_cls.__mro__):
        hints.update({k: str(v) for k, v in getattr(klass, "__annotations__", {}).items()})
    return hints


def _coerce_numbers(config_cls: type, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Whole floats as ints unless the config class declares ``float``; ints where it declares ``float``.

    A table column mixing ints and missing values holds floats (4096.0), and transformers' config
    dataclasses validate types strictly; the JSON a config came from said 4096.
    """
    hints = _annotations(config_cls)
    out = dict(kwargs)
    for key, value in kwargs.items():
        hint = hints.get(key, "")
        if isinstance(value, float) and value.is_integer() and "float" not in hint:
            out[key] = int(value)
        elif isinstance(value, int) and not isinstance(value, bool) and "float" in hint and "int" not in hint:
            out[key] = float(value)
    return out


@functools.lru_cache(maxsize=4096)
def _count_json(config_json: str) -> str:
    config = json.loads(config_json)
    torch, transformers, _ca, _ma = _transformers()
    model_type = config.pop("model_type")
    architectures = config.get("architectures")
    architecture = architectures[0] if isinstance(architectures, list) and architectures else None
    kwargs = {k: v for k, v in config.items() if k not in _NOT_ARCHITECTURE}
    level = transformers.logging.get_verbosity()
    transformers.logging.set_verbosity_error()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            config_cls = transformers.AutoConfig.for_model(model_type).__class__
            hf_config = config_cls(**_coerce_numbers(config_cls, kwargs))
            cls = _model_class(model_type, architecture, bool(getattr(hf_config, "is_encoder_decoder", False)))
            with torch.device("meta"):
                model = cls(hf_config)
    except ConfigError:
        raise
    except Exception as error:  # transformers raises many kinds for a config it cannot build
        raise ConfigError(f"transformers cannot build {model_type!r} from this config: "
                          f"{type(error).__name__}: {error}") from error
    finally:
        transformers.logging.set_verbosity(level)

    named = [(name, p.numel()) for name, p in model.named_parameters()]   # tied tensors once
    total = sum(n for _, n in named)
    inp, out = _safe(model, "get_input_embeddings"), _safe(model, "get_output_embeddings")
    # the input embedding is a token table; a vision model's patch projection is not one
    if not isinstance(inp, torch.nn.Embedding):
        inp = None
    input_ids = {id(p) for p in inp.parameters()} if inp is not None else set()
    output_ids = {id(p) for p in out.parameters()} - input_ids if out is not None else set()
    input_embedding = output_embedding = 0
    parts: dict[str, int] = {}
    for name, param in model.named_parameters():
        if id(param) in input_ids:
            part = "embeddings"
            input_embedding += param.numel()
        elif id(param) in output_ids:
            part = "head"
            output_embedding += param.numel()
        else:
            part = next((p for rule, p in _PART_RULES if rule.search(name)), "other")
            # a name-matched embedding or head that is not the model's input/output module
            part = {"embeddings": "other", "head": "classifier"}.get(part, part)
        parts[part] = parts.get(part, 0) + param.numel()
    embedding = input_embedding + output_embedding + parts.get("position", 0)
    parts_fixed = parts

    idle, routed = 0, parts_fixed.get("experts_routed", 0)
    experts, top_k = _int_key(config, _EXPERT_KEYS), _int_key(config, _TOP_K_KEYS)
    active: int | None = total
    if routed:
        if experts and top_k and routed % experts == 0:
            idle = routed // experts * max(experts - top_k, 0)
            active = total - idle
        else:
            active = None    # experts present but their number or top-k is not readable
    is_encoder_decoder = bool(getattr(hf_config, "is_encoder_decoder", False))
    return json.dumps({
        "model_type": model_type, "total": total, "active": active,
        "input_embedding": input_embedding, "output_embedding": output_embedding, "embedding": embedding,
        "parts": {k: v for k, v in parts_fixed.items() if v}, "components": _components_of(named, is_encoder_decoder),
        "head": type(model).__name__, "method": "transformers",
        "head_source": "architectures" if architecture and type(model).__name__ == architecture else "default",
    })


def _safe(model, getter: str):
    try:
        return getattr(model, getter)()
    except (NotImplementedError, AttributeError, TypeError):
        return None


def _module_params(model, getter: str) -> int:
    module = _safe(model, getter)
    return sum(p.numel() for p in module.parameters()) if module is not None else 0


def meta_count(config: Mapping[str, Any]) -> dict[str, Any]:
    """Count ``config`` by building it with transformers on the meta device.

    Returns ``total``, ``active`` (None when a mixture-of-experts config does not say how many experts
    a token visits), ``input_embedding``, ``output_embedding`` (untied head), ``embedding``, ``parts``
    (parameters grouped by name), ``components``, ``head`` (the class built) and ``method``
    ("transformers"). Raises :class:`ConfigError` when transformers cannot build the config.
    """
    if not transformers_knows(config.get("model_type")):
        raise ConfigError(f"transformers does not implement model_type {config.get('model_type')!r}")
    try:
        canonical = json.dumps(dict(config), sort_keys=True, default=str)
    except (TypeError, ValueError) as error:
        raise ConfigError(f"config is not JSON-like: {error}") from error
    return json.loads(_count_json(canonical))


def class_exists(architecture: str | None) -> bool:
    """Whether transformers has a model class of that name."""
    if not architecture:
        return False
    _torch, transformers, _ca, _ma = _transformers()
    return isinstance(getattr(transformers, architecture, None), type)


__all__ = ["meta_count", "transformers_knows", "unknown_model_type_message", "known_model_types", "class_exists",
           "head_kind"]
