"""mamba: Mamba selective state-space models (MambaForCausalLM, MambaModel); falcon_mamba reuses it.

Each layer is an RMSNorm and a mixer: in_proj (hidden → 2·intermediate), a depthwise conv1d
(intermediate channels × conv_kernel, bias with ``use_conv_bias``), x_proj (intermediate →
time_step_rank + 2·state_size, no bias), dt_proj (time_step_rank → intermediate, with bias),
A_log (intermediate × state_size), D (intermediate) and out_proj (intermediate → hidden);
in_proj/out_proj carry biases with ``use_bias``. intermediate = the stored ``intermediate_size``,
else expand × hidden (Falcon-Mamba-7B stores expand 16 but intermediate_size 8,192 = 2 × hidden:
the stored width wins); time_step_rank "auto" = ⌈hidden ÷ 16⌉.
The LM head is tied unless ``tie_word_embeddings`` is false. FalconMamba's extra RMS norms have no
weights. Source: transformers ``models/mamba/modeling_mamba.py``, ``models/falcon_mamba/``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pipeline.formula.common import tied_head
from pipeline.formula.spec import Family, Key, boolean, required
from pipeline.formula.terms import Ctx, ZERO, linear


def auto_rank_prepare(df: pd.DataFrame, pos: np.ndarray, raw: dict[str, Any]) -> None:
    """``time_step_rank: "auto"`` means the class default (⌈hidden ÷ 16⌉): read it as absent."""
    ranks = pd.Series(raw["time_step_rank"], dtype=object)
    raw["time_step_rank"] = ranks.where(~ranks.eq("auto"), None).to_numpy(dtype=object)


def auto_rank(cols) -> np.ndarray:
    return -(-cols["hidden_size"] // 16)


def build(c: Ctx):
    V, h, L, N, K, R = (c.v("vocab_size"), c.v("hidden_size"), c.v("num_hidden_layers"), c.v("state_size"),
                        c.v("conv_kernel"), c.v("time_step_rank"))
    I = c.v("intermediate_size")
    bias, conv_bias = c.flag("use_bias"), c.flag("use_conv_bias")
    mixer = (linear(c, h, 2 * I, bias) + I * K + c.when(conv_bias, I) + I * (R + 2 * N) + linear(c, R, I)
             + I * N + I + linear(c, I, h, bias))
    parts = {
        "embeddings": V * h,
        "mixer": L * mixer,
        "norms": L * h + h,
        "head": tied_head(c, V, h),
    }
    return parts, ZERO, {}


def mamba_family(name: str, cls: str) -> Family:
    """The Mamba family under ``name`` (its config class defaults are Mamba's)."""
    return Family(
        name, cls,
        {
            "vocab_size": required(),
            "hidden_size": required(),
            "num_hidden_layers": required(aliases=("n_layer",)),
            "state_size": Key(default=16),
            "expand": Key(default=2),
            # the config class sets expand × hidden, then a stored intermediate_size overrides it
            "intermediate_size": Key(default=lambda cols: cols["expand"] * cols["hidden_size"]),
            "conv_kernel": Key(default=4),
            "time_step_rank": Key(default=auto_rank),
            "use_bias": boolean(False),
            "use_conv_bias": boolean(True),
            "tie_word_embeddings": boolean(True),
        },
        ("embeddings", "mixer", "norms", "head"),
        notes="Selective-SSM mixer per layer (in_proj, depthwise conv, x_proj, dt_proj, A_log, D, out_proj) "
              "under mixer; intermediate = intermediate_size, else expand × hidden; time_step_rank auto = ⌈hidden ÷ 16⌉.",
        prepare=auto_rank_prepare,
        build=build,
        heads=("causal_lm", "base"),
    )


FAMILY = mamba_family("mamba", "MambaForCausalLM")
