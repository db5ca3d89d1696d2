"""Unit tests and hand-worked examples for the pipeline.formula package.

Every expected number here is either computed by hand in the comment next to it, or quoted from a
publication named in the test's docstring. Nothing is taken from the engine itself.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline import formula
from pipeline.formula import (
    PARTS,
    EXTRAS,
    SUPPORTED_FAMILIES,
    ConfigError,
    count,
    count_table,
    dense_layer_params,
    explain,
    format_breakdown,
)

CONFIGS = Path(__file__).parent / "fixtures" / "configs"


def fixture(name: str) -> dict:
    return json.loads((CONFIGS / f"{name}.json").read_text())


# --------------------------------------------------------------------------------------------
# The smallest worked example
# --------------------------------------------------------------------------------------------

def test_dense_layer_with_bias():
    # a 100 → 50 dense layer: 100 × 50 weights + 50 biases = 5,000 + 50 = 5,050
    assert dense_layer_params(100, 50) == 5_050
    assert dense_layer_params(100, 50, bias=True) == 5_050


def test_dense_layer_without_bias():
    assert dense_layer_params(100, 50, bias=False) == 5_000
    assert dense_layer_params(0, 7) == 7
    with pytest.raises(ValueError):
        dense_layer_params(-1, 3)


def test_dense_layer_matches_torch():
    torch = pytest.importorskip("torch")
    layer = torch.nn.Linear(100, 50)
    assert sum(p.numel() for p in layer.parameters()) == dense_layer_params(100, 50)


# --------------------------------------------------------------------------------------------
# GPT-3 175B (gpt2 layout with the GPT-3 paper's hyperparameters)
# --------------------------------------------------------------------------------------------

GPT3_175B = {
    # Brown et al. 2020, "Language Models are Few-Shot Learners", Table 2.1 (GPT-3 175B):
    # n_layers 96, d_model 12,288, n_heads 96, n_ctx 2,048; vocabulary 50,257 (GPT-2 BPE, §2.1).
    "model_type": "gpt2",
    "n_layer": 96,
    "n_embd": 12288,
    "n_head": 96,
    "n_ctx": 2048,
    "n_positions": 2048,   # transformers sizes the position table from n_positions, so it is set too
    "vocab_size": 50257,
}


def test_gpt3_embedding_matrix():
    r = count(GPT3_175B)
    # token embedding: 50,257 × 12,288 = 617,558,016
    assert 50_257 * 12_288 == 617_558_016
    assert r["parts"]["embeddings"] == 617_558_016
    # learned position table: 2,048 × 12,288 = 25,165,824
    assert r["parts"]["position"] == 25_165_824
    # the output head is tied to the token embedding (GPT2Config default): adds nothing
    assert r["parts"]["head"] == 0
    # embedding = 617,558,016 + 25,165,824 = 642,723,840
    assert r["embedding"] == 642_723_840


def test_gpt3_total():
    r = count(GPT3_175B)
    d = 12_288
    # per block: c_attn d×3d + 3d, c_proj d×d + d, c_fc d×4d + 4d, c_proj 4d×d + d, two LayerNorms 2×2d
    #          = 12·d² + 13·d = 12 × 150,994,944 + 159,744 = 1,811,939,328 + 159,744 = 1,812,099,072
    per_block = 1_812_099_072
    assert 12 * d * d + 13 * d == per_block
    # total = 96 × 1,812,099,072 + 617,558,016 + 25,165,824 + 2 × 12,288 (ln_f)
    #       = 173,961,510,912 + 642,723,840 + 24,576 = 174,604,259,328   (the paper's "175.0B")
    assert r["total"] == 174_604_259_328
    assert round(r["total"] / 1e9) == 175
    assert r["parts"]["attention"] == 96 * (d * 3 * d + 3 * d + d * d + d)
    assert r["parts"]["mlp"] == 96 * (d * 4 * d + 4 * d + 4 * d * d + d)
    assert r["parts"]["norms"] == 96 * 4 * d + 2 * d


# --------------------------------------------------------------------------------------------
# Llama 2 70B
# --------------------------------------------------------------------------------------------

LLAMA2_70B = {
    "model_type": "llama",
    "hidden_size": 8192,
    "intermediate_size": 28672,
    "num_hidden_layers": 80,
    "num_attention_heads": 64,
    "num_key_value_heads": 8,
    "vocab_size": 32000,
    "tie_word_embeddings": False,
}


def test_llama2_70b_total():
    r = count(LLAMA2_70B)
    # head_dim = 8,192 / 64 = 128; kv width = 8 × 128 = 1,024
    # attention per layer: q 8,192×8,192 + k 8,192×1,024 + v 8,192×1,024 + o 8,192×8,192
    #   = 67,108,864 + 8,388,608 + 8,388,608 + 67,108,864 = 150,994,944
    # mlp per layer: 3 × 8,192 × 28,672 = 704,643,072
    # norms per layer: 2 × 8,192 = 16,384
    # 80 layers: 80 × (150,994,944 + 704,643,072 + 16,384) = 80 × 855,654,400 = 68,452,352,000
    # embeddings 32,000 × 8,192 = 262,144,000, untied head the same, final norm 8,192
    # total = 68,452,352,000 + 2 × 262,144,000 + 8,192 = 68,976,648,192
    assert r["total"] == 68_976_648_192
    assert r["active"] == r["total"]
    assert r["parts"] == {
        "embeddings": 262_144_000,
        "attention": 80 * 150_994_944,
        "mlp": 80 * 704_643_072,
        "norms": 80 * 16_384 + 8_192,
        "head": 262_144_000,
    }
    assert r["embedding"] == 524_288_000
    assert r["non_embedding"] == 68_976_648_192 - 524_288_000


def test_tied_llama_drops_the_head():
    r = count(LLAMA2_70B, overrides={"tie_word_embeddings": True})
    assert r["parts"]["head"] == 0
    assert r["total"] == 68_976_648_192 - 262_144_000


# --------------------------------------------------------------------------------------------
# Mixtral 8x7B
# --------------------------------------------------------------------------------------------

MIXTRAL_8X7B = {
    "model_type": "mixtral",
    "hidden_size": 4096,
    "intermediate_size": 14336,
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "num_local_experts": 8,
    "num_experts_per_tok": 2,
    "vocab_size": 32000,
}


def test_mixtral_total_and_active():
    r = count(MIXTRAL_8X7B)
    # attention per layer: 2 × 4,096×4,096 + 2 × 4,096×1,024 = 33,554,432 + 8,388,608 = 41,943,040
    # one expert (w1, w3: 4,096×14,336; w2: 14,336×4,096) = 3 × 58,720,256 = 176,160,768
    # experts per layer: 8 × 176,160,768 = 1,409,286,144; router 8 × 4,096 = 32,768; norms 8,192
    # per layer 41,943,040 + 1,409,286,144 + 32,768 + 8,192 = 1,451,270,144; × 32 = 46,440,644,608
    # + embeddings 131,072,000 + head 131,072,000 + final norm 4,096 = 46,702,792,704
    assert r["total"] == 46_702_792_704
    # active: a token visits 2 of 8 experts, so 6 experts per layer sit idle:
    #   46,702,792,704 − 32 × 6 × 176,160,768 = 46,702,792,704 − 33,822,867,456 = 12,879,925,248
    #   (Mixtral paper: "13B active parameters")
    assert r["active"] == 12_879_925_248
    assert r["parts"]["experts_routed"] == 32 * 1_409_286_144
    assert r["parts"]["router"] == 32 * 32_768


# --------------------------------------------------------------------------------------------
# Published exact and rounded counts
# --------------------------------------------------------------------------------------------

def test_bloom_560m_matches_model_card():
    """bigscience/bloom-560m model card, "Technical Specifications": "559,214,592 parameters"."""
    r = count(fixture("bloom-560m"))
    # embeddings 250,880 × 1,024 = 256,901,120 (the card's "256,901,120 embedding parameters")
    assert r["parts"]["embeddings"] == 256_901_120
    # per block: qkv 1,024×3,072+3,072 + dense 1,024²+1,024 + 1,024×4,096+4,096 + 4,096×1,024+1,024
    #            + 2 LayerNorms 4,096 = 12,596,224; 24 blocks = 302,309,376
    # + embedding LayerNorm 2,048 + final LayerNorm 2,048 → 559,214,592
    assert r["total"] == 559_214_592


def test_deepseek_moe_16b_matches_published_rounding():
    """deepseek-ai/deepseek-moe-16b-base (remote code), hyperparameters from its config.json.

    DeepSeekMoE paper (arXiv 2401.06066) and model card: "16.4B parameters", "2.8B activated"
    (rounded to 0.1B; no exact count is published, so only that precision is asserted, and the exact
    value below is worked by hand).
    """
    r = count(fixture("deepseek-moe-16b"))
    h, V, L = 2048, 102400, 28
    expert = 3 * h * 1408                                   # 8,650,752
    moe_layer = 64 * expert + 2 * expert + 64 * h           # routed + shared (2 × 1,408 wide) + gate = 571,080,704
    attention = 4 * h * h                                   # 16,777,216 per layer
    dense_mlp = 3 * h * 10944                               # layer 0 (first_k_dense_replace = 1)
    total = 2 * V * h + L * attention + dense_mlp + 27 * moe_layer + L * 2 * h + h
    assert total == 16_375_728_128
    assert r["total"] == total
    assert r["active"] == total - 27 * (64 - 6) * expert == 2_828_650_496
    assert round(r["total"] / 1e9, 1) == 16.4
    assert round(r["active"] / 1e9, 1) == 2.8


def test_phi3_small_by_hand():
    """microsoft/Phi-3-small-8k-instruct (remote code). The Phi-3 technical report (arXiv 2404.14219)
    states "7B"; the exact value is worked by hand from modeling_phi3_small.py's layers."""
    r = count(fixture("phi-3-small-8k-instruct"))
    h, V, L, I = 4096, 100352, 32, 14336
    qkv = h * (32 + 2 * 8) * 128 + (32 + 2 * 8) * 128      # fused query_key_value with bias
    dense = h * h + h
    mlp = h * 2 * I + 2 * I + I * h + h                    # up_proj (gegelu, 2×I) and down_proj, with biases
    norms = 2 * 2 * h                                       # two LayerNorms with bias
    total = V * h + L * (qkv + dense + mlp + norms) + 2 * h  # tied head, final LayerNorm
    assert total == 7_392_272_384
    assert r["total"] == total
    assert round(r["total"] / 1e9) == 7


def test_deepseek_v3_layout_and_extras():
    """DeepSeek-R1 config (same architecture as DeepSeek-V3). DeepSeek-V3 README_WEIGHTS.md: the MTP
    module shares embed_tokens and shared_head.head with the main model and adds enorm, hnorm, eh_proj
    and one decoder block; the paper states 671B total parameters."""
    r = count(fixture("deepseek-r1"))
    h = 7168
    attn = (h * 1536 + 1536 + 1536 * 128 * 192          # q_a_proj, q_a_layernorm, q_b_proj
            + h * (512 + 64) + 512                      # kv_a_proj_with_mqa, kv_a_layernorm
            + 512 * 128 * (128 + 128)                   # kv_b_proj
            + 128 * 128 * h)                            # o_proj
    assert attn == 187_107_328
    expert = 3 * h * 2048                               # 44,040,192
    moe_block = attn + 256 * expert + expert + 256 * h + 2 * h
    assert moe_block == 11_507_286_016
    dense_block = attn + 3 * h * 18432 + 2 * h
    total = 3 * dense_block + 58 * moe_block + 2 * 129280 * h + h
    assert r["total"] == total == 671_026_404_352
    assert round(r["total"] / 1e9) == 671
    # active: 256 − 8 routed experts idle in each of the 58 MoE blocks
    assert r["active"] == total - 58 * 248 * expert
    # one MTP module: enorm + hnorm + shared_head.norm (3 × 7,168) + eh_proj 14,336 × 7,168 + one MoE block
    assert r["extra"]["mtp"] == 3 * h + 2 * h * h + moe_block == 11_610_067_968
    # e_score_correction_bias buffers: 256 per MoE block, 58 in the main model + 1 in the MTP module
    assert r["extra"]["router_bias"] == 59 * 256
    assert r["total"] == sum(r["parts"].values())        # extras stay out of total


def test_deepseek_v3_reduced_layers():
    cfg = dict(fixture("deepseek-r1"), num_hidden_layers=5)
    full, small = count(fixture("deepseek-r1")), count(cfg)
    per_moe = (full["total"] - small["total"]) // 56
    assert full["total"] - small["total"] == 56 * per_moe == 56 * 11_507_286_016


# --------------------------------------------------------------------------------------------
# Family details
# --------------------------------------------------------------------------------------------

def test_refinedweb_configs_are_read_like_falcon():
    new = count(fixture("falcon-7b"))
    old = count(fixture("falcon-7b-refinedwebmodel"))
    assert old["total"] == new["total"]
    assert old["model_type"] == "RefinedWebModel"
    # RefinedWeb (Falcon-40B): n_head_kv present → new decoder architecture, two LayerNorms per block
    r = count(fixture("falcon-40b-refinedweb"))
    h, d = 8192, 8192 // 128
    assert r["parts"]["attention"] == 60 * (h * (2 * 8 + 128) * d + h * h)
    assert r["parts"]["norms"] == 60 * 2 * 2 * h + 2 * h


def test_falcon_7b_by_hand():
    r = count(fixture("falcon-7b"))
    h, d = 4544, 64
    # multi-query: fused qkv = hidden + 2 × head_dim = 4,672 wide; no biases; one LayerNorm per block
    per_block = h * (h + 2 * d) + h * h + 2 * h * 4 * h + 2 * h
    assert r["total"] == 65024 * h + 32 * per_block + 2 * h == 6_921_720_704


def test_opt_350m_projection_and_offset():
    r = count(fixture("opt-350m"))
    assert r["parts"]["position"] == (2048 + 2) * 1024          # OPT's learned table has 2 extra rows
    assert r["parts"]["projection"] == 2 * 512 * 1024            # project_in and project_out
    assert r["parts"]["embeddings"] == 50272 * 512               # embeddings are 512 wide
    # do_layer_norm_before = false: no final LayerNorm, 2 per block
    assert r["parts"]["norms"] == 24 * 2 * 2 * 1024
    assert r["parts"]["head"] == 0


def test_gemma_head_dim_default_is_256():
    base = {"model_type": "gemma", "vocab_size": 1000, "hidden_size": 3072, "intermediate_size": 64,
            "num_hidden_layers": 1, "num_attention_heads": 16, "num_key_value_heads": 16}
    r = count(base)
    # head_dim defaults to 256 (GemmaConfig), not 3,072 / 16 = 192: q, k, v and o are 16 × 256 = 4,096 wide
    assert r["parts"]["attention"] == 4 * 3072 * 4096
    assert count(base, overrides={"head_dim": 192})["parts"]["attention"] == 4 * 3072 * 3072


def test_mistral_kv_default_is_8_and_head_dim_may_differ():
    cfg = {"model_type": "mistral", "vocab_size": 10, "hidden_size": 5120, "intermediate_size": 8,
           "num_hidden_layers": 1, "num_attention_heads": 32}
    # absent num_key_value_heads → 8 (MistralConfig); head_dim 5,120 / 32 = 160
    assert count(cfg)["parts"]["attention"] == 5120 * 32 * 160 * 2 + 2 * 5120 * 8 * 160
    # Mistral Small 24B: head_dim 128 ≠ 5,120 / 32
    r = count(fixture("mistral-small-24b-base-2501"))
    assert r["parts"]["attention"] == 40 * (2 * 5120 * 32 * 128 + 2 * 5120 * 8 * 128)


def test_qwen2_biases_on_qkv_only():
    cfg = {"model_type": "qwen2", "vocab_size": 10, "hidden_size": 64, "intermediate_size": 8,
           "num_hidden_layers": 1, "num_attention_heads": 4, "num_key_value_heads": 2}
    # q 64×64+64, k 64×32+32, v 64×32+32, o 64×64 (no bias)
    assert count(cfg)["parts"]["attention"] == 64 * 64 + 64 + 2 * (64 * 32 + 32) + 64 * 64


def test_olmo_norms_are_not_parameters_and_olmo2_has_qk_norm():
    assert count(fixture("olmo-1b-hf"))["parts"]["norms"] == 0
    r = count(fixture("olmo-2-1124-7b"))
    h = 4096
    assert r["parts"]["norms"] == 32 * (2 * h + h + h) + h     # post-attn, post-ffn, q_norm, k_norm


def test_t5_untied_head_and_first_layer_bias():
    r11 = count(fixture("t5-v1_1-base"))
    assert r11["parts"]["head"] == 32128 * 768                    # tie_word_embeddings: false
    assert r11["parts"]["position"] == 2 * 32 * 12                 # one table per stack, first block only
    # T5 v1.1: gated-gelu → wi_0, wi_1, wo
    assert r11["parts"]["mlp"] == 24 * 3 * 768 * 2048
    r10 = count(fixture("t5-small"))
    assert r10["parts"]["head"] == 0
    assert r10["total"] == 60_506_624
    assert r10["parts"]["mlp"] == 12 * 2 * 512 * 2048


def test_bert_pooler_and_token_types():
    r = count(fixture("bert-base-uncased"), overrides={"architectures": ["BertModel"]})
    assert (r["head"], r["method"]) == ("BertModel", "formula")
    assert r["parts"]["pooler"] == 768 * 768 + 768
    assert r["parts"]["token_type"] == 2 * 768
    assert r["parts"]["position"] == 512 * 768
    assert r["embedding"] == (30522 + 2 + 512) * 768
    assert r["total"] == 109_482_240


def test_bert_masked_lm_head_from_architectures():
    """bert-base-uncased declares BertForMaskedLM: BertModel without its pooler, plus the prediction
    head: transform dense (768 × 768 + 768), its LayerNorm (2 × 768) and the decoder bias (30,522);
    the decoder weight is tied to the word embeddings."""
    r = count(fixture("bert-base-uncased"))
    assert r["head"] == "BertForMaskedLM" and r["head_source"] == "architectures"
    assert r["total"] == 109_482_240 - (768 * 768 + 768) + (768 * 768 + 768) + 2 * 768 + 30_522
    assert r["input_embedding"] == 30522 * 768


def test_vit_patch_embedding_and_pooler():
    r = count(fixture("vit-base-patch16-224"), overrides={"architectures": ["ViTModel"]})
    assert r["parts"]["patch_embedding"] == 3 * 768 * 16 * 16 + 768
    assert r["parts"]["position"] == (14 * 14 + 1) * 768
    assert r["parts"]["cls_token"] == 768
    assert r["parts"]["pooler"] == 768 * 768 + 768
    rect = count(dict(fixture("vit-base-patch16-224"), image_size=[224, 160], patch_size=[16, 32],
                      architectures=["ViTModel"]))
    assert rect["parts"]["position"] == (14 * 5 + 1) * 768


def test_qwen2_moe_sparse_step_and_mlp_only_layers():
    base = {"model_type": "qwen2_moe", "vocab_size": 10, "hidden_size": 8, "intermediate_size": 4,
            "moe_intermediate_size": 2, "shared_expert_intermediate_size": 3, "num_experts": 4,
            "num_hidden_layers": 6, "num_attention_heads": 2, "num_experts_per_tok": 1}
    dense_mlp = 3 * 8 * 4
    # decoder_sparse_step 2 → layers 1, 3, 5 sparse; mlp_only_layers [3, 4] removes layer 3 → 2 sparse
    r = count(base, overrides={"decoder_sparse_step": 2, "mlp_only_layers": [3, 4]})
    assert r["parts"]["experts_routed"] == 2 * 4 * 3 * 8 * 2
    assert r["parts"]["mlp"] == 4 * dense_mlp
    assert r["parts"]["router"] == 2 * (4 * 8 + 8)


def test_q_lora_rank_absent_takes_the_config_class_default():
    """DeepseekV2Config's q_lora_rank defaults to 1536: a config without the key compresses queries;
    an explicit null (DeepSeek-V2-Lite's published config) does not. Per layer, with compression:
    q_a_proj 2,048 × 1,536 + q_a_layernorm 1,536 + q_b_proj 1,536 × 16 × 192, instead of q_proj
    2,048 × 16 × 192 = 6,291,456: 3,145,728 + 1,536 + 4,718,592 = 7,865,856, so 1,574,400 more per
    layer, 42,508,800 over 27 layers (15,706,484,224 → 15,748,993,024, the shared case's values)."""
    lite = fixture("deepseek-coder-v2-lite-instruct")
    assert "q_lora_rank" not in lite
    absent = count(lite)
    null = count(lite, overrides={"q_lora_rank": None})
    assert null["parts"]["attention"] // 27 == (2048 * 16 * 192 + 2048 * 576 + 512 + 512 * 16 * 256
                                                 + 16 * 128 * 2048)
    assert null["total"] == 15_706_484_224
    assert absent["total"] - null["total"] == 27 * (2048 * 1536 + 1536 + 1536 * 16 * 192 - 2048 * 16 * 192)
    assert absent["total"] == 15_748_993_024
    assert round(null["total"] / 1e9, 1) == 15.7      # DeepSeek-V2-Lite: "15.7B total parameters"
    # the table keeps an explicit null apart from an absent key when built with config_frame
    table = formula.config_frame([lite, dict(lite, q_lora_rank=None), dict(lite, q_lora_rank=1536)])
    assert list(count_table(table)["total"]) == [15_748_993_024, 15_706_484_224, 15_748_993_024]


def test_deepseek_active_counts_both_conventions():
    """DeepSeek-V3 (the R1 config): 37,552,282,624 active with the input embedding; DeepSeek leaves the
    embedding out: 37,552,282,624 − 129,280 × 7,168 (926,679,040) = 36,625,603,584 ("37B activated")."""
    r = count(fixture("deepseek-r1"))
    assert r["active"] == 37_552_282_624
    assert r["input_embedding"] == 129_280 * 7_168
    assert r["active_without_input_embedding"] == 36_625_603_584
    assert r["active_non_embedding"] == 36_625_603_584 - 129_280 * 7_168


def test_qwen_moe_active_non_embedding():
    """Qwen1.5-MoE-A2.7B: activated non-embedding = 2,689,173,504 − 2 × 311,164,928 = 2,066,843,648
    (Qwen's "2.0 billion activated non-embedding parameters")."""
    r = count(fixture("qwen1.5-moe-a2.7b"))
    assert r["active"] == 2_689_173_504
    assert r["input_embedding"] == r["output_embedding"] == 151_936 * 2_048 == 311_164_928
    assert r["active_non_embedding"] == 2_066_843_648


def test_aliases_and_old_key_names():
    a = count(GPT3_175B)
    b = count({"model_type": "gpt2", "num_hidden_layers": 96, "hidden_size": 12288, "num_attention_heads": 96,
               "max_position_embeddings": 2048, "vocab_size": 50257})
    assert a == b
    bloom = fixture("bloom-560m")
    renamed = {k: v for k, v in bloom.items() if k not in ("hidden_size",)} | {"n_embed": 1024}
    assert count(renamed)["total"] == 559_214_592


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------

def test_unknown_model_type_names_the_closest_families():
    with pytest.raises(ConfigError) as err:
        count({"model_type": "lama", "hidden_size": 3})
    msg = str(err.value)
    assert "'lama'" in msg and "closest known: llama" in msg
    for fam in SUPPORTED_FAMILIES:
        assert fam in msg


def test_missing_model_type():
    with pytest.raises(ConfigError, match="model_type"):
        count({"hidden_size": 3})


def test_missing_required_key_takes_the_config_class_default():
    """LlamaConfig's intermediate_size defaults to 11,008: a config without it counts as if it said so
    (transformers builds it), and the result names the key it took from the class default."""
    cfg = dict(LLAMA2_70B)
    del cfg["intermediate_size"]
    r = count(cfg)
    assert r["defaults_used"] == ["intermediate_size"] and r["method"] == "transformers"
    assert r["total"] == count(dict(cfg, intermediate_size=11008))["total"]


def test_missing_key_of_a_remote_code_family_names_the_key():
    cfg = {k: v for k, v in fixture("deepseek-moe-16b").items() if k != "intermediate_size"}
    with pytest.raises(ConfigError) as err:
        count(cfg)
    assert "intermediate_size" in str(err.value) and "deepseek" in str(err.value)


def test_several_missing_keys_are_all_named():
    with pytest.raises(ConfigError) as err:
        count({"model_type": "phi3small", "hidden_size": 8})
    msg = str(err.value)
    for key in ("vocab_size", "num_hidden_layers", "num_attention_heads"):
        assert key in msg


def test_invalid_value_names_the_key():
    with pytest.raises(ConfigError, match="hidden_size"):
        count(dict(LLAMA2_70B, hidden_size="big"))
    with pytest.raises(ConfigError, match="num_attention_heads"):
        count(dict(LLAMA2_70B, num_attention_heads=0))
    with pytest.raises(ConfigError, match="vocab_size"):
        count(dict(LLAMA2_70B, vocab_size=-3))
    with pytest.raises(ConfigError, match="tie_word_embeddings"):
        count(dict(LLAMA2_70B, tie_word_embeddings="maybe"))
    with pytest.raises(ConfigError, match="feed_forward_proj"):
        count(dict(fixture("t5-small"), feed_forward_proj=3))
    with pytest.raises(ConfigError, match="hidden_size"):
        count(dict(LLAMA2_70B, hidden_size=2 ** 31))      # would overflow int64 products


def test_moe_without_top_k_has_no_active_count():
    """DeepseekV2Config has no default for num_experts_per_tok: the total is known, the active count is not."""
    cfg = {k: v for k, v in fixture("deepseek-coder-v2-lite-instruct").items() if k != "num_experts_per_tok"}
    r = count(cfg)
    assert r["total"] == count(fixture("deepseek-coder-v2-lite-instruct"))["total"]
    assert r["active"] is None and r["active_non_embedding"] is None
    assert "unknown" in format_breakdown(r)


def test_granitemoehybrid_total_and_active_by_hand():
    """Granite 4.0-H's model_type has no formula family: transformers counts it, and the routed experts it
    stores as fused tensors (block_sparse_moe.experts.gate_up_proj / down_proj) still give the active count."""
    pytest.importorskip("transformers")
    cfg = {"architectures": ["GraniteMoeHybridForCausalLM"], "model_type": "granitemoehybrid", "vocab_size": 1000,
           "hidden_size": 64, "intermediate_size": 32, "shared_intermediate_size": 48, "num_local_experts": 8,
           "num_experts_per_tok": 2, "num_hidden_layers": 4, "num_attention_heads": 4, "num_key_value_heads": 2,
           "layer_types": ["mamba", "mamba", "mamba", "attention"], "mamba_n_heads": 8, "mamba_d_head": 16,
           "mamba_d_state": 16, "mamba_n_groups": 1, "mamba_d_conv": 4, "tie_word_embeddings": True}
    r = count(cfg)
    expert = 64 * 2 * 32 + 32 * 64                            # fused gate/up, down: 6,144
    every_layer = 2 * 64 + 8 * 64 + 8 * expert + (64 * 96 + 48 * 64)   # 2 norms, router, experts, shared MLP
    # Mamba-2: d_inner 8 x 16 = 128; conv over x, B, C = 128 + 2 x 16 = 160 channels; in_proj gives z, xBC, dt
    mamba = 64 * (128 + 160 + 8) + 160 * 4 + 160 + 3 * 8 + 128 + 128 * 64
    attention = 64 * 64 + 2 * (64 * 32) + 64 * 64             # q, k and v (2 heads of 16), o
    total = 1000 * 64 + 4 * every_layer + 3 * mamba + attention + 64    # tied head, final norm
    assert (r["method"], r["total"]) == ("transformers", total) and total == 396_648
    assert r["active"] == total - 4 * (8 - 2) * expert == 249_192


def test_config_error_is_a_value_error():
    assert issubclass(ConfigError, ValueError)


# --------------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------------

def test_count_table_mixes_good_and_bad_rows():
    llama_missing = {k: v for k, v in LLAMA2_70B.items() if k != "vocab_size"}
    rows = {
        "llama-2-70b": LLAMA2_70B,
        "mixtral": MIXTRAL_8X7B,
        "mamba": {"model_type": "mambo-not-a-model", "hidden_size": 4},
        "no-vocab": llama_missing,
        "no-type": {"hidden_size": 4},
        "bad-heads": dict(LLAMA2_70B, num_attention_heads="many"),
        "gpt3": GPT3_175B,
    }
    df = pd.DataFrame.from_dict(rows, orient="index")
    out = count_table(df, fallback_to_transformers=False)
    assert list(out.index) == list(rows)
    assert out.loc["llama-2-70b", "total"] == 68_976_648_192
    assert out.loc["mixtral", "active"] == 12_879_925_248
    assert out.loc["gpt3", "comp_embeddings"] == 617_558_016
    for good in ("llama-2-70b", "mixtral", "gpt3"):
        assert out.loc[good, "error"] is None
    for bad in ("mamba", "no-vocab", "no-type", "bad-heads"):
        assert isinstance(out.loc[bad, "error"], str)
        assert out.loc[[bad], ["total", "active", "embedding", "non_embedding"]].isna().all(axis=None)
    assert "neither the formula engine nor transformers" in out.loc["mamba", "error"]
    assert "vocab_size" in out.loc["no-vocab", "error"]
    assert "model_type" in out.loc["no-type", "error"]
    assert "num_attention_heads" in out.loc["bad-heads", "error"]


def test_count_table_columns_and_dtypes():
    df = pd.DataFrame.from_dict({"a": LLAMA2_70B, "b": {"model_type": "nope"}}, orient="index")
    out = count_table(df)
    expected = (["model_type", "total", "active", "active_without_input_embedding", "active_non_embedding",
                 "input_embedding", "output_embedding", "embedding", "non_embedding"]
                + [f"comp_{p}" for p in PARTS] + [f"extra_{p}" for p in EXTRAS]
                + [f"component_{c}" for c in formula.TOWERS])
    assert list(out.columns) == expected + ["head", "head_source", "method", "defaults", "error"]
    for col in expected[1:]:
        assert str(out[col].dtype) == "Int64", col
    # parts a family does not have are 0 for good rows, NA for bad ones
    assert out.loc["a", "comp_pooler"] == 0
    assert pd.isna(out.loc["b", "comp_pooler"])


def test_count_table_empty_and_never_raises():
    out = count_table(pd.DataFrame(index=pd.Index([], name="id")))
    assert len(out) == 0
    weird = pd.DataFrame({"model_type": [None, 3, "llama", float("nan")], "hidden_size": [1, 2, None, 4]},
                         index=list("wxyz"))
    out = count_table(weird, fallback_to_transformers=False)
    assert out["error"].map(lambda e: isinstance(e, str)).all()
    assert out["total"].isna().all()
    # with transformers, the llama row with no widths is LlamaConfig's defaults (Llama-7B shaped):
    # 32 × (4 × 4,096² + 3 × 4,096 × 11,008 + 2 × 4,096) + 4,096 + 2 × 32,000 × 4,096 = 6,738,415,616
    out = count_table(weird)
    assert out.loc["y", "total"] == 6_738_415_616
    assert out.loc["y", "defaults"] == "vocab_size,hidden_size,num_hidden_layers,num_attention_heads,intermediate_size"


def test_count_is_count_table():
    """count() is a one-row count_table: every fixture agrees, in one mixed table too."""
    configs = {p.stem: json.loads(p.read_text()) for p in sorted(CONFIGS.glob("*.json"))}
    table = count_table(pd.DataFrame.from_dict(configs, orient="index"))
    assert table["error"].isna().all(), table.loc[table["error"].notna(), "error"].to_dict()
    for name, cfg in configs.items():
        r = count(cfg)
        row = table.loc[name]
        assert r["total"] == row["total"]
        assert r["active"] == row["active"]
        assert r["embedding"] == row["embedding"]
        for part, value in r["parts"].items():
            assert value == row[f"comp_{part}"]
        assert r["total"] == sum(r["parts"].values())
        assert r["embedding"] + r["non_embedding"] == r["total"]
        assert 0 < r["active"] <= r["total"]


def test_table_rows_of_one_family_with_different_flags():
    rows = [dict(LLAMA2_70B, tie_word_embeddings=t, attention_bias=b, num_key_value_heads=kv)
            for t in (True, False) for b in (True, False) for kv in (8, 64, None)]
    df = pd.DataFrame(rows)
    out = count_table(df)
    for i, cfg in enumerate(rows):
        cfg = {k: v for k, v in cfg.items() if v is not None}
        assert out.iloc[i]["total"] == count(cfg)["total"]


def test_outputs_are_python_ints():
    r = count(fixture("deepseek-r1"))
    for key in ("total", "active", "embedding", "non_embedding"):
        assert type(r[key]) is int
    assert all(type(v) is int for v in r["parts"].values())
    assert all(type(v) is int for v in r["extra"].values())


# --------------------------------------------------------------------------------------------
# explain and format_breakdown
# --------------------------------------------------------------------------------------------

def test_explain_formulas_and_arithmetic():
    rows = explain(LLAMA2_70B)
    by_part = {r["part"]: r for r in rows}
    emb = by_part["embeddings"]
    assert emb["formula"] == "vocab_size × hidden_size"
    assert emb["arithmetic"] == "32,000 × 8,192"
    assert emb["value"] == 262_144_000
    assert by_part["head"]["arithmetic"] == "32,000 × 8,192"
    tied = {r["part"]: r for r in explain(LLAMA2_70B, {"tie_word_embeddings": True})}
    assert tied["head"]["value"] == 0
    assert "tied" in tied["head"]["formula"]


@pytest.mark.parametrize("name", sorted(p.stem for p in CONFIGS.glob("*.json")))
def test_explain_values_equal_count(name):
    cfg = fixture(name)
    r = count(cfg)
    rows = explain(cfg)
    parts = {row["part"]: row["value"] for row in rows if not row["part"].startswith("extra:")}
    assert parts == r["parts"]
    extras = {row["part"][6:]: row["value"] for row in rows if row["part"].startswith("extra:")}
    assert extras == r["extra"]
    for row in rows:
        assert row["formula"] and row["arithmetic"]
        assert set(row) == {"part", "formula", "arithmetic", "value"}


def test_explain_arithmetic_evaluates_to_value():
    """The arithmetic strings are plain arithmetic: evaluating them gives the value."""
    for name in ("llama-2-70b", "opt-350m", "falcon-7b", "t5-v1_1-base", "deepseek-r1", "vit-base-patch16-224"):
        for row in explain(fixture(name)):
            expr = row["arithmetic"].replace(",", "").replace("×", "*").replace("−", "-").replace("÷", "//")
            assert eval(expr, {"__builtins__": {}}) == row["value"], (name, row)


def test_explain_raises_config_error():
    with pytest.raises(ConfigError, match="intermediate_size"):
        explain(dict(LLAMA2_70B, intermediate_size="wide"))


def test_explain_of_a_transformers_count_groups_named_parameters():
    """gpt_oss counted by transformers: explain groups its tensors; the groups add up to the total."""
    cfg = {"model_type": "gpt_oss", "vocab_size": 100, "hidden_size": 32, "intermediate_size": 16,
           "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 8,
           "num_local_experts": 4, "num_experts_per_tok": 2, "tie_word_embeddings": False,
           "layer_types": ["sliding_attention", "full_attention"]}
    r = count(cfg)
    rows = explain(cfg)
    assert sum(row["value"] for row in rows) == r["total"]
    assert {"embeddings", "attention", "experts_routed", "router", "norms", "head"} <= {row["part"] for row in rows}


def test_format_breakdown():
    text = format_breakdown(count(MIXTRAL_8X7B))
    assert "46,702,792,704" in text
    assert "12,879,925,248" in text
    assert "%" in text
    assert "experts_routed" in text
    lines = text.splitlines()
    assert len(lines) >= 8
    text3 = format_breakdown(count(fixture("deepseek-r1")))
    assert "mtp" in text3 and "not in total" in text3


def test_family_registry_is_documented():
    assert set(formula.FAMILY_CLASSES) | {"RefinedWeb", "RefinedWebModel", "kimi_k2", "minimax_m1"} == set(SUPPORTED_FAMILIES)
    for fam in ("gpt2", "gpt_neox", "opt", "bloom", "falcon", "llama", "mistral", "mixtral", "qwen2", "qwen2_moe",
                "gemma", "gemma2", "phi3", "phi3small", "olmo", "olmo2", "deepseek", "deepseek_v2", "deepseek_v3",
                "bert", "t5", "vit"):
        assert fam in SUPPORTED_FAMILIES
    assert np.dtype(formula.INT64) == np.int64


# --------------------------------------------------------------------------------------------
# Newer families against published figures
# --------------------------------------------------------------------------------------------

def test_gpt_oss_20b():
    """transformers' meta-device count of openai/gpt-oss-20b is 20,914,757,184 (OpenAI: "21B parameters
    with 3.6B active"). Per layer: attention 2,880 × 4,096 + 4,096 (q) + 2 × (2,880 × 512 + 512) (k, v)
    + 4,096 × 2,880 + 2,880 (o) + 64 sinks = 26,550,144; 32 experts of 2,880 × 5,760 + 5,760 + 2,880 ×
    2,880 + 2,880 = 24,891,840 each, 4 of them active."""
    r = count(fixture("gpt-oss-20b"))
    assert r["method"] == "formula" and r["total"] == 20_914_757_184
    assert r["parts"]["attention"] == 24 * 26_550_144
    assert r["parts"]["experts_routed"] == 24 * 32 * 24_891_840
    assert r["active"] == r["total"] - 24 * 28 * 24_891_840
    assert round(r["active_without_input_embedding"] / 1e9, 1) == 3.6


def test_qwen3_moe_and_glm4_moe_published_sizes():
    """Qwen3-30B-A3B: "30.5B total, 3.3B activated"; GLM-4.5-Air: "106B total, 12B active" (Zhipu counts
    activated parameters without the two embedding tables)."""
    qwen = count(fixture("qwen3-30b-a3b"))
    assert round(qwen["total"] / 1e9, 1) == 30.5 and round(qwen["active"] / 1e9, 1) == 3.4
    glm = count(fixture("glm-4.5-air"))
    assert round(glm["total"] / 1e9) == 107 and round(glm["active_non_embedding"] / 1e9) == 12


def test_qwen3_0_6b_head_dim_and_qk_norms():
    """Qwen3-0.6B: head_dim 128 (not 1,024 / 16 = 64); per layer q 1,024 × 2,048, k and v 1,024 × 1,024,
    o 2,048 × 1,024, q_norm and k_norm of 128; tied head. Qwen: "0.6B, 0.44B non-embedding"."""
    r = count(fixture("qwen3-0.6b"))
    assert r["parts"]["attention"] == 28 * (1024 * 2048 + 2 * 1024 * 1024 + 2048 * 1024)
    assert r["parts"]["norms"] == 28 * (2 * 1024 + 2 * 128) + 1024
    assert r["output_embedding"] == 0
    assert round(r["non_embedding"] / 1e9, 2) == 0.44


def test_gemma4_moe_top_k_experts_gives_the_active_count():
    """Gemma4TextConfig names its experts per token top_k_experts: the active count leaves out the
    (num_experts - top_k_experts) unvisited experts of each layer, each a gated MLP of
    3 x moe_intermediate_size x hidden_size weights (Gemma4TextExperts: gate_up_proj and down_proj)."""
    cfg = {"model_type": "gemma4_text", "vocab_size": 64, "vocab_size_per_layer_input": 64, "hidden_size": 16,
           "intermediate_size": 24, "num_hidden_layers": 2, "num_attention_heads": 2, "num_key_value_heads": 1,
           "head_dim": 8, "global_head_dim": 16, "hidden_size_per_layer_input": 0, "enable_moe_block": True,
           "num_experts": 4, "top_k_experts": 1, "moe_intermediate_size": 8}
    r = count(cfg)
    assert r["total"] - r["active"] == 2 * (4 - 1) * 3 * 8 * 16
