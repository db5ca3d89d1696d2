from __future__ import annotations

import numpy as np

from pipeline.formula.terms import Ctx, INT64, Term, clip0, linear
from pipeline.formula.spec import Family, Key, boolean, required
from pipeline.formula.common import gated_mlp, tied_head


def mla_keys(v3: bool) -> dict[str, Key]:
    keys = {
        "vocab_size": required(),
        "hidden_size": required(),
        "num_hidden_layers": required(),
        "num_attention_heads": required(),
        "intermediate_size": required(),
        "moe_intermediate_size": required(),
        "n_routed_experts": required(aliases=("num_local_experts",) if v3 else ("num_experts",)),
        "kv_lora_rank": required(),
        "qk_nope_head_dim": required(),
        "qk_rope_head_dim": required(),
        "v_head_dim": required(),
        # absent: the config class default (1536); an explicit null: no query compression
        "q_lora_rank": Key(default=1536, null=0),
        "n_shared_experts": Key(default=1 if v3 else 2),
        "first_k_dense_replace": Key(default=3 if v3 else 0),
        "num_experts_per_tok": Key(default=8 if v3 else -1),
        "attention_bias": boolean(False),
        "tie_word_embeddings": boolean(False),
    }
    if v3:
        keys["num_nextn_predict_layers"] = Key(default=1, aliases=("num_mtp_layers",))
    else:
        keys["mlp_bias"] = boolean(False)
    return keys


def mla_validate(cols):
    return {"num_experts_per_tok": cols["num_experts_per_tok"] < 0}


def mla_attention(c: Ctx, h: Term, H: Term, qr: Term, kvr: Term, nope: Term, rope: Term, vd: Term,
                  bias) -> Term:
    """One multi-head latent attention layer: q_a_proj (bias with ``bias``), q_a_layernorm and q_b_proj
    where q_lora_rank ``qr`` > 0, else a bias-free q_proj; kv_a_proj_with_mqa (hidden → kv_lora_rank +
    rope dim, bias with ``bias``), kv_a_layernorm, kv_b_proj and o_proj (bias with ``bias``)."""
    qk = c.derived("qk_head_dim", nope + rope)
    q = c.where(qr.value > 0,
                linear(c, h, qr, bias) + qr + qr * (H * qk),     # q_a_proj, q_a_layernorm, q_b_proj
                h * (H * qk))                                     # q_proj
    return (q + linear(c, h, kvr + rope, bias) + kvr   # kv_a_proj_with_mqa, kv_a_layernorm
            + kvr * (H * (nope + vd))                  # kv_b_proj
            + linear(c, H * vd, h, bias))              # o_proj


def mla(c: Ctx, v3: bool):
    V, h, L, H, I = (c.v("vocab_size"), c.v("hidden_size"), c.v("num_hidden_layers"),
                     c.v("num_attention_heads"), c.v("intermediate_size"))
    E, mI, ns, k = c.v("n_routed_experts"), c.v("moe_intermediate_size"), c.v("n_shared_experts"), \
        c.v("num_experts_per_tok")
    qr, kvr, nope, rope, vd = (c.v("q_lora_rank"), c.v("kv_lora_rank"), c.v("qk_nope_head_dim"),
                               c.v("qk_rope_head_dim"), c.v("v_head_dim"))
    ab = c.flag("attention_bias")
    mb = False if v3 else c.flag("mlp_bias")
    per_layer_attn = mla_attention(c, h, H, qr, kvr, nope, rope, vd, ab)
    # transformers builds a MoE block in every layer i >= first_k_dense_replace (moe_layer_freq unused)
    Lv = c.cols["num_hidden_layers"]
    n_moe = np.maximum(Lv - np.minimum(c.cols["first_k_dense_replace"], Lv), 0)
    M = c.derived("moe_layers", Term(n_moe.astype(INT64)))
    dense = c.derived("dense_layers", L - M)
    expert = 3 * (h * mI)
    shared = gated_mlp(c, h, mI * ns, mb)
    parts = {
        "embeddings": V * h,
        "attention": L * per_layer_attn,
        "mlp": dense * gated_mlp(c, h, I, mb),
        "experts_routed": M * E * expert,
        "experts_shared": M * shared,
        "router": M * (E * h),
        "norms": L * (2 * h) + h,
        "head": tied_head(c, V, h),
    }
    idle = c.derived("idle_experts", clip0(E - k))
    extras: dict[str, Term] = {}
    if v3:
        n_mtp = c.v("num_nextn_predict_layers")
        # An MTP module: enorm, hnorm, eh_proj (2·hidden → hidden), one decoder block identical to a
        # main-model MoE block, and shared_head.norm. embed_tokens and shared_head.head share the main
        # model's tensors (DeepSeek-V3 README_WEIGHTS.md), so they add nothing.
        block = per_layer_attn + E * expert + shared + E * h + 2 * h
        extras["mtp"] = n_mtp * (3 * h + (2 * h) * h + block)
        # e_score_correction_bias: a buffer of n_routed_experts per MoE block (main model and MTP)
        extras["router_bias"] = (M + n_mtp) * E
    return parts, M * idle * expert, extras


def build(c: Ctx):
    return mla(c, v3=False)


FAMILY = Family(
    "deepseek_v2", "DeepseekV2ForCausalLM",
    mla_keys(v3=False),
    ("embeddings", "attention", "mlp", "experts_routed", "experts_shared", "router", "norms", "head"),
    notes="Multi-head latent attention (q_lora_rank null → plain q_proj; absent → 1536, the config class default). Layers ≥ first_k_dense_replace "
          "are MoE; transformers ignores moe_layer_freq (1 in every published config).",
    validate=mla_validate,
    build=build,
)
