"""xlm-roberta: XLM-RoBERTa encoders, RoBERTa's modules under XLMRoberta* class names.
Source: transformers ``models/xlm_roberta/modeling_xlm_roberta.py``."""
from __future__ import annotations

from pipeline.formula.models.roberta import roberta_family

FAMILY = roberta_family("xlm-roberta", "XLMRoberta")
