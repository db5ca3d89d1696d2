"""siglip_text_model: SigLIP's text tower alone (SiglipTextModel). Counted as
:mod:`pipeline.formula.models.siglip`'s text tower with top-level keys.
Source: transformers ``models/siglip/modeling_siglip.py``."""
from __future__ import annotations

from pipeline.formula.models.siglip import text_tower, tower_keys
from pipeline.formula.spec import Family
from pipeline.formula.terms import Ctx, ZERO


def build(c: Ctx):
    return text_tower(c, ""), ZERO, {}


FAMILY = Family(
    "siglip_text_model", "SiglipTextModel",
    tower_keys("", text=True),
    ("embeddings", "position", "attention", "mlp", "norms", "pooler"),
    notes="Token and position tables, pre-LN layers, final LayerNorm and the head (hidden → projection_size, "
          "with bias) under pooler.",
    build=build,
    heads=("base",),
    head_width=None,
)
