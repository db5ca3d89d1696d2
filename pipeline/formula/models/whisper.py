"""whisper: OpenAI's Whisper speech encoder-decoder (WhisperForConditionalGeneration, WhisperModel).

Encoder: two 1-D convolutions (num_mel_bins → d_model and d_model → d_model, kernel 3, with biases),
a position table of max_source_positions rows (sinusoidal but stored as a parameter), pre-LN blocks
and a final LayerNorm. Decoder: token and position (max_target_positions) tables, blocks with
self- and cross-attention, final LayerNorm. Every attention is q/k/v/out of d_model with biases
except k_proj (bias-free). The output projection ``proj_out`` is tied to the decoder's token table
unless ``tie_word_embeddings`` is false. Components: ``encoder`` (the audio encoder) and ``decoder``
(with the token table and output projection). Source: transformers ``models/whisper/modeling_whisper.py``.
"""
from __future__ import annotations

from pipeline.formula.common import head_is, tied_head
from pipeline.formula.spec import Family, Key, boolean, required
from pipeline.formula.terms import Ctx, ZERO, linear


def _attention(c: Ctx, d):
    """q, v, out with biases and a bias-free k."""
    return 3 * linear(c, d, d) + d * d


def build(c: Ctx):
    V, d, M = c.v("vocab_size"), c.v("d_model"), c.v("num_mel_bins")
    Le, Ld, Fe, Fd = c.v("encoder_layers"), c.v("decoder_layers"), c.v("encoder_ffn_dim"), c.v("decoder_ffn_dim")
    Ps, Pt = c.v("max_source_positions"), c.v("max_target_positions")
    conv = M * d * 3 + d + d * d * 3 + d
    enc_attn, dec_attn = Le * _attention(c, d), Ld * (2 * _attention(c, d))
    enc_mlp, dec_mlp = Le * (linear(c, d, Fe) + linear(c, Fe, d)), Ld * (linear(c, d, Fd) + linear(c, Fd, d))
    enc_norms, dec_norms = Le * (2 * (2 * d)) + 2 * d, Ld * (3 * (2 * d)) + 2 * d
    head = c.when(head_is(c, "cond_gen"), tied_head(c, V, d), note="no output projection in WhisperModel")
    parts = {
        "embeddings": V * d,
        "position": Ps * d + Pt * d,
        "patch_embedding": conv,
        "attention": enc_attn + dec_attn,
        "mlp": enc_mlp + dec_mlp,
        "norms": enc_norms + dec_norms,
        "head": head,
    }
    c.component("encoder", conv + Ps * d + enc_attn + enc_mlp + enc_norms)
    c.component("decoder", V * d + Pt * d + dec_attn + dec_mlp + dec_norms + head)
    return parts, ZERO, {}


FAMILY = Family(
    "whisper", "WhisperForConditionalGeneration",
    {
        "vocab_size": required(),
        "d_model": required(aliases=("hidden_size",)),
        "encoder_layers": required(),
        "decoder_layers": required(),
        "encoder_ffn_dim": required(),
        "decoder_ffn_dim": required(),
        "num_mel_bins": Key(default=80),
        "max_source_positions": Key(default=1500),
        "max_target_positions": Key(default=448),
        "tie_word_embeddings": boolean(True),
    },
    ("embeddings", "position", "patch_embedding", "attention", "mlp", "norms", "head"),
    notes="The two input convolutions are counted under patch_embedding; encoder and decoder position "
          "tables under position; k_proj has no bias.",
    build=build,
    heads=("cond_gen", "base"),
    head_width=None,
    own_heads=True,
)
