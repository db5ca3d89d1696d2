"""siglip_vision_model: SigLIP's vision tower alone (SiglipVisionModel), the vision encoder of
PaliGemma, Idefics3, LLaVA-OneVision and others. Counted as :mod:`pipeline.formula.models.siglip`'s
vision tower with top-level keys. Source: transformers ``models/siglip/modeling_siglip.py``."""
from __future__ import annotations

from pipeline.formula.models.siglip import tower_keys, vision_tower
from pipeline.formula.spec import Family
from pipeline.formula.terms import Ctx, ZERO


def build(c: Ctx):
    return vision_tower(c, ""), ZERO, {}


FAMILY = Family(
    "siglip_vision_model", "SiglipVisionModel",
    tower_keys("", text=False),
    ("patch_embedding", "position", "attention", "mlp", "norms", "pooler"),
    notes="Patch convolution with bias, (image_size ÷ patch_size)² positions, post-LayerNorm and, with "
          "vision_use_head, the attention-pooling head (under pooler).",
    build=build,
    heads=("base",),
    head_width=None,
)
