"""hunyuan_v1_moe: Tencent's Hunyuan mixture-of-experts decoders (HunYuanMoEV1ForCausalLM;
Hunyuan-A13B).

Hunyuan's attention (with query/key RMSNorms of head_dim); every layer's MLP is a bias-free router
(hidden → num_experts), num_experts SwiGLU experts of intermediate_size and one always-on shared
SwiGLU MLP of the same width. ``moe_topk`` (an int, or one value per layer) sets the experts a token
visits. Source: transformers ``models/hunyuan_v1_moe/modeling_hunyuan_v1_moe.py``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pipeline.formula.common import decoder_keys, gated_mlp, std_dims, tied_head
from pipeline.formula.models.hunyuan_v1_dense import hunyuan_attention
from pipeline.formula.spec import Family, Key, boolean, required
from pipeline.formula.terms import Ctx


def _prepare(df: pd.DataFrame, pos: np.ndarray, raw: dict[str, Any]) -> None:
    """``moe_topk`` may be a list (one top-k per layer): keep the list aside, read the int form."""
    topk = pd.Series(raw["moe_topk"], dtype=object)
    raw["_topk_list"] = topk.map(lambda v: v if isinstance(v, (list, tuple)) else None).to_numpy(dtype=object)
    raw["moe_topk"] = topk.map(lambda v: v[0] if isinstance(v, (list, tuple)) and v else v).to_numpy(dtype=object)


def _finish(cols: dict[str, np.ndarray], raw: dict[str, Any]) -> None:
    """Idle experts summed over layers (per-layer top-k where ``moe_topk`` is a list)."""
    E, L, k = cols["num_experts"], cols["num_hidden_layers"], cols["moe_topk"]
    idle = L * np.maximum(E - k, 0)
    lists = raw["_topk_list"]
    for i in np.flatnonzero(pd.notna(pd.Series(lists, dtype=object)).to_numpy()):
        per_layer = list(lists[i])[: int(L[i])]
        idle[i] = sum(max(int(E[i]) - int(t), 0) for t in per_layer)
    cols["_idle_experts"] = idle.astype(np.int64)


def build(c: Ctx):
    V, h, L, H, KV, d, I = std_dims(c)
    E = c.v("num_experts")
    expert = 3 * (h * I)
    parts = {
        "embeddings": V * h,
        "attention": L * hunyuan_attention(c, h, H, KV, d),
        "experts_routed": L * E * expert,
        "experts_shared": L * gated_mlp(c, h, I),
        "router": L * (E * h),
        "norms": L * (2 * h) + h,
        "head": tied_head(c, V, h),
    }
    return parts, c.v("_idle_experts", "idle_experts") * expert, {}


FAMILY = Family(
    "hunyuan_v1_moe", "HunYuanMoEV1ForCausalLM",
    decoder_keys(extra={"head_dim": required(), "attention_bias": boolean(False),
                        "num_experts": Key(default=1), "moe_topk": Key(default=1),
                        "_topk_list": Key(kind="obj", default=None)}),
    ("embeddings", "attention", "experts_routed", "experts_shared", "router", "norms", "head"),
    notes="Every layer: router, num_experts SwiGLU experts and one shared SwiGLU MLP, all of intermediate_size; "
          "moe_topk may list one top-k per layer; query/key RMSNorms; head_dim is required.",
    prepare=_prepare,
    build=build,
    finish=_finish,
)
