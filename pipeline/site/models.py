"""Model pages (templates/model.md) and the models index: claims, facts, formula breakdown, Chinchilla position."""
from __future__ import annotations

import json
from functools import lru_cache

import numpy as np
import pandas as pd
from markupsafe import Markup

from pipeline import check as checks_module
from pipeline import formula, scaling
from pipeline.site.common import (FIELD_ORDER, VERDICTS, as_list, esc, external, fmt_value, full, html_table, missing,
                                  safe_url, sci, short, slug, source_url)
from pipeline.site.data import Data, citations
from pipeline.site.render import environment
from pipeline.site.words import check_sizes, claim_sizes

@lru_cache(maxsize=4096)
def _explain(config_json: str, overrides_json: str) -> tuple:
    """formula.explain for one architecture (identical architectures are explained once)."""
    parts = formula.explain(json.loads(config_json), json.loads(overrides_json or "{}"))
    return tuple((part["part"], part["formula"], part["arithmetic"], part["value"]) for part in parts)


def _source_link(root: str, source_id, title, url) -> str:
    return (f'<a href="{root}{source_url(source_id)}">{esc(title if not missing(title) else source_id)}</a>'
            + (" " + external(url) if safe_url(url) else ""))


CHECK_MARK = {checks_module.CONSISTENT: "✓", checks_module.INCONSISTENT: "✗", checks_module.UNVERIFIABLE: "–",
              checks_module.INFORMATIONAL: "ℹ"}


def _records_by(frame: pd.DataFrame, key: str) -> dict[str, list[dict]]:
    """Rows of a table as dicts, grouped by one column, in table order (one pass)."""
    groups: dict[str, list[dict]] = {}
    for record in frame.to_dict("records"):
        groups.setdefault(record[key], []).append(record)
    return groups


def claim_records(data: Data) -> dict[str, list[dict]]:
    """Per model: its claims for the template, each with its source's title, every check's result in words
    and how far off its verdict is (pipeline.site.words). Computed table-wide."""
    claims = data["claims"]
    sources = data["sources"][["source_id", "title", "url"]].rename(columns={"title": "source_title",
                                                                             "url": "source_url"})
    checks = data["checks"].sort_values(["claim_id", "check"], kind="stable")
    checks = checks.join(check_sizes(checks, claims)[["size"]])
    marks = checks["verdict"].map(CHECK_MARK).fillna("?")
    lines = [f"{mark} {name}: {detail if not missing(detail) else ''}" + (f" ({size})" if size and size not in str(detail) else "")
             for mark, name, detail, size in zip(as_list(marks), as_list(checks["check"]), as_list(checks["detail"]), as_list(checks["size"]))]
    per_claim: dict[str, list[str]] = {}
    for claim_id, line in zip(as_list(checks["claim_id"]), lines):
        per_claim.setdefault(claim_id, []).append(line)
    cites = citations(claims, data["sources"], data.info).set_index("claim_id")
    columns = ["claim_id", "model_id", "field", "as_written", "note", "status", "source_id", "locator", "verdict",
               "attributed_to", "precision", "component", "context_window"]
    frame = claims[[c for c in columns if c in claims]].merge(sources, on="source_id", how="left")
    frame = frame.merge(claim_sizes(data["checks"], claims), on="claim_id", how="left")
    frame["checks"] = frame["claim_id"].map(per_claim)
    frame["cite_text"] = frame["claim_id"].map(cites["text"])
    frame["cite_bibtex"] = frame["claim_id"].map(cites["bibtex"])
    frame = frame.astype(object).where(frame.notna(), None)
    return _records_by(frame, "model_id")


def _range_text(low, high, field_name: str) -> str:
    return f"{fmt_value(low, field_name)} to {fmt_value(high, field_name)}"


def fact_records(data: Data) -> dict[str, list[dict]]:
    """Per model: one row per field with its best-supported value (model_summary), the status and precision
    of the claim it comes from, ranges kept as ranges; text fields from their strongest claim; and fields the
    developer declined to disclose (claims with precision `undisclosed`) when no value exists for them."""
    summary = data["summary"]
    claims = data["claims"]
    best = claims.set_index("claim_id")
    summary = summary.assign(
        precision=summary["best_claim_id"].map(best["precision"]) if "precision" in best else None,
        low=summary["best_claim_id"].map(best["low"]) if "low" in best else np.nan,
        high=summary["best_claim_id"].map(best["high"]) if "high" in best else np.nan,
        as_written=summary["best_claim_id"].map(best["as_written"]),
        source_id=summary["best_claim_id"].map(best["source_id"]))
    summary.loc[summary["basis"] == "formula", "precision"] = "exact"
    ranged = (summary["precision"] == "range") & summary["low"].notna() & summary["high"].notna()
    shown = [_range_text(lo, hi, f) if r else fmt_value(v, f) for r, lo, hi, v, f in zip(
        as_list(ranged), as_list(summary["low"]), as_list(summary["high"]), as_list(summary["best_value"]), as_list(summary["field"]))]
    summary = summary.assign(shown=shown, kind="value")
    text = claims[claims["precision"].isin(["text", "undisclosed"])]
    text = text[~text.set_index(["model_id", "field"]).index.isin(summary.set_index(["model_id", "field"]).index)]
    per_field = text.groupby(["model_id", "field"]).size()
    text = text.drop_duplicates(["model_id", "field"])  # claims are sorted by status: the strongest comes first
    text = pd.DataFrame({
        "model_id": text["model_id"], "field": text["field"], "best_value": np.nan, "basis": text["status"],
        "best_claim_id": text["claim_id"], "disagreeing": np.nan, "precision": text["precision"],
        "claims": per_field.reindex(pd.MultiIndex.from_arrays([text["model_id"], text["field"]])).to_numpy(),
        "as_written": text["as_written"], "source_id": text["source_id"],
        "shown": np.where(text["precision"] == "undisclosed", "not disclosed by the developer", text["as_written"]),
        "kind": np.where(text["precision"] == "undisclosed", "undisclosed", "text")})
    facts = pd.concat([summary, text], ignore_index=True)
    facts["field_rank"] = facts["field"].map(FIELD_ORDER).fillna(len(FIELD_ORDER))
    facts = facts.sort_values(["model_id", "field_rank", "field"], kind="stable")
    titles = data["sources"].set_index("source_id")["title"]
    facts["source_title"] = facts["source_id"].map(titles).fillna(facts["source_id"])
    facts = facts.astype(object).where(facts.notna(), None)
    return _records_by(facts, "model_id")


def formula_fragments(data: Data) -> dict[str, str]:
    """Per model with an architecture: the engine's breakdown (formula.explain) and the derived totals."""
    architectures = data["architectures"]
    if architectures.empty:
        return {}
    derived = data["derived"].pivot_table(index="model_id", columns="quantity", values="value",
                                          aggfunc="first").to_dict("index")
    sources = data["sources"].set_index("source_id")["title"]
    out = {}
    for model_id, source_id, config, overrides, note in zip(
            as_list(architectures["model_id"]), as_list(architectures["source_id"]), as_list(architectures["hf_config"]),
            as_list(architectures["overrides"]), as_list(architectures["note"])):
        link = _source_link("../../../", source_id, sources.get(source_id, source_id), None)
        head = f"<p>Architecture from {link}"
        if not missing(overrides) and overrides not in ("{}", ""):
            head += f", with overrides <code>{esc(overrides)}</code>"
        head += ".</p>\n" + (f"<p><small>{esc(note)}</small></p>\n" if not missing(note) else "")
        try:
            parts = _explain(str(config), str(overrides) if not missing(overrides) else "{}")
        except (formula.ConfigError, ValueError, TypeError) as error:
            out[model_id] = head + f"<p>The formula engine cannot count this architecture: {esc(error)}</p>\n"
            continue
        model_type = json.loads(str(config)).get("model_type", "?")
        rows = "\n".join(f'<tr><td>{esc(part)}</td><td><code>{esc(expr)}</code></td><td><code>{esc(arith)}</code></td>'
                         f'<td class="mf-num">{value:,}</td></tr>' for part, expr, arith, value in parts)
        row = derived.get(model_id, {})
        totals = []
        for quantity, label in (("params_total_formula", "total"), ("params_active_formula", "active per token"),
                                ("params_embedding_formula", "embedding"),
                                ("params_non_embedding_formula", "non-embedding")):
            value = row.get(quantity, np.nan)
            if quantity == "params_active_formula" and value == row.get("params_total_formula", np.nan):
                continue
            if not missing(value):
                totals.append(f'<tr><td><strong>{label}</strong></td><td colspan="2"></td>'
                              f'<td class="mf-num"><strong>{full(value)}</strong></td></tr>')
        out[model_id] = (head + f"<p>Family <code>{esc(model_type)}</code>, counted as "
                         f"{esc(formula.FAMILY_CLASSES.get(model_type, model_type))} would build it.</p>\n"
                         + html_table(["part", "formula", "with this config's numbers", "parameters"],
                                      rows + "\n" + "\n".join(totals), numeric=(3,)))
    return out


def training_fragments(data: Data) -> dict[str, str]:
    """Per model: its Chinchilla position from the derived table (tokens per parameter, compute-optimal N and D)."""
    derived = data["derived"].pivot_table(index="model_id", columns="quantity", values="value", aggfunc="first")
    summary = data["summary"].pivot_table(index="model_id", columns="field", values="best_value", aggfunc="first")
    if "tokens_per_param" not in derived.columns and "training_compute_used" not in derived.columns:
        return {}
    get = lambda frame, column: frame[column] if column in frame.columns else pd.Series(np.nan, index=frame.index)  # noqa: E731
    frame = pd.DataFrame({"ratio": get(derived, "tokens_per_param"), "optimal_tokens": get(derived, "chinchilla_optimal_tokens"),
                          "n_opt": get(derived, "compute_optimal_params"), "d_opt": get(derived, "compute_optimal_tokens"),
                          "n_opt_h": get(derived, "compute_optimal_params_hoffmann"),
                          "compute": get(derived, "training_compute_used")})
    frame = frame.join(pd.DataFrame({"tokens": get(summary, "training_tokens"), "active": get(summary, "params_active"),
                                     "total": get(summary, "params_total"),
                                     "claimed_compute": get(summary, "training_compute_flop")}), how="left")
    rule = scaling.TOKENS_PER_PARAM_RULE
    low, high = rule * checks_module.CHINCHILLA_BAND[0], rule * checks_module.CHINCHILLA_BAND[1]
    out = {}
    for model_id, r in frame.to_dict("index").items():
        lines = []
        sparse = not missing(r["active"]) and not missing(r["total"]) and r["active"] < r["total"]
        params = r["active"] if not missing(r["active"]) else r["total"]
        kind = "active parameters" if sparse else "parameters"
        if not missing(r["ratio"]):
            label = ("near compute-optimal" if low <= r["ratio"] <= high else
                     f"under-trained by {rule / r['ratio']:.1f}x" if r["ratio"] < low else
                     f"over-trained by {r['ratio'] / rule:.1f}x")
            lines.append(f"<li>{short(r['tokens'])} training tokens on {short(params)} {kind}: "
                         f"<strong>{r['ratio']:.1f} tokens per parameter</strong>, {label} against the "
                         f"{rule:g}:1 rule (the checks call {low:g}-{high:g} near optimal).</li>")
        if not missing(r["optimal_tokens"]):
            lines.append(f"<li>At {rule:g} tokens per parameter, a model of this size would be trained on "
                         f"{short(r['optimal_tokens'])} tokens.</li>")
        if not missing(r["compute"]):
            basis = "as claimed" if not missing(r["claimed_compute"]) else "estimated as 6·N·D"
            lines.append(f"<li>Training compute {sci(r['compute'])} FLOP ({basis}) would be spent compute-optimally on "
                         f"{short(r['n_opt'])} parameters and {short(r['d_opt'])} tokens under the "
                         f"{esc(scaling.BESIROGLU_2024.name)} fit ({short(r['n_opt_h'])} parameters under "
                         f"{esc(scaling.HOFFMANN_2022.name)}).</li>")
        if lines:
            out[model_id] = "<ul>\n" + "\n".join(lines) + "\n</ul>\n"
    return out


def model_pages(data: Data) -> dict[str, str]:
    """One page per model at models/<organization>/<model-id>.md (templates/model.md)."""
    claims = claim_records(data)
    facts = fact_records(data)
    formulas = formula_fragments(data)
    training = training_fragments(data)
    source_counts = data["claims"].groupby("model_id")["source_id"].nunique().to_dict()
    claims_table = data["claims"]
    withheld = claims_table[claims_table["precision"] == "undisclosed"].drop_duplicates(["model_id", "field"])
    undisclosed = withheld.groupby("model_id")["field"].agg(list).to_dict()
    template = environment().get_template("model.md")
    pages = {}
    for model in data["models"].to_dict("records"):
        model_id = model["model_id"]
        rows = claims.get(model_id, [])
        counts = {verdict: sum(1 for row in rows if row["verdict"] == verdict) for verdict in VERDICTS}
        pages[f"models/{slug(model['organization'])}/{slug(model_id)}.md"] = template.render(
            model=model, claims=rows, facts=facts.get(model_id, []), counts=counts,
            n_sources=int(source_counts.get(model_id, 0)), root="../../../", undisclosed=undisclosed.get(model_id, []),
            formula=Markup(formulas.get(model_id, "")), training=Markup(training.get(model_id, "")))
    return pages


def models_index(data: Data) -> str:
    """models/index.md: every model, grouped by organization, with its best parameter count and claim counts."""
    models = data["models"]
    summary = data["summary"]
    claims = data["claims"]
    params = summary[summary["field"] == "params_total"].set_index("model_id")["best_value"]
    bad = claims[claims["verdict"] == checks_module.INCONSISTENT].groupby("model_id").size()
    frame = models.assign(params=models["model_id"].map(params),
                          claims=models["model_id"].map(claims.groupby("model_id").size()).fillna(0).astype(int),
                          inconsistent=models["model_id"].map(bad).fillna(0).astype(int))
    frame = frame.astype(object).where(frame.notna(), None)
    groups = [(group["organization_name"].iloc[0], group.to_dict("records"))
              for _, group in frame.groupby("organization", sort=True)]
    return environment().get_template("models_index.md").render(count=len(models), groups=groups)
