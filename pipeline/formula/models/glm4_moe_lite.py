"""glm4_moe_lite: GLM-4.7-Flash (Glm4MoeLiteForCausalLM).

DeepSeek-V2/V3 multi-head latent attention (q_a/q_b with q_lora_rank, a plain q_proj when it is
null; kv_a_proj_with_mqa, kv_b_proj, o_proj; biases on q_a, kv_a and o with ``attention_bias``) and
DeepSeek-style MoE layers: n_routed_experts SwiGLU experts of moe_intermediate_size, a bias-free
router, shared experts as one bias-free MLP of moe_intermediate_size × n_shared_experts. Which
layers are sparse is ``mlp_layer_types`` ("dense" / "sparse" per layer); without it transformers
makes the first layer dense and the rest sparse, whatever ``first_k_dense_replace`` says. The
router's e_score_correction_bias is a buffer (extra.router_bias); the multi-token-prediction layers
(num_nextn_predict_layers) are not part of the transformers model. Source: transformers
``models/glm4_moe_lite/modeling_glm4_moe_lite.py``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pipeline.formula.common import gated_mlp, tied_head
from pipeline.formula.models.deepseek_v2 import mla_attention
from pipeline.formula.spec import Family, Key, boolean, required
from pipeline.formula.terms import Ctx, Term, clip0


def sparse_layers(num_layers: Any, dense_default: Any, layer_types: Any) -> np.ndarray:
    """Sparse (MoE) layers per row (object array): "sparse" entries among the first ``num_layers``
    of ``mlp_layer_types`` where a row lists them, else ``num_layers`` less ``dense_default`` dense
    layers at the bottom (never below 0). Missing depths give NaN."""
    layers = pd.to_numeric(pd.Series(num_layers, dtype=object), errors="coerce")
    dense = pd.to_numeric(pd.Series(dense_default, dtype=object), errors="coerce").clip(lower=0)
    by_default = (layers - np.minimum(dense, layers)).clip(lower=0)
    types = pd.Series(layer_types, dtype=object)
    listed = types.map(lambda v: isinstance(v, (list, tuple)))
    counted = [sum(t == "sparse" for t in list(v)[: int(n)]) if is_list and n == n else None
               for v, n, is_list in zip(types, layers, listed)]
    return pd.Series(counted, dtype=object).where(listed, by_default).to_numpy(dtype=object)


def _prepare(df: pd.DataFrame, pos: np.ndarray, raw: dict[str, Any]) -> None:
    raw["_sparse_layers"] = sparse_layers(raw["num_hidden_layers"], np.ones(len(pos)), raw["mlp_layer_types"])


def mla_moe_parts(c: Ctx) -> tuple[dict[str, Term], Term, dict[str, Term]]:
    """(parts, idle, extras) of a GLM MLA decoder whose sparse layers are ``_sparse_layers``."""
    V, h, L, H, I = (c.v("vocab_size"), c.v("hidden_size"), c.v("num_hidden_layers"),
                     c.v("num_attention_heads"), c.v("intermediate_size"))
    E, mI, ns, k = (c.v("n_routed_experts"), c.v("moe_intermediate_size"), c.v("n_shared_experts"),
                    c.v("num_experts_per_tok"))
    qr, kvr, nope, rope, vd = (c.v("q_lora_rank"), c.v("kv_lora_rank"), c.v("qk_nope_head_dim"),
                               c.v("qk_rope_head_dim"), c.v("v_head_dim"))
    M = c.v("_sparse_layers", "sparse_layers")
    dense = c.derived("dense_layers", L - M)
    expert = 3 * (h * mI)
    parts = {
        "embeddings": V * h,
        "attention": L * mla_attention(c, h, H, qr, kvr, nope, rope, vd, c.flag("attention_bias")),
        "mlp": dense * gated_mlp(c, h, I),
        "experts_routed": M * E * expert,
        "experts_shared": M * gated_mlp(c, h, mI * ns),
        "router": M * (E * h),
        "norms": L * (2 * h) + h,
        "head": tied_head(c, V, h),
    }
    idle = c.derived("idle_experts", clip0(E - k))
    return parts, M * idle * expert, {"router_bias": M * E}


def mla_moe_keys(**defaults: Any) -> dict[str, Key]:
    """Keys of a GLM MLA decoder; ``defaults`` gives the config class's defaults of the others."""
    keys = {name: required() for name in ("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
                                          "intermediate_size", "moe_intermediate_size", "kv_lora_rank",
                                          "qk_nope_head_dim", "qk_rope_head_dim", "v_head_dim")}
    keys["n_routed_experts"] = required(aliases=("num_local_experts",))
    keys["q_lora_rank"] = Key(default=defaults["q_lora_rank"], null=0)
    keys["n_shared_experts"] = Key(default=defaults["n_shared_experts"])
    keys["num_experts_per_tok"] = Key(default=defaults["num_experts_per_tok"])
    keys["attention_bias"] = boolean(False)
    keys["tie_word_embeddings"] = boolean(False)
    keys["mlp_layer_types"] = Key(kind="obj", default=None)
    keys["_sparse_layers"] = Key()
    return keys


FAMILY = Family(
    "glm4_moe_lite", "Glm4MoeLiteForCausalLM",
    mla_moe_keys(q_lora_rank=768, n_shared_experts=1, num_experts_per_tok=4),
    ("embeddings", "attention", "mlp", "experts_routed", "experts_shared", "router", "norms", "head"),
    notes="Multi-head latent attention (q_lora_rank null → plain q_proj; default 768); sparse layers as "
          "mlp_layer_types lists, else every layer but the first (transformers ignores first_k_dense_replace); "
          "shared experts of moe_intermediate_size × n_shared_experts; extra.router_bias: the "
          "e_score_correction_bias buffers; MTP layers are not in the transformers model.",
    prepare=_prepare,
    build=mla_moe_parts,
    extras=("router_bias",),
)
