"""Oracle tests: the formula engine against transformers, instantiated on the meta device.

For every family transformers implements, each real published config in tests/fixtures/configs/
(sources in its README.md) is built with ``torch.device("meta")`` and
``sum(p.numel() for p in model.parameters())`` must equal the engine's ``total`` exactly. A seeded
set of small random configs per family exercises the flags the real configs leave at one value
(biases, tying, kv heads, head_dim, parallel attention, gated T5, ...).

Two families exist only as remote code (not in transformers): ``deepseek`` (deepseek-moe-16b) and
``phi3small``. For them the parameter-holding modules of the published modeling files are
transcribed below (constructors only) and instantiated on the meta device the same way.
"""
from __future__ import annotations

import json
import random
import warnings
from pathlib import Path

import pandas as pd
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
from torch import nn  # noqa: E402
from transformers import AutoConfig, AutoModel, AutoModelForCausalLM, T5ForConditionalGeneration  # noqa: E402

from pipeline import formula  # noqa: E402

pytestmark = pytest.mark.oracle

CONFIGS = Path(__file__).parent / "fixtures" / "configs"
REMOTE_ONLY = {"deepseek", "phi3small"}
FIXTURES = {p.stem: json.loads(p.read_text()) for p in sorted(CONFIGS.glob("*.json"))}


@pytest.fixture(autouse=True)
def _quiet():
    level = transformers.logging.get_verbosity()
    transformers.logging.set_verbosity_error()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield
    transformers.logging.set_verbosity(level)


def transformers_config(cfg: dict) -> dict:
    """The config as transformers reads it.

    * ``RefinedWeb``/``RefinedWebModel`` (Falcon's original remote-code configs) are renamed exactly as
      transformers' ``models/falcon/convert_custom_code_checkpoint.py`` does: n_head →
      num_attention_heads, n_layer → num_hidden_layers, n_head_kv → num_kv_heads with
      new_decoder_architecture = True, otherwise new_decoder_architecture = False.
    """
    cfg = dict(cfg)
    if cfg.get("model_type") == "kimi_k2":
        # Moonshot: Kimi K2 "reuses the DeepSeekV3CausalLM architecture"; other frameworks run it with
        # model_type changed to "deepseek_v3" (MoonshotAI/Kimi-K2, docs/deploy_guidance.md)
        cfg["model_type"] = "deepseek_v3"
    if cfg.get("model_type") == "minimax_m1":
        # MiniMax-M1's remote-code config: attn_type_list (1 softmax, 0 lightning attention; the
        # checkpoint's q_proj tensors sit on the layers marked 1) as transformers' layer_types, which
        # MiniMaxConfig would otherwise default to alternating layers
        cfg["model_type"] = "minimax"
        cfg["layer_types"] = ["full_attention" if t == 1 else "linear_attention" for t in cfg.pop("attn_type_list")]
        cfg["architectures"] = ["MiniMaxForCausalLM"]
    if cfg.get("model_type") in ("RefinedWeb", "RefinedWebModel"):
        cfg["model_type"] = "falcon"
        if "n_head" in cfg:
            cfg["num_attention_heads"] = cfg.pop("n_head")
        if "n_layer" in cfg:
            cfg["num_hidden_layers"] = cfg.pop("n_layer")
        if "n_head_kv" in cfg:
            cfg["num_kv_heads"] = cfg.pop("n_head_kv")
            cfg["new_decoder_architecture"] = True
        else:
            cfg["new_decoder_architecture"] = False
    return cfg


def meta_count(cfg: dict) -> int:
    """Parameters of the family's class (see formula.FAMILY_CLASSES), built on the meta device."""
    hf = transformers_config(cfg)
    model_type = hf.pop("model_type")
    config = AutoConfig.for_model(model_type, **hf)
    architectures = hf.get("architectures") or [None]
    named_class = getattr(transformers, architectures[0], None) if architectures[0] else None
    with torch.device("meta"):
        if named_class is not None:
            model = named_class(config)                     # the class the config declares
        elif model_type == "t5":
            model = T5ForConditionalGeneration(config)
        elif model_type in ("bert", "vit"):
            model = AutoModel.from_config(config)          # BertModel / ViTModel, pooler included
        elif model_type in DRAWN_BY_PROPERTIES:
            # the family's usual class (RobertaModel with its pooler, DebertaV2ForMaskedLM, CLIPModel, ...)
            model = getattr(transformers, formula.FAMILY_CLASSES[model_type].split(" ")[0])(config)
        else:
            model = AutoModelForCausalLM.from_config(config)
    n = sum(p.numel() for p in model.parameters())
    if model_type in ("t5", "mt5", "umt5") and cfg.get("tie_word_embeddings") is False and hasattr(model, "lm_head"):
        # transformers v5's T5Config always ties; a T5 v1.1 checkpoint carries its own lm_head and
        # from_pretrained then unties it (test_t5_v1_1_checkpoint_keeps_its_head shows it). Count it.
        assert model.lm_head.weight is model.shared.weight
        n += model.lm_head.weight.numel()
    return n


# --------------------------------------------------------------------------------------------
# Real published configs
# --------------------------------------------------------------------------------------------

NATIVE = sorted(name for name, cfg in FIXTURES.items() if cfg["model_type"] not in REMOTE_ONLY)


@pytest.mark.parametrize("name", NATIVE)
def test_real_config_matches_meta_device(name):
    cfg = FIXTURES[name]
    assert formula.count(cfg)["total"] == meta_count(cfg)


def test_every_family_has_a_real_config():
    families = {formula.MODEL_TYPE_ALIASES.get(c["model_type"], c["model_type"]) for c in FIXTURES.values()}
    assert set(formula.FAMILY_CLASSES) - NO_REAL_CONFIG_YET <= families
    assert not NO_REAL_CONFIG_YET & families, "a real config was added: take the family off NO_REAL_CONFIG_YET"


def test_deepseek_v3_reduced_layers_matches_meta_device():
    """The full DeepSeek-R1/V3 config is instantiated above (meta tensors cost nothing); the same
    config cut to 4 layers (3 dense + 1 MoE) checks the per-layer arithmetic in isolation."""
    cfg = dict(FIXTURES["deepseek-r1"], num_hidden_layers=4)
    assert formula.count(cfg)["total"] == meta_count(cfg)


def test_table_of_real_configs_matches_meta_device():
    """The vectorized path on all native fixtures at once."""
    table = formula.count_table(pd.DataFrame.from_dict({n: FIXTURES[n] for n in NATIVE}, orient="index"))
    for name in NATIVE:
        assert table.loc[name, "total"] == meta_count(FIXTURES[name]), name


def test_t5_v1_1_checkpoint_keeps_its_head(tmp_path):
    """A checkpoint whose lm_head differs from the shared embedding (T5 v1.1, tie_word_embeddings
    false) loads untied with from_pretrained, so the released model has V × d_model more parameters
    than from_config builds; the engine counts the released model."""
    safetensors = pytest.importorskip("safetensors.torch")
    cfg = {"model_type": "t5", "vocab_size": 64, "d_model": 16, "d_kv": 4, "d_ff": 24, "num_layers": 2,
           "num_heads": 4, "feed_forward_proj": "gated-gelu", "tie_word_embeddings": False,
           "decoder_start_token_id": 0}
    config = AutoConfig.for_model(**cfg)
    model = T5ForConditionalGeneration(config)
    state = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()
             if k not in ("encoder.embed_tokens.weight", "decoder.embed_tokens.weight")}
    state["lm_head.weight"] = torch.randn(64, 16)
    safetensors.save_file(state, str(tmp_path / "model.safetensors"), metadata={"format": "pt"})
    (tmp_path / "config.json").write_text(json.dumps(cfg))
    loaded = T5ForConditionalGeneration.from_pretrained(tmp_path)
    assert loaded.lm_head.weight is not loaded.shared.weight
    assert sum(p.numel() for p in loaded.parameters()) == formula.count(cfg)["total"] == meta_count(cfg)


# --------------------------------------------------------------------------------------------
# Small random configs: every flag of every family
# --------------------------------------------------------------------------------------------

def _random_config(family: str, rng: random.Random) -> dict:
    pick = rng.choice

    def maybe(cfg, key, value):
        if rng.random() < 0.5:
            cfg[key] = value

    h, heads = pick([(64, 4), (96, 6), (128, 8), (80, 5)])
    layers, vocab, inter = rng.randint(1, 3), rng.randint(50, 300), rng.randint(20, 200)
    if family == "gpt2":
        c = {"n_embd": h, "n_head": heads, "n_layer": layers, "vocab_size": vocab, "n_positions": rng.randint(8, 64)}
        maybe(c, "n_inner", inter)
        maybe(c, "tie_word_embeddings", pick([True, False]))
        maybe(c, "add_cross_attention", pick([True, False]))
    elif family == "gpt_neox":
        c = {"hidden_size": h, "num_attention_heads": heads, "num_hidden_layers": layers, "vocab_size": vocab,
             "intermediate_size": inter}
        maybe(c, "attention_bias", pick([True, False]))
        maybe(c, "tie_word_embeddings", pick([True, False]))
    elif family == "opt":
        c = {"hidden_size": h, "num_attention_heads": heads, "num_hidden_layers": layers, "vocab_size": vocab,
             "ffn_dim": inter, "max_position_embeddings": rng.randint(8, 64)}
        for key, value in (("word_embed_proj_dim", pick([h, h // 2])), ("do_layer_norm_before", pick([True, False])),
                           ("_remove_final_layer_norm", pick([True, False])), ("enable_bias", pick([True, False])),
                           ("layer_norm_elementwise_affine", pick([True, False])),
                           ("tie_word_embeddings", pick([True, False]))):
            maybe(c, key, value)
    elif family == "bloom":
        c = {"hidden_size": h, "n_head": heads, "n_layer": layers, "vocab_size": vocab}
        maybe(c, "tie_word_embeddings", pick([True, False]))
    elif family == "falcon":
        c = {"hidden_size": h, "num_attention_heads": heads, "num_hidden_layers": layers, "vocab_size": vocab}
        for key, value in (("new_decoder_architecture", pick([True, False])), ("multi_query", pick([True, False])),
                           ("parallel_attn", pick([True, False])), ("bias", pick([True, False])),
                           ("num_kv_heads", pick([1, 2, heads])), ("ffn_hidden_size", inter),
                           ("num_ln_in_parallel_attn", pick([1, 2])), ("alibi", pick([True, False])),
                           ("tie_word_embeddings", pick([True, False]))):
            maybe(c, key, value)
    elif family in ("deepseek_v2", "deepseek_v3"):
        c = {"hidden_size": h, "num_attention_heads": heads, "num_hidden_layers": rng.randint(1, 4),
             "vocab_size": vocab, "intermediate_size": inter, "moe_intermediate_size": rng.randint(8, 40),
             "n_routed_experts": pick([2, 4, 8]), "kv_lora_rank": pick([16, 24]), "qk_nope_head_dim": pick([8, 16]),
             "qk_rope_head_dim": pick([4, 8]), "v_head_dim": pick([8, 12]), "num_experts_per_tok": pick([1, 2]),
             "q_lora_rank": pick([None, 12, 20]), "n_group": 1, "topk_group": 1}
        for key, value in (("first_k_dense_replace", rng.randint(0, 2)), ("n_shared_experts", pick([1, 2])),
                           ("attention_bias", pick([True, False])), ("tie_word_embeddings", pick([True, False]))):
            maybe(c, key, value)
        if family == "deepseek_v2":
            maybe(c, "mlp_bias", pick([True, False]))
    elif family == "bert":
        c = {"hidden_size": h, "num_attention_heads": heads, "num_hidden_layers": layers, "vocab_size": vocab,
             "intermediate_size": inter, "max_position_embeddings": rng.randint(8, 64)}
        maybe(c, "type_vocab_size", pick([1, 2, 3]))
        if rng.random() < 0.3:
            c.update(is_decoder=True, add_cross_attention=True)
    elif family == "t5":
        c = {"d_model": h, "num_heads": heads, "num_layers": layers, "vocab_size": vocab, "d_ff": inter,
             "d_kv": pick([8, 16])}
        for key, value in (("num_decoder_layers", rng.randint(1, 3)),
                           ("feed_forward_proj", pick(["relu", "gated-gelu", "gated-silu"])),
                           ("relative_attention_num_buckets", pick([8, 32])),
                           ("tie_word_embeddings", pick([True, False]))):
            maybe(c, key, value)
    elif family == "vit":
        c = {"hidden_size": h, "num_attention_heads": heads, "num_hidden_layers": layers, "intermediate_size": inter,
             "image_size": pick([32, 48, [32, 48]]), "patch_size": pick([8, 16, [8, 16]])}
        for key, value in (("num_channels", pick([1, 3])), ("qkv_bias", pick([True, False])),
                           ("pooler_output_size", pick([None, 20]))):
            maybe(c, key, value)
    else:   # llama-like decoders
        c = {"hidden_size": h, "num_attention_heads": heads, "num_hidden_layers": layers, "vocab_size": vocab,
             "intermediate_size": inter}
        maybe(c, "num_key_value_heads", pick([1, 2, heads]))
        maybe(c, "tie_word_embeddings", pick([True, False]))
        if family != "phi3":   # Phi3's rope validation assumes head_dim = hidden / heads
            maybe(c, "head_dim", pick([8, 16, 32, h // heads]))
        else:
            c.update(pad_token_id=0, bos_token_id=0, eos_token_id=0)
        if family in ("llama", "gemma", "gemma2", "olmo", "olmo2"):
            maybe(c, "attention_bias", pick([True, False]))
        if family == "llama":
            maybe(c, "mlp_bias", pick([True, False]))
        if family == "mixtral":
            maybe(c, "num_local_experts", rng.randint(1, 6))
            maybe(c, "num_experts_per_tok", 1)
        if family == "qwen2_moe":
            c.update(moe_intermediate_size=rng.randint(8, 40), shared_expert_intermediate_size=rng.randint(8, 60),
                     num_experts=rng.randint(1, 6), num_experts_per_tok=1)
            maybe(c, "decoder_sparse_step", pick([1, 2]))
            maybe(c, "mlp_only_layers", pick([[], [0], [1, 2]]))
            maybe(c, "qkv_bias", pick([True, False]))
    c["model_type"] = family
    return c


#: The families this file draws random configs for; newer ones have hypothesis strategies in
#: tests/test_formula_properties.py.
ORIGINAL_FAMILIES = {"gpt2", "gpt_neox", "opt", "bloom", "falcon", "llama", "mistral", "mixtral", "qwen2",
                     "qwen2_moe", "gemma", "gemma2", "phi3", "olmo", "olmo2", "deepseek_v2", "deepseek_v3", "bert",
                     "t5", "vit"}
NATIVE_FAMILIES = sorted(ORIGINAL_FAMILIES)
#: Families whose published config has not been read yet (property-tested against transformers only).
NO_REAL_CONFIG_YET = {"olmo3", "olmoe", "granite", "granitemoe", "phimoe", "exaone4", "cohere2", "llama4_text",
                      "phi", "ernie4_5", "siglip_text_model", "nemotron", "hunyuan_v1_dense",
                      "hunyuan_v1_moe", "qwen3_next"}   # siglip_text_model: its tower is tested inside siglip-so400m
#: Families of the "families" branch: their default class (no ``architectures``) is not a causal LM.
DRAWN_BY_PROPERTIES = {"roberta", "xlm-roberta", "deberta-v2", "whisper", "clip", "clip_text_model",
                       "clip_vision_model", "siglip", "siglip_text_model", "siglip_vision_model", "mt5", "umt5",
                       "mamba", "mamba2", "falcon_mamba", "jamba", "hunyuan_v1_dense",
                       "hunyuan_v1_moe", "qwen3_next", "falcon_h1"}


@pytest.mark.parametrize("family", NATIVE_FAMILIES)
def test_random_small_configs_match_meta_device(family):
    rng = random.Random(f"formula-oracle-{family}")
    configs = [_random_config(family, rng) for _ in range(12)]
    table = formula.count_table(formula.config_frame(configs))
    assert table["error"].isna().all()
    for i, cfg in enumerate(configs):
        want = meta_count(cfg)
        assert formula.count(cfg)["total"] == want, cfg
        assert table.iloc[i]["total"] == want, cfg


def test_refinedweb_random_configs_match_meta_device():
    rng = random.Random("formula-oracle-refinedweb")
    for _ in range(12):
        heads = rng.choice([4, 8])
        cfg = {"model_type": rng.choice(["RefinedWeb", "RefinedWebModel"]), "hidden_size": 16 * heads,
               "n_head": heads, "n_layer": rng.randint(1, 3), "vocab_size": rng.randint(50, 200),
               "parallel_attn": rng.choice([True, False]), "bias": rng.choice([True, False]),
               "multi_query": rng.choice([True, False])}
        if rng.random() < 0.5:
            cfg["n_head_kv"] = rng.choice([1, 2, heads])
        assert formula.count(cfg)["total"] == meta_count(cfg), cfg


# --------------------------------------------------------------------------------------------
# Remote-code families: transcriptions of the published modeling files (constructors only)
# --------------------------------------------------------------------------------------------

class _Cfg(dict):
    __getattr__ = dict.__getitem__


class _RMSNorm(nn.Module):            # DeepseekRMSNorm: one weight of size hidden
    def __init__(self, n):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(n))


class _DeepseekMLP(nn.Module):
    def __init__(self, c, intermediate_size=None):
        super().__init__()
        i = c.intermediate_size if intermediate_size is None else intermediate_size
        self.gate_proj = nn.Linear(c.hidden_size, i, bias=False)
        self.up_proj = nn.Linear(c.hidden_size, i, bias=False)
        self.down_proj = nn.Linear(i, c.hidden_size, bias=False)


class _MoEGate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.weight = nn.Parameter(torch.empty((c.n_routed_experts, c.hidden_size)))


class _DeepseekMoE(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.experts = nn.ModuleList([_DeepseekMLP(c, c.moe_intermediate_size) for _ in range(c.n_routed_experts)])
        self.gate = _MoEGate(c)
        if c.n_shared_experts is not None:
            self.shared_experts = _DeepseekMLP(c, c.moe_intermediate_size * c.n_shared_experts)


class _DeepseekAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        head_dim = c.hidden_size // c.num_attention_heads
        kv = c.num_key_value_heads
        self.q_proj = nn.Linear(c.hidden_size, c.num_attention_heads * head_dim, bias=c.attention_bias)
        self.k_proj = nn.Linear(c.hidden_size, kv * head_dim, bias=c.attention_bias)
        self.v_proj = nn.Linear(c.hidden_size, kv * head_dim, bias=c.attention_bias)
        self.o_proj = nn.Linear(c.num_attention_heads * head_dim, c.hidden_size, bias=c.attention_bias)


class _DeepseekDecoderLayer(nn.Module):
    def __init__(self, c, layer_idx):
        super().__init__()
        self.self_attn = _DeepseekAttention(c)
        moe = (c.n_routed_experts is not None and layer_idx >= c.first_k_dense_replace
               and layer_idx % c.moe_layer_freq == 0)
        self.mlp = _DeepseekMoE(c) if moe else _DeepseekMLP(c)
        self.input_layernorm = _RMSNorm(c.hidden_size)
        self.post_attention_layernorm = _RMSNorm(c.hidden_size)


class _DeepseekForCausalLM(nn.Module):
    """deepseek-ai/deepseek-moe-16b-base, modeling_deepseek.py: DeepseekModel + lm_head."""

    def __init__(self, c):
        super().__init__()
        self.embed_tokens = nn.Embedding(c.vocab_size, c.hidden_size)
        self.layers = nn.ModuleList([_DeepseekDecoderLayer(c, i) for i in range(c.num_hidden_layers)])
        self.norm = _RMSNorm(c.hidden_size)
        self.lm_head = nn.Linear(c.hidden_size, c.vocab_size, bias=False)
        if c.tie_word_embeddings:
            self.lm_head.weight = self.embed_tokens.weight


_DEEPSEEK_DEFAULTS = {  # configuration_deepseek.py (DeepseekConfig.__init__ defaults)
    "num_key_value_heads": 32, "n_shared_experts": None, "n_routed_experts": None, "moe_layer_freq": 1,
    "first_k_dense_replace": 0, "moe_intermediate_size": 1407, "attention_bias": False, "tie_word_embeddings": False,
}


def test_deepseek_moe_16b_matches_its_modeling_code():
    """deepseek (v1) is remote code only. Published modeling code read: deepseek-ai/deepseek-moe-16b
    ``modeling_deepseek.py`` (copy in the public repository BZX667/CMoE, file modeling_deepseek.py:
    DeepseekMLP, MoEGate, DeepseekMoE, DeepseekAttention, DeepseekDecoderLayer, DeepseekModel,
    DeepseekForCausalLM). Published counts are rounded (16.4B total, 2.8B activated; see
    test_formula.py), so exactness is checked against this transcription."""
    cfg = FIXTURES["deepseek-moe-16b"]
    c = _Cfg({**_DEEPSEEK_DEFAULTS, **cfg})
    with torch.device("meta"):
        model = _DeepseekForCausalLM(c)
    assert formula.count(cfg)["total"] == sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("variant", [
    {},
    {"first_k_dense_replace": 2, "moe_layer_freq": 2, "num_hidden_layers": 7},
    {"n_shared_experts": None, "attention_bias": True, "num_key_value_heads": 4},
    {"n_routed_experts": None, "tie_word_embeddings": True},
])
def test_deepseek_v1_variants_match_its_modeling_code(variant):
    cfg = {"model_type": "deepseek", "vocab_size": 97, "hidden_size": 64, "intermediate_size": 40,
           "moe_intermediate_size": 12, "num_hidden_layers": 5, "num_attention_heads": 8, "num_key_value_heads": 8,
           "n_routed_experts": 6, "n_shared_experts": 2, "num_experts_per_tok": 2, "first_k_dense_replace": 1,
           "moe_layer_freq": 1, **variant}
    c = _Cfg({**_DEEPSEEK_DEFAULTS, **cfg})
    with torch.device("meta"):
        model = _DeepseekForCausalLM(c)
    engine_cfg = {k: v for k, v in cfg.items() if v is not None}
    assert formula.count(engine_cfg)["total"] == sum(p.numel() for p in model.parameters())


class _Phi3SmallLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        h, heads, kv = c.hidden_size, c.num_attention_heads, c.num_key_value_heads
        head_dim = h // heads
        # Phi3SmallSelfAttention (the block-sparse kernel and the rotary embedding hold no parameters)
        self.query_key_value = nn.Linear(h, (heads + 2 * kv) * head_dim)
        self.dense = nn.Linear(h, h)
        # Phi3SmallMLP
        self.up_proj = nn.Linear(h, 2 * c.intermediate_size)
        self.down_proj = nn.Linear(c.intermediate_size, h)
        self.input_layernorm = nn.LayerNorm(h)
        self.post_attention_layernorm = nn.LayerNorm(h)


class _Phi3SmallForCausalLM(nn.Module):
    """microsoft/Phi-3-small-8k-instruct, modeling_phi3_small.py: Phi3SmallModel + lm_head
    (``_tied_weights_keys = ["lm_head.weight"]``; the released config keeps PretrainedConfig's
    tie_word_embeddings = True)."""

    def __init__(self, c):
        super().__init__()
        self.embed_tokens = nn.Embedding(c.vocab_size, c.hidden_size)
        self.layers = nn.ModuleList([_Phi3SmallLayer(c) for _ in range(c.num_hidden_layers)])
        self.final_layernorm = nn.LayerNorm(c.hidden_size)
        self.lm_head = nn.Linear(c.hidden_size, c.vocab_size, bias=False)
        if c.get("tie_word_embeddings", True):
            self.lm_head.weight = self.embed_tokens.weight


def _phi3small_intermediate(c):
    # Phi3SmallConfig.intermediate_size
    if c.get("ff_intermediate_size") is not None:
        return c["ff_intermediate_size"]
    size = c["ff_dim_multiplier"] * (c["hidden_size"] // 3) * 2
    return (size + 255) // 256 * 256 if c.get("gegelu_pad_to_256", True) else size


@pytest.mark.parametrize("variant", [None, {"ff_intermediate_size": None, "ff_dim_multiplier": 8},
                                     {"tie_word_embeddings": False, "num_key_value_heads": 2}])
def test_phi3_small_matches_its_modeling_code(variant):
    """phi3small is remote code only. Published modeling code read: microsoft/Phi-3-small-8k-instruct
    ``modeling_phi3_small.py`` and ``configuration_phi3_small.py`` (found through the code index;
    cross-checked with vLLM's vllm/model_executor/models/phi3_small.py: query_key_value and dense with
    bias=True). No exact count is published (the report says 7B), so exactness is checked against
    this transcription; the released config is tested at full size, variants at small size."""
    if variant is None:
        cfg = FIXTURES["phi-3-small-8k-instruct"]
    else:
        cfg = {"model_type": "phi3small", "vocab_size": 101, "hidden_size": 96, "num_hidden_layers": 3,
               "num_attention_heads": 6, "num_key_value_heads": 3, "ff_intermediate_size": 72, **variant}
    c = _Cfg({"num_key_value_heads": 8, **cfg})
    c["intermediate_size"] = _phi3small_intermediate(c)
    with torch.device("meta"):
        model = _Phi3SmallForCausalLM(c)
    engine_cfg = {k: v for k, v in cfg.items() if v is not None}
    assert formula.count(engine_cfg)["total"] == sum(p.numel() for p in model.parameters())


# --------------------------------------------------------------------------------------------
# Components (towers) and the transformers fallback
# --------------------------------------------------------------------------------------------

def test_t5_encoder_component_is_what_t5_encoder_model_holds():
    """The formula's encoder tower equals transformers' T5EncoderModel (shared table + encoder stack);
    encoder + decoder is the total."""
    for name in ("t5-small", "t5-v1_1-base"):
        cfg = FIXTURES[name]
        result = formula.count(cfg)
        assert result["method"] == "formula"
        encoder_only = {k: v for k, v in cfg.items() if k != "tie_word_embeddings"} | {"architectures": ["T5EncoderModel"]}
        assert result["components"]["encoder"] == meta_count(encoder_only)
        assert sum(result["components"].values()) == result["total"]


def test_fallback_splits_composite_models_into_towers():
    """Chinese-CLIP and Gemma 3 (multimodal) have no formula: transformers counts them, and the towers
    are read from the module names; they add up to the whole model (the logit_scale excepted)."""
    clip = {"model_type": "chinese_clip", "projection_dim": 16,
            "text_config": {"hidden_size": 32, "intermediate_size": 37, "num_attention_heads": 4,
                            "num_hidden_layers": 2, "vocab_size": 99, "projection_dim": 16},
            "vision_config": {"hidden_size": 32, "intermediate_size": 37, "num_attention_heads": 4,
                              "num_hidden_layers": 2, "image_size": 30, "patch_size": 2, "projection_dim": 16}}
    result = formula.count(clip)
    assert (result["method"], result["head"]) == ("transformers", "ChineseCLIPModel")
    assert result["total"] == meta_count(dict(clip, architectures=["ChineseCLIPModel"]))
    assert set(result["components"]) == {"text_encoder", "vision_encoder", "projector"}
    assert result["total"] - sum(result["components"].values()) == 1          # logit_scale
    assert result["components"]["projector"] == 2 * 32 * 16                  # two bias-free projections
    gemma3 = {"model_type": "gemma3", "mm_tokens_per_image": 4,
              "text_config": {"hidden_size": 32, "intermediate_size": 37, "num_attention_heads": 4,
                              "num_key_value_heads": 2, "head_dim": 8, "num_hidden_layers": 2, "vocab_size": 99},
              "vision_config": {"hidden_size": 32, "intermediate_size": 37, "num_attention_heads": 4,
                                "num_hidden_layers": 2, "image_size": 28, "patch_size": 2}}
    result = formula.count(gemma3)
    assert set(result["components"]) == {"language_model", "vision_encoder", "projector"}
    assert sum(result["components"].values()) == result["total"]
    # the language tower is the gemma3_text formula's count of the same text config, without its head
    text = dict(gemma3["text_config"], model_type="gemma3_text", architectures=["Gemma3TextModel"])
    assert result["components"]["language_model"] == formula.count(text)["total"]


def test_fallback_default_class_of_an_encoder_decoder():
    whisper = {"model_type": "whisper", "d_model": 32, "encoder_layers": 2, "decoder_layers": 2,
               "encoder_attention_heads": 4, "decoder_attention_heads": 4, "encoder_ffn_dim": 37,
               "decoder_ffn_dim": 37, "vocab_size": 99, "num_mel_bins": 8, "max_source_positions": 30,
               "max_target_positions": 40, "pad_token_id": 0, "decoder_start_token_id": 1, "eos_token_id": 2,
               "bos_token_id": 2}
    result = formula.count(whisper)
    assert (result["head"], result["head_source"]) == ("WhisperForConditionalGeneration", "default")
    assert result["total"] == meta_count(dict(whisper, architectures=["WhisperForConditionalGeneration"]))
    assert set(result["components"]) == {"encoder", "decoder"}
    assert sum(result["components"].values()) == result["total"]


def test_fallback_counts_in_a_table_with_formula_rows():
    """A table mixing formula families, a transformers-only model_type and an unknown one."""
    rows = [FIXTURES["llama-2-7b"], {"model_type": "mpt", "d_model": 32, "n_heads": 4, "n_layers": 2, "vocab_size": 50,
                                     "max_seq_len": 16}, {"model_type": "not-a-model"}]
    table = formula.count_table(formula.config_frame(rows))
    assert list(table["method"][:2]) == ["formula", "transformers"]
    assert table.iloc[1]["total"] == meta_count(rows[1])
    assert "not-a-model" in table.iloc[2]["error"]


def test_fallback_active_count_survives_a_mixed_table():
    """A mixture-of-experts row only transformers counts keeps its active count when other rows lack
    its expert keys (the table then holds them as floats, 4.0, not Python ints)."""
    moe = {"model_type": "granitemoeshared", "vocab_size": 40, "hidden_size": 16, "intermediate_size": 8,
           "num_hidden_layers": 2, "num_attention_heads": 2, "num_key_value_heads": 1,
           "shared_intermediate_size": 8, "num_local_experts": 4, "num_experts_per_tok": 2}
    alone = formula.count(moe)
    assert alone["method"] == "transformers" and alone["active"] < alone["total"] == meta_count(moe)
    table = formula.count_table(formula.config_frame([FIXTURES["llama-2-7b"], moe]))
    assert table.iloc[1]["total"] == alone["total"]
    assert table.iloc[1]["active"] == alone["active"]
    assert table.iloc[1]["active_without_input_embedding"] == alone["active_without_input_embedding"]
