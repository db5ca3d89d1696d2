from __future__ import annotations

from pipeline.formula.terms import Ctx
from pipeline.formula.spec import Family
from pipeline.formula.models.deepseek_v2 import mla, mla_keys, mla_validate


def build(c: Ctx):
    return mla(c, v3=True)


FAMILY = Family(
    "deepseek_v3", "DeepseekV3ForCausalLM",
    mla_keys(v3=True),
    ("embeddings", "attention", "mlp", "experts_routed", "experts_shared", "router", "norms", "head"),
    notes="As deepseek_v2 with bias-free MLPs. extra.mtp: the multi-token-prediction modules the "
          "checkpoint ships (num_nextn_predict_layers); extra.router_bias: e_score_correction_bias buffers.",
    validate=mla_validate,
    build=build,
    extras=("mtp", "router_bias"),
    # Moonshot's Kimi K2 "reuses the DeepSeekV3CausalLM architecture" and marks its config.json
    # "model_type": "kimi_k2" (MoonshotAI/Kimi-K2, docs/deploy_guidance.md); transformers has no kimi_k2.
    model_types=("kimi_k2",),
)
