"""falcon_mamba: TII's Falcon-Mamba (FalconMambaForCausalLM), Mamba's layers with weight-free RMS
norms on B, C and Δ (no parameters). Source: transformers ``models/falcon_mamba/modeling_falcon_mamba.py``."""
from __future__ import annotations

from pipeline.formula.models.mamba import mamba_family

FAMILY = mamba_family("falcon_mamba", "FalconMambaForCausalLM")
