"""The methodology page: statuses, intervals, checks with their thresholds, formulas (read from the code)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline import check as checks_module
from pipeline import formula, scaling
from pipeline.site.common import CONVENTIONS, REPO, VERDICTS, badge, esc, full, html_table
from pipeline.site.data import Data

# ----------------------------------------------------------------------------------------------- methodology

CHECK_DESCRIPTIONS = {
    "formula_params": "Parameter claims (total, active, embedding, non-embedding) against the count the formula "
                      "engine derives from the published architecture, at the claim's own precision (see the table "
                      "above): a rounded figure allows what rounds to it, an exact figure only itself.",
    "moe_active": "Active-parameter claims: at most the model's total, and below it only for a sparse model.",
    "chinchilla_ratio": "Training tokens per parameter (active for MoE) against the {rule:g}:1 rule; "
                        "{low:g} to {high:g} is reported as near compute-optimal. Informative only: never inconsistent.",
    "compute_6nd": "Claimed training compute against 6·N·D from the best parameter and token counts; the intervals "
                   "must overlap within ±{tol6:.0%} (6·N·D ignores attention FLOPs and the rounding of N and D).",
    "compute_hardware": "Claimed GPU-hours against the hours the compute needs on the training chip's peak "
                        "throughput at {u0:.0%} to {u1:.0%} utilization (model FLOP utilization of large runs).",
    "cost_hardware": "Claimed training cost against GPU-hours times the chip's sourced hourly price band.",
    "conflict": "Claims on the same model and field from different sources that cannot both be true. A claim is "
                "inconsistent only against a claim of equal or stronger status (confirmed > estimated > rumored), "
                "and never when it agrees with the formula-derived count.",
    "memory": "Weight-memory claims against parameters × bytes per parameter ({bytes}), 1 GB = 10⁹ bytes, "
              "within ±{mem:.0%} or the claim's stated precision.",
}


INTERVAL_EXAMPLES = ("70B", "70.0B", "exactly 405 billion", "650-800B", "over 1 trillion", "up to 7 trillion",
                     "hundreds of billions")


def interval_table() -> str:
    """How example values are read, computed by the loader's parser and the checks' interval rule."""
    from pipeline.values import parse_value

    parsed = [parse_value(text, "params_total") for text in INTERVAL_EXAMPLES]
    frame = pd.DataFrame({"value": [p.value for p in parsed], "low": [p.low for p in parsed],
                          "high": [p.high for p in parsed], "precision": [p.precision for p in parsed],
                          "sig_figs": [p.sig_figs for p in parsed]}).astype(
        {"value": "float64", "low": "float64", "high": "float64", "sig_figs": "Int64"})
    interval = checks_module.implied_interval(frame)
    rows = "\n".join(f'<tr><td><code>{esc(text)}</code></td><td>{esc(p.precision)}</td>'
                     f'<td class="mf-num">{full(p.value) if p.value is not None else "—"}</td>'
                     f'<td class="mf-num">{full(low)}</td><td class="mf-num">{full(high)}</td></tr>'
                     for text, p, low, high in zip(INTERVAL_EXAMPLES, parsed, interval["implied_low"],
                                                   interval["implied_high"]))
    return html_table(["written", "precision", "value", "allows from", "to"], rows, numeric=(2, 3, 4))


def conventions_section(repo: Path) -> str:
    """docs/conventions.md (the recording conventions) as a section of the methodology page, its headings one
    level down; empty when the file is absent."""
    path = Path(repo) / "docs" / CONVENTIONS
    if not path.is_file():
        return ""
    lines = path.read_text(encoding="utf-8").splitlines()
    body, fenced = [], False
    for line in lines:
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        if not fenced and line.startswith("# "):
            continue  # the section has its own heading
        body.append("#" + line if not fenced and line.startswith("#") else line)
    return "\n## Conventions\n\n" + "\n".join(body).strip() + "\n"


def methodology_page(data: Data, repo: Path = REPO) -> str:
    """methodology.md: statuses, intervals, checks with this build's counts and the code's thresholds,
    formulas, and the recording conventions (docs/conventions.md) when present."""
    band = checks_module.CHINCHILLA_BAND
    rule = scaling.TOKENS_PER_PARAM_RULE
    values = {"rule": rule, "low": rule * band[0], "high": rule * band[1], "tol6": checks_module.COMPUTE_6ND_TOLERANCE,
              "u0": checks_module.UTILIZATION_BAND[0], "u1": checks_module.UTILIZATION_BAND[1],
              "mem": checks_module.MEMORY_TOLERANCE,
              "bytes": ", ".join(f"{k.removeprefix('weights_gb_').upper()} {v:g}"
                                 for k, v in checks_module.BYTES_PER_PARAM.items())}
    counts = pd.crosstab(data["checks"]["check"], data["checks"]["verdict"]).reindex(columns=list(VERDICTS), fill_value=0)
    rows = "\n".join(
        f'<tr><td><code>{esc(name)}</code></td><td>{esc(text.format(**values))}</td>'
        + "".join(f'<td class="mf-num">{int(counts.at[name, v]) if name in counts.index else 0}</td>' for v in VERDICTS)
        + "</tr>" for name, text in CHECK_DESCRIPTIONS.items())
    constants = "\n".join(f"| `{name}` | `{value!r}` |" for name, value in (
        ("UTILIZATION_BAND", checks_module.UTILIZATION_BAND), ("COMPUTE_6ND_TOLERANCE", checks_module.COMPUTE_6ND_TOLERANCE),
        ("MEMORY_TOLERANCE", checks_module.MEMORY_TOLERANCE), ("CHINCHILLA_BAND", checks_module.CHINCHILLA_BAND),
        ("BYTES_PER_PARAM", checks_module.BYTES_PER_PARAM), ("TOKENS_PER_PARAM_RULE", scaling.TOKENS_PER_PARAM_RULE)))
    families = "\n".join(f"| `{name}` | {esc(cls)} |" for name, cls in formula.FAMILY_CLASSES.items())
    fits = "\n".join(f"| {esc(fit.name)} | {esc(fit.reference)} | {fit.E:g} | {fit.A:g} | {fit.B:g} | {fit.alpha:g} | "
                     f"{fit.beta:g} |" for fit in scaling.FITS)
    return f"""# Methodology

## Statuses

| status | meaning |
| --- | --- |
| {badge("status", "confirmed")} | The source is the developer: a paper, model card, official blog or released config. |
| {badge("status", "reported")} | A secondary source relays the developer's figure (an interview, a news report quoting the developer's statement). |
| {badge("status", "estimated")} | A named third party derived the number with a method (Epoch AI, SemiAnalysis, a paper's own estimate). When an article repeats such an estimate, the article is the source and `attributed_to` names the estimator. |
| {badge("status", "rumored")} | Everything else: unattributed numbers, leaks, press reports, and articles that attribute a number to the developer without citing the developer's own source. |

A secondary article that attributes a figure to the developer stays rumored; the developer's own publication,
when it exists, is a separate confirmed claim. See the [data format](data-format.md) for how claims are written.

## What a value allows

Each value is read with the precision its writing implies, and the checks compare intervals, not points:
a figure rounded to some significant figures allows half a unit of its last digit either way; an exact figure
allows only itself; a range allows its span; bounds are open on one side; vague words span an order of
magnitude. Read by `pipeline.values.parse_value` and `pipeline.check.implied_interval`:

{interval_table()}

## Best-supported values

Per model and field, `model_summary` keeps one value: the formula-derived count first, then confirmed, estimated
and rumored claims, the most precise first (exact, then more significant figures, then ranges; bounds and
orders of magnitude never). The checks use the same ranking (`pipeline.check.BEST_VALUE_SQL`).

## Checks

Each check gives each claim it can test a verdict; a claim's verdict is the worst of them
(inconsistent, then unverifiable, then consistent). Counts are for this build.

{html_table(["check", "what it compares", "consistent", "inconsistent", "unverifiable"], rows, numeric=(2, 3, 4))}

The thresholds, imported from `pipeline.check` and `pipeline.scaling` when the site is built:

| constant | value |
| --- | --- |
{constants}

## Formulas

- **Parameter counts**: the sum of every weight matrix, bias and normalization vector the architecture defines
  (see [counting](explainers/counting.md)); `pipeline.formula.dense_layer_params(n_in, n_out)` is n_in × n_out + n_out.
- **Training compute**: C ≈ 6·N·D (Kaplan et al. 2020, "Scaling Laws for Neural Language Models",
  arXiv:2001.08361), N active parameters, D tokens.
- **Compute-optimal allocation**: L(N, D) = E + A/N^α + B/D^β; N_opt = G·(C/6)^(β/(α+β)),
  D_opt = G⁻¹·(C/6)^(α/(α+β)), G = (αA/(βB))^(1/(α+β)).

| fit | reference | E | A | B | α | β |
| --- | --- | ---: | ---: | ---: | ---: | ---: |
{fits}

- **Rule of thumb**: {rule:g} training tokens per parameter (Hoffmann et al. 2022).
- **Weight memory**: parameters × bytes per parameter, 1 GB = 10⁹ bytes.
- **GPU-hours**: C / (peak FLOP/s × utilization) / 3600, with peak throughput and hourly prices from
  `data/hardware/`.

## Formula engine

`pipeline.formula` counts a Hugging Face `config.json` exactly, reproducing the number of parameters
transformers builds for it (tested against meta-device instantiation). Families:

| model_type | class counted |
| --- | --- |
{families}

Definitions: *total* is every parameter of that class (a tied output head adds nothing); *active* subtracts the
routed experts a token does not visit; *embedding* is the input table, an untied head and learned position
tables; *non-embedding* is total − embedding.
""" + conventions_section(repo)
