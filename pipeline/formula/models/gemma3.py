"""gemma3: Gemma 3 vision-language models (Gemma3ForConditionalGeneration; Gemma 3 4B, 12B, 27B).

Language model (``text_config``, Gemma3TextConfig's defaults): :mod:`gemma3_text`'s decoder (four
RMSNorms per block, q/k norms of head_dim) without its head. Vision encoder (``vision_config``,
SiglipVisionConfig's defaults): :mod:`siglip`'s vision tower (the published configs set
``vision_use_head: false``). Projector: ``mm_input_projection_weight`` (vision hidden × text hidden)
and an RMSNorm of the vision width (the average pooling has no parameters). The output head is tied
unless the top-level ``tie_word_embeddings`` (default true) is false; the sub-config's flag is not
read. Components: language_model (with an untied head), vision_encoder, projector. A vision config
of another model_type is counted by transformers. Source: transformers
``models/gemma3/modeling_gemma3.py``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pipeline.formula.common import COMPOSITE_HEADS, SubConfigCtx, flatten_nested, generation_head
from pipeline.formula.models import gemma3_text, siglip
from pipeline.formula.models.clip import combine_towers
from pipeline.formula.spec import Family, Key, boolean, column
from pipeline.formula.terms import Ctx, ZERO

#: Gemma3TextConfig's defaults (the 1B/4B-like widths of the class).
TEXT_DEFAULTS: dict[str, Any] = {"vocab_size": 262208, "hidden_size": 2304, "num_hidden_layers": 26,
                                 "num_attention_heads": 8, "num_key_value_heads": 4, "head_dim": 256,
                                 "intermediate_size": 9216}
TEXT = "text_config."
VISION = "vision_config."
VISION_TYPE = "siglip_vision_model"


def _prepare(df: pd.DataFrame, pos: np.ndarray, raw: dict[str, Any]) -> None:
    raw["text_config"] = column(df, "text_config", pos)
    raw["vision_config"] = column(df, "vision_config", pos)
    flatten_nested(raw, "text_config", list(TEXT_DEFAULTS) + ["attention_bias", "tie_word_embeddings"])
    flatten_nested(raw, "vision_config", list(siglip.VISION_DEFAULTS) + ["vision_use_head", "model_type"])


def _validate(cols: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """A vision tower other than SigLIP's goes to transformers."""
    return {VISION + "model_type": cols[VISION + "model_type"] != VISION_TYPE}


def build(c: Ctx):
    language, _idle, _extras = gemma3_text.build(SubConfigCtx(c, TEXT))
    V, h = c.v(TEXT + "vocab_size"), c.v(TEXT + "hidden_size")
    language["head"] = generation_head(c, V, h)
    vision = siglip.vision_tower(c, VISION)
    vh = c.v(VISION + "hidden_size")
    projector = vh * h + vh
    towers = {"language_model": language, "vision_encoder": vision, "projector": {"projection": projector}}
    return combine_towers(c, towers), ZERO, {}


FAMILY = Family(
    "gemma3", "Gemma3ForConditionalGeneration",
    {
        **{TEXT + name: Key(default=default) for name, default in TEXT_DEFAULTS.items()},
        TEXT + "attention_bias": Key(kind="bool", default=False),
        # read by gemma3_text's head, which this family replaces by the top-level flag's
        TEXT + "tie_word_embeddings": Key(kind="bool", default=True),
        **siglip.tower_keys(VISION, text=False),
        VISION + "model_type": Key(kind="str", default=VISION_TYPE),
        "tie_word_embeddings": boolean(True),
    },
    ("embeddings", "position", "patch_embedding", "projection", "attention", "mlp", "norms", "pooler", "head"),
    notes="gemma3_text's decoder as language_model, SigLIP's vision tower as vision_encoder, the projection "
          "matrix and its RMSNorm as projector; keys of text_config / vision_config default to "
          "Gemma3TextConfig / SiglipVisionConfig; tied unless the top-level tie_word_embeddings is false.",
    prepare=_prepare,
    validate=_validate,
    build=build,
    **COMPOSITE_HEADS,
)
