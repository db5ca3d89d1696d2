from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pipeline.formula.terms import Ctx, Term, ZERO, linear
from pipeline.formula.spec import Family, Key, boolean, required
from pipeline.formula.common import hidden_per_head


def _vit_prepare(df: pd.DataFrame, pos: np.ndarray, raw: dict[str, Any]) -> None:
    """image_size / patch_size may be an int or an (height, width) pair: split into two columns each."""
    for key in ("image_size", "patch_size"):
        vals = raw[key]
        h = np.empty(len(vals), dtype=object)
        w = np.empty(len(vals), dtype=object)
        if vals.dtype != object:
            h[:] = vals
            w[:] = vals
        else:
            seq = np.fromiter((isinstance(x, (list, tuple)) for x in vals), dtype=bool, count=len(vals))
            h[~seq] = vals[~seq]
            w[~seq] = vals[~seq]
            for i in np.flatnonzero(seq):
                pair = vals[i]
                if len(pair) == 2:
                    h[i], w[i] = pair[0], pair[1]
                else:
                    h[i] = w[i] = "invalid"
        raw[key + "_h"], raw[key + "_w"] = h, w


def build(c: Ctx):
    h, L, H, I, C = (c.v("hidden_size"), c.v("num_hidden_layers"), c.v("num_attention_heads"),
                     c.v("intermediate_size"), c.v("num_channels"))
    d, Po = c.v("head_dim"), c.v("pooler_output_size")
    ih, iw, ph, pw = c.cols["image_size_h"], c.cols["image_size_w"], c.cols["patch_size_h"], c.cols["patch_size_w"]
    N = c.derived("num_patches", Term((ih // ph) * (iw // pw)))
    pp = c.derived("patch_area", Term(ph * pw))
    qb = c.flag("qkv_bias")
    parts = {
        "patch_embedding": C * h * pp + h,
        "cls_token": h,
        "position": (N + 1) * h,
        "attention": L * (3 * linear(c, h, H * d, qb) + linear(c, H * d, h)),
        "mlp": L * (linear(c, h, I) + linear(c, I, h)),
        "norms": L * (2 * (2 * h)) + 2 * h,
        "pooler": linear(c, h, Po),
    }
    return parts, ZERO, {}


FAMILY = Family(
    "vit", "ViTModel (with pooler)",
    {
        "hidden_size": required(),
        "num_hidden_layers": required(),
        "num_attention_heads": required(positive=True),
        "intermediate_size": required(),
        "image_size": Key(kind="obj", required=True),
        "patch_size": Key(kind="obj", required=True),
        "image_size_h": Key(),
        "image_size_w": Key(),
        "patch_size_h": Key(positive=True),
        "patch_size_w": Key(positive=True),
        "num_channels": Key(default=3),
        "qkv_bias": boolean(True),
        "head_dim": Key(default=hidden_per_head),
        "pooler_output_size": Key(default=lambda c: c["hidden_size"], zero_is_missing=True),
    },
    ("patch_embedding", "cls_token", "position", "attention", "mlp", "norms", "pooler"),
    notes="num_patches = (image_size ÷ patch_size)² (per side for pairs); the position table has "
          "num_patches + 1 rows (class token).",
    prepare=_vit_prepare,
    build=build,
    heads=("base",),
    head_width=None,
)
