from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.formula.terms import Ctx, INT64, clip0
from pipeline.formula.spec import Family, Key, boolean, required
from pipeline.formula.common import attn_qkvo, decoder_keys, gated_mlp, std_dims, tied_head


def _qwen2_moe_sparse_layers(cols: dict[str, np.ndarray], raw_mlp_only: np.ndarray) -> np.ndarray:
    """Layers i with i ∉ mlp_only_layers and (i + 1) % decoder_sparse_step == 0 (and num_experts > 0)."""
    L, step, E = cols["num_hidden_layers"], cols["decoder_sparse_step"], cols["num_experts"]
    n = (L // step).astype(INT64)
    # mlp_only_layers is a list (usually empty): only rows carrying a non-empty one are read one by one.
    has = ~np.asarray(pd.isna(raw_mlp_only), bool)
    for i in np.flatnonzero(has):
        layers = raw_mlp_only[i]
        if not isinstance(layers, (list, tuple)) or not layers:
            continue
        drop = {int(j) for j in layers if 0 <= int(j) < L[i] and (int(j) + 1) % step[i] == 0}
        n[i] -= len(drop)
    return np.where(E > 0, n, 0)


def sparse_layers_finish(cols: dict[str, np.ndarray], raw: dict) -> None:
    """Adds ``_sparse_layers``: how many layers hold experts (reads mlp_only_layers, decoder_sparse_step)."""
    cols["_sparse_layers"] = _qwen2_moe_sparse_layers(cols, np.asarray(raw["mlp_only_layers"], dtype=object))


def build(c: Ctx):
    V, h, L, H, KV, d, I = std_dims(c)
    E, k, mI, sI = c.v("num_experts"), c.v("num_experts_per_tok"), c.v("moe_intermediate_size"), \
        c.v("shared_expert_intermediate_size")
    S = c.v("_sparse_layers", "sparse_layers")
    dense = c.derived("dense_layers", L - S)
    expert = 3 * (h * mI)
    parts = {
        "embeddings": V * h,
        "attention": L * attn_qkvo(c, h, H, KV, d, c.flag("qkv_bias"), False),
        "mlp": dense * gated_mlp(c, h, I),
        "experts_routed": S * E * expert,
        "experts_shared": S * (3 * (h * sI)),
        "router": S * (E * h + h),
        "norms": L * (2 * h) + h,
        "head": tied_head(c, V, h),
    }
    idle = c.derived("idle_experts", clip0(E - k))
    return parts, S * idle * expert, {}


FAMILY = Family(
    "qwen2_moe", "Qwen2MoeForCausalLM",
    decoder_keys(kv_default=16, extra={
        "moe_intermediate_size": required(),
        "shared_expert_intermediate_size": required(),
        "num_experts": required(),
        "num_experts_per_tok": Key(default=4),
        "decoder_sparse_step": Key(default=1, positive=True),
        "mlp_only_layers": Key(kind="obj", default=None),
        "qkv_bias": boolean(True),
    }),
    ("embeddings", "attention", "mlp", "experts_routed", "experts_shared", "router", "norms", "head"),
    notes="Sparse layers: (i+1) % decoder_sparse_step == 0 and i not in mlp_only_layers; the others use a "
          "dense MLP of width intermediate_size. Each sparse layer has a shared expert of width "
          "shared_expert_intermediate_size and a 1-output shared_expert_gate (counted under router).",
    build=build,
    finish=sparse_layers_finish,
)
