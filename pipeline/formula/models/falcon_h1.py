"""falcon_h1: TII's Falcon-H1 hybrids (FalconH1ForCausalLM): attention and a Mamba-2 mixer side by
side in every layer, then a SwiGLU MLP.

Attention: q/k/v/o of heads·head_dim and kv_heads·head_dim (head_dim defaults to hidden ÷ heads),
biases with ``attention_bias``. Mixer (I = mamba_d_ssm, default 1,024; an explicit null means
mamba_expand × hidden): in_proj (hidden → 2·I + 2·n_groups·d_state + n_heads, bias with
``mamba_proj_bias``), a depthwise conv1d over I + 2·n_groups·d_state channels (bias with
``mamba_conv_bias``), dt_bias, A_log and D per head, a gated RMSNorm of I only with
``mamba_rms_norm``, out_proj (I → hidden, bias with ``projectors_bias``). MLP biases with
``mlp_bias``. Two RMSNorms per layer and a final one; untied head by default. The µP multipliers are
plain numbers, not parameters. Source: transformers ``models/falcon_h1/modeling_falcon_h1.py``.
"""
from __future__ import annotations

from pipeline.formula.common import attn_qkvo, decoder_keys, gated_mlp, std_dims, tied_head
from pipeline.formula.models.mamba2 import mamba2_mixer
from pipeline.formula.spec import Family, Key, boolean
from pipeline.formula.terms import Ctx, ZERO


def build(c: Ctx):
    V, h, L, H, KV, d, I = std_dims(c)
    Im, Hm, G, N, K = (c.v("mamba_d_ssm"), c.v("mamba_n_heads"), c.v("mamba_n_groups"), c.v("mamba_d_state"),
                       c.v("mamba_d_conv"))
    ab = c.flag("attention_bias")
    mixer = mamba2_mixer(c, h, Im, Hm, G, N, K, c.flag("mamba_proj_bias"), c.flag("mamba_conv_bias"),
                         c.flag("mamba_rms_norm"), c.flag("projectors_bias"))
    parts = {
        "embeddings": V * h,
        "attention": L * attn_qkvo(c, h, H, KV, d, ab, ab),
        "mixer": L * mixer,
        "mlp": L * gated_mlp(c, h, I, c.flag("mlp_bias")),
        "norms": L * (2 * h) + h,
        "head": tied_head(c, V, h),
    }
    return parts, ZERO, {}


FAMILY = Family(
    "falcon_h1", "FalconH1ForCausalLM",
    decoder_keys(kv_default=8, extra={
        "attention_bias": boolean(False),
        "mlp_bias": boolean(False),
        "mamba_expand": Key(default=2),          # before mamba_d_ssm, whose null reads it
        "mamba_d_ssm": Key(default=1024, null=lambda cols: cols["mamba_expand"] * cols["hidden_size"]),
        "mamba_n_heads": Key(default=128),
        "mamba_n_groups": Key(default=1),
        "mamba_d_state": Key(default=256),
        "mamba_d_conv": Key(default=4),
        "mamba_conv_bias": boolean(True),
        "mamba_proj_bias": boolean(False),
        "mamba_rms_norm": boolean(False),
        "projectors_bias": boolean(False),
    }),
    ("embeddings", "attention", "mixer", "mlp", "norms", "head"),
    notes="Every layer holds attention and a Mamba-2 mixer in parallel (mixer width mamba_d_ssm, default 1,024; "
          "null means mamba_expand × hidden) and a SwiGLU MLP; untied head by default.",
    build=build,
)
