"""mistral3: Mistral 3 vision-language models (Mistral3ForConditionalGeneration; Mistral Small 3.1,
Devstral Small 2, Ministral 3).

Language model (``text_config``): a Mistral or Ministral 3 decoder (llama layout, no biases; its
``model_type`` says which, "mistral" when the sub-config does not name one). Keys it leaves out take
that config class's defaults; with no ``text_config`` at all, Mistral3Config's own sub-config
defaults (Mistral Small 3.1's widths) apply. A null or 0 head_dim means hidden/heads. The output head
is untied unless the top-level ``tie_word_embeddings`` (default true) ties it; the sub-config's flag is
not read. Vision encoder (``vision_config``, Pixtral): a bias-free patch convolution (num_channels ×
hidden × patch_size²), an RMSNorm before the transformer, layers of bias-free q/k/v/o (hidden ×
hidden), a bias-free SwiGLU and two RMSNorms. Projector: an RMSNorm of the vision width, the patch
merger (hidden·spatial_merge_size² → hidden, bias-free), linear_1 (vision hidden × feature layers →
text hidden) and linear_2 (text hidden → text hidden), both with bias when
``multimodal_projector_bias``. Components: language_model (with the head), vision_encoder,
projector. A text model of another model_type, or a vision model other than Pixtral, is counted by
transformers. Source: transformers ``models/mistral3/modeling_mistral3.py``,
``models/pixtral/modeling_pixtral.py``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pipeline.formula.common import COMPOSITE_HEADS, attn_qkvo, gated_mlp, generation_head
from pipeline.formula.models.clip import combine_towers
from pipeline.formula.models.ministral3 import head_dim_or_width
from pipeline.formula.spec import Family, Key, boolean, column
from pipeline.formula.terms import Ctx, ZERO, linear

TEXT_NAMES = ("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads",
              "head_dim", "intermediate_size")
#: Defaults of the text config classes a Mistral 3 model may name (None: hidden/heads).
TEXT_CLASS_DEFAULTS: dict[str, dict[str, Any]] = {
    "mistral": {"vocab_size": 32000, "hidden_size": 4096, "num_hidden_layers": 32, "num_attention_heads": 32,
                "num_key_value_heads": 8, "head_dim": None, "intermediate_size": 14336},
    "ministral3": {"vocab_size": 131072, "hidden_size": 4096, "num_hidden_layers": 34, "num_attention_heads": 32,
                   "num_key_value_heads": 8, "head_dim": 128, "intermediate_size": 14336},
}
#: Mistral3Config's sub-config used when ``text_config`` is absent (a MistralConfig).
TEXT_WHEN_ABSENT: dict[str, Any] = {"model_type": "mistral", "vocab_size": 131072, "hidden_size": 5120,
                                    "num_hidden_layers": 40, "num_attention_heads": 32, "num_key_value_heads": 8,
                                    "head_dim": 128, "intermediate_size": 32768}
VISION_NAMES = ("hidden_size", "intermediate_size", "num_hidden_layers", "num_channels", "patch_size")
#: PixtralVisionConfig's defaults.
VISION_CLASS_DEFAULTS: dict[str, dict[str, Any]] = {
    "pixtral": {"hidden_size": 1024, "intermediate_size": 4096, "num_hidden_layers": 24, "num_channels": 3,
                "patch_size": 16},
}
#: Mistral3Config's sub-config used when ``vision_config`` is absent (a PixtralVisionConfig).
VISION_WHEN_ABSENT: dict[str, Any] = {"model_type": "pixtral", "hidden_size": 1024, "intermediate_size": 4096,
                                      "num_hidden_layers": 24, "patch_size": 14}
TEXT = "text_config."
VISION = "vision_config."


def _sub_config(raw: dict[str, Any], df: pd.DataFrame, pos: np.ndarray, parent: str, names: tuple[str, ...],
                when_absent: dict[str, Any], class_defaults: dict[str, dict[str, Any]]) -> None:
    """Columns ``<parent>.<name>`` as transformers resolves them: the sub-config's value, else the
    default of the config class its ``model_type`` names (the spec's type when it names none), else,
    when the sub-config is absent, Mistral3Config's own sub-config. ``<parent>.model_type`` holds the
    type (None where no formula knows it)."""
    dicts = pd.Series(column(df, parent, pos), dtype=object).map(
        lambda v: v if isinstance(v, dict) else when_absent)
    types = dicts.map(lambda d: d.get("model_type", when_absent["model_type"]))
    raw[parent + ".model_type"] = types.where(types.isin(list(class_defaults)), None).to_numpy(dtype=object)
    for name in names:
        raw[f"{parent}.{name}"] = [d.get(name, class_defaults.get(t, {}).get(name)) for d, t in zip(dicts, types)]


def _prepare(df: pd.DataFrame, pos: np.ndarray, raw: dict[str, Any]) -> None:
    _sub_config(raw, df, pos, "text_config", TEXT_NAMES, TEXT_WHEN_ABSENT, TEXT_CLASS_DEFAULTS)
    _sub_config(raw, df, pos, "vision_config", VISION_NAMES, VISION_WHEN_ABSENT, VISION_CLASS_DEFAULTS)
    layers = pd.Series(column(df, "vision_feature_layer", pos), dtype=object)
    raw["_feature_layers"] = layers.map(lambda v: len(v) if isinstance(v, (list, tuple)) else 1).to_numpy(dtype=object)


def _validate(cols: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Rows whose text or vision model the formula does not know go to transformers."""
    return {key: pd.isna(pd.Series(cols[key], dtype=object)).to_numpy()
            for key in (TEXT + "model_type", VISION + "model_type")}


def _finish(cols: dict[str, np.ndarray], raw: dict[str, Any]) -> None:
    cols[TEXT + "head_dim"] = head_dim_or_width(cols[TEXT + "head_dim"], cols[TEXT + "hidden_size"],
                                                cols[TEXT + "num_attention_heads"])


def build(c: Ctx):
    V, h, L, H, KV, d, I = (c.v(TEXT + name) for name in TEXT_NAMES)
    vh, vI, vL, C, p = (c.v(VISION + name) for name in VISION_NAMES)
    m = c.v("spatial_merge_size")
    bias = c.flag("multimodal_projector_bias")
    language = {"embeddings": V * h, "attention": L * attn_qkvo(c, h, H, KV, d), "mlp": L * gated_mlp(c, h, I),
                "norms": L * (2 * h) + h, "head": generation_head(c, V, h)}
    vision = {"patch_embedding": C * vh * p * p, "attention": vL * (4 * (vh * vh)), "mlp": vL * gated_mlp(c, vh, vI),
              "norms": vh + vL * (2 * vh)}
    projector = (vh + vh * (m * m) * vh + linear(c, vh * c.v("_feature_layers", "feature_layers"), h, bias)
                 + linear(c, h, h, bias))
    towers = {"language_model": language, "vision_encoder": vision, "projector": {"projection": projector}}
    return combine_towers(c, towers), ZERO, {}


FAMILY = Family(
    "mistral3", "Mistral3ForConditionalGeneration",
    {
        **{TEXT + name: Key() for name in TEXT_NAMES},
        TEXT + "model_type": Key(kind="str", default=None),
        **{VISION + name: Key() for name in VISION_NAMES},
        VISION + "model_type": Key(kind="str", default=None),
        "_feature_layers": Key(),
        "spatial_merge_size": Key(default=2),
        "multimodal_projector_bias": boolean(False),
        "tie_word_embeddings": boolean(True),
    },
    ("embeddings", "patch_embedding", "projection", "attention", "mlp", "norms", "head"),
    notes="Mistral or Ministral 3 language model (text_config.model_type; absent keys take that class's "
          "defaults), Pixtral vision encoder and the projector (RMSNorm, patch merger, two linears) as "
          "components; the head follows the top-level tie_word_embeddings (default true).",
    prepare=_prepare,
    validate=_validate,
    build=build,
    finish=_finish,
    **COMPOSITE_HEADS,
)
