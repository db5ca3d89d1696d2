"""voxtral: Voxtral speech-language models (VoxtralForConditionalGeneration; Voxtral Mini, Small).

Language model (``text_config``, a Llama decoder): keys it leaves out take Voxtral's own sub-config
values first (VoxtralConfig merges its defaults — vocabulary 131,072, hidden 3,072, FFN 8,192, 30
layers, 8 kv heads, head_dim 128 — under the given dict), then LlamaConfig's (32 heads, no biases); an
explicit null head_dim means hidden/heads. The output head is never tied (the class declares no tied
weights). Audio encoder (``audio_config``, VoxtralEncoderConfig's defaults; Whisper's names d_model,
encoder_layers, encoder_ffn_dim are read too): two convolutions with bias (num_mel_bins → hidden,
kernel 3; hidden → hidden, kernel 3), a position table of max_source_positions rows, layers of q/v/out
with bias and k without, fc1/fc2 with bias and two LayerNorms, and a final LayerNorm. Projector:
bias-free linear_1 (audio intermediate_size → text hidden) and linear_2 (text hidden → text hidden).
Components: language_model (with the head), audio_encoder, projector. A text model other than Llama
is counted by transformers. Source: transformers ``models/voxtral/modeling_voxtral.py``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pipeline.formula.common import COMPOSITE_HEADS, SubConfigCtx, generation_head
from pipeline.formula.models.clip import combine_towers
from pipeline.formula.models.llama import llama_parts
from pipeline.formula.models.ministral3 import head_dim_or_width
from pipeline.formula.spec import Family, Key, column
from pipeline.formula.terms import Ctx, ZERO, linear

#: VoxtralConfig's text sub-config values over LlamaConfig's defaults (head_dim 0: hidden/heads).
TEXT_DEFAULTS: dict[str, Any] = {"vocab_size": 131072, "hidden_size": 3072, "intermediate_size": 8192,
                                 "num_hidden_layers": 30, "num_attention_heads": 32, "num_key_value_heads": 8,
                                 "head_dim": 128, "attention_bias": False, "mlp_bias": False,
                                 # read by the llama head, which this family replaces (never tied)
                                 "tie_word_embeddings": False}
#: VoxtralEncoderConfig's defaults, and the Whisper names it also reads.
AUDIO_DEFAULTS: dict[str, Any] = {"hidden_size": 1280, "intermediate_size": 5120, "num_hidden_layers": 32,
                                  "num_mel_bins": 128, "max_source_positions": 1500}
AUDIO_ALIASES = {"hidden_size": "d_model", "intermediate_size": "encoder_ffn_dim", "num_hidden_layers": "encoder_layers"}
TEXT = "text_config."
AUDIO = "audio_config."


def _value(sub: dict[str, Any], name: str, default: Any, alias: str | None = None) -> Any:
    if name in sub:
        return sub[name]
    if alias is not None and alias in sub:
        return sub[alias]
    return default


def _prepare(df: pd.DataFrame, pos: np.ndarray, raw: dict[str, Any]) -> None:
    texts = pd.Series(column(df, "text_config", pos), dtype=object).map(lambda v: v if isinstance(v, dict) else {})
    audios = pd.Series(column(df, "audio_config", pos), dtype=object).map(lambda v: v if isinstance(v, dict) else {})
    raw[TEXT + "model_type"] = texts.map(lambda d: d.get("model_type", "llama")).to_numpy(dtype=object)
    for name, default in TEXT_DEFAULTS.items():
        raw[TEXT + name] = texts.map(lambda d, name=name, default=default: _value(d, name, default)).to_numpy(dtype=object)
    # an explicit null head_dim reaches LlamaConfig as None: hidden // heads (0 here, resolved in _finish)
    raw[TEXT + "head_dim"] = np.where(pd.isna(pd.Series(raw[TEXT + "head_dim"], dtype=object)), 0,
                                      raw[TEXT + "head_dim"]).astype(object)
    for name, default in AUDIO_DEFAULTS.items():
        raw[AUDIO + name] = audios.map(lambda d, name=name, default=default: _value(
            d, name, default, AUDIO_ALIASES.get(name))).to_numpy(dtype=object)


def _validate(cols: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """A text model other than Llama goes to transformers."""
    return {TEXT + "model_type": cols[TEXT + "model_type"] != "llama"}


def _finish(cols: dict[str, np.ndarray], raw: dict[str, Any]) -> None:
    cols[TEXT + "head_dim"] = head_dim_or_width(cols[TEXT + "head_dim"], cols[TEXT + "hidden_size"],
                                                cols[TEXT + "num_attention_heads"])


def build(c: Ctx):
    text = SubConfigCtx(c, TEXT)
    language = llama_parts(text, text.flag("attention_bias"), text.flag("mlp_bias"))
    V, h = c.v(TEXT + "vocab_size"), c.v(TEXT + "hidden_size")
    language["head"] = generation_head(c, V, h, tie_key=None)
    ah, aI, aL, mel, P = (c.v(AUDIO + name) for name in AUDIO_DEFAULTS)
    audio = {
        "patch_embedding": linear(c, mel * 3, ah) + linear(c, ah * 3, ah),
        "position": P * ah,
        "attention": aL * (4 * (ah * ah) + 3 * ah),
        "mlp": aL * (linear(c, ah, aI) + linear(c, aI, ah)),
        "norms": aL * (2 * (2 * ah)) + 2 * ah,
    }
    projector = aI * h + h * h
    towers = {"language_model": language, "audio_encoder": audio, "projector": {"projection": projector}}
    return combine_towers(c, towers), ZERO, {}


FAMILY = Family(
    "voxtral", "VoxtralForConditionalGeneration",
    {
        **{TEXT + name: Key(kind="bool" if isinstance(default, bool) else "int", default=default)
           for name, default in TEXT_DEFAULTS.items()},
        TEXT + "model_type": Key(kind="str", default="llama"),
        **{AUDIO + name: Key(default=default) for name, default in AUDIO_DEFAULTS.items()},
    },
    ("embeddings", "position", "patch_embedding", "projection", "attention", "mlp", "norms", "head"),
    notes="Llama language model (missing text keys: Voxtral's sub-config values, then LlamaConfig's; the head is "
          "never tied), Whisper-style audio encoder (two convolutions under patch_embedding, its position "
          "table under position) and a two-linear projector, as components.",
    prepare=_prepare,
    validate=_validate,
    build=build,
    finish=_finish,
    **COMPOSITE_HEADS,
)
