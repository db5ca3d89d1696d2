from __future__ import annotations

from pipeline.formula.terms import Ctx, Term, clip0
from pipeline.formula.spec import Family, Key
from pipeline.formula.common import attn_qkvo, decoder_keys, std_dims, tied_head


def sparse_every_layer(c: Ctx, h: Term, L: Term, I: Term) -> tuple[dict[str, Term], Term]:
    """Mixtral's sparse block on each of L layers: num_local_experts SwiGLU experts of width I and a
    bias-free router (hidden → experts). Returns the two parts and the parameters of the experts a
    token does not visit (num_local_experts − num_experts_per_tok per layer)."""
    E, k = c.v("num_local_experts"), c.v("num_experts_per_tok")
    expert = 3 * (h * I)
    idle = c.derived("idle_experts", clip0(E - k))
    return {"experts_routed": L * E * expert, "router": L * (E * h)}, L * idle * expert


def build(c: Ctx):
    V, h, L, H, KV, d, I = std_dims(c)
    sparse, idle = sparse_every_layer(c, h, L, I)
    parts = {
        "embeddings": V * h,
        "attention": L * attn_qkvo(c, h, H, KV, d),
        **sparse,
        "norms": L * (2 * h) + h,
        "head": tied_head(c, V, h),
    }
    return parts, idle, {}


FAMILY = Family(
    "mixtral", "MixtralForCausalLM",
    decoder_keys(kv_default=8, zero_hd=True, extra={
        "num_local_experts": Key(default=8, aliases=("num_experts",)),
        "num_experts_per_tok": Key(default=2),
    }),
    ("embeddings", "attention", "experts_routed", "router", "norms", "head"),
    notes="Every layer is sparse: num_local_experts SwiGLU experts of width intermediate_size and a "
          "bias-free router; a token visits num_experts_per_tok experts.",
    build=build,
)
