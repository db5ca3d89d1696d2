"""clip: OpenAI's CLIP dual encoder (CLIPModel; CLIPForImageClassification).

Text tower: token and position tables, pre-LN encoder layers (q/k/v/out and fc1/fc2, all with
biases), a final LayerNorm. Vision tower: a class embedding, a bias-free patch convolution
(num_channels × hidden × patch²), a position table of (image_size ÷ patch_size)² + 1 rows,
LayerNorms before and after the encoder. Projections: bias-free ``visual_projection`` and
``text_projection`` to ``projection_dim`` plus the scalar ``logit_scale``. Nested ``text_config`` /
``vision_config`` keys take CLIPTextConfig's / CLIPVisionConfig's defaults; a legacy
``text_config_dict`` / ``vision_config_dict`` replaces its sub-config (CLIPConfig's rule). Components:
text_encoder, vision_encoder and projector. CLIPForImageClassification keeps only the vision tower
and a Linear(hidden, num_labels). Source: transformers ``models/clip/modeling_clip.py``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pipeline.formula.common import encoder_layers, flatten_nested, head_is, nested_keys
from pipeline.formula.spec import Family, Key
from pipeline.formula.terms import Ctx, Term, ZERO, linear

TEXT_DEFAULTS = {"vocab_size": 49408, "hidden_size": 512, "intermediate_size": 2048, "num_hidden_layers": 12,
                 "max_position_embeddings": 77}
VISION_DEFAULTS = {"hidden_size": 768, "intermediate_size": 3072, "num_hidden_layers": 12, "num_channels": 3,
                   "image_size": 224, "patch_size": 32}


def text_tower(c: Ctx, prefix: str) -> dict[str, Term]:
    """Parts of a CLIP text transformer whose keys are ``<prefix><name>``."""
    V, h, I, L, P = (c.v(prefix + k) for k in ("vocab_size", "hidden_size", "intermediate_size",
                                                "num_hidden_layers", "max_position_embeddings"))
    attention, mlp, norms = encoder_layers(c, L, h, I)
    return {"embeddings": V * h, "position": P * h, "attention": attention, "mlp": mlp, "norms": norms + 2 * h}


def vision_tower(c: Ctx, prefix: str) -> dict[str, Term]:
    """Parts of a CLIP vision transformer whose keys are ``<prefix><name>``."""
    h, I, L, C, S, p = (c.v(prefix + k) for k in ("hidden_size", "intermediate_size", "num_hidden_layers",
                                                   "num_channels", "image_size", "patch_size"))
    N = c.derived("num_patches", (S // p) * (S // p))
    attention, mlp, norms = encoder_layers(c, L, h, I)
    return {"cls_token": h, "patch_embedding": C * h * p * p, "position": (N + 1) * h, "attention": attention,
            "mlp": mlp, "norms": norms + 2 * (2 * h)}


def total(parts: dict[str, Term]) -> Term:
    out = ZERO
    for term in parts.values():
        out = out + term
    return out


def merge(*towers: dict[str, Term]) -> dict[str, Term]:
    out: dict[str, Term] = {}
    for tower in towers:
        for name, term in tower.items():
            out[name] = out.get(name, ZERO) + term
    return out


def combine_towers(c: Ctx, towers: dict[str, dict[str, Term]]) -> dict[str, Term]:
    """Record each tower's total as the component it is keyed by (names from
    pipeline.fields.COMPONENTS) and return the model's parts: the towers' parts summed part by part."""
    for name, parts in towers.items():
        c.component(name, total(parts))
    return merge(*towers.values())


def _prepare(df: pd.DataFrame, pos: np.ndarray, raw: dict[str, Any]) -> None:
    flatten_nested(raw, "text_config", TEXT_DEFAULTS, override="text_config_dict")
    flatten_nested(raw, "vision_config", VISION_DEFAULTS, override="vision_config_dict")


def build(c: Ctx):
    both = head_is(c, "base")
    text = text_tower(c, "text_config.")
    vision = vision_tower(c, "vision_config.")
    ht, hv, D = c.v("text_config.hidden_size"), c.v("vision_config.hidden_size"), c.v("projection_dim")
    projector = c.when(both, D * hv + D * ht + 1, note="no projections in the classifier")
    labels = c.v("_num_labels", "num_labels")
    text_total = c.when(both, total(text), note="no text tower in the classifier")
    parts = merge({name: c.when(both, term) for name, term in text.items()}, vision)
    parts["projection"] = projector
    parts["classifier"] = c.when(head_is(c, "img_cls"), linear(c, hv, labels))
    c.component("text_encoder", text_total)
    c.component("vision_encoder", total(vision))
    c.component("projector", projector + parts["classifier"])
    return parts, ZERO, {}


FAMILY = Family(
    "clip", "CLIPModel",
    {
        "text_config": Key(kind="obj", default=None),
        "vision_config": Key(kind="obj", default=None),
        "text_config_dict": Key(kind="obj", default=None),
        "vision_config_dict": Key(kind="obj", default=None),
        **nested_keys("text_config", TEXT_DEFAULTS),
        **nested_keys("vision_config", VISION_DEFAULTS),
        "vision_config.patch_size": Key(default=VISION_DEFAULTS["patch_size"], positive=True),
        "projection_dim": Key(default=512),
    },
    ("embeddings", "position", "cls_token", "patch_embedding", "projection", "attention", "mlp", "norms",
     "classifier"),
    notes="Both towers plus the bias-free projections and logit_scale (projector component); keys of "
          "text_config / vision_config default to CLIPTextConfig / CLIPVisionConfig.",
    prepare=_prepare,
    build=build,
    heads=("base", "img_cls"),
    head_width=None,
    own_heads=True,
)
