from __future__ import annotations

from pipeline.formula.terms import Ctx, ZERO, linear
from pipeline.formula.spec import Family, Key, boolean, required
from pipeline.formula.common import tied_head


def build(c: Ctx):
    V, h, L, F, P, W = (c.v("vocab_size"), c.v("hidden_size"), c.v("num_hidden_layers"), c.v("ffn_dim"),
                        c.v("max_position_embeddings"), c.v("word_embed_proj_dim"))
    bias, affine = c.flag("enable_bias"), c.flag("layer_norm_elementwise_affine")
    final_ln = c.flag("do_layer_norm_before") & ~c.flag("_remove_final_layer_norm") & affine
    proj = c.when(W.value != h.value, 2 * (W * h), note="none (word_embed_proj_dim = hidden_size)")
    parts = {
        "embeddings": V * W,
        "position": (P + 2) * h,
        "projection": proj,
        "attention": L * (4 * linear(c, h, h, bias)),
        "mlp": L * (linear(c, h, F, bias) + linear(c, F, h, bias)),
        "norms": L * c.when(affine, 2 * (2 * h)) + c.when(final_ln, 2 * h),
        "head": tied_head(c, V, W),
    }
    return parts, ZERO, {}


FAMILY = Family(
    "opt", "OPTForCausalLM",
    {
        "vocab_size": required(),
        "hidden_size": required(),
        "num_hidden_layers": required(),
        "ffn_dim": required(),
        "max_position_embeddings": required(),
        "word_embed_proj_dim": Key(default=lambda c: c["hidden_size"]),
        "do_layer_norm_before": boolean(True),
        "_remove_final_layer_norm": boolean(False),
        "enable_bias": boolean(True),
        "layer_norm_elementwise_affine": boolean(True),
        "tie_word_embeddings": boolean(True),
    },
    ("embeddings", "position", "projection", "attention", "mlp", "norms", "head"),
    notes="The learned position table has max_position_embeddings + 2 rows (OPT's offset of 2). "
          "project_in/project_out exist when word_embed_proj_dim ≠ hidden_size (OPT-350m).",
    build=build,
    head_width="word_embed_proj_dim",
)
