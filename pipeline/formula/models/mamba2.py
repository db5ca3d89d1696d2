"""mamba2: Mamba-2 state-space models (Mamba2ForCausalLM, Mamba2Model; Codestral Mamba).

Each layer: an RMSNorm and a mixer with in_proj (hidden → 2·intermediate + 2·n_groups·state_size +
num_heads), a depthwise conv1d over intermediate + 2·n_groups·state_size channels (bias with
``use_conv_bias``), per-head dt_bias, A_log and D, a gated RMSNorm of intermediate and out_proj
(intermediate → hidden); in_proj/out_proj carry biases with ``use_bias``. intermediate = expand ×
hidden. The LM head is untied by default (``tie_word_embeddings`` false in Mamba2Config).
Source: transformers ``models/mamba2/modeling_mamba2.py``.
"""
from __future__ import annotations

from pipeline.formula.common import tied_head
from pipeline.formula.spec import Family, Key, boolean, required
from pipeline.formula.terms import Ctx, ZERO, linear


def build(c: Ctx):
    V, h, L, N, K = (c.v("vocab_size"), c.v("hidden_size"), c.v("num_hidden_layers"), c.v("state_size"),
                     c.v("conv_kernel"))
    H, G = c.v("num_heads"), c.v("n_groups")
    I = c.derived("intermediate_size", c.v("expand") * h)
    conv_dim = c.derived("conv_dim", I + 2 * (G * N))
    bias = c.flag("use_bias")
    mixer = (linear(c, h, 2 * I + 2 * (G * N) + H, bias) + conv_dim * K + c.when(c.flag("use_conv_bias"), conv_dim)
             + 3 * H + I + linear(c, I, h, bias))
    parts = {
        "embeddings": V * h,
        "mixer": L * mixer,
        "norms": L * h + h,
        "head": tied_head(c, V, h),
    }
    return parts, ZERO, {}


FAMILY = Family(
    "mamba2", "Mamba2ForCausalLM",
    {
        "vocab_size": required(),
        "hidden_size": required(),
        "num_hidden_layers": required(),
        "num_heads": Key(default=128),
        "state_size": Key(default=128),
        "expand": Key(default=2),
        "conv_kernel": Key(default=4),
        "n_groups": Key(default=8),
        "use_bias": boolean(False),
        "use_conv_bias": boolean(True),
        "tie_word_embeddings": boolean(False),
    },
    ("embeddings", "mixer", "norms", "head"),
    notes="SSD mixer per layer (in_proj, depthwise conv, dt_bias/A_log/D per head, gated RMSNorm, out_proj) "
          "under mixer; intermediate = expand × hidden; untied head by default.",
    build=build,
    heads=("causal_lm", "base"),
)
