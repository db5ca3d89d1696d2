"""siglip: Google's SigLIP dual encoder (SiglipModel; SiglipForImageClassification).

Text tower: token and position tables, pre-LN encoder layers (q/k/v/out, fc1/fc2, all with biases),
a final LayerNorm and a ``head`` Linear(hidden → projection_size, default hidden) with bias. Vision
tower: a patch convolution with bias, a position table of (image_size ÷ patch_size)² rows (no class
token), a post-LayerNorm and, with ``vision_use_head`` (default true), the attention-pooling head (a
probe vector, a MultiheadAttention with packed in_proj, a LayerNorm and an MLP). The model adds the
scalars ``logit_scale`` and ``logit_bias`` (projector component). SiglipForImageClassification keeps
the vision tower and a Linear(hidden, num_labels). Source: transformers ``models/siglip/modeling_siglip.py``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pipeline.formula.common import encoder_layers, flatten_nested, head_is, nested_keys
from pipeline.formula.models.clip import merge, total
from pipeline.formula.spec import Family, Key, boolean
from pipeline.formula.terms import Ctx, Term, ZERO, linear

TEXT_DEFAULTS = {"vocab_size": 32000, "hidden_size": 768, "intermediate_size": 3072, "num_hidden_layers": 12,
                 "max_position_embeddings": 64}
VISION_DEFAULTS = {"hidden_size": 768, "intermediate_size": 3072, "num_hidden_layers": 12, "num_channels": 3,
                   "image_size": 224, "patch_size": 16}


def text_tower(c: Ctx, prefix: str) -> dict[str, Term]:
    """Parts of a SigLIP text transformer whose keys are ``<prefix><name>``."""
    V, h, I, L, P, D = (c.v(prefix + k) for k in ("vocab_size", "hidden_size", "intermediate_size",
                                                   "num_hidden_layers", "max_position_embeddings",
                                                   "projection_size"))
    attention, mlp, norms = encoder_layers(c, L, h, I)
    return {"embeddings": V * h, "position": P * h, "attention": attention, "mlp": mlp, "norms": norms + 2 * h,
            "pooler": linear(c, h, D)}


def vision_tower(c: Ctx, prefix: str) -> dict[str, Term]:
    """Parts of a SigLIP vision transformer whose keys are ``<prefix><name>``."""
    h, I, L, C, S, p = (c.v(prefix + k) for k in ("hidden_size", "intermediate_size", "num_hidden_layers",
                                                   "num_channels", "image_size", "patch_size"))
    N = c.derived("num_patches", (S // p) * (S // p))
    attention, mlp, norms = encoder_layers(c, L, h, I)
    pooling_head = h + (3 * h) * h + 3 * h + linear(c, h, h) + 2 * h + linear(c, h, I) + linear(c, I, h)
    return {"patch_embedding": C * h * p * p + h, "position": N * h, "attention": attention, "mlp": mlp,
            "norms": norms + 2 * h,
            "pooler": c.when(c.flag(prefix + "vision_use_head"), pooling_head, note="vision_use_head false")}


def _prepare(df: pd.DataFrame, pos: np.ndarray, raw: dict[str, Any]) -> None:
    flatten_nested(raw, "text_config", list(TEXT_DEFAULTS) + ["projection_size"])
    flatten_nested(raw, "vision_config", list(VISION_DEFAULTS) + ["vision_use_head"])


def tower_keys(prefix: str, text: bool) -> dict[str, Key]:
    """The keys of one tower, named ``<prefix><name>``, with SiglipTextConfig/SiglipVisionConfig defaults."""
    defaults = TEXT_DEFAULTS if text else VISION_DEFAULTS
    keys = {prefix + name: Key(default=default) for name, default in defaults.items()}
    if text:
        keys[prefix + "projection_size"] = Key(default=lambda c: c[prefix + "hidden_size"])
    else:
        keys[prefix + "patch_size"] = Key(default=VISION_DEFAULTS["patch_size"], positive=True)
        keys[prefix + "vision_use_head"] = boolean(True)
    return keys


def build(c: Ctx):
    both = head_is(c, "base")
    text = text_tower(c, "text_config.")
    vision = vision_tower(c, "vision_config.")
    labels = c.v("_num_labels", "num_labels")
    parts = merge({name: c.when(both, term) for name, term in text.items()}, vision)
    parts["projection"] = c.when(both, 2, note="no logit scale/bias in the classifier")
    parts["classifier"] = c.when(head_is(c, "img_cls"), linear(c, c.v("vision_config.hidden_size"), labels))
    c.component("text_encoder", c.when(both, total(text), note="no text tower in the classifier"))
    c.component("vision_encoder", total(vision))
    c.component("projector", parts["projection"] + parts["classifier"])
    return parts, ZERO, {}


FAMILY = Family(
    "siglip", "SiglipModel",
    {
        "text_config": Key(kind="obj", default=None),
        "vision_config": Key(kind="obj", default=None),
        **tower_keys("text_config.", text=True),
        **tower_keys("vision_config.", text=False),
    },
    ("embeddings", "position", "patch_embedding", "projection", "attention", "mlp", "norms", "pooler",
     "classifier"),
    notes="Text head (hidden → projection_size) and the vision attention-pooling head under pooler; "
          "logit_scale and logit_bias (2) under projection; no class token.",
    prepare=_prepare,
    build=build,
    heads=("base", "img_cls"),
    head_width=None,
    own_heads=True,
)
