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
from transformers import AutoConfig, AutoModel, AutoModelForCausalLM  # noqa: E402

from pipeline import formula  # noqa: E402

pytestmark = pytest.mark.oracle

EXAMPLES = 12
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def meta_count(cfg: dict) -> int:
    """transformers' own count: the class named in ``architectures`` (else the causal LM, or the bare
    model for encoders), built on meta."""
    hf = {k: v for k, v in cfg.items() if k != "model_type"}
    arch = (cfg.get("architectures") or [None])[0]
    try:
        config = AutoConfig.for_model(cfg["model_type"], **hf)
        with warnings.catch_warnings(), torch.device("meta"):
            warnings.simplefilter("ignore")
            if arch:
                model = getattr(transformers, arch)(config)
            elif cfg["model_type"] in ("roberta", "xlm-roberta"):
                model = AutoModel.from_config(config)
            else:
                model = AutoModelForCausalLM.from_config(config)
    except Exception:  # huggingface_hub's StrictDataclassFieldValidationError, rope set-up, ...
        # some families cannot build an explicit head_dim null at all: nothing to compare then
        hypothesis.assume(hf.get("head_dim", 0) is not None)
        raise
    return sum(p.numel() for p in model.parameters())


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


@st.composite
def bert_style(draw, model_type: str, prefix: str) -> dict:
    heads = draw(st.sampled_from([1, 2, 4]))
    cfg = {"model_type": model_type, "hidden_size": heads * draw(st.sampled_from([8, 16])),
           "num_attention_heads": heads, "num_hidden_layers": draw(st.integers(1, 3)),
           "vocab_size": draw(st.integers(16, 64)), "intermediate_size": draw(st.integers(4, 40)),
           "max_position_embeddings": draw(st.integers(4, 40)), "pad_token_id": 1}
    if draw(st.booleans()):
        cfg["type_vocab_size"] = draw(st.integers(1, 3))
    if draw(st.booleans()):
        cfg["architectures"] = [prefix + "Model"]
    return cfg


STRATEGIES["roberta"] = bert_style("roberta", "Roberta")
STRATEGIES["xlm-roberta"] = bert_style("xlm-roberta", "XLMRoberta")
STRATEGIES.update({family: decoder_with_flags(family, prefix, flags)
                   for family, (prefix, flags) in FLAG_FAMILIES.items()})


@pytest.mark.parametrize("family", sorted(STRATEGIES))
def test_engine_equals_transformers_meta_count(family):
    @SETTINGS
    @given(STRATEGIES[family])
    def check(cfg):
        result = formula.count(cfg)
        assert result["method"] == "formula", result
        assert result["total"] == meta_count(cfg), cfg
        table = formula.count_table(formula.config_frame([cfg]))
        assert table.iloc[0]["total"] == result["total"]
        assert result["active"] <= result["total"]
        assert result["active_non_embedding"] == (result["active"] - result["input_embedding"]
                                                  - result["output_embedding"])

    check()


def test_every_engine_family_has_a_strategy_or_an_oracle_test():
    """New families must come with a property strategy here (the 22 older ones are drawn in
    tests/test_formula_oracle.py)."""
    older = {"gpt2", "gpt_neox", "opt", "bloom", "falcon", "llama", "mistral", "mixtral", "qwen2", "qwen2_moe",
             "gemma", "gemma2", "phi3", "phi3small", "olmo", "olmo2", "deepseek", "deepseek_v2", "deepseek_v3",
             "bert", "t5", "vit"}
    assert set(formula.FAMILY_CLASSES) - older <= set(STRATEGIES)
