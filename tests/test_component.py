"""Claims about one part of a model (component) or several models together (system): counts and checks."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from pipeline import check
from pipeline.check.formula_params import SYSTEM_REASON
from pipeline.derive import derive
from pipeline.load.values import parse_value
from tests.test_check import claims, column, derived, tables, verdicts

ROOT = Path(__file__).resolve().parent.parent
CLIP_YAML = ROOT / "data" / "models" / "openai" / "clip-vit-l-14.yaml"
# OpenCLIP's model profile (mlfoundations/open_clip, docs/model_profile.csv, row ViT-L-14): image tower 303.97M,
# text tower 123.65M, in millions with two decimals. OpenCLIP's image tower includes its projection to the
# shared 768-wide space (1,024 x 768 = 786,432 weights); its text tower includes the text projection
# (768 x 768 = 589,824) and the logit scale (1).
OPENCLIP_IMAGE_TOWER_M = 303.97
OPENCLIP_TEXT_TOWER_M = 123.65


def clip_config() -> dict:
    """The CLIP ViT-L/14 config recorded in the model file (the published towers)."""
    return yaml.safe_load(CLIP_YAML.read_text())["architecture"]["hf_config"]


def derived_for(model_id: str, config: dict) -> pd.DataFrame:
    """The derive stage's rows for one architecture."""
    architectures = pd.DataFrame({"model_id": [model_id], "hf_config": [json.dumps(config)], "overrides": ["{}"]})
    return derive({"architectures": architectures})


def quantities(frame: pd.DataFrame) -> dict[str, float]:
    return dict(zip(frame["quantity"], frame["value"]))


def meta_device_count(model_class_name: str, config) -> int:
    """Parameters of a transformers model built on the meta device (no weights allocated)."""
    import torch
    import transformers

    with torch.device("meta"):
        model = getattr(transformers, model_class_name)(config)
    return sum(parameter.numel() for parameter in model.parameters())


@pytest.fixture(scope="module")
def clip_derived() -> dict[str, float]:
    return quantities(derived_for("clip-vit-l-14", clip_config()))


def test_clip_towers_match_transformers_and_openclip(clip_derived):
    import transformers

    config = transformers.CLIPConfig(text_config=clip_config()["text_config"],
                                     vision_config=clip_config()["vision_config"], projection_dim=768)
    vision = meta_device_count("CLIPVisionModel", config.vision_config)
    text = meta_device_count("CLIPTextModel", config.text_config)
    whole = meta_device_count("CLIPModel", config)
    assert clip_derived["params_vision_encoder_formula"] == vision == 303_179_776
    assert clip_derived["params_text_encoder_formula"] == text == 123_060_480
    assert clip_derived["params_total_formula"] == whole == 427_616_513
    # OpenCLIP counts each projection with its tower: 303,179,776 + 1,024 x 768 = 303.97M;
    # 123,060,480 + 768 x 768 + 1 (logit scale) = 123.65M
    assert round((vision + 1024 * 768) / 1e6, 2) == OPENCLIP_IMAGE_TOWER_M
    assert round((text + 768 * 768 + 1) / 1e6, 2) == OPENCLIP_TEXT_TOWER_M
    # the parts add up to the whole whichever way the logit scale is filed
    parts = (clip_derived["params_vision_encoder_formula"] + clip_derived["params_text_encoder_formula"]
             + clip_derived["params_projector_formula"])
    assert whole - parts in (0, 1)


def test_clip_components_from_the_transformers_fallback_too():
    # chinese_clip has no formula family: the meta-device count splits it by its top-level towers
    import transformers

    config = {"model_type": "chinese_clip", "projection_dim": 32,
              "text_config": {"hidden_size": 64, "intermediate_size": 128, "num_attention_heads": 4,
                              "num_hidden_layers": 2, "vocab_size": 1000, "max_position_embeddings": 64},
              "vision_config": {"hidden_size": 64, "intermediate_size": 128, "num_attention_heads": 4,
                                "num_hidden_layers": 2, "image_size": 32, "patch_size": 8}}
    rows = derived_for("tiny-chinese-clip", config)
    assert set(rows["method"]) == {"transformers:chinese_clip"}
    values = quantities(rows)
    built = transformers.ChineseCLIPConfig(text_config=config["text_config"], vision_config=config["vision_config"],
                                           projection_dim=32)
    assert values["params_vision_encoder_formula"] == meta_device_count("ChineseCLIPVisionModel",
                                                                        built.vision_config)
    assert values["params_projector_formula"] == 64 * 32 * 2  # two bias-free projections, 64 -> 32


def test_a_vision_tower_claim_is_judged_against_the_vision_tower(clip_derived):
    frame = claims(("clip", "params_total", "428 million", "reported", "guide", {"component": "vision_encoder"}),
                   ("clip", "params_total", "303 million", "reported", "tower", {"component": "vision_encoder"}),
                   ("clip", "params_total", "428 million", "reported", "whole"))
    truth = derived(*[("clip", quantity, value) for quantity, value in clip_derived.items()])
    result = check.check_formula_params(frame, truth)
    # 428M for the vision encoder: the whole model's size, 1.41x the tower (427.5M at least / 303,179,776)
    assert verdicts(result, "formula_params") == {"clip.params_total.guide": "inconsistent",
                                                  "clip.params_total.tower": "consistent",
                                                  "clip.params_total.whole": "consistent"}
    details = column(result, "detail")
    assert details["clip.params_total.guide"] == (
        "claimed 428 million; the released architecture gives 303,179,776: off by +41%")
    assert column(result, "severity")["clip.params_total.guide"] == "major"


def test_a_unet_claim_is_not_flagged_by_the_whole_model_count():
    frame = claims(("sdxl", "params_total", "2.6 billion", "reported", "guide", {"component": "unet"}),
                   ("sdxl", "params_total", "3.5B", "reported", "report"))
    whole_only = derived(("sdxl", "params_total_formula", 3_468_000_000))
    result = check.check_formula_params(frame, whole_only)
    assert verdicts(result, "formula_params") == {"sdxl.params_total.guide": "unverifiable",
                                                  "sdxl.params_total.report": "consistent"}
    assert column(result, "detail")["sdxl.params_total.guide"] == (
        "no count of the unet can be derived: the published architecture gives the whole model's count, "
        "not this part's")
    no_architecture = check.check_formula_params(frame, derived())
    assert column(no_architecture, "detail")["sdxl.params_total.guide"] == (
        "no count of the unet can be derived: no published architecture")
    assert column(no_architecture, "detail")["sdxl.params_total.report"] == (
        "no published architecture to derive this count from")
    # the whole-model count (else the whole-model claim) is the best value; the UNet's never stands for the model
    best = check.reference_values(tables(frame, whole_only)).set_index("field").loc["params_total"]
    assert (best["best_value"], best["basis"]) == (3_468_000_000, "formula")
    best = check.reference_values(tables(frame, derived())).set_index("field").loc["params_total"]
    assert (best["best_value"], best["best_claim_id"]) == (3.5e9, "sdxl.params_total.report")


def test_a_system_total_is_not_judged_on_its_member():
    # SDXL base + refiner + text encoder, 5.7B, recorded on the base model with component: system
    frame = claims(("sdxl-base", "params_total", "5.7 billion", "reported", "guide", {"component": "system"}),
                   ("sdxl-base", "params_total", "3.5B", "confirmed", "report"))
    truth = derived(("sdxl-base", "params_total_formula", 3_468_000_000),
                    ("sdxl-base", "params_unet_formula", 2_567_000_000))
    result = check.check_formula_params(frame, truth)
    assert verdicts(result, "formula_params")["sdxl-base.params_total.guide"] == "unverifiable"
    assert column(result, "detail")["sdxl-base.params_total.guide"] == SYSTEM_REASON == (
        "a total over several models (component: system) is not compared with the count of one model or with "
        "whole-model claims")
    # nor does it conflict with the member's own total, nor become its best value
    conflicts = check.check_conflict(frame)
    assert "sdxl-base.params_total.guide" not in set(conflicts[conflicts["verdict"] == "inconsistent"]["claim_id"])
    assert "sdxl-base.params_total.report" not in set(conflicts[conflicts["verdict"] == "inconsistent"]["claim_id"])
    references = check.reference_values(tables(frame, derived()))
    assert references.set_index("field").loc["params_total", "best_claim_id"] == "sdxl-base.params_total.report"


def test_weight_sizes_in_tb_and_accelerator_core_years():
    # 1 TB = 1,000 GB; 1.76T x 2 bytes = 3.52e12 bytes = 3,520 GB
    assert parse_value("3.52TB", "weights_gb_fp16").value == 3520.0
    assert parse_value("3.52TB", "weights_gb_fp16").written_unit == "TB"
    # a core-year is 365.25 x 24 = 8,766 hours: 395 x 8,766 = 3,462,570 core-hours
    parsed = parse_value("395 TPU-v3 core-years", "training_core_hours")
    assert (parsed.value, parsed.written_unit, parsed.precision) == (3_462_570.0, "core-years", "3 sf")


def test_a_size_of_unstated_precision_is_judged_at_the_precision_it_matches():
    frame = claims(("gpt-3", "params_total", "175B"), ("gpt-3", "weights_gb", "350GB", "rumored", "guide"),
                   ("gpt-3", "weights_gb", "1050GB", "rumored", "blog"))
    result = check.check_memory(frame, check.reference_values(tables(frame))).set_index("claim_id")
    assert result["verdict"].to_dict() == {"gpt-3.weights_gb.guide": "consistent",
                                           "gpt-3.weights_gb.blog": "inconsistent"}
    # 175e9 x 2 bytes = 350 GB (FP16); 1,050 GB is nearest FP32's 700 GB (1,045 at least / 700 = 1.49)
    assert result.loc["gpt-3.weights_gb.guide", "detail"] == (
        "claimed 350GB; precision not stated, nearest precision FP16: 175,000,000,000 parameters x 2 bytes = "
        "350,000,000,000 bytes = 350.00 GB = 325.96 GiB: within rounding in GB (1e9 bytes)")
    assert result.loc["gpt-3.weights_gb.blog", "detail"].startswith(
        "claimed 1050GB; precision not stated, nearest precision FP32: 175,000,000,000 parameters x 4 bytes")
    assert result.loc["gpt-3.weights_gb.blog", "detail"].endswith("off by +49% from the nearer unit (GB)")
