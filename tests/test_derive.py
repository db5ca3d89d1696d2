"""Derive stage: the derived table's quantities, from formula and transformers counts."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from pipeline.derive import derive

CONFIGS = Path(__file__).parent / "fixtures" / "configs"


def architectures(rows: dict[str, tuple[dict, dict]]) -> pd.DataFrame:
    return pd.DataFrame({"model_id": list(rows), "hf_config": [json.dumps(c) for c, _ in rows.values()],
                         "overrides": [json.dumps(o) for _, o in rows.values()]})


def test_new_quantities_and_methods():
    r1 = json.loads((CONFIGS / "deepseek-r1.json").read_text())
    lite = json.loads((CONFIGS / "deepseek-coder-v2-lite-instruct.json").read_text())
    t5 = json.loads((CONFIGS / "t5-small.json").read_text())
    table = architectures({"deepseek-v3": (r1, {}), "lite-null": (lite, {"q_lora_rank": None}),
                           "t5-small": (t5, {})})
    derived = derive({"architectures": table}).set_index(["model_id", "quantity"])
    value = derived["value"]
    assert value["deepseek-v3", "params_active_formula"] == 37_552_282_624
    assert value["deepseek-v3", "params_active_without_input_embedding_formula"] == 36_625_603_584
    assert value["deepseek-v3", "params_active_non_embedding_formula"] == 36_625_603_584 - 926_679_040
    # an explicit null override survives the table: no query compression (DeepSeek-V2-Lite)
    assert value["lite-null", "params_total_formula"] == 15_706_484_224
    assert value["t5-small", "params_encoder_formula"] + value["t5-small", "params_decoder_formula"] \
        == value["t5-small", "params_total_formula"]
    assert ("deepseek-v3", "params_encoder_formula") not in value.index
    assert derived.loc[("deepseek-v3", "params_total_formula"), "method"] == "formula:deepseek_v3"


def test_transformers_counts_and_tower_quantities():
    # LLaVA has no formula family: transformers counts it, and its towers become components
    llava = {"model_type": "llava",
             "text_config": {"model_type": "llama", "hidden_size": 32, "intermediate_size": 37,
                             "num_attention_heads": 4, "num_key_value_heads": 2, "num_hidden_layers": 2,
                             "vocab_size": 99},
             "vision_config": {"model_type": "clip_vision_model", "hidden_size": 32, "intermediate_size": 37,
                               "num_attention_heads": 4, "num_hidden_layers": 2, "image_size": 28, "patch_size": 2}}
    derived = derive({"architectures": architectures({"tiny-llava": (llava, {})})}).set_index("quantity")
    assert set(derived["method"]) == {"transformers:llava"}
    towers = sum(derived.loc[f"params_{name}_formula", "value"]
                 for name in ("language_model", "vision_encoder", "projector"))
    assert towers == derived.loc["params_total_formula", "value"]
