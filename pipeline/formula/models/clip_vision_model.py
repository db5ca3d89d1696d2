"""clip_vision_model: CLIP's vision tower alone (CLIPVisionModel), as LLaVA-style models and
image-variation pipelines publish it. Counted as :mod:`pipeline.formula.models.clip`'s vision tower with
top-level keys (CLIPVisionConfig defaults). Source: transformers ``models/clip/modeling_clip.py``."""
from __future__ import annotations

from pipeline.formula.models.clip import VISION_DEFAULTS, vision_tower
from pipeline.formula.spec import Family, Key
from pipeline.formula.terms import Ctx, ZERO


def build(c: Ctx):
    return vision_tower(c, ""), ZERO, {}


FAMILY = Family(
    "clip_vision_model", "CLIPVisionModel",
    {**{name: Key(default=default) for name, default in VISION_DEFAULTS.items()},
     "patch_size": Key(default=VISION_DEFAULTS["patch_size"], positive=True)},
    ("cls_token", "patch_embedding", "position", "attention", "mlp", "norms"),
    notes="Class embedding, bias-free patch convolution, (image_size ÷ patch_size)² + 1 positions, LayerNorms "
          "before and after the encoder; CLIPVisionModelWithProjection is counted by transformers.",
    build=build,
    heads=("base",),
    head_width=None,
)
