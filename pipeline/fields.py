"""The controlled vocabulary of claim fields: one unit each, and the words a value may carry."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    """One claim field: its unit, whether it is numeric, and the unit words allowed in a value."""

    name: str
    unit: str
    numeric: bool
    description: str
    unit_words: tuple[str, ...] = ()
    currency: bool = False


FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("params_total", "parameters", True,
              "All parameters of the model as released (every expert, embeddings, head).",
              ("total parameters", "parameters", "parameter", "params", "param", "total")),
        Field("params_active", "parameters", True,
              "Parameters used to process one token (differs from total for mixture-of-experts).",
              ("active parameters per token", "activated parameters", "active parameters", "active params",
               "active per token", "activated",
               "parameters per token", "per token", "parameters", "parameter", "params", "param", "active")),
        Field("params_embedding", "parameters", True,
              "Input embedding table, plus an untied output head and learned position tables.",
              ("parameters", "parameter", "params")),
        Field("params_non_embedding", "parameters", True,
              "Total parameters minus embedding parameters.",
              ("non-embedding parameters", "non-embedding params", "non-embedding", "parameters", "parameter", "params")),
        Field("params_active_non_embedding", "parameters", True,
              "Parameters used to process one token, less the embedding and output head (Qwen's "
              "\"activated non-embedding parameters\").",
              ("activated non-embedding parameters", "active non-embedding parameters",
               "activated non-embedding params", "active non-embedding params", "activated non-embedding",
               "active non-embedding", "non-embedding activated",
               "non-embedding", "parameters", "parameter", "params")),
        Field("num_layers", "layers", True,
              "Number of transformer blocks (or network layers) the source states.",
              ("layers", "layer", "blocks")),
        Field("training_tokens", "tokens", True,
              "Tokens seen in pre-training (all epochs).",
              ("tokens", "token")),
        Field("training_images", "images", True,
              "Images (or image-text pairs) in the training set.",
              ("images", "image", "image-text pairs", "pairs")),
        Field("training_dataset_size", "datapoints", True,
              "Size of the training dataset in the unit its source counts (words, tokens, images, examples), "
              "not the tokens seen in training; the claim's note names the unit and the epochs.",
              ("datapoints", "data points", "words", "tokens", "images", "examples", "samples")),
        Field("training_compute_flop", "FLOP", True,
              "Total floating-point operations spent on pre-training.",
              ("flop", "flops", "floating-point operations")),
        Field("training_cost_usd", "USD", True,
              "Cost of the pre-training compute in US dollars.",
              ("usd", "dollars"), currency=True),
        Field("training_gpu_hours", "GPU-hours", True,
              "Accelerator-hours (GPU or TPU) spent on pre-training.",
              ("gpu-hours", "gpu hours", "gpu-hour", "tpu-hours", "tpu hours", "chip-hours", "hours")),
        Field("training_core_hours", "core-hours", True,
              "Accelerator-core-hours spent on pre-training, for sources that count cores rather than chips "
              "(a TPU v3 chip has two cores, so chip-hours are half the core-hours). \"core-years\" are "
              "converted at 8,766 hours a year.",
              ("core-hours", "core hours", "core-hour")),
        Field("training_duration_days", "days", True,
              "Wall-clock length of the pre-training run.",
              ("days", "day")),
        Field("training_chip_count", "chips", True,
              "Number of accelerators used for pre-training.",
              ("gpus", "gpu", "tpus", "chips", "accelerators")),
        Field("training_hardware", "text", False,
              "The accelerator used for pre-training, as the source names it."),
        Field("context_length", "tokens", True,
              "Maximum context window in tokens.",
              ("tokens", "token")),
        Field("weights_gb_fp32", "GB", True, "Size of the weights at 32-bit precision (1 GB = 1e9 bytes).", ("gb",)),
        Field("weights_gb_fp16", "GB", True, "Size of the weights at 16-bit precision (1 GB = 1e9 bytes).", ("gb",)),
        Field("weights_gb_int8", "GB", True, "Size of the weights at 8-bit precision (1 GB = 1e9 bytes).", ("gb",)),
        Field("weights_gb_int4", "GB", True, "Size of the weights at 4-bit precision (1 GB = 1e9 bytes).", ("gb",)),
        Field("weights_gb", "GB", True,
              "Size of the weights, precision not stated by the source (1 GB = 1e9 bytes); the memory check "
              "judges it against every precision and names the one it matches.", ("gb",)),
    )
}

PARAM_FIELDS = ("params_total", "params_active", "params_embedding", "params_non_embedding",
                "params_active_non_embedding")
# confirmed: the developer disclosed it; reported: a secondary source relays the developer's figure;
# estimated: a named party derived it with a method; rumored: unattributed or leaked.
STATUSES = ("confirmed", "reported", "estimated", "rumored")
# How a source was read: in the original, in a faithful copy (named in `copy`), or not at all.
ACCESS_MODES = ("original", "copy", "not_read")
# Which part of training a figure belongs to (tokens, compute, GPU-hours, cost, duration). mid-training is a
# later pre-training phase on a different mix (OLMo 2's "stage 2"): its tokens add to pre-training's.
STAGES = ("pre-training", "mid-training", "context-extension", "post-training", "whole-run")
# Whether a claim is about this model alone or is a statement about its whole family.
SCOPES = ("model", "family")
# Which window a context_length figure is: the length the model was trained to (native), the length reached by
# stretching positions at inference (extended: YaRN, RoPE scaling), the limit its developer advises using
# (recommended), or a served product's limit (served: an API's window, often input plus output). Qwen3's card
# gives "32,768 natively and 131,072 tokens with YaRN": two true figures that only conflict when read as one.
CONTEXT_WINDOWS = ("native", "extended", "recommended", "served")
CONTEXT_WINDOW_FIELDS = ("context_length",)
# Which part of a system a claim counts (absent: the whole model).
COMPONENTS = ("language_model", "vision_encoder", "text_encoder", "audio_encoder", "encoder", "decoder",
              "projector", "unet", "vae", "system")
SOURCE_KINDS = ("paper", "model-card", "config", "official-blog", "analysis", "news", "article", "leak",
                "report", "repository", "dataset")
DOMAINS = ("language", "vision", "multimodal", "image-generation", "speech", "code", "embedding",
           "vision-language", "other")
