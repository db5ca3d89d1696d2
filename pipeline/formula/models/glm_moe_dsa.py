"""glm_moe_dsa: GLM-5 / GLM-5.1 with DeepSeek sparse attention (GlmMoeDsaForCausalLM).

As :mod:`glm4_moe_lite` (latent attention, always with q_lora_rank here; DeepSeek-style MoE layers,
shared experts, router-bias buffers), with the first ``first_k_dense_replace`` layers dense (default
3) when ``mlp_layer_types`` does not list them, and a DSA indexer in every layer whose
``indexer_types`` entry is "full" (the others reuse the previous layer's top-k): wq_b (q_lora_rank →
index_n_heads × index_head_dim), wk (hidden → index_head_dim), a LayerNorm of index_head_dim with
bias and weights_proj (hidden → index_n_heads), all other projections bias-free. Without
``indexer_types`` the config class derives it from ``index_topk_pattern`` ("F"/"S" letters or a list)
or from ``index_topk_freq`` (default 1: every layer) and ``index_skip_topk_offset`` (default 2).
Source: transformers ``models/glm_moe_dsa/modeling_glm_moe_dsa.py``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pipeline.formula.models.glm4_moe_lite import mla_moe_keys, mla_moe_parts, sparse_layers
from pipeline.formula.spec import Family, Key, column
from pipeline.formula.terms import Ctx


def _listed_full(entries: Any, n: Any) -> int | None:
    """"full" layers among the first ``n`` entries of an indexer list or "F"/"S" pattern (None: not one)."""
    if isinstance(entries, str):
        entries = [{"F": "full", "S": "shared"}.get(letter) for letter in entries]
    if not isinstance(entries, (list, tuple)) or n != n:
        return None
    return sum(entry == "full" for entry in list(entries)[: int(n)])


def indexer_layers(num_layers: Any, indexer_types: Any, pattern: Any, freq: Any, offset: Any) -> np.ndarray:
    """Layers with their own DSA indexer per row: counted in ``indexer_types`` (else the
    ``index_topk_pattern``), else the layers i < num_layers with max(i − offset + 1, 0) divisible by
    max(freq, 1), as GlmMoeDsaConfig derives them. Missing depths give NaN."""
    layers = pd.to_numeric(pd.Series(num_layers, dtype=object), errors="coerce")
    freq = pd.to_numeric(pd.Series(freq, dtype=object), errors="coerce").fillna(1).clip(lower=1)
    offset = pd.to_numeric(pd.Series(offset, dtype=object), errors="coerce").fillna(2)
    # i ≤ offset − 1 gives 0 (divisible); above, j = i − offset + 1 runs over 1 … num_layers − offset
    low = np.minimum(offset.clip(lower=0), layers)
    first, last = (offset.clip(lower=0) - offset + 1), layers - offset
    multiples = (last // freq - (first - 1) // freq).where(last >= first, 0)
    by_rule = low + multiples
    types = pd.Series(indexer_types, dtype=object)
    chosen = types.where(types.map(lambda v: isinstance(v, (list, tuple))), pd.Series(pattern, dtype=object))
    listed = [_listed_full(v, n) for v, n in zip(chosen, layers)]
    has_list = pd.Series([v is not None for v in listed])
    return pd.Series(listed, dtype=object).where(has_list, by_rule).to_numpy(dtype=object)


def _prepare(df: pd.DataFrame, pos: np.ndarray, raw: dict[str, Any]) -> None:
    first_dense = pd.to_numeric(pd.Series(raw["first_k_dense_replace"], dtype=object), errors="coerce").fillna(3)
    raw["_sparse_layers"] = sparse_layers(raw["num_hidden_layers"], first_dense, raw["mlp_layer_types"])
    raw["_indexer_layers"] = indexer_layers(raw["num_hidden_layers"], column(df, "indexer_types", pos),
                                            column(df, "index_topk_pattern", pos),
                                            column(df, "index_topk_freq", pos),
                                            column(df, "index_skip_topk_offset", pos))


def build(c: Ctx):
    parts, idle, extras = mla_moe_parts(c)
    h, qr = c.v("hidden_size"), c.v("q_lora_rank")
    nI, dI = c.v("index_n_heads"), c.v("index_head_dim")
    indexer = qr * (nI * dI) + h * dI + 2 * dI + h * nI
    parts["attention"] = parts["attention"] + c.v("_indexer_layers", "indexer_layers") * indexer
    return parts, idle, extras


def _keys() -> dict[str, Key]:
    keys = mla_moe_keys(q_lora_rank=2048, n_shared_experts=1, num_experts_per_tok=8)
    keys["first_k_dense_replace"] = Key(default=3)
    keys["index_n_heads"] = Key(default=32)
    keys["index_head_dim"] = Key(default=128)
    keys["_indexer_layers"] = Key()
    return keys


FAMILY = Family(
    "glm_moe_dsa", "GlmMoeDsaForCausalLM",
    _keys(),
    ("embeddings", "attention", "mlp", "experts_routed", "experts_shared", "router", "norms", "head"),
    notes="As glm4_moe_lite, with the first first_k_dense_replace layers dense (default 3) unless "
          "mlp_layer_types lists them, and a DeepSeek-sparse-attention indexer (wq_b, wk, a LayerNorm, "
          "weights_proj; under attention) in every layer indexer_types (or index_topk_pattern / "
          "index_topk_freq / index_skip_topk_offset) marks full.",
    prepare=_prepare,
    build=build,
    extras=("router_bias",),
)
