"""clip_text_model: CLIP's text tower alone (CLIPTextModel), as Stable Diffusion's text encoders
publish it. Counted as :mod:`pipeline.formula.models.clip`'s text tower with top-level keys
(CLIPTextConfig defaults). Source: transformers ``models/clip/modeling_clip.py``."""
from __future__ import annotations

from pipeline.formula.models.clip import TEXT_DEFAULTS, text_tower
from pipeline.formula.spec import Family, Key
from pipeline.formula.terms import Ctx, ZERO


def build(c: Ctx):
    return text_tower(c, ""), ZERO, {}


FAMILY = Family(
    "clip_text_model", "CLIPTextModel",
    {name: Key(default=default) for name, default in TEXT_DEFAULTS.items()},
    ("embeddings", "position", "attention", "mlp", "norms"),
    notes="Token and position tables, pre-LN layers, final LayerNorm; CLIPTextModelWithProjection (adds a "
          "bias-free projection) is counted by transformers.",
    build=build,
    heads=("base",),
    head_width=None,
)
