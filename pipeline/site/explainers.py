"""The explainer pages (templates/explainers/): every number on them is computed by the project's own code.

Each page function gathers its figures (formula counts, claims, derived quantities) into plain values and
renders its template; the templates (autoescaping on) hold the prose and build every link, list and table
from those values, with the shared pieces in templates/explainers/macros.md.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd

from pipeline import check as checks_module
from pipeline import formula, scaling
from pipeline.site.common import DENSE_EXAMPLE, EXAMPLE_MODEL, GPT3_SHAPE, MEMORY_EXAMPLE_PARAMS, MOE_EXAMPLE, missing, \
    model_url, short
from pipeline.site.data import Data
from pipeline.site.render import render

# ----------------------------------------------------------------------------------------------- figures

def _architecture(data: Data, model_id: str) -> tuple[dict, dict] | None:
    """A model's published config and overrides, or None when it has no architecture block."""
    rows = data["architectures"][data["architectures"]["model_id"] == model_id]
    if rows.empty:
        return None
    row = rows.iloc[0]
    return json.loads(row["hf_config"]), json.loads(row["overrides"] if not missing(row["overrides"]) else "{}")


def _model_link(data: Data, model_id: str) -> dict:
    """What the model_link macro needs: the model's page and name, or only its id when it is not in the build."""
    models = data["models"].set_index("model_id")
    if model_id not in models.index:
        return {"model_id": model_id, "url": None, "name": None}
    return {"model_id": model_id, "url": model_url(models.at[model_id, "organization"], model_id),
            "name": models.at[model_id, "name"]}


def _breakdown(parts: list[dict]) -> tuple[list[dict], int]:
    """formula.explain's parts and their total (parts named 'extra:...' are shown but not summed)."""
    return parts, sum(part["value"] for part in parts if not part["part"].startswith("extra:"))


def _claims_of(data: Data, model_id: str, fields: tuple[str, ...]) -> pd.DataFrame:
    claims = data["claims"]
    return claims[(claims["model_id"] == model_id) & claims["field"].isin(fields)]


def _claims_list(data: Data, frame: pd.DataFrame) -> list[dict]:
    """Claims as the claims_list macro shows them: value as written, status, source, verdict, detail, link."""
    organization = data["models"].set_index("model_id")["organization"]
    columns = ["model_id", "claim_id", "as_written", "status", "source_id", "verdict", "verdict_detail"]
    rows = frame[columns].astype(object).where(frame[columns].notna(), None).to_dict("records")
    return [{**row, "url": model_url(organization.get(row["model_id"], "unknown"), row["model_id"])} for row in rows]


def _pivot(data: Data, table: str, column: str, value: str) -> pd.DataFrame:
    """A long table as one row per model and one column per quantity (or field)."""
    return data[table].pivot_table(index="model_id", columns=column, values=value, aggfunc="first")


# ----------------------------------------------------------------------------------------------- pages

def explainer_parameters(data: Data) -> str:
    """explainers/parameters.md: one dense layer counted by hand, and this build's smallest and largest counts."""
    n_in, n_out = DENSE_EXAMPLE
    totals = data["derived"][data["derived"]["quantity"] == "params_total_formula"].sort_values("value")
    extremes = None
    if len(totals):
        small, large = totals.iloc[0], totals.iloc[-1]
        extremes = {"small": _model_link(data, small["model_id"]), "small_value": small["value"],
                    "large": _model_link(data, large["model_id"]), "large_value": large["value"]}
    return render("explainers/parameters.md", n_in=n_in, n_out=n_out,
                  weights=formula.dense_layer_params(n_in, n_out, bias=False),
                  with_bias=formula.dense_layer_params(n_in, n_out), extremes=extremes)


def explainer_total_vs_active(data: Data) -> str:
    """explainers/total-vs-active.md: Mixtral's idle experts worked out, and every MoE architecture's two counts."""
    derived = _pivot(data, "derived", "quantity", "value")
    moe = []
    if {"params_total_formula", "params_active_formula"} <= set(derived.columns):
        sparse = derived[derived["params_active_formula"] < derived["params_total_formula"]].sort_values("params_total_formula")
        moe = [{"link": _model_link(data, model_id), "total": row["params_total_formula"],
                "active": row["params_active_formula"]} for model_id, row in sparse.iterrows()]
    example = None
    arch = _architecture(data, MOE_EXAMPLE)
    if arch is not None:
        config, overrides = arch
        result = formula.count(config, overrides)
        merged = {**config, **overrides}
        example = {"link": _model_link(data, MOE_EXAMPLE), "experts": merged.get("num_local_experts"),
                   "per_token": merged.get("num_experts_per_tok"), "routed": result["parts"].get("experts_routed", 0),
                   "idle": result["total"] - result["active"], "total": result["total"], "active": result["active"],
                   "claims": _claims_list(data, _claims_of(data, MOE_EXAMPLE, ("params_total", "params_active")))}
    return render("explainers/total-vs-active.md", moe=moe, example=example)


def explainer_embeddings(data: Data) -> str:
    """explainers/embeddings.md: GPT-3's embedding tables, Llama 2 70B's untied head, the share across the build."""
    llama = None
    arch = _architecture(data, EXAMPLE_MODEL)
    if arch is not None:
        result = formula.count(*arch)
        merged = {**arch[0], **arch[1]}
        llama = {"link": _model_link(data, EXAMPLE_MODEL), "vocab_size": merged["vocab_size"],
                 "hidden_size": merged["hidden_size"], "parts": result["parts"], "embedding": result["embedding"],
                 "total": result["total"], "non_embedding": result["non_embedding"]}
    shares = None
    derived = _pivot(data, "derived", "quantity", "value")
    if {"params_embedding_formula", "params_total_formula"} <= set(derived.columns):
        share = (derived["params_embedding_formula"] / derived["params_total_formula"]).dropna().sort_values()
        if len(share):
            shares = {"count": len(share), "low": share.iloc[0], "low_link": _model_link(data, share.index[0]),
                      "high": share.iloc[-1], "high_link": _model_link(data, share.index[-1])}
    return render("explainers/embeddings.md", embedding_parts=formula.EMBEDDING_PARTS, gpt3=formula.count(GPT3_SHAPE),
                  vocab=GPT3_SHAPE["vocab_size"], width=GPT3_SHAPE["n_embd"], positions=GPT3_SHAPE["n_positions"],
                  claims=_claims_list(data, _claims_of(data, "gpt-3", ("params_embedding",))), llama=llama,
                  shares=shares)


def _llama_attention(data: Data) -> dict | None:
    """Llama 2 70B's attention projections from its config, its whole count part by part, and its total claims."""
    arch = _architecture(data, EXAMPLE_MODEL)
    if arch is None:
        return None
    config, overrides = arch
    merged = {**config, **overrides}
    hidden, heads = merged["hidden_size"], merged["num_attention_heads"]
    kv_heads = merged.get("num_key_value_heads", heads)
    head_dim = merged.get("head_dim") or hidden // heads
    query = formula.dense_layer_params(hidden, heads * head_dim, bias=False)
    key = formula.dense_layer_params(hidden, kv_heads * head_dim, bias=False)
    output = formula.dense_layer_params(heads * head_dim, hidden, bias=False)
    parts, parts_total = _breakdown(formula.explain(config, overrides))
    totals = _claims_of(data, EXAMPLE_MODEL, ("params_total",))
    return {"link": _model_link(data, EXAMPLE_MODEL), "h": hidden, "heads": heads, "kv": kv_heads, "head_dim": head_dim,
            "q": query, "k": key, "o": output, "per_layer": query + 2 * key + output,
            "layers": merged["num_hidden_layers"], "parts": parts, "parts_total": parts_total,
            "total": formula.count(config, overrides)["total"], "claims": _claims_list(data, totals),
            "held": list(totals[totals["verdict"] == checks_module.CONSISTENT]["as_written"].drop_duplicates()),
            "failed": list(totals[totals["verdict"] == checks_module.INCONSISTENT]["as_written"].drop_duplicates())}


def explainer_counting(data: Data) -> str:
    """explainers/counting.md: a dense layer, GPT-3's attention block and whole count, Llama 2 70B from its config."""
    n_in, n_out = DENSE_EXAMPLE
    width = GPT3_SHAPE["n_embd"]
    gpt3_parts, gpt3_parts_total = _breakdown(formula.explain(GPT3_SHAPE))
    gpt3_claims = _claims_of(data, "gpt-3", ("params_total",)).query("status == 'confirmed'")
    return render("explainers/counting.md", families=len(formula.FAMILY_CLASSES), n_in=n_in, n_out=n_out,
                  dense=formula.dense_layer_params(n_in, n_out), width=width, layers=GPT3_SHAPE["n_layer"],
                  positions=GPT3_SHAPE["n_positions"], vocab=GPT3_SHAPE["vocab_size"],
                  qkv=formula.dense_layer_params(width, 3 * width), out_proj=formula.dense_layer_params(width, width),
                  gpt3=formula.count(GPT3_SHAPE), gpt3_parts=gpt3_parts, gpt3_parts_total=gpt3_parts_total,
                  gpt3_claims=_claims_list(data, gpt3_claims), llama=_llama_attention(data))


PRECISION_LABELS = {"weights_gb_fp32": "FP32", "weights_gb_fp16": "FP16 / BF16", "weights_gb_int8": "INT8",
                    "weights_gb_int4": "INT4"}


def explainer_memory(data: Data) -> str:
    """explainers/memory.md: bytes per parameter at each precision, for 70B and for Llama 2 70B's exact count."""
    bytes_per = checks_module.BYTES_PER_PARAM
    derived = data["derived"]
    rows = derived[(derived["model_id"] == EXAMPLE_MODEL) & (derived["quantity"] == "params_total_formula")]
    exact = float(rows["value"].iloc[0]) if len(rows) else None
    example = MEMORY_EXAMPLE_PARAMS
    header = ["precision", "bytes per parameter", f"{short(example)} parameters (GB)",
              f"{short(example)} parameters (GiB)"] + (["Llama 2 70B, exact count (GB)"] if exact is not None else [])
    return render("explainers/memory.md", bytes_per=bytes_per, header=header, exact=exact, example_params=example,
                  rows=[{"label": PRECISION_LABELS[name], "bytes": size} for name, size in bytes_per.items()],
                  link=_model_link(data, EXAMPLE_MODEL),
                  claims=_claims_list(data, _claims_of(data, EXAMPLE_MODEL, tuple(bytes_per))))


def _chinchilla_examples(data: Data) -> list[dict]:
    """Chinchilla, GPT-3 and Llama 2 70B: best-supported N and D, D/N, 6ND and the optimal N and D under each fit."""
    derived = _pivot(data, "derived", "quantity", "value")
    summary = _pivot(data, "summary", "field", "best_value")
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
        examples.append({"link": _model_link(data, model_id), "params": params, "tokens": tokens, "ratio": ratio,
                         "compute": compute,
                         "optimal": [(fit.optimal_params(compute), fit.optimal_tokens(compute)) for fit in scaling.FITS]})
    return examples


def explainer_chinchilla(data: Data) -> str:
    """explainers/chinchilla.md: 6ND, the two Chinchilla fits, worked examples and this build's tokens per parameter."""
    rule = scaling.TOKENS_PER_PARAM_RULE
    low, high = rule * checks_module.CHINCHILLA_BAND[0], rule * checks_module.CHINCHILLA_BAND[1]
    derived = _pivot(data, "derived", "quantity", "value")
    ratios = derived["tokens_per_param"].dropna() if "tokens_per_param" in derived.columns else pd.Series(dtype=float)
    spread = None
    if len(ratios):
        spread = {"count": len(ratios), "under": int((ratios < low).sum()), "within": int(ratios.between(low, high).sum()),
                  "above": int((ratios > high).sum()), "median": ratios.median()}
    return render("explainers/chinchilla.md", rule=rule, low=low, high=high, fits=scaling.FITS,
                  six=scaling.training_compute(1, 1), budget=scaling.training_compute(1e9, rule * 1e9),
                  examples=_chinchilla_examples(data), ratios=spread,
                  optimal_headers=[f"optimal N / D, {fit.name}" for fit in scaling.FITS])


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
