"""The methodology page: statuses, intervals, checks with their thresholds, formulas (read from the code)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from markupsafe import Markup

from pipeline import check as checks_module
from pipeline import formula, scaling
from pipeline.site.common import CONVENTIONS, REPO, VERDICTS, full
from pipeline.site.data import Data
from pipeline.site.render import render

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
                "inconsistent only against a claim of equal or stronger status (confirmed > reported > estimated > rumored), "
                "and never when it agrees with the formula-derived count.",
    "memory": "Weight-size claims against parameters × bytes per parameter ({bytes}) at the claim's written "
              "precision, in GB (10⁹ bytes) or GiB (2³⁰ bytes), whichever the figure matches; a size whose "
              "precision the source does not state is tried at every precision.",
}


INTERVAL_EXAMPLES = ("70B", "70.0B", "exactly 405 billion", "650-800B", "over 1 trillion", "up to 7 trillion",
                     "hundreds of billions")


def interval_rows() -> list[dict]:
    """How example values are read, computed by the loader's parser and the checks' interval rule."""
    from pipeline.load.values import parse_value

    parsed = [parse_value(text, "params_total") for text in INTERVAL_EXAMPLES]
    frame = pd.DataFrame({"value": [p.value for p in parsed], "low": [p.low for p in parsed],
                          "high": [p.high for p in parsed], "precision": [p.precision for p in parsed],
                          "sig_figs": [p.sig_figs for p in parsed]}).astype(
        {"value": "float64", "low": "float64", "high": "float64", "sig_figs": "Int64"})
    interval = checks_module.implied_interval(frame)
    return [{"written": text, "precision": p.precision, "value": full(p.value) if p.value is not None else "—",
             "low": full(low), "high": full(high)}
            for text, p, low, high in zip(INTERVAL_EXAMPLES, parsed, interval["implied_low"], interval["implied_high"])]


def conventions_text(repo: Path) -> Markup | None:
    """docs/conventions.md (the recording conventions, hand-written in the repository) with its headings one
    level down, for the methodology page's last section; None when the file is absent."""
    path = Path(repo) / "docs" / CONVENTIONS
    if not path.is_file():
        return None
    body, fenced = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        if not fenced and line.startswith("# "):
            continue  # the section has its own heading
        body.append("#" + line if not fenced and line.startswith("#") else line)
    return Markup("\n".join(body).strip())


def methodology_page(data: Data, repo: Path = REPO) -> str:
    """methodology.md (templates/methodology.md): statuses, intervals, how far off a verdict is, checks with this
    build's counts and the code's thresholds, formulas, and docs/conventions.md when present."""
    band = checks_module.CHINCHILLA_BAND
    rule = scaling.TOKENS_PER_PARAM_RULE
    values = {"rule": rule, "low": rule * band[0], "high": rule * band[1], "tol6": checks_module.COMPUTE_6ND_TOLERANCE,
              "u0": checks_module.UTILIZATION_BAND[0], "u1": checks_module.UTILIZATION_BAND[1],
              "bytes": ", ".join(f"{k.removeprefix('weights_gb_').upper()} {v:g}"
                                 for k, v in checks_module.BYTES_PER_PARAM.items())}
    counts = pd.crosstab(data["checks"]["check"], data["checks"]["verdict"]).reindex(columns=list(VERDICTS), fill_value=0)
    checks = [{"name": name, "text": text.format(**values),
               "counts": [int(counts.at[name, v]) if name in counts.index else 0 for v in VERDICTS]}
              for name, text in CHECK_DESCRIPTIONS.items()]
    constants = [(name, Markup(repr(value))) for name, value in (  # code-made text, shown in code spans as is
        ("UTILIZATION_BAND", checks_module.UTILIZATION_BAND), ("COMPUTE_6ND_TOLERANCE", checks_module.COMPUTE_6ND_TOLERANCE),
        ("CHINCHILLA_BAND", checks_module.CHINCHILLA_BAND),
        ("BYTES_PER_PARAM", checks_module.BYTES_PER_PARAM), ("TOKENS_PER_PARAM_RULE", scaling.TOKENS_PER_PARAM_RULE))]
    return render("methodology.md", intervals=interval_rows(), checks=checks, constants=constants,
                  families=list(formula.FAMILY_CLASSES.items()), fits=scaling.FITS, rule=rule,
                  severity="severity" in data["checks"], conventions=conventions_text(repo))
