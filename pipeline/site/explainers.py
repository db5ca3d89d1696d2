"""The explainer pages: every number on them is computed by the project's own code."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd

from pipeline import check as checks_module
from pipeline import formula, scaling
from pipeline.site.common import (DENSE_EXAMPLE, EXAMPLE_MODEL, GPT3_SHAPE, MEMORY_EXAMPLE_PARAMS, MOE_EXAMPLE, badge, esc,
                                  fragment, full, html_table, missing, model_url, sci, short)
from pipeline.site.data import Data

# ----------------------------------------------------------------------------------------------- explainers

def _architecture(data: Data, model_id: str) -> tuple[dict, dict] | None:
    rows = data["architectures"][data["architectures"]["model_id"] == model_id]
    if rows.empty:
        return None
    row = rows.iloc[0]
    return json.loads(row["hf_config"]), json.loads(row["overrides"] if not missing(row["overrides"]) else "{}")


def _model_link(data: Data, model_id: str, root: str = "../../") -> str:
    models = data["models"].set_index("model_id")
    if model_id not in models.index:
        return f"<code>{esc(model_id)}</code>"
    return f'<a href="{root}{model_url(models.at[model_id, "organization"], model_id)}">{esc(models.at[model_id, "name"])}</a>'


def _breakdown_table(parts: list[dict]) -> str:
    rows = "\n".join(f'<tr><td>{esc(p["part"])}</td><td><code>{esc(p["formula"])}</code></td>'
                     f'<td><code>{esc(p["arithmetic"])}</code></td><td class="mf-num">{p["value"]:,}</td></tr>' for p in parts)
    total = sum(p["value"] for p in parts if not p["part"].startswith("extra:"))
    rows += f'\n<tr><td><strong>total</strong></td><td colspan="2"></td><td class="mf-num"><strong>{total:,}</strong></td></tr>'
    return html_table(["part", "formula", "numbers", "parameters"], rows, numeric=(3,))


def _claims_of(data: Data, model_id: str, fields: tuple[str, ...]) -> pd.DataFrame:
    claims = data["claims"]
    return claims[(claims["model_id"] == model_id) & claims["field"].isin(fields)]


def _claims_list(data: Data, frame: pd.DataFrame) -> str:
    if frame.empty:
        return ""
    org = data["models"].set_index("model_id")["organization"]
    return "<ul>\n" + "\n".join(
        f'<li><a href="../../{model_url(org.get(mid, "unknown"), mid)}#claim-{fragment(cid)}">{esc(w)}</a> '
        f'{badge("status", s)} from <code>{esc(sid)}</code>: {badge("verdict", v)} <small>{esc(d)}</small></li>'
        for mid, cid, w, s, sid, v, d in zip(frame["model_id"], frame["claim_id"], frame["as_written"], frame["status"],
                                             frame["source_id"], frame["verdict"], frame["verdict_detail"])) + "\n</ul>\n"


def explainer_parameters(data: Data) -> str:
    n_in, n_out = DENSE_EXAMPLE
    weights = formula.dense_layer_params(n_in, n_out, bias=False)
    with_bias = formula.dense_layer_params(n_in, n_out)
    derived = data["derived"]
    totals = derived[derived["quantity"] == "params_total_formula"].sort_values("value")
    extremes = ""
    if len(totals):
        small, large = totals.iloc[0], totals.iloc[-1]
        extremes = (f"In this build, the smallest architecture the engine counts is {_model_link(data, small['model_id'])} "
                    f"with {full(small['value'])} parameters and the largest is {_model_link(data, large['model_id'])} "
                    f"with {full(large['value'])}: a factor of {large['value'] / small['value']:,.0f}.")
    return f"""# What a parameter is

A neural network computes its output from its input with arithmetic whose coefficients were learned in training.
Each learned coefficient is a **parameter**: one number stored in the model's weight files, and a model's
headline size is how many of them it has. Parameters are not neurons, not tokens and not bytes: a parameter is one
number, and how many bytes it takes depends on the precision it is stored in (see
[memory per precision](memory.md)).

## The smallest worked example: one dense layer

A dense (fully connected) layer maps every input to every output. Each output is a weighted sum of all
inputs plus an offset: one weight per input–output pair, one bias per output. With {n_in} inputs and {n_out}
outputs:

| | count |
| --- | ---: |
| weights ({n_in} × {n_out}) | {weights:,} |
| biases ({n_out}) | {with_bias - weights:,} |
| **parameters** | **{with_bias:,}** |

This is `pipeline.formula.dense_layer_params({n_in}, {n_out})`, the same function the formula engine uses for
every linear layer it counts; with `bias=False` (most recent language models drop biases) it gives {weights:,}.

## From one layer to a model

A transformer is a stack of such layers (attention projections and a feed-forward block per layer) plus an
embedding table and a few normalization vectors. Summing every layer's count gives the model's total; the
[counting](counting.md) page does it for real architectures, part by part.

{extremes}

## Why published counts differ

Headline figures are rounded, some count the embedding table and some do not, mixture-of-experts models
have a total and a smaller number used per token ([total and active](total-vs-active.md)), and secondary sources
copy each other's rounding. Model Facts records each figure as written and checks it against the exact count the
published configuration gives.
"""


def explainer_total_vs_active(data: Data) -> str:
    derived = data["derived"].pivot_table(index="model_id", columns="quantity", values="value", aggfunc="first")
    rows = ""
    if {"params_total_formula", "params_active_formula"} <= set(derived.columns):
        moe = derived[derived["params_active_formula"] < derived["params_total_formula"]].sort_values("params_total_formula")
        rows = "\n".join(
            f'<tr><td>{_model_link(data, mid)}</td><td class="mf-num">{full(r["params_total_formula"])}</td>'
            f'<td class="mf-num">{full(r["params_active_formula"])}</td>'
            f'<td class="mf-num">{r["params_active_formula"] / r["params_total_formula"]:.1%}</td></tr>'
            for mid, r in moe.iterrows())
    example = ""
    arch = _architecture(data, MOE_EXAMPLE)
    if arch is not None:
        config, overrides = arch
        result = formula.count(config, overrides)
        merged = {**config, **overrides}
        experts, per_token = merged.get("num_local_experts"), merged.get("num_experts_per_tok")
        routed = result["parts"].get("experts_routed", 0)
        idle = result["total"] - result["active"]
        example = f"""## Worked example: Mixtral 8x7B

{_model_link(data, MOE_EXAMPLE)}'s config has {experts} experts in each layer and routes each token to {per_token} of them. The engine counts
{full(routed)} parameters in the routed experts. A token leaves {experts - per_token} of {experts} experts idle, so
{full(routed)} × {experts - per_token}/{experts} = {full(idle)} parameters sit out:

| | parameters |
| --- | ---: |
| total (every expert) | {full(result["total"])} |
| idle for one token | {full(idle)} |
| **active per token** | **{full(result["active"])}** ({result["active"] / result["total"]:.1%} of the total) |

{_claims_list(data, _claims_of(data, MOE_EXAMPLE, ("params_total", "params_active")))}
"""
    table = html_table(["model", "total", "active per token", "active share"], rows, numeric=(1, 2, 3)) if rows else \
        "<p>No mixture-of-experts architecture in this build.</p>\n"
    return f"""# Total and active parameters

A dense model uses every parameter for every token. A **mixture-of-experts** (MoE) model replaces the
feed-forward block of some layers by several parallel "experts" and a small router that sends each token to a
few of them. Two counts then matter:

- **total**: every parameter in the released weights, all experts included. This is what has to fit in memory.
- **active**: the parameters one token actually passes through: the shared layers, the experts the router picks,
  any always-on shared experts and the router itself. This is what sets the compute per token, and it is the
  N in 6·N·D and in tokens per parameter.

For a dense model the two are equal. A claim's field says which one it is (`params_total`, `params_active`);
articles often give one without saying which.

{example}
## Every mixture-of-experts architecture in the dataset

Counted by the formula engine from the published configs.

{table}"""


def explainer_embeddings(data: Data) -> str:
    gpt3 = formula.count(GPT3_SHAPE)
    vocab, width, positions = GPT3_SHAPE["vocab_size"], GPT3_SHAPE["n_embd"], GPT3_SHAPE["n_positions"]
    token_table = gpt3["parts"]["embeddings"]
    position_table = gpt3["parts"]["position"]
    parts = ", ".join(f"`{p}`" for p in formula.EMBEDDING_PARTS)
    llama = ""
    arch = _architecture(data, EXAMPLE_MODEL)
    if arch is not None:
        result = formula.count(*arch)
        merged = {**arch[0], **arch[1]}
        comp = result["parts"]
        llama = f"""## An untied head: Llama 2 70B

{_model_link(data, EXAMPLE_MODEL)}'s config sets `tie_word_embeddings` to false, so the output head is a second {merged["vocab_size"]:,} × {merged["hidden_size"]:,}
matrix: {comp["embeddings"]:,} in the input table plus {comp["head"]:,} in the head make {result["embedding"]:,}
embedding parameters, {result["embedding"] / result["total"]:.2%} of its {result["total"]:,}. Its non-embedding count
is {result["non_embedding"]:,}.
"""
    shares = ""
    derived = data["derived"].pivot_table(index="model_id", columns="quantity", values="value", aggfunc="first")
    if {"params_embedding_formula", "params_total_formula"} <= set(derived.columns):
        share = (derived["params_embedding_formula"] / derived["params_total_formula"]).dropna().sort_values()
        if len(share):
            shares = (f"Across the {len(share)} architectures in this build, the embedding share runs from "
                      f"{share.iloc[0]:.2%} ({_model_link(data, share.index[0])}) to {share.iloc[-1]:.2%} "
                      f"({_model_link(data, share.index[-1])}): small models spend a large part of their budget on "
                      "the vocabulary.")
    claims = _claims_list(data, _claims_of(data, "gpt-3", ("params_embedding",)))
    return f"""# What counts as embedding

The **embedding** of a language model turns token ids into vectors: a table with one row of `hidden_size`
numbers per vocabulary entry. Models that learn position vectors have a second table with one row per position,
and the output head that turns the last hidden state back into vocabulary scores is a vocabulary-by-width
matrix too, unless it is *tied* (the same matrix as the input table, stored once).

The formula engine counts as embedding: {parts} (input table, BERT's token-type table, learned position tables,
ViT's class token, and the head when it is untied). **Non-embedding** = total − embedding: the part that grows
with depth and width. Scaling-law papers (Kaplan et al. 2020) count non-embedding parameters; Hoffmann et al.
2022 count all of them; articles rarely say which.

## GPT-3's embedding

GPT-3 uses GPT-2's vocabulary of {vocab:,} tokens and a width of {width:,} (Brown et al. 2020, Table 2.1):

| table | shape | parameters |
| --- | --- | ---: |
| token embedding | {vocab:,} × {width:,} | {token_table:,} |
| position embedding | {positions:,} × {width:,} | {position_table:,} |
| output head | tied to the token embedding | {gpt3["parts"]["head"]:,} |
| **embedding** | | **{gpt3["embedding"]:,}** |

That is {gpt3["embedding"] / gpt3["total"]:.2%} of the {gpt3["total"]:,} parameters the GPT-2 formula gives for
this shape ([counting](counting.md) has the rest).

{claims}
{llama}
{shares}
"""


def explainer_counting(data: Data) -> str:
    n_in, n_out = DENSE_EXAMPLE
    dense = formula.dense_layer_params(n_in, n_out)
    gpt3_parts = formula.explain(GPT3_SHAPE)
    gpt3 = formula.count(GPT3_SHAPE)
    width, layers = GPT3_SHAPE["n_embd"], GPT3_SHAPE["n_layer"]
    qkv = formula.dense_layer_params(width, 3 * width)
    out_proj = formula.dense_layer_params(width, width)
    attention_layer = qkv + out_proj
    engine_attention = gpt3["parts"]["attention"]
    llama_section = ""
    arch = _architecture(data, EXAMPLE_MODEL)
    if arch is not None:
        config, overrides = arch
        merged = {**config, **overrides}
        parts = formula.explain(config, overrides)
        result = formula.count(config, overrides)
        h, heads = merged["hidden_size"], merged["num_attention_heads"]
        kv = merged.get("num_key_value_heads", heads)
        head_dim = merged.get("head_dim") or h // heads
        q = formula.dense_layer_params(h, heads * head_dim, bias=False)
        k = formula.dense_layer_params(h, kv * head_dim, bias=False)
        o = formula.dense_layer_params(heads * head_dim, h, bias=False)
        per_layer = q + 2 * k + o
        totals = _claims_of(data, EXAMPLE_MODEL, ("params_total",))
        claims = _claims_list(data, totals)
        held = totals[totals["verdict"] == checks_module.CONSISTENT]["as_written"].drop_duplicates()
        failed = totals[totals["verdict"] == checks_module.INCONSISTENT]["as_written"].drop_duplicates()
        claim_summary = ""
        if len(held):
            claim_summary += ("Claims of " + ", ".join(f"\u201c{esc(w)}\u201d" for w in held)
                              + " hold up: the exact count lies within what they allow as written. ")
        if len(failed):
            claim_summary += ("Claims of " + ", ".join(f"\u201c{esc(w)}\u201d" for w in failed)
                              + " do not: they are not what the released weights hold.")
        llama_section = f"""## Llama 2 70B, from its published config

{_model_link(data, EXAMPLE_MODEL)} uses grouped-query attention: {heads} query heads but only {kv} key/value heads
of {head_dim} dimensions, and no biases. One layer's attention is

| projection | shape | parameters |
| --- | --- | ---: |
| query | {h:,} × ({heads} × {head_dim}) | {q:,} |
| key | {h:,} × ({kv} × {head_dim}) | {k:,} |
| value | {h:,} × ({kv} × {head_dim}) | {k:,} |
| output | ({heads} × {head_dim}) × {h:,} | {o:,} |
| **one layer** | | **{per_layer:,}** |

and {merged["num_hidden_layers"]} layers give {per_layer * merged["num_hidden_layers"]:,}, the engine's attention
line below. The whole count, part by part, as `pipeline.formula.explain` gives it:

{_breakdown_table(parts)}

The engine's total is **{result["total"]:,}** ({short(result["total"])}). {claim_summary}

{claims}"""
    return f"""# How the count follows from the architecture

A model's parameter count is not measured, it is computed: the architecture fixes the shape of every weight
matrix, and the count is the sum of their sizes. The formula engine (`pipeline.formula`) does this for
{len(formula.FAMILY_CLASSES)} families of Hugging Face configs and reproduces, to the unit, what transformers
builds (see [methodology](../methodology.md#formula-engine)).

## Step 1: a dense layer

`dense_layer_params({n_in}, {n_out})` = {n_in} × {n_out} + {n_out} = **{dense:,}**. Every linear layer below is
this formula with other sizes.

## Step 2: an attention block

GPT-3's attention (width {width:,}, GPT-2 style, with biases) has one fused query/key/value projection of
{width:,} → 3 × {width:,} and one output projection of {width:,} → {width:,}:

| layer | parameters |
| --- | ---: |
| query, key and value: dense_layer_params({width:,}, {3 * width:,}) | {qkv:,} |
| output: dense_layer_params({width:,}, {width:,}) | {out_proj:,} |
| **one attention block** | **{attention_layer:,}** |

Times {layers} layers: {attention_layer * layers:,}, which is the engine's attention component for this shape
({engine_attention:,}).

## Step 3: the whole of GPT-3

GPT-3 175B's shape (Brown et al. 2020, Table 2.1: {layers} layers, width {width:,}, {GPT3_SHAPE["n_positions"]:,}
positions, GPT-2's {GPT3_SHAPE["vocab_size"]:,}-token vocabulary) through the GPT-2 formula:

{_breakdown_table(gpt3_parts)}

**{gpt3["total"]:,}** parameters: {short(gpt3["total"])}. The developer's own figures for GPT-3, as
the dataset records them:

{_claims_list(data, _claims_of(data, "gpt-3", ("params_total",)).query("status == 'confirmed'"))}

{llama_section}
"""


def explainer_memory(data: Data) -> str:
    bytes_per = checks_module.BYTES_PER_PARAM
    labels = {"weights_gb_fp32": "FP32", "weights_gb_fp16": "FP16 / BF16", "weights_gb_int8": "INT8",
              "weights_gb_int4": "INT4"}
    exact = None
    derived = data["derived"]
    rows = derived[(derived["model_id"] == EXAMPLE_MODEL) & (derived["quantity"] == "params_total_formula")]
    if len(rows):
        exact = float(rows["value"].iloc[0])
    header = ["precision", "bytes per parameter", f"{short(MEMORY_EXAMPLE_PARAMS)} parameters (GB)",
              f"{short(MEMORY_EXAMPLE_PARAMS)} parameters (GiB)"]
    if exact is not None:
        header.append("Llama 2 70B, exact count (GB)")
    body = "\n".join(
        f'<tr><td>{labels[f]}</td><td class="mf-num">{b:g}</td><td class="mf-num">{MEMORY_EXAMPLE_PARAMS * b / 1e9:,.1f}</td>'
        f'<td class="mf-num">{MEMORY_EXAMPLE_PARAMS * b / 2 ** 30:,.1f}</td>'
        + (f'<td class="mf-num">{exact * b / 1e9:,.1f}</td>' if exact is not None else "") + "</tr>"
        for f, b in bytes_per.items())
    claims = _claims_list(data, _claims_of(data, EXAMPLE_MODEL, tuple(bytes_per)))
    return f"""# Memory per precision

Weights take **parameters × bytes per parameter**. A parameter stored in 32-bit floating point takes
{bytes_per["weights_gb_fp32"]:g} bytes; 16-bit formats (FP16, BF16) take {bytes_per["weights_gb_fp16"]:g}; 8-bit
integers {bytes_per["weights_gb_int8"]:g}; 4-bit integers {bytes_per["weights_gb_int4"]:g} (plus a small overhead
for the scales of each block, which this arithmetic leaves out). 1 GB here is 10⁹ bytes; memory tools often report GiB
(2³⁰ bytes), about {1 - 1e9 / 2 ** 30:.1%} smaller numbers for the same size.

{html_table(header, body, numeric=tuple(range(1, len(header))))}

{f"The last column uses the count the formula engine derives for {_model_link(data, EXAMPLE_MODEL)}, {full(exact)}." if exact is not None else ""}

This is the weights alone. Running a model also needs activations and, for generation, a key/value cache that
grows with context length and batch size; training needs gradients and optimizer state on top, several times the
weights.

The memory check (`memory` in [methodology](../methodology.md#checks)) recomputes every weight-size claim this way
from the model's best-supported total, at the precision each claim is written with, in GB and in GiB (1 GiB =
2³⁰ bytes), since developers publish both. Claims about {_model_link(data, EXAMPLE_MODEL)}'s weights:

{claims}"""


def explainer_chinchilla(data: Data) -> str:
    rule = scaling.TOKENS_PER_PARAM_RULE
    low, high = rule * checks_module.CHINCHILLA_BAND[0], rule * checks_module.CHINCHILLA_BAND[1]
    fits = "\n".join(f'<tr><td>{esc(fit.name)}</td><td>{esc(fit.reference)}</td><td class="mf-num">{fit.E:g}</td>'
                     f'<td class="mf-num">{fit.A:g}</td><td class="mf-num">{fit.B:g}</td><td class="mf-num">{fit.alpha:g}</td>'
                     f'<td class="mf-num">{fit.beta:g}</td></tr>' for fit in scaling.FITS)
    derived = data["derived"].pivot_table(index="model_id", columns="quantity", values="value", aggfunc="first")
    summary = data["summary"].pivot_table(index="model_id", columns="field", values="best_value", aggfunc="first")
    examples = []
    for model_id in ("chinchilla", "gpt-3", EXAMPLE_MODEL):
        if model_id not in derived.index or "tokens_per_param" not in derived.columns:
            continue
        ratio = derived.at[model_id, "tokens_per_param"]
        tokens = summary.at[model_id, "training_tokens"] if "training_tokens" in summary.columns else np.nan
        params = summary.at[model_id, "params_total"] if "params_total" in summary.columns else np.nan
        if missing(ratio) or missing(tokens) or missing(params):
            continue
        compute = scaling.training_compute(params, tokens)
        optimal = [(fit.name, fit.optimal_params(compute), fit.optimal_tokens(compute)) for fit in scaling.FITS]
        examples.append(
            f'<tr><td>{_model_link(data, model_id)}</td><td class="mf-num">{short(params)}</td>'
            f'<td class="mf-num">{short(tokens)}</td><td class="mf-num">{ratio:.1f}</td>'
            f'<td class="mf-num">{sci(compute)}</td>'
            + "".join(f'<td class="mf-num">{short(n)} / {short(d)}</td>' for _, n, d in optimal) + "</tr>")
    example_table = html_table(["model", "N", "D", "D/N", "6·N·D (FLOP)"] + [f"optimal N / D, {esc(f.name)}" for f in scaling.FITS],
                               "\n".join(examples), numeric=(1, 2, 3, 4, 5, 6)) if examples else ""
    ratios = derived["tokens_per_param"].dropna() if "tokens_per_param" in derived.columns else pd.Series(dtype=float)
    spread = ""
    if len(ratios):
        spread = (f"Of the {len(ratios)} models with both counts, {int((ratios < low).sum())} are under {low:g} tokens "
                  f"per parameter, {int(ratios.between(low, high).sum())} within {low:g}-{high:g}, and "
                  f"{int((ratios > high).sum())} above {high:g}; the median is {ratios.median():.1f}.")
    budget = scaling.training_compute(1e9, rule * 1e9)
    six = scaling.training_compute(1, 1)
    return f"""# Tokens per parameter and Chinchilla

Training a transformer costs about **{six:g} FLOP per parameter per token** (a third of it in the forward
pass, the rest in the backward pass): C ≈ {six:g}·N·D for N parameters (active ones, for a mixture of experts) and D training tokens. A
{short(1e9)}-parameter model trained on {short(rule * 1e9)} tokens costs {six:g} × {sci(1e9)} × {sci(rule * 1e9)} = {sci(budget)} FLOP.

For a fixed budget C, a bigger model sees fewer tokens. Hoffmann et al. (2022, "Chinchilla") fitted the loss of
hundreds of training runs as L(N, D) = E + A/N^α + B/D^β and found that the loss is lowest when N and D grow
about equally: roughly **{rule:g} tokens per parameter**. Besiroglu et al. (2024) refitted the same data; the
project uses both fits (`pipeline.scaling`):

{html_table(["fit", "reference", "E", "A", "B", "α", "β"], fits, numeric=(2, 3, 4, 5, 6))}

The optimum under a fit is N_opt = G·(C/6)^(β/(α+β)) and D_opt = G⁻¹·(C/6)^(α/(α+β)), with
G = (αA/(βB))^(1/(α+β)).

## Worked examples

D/N from the best-supported counts; the last columns spend the same 6·N·D budget optimally under each fit.

{example_table}

{spread}

Far from {rule:g} is not a mistake: the rule minimizes training compute for a given loss, but a model that will serve
many requests is cheaper to run when smaller, so recent models are trained far past it on purpose. The
`chinchilla_ratio` check reports the position and never marks a claim inconsistent for it.
"""


def explainer_pages(data: Data) -> dict[str, tuple[str, str]]:
    """explainers/*.md: (nav title, Markdown)."""
    return {
        "explainers/parameters.md": ("What a parameter is", explainer_parameters(data)),
        "explainers/total-vs-active.md": ("Total and active parameters", explainer_total_vs_active(data)),
        "explainers/embeddings.md": ("What counts as embedding", explainer_embeddings(data)),
        "explainers/counting.md": ("Counting from the architecture", explainer_counting(data)),
        "explainers/memory.md": ("Memory per precision", explainer_memory(data)),
        "explainers/chinchilla.md": ("Tokens per parameter", explainer_chinchilla(data)),
    }


