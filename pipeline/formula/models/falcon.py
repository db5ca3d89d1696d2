from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pipeline.formula.terms import Ctx, ZERO, linear
from pipeline.formula.spec import Family, Key, boolean, column, required
from pipeline.formula.common import heads_default, tied_head


def _falcon_prepare(df: pd.DataFrame, pos: np.ndarray, raw: dict[str, Any]) -> None:
    """Old ``RefinedWeb``/``RefinedWebModel`` configs, renamed as transformers' conversion script does.

    ``convert_custom_code_checkpoint.py``: n_head → num_attention_heads, n_layer → num_hidden_layers,
    n_head_kv → num_kv_heads with new_decoder_architecture = True, else new_decoder_architecture = False.
    """
    mt = column(df, "model_type", pos)
    rw = np.isin(mt.astype(object), ["RefinedWeb", "RefinedWebModel"])
    if not rw.any():
        return
    for old, new in (("n_head", "num_attention_heads"), ("n_layer", "num_hidden_layers"),
                     ("n_head_kv", "num_kv_heads")):
        if old in df.columns:
            vals = column(df, old, pos)
            take = rw & ~pd.isna(vals)
            if take.any():
                cur = raw[new].copy()
                cur[take] = vals[take]
                raw[new] = cur
    has_kv = ~pd.isna(column(df, "n_head_kv", pos)) if "n_head_kv" in df.columns else np.zeros(len(pos), bool)
    nda = raw["new_decoder_architecture"].copy()
    nda[rw] = has_kv[rw]
    raw["new_decoder_architecture"] = nda


def build(c: Ctx):
    V, h, L, H = c.v("vocab_size"), c.v("hidden_size"), c.v("num_hidden_layers"), c.v("num_attention_heads")
    KV, F = c.v("num_kv_heads"), c.v("ffn_hidden_size")
    d = c.derived("head_dim", h // H)
    bias = c.flag("bias")
    new_arch, mq = c.flag("new_decoder_architecture"), c.flag("multi_query")
    qkv = c.where(new_arch, (2 * KV + H) * d, c.where(mq, h + 2 * d, 3 * h))
    two_ln = ~c.flag("parallel_attn") | (c.flag("num_ln_in_parallel_attn") == 2)
    parts = {
        "embeddings": V * h,
        "attention": L * (linear(c, h, qkv, bias) + linear(c, h, h, bias)),
        "mlp": L * (linear(c, h, F, bias) + linear(c, F, h, bias)),
        "norms": L * c.where(two_ln, 2 * (2 * h), 2 * h) + 2 * h,
        "head": tied_head(c, V, h),
    }
    return parts, ZERO, {}


FAMILY = Family(
    "falcon", "FalconForCausalLM",
    {
        "vocab_size": required(),
        "hidden_size": required(aliases=("n_embed",)),
        "num_hidden_layers": required(),
        "num_attention_heads": required(positive=True),
        "new_decoder_architecture": boolean(False),
        "num_kv_heads": Key(default=heads_default),
        "multi_query": boolean(True),
        "parallel_attn": boolean(True),
        "bias": boolean(False),
        "num_ln_in_parallel_attn": Key(default=lambda c: np.where(c["new_decoder_architecture"], 2, 1)),
        "ffn_hidden_size": Key(default=lambda c: 4 * c["hidden_size"]),
        "tie_word_embeddings": boolean(True),
    },
    ("embeddings", "attention", "mlp", "norms", "head"),
    notes="Fused query_key_value width: (2·num_kv_heads + heads)·head_dim with new_decoder_architecture, "
          "hidden + 2·head_dim with multi_query, else 3·hidden. LayerNorms per block: 2 unless parallel "
          "attention with num_ln_in_parallel_attn ≠ 2 (then 1). RefinedWeb/RefinedWebModel keys are "
          "renamed as transformers' conversion script does.",
    prepare=_falcon_prepare,
    build=build,
    model_types=("RefinedWeb", "RefinedWebModel"),
)
