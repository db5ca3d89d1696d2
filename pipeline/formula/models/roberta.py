"""roberta: RoBERTa (RobertaModel with its pooler): BERT's tensors; the position table has
max_position_embeddings rows (514 in the released configs: RoBERTa offsets positions by the padding
index). Source: transformers ``models/roberta/modeling_roberta.py``. Masked-LM and classification
heads (``architectures``) are counted by transformers."""
from __future__ import annotations

import dataclasses

from pipeline.formula.models.bert import FAMILY as BERT

FAMILY = dataclasses.replace(BERT, name="roberta", cls="RobertaModel (with pooler)",
                             notes="BERT's tensors (word, position, token-type tables, encoder, pooler).")
