"""Property tests: the formula engine equals transformers on the meta device for random small configs.

Hypothesis draws configs for every formula family transformers implements: widths, heads, kv heads,
head_dim set, null or absent, biases, tying, expert counts and top-k, dense/sparse layer patterns,
sliding-window layer lists, and the head class (``architectures``: causal LM, bare model, sequence
classification with ``num_labels``). Each is counted by the engine, which must use its formula
(``method == "formula"``), and built with transformers on the meta device in this file
(``sum(p.numel() for p in model.parameters())``); the two must agree exactly, and the vectorized
table must agree with the one-config path.
"""
from __future__ import annotations

import warnings

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from transformers import AutoConfig, AutoModelForCausalLM  # noqa: E402

from pipeline import formula  # noqa: E402

pytestmark = pytest.mark.oracle

EXAMPLES = 12
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


#: The class transformers builds for a config without ``architectures``, where the family's usual
#: class is not the causal LM (the engine's ``Family.cls``).
DEFAULT_CLASS = {"roberta": "RobertaModel", "xlm-roberta": "XLMRobertaModel",
                 "deberta-v2": "DebertaV2ForMaskedLM", "whisper": "WhisperForConditionalGeneration",
                 "clip": "CLIPModel", "clip_text_model": "CLIPTextModel", "clip_vision_model": "CLIPVisionModel",
                 "siglip": "SiglipModel", "siglip_vision_model": "SiglipVisionModel",
                 "siglip_text_model": "SiglipTextModel", "mt5": "MT5ForConditionalGeneration",
                 "umt5": "UMT5ForConditionalGeneration", "qwen3_5": "Qwen3_5ForConditionalGeneration",
                 "qwen3_5_moe": "Qwen3_5MoeForConditionalGeneration",
                 "mistral3": "Mistral3ForConditionalGeneration", "gemma3": "Gemma3ForConditionalGeneration",
                 "voxtral": "VoxtralForConditionalGeneration"}


def meta_count(cfg: dict) -> int:
    """transformers' own count: the class named in ``architectures`` (else the causal LM, or the bare
    model for encoders), built on meta."""
    return sum(p.numel() for p in meta_model(cfg).parameters())


def meta_active(cfg: dict, experts: int, top_k: int) -> int:
    """transformers' count less the routed-expert weights a token does not visit: every parameter
    under an ``experts`` module, split evenly over ``experts`` and kept for ``top_k`` of them."""
    model = meta_model(cfg)
    total = sum(p.numel() for p in model.parameters())
    routed = sum(p.numel() for name, p in model.named_parameters() if ".experts." in f".{name}")
    assert routed % experts == 0, (routed, experts)
    return total - routed // experts * (experts - top_k)


def meta_model(cfg: dict):
    """The transformers model ``meta_count`` counts, built on the meta device."""
    hf = {k: v for k, v in cfg.items() if k != "model_type"}
    arch = (cfg.get("architectures") or [None])[0] or DEFAULT_CLASS.get(cfg["model_type"])
    try:
        config = AutoConfig.for_model(cfg["model_type"], **hf)
        with warnings.catch_warnings(), torch.device("meta"):
            warnings.simplefilter("ignore")
            if arch:
                model = getattr(transformers, arch)(config)
            else:
                model = AutoModelForCausalLM.from_config(config)
    except Exception:  # huggingface_hub's StrictDataclassFieldValidationError, rope set-up, ...
        # some families cannot build an explicit head_dim null at all: nothing to compare then
        hypothesis.assume(hf.get("head_dim", 0) is not None)
        raise
    if cfg["model_type"] in ("mt5", "umt5") and cfg.get("tie_word_embeddings") is False and hasattr(model, "lm_head"):
        # transformers 5 always ties the T5 family; a checkpoint with its own lm_head is untied by
        # from_pretrained (tests/test_formula_oracle.py shows it for T5 v1.1): count that head
        assert model.lm_head.weight is model.shared.weight
        model.lm_head.weight = torch.nn.Parameter(torch.empty_like(model.shared.weight))
    return model


@st.composite
def decoder(draw, model_type: str, prefix: str, head_dim: bool = True, heads: tuple[int, ...] = (1, 2, 4),
            qk_norm_needs_even: bool = False) -> dict:
    """The keys every llama-style decoder reads, small."""
    n_heads = draw(st.sampled_from(heads))
    kv = draw(st.sampled_from([d for d in (1, 2, 4) if n_heads % d == 0]))
    width = draw(st.sampled_from([8, 16]))
    cfg = {"model_type": model_type, "vocab_size": draw(st.integers(16, 64)), "hidden_size": n_heads * width,
           "num_hidden_layers": draw(st.integers(1, 3)), "num_attention_heads": n_heads,
           "intermediate_size": draw(st.integers(4, 40)), "num_key_value_heads": kv,
           "pad_token_id": 0}     # some class defaults point past a tiny vocabulary
    if draw(st.booleans()):
        del cfg["num_key_value_heads"]                      # the family's default
        cfg["num_attention_heads"] = n_heads = draw(st.sampled_from([2, 4, 8]))
        cfg["hidden_size"] = n_heads * width
    if head_dim:
        choice = draw(st.sampled_from(["absent", "set", "null"]))
        if choice == "set":
            cfg["head_dim"] = draw(st.sampled_from([8, 12, 16]))
        elif choice == "null":
            cfg["head_dim"] = None
    if draw(st.booleans()):
        cfg["tie_word_embeddings"] = draw(st.booleans())
    head = draw(st.sampled_from(["ForCausalLM", "Model", "ForSequenceClassification", None]))
    if head is not None and not hasattr(transformers, prefix + head):
        head = "ForCausalLM"
    if head is not None:
        cfg["architectures"] = [prefix + head]
        if head == "ForSequenceClassification":
            cfg["num_labels"] = draw(st.integers(1, 5))
            cfg["pad_token_id"] = 0
    return cfg


def _layers(draw, n: int, kinds: list[str]) -> list[str]:
    return [draw(st.sampled_from(kinds)) for _ in range(n)]


@st.composite
def decoder_with_flags(draw, model_type: str, prefix: str, flags: tuple[str, ...]) -> dict:
    """A llama-style decoder whose only other keys are boolean flags, each drawn."""
    cfg = draw(decoder(model_type, prefix))
    cfg.update({flag: draw(st.booleans()) for flag in flags})
    if model_type == "nemotron":      # NemotronConfig has no kv-head default: transformers needs one
        cfg.setdefault("num_key_value_heads", cfg["num_attention_heads"])
    return cfg


#: Families whose configs differ from llama's only by boolean flags: (class prefix, flags).
FLAG_FAMILIES = {
    "qwen3": ("Qwen3", ('attention_bias',)),
    "granite": ("Granite", ('attention_bias', 'mlp_bias')),
    "smollm3": ("SmolLM3", ('attention_bias', 'mlp_bias')),
    "starcoder2": ("Starcoder2", ('use_bias',)),
    "stablelm": ("StableLm", ('use_qkv_bias', 'qk_layernorm', 'use_parallel_residual')),
    "llama": ("Llama", ('attention_bias', 'mlp_bias')),
    "cohere": ("Cohere", ('attention_bias', 'use_qk_norm')),
    "phi": ("Phi", ('qk_layernorm',)),
    "ernie4_5": ("Ernie4_5", ('use_bias',)),
    "nemotron": ("Nemotron", ('attention_bias', 'mlp_bias')),
}


@st.composite
def gpt_oss(draw):
    cfg = draw(decoder("gpt_oss", "GptOss"))
    cfg["head_dim"] = cfg.get("head_dim") or 8
    cfg["num_local_experts"] = draw(st.integers(1, 4))
    cfg["num_experts_per_tok"] = draw(st.integers(1, cfg["num_local_experts"]))
    cfg["attention_bias"] = draw(st.booleans())
    cfg["layer_types"] = _layers(draw, cfg["num_hidden_layers"], ["sliding_attention", "full_attention"])
    return cfg


@st.composite
def qwen3_moe(draw):
    cfg = draw(decoder("qwen3_moe", "Qwen3Moe"))
    cfg["head_dim"] = cfg.get("head_dim") or 8
    cfg.update(moe_intermediate_size=draw(st.integers(2, 12)), num_experts=draw(st.integers(1, 4)))
    cfg["num_experts_per_tok"] = draw(st.integers(1, cfg["num_experts"]))
    if draw(st.booleans()):
        cfg["decoder_sparse_step"] = draw(st.integers(1, 2))
    if draw(st.booleans()):
        cfg["mlp_only_layers"] = sorted(draw(st.sets(st.integers(0, 2), max_size=2)))
    return cfg


@st.composite
def olmoe(draw):
    cfg = draw(decoder("olmoe", "Olmoe"))
    cfg["num_experts"] = draw(st.integers(1, 4))
    cfg["num_experts_per_tok"] = draw(st.integers(1, cfg["num_experts"]))
    return cfg


@st.composite
def olmo3(draw):
    cfg = draw(decoder("olmo3", "Olmo3"))
    cfg["attention_bias"] = draw(st.booleans())
    cfg["layer_types"] = _layers(draw, cfg["num_hidden_layers"], ["sliding_attention", "full_attention"])
    return cfg


@st.composite
def granitemoe(draw):
    cfg = draw(decoder("granitemoe", "GraniteMoe"))
    cfg["num_local_experts"] = draw(st.integers(1, 4))
    cfg["num_experts_per_tok"] = draw(st.integers(1, cfg["num_local_experts"]))
    cfg["attention_bias"] = draw(st.booleans())
    return cfg


@st.composite
def qwen2_moe(draw):
    cfg = draw(decoder("qwen2_moe", "Qwen2Moe", head_dim=False))
    cfg.update(moe_intermediate_size=draw(st.integers(2, 12)), shared_expert_intermediate_size=draw(st.integers(2, 12)),
               num_experts=draw(st.integers(1, 4)), num_experts_per_tok=1)
    if draw(st.booleans()):
        cfg["mlp_only_layers"] = sorted(draw(st.sets(st.integers(0, 2), max_size=2)))
    return cfg


@st.composite
def gemma3_text(draw):
    cfg = draw(decoder("gemma3_text", "Gemma3"))
    cfg["head_dim"] = cfg.get("head_dim") or 8
    cfg["attention_bias"] = draw(st.booleans())
    cfg["layer_types"] = _layers(draw, cfg["num_hidden_layers"], ["sliding_attention", "full_attention"])
    if cfg.get("architectures") and cfg["architectures"][0] == "Gemma3Model":
        cfg["architectures"] = ["Gemma3TextModel"]          # Gemma3Model is the multimodal trunk
    return cfg


@st.composite
def phimoe(draw):
    cfg = draw(decoder("phimoe", "Phimoe"))
    cfg["num_local_experts"] = draw(st.integers(1, 4))
    cfg["num_experts_per_tok"] = draw(st.integers(1, cfg["num_local_experts"]))
    cfg.update(attention_bias=draw(st.booleans()), lm_head_bias=draw(st.booleans()))
    return cfg


@st.composite
def exaone4(draw):
    cfg = draw(decoder("exaone4", "Exaone4"))
    cfg["layer_types"] = _layers(draw, cfg["num_hidden_layers"], ["sliding_attention", "full_attention"])
    return cfg


@st.composite
def cohere2(draw):
    cfg = draw(decoder("cohere2", "Cohere2"))
    cfg["head_dim"] = cfg.get("head_dim") or cfg["hidden_size"] // cfg["num_attention_heads"]
    cfg["attention_bias"] = draw(st.booleans())
    cfg["layer_types"] = _layers(draw, cfg["num_hidden_layers"], ["sliding_attention", "full_attention"])
    return cfg


@st.composite
def llama4_text(draw):
    cfg = draw(decoder("llama4_text", "Llama4"))
    cfg["head_dim"] = cfg.get("head_dim") or 8
    cfg.update(intermediate_size_mlp=draw(st.integers(4, 40)), num_local_experts=draw(st.integers(1, 4)),
               attention_bias=draw(st.booleans()))
    cfg["num_experts_per_tok"] = draw(st.integers(1, cfg["num_local_experts"]))
    choice = draw(st.sampled_from(["step", "list", "default"]))
    if choice == "step":
        cfg["interleave_moe_layer_step"] = draw(st.integers(1, 3))
    elif choice == "list":
        cfg["moe_layers"] = sorted(draw(st.sets(st.integers(0, cfg["num_hidden_layers"] - 1), max_size=3)))
    if cfg.get("architectures") and cfg["architectures"][0] != "Llama4ForCausalLM":
        cfg["architectures"] = ["Llama4ForCausalLM"]      # Llama4Model/ForSequence... are multimodal
    return cfg


@st.composite
def glm4_moe(draw):
    cfg = draw(decoder("glm4_moe", "Glm4Moe"))
    cfg.update(moe_intermediate_size=draw(st.integers(2, 12)), n_routed_experts=draw(st.integers(1, 4)),
               n_shared_experts=draw(st.integers(1, 2)), first_k_dense_replace=draw(st.integers(0, 2)),
               attention_bias=draw(st.booleans()), use_qk_norm=draw(st.booleans()), n_group=1, topk_group=1)
    cfg["num_experts_per_tok"] = draw(st.integers(1, cfg["n_routed_experts"]))
    return cfg


@st.composite
def gpt2_style(draw, model_type: str, prefix: str) -> dict:
    heads = draw(st.sampled_from([1, 2, 4]))
    cfg = {"model_type": model_type, "n_embd": heads * draw(st.sampled_from([8, 16])), "n_head": heads,
           "n_layer": draw(st.integers(1, 3)), "vocab_size": draw(st.integers(16, 64)),
           "n_positions": draw(st.integers(4, 32)), "pad_token_id": 0}
    if draw(st.booleans()):
        cfg["n_inner"] = draw(st.integers(4, 40))
    if draw(st.booleans()):
        cfg["tie_word_embeddings"] = draw(st.booleans())
    head = draw(st.sampled_from(["ForCausalLM", "Model", "ForSequenceClassification", None]))
    if head is not None:
        cfg["architectures"] = [prefix + head]
        if head == "ForSequenceClassification":
            cfg["num_labels"] = draw(st.integers(1, 5))
    return cfg


@st.composite
def gpt_bigcode(draw):
    cfg = draw(gpt2_style("gpt_bigcode", "GPTBigCode"))
    if draw(st.booleans()):
        cfg["multi_query"] = draw(st.booleans())
    return cfg


@st.composite
def gptj(draw):
    cfg = draw(gpt2_style("gptj", "GPTJ"))
    cfg["rotary_dim"] = 4
    return cfg


STRATEGIES = {"gpt_bigcode": gpt_bigcode(), "gptj": gptj(), "gemma3_text": gemma3_text(), "phimoe": phimoe(),
              "exaone4": exaone4(), "cohere2": cohere2(), "llama4_text": llama4_text(), "glm4_moe": glm4_moe(),
              "gpt_oss": gpt_oss(), "qwen3_moe": qwen3_moe(), "olmoe": olmoe(), "olmo3": olmo3(),
              "granitemoe": granitemoe(), "qwen2_moe": qwen2_moe()}


STRATEGIES.update({family: decoder_with_flags(family, prefix, flags)
                   for family, (prefix, flags) in FLAG_FAMILIES.items()})


@st.composite
def bert_like(draw, model_type: str, prefix: str, heads: tuple[str, ...]) -> dict:
    """An encoder with BERT's keys (RoBERTa, XLM-RoBERTa, DeBERTa-v2), small, and one of its heads."""
    n_heads = draw(st.sampled_from([1, 2, 4]))
    cfg = {"model_type": model_type, "vocab_size": draw(st.integers(16, 64)),
           "hidden_size": n_heads * draw(st.sampled_from([4, 8])), "num_hidden_layers": draw(st.integers(1, 3)),
           "num_attention_heads": n_heads, "intermediate_size": draw(st.integers(4, 40)),
           "max_position_embeddings": draw(st.integers(8, 40)), "pad_token_id": 0}
    if draw(st.booleans()):
        cfg["type_vocab_size"] = draw(st.integers(0, 3))
    if draw(st.booleans()):
        cfg["tie_word_embeddings"] = draw(st.booleans())
    head = draw(st.sampled_from(heads + (None,)))
    if head is not None:
        cfg["architectures"] = [prefix + head]
    if head == "ForSequenceClassification" or draw(st.booleans()):
        if draw(st.booleans()):
            cfg["num_labels"] = draw(st.integers(1, 5))
        else:
            cfg["id2label"] = {str(i): f"L{i}" for i in range(draw(st.integers(1, 5)))}
    return cfg


@st.composite
def roberta(draw, model_type: str = "roberta", prefix: str = "Roberta"):
    cfg = draw(bert_like(model_type, prefix, ("ForMaskedLM", "ForCausalLM", "Model", "ForSequenceClassification")))
    if cfg.get("architectures") == [prefix + "ForCausalLM"]:
        cfg["is_decoder"] = True
        cfg["add_cross_attention"] = draw(st.booleans())
    return cfg


@st.composite
def deberta_v2(draw):
    cfg = draw(bert_like("deberta-v2", "DebertaV2", ("ForMaskedLM", "Model", "ForSequenceClassification")))
    heads = cfg["num_attention_heads"]
    if draw(st.booleans()):
        cfg["relative_attention"] = True
        cfg["max_relative_positions"] = draw(st.sampled_from([-1, 4]))
        cfg["position_buckets"] = draw(st.sampled_from([-1, 0, 6]))
        cfg["share_att_key"] = draw(st.booleans())
        cfg["pos_att_type"] = draw(st.sampled_from([["p2c", "c2p"], "p2c|c2p", ["c2p"], "p2c", None]))
        cfg["norm_rel_ebd"] = draw(st.sampled_from(["layer_norm", "none"]))
    for key in ("position_biased_input", "legacy"):
        if draw(st.booleans()):
            cfg[key] = draw(st.booleans())
    if draw(st.booleans()):
        cfg["embedding_size"] = draw(st.sampled_from([4, 12]))
    if draw(st.booleans()):
        cfg["attention_head_size"] = draw(st.sampled_from([2, 6]))
    if draw(st.booleans()):
        cfg["pooler_hidden_size"] = draw(st.sampled_from([4, 10]))
    if draw(st.booleans()):
        cfg["conv_kernel_size"] = draw(st.sampled_from([0, 3]))
        cfg["conv_groups"] = draw(st.sampled_from([1, heads]))
    return cfg


@st.composite
def whisper(draw):
    n_heads = draw(st.sampled_from([1, 2, 4]))
    cfg = {"model_type": "whisper", "vocab_size": draw(st.integers(16, 64)), "d_model": n_heads * 4,
           "encoder_layers": draw(st.integers(1, 2)), "decoder_layers": draw(st.integers(1, 2)),
           "encoder_attention_heads": n_heads, "decoder_attention_heads": n_heads,
           "encoder_ffn_dim": draw(st.integers(4, 24)), "decoder_ffn_dim": draw(st.integers(4, 24)),
           "pad_token_id": 0, "bos_token_id": 0, "eos_token_id": 0, "decoder_start_token_id": 0}
    for key, values in (("num_mel_bins", [8, 80]), ("max_source_positions", [6, 20]),
                        ("max_target_positions", [4, 12]), ("tie_word_embeddings", [True, False])):
        if draw(st.booleans()):
            cfg[key] = draw(st.sampled_from(values))
    head = draw(st.sampled_from(["ForConditionalGeneration", "Model", None]))
    if head:
        cfg["architectures"] = ["Whisper" + head]
    return cfg


@st.composite
def clip_text(draw) -> dict:
    n_heads = draw(st.sampled_from([1, 2]))
    cfg = {"hidden_size": n_heads * draw(st.sampled_from([4, 8])), "num_attention_heads": n_heads,
           "num_hidden_layers": draw(st.integers(1, 2)), "intermediate_size": draw(st.integers(4, 24)),
           "vocab_size": draw(st.integers(16, 64)), "max_position_embeddings": draw(st.integers(4, 16)),
           "pad_token_id": 0, "bos_token_id": 0, "eos_token_id": 0}
    for key in ("vocab_size", "max_position_embeddings", "intermediate_size"):
        if draw(st.integers(0, 3)) == 0:
            del cfg[key]        # the sub-config class default
    return cfg


@st.composite
def clip_vision(draw) -> dict:
    n_heads = draw(st.sampled_from([1, 2]))
    cfg = {"hidden_size": n_heads * draw(st.sampled_from([4, 8])), "num_attention_heads": n_heads,
           "num_hidden_layers": draw(st.integers(1, 2)), "intermediate_size": draw(st.integers(4, 24)),
           "image_size": draw(st.sampled_from([16, 24, 32])), "patch_size": draw(st.sampled_from([8, 16]))}
    if draw(st.booleans()):
        cfg["num_channels"] = draw(st.sampled_from([1, 3]))
    return cfg


@st.composite
def clip(draw, model_type: str = "clip", prefix: str = "CLIP"):
    cfg = {"model_type": model_type, "text_config": draw(clip_text()), "vision_config": draw(clip_vision())}
    if model_type == "clip" and draw(st.booleans()):
        cfg["projection_dim"] = draw(st.integers(2, 12))
    if model_type == "siglip" and draw(st.booleans()):
        cfg["text_config"]["projection_size"] = draw(st.integers(2, 12))
    if model_type == "siglip" and draw(st.booleans()):
        cfg["vision_config"]["vision_use_head"] = draw(st.booleans())
    head = draw(st.sampled_from(["Model", "ForImageClassification", None]))
    if head:
        cfg["architectures"] = [prefix + head]
        if head == "ForImageClassification":
            cfg["num_labels"] = draw(st.integers(1, 4))
    return cfg


@st.composite
def clip_tower(draw, model_type: str, arch: str, tower):
    cfg = {"model_type": model_type, **draw(tower)}
    if model_type == "siglip_vision_model" and draw(st.booleans()):
        cfg["vision_use_head"] = draw(st.booleans())
    if model_type == "siglip_text_model" and draw(st.booleans()):
        cfg["projection_size"] = draw(st.integers(2, 12))
    if draw(st.booleans()):
        cfg["architectures"] = [arch]
    return cfg


@st.composite
def mt5(draw, model_type: str = "mt5", prefix: str = "MT5"):
    cfg = {"model_type": model_type, "vocab_size": draw(st.integers(16, 64)), "d_model": draw(st.sampled_from([8, 16])),
           "d_kv": draw(st.sampled_from([2, 4])), "d_ff": draw(st.integers(4, 24)), "num_layers": draw(st.integers(1, 3)),
           "num_heads": draw(st.integers(1, 3)), "pad_token_id": 0, "eos_token_id": 0, "decoder_start_token_id": 0}
    for key, values in (("num_decoder_layers", [1, 2]), ("relative_attention_num_buckets", [4, 8]),
                        ("feed_forward_proj", ["relu", "gated-gelu", "gated-silu"]),
                        ("tie_word_embeddings", [True, False])):
        if draw(st.booleans()):
            cfg[key] = draw(st.sampled_from(values))
    head = draw(st.sampled_from(["ForConditionalGeneration", "Model", "EncoderModel", None]))
    if head:
        cfg["architectures"] = [prefix + head]
    return cfg


@st.composite
def mamba(draw, model_type: str = "mamba", prefix: str = "Mamba"):
    cfg = {"model_type": model_type, "vocab_size": draw(st.integers(16, 64)), "hidden_size": draw(st.sampled_from([8, 16, 24])),
           "num_hidden_layers": draw(st.integers(1, 3)), "pad_token_id": 0, "bos_token_id": 0, "eos_token_id": 0}
    for key, values in (("state_size", [2, 4]), ("expand", [1, 2]), ("conv_kernel", [2, 4]),
                        ("time_step_rank", ["auto", 3]), ("use_bias", [True, False]),
                        ("use_conv_bias", [True, False]), ("tie_word_embeddings", [True, False])):
        if draw(st.booleans()):
            cfg[key] = draw(st.sampled_from(values))
    if model_type != "mamba2" and draw(st.booleans()):
        cfg["intermediate_size"] = draw(st.integers(4, 40))      # overrides expand × hidden
    if model_type == "mamba2":
        cfg.update(n_groups=draw(st.sampled_from([1, 2])), num_heads=draw(st.sampled_from([2, 4])))
        cfg["head_dim"] = cfg.get("expand", 2) * cfg["hidden_size"] // cfg["num_heads"]
    head = draw(st.sampled_from(["ForCausalLM", "Model", None]))
    if head:
        cfg["architectures"] = [prefix + head]
    return cfg


@st.composite
def jamba(draw):
    cfg = draw(decoder("jamba", "Jamba", head_dim=False))
    cfg["num_hidden_layers"] = draw(st.integers(1, 6))
    cfg.update(num_experts=draw(st.integers(1, 4)), attn_layer_period=draw(st.integers(1, 3)),
               expert_layer_period=draw(st.integers(1, 3)))
    cfg["num_experts_per_tok"] = draw(st.integers(1, cfg["num_experts"]))
    cfg["attn_layer_offset"] = draw(st.integers(0, cfg["attn_layer_period"] - 1))
    cfg["expert_layer_offset"] = draw(st.integers(0, cfg["expert_layer_period"] - 1))
    for key, values in (("mamba_d_state", [2, 4]), ("mamba_d_conv", [2, 4]), ("mamba_expand", [1, 2]),
                        ("mamba_dt_rank", ["auto", 3]), ("mamba_conv_bias", [True, False]),
                        ("mamba_proj_bias", [True, False])):
        if draw(st.booleans()):
            cfg[key] = draw(st.sampled_from(values))
    return cfg


@st.composite
def hunyuan(draw, model_type: str = "hunyuan_v1_dense", prefix: str = "HunYuanDenseV1"):
    cfg = draw(decoder(model_type, prefix))
    cfg["head_dim"] = cfg.get("head_dim") or 8        # transformers cannot build these without head_dim
    cfg["attention_bias"] = draw(st.booleans())
    if model_type == "hunyuan_v1_moe":
        cfg["num_experts"] = draw(st.integers(1, 4))
        if draw(st.booleans()):
            cfg["moe_topk"] = draw(st.integers(1, cfg["num_experts"]))
        else:
            cfg["moe_topk"] = [draw(st.integers(1, cfg["num_experts"])) for _ in range(cfg["num_hidden_layers"])]
    return cfg


def _hybrid_layout(draw, cfg: dict) -> None:
    """Qwen3-Next / Qwen3.5 layer layout: every full_attention_interval-th layer, a layer_types list,
    or the class default (every 4th)."""
    layout = draw(st.sampled_from(["interval", "types", "default"]))
    if layout == "interval":
        cfg["full_attention_interval"] = draw(st.integers(1, 3))
    elif layout == "types":
        cfg["layer_types"] = _layers(draw, cfg["num_hidden_layers"], ["linear_attention", "full_attention"])


@st.composite
def qwen3_next(draw):
    cfg = draw(decoder("qwen3_next", "Qwen3Next"))
    cfg["head_dim"] = cfg.get("head_dim") or 8
    cfg["num_hidden_layers"] = draw(st.integers(1, 5))
    cfg.update(moe_intermediate_size=draw(st.integers(2, 12)), shared_expert_intermediate_size=draw(st.integers(2, 12)),
               num_experts=draw(st.integers(0, 4)), attention_bias=draw(st.booleans()),
               linear_num_key_heads=draw(st.sampled_from([1, 2])), linear_key_head_dim=draw(st.sampled_from([2, 4])),
               linear_value_head_dim=draw(st.sampled_from([2, 3])), linear_conv_kernel_dim=draw(st.sampled_from([2, 4])))
    cfg["linear_num_value_heads"] = cfg["linear_num_key_heads"] * draw(st.sampled_from([1, 2]))
    cfg["num_experts_per_tok"] = draw(st.integers(1, max(cfg["num_experts"], 1)))
    _hybrid_layout(draw, cfg)
    if draw(st.booleans()):
        cfg["decoder_sparse_step"] = draw(st.integers(1, 2))
    if draw(st.booleans()):
        cfg["mlp_only_layers"] = sorted(draw(st.sets(st.integers(0, 4), max_size=2)))
    return cfg


@st.composite
def falcon_h1(draw):
    cfg = draw(decoder("falcon_h1", "FalconH1"))
    if cfg.get("head_dim", 0) is None:
        del cfg["head_dim"]                   # FalconH1 reads getattr(config, "head_dim", ...): null cannot build
    heads, d_head = draw(st.sampled_from([2, 4])), draw(st.sampled_from([2, 4]))
    cfg.update(mamba_n_heads=heads, mamba_d_head=d_head, mamba_n_groups=draw(st.sampled_from([1, 2])),
               mamba_d_state=draw(st.sampled_from([2, 4])), mamba_d_conv=draw(st.sampled_from([2, 4])))
    if draw(st.booleans()):
        cfg["mamba_d_ssm"] = heads * d_head
    else:       # explicit null: mamba_expand × hidden, which must split into the heads
        cfg["mamba_d_ssm"] = None
        cfg["mamba_expand"] = 1
        cfg["mamba_d_head"] = cfg["hidden_size"] // heads
    for key in ("attention_bias", "mlp_bias", "mamba_conv_bias", "mamba_proj_bias", "mamba_rms_norm",
                "projectors_bias"):
        if draw(st.booleans()):
            cfg[key] = draw(st.booleans())
    return cfg


@st.composite
def minimax(draw):
    cfg = draw(decoder("minimax", "MiniMax"))
    cfg["num_local_experts"] = draw(st.integers(1, 4))
    cfg["num_experts_per_tok"] = draw(st.integers(1, cfg["num_local_experts"]))
    if draw(st.booleans()):     # otherwise the class default: full attention on even layers
        cfg["layer_types"] = _layers(draw, cfg["num_hidden_layers"], ["linear_attention", "full_attention"])
    return cfg


def _composite_head(draw, cfg: dict, prefix: str, tie: bool = True) -> dict:
    """A composite's top-level choices: the tying flag (where its class reads one; set or absent) and
    the class (``<prefix>ForConditionalGeneration``, the bare ``<prefix>Model`` or none named)."""
    if tie and draw(st.booleans()):
        cfg["tie_word_embeddings"] = draw(st.booleans())
    head = draw(st.sampled_from(["ForConditionalGeneration", "Model", None]))
    if head:
        cfg["architectures"] = [prefix + head]
    return cfg


def _sub_config(cfg: dict, drop: tuple[str, ...] = ("architectures", "num_labels", "tie_word_embeddings")) -> dict:
    """A drawn one-tower config as a composite's sub-config (head-class keys left out)."""
    return {k: v for k, v in cfg.items() if k not in drop}


@st.composite
def qwen3_5_text(draw, moe: bool) -> dict:
    """A small Qwen3.5 ``text_config``; any key may be left to the sub-config class default (the
    defaults are a 9B/35B model, so only the cheap ones: head_dim, conv kernel, bias, layer layout)."""
    heads = draw(st.sampled_from([1, 2, 4]))
    kv = draw(st.sampled_from([d for d in (1, 2) if heads % d == 0]))
    key_heads = draw(st.sampled_from([1, 2]))
    cfg = {"vocab_size": draw(st.integers(16, 64)), "hidden_size": draw(st.sampled_from([8, 16])),
           "num_hidden_layers": draw(st.integers(1, 5)), "num_attention_heads": heads, "num_key_value_heads": kv,
           "head_dim": draw(st.sampled_from([4, 8])), "linear_num_key_heads": key_heads,
           "linear_num_value_heads": key_heads * draw(st.sampled_from([1, 2])),
           "linear_key_head_dim": draw(st.sampled_from([2, 4])), "linear_value_head_dim": draw(st.sampled_from([2, 3])),
           "linear_conv_kernel_dim": draw(st.sampled_from([2, 4])), "attention_bias": draw(st.booleans()),
           "pad_token_id": 0}
    if moe:
        cfg.update(moe_intermediate_size=draw(st.integers(2, 12)), shared_expert_intermediate_size=draw(st.integers(2, 12)),
                   num_experts=draw(st.integers(1, 4)))
        cfg["num_experts_per_tok"] = draw(st.integers(1, cfg["num_experts"]))
    else:
        cfg["intermediate_size"] = draw(st.integers(4, 40))
    for key in ("head_dim", "linear_conv_kernel_dim", "attention_bias"):
        if draw(st.integers(0, 3)) == 0:
            del cfg[key]
    _hybrid_layout(draw, cfg)
    if draw(st.booleans()):
        cfg["tie_word_embeddings"] = draw(st.booleans())      # the text config's own flag: not read by the composite
    return cfg


@st.composite
def qwen3_5_vision(draw) -> dict:
    heads = draw(st.sampled_from([1, 2]))
    cfg = {"depth": draw(st.integers(1, 2)), "hidden_size": heads * draw(st.sampled_from([4, 8])), "num_heads": heads,
           "intermediate_size": draw(st.integers(4, 24)), "out_hidden_size": draw(st.integers(4, 24)),
           "num_position_embeddings": draw(st.sampled_from([4, 16])), "patch_size": draw(st.sampled_from([2, 4])),
           "temporal_patch_size": draw(st.sampled_from([1, 2])), "spatial_merge_size": draw(st.sampled_from([1, 2]))}
    if draw(st.booleans()):
        cfg["in_channels"] = draw(st.sampled_from([1, 3]))
    return cfg


@st.composite
def qwen3_5(draw, model_type: str = "qwen3_5", prefix: str = "Qwen3_5"):
    cfg = {"model_type": model_type, "text_config": draw(qwen3_5_text(model_type.endswith("moe"))),
           "vision_config": draw(qwen3_5_vision())}
    return _composite_head(draw, cfg, prefix)


@st.composite
def minimax_m2(draw):
    cfg = draw(decoder("minimax_m2", "MiniMaxM2"))
    cfg["num_local_experts"] = experts = draw(st.integers(1, 4))
    cfg["num_experts_per_tok"] = draw(st.integers(1, experts))
    return cfg


@st.composite
def glm_mla(draw, model_type: str = "glm4_moe_lite", prefix: str = "Glm4MoeLite"):
    """GLM's latent-attention MoE decoders: ranks, head dims, experts, the dense/sparse layer layout
    and, for glm_moe_dsa, the DSA indexer layout (list, pattern, frequency/offset or default)."""
    heads = draw(st.sampled_from([1, 2, 4]))
    layers = draw(st.integers(1, 5))
    cfg = {"model_type": model_type, "vocab_size": draw(st.integers(16, 64)), "hidden_size": draw(st.sampled_from([8, 16])),
           "num_hidden_layers": layers, "num_attention_heads": heads, "num_key_value_heads": heads,
           "intermediate_size": draw(st.integers(4, 40)), "moe_intermediate_size": draw(st.integers(2, 12)),
           "n_routed_experts": draw(st.integers(1, 4)), "kv_lora_rank": draw(st.sampled_from([4, 8])),
           "qk_nope_head_dim": draw(st.sampled_from([2, 4])), "qk_rope_head_dim": draw(st.sampled_from([2, 4])),
           "v_head_dim": draw(st.sampled_from([2, 6])), "attention_bias": draw(st.booleans()),
           "pad_token_id": 0, "bos_token_id": 0, "eos_token_id": 0}
    cfg["num_experts_per_tok"] = draw(st.integers(1, cfg["n_routed_experts"]))
    rank = draw(st.sampled_from(["set", "absent", "null"] if model_type == "glm4_moe_lite" else ["set", "absent"]))
    if rank == "set":
        cfg["q_lora_rank"] = draw(st.sampled_from([4, 6]))
    elif rank == "null":
        cfg["q_lora_rank"] = None
    for key, values in (("n_shared_experts", [1, 2]), ("tie_word_embeddings", [True, False])):
        if draw(st.booleans()):
            cfg[key] = draw(st.sampled_from(values))
    if draw(st.booleans()):
        cfg["mlp_layer_types"] = _layers(draw, layers, ["dense", "sparse"])
    elif draw(st.booleans()):
        cfg["first_k_dense_replace"] = draw(st.integers(0, 3))      # read by glm_moe_dsa only
    if model_type == "glm_moe_dsa":
        cfg.update(index_n_heads=draw(st.sampled_from([1, 2])), index_head_dim=draw(st.sampled_from([2, 4])))
        layout = draw(st.sampled_from(["list", "pattern", "rule", "default"]))
        if layout == "list":
            cfg["indexer_types"] = _layers(draw, layers, ["full", "shared"])
        elif layout == "pattern":
            cfg["index_topk_pattern"] = "".join(_layers(draw, layers, ["F", "S"]))
        elif layout == "rule":
            cfg["index_topk_freq"] = draw(st.integers(0, 3))
            cfg["index_skip_topk_offset"] = draw(st.integers(-1, 4))
    if draw(st.booleans()):
        cfg["architectures"] = [prefix + draw(st.sampled_from(["ForCausalLM", "Model"]))]
    return cfg


@st.composite
def ministral3(draw):
    cfg = draw(decoder("ministral3", "Ministral3"))
    if draw(st.integers(0, 5)) == 0:
        cfg["head_dim"] = 0                               # ``head_dim or hidden // heads``
    return cfg


@st.composite
def mistral3(draw):
    """Mistral 3 composites: a Mistral or Ministral 3 text config (model_type named or left to the
    default "mistral"; keys left to the class defaults where cheap), a Pixtral vision config, the
    projector's flags and feature layers and the top-level tying flag (configs without sub-configs:
    tests/test_formula_defaults.py)."""
    text = draw(decoder("ministral3", "Ministral3"))
    text = _sub_config(text)
    text_type = draw(st.sampled_from(["mistral", "ministral3", None]))
    if text_type is None:
        del text["model_type"]
    else:
        text["model_type"] = text_type
    if text_type == "ministral3" and text.get("head_dim", 0) is None:
        del text["head_dim"]                          # Ministral3Config's head_dim is a strict int
    if "num_key_value_heads" not in text:
        text["num_key_value_heads"] = 1 if text["num_attention_heads"] % 8 else 8
    heads = draw(st.sampled_from([1, 2]))
    vision = {"hidden_size": heads * draw(st.sampled_from([4, 8])), "num_attention_heads": heads, "head_dim": 4,
              "num_hidden_layers": draw(st.integers(1, 2)), "intermediate_size": draw(st.integers(4, 24)),
              "patch_size": draw(st.sampled_from([2, 4]))}
    if draw(st.booleans()):
        vision["num_channels"] = draw(st.sampled_from([1, 3]))
    cfg = {"model_type": "mistral3", "text_config": text, "vision_config": vision}
    if draw(st.booleans()):
        cfg["multimodal_projector_bias"] = draw(st.booleans())
    if draw(st.booleans()):
        cfg["spatial_merge_size"] = draw(st.sampled_from([1, 2, 3]))
    if draw(st.booleans()):
        cfg["vision_feature_layer"] = draw(st.sampled_from([-1, [-1, -2]]))
    return _composite_head(draw, cfg, "Mistral3")


@st.composite
def gemma3(draw):
    """Gemma 3 composites: a drawn gemma3_text config as text_config (keys left out take
    Gemma3TextConfig's defaults: only head_dim, kv heads and the bias are left out), a SigLIP vision
    config with or without its pooling head, the top-level tying flag and the head class."""
    text = draw(gemma3_text())
    text = _sub_config(text, ("model_type", "architectures", "num_labels", "tie_word_embeddings"))
    if draw(st.booleans()):
        text["tie_word_embeddings"] = draw(st.booleans())      # the sub-config's own flag: not read
    vision = draw(clip_vision())
    if draw(st.booleans()):
        vision["vision_use_head"] = draw(st.booleans())
    cfg = {"model_type": "gemma3", "text_config": text, "vision_config": vision, "mm_tokens_per_image": 1}
    return _composite_head(draw, cfg, "Gemma3")


@st.composite
def kimi_linear(draw):
    """Kimi Linear: latent-attention and KDA layers (layer_types, linear_attn_config's 1-indexed
    lists or the default), KDA widths top-level or in linear_attn_config, the checkpoint's key names
    (num_experts, num_experts_per_token, num_shared_experts) or transformers', dense/sparse layout."""
    heads, layers = draw(st.sampled_from([1, 2, 4])), draw(st.integers(1, 6))
    cfg = {"model_type": "kimi_linear", "vocab_size": draw(st.integers(16, 64)), "hidden_size": draw(st.sampled_from([8, 16])),
           "num_hidden_layers": layers, "num_attention_heads": heads, "num_key_value_heads": heads,
           "intermediate_size": draw(st.integers(4, 40)), "moe_intermediate_size": draw(st.integers(2, 12)),
           "kv_lora_rank": draw(st.sampled_from([4, 8])), "qk_nope_head_dim": draw(st.sampled_from([2, 4])),
           "qk_rope_head_dim": draw(st.sampled_from([2, 4])), "v_head_dim": draw(st.sampled_from([2, 6])),
           "attention_bias": draw(st.booleans()), "pad_token_id": 0, "bos_token_id": 0, "eos_token_id": 0}
    experts = draw(st.integers(1, 4))
    top_k = draw(st.integers(1, experts))
    checkpoint_names = draw(st.booleans())
    cfg["num_experts" if checkpoint_names else "num_local_experts"] = experts
    cfg["num_experts_per_token" if checkpoint_names else "num_experts_per_tok"] = top_k
    if draw(st.booleans()):
        cfg["num_shared_experts" if checkpoint_names else "n_shared_experts"] = draw(st.integers(1, 2))
    rank = draw(st.sampled_from(["set", "absent", "null"]))
    if rank != "absent":
        cfg["q_lora_rank"] = draw(st.sampled_from([4, 6])) if rank == "set" else None
    widths = {"head_dim": draw(st.sampled_from([2, 4])), "num_heads": draw(st.sampled_from([1, 2])),
              "short_conv_kernel_size": draw(st.sampled_from([2, 4]))}
    linear = {}
    if draw(st.booleans()):
        linear.update(widths)
    else:
        cfg.update(linear_head_dim=widths["head_dim"], linear_num_heads=widths["num_heads"],
                   linear_conv_kernel_dim=widths["short_conv_kernel_size"])
    layout = draw(st.sampled_from(["types", "lists", "default"]))
    if layout == "types":
        cfg["layer_types"] = _layers(draw, layers, ["linear_attention", "full_attention"])
    elif layout == "lists":
        full = sorted(draw(st.sets(st.integers(1, layers), max_size=layers)))
        linear.update(full_attn_layers=full, kda_layers=[i for i in range(1, layers + 1) if i not in full])
    if linear:
        cfg["linear_attn_config"] = linear
    if draw(st.booleans()):
        cfg["mlp_layer_types"] = _layers(draw, layers, ["dense", "sparse"])
    elif draw(st.booleans()):
        cfg["first_k_dense_replace"] = draw(st.integers(0, 3))
    if draw(st.booleans()):
        cfg["tie_word_embeddings"] = draw(st.booleans())
    if draw(st.booleans()):
        cfg["architectures"] = ["KimiLinear" + draw(st.sampled_from(["ForCausalLM", "Model"]))]
    return cfg


@st.composite
def voxtral(draw):
    """Voxtral: a drawn Llama text config (keys left out take Voxtral's merged sub-config values; only
    the cheap ones are left out), an audio encoder under transformers' or Whisper's key names, the
    head class."""
    text = draw(decoder_with_flags("llama", "Llama", ("attention_bias", "mlp_bias")))
    text = _sub_config(text, ("architectures", "num_labels"))
    if "num_key_value_heads" not in text:
        text["num_key_value_heads"] = 8 if text["num_attention_heads"] % 8 == 0 else text["num_attention_heads"]
    if draw(st.booleans()):
        del text["model_type"]                                       # llama by default
    if draw(st.booleans()) and text.get("head_dim", 0) is not None:
        text.pop("head_dim", None)                                   # Voxtral's 128
    heads = draw(st.sampled_from([1, 2]))
    width, ffn, layers = heads * draw(st.sampled_from([4, 8])), draw(st.integers(4, 24)), draw(st.integers(1, 2))
    if draw(st.booleans()):
        audio = {"hidden_size": width, "intermediate_size": ffn, "num_hidden_layers": layers, "num_attention_heads": heads}
    else:
        audio = {"d_model": width, "encoder_ffn_dim": ffn, "encoder_layers": layers, "encoder_attention_heads": heads}
    audio.update(num_mel_bins=draw(st.sampled_from([4, 8])), max_source_positions=draw(st.sampled_from([4, 10])))
    cfg = {"model_type": "voxtral", "text_config": text, "audio_config": audio}
    return _composite_head(draw, cfg, "Voxtral", tie=False)


#: MoE families whose active count is checked here against transformers' expert tensors:
#: family -> function giving (num_experts, top_k) of a drawn config.
ACTIVE_CHECKED = {
    "qwen3_5_moe": lambda cfg: (cfg["text_config"]["num_experts"], cfg["text_config"]["num_experts_per_tok"]),
    "minimax_m2": lambda cfg: (cfg["num_local_experts"], cfg["num_experts_per_tok"]),
    "glm4_moe_lite": lambda cfg: (cfg["n_routed_experts"], cfg["num_experts_per_tok"]),
    "glm_moe_dsa": lambda cfg: (cfg["n_routed_experts"], cfg["num_experts_per_tok"]),
    "kimi_linear": lambda cfg: (cfg.get("num_experts", cfg.get("num_local_experts")),
                                cfg.get("num_experts_per_token", cfg.get("num_experts_per_tok"))),
}


#: Encoders, encoder-decoders, dual encoders and state-space families (the "families" branch).
STRATEGIES.update({
    "roberta": roberta(), "xlm-roberta": roberta("xlm-roberta", "XLMRoberta"), "deberta-v2": deberta_v2(),
    "whisper": whisper(), "clip": clip(), "clip_text_model": clip_tower("clip_text_model", "CLIPTextModel", clip_text()),
    "clip_vision_model": clip_tower("clip_vision_model", "CLIPVisionModel", clip_vision()),
    "siglip": clip("siglip", "Siglip"),
    "siglip_text_model": clip_tower("siglip_text_model", "SiglipTextModel", clip_text()),
    "siglip_vision_model": clip_tower("siglip_vision_model", "SiglipVisionModel", clip_vision()),
    "mt5": mt5(), "umt5": mt5("umt5", "UMT5"),
    "mamba": mamba(), "falcon_mamba": mamba("falcon_mamba", "FalconMamba"), "mamba2": mamba("mamba2", "Mamba2"),
    "jamba": jamba(), "hunyuan_v1_dense": hunyuan(),
    "hunyuan_v1_moe": hunyuan("hunyuan_v1_moe", "HunYuanMoEV1"), "qwen3_next": qwen3_next(),
    "falcon_h1": falcon_h1(), "minimax": minimax(),
    "qwen3_5": qwen3_5(), "qwen3_5_moe": qwen3_5("qwen3_5_moe", "Qwen3_5Moe"), "minimax_m2": minimax_m2(),
    "glm4_moe_lite": glm_mla(), "glm_moe_dsa": glm_mla("glm_moe_dsa", "GlmMoeDsa"),
    "ministral3": ministral3(), "mistral3": mistral3(), "gemma3": gemma3(),
    "kimi_linear": kimi_linear(), "voxtral": voxtral(),
})


@pytest.mark.parametrize("family", sorted(STRATEGIES))
def test_engine_equals_transformers_meta_count(family):
    @SETTINGS
    @given(STRATEGIES[family])
    def check(cfg):
        result = formula.count(cfg)
        assert result["method"] == "formula", result
        assert result["total"] == meta_count(cfg), cfg
        if family in ACTIVE_CHECKED:
            assert result["active"] == meta_active(cfg, *ACTIVE_CHECKED[family](cfg)), cfg
        table = formula.count_table(formula.config_frame([cfg]))
        assert table.iloc[0]["total"] == result["total"]
        assert result["active"] <= result["total"]
        assert result["active_non_embedding"] == (result["active"] - result["input_embedding"]
                                                  - result["output_embedding"])
        if result["components"] and result["method"] == "formula":     # towers partition the model
            assert sum(result["components"].values()) == result["total"], result["components"]

    check()


def test_every_engine_family_has_a_strategy_or_an_oracle_test():
    """New families must come with a property strategy here (the 22 older ones are drawn in
    tests/test_formula_oracle.py)."""
    older = {"gpt2", "gpt_neox", "opt", "bloom", "falcon", "llama", "mistral", "mixtral", "qwen2", "qwen2_moe",
             "gemma", "gemma2", "phi3", "phi3small", "olmo", "olmo2", "deepseek", "deepseek_v2", "deepseek_v3",
             "bert", "t5", "vit"}
    assert set(formula.FAMILY_CLASSES) - older <= set(STRATEGIES)
