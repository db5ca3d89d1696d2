"""Static SVG charts for the docs site, drawn with matplotlib when the site is built.

No JavaScript and no CDN: each chart is one self-contained SVG file. The figures are made with
matplotlib's object API (no pyplot state), text stays text (``svg.fonttype: none``) and the SVG ids
and metadata are fixed, so the same database gives byte-identical files.

Each function takes whole tables (pandas) and returns how many points it drew.
"""
from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, FuncFormatter

from pipeline.check import CHINCHILLA_BAND
from pipeline.scaling import TOKENS_PER_PARAM_RULE

STATUS_STYLE = {  # status: (marker, colour, label)
    "confirmed": ("o", "#1f77b4", "confirmed (developer)"),
    "estimated": ("^", "#ff7f0e", "estimated (named third party)"),
    "rumored": ("x", "#d62728", "rumored (unattributed, leaked, reported)"),
}
VERDICT_STYLE = {
    "consistent": ("o", "#2ca02c", "consistent with the formula"),
    "inconsistent": ("x", "#d62728", "inconsistent with the formula"),
}
RC = {"svg.fonttype": "none", "svg.hashsalt": "modelfacts", "font.family": "DejaVu Sans", "font.size": 9,
      "axes.grid": True, "grid.alpha": 0.3, "axes.spines.top": False, "axes.spines.right": False}
METADATA = {"Date": None, "Creator": "Model Facts (matplotlib)"}


def _save(figure: Figure, path: Path) -> None:
    """Write one figure as SVG (deterministic: no date, fixed id salt)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="svg", metadata=METADATA, bbox_inches="tight")


def _empty(axes, message: str) -> None:
    """A chart with nothing to draw says so instead of failing."""
    axes.text(0.5, 0.5, message, ha="center", va="center", transform=axes.transAxes, color="#666666")
    axes.set_xticks([])
    axes.set_yticks([])


def params_over_time(claims: pd.DataFrame, models: pd.DataFrame, path: Path) -> int:
    """Every numeric params_total claim at its model's release date, log scale, marked by status.

    Ranges ("650-800B") are drawn as vertical bars from low to high through the midpoint.
    """
    frame = claims[(claims["field"] == "params_total") & claims["value"].notna() & (claims["value"] > 0)]
    frame = frame.merge(models[["model_id", "released"]], on="model_id", how="inner")
    frame = frame[frame["released"].notna()]
    with matplotlib.rc_context(RC):
        figure = Figure(figsize=(8, 4.6))
        axes = figure.subplots()
        if frame.empty:
            _empty(axes, "no parameter claims with a release date")
        else:
            released = pd.to_datetime(frame["released"])
            for status, (marker, colour, label) in STATUS_STYLE.items():
                rows = frame["status"] == status
                if not rows.any():
                    continue
                hollow = marker == "o"  # a rumor repeating a confirmed figure shows as an x inside the circle
                colours = {"facecolors": "none", "edgecolors": colour} if hollow else {"color": colour}
                axes.scatter(released[rows], frame.loc[rows, "value"], marker=marker, s=30 if hollow else 22,
                             label=f"{label}: {int(rows.sum())}", linewidths=1.2, **colours)
                spans = rows & frame["low"].notna() & frame["high"].notna()
                if spans.any():
                    axes.vlines(released[spans], frame.loc[spans, "low"], frame.loc[spans, "high"], color=colour,
                                alpha=0.5, linewidth=1.2)
            axes.set_yscale("log")
            axes.set_ylabel("total parameters (log scale)")
            axes.set_xlabel("model release date")
            axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3, frameon=False)
        axes.set_title("Parameter-count claims over time")
        _save(figure, path)
    return len(frame)


def _best(summary: pd.DataFrame, field: str) -> pd.Series:
    """The best-supported value of one field, indexed by model."""
    return summary[summary["field"] == field].set_index("model_id")["best_value"].astype("float64")


def tokens_vs_params(summary: pd.DataFrame, models: pd.DataFrame, path: Path) -> int:
    """Best training tokens against best parameters (active for MoE), with the 20:1 line and its band."""
    params = _best(summary, "params_active").combine_first(_best(summary, "params_total"))
    tokens = _best(summary, "training_tokens")
    frame = pd.DataFrame({"params": params, "tokens": tokens}).dropna()
    frame = frame[(frame["params"] > 0) & (frame["tokens"] > 0)]
    names = models.set_index("model_id")["name"]
    with matplotlib.rc_context(RC):
        figure = Figure(figsize=(8, 5))
        axes = figure.subplots()
        if frame.empty:
            _empty(axes, "no model has both a parameter and a token count")
        else:
            ratio = frame["tokens"] / frame["params"]
            low, high = TOKENS_PER_PARAM_RULE * CHINCHILLA_BAND[0], TOKENS_PER_PARAM_RULE * CHINCHILLA_BAND[1]
            near = ratio.between(low, high)
            axes.scatter(frame.loc[near, "params"], frame.loc[near, "tokens"], s=22, color="#2ca02c",
                         label=f"within {low:g}-{high:g} tokens per parameter: {int(near.sum())}")
            axes.scatter(frame.loc[~near, "params"], frame.loc[~near, "tokens"], s=22, color="#7f7f7f",
                         label=f"outside that band: {int((~near).sum())}")
            span = np.geomspace(frame["params"].min() / 2, frame["params"].max() * 2, 50)
            axes.plot(span, span * TOKENS_PER_PARAM_RULE, color="#1f77b4", linewidth=1.5,
                      label=f"{TOKENS_PER_PARAM_RULE:g} tokens per parameter (Hoffmann et al. 2022)")
            axes.fill_between(span, span * low, span * high, color="#1f77b4", alpha=0.08)
            if len(frame) <= 400:  # label the extremes; thousands of labels would be noise
                order = ratio.sort_values()
                for model_id in list(order.index[:2]) + list(order.index[-2:]):
                    axes.annotate(str(names.get(model_id, model_id)), (frame.at[model_id, "params"],
                                  frame.at[model_id, "tokens"]), fontsize=7, xytext=(4, 2), textcoords="offset points")
            axes.set_xscale("log")
            axes.set_yscale("log")
            axes.set_xlabel("parameters (active for mixture-of-experts; log scale)")
            axes.set_ylabel("training tokens (log scale)")
            axes.legend(loc="upper left", frameon=False)
        axes.set_title("Training tokens against parameters")
        _save(figure, path)
    return len(frame)


def claimed_vs_formula(claims: pd.DataFrame, derived: pd.DataFrame, checks: pd.DataFrame, path: Path) -> int:
    """Parameter claims against the count derived from the published architecture, by the formula check's verdict.

    Left: claimed against derived on log axes with the y = x line. Right: the relative difference.
    """
    formula = derived[derived["quantity"].str.endswith("_formula")].assign(
        field=lambda d: d["quantity"].str.replace("_formula", "", regex=False))[["model_id", "field", "value"]]
    numeric = claims[claims["value"].notna() & (claims["value"] > 0)][["claim_id", "model_id", "field", "value"]]
    frame = numeric.merge(
        formula.rename(columns={"value": "formula"}), on=["model_id", "field"], how="inner")
    verdicts = checks[checks["check"] == "formula_params"][["claim_id", "verdict"]]
    frame = frame.merge(verdicts, on="claim_id", how="inner")
    frame = frame[frame["formula"] > 0]
    with matplotlib.rc_context(RC):
        figure = Figure(figsize=(10, 4.4))
        left, right = figure.subplots(1, 2)
        if frame.empty:
            _empty(left, "no claim has a formula-derived count to compare with")
            _empty(right, "")
        else:
            difference = (frame["value"] / frame["formula"] - 1) * 100
            for verdict, (marker, colour, label) in VERDICT_STYLE.items():
                rows = frame["verdict"] == verdict
                if not rows.any():
                    continue
                left.scatter(frame.loc[rows, "formula"], frame.loc[rows, "value"], marker=marker, color=colour, s=22,
                             label=f"{label}: {int(rows.sum())}", linewidths=1.2)
                right.scatter(frame.loc[rows, "formula"], difference[rows], marker=marker, color=colour, s=22,
                              linewidths=1.2)
            span = np.geomspace(frame["formula"].min() / 2, frame["formula"].max() * 2, 20)
            left.plot(span, span, color="#444444", linewidth=1, label="claimed = derived")
            left.set_xscale("log")
            left.set_yscale("log")
            left.set_xlabel("count derived from the architecture")
            left.set_ylabel("claimed count")
            left.legend(loc="upper left", frameon=False)
            right.axhline(0, color="#444444", linewidth=1)
            right.set_xscale("log")
            right.set_yscale("symlog", linthresh=1)
            right.yaxis.set_major_locator(FixedLocator([-100, -10, -1, 0, 1, 10, 100, 1000]))
            right.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:+g}%" if value else "0"))
            right.set_xlabel("count derived from the architecture")
            right.set_ylabel("claimed − derived, % of derived (symlog)")
            right.legend(handles=[Line2D([], [], color="#444444", linewidth=1, label="no difference")],
                         loc="upper left", frameon=False)
        figure.suptitle("Claimed parameter counts against the formula-derived counts")
        _save(figure, path)
    return len(frame)


CHARTS = {  # file name: (title, what it shows)
    "params-over-time.svg": ("Parameter counts over time",
                             "Every total-parameter claim at its model's release date; ranges are vertical bars."),
    "tokens-vs-params.svg": ("Training tokens against parameters",
                             "Best-supported training tokens against best-supported parameters (active for MoE)."),
    "claimed-vs-formula.svg": ("Claimed against formula-derived counts",
                               "Parameter claims for models with a published architecture, by the formula check's verdict."),
}


def draw_all(tables: dict[str, pd.DataFrame], out: Path) -> dict[str, int]:
    """Draw every chart into `out`; returns points drawn per file name."""
    out.mkdir(parents=True, exist_ok=True)
    return {
        "params-over-time.svg": params_over_time(tables["claims"], tables["models"], out / "params-over-time.svg"),
        "tokens-vs-params.svg": tokens_vs_params(tables["summary"], tables["models"], out / "tokens-vs-params.svg"),
        "claimed-vs-formula.svg": claimed_vs_formula(tables["claims"], tables["derived"], tables["checks"],
                                                     out / "claimed-vs-formula.svg"),
    }
