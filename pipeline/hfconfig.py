"""Guards on the Hugging Face configs the formula engine reads: from a file (`modelfacts count`) and
from a model's `architecture` block (`modelfacts validate`).

The engine counts in int64 numpy arrays, so a width such as 2**31 - 1 would wrap around, and Python
counts `true` as 1. These guards refuse such values with a message naming the key before any
arithmetic runs.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pipeline.load.yaml_reader import MAX_FILE_BYTES, YamlError, read_bytes


class ConfigFileError(ValueError):
    """A config file that cannot be read as a JSON object; the message is one line."""


# Largest plausible value per width key (HF names and the GPT-2/T5 spellings the engine also reads).
# Each is several times the largest published config (hidden 25,600, intermediate 73,728, 126 layers,
# 256 routed experts, vocab 262,144, 10M positions), and together they keep every product the engine
# forms (layers x experts x hidden x intermediate x 3 = 2**59.6) inside int64.
WIDTH_LIMITS: dict[str, int] = {
    **dict.fromkeys(("hidden_size", "n_embd", "d_model", "embed_dim"), 2 ** 17),
    **dict.fromkeys(("intermediate_size", "n_inner", "d_ff", "ffn_dim", "moe_intermediate_size",
                     "shared_expert_intermediate_size"), 2 ** 19),
    **dict.fromkeys(("num_hidden_layers", "n_layer", "num_layers", "num_decoder_layers"), 2 ** 12),
    **dict.fromkeys(("num_attention_heads", "n_head", "num_heads", "num_key_value_heads", "n_head_kv"), 2 ** 12),
    **dict.fromkeys(("head_dim", "d_kv"), 2 ** 14),
    "vocab_size": 2 ** 23,
    **dict.fromkeys(("max_position_embeddings", "n_positions"), 2 ** 27),
    **dict.fromkeys(("num_local_experts", "n_routed_experts", "num_experts", "n_shared_experts",
                     "num_experts_per_tok"), 2 ** 10),
}
# (model_type, key) pairs whose published configs give one width per layer: Gemma 3n's text decoder
# (transformers' Gemma3nTextConfig) writes intermediate_size as a list. Each entry gets the width check;
# no formula family reads these model types, so only transformers' meta-device count sees the list.
PER_LAYER_WIDTHS = frozenset({("gemma3n_text", "intermediate_size")})
# Keys where 0 is a real value (a dense model has no shared experts; Qwen3-Coder-480B-A35B's published
# config writes shared_expert_intermediate_size 0, a key its qwen3_moe architecture does not read)
ZERO_ALLOWED = frozenset({"n_shared_experts", "num_local_experts", "num_experts", "n_routed_experts",
                          "num_experts_per_tok", "shared_expert_intermediate_size"})


# Switches the engine reads (a list or mapping there crashed its boolean lookup)
FLAG_KEYS = ("tie_word_embeddings", "attention_bias", "mlp_bias", "bias", "qkv_bias", "enable_bias",
             "multi_query", "new_decoder_architecture", "parallel_attn", "add_cross_attention",
             "do_layer_norm_before", "layer_norm_elementwise_affine", "_remove_final_layer_norm")


def width_problems(config: Any) -> list[tuple[str, str]]:
    """(key, message) for a model_type that is not text, a switch (FLAG_KEYS) that is not true/false,
    and for each width key of a config whose value
    the engine must not count: not a
    whole number (true/false, 4096.5, "4096", NaN), below 1 (0 where a count can be 0), or above
    WIDTH_LIMITS. A per-layer list (PER_LAYER_WIDTHS) is checked entry by entry, the first bad entry
    reported, and may have at most as many entries as a config may have layers. Missing and null keys
    are the engine's business (defaults)."""
    if not isinstance(config, dict):
        return []
    problems = []
    if "model_type" in config and not isinstance(config["model_type"], str):
        problems.append(("model_type", f"expected text naming the architecture, e.g. \"llama\"; found "
                                       f"{json.dumps(config['model_type'])[:40]}"))
    for key in FLAG_KEYS:
        if config.get(key) is not None and not isinstance(config[key], bool):
            problems.append((key, f"expected true or false; found {json.dumps(config[key])[:40]}"))
    for key, limit in WIDTH_LIMITS.items():
        value = config.get(key)
        if value is None:
            continue
        low = 0 if key in ZERO_ALLOWED else 1
        per_layer = (config.get("model_type"), key) in PER_LAYER_WIDTHS and isinstance(value, list) and value
        # Bounded so that a hostile million-entry list costs no more than a real one
        for item in (value[:WIDTH_LIMITS["num_hidden_layers"] + 1] if per_layer else [value]):
            if type(item) is not int or not low <= item <= limit:
                found = json.dumps(item) if not isinstance(item, float) or item == item else "NaN"
                problems.append((key, f"expected a whole number from {low} to {limit:,} (larger widths are "
                                      f"typing slips and would overflow the count){' per layer' if per_layer else ''}"
                                      f"; found {found[:40]}"))
                break
        if per_layer and len(value) > WIDTH_LIMITS["num_hidden_layers"]:
            problems.append((key, f"expected at most {WIDTH_LIMITS['num_hidden_layers']:,} per-layer widths; "
                                  f"found {len(value):,}"))
    return problems


def read_config(path: Path) -> dict:
    """A config.json as a dict; ConfigFileError with one line saying why not (not a regular file, over
    MAX_FILE_BYTES, not UTF-8, not JSON, nested too deep, a number with too many digits, not an object)."""
    try:
        content = read_bytes(Path(path))
    except YamlError as error:
        raise ConfigFileError(error.message.replace(" in data/; commit the file itself", "")) from None
    except OSError as error:
        raise ConfigFileError(f"cannot read the file: {error.strerror}") from None
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise ConfigFileError(f"line {line}: the file is not UTF-8: byte 0x{content[error.start]:02x} "
                              "cannot be decoded") from None
    try:
        config = json.loads(text.removeprefix("\ufeff"))
    except RecursionError:
        raise ConfigFileError("not a JSON config: nested too deeply") from None
    except json.JSONDecodeError as error:
        raise ConfigFileError(f"line {error.lineno}: not valid JSON: {error.msg}") from None
    except ValueError:  # the only other ValueError json raises: an integer beyond Python's digit limit
        raise ConfigFileError(f"not a JSON config: a number has more than {sys.get_int_max_str_digits():,} "
                              "digits") from None
    if not isinstance(config, dict):
        raise ConfigFileError(f"expected a JSON object of config keys; found {type(config).__name__}")
    return config


__all__ = ["ConfigFileError", "MAX_FILE_BYTES", "PER_LAYER_WIDTHS", "WIDTH_LIMITS", "read_config", "width_problems"]
