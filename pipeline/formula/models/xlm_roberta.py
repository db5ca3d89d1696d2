"""xlm-roberta: XLM-RoBERTa (XLMRobertaModel with its pooler): RoBERTa's tensors with a 250k
vocabulary. Source: transformers ``models/xlm_roberta/modeling_xlm_roberta.py``."""
from __future__ import annotations

import dataclasses

from pipeline.formula.models.bert import FAMILY as BERT

FAMILY = dataclasses.replace(BERT, name="xlm-roberta", cls="XLMRobertaModel (with pooler)",
                             notes="BERT's tensors (word, position, token-type tables, encoder, pooler).")
