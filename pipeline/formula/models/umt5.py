"""umt5: UMT5 (UMT5ForConditionalGeneration, UMT5Model, UMT5EncoderModel — the text encoder of
Wan 2.x), mT5 with a relative-position bias table in every block's self-attention (not only the
first). Source: transformers ``models/umt5/modeling_umt5.py``."""
from __future__ import annotations

from pipeline.formula.models.mt5 import t5_family

FAMILY = t5_family("umt5", "UMT5", bias_every_layer=True)
