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


# ---------------------------------------------------------------------------------------------- interactive
# Vega-Lite specifications of the same three charts for the explorer page (pipeline/site/static/charts.js
# embeds them with the vendored vega-embed); the SVGs above stay as the fallback without scripts.

STATUS_COLOURS = {"confirmed": "#1f77b4", "reported": "#9467bd", "estimated": "#ff7f0e", "rumored": "#d62728",
                  "formula": "#2c2c7a"}
VERDICT_SHAPES = {"consistent": "circle", "inconsistent": "cross", "unverifiable": "triangle-up"}
FILTERS = {"status": tuple(STATUS_COLOURS)[:4], "verdict": tuple(VERDICT_SHAPES)}


def spec_name(name: str) -> str:
    """params-over-time.svg -> params-over-time.vl.json."""
    return name.removesuffix(".svg") + ".vl.json"


def _filters(fields: tuple[str, ...]) -> tuple[list[dict], list[dict]]:
    """Drop-down filters bound under the chart (Vega-Lite params) and the transforms they drive."""
    params, transforms = [], []
    for column in fields:
        name = f"{column}_filter"
        params.append({"name": name, "value": "all",
                       "bind": {"input": "select", "options": ["all", *FILTERS[column]], "name": f"{column} "}})
        transforms.append({"filter": f"{name} == 'all' || datum.{column} == {name}"})
    return params, transforms


def _tooltip(*extra: tuple[str, str, str]) -> list[dict]:
    """The hover label: model, claim, value as written, status, verdict (with its size), then extras."""
    base = [("model", "model"), ("claim", "claim"), ("as_written", "value as written"), ("status", "status"),
            ("verdict", "verdict"), ("size", "how far off")]
    items = [{"field": field, "type": "nominal", "title": title} for field, title in base]
    items += [{"field": field, "type": kind, "title": title, **({"format": ",.4~r"} if kind == "quantitative" else {})}
              for field, title, kind in extra]
    return items


def _encoding_marks(x: dict, y: dict, tooltip: list[dict]) -> dict:
    return {"x": x, "y": y, "tooltip": tooltip, "href": {"field": "url", "type": "nominal"},
            "color": {"field": "status", "type": "nominal", "title": "status",
                      "scale": {"domain": list(STATUS_COLOURS), "range": list(STATUS_COLOURS.values())}},
            "shape": {"field": "verdict", "type": "nominal", "title": "verdict",
                      "scale": {"domain": list(VERDICT_SHAPES), "range": list(VERDICT_SHAPES.values())}}}


def _spec(title: str, points: pd.DataFrame, layer: list[dict], filters: tuple[str, ...]) -> dict:
    params, transforms = _filters(filters)
    records = points.astype(object).where(points.notna(), None).to_dict("records")
    return {"$schema": "https://vega.github.io/schema/vega-lite/v6.json", "title": title, "width": 720,
            "height": 380, "data": {"values": records}, "params": params, "transform": transforms,
            "layer": layer, "config": {"font": "sans-serif"}}


def vega_specs(tables: dict[str, pd.DataFrame], model_urls: pd.Series, sizes: pd.DataFrame) -> dict[str, dict]:
    """The explorer's Vega-Lite specifications, one per chart file name.

    tables: claims (with verdict), models, summary, derived; model_urls: model_id -> URL of the model page
    relative to the charts page; sizes: claim_id -> size words (pipeline.site.words.claim_sizes).
    Points carry `url` (model page, at the claim's row) so a click opens the page that explains the verdict.
    """
    claims, models = tables["claims"], tables["models"]
    names = models.set_index("model_id")["name"]
    size = sizes.set_index("claim_id")["size"] if len(sizes) else pd.Series(dtype=object)

    def claim_points(frame: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({
            "model": frame["model_id"].map(names).fillna(frame["model_id"]), "claim": frame["claim_id"],
            "as_written": frame["as_written"], "status": frame["status"], "verdict": frame["verdict"],
            "size": frame["claim_id"].map(size).fillna(""),
            "url": frame["model_id"].map(model_urls) + "#claim-" + frame["claim_id"]})

    over_time = claims[(claims["field"] == "params_total") & claims["value"].notna() & (claims["value"] > 0)]
    over_time = over_time.merge(models[["model_id", "released"]], on="model_id", how="inner")
    over_time = over_time[over_time["released"].notna()]
    points = claim_points(over_time).assign(
        released=pd.to_datetime(over_time["released"]).dt.strftime("%Y-%m-%d").to_numpy(),
        value=over_time["value"].to_numpy(), low=over_time["low"].to_numpy(), high=over_time["high"].to_numpy())
    tooltip = _tooltip(("released", "released", "temporal"), ("value", "parameters", "quantitative"))
    x = {"field": "released", "type": "temporal", "title": "model release date"}
    y = {"field": "value", "type": "quantitative", "scale": {"type": "log"}, "title": "total parameters (log scale)"}
    specs = {"params-over-time.svg": _spec("Parameter-count claims over time", points, [
        {"mark": {"type": "rule", "opacity": 0.5}, "transform": [{"filter": "datum.low != null && datum.high != null"}],
         "encoding": {"x": x, "y": {"field": "low", "type": "quantitative", "scale": {"type": "log"}},
                      "y2": {"field": "high"}, "color": {"field": "status", "type": "nominal",
                                                        "scale": {"domain": list(STATUS_COLOURS),
                                                                  "range": list(STATUS_COLOURS.values())}}}},
        {"mark": {"type": "point", "filled": True, "size": 60, "cursor": "pointer"},
         "encoding": _encoding_marks(x, y, tooltip)}], ("status", "verdict"))}

    summary = tables["summary"]
    best = summary.pivot_table(index="model_id", columns="field", values="best_value", aggfunc="first")
    basis = summary.pivot_table(index="model_id", columns="field", values="basis", aggfunc="first")
    get = lambda frame, column: frame[column] if column in frame.columns else pd.Series(np.nan, index=frame.index)  # noqa: E731
    frame = pd.DataFrame({"params": get(best, "params_active").combine_first(get(best, "params_total")),
                          "tokens": get(best, "training_tokens"), "status": get(basis, "training_tokens")}).dropna(
        subset=["params", "tokens"])
    frame = frame[(frame["params"] > 0) & (frame["tokens"] > 0)].reset_index()
    frame = frame.assign(model=frame["model_id"].map(names).fillna(frame["model_id"]),
                         ratio=frame["tokens"] / frame["params"], url=frame["model_id"].map(model_urls))
    low, high = TOKENS_PER_PARAM_RULE * CHINCHILLA_BAND[0], TOKENS_PER_PARAM_RULE * CHINCHILLA_BAND[1]
    frame["position"] = np.where(frame["ratio"] < low, "under-trained", np.where(frame["ratio"] > high,
                                                                                  "over-trained", "near optimal"))
    specs["tokens-vs-params.svg"] = _spec("Training tokens against parameters", frame.drop(columns="model_id"), [{
        "mark": {"type": "point", "filled": True, "size": 60, "cursor": "pointer"},
        "encoding": {"x": {"field": "params", "type": "quantitative", "scale": {"type": "log"},
                           "title": "parameters (active for mixture-of-experts; log scale)"},
                     "y": {"field": "tokens", "type": "quantitative", "scale": {"type": "log"},
                           "title": "training tokens (log scale)"},
                     "color": {"field": "position", "type": "nominal", "title": f"against {TOKENS_PER_PARAM_RULE:g}:1"},
                     "href": {"field": "url", "type": "nominal"},
                     "tooltip": [{"field": "model", "type": "nominal"},
                                 {"field": "status", "type": "nominal", "title": "status of the token count"},
                                 {"field": "params", "type": "quantitative", "format": ",.4~r"},
                                 {"field": "tokens", "type": "quantitative", "format": ",.4~r"},
                                 {"field": "ratio", "type": "quantitative", "format": ".1f",
                                  "title": "tokens per parameter"},
                                 {"field": "position", "type": "nominal"}]}}], ("status",))

    derived = tables["derived"]
    formula = derived[derived["quantity"].str.endswith("_formula")].assign(
        field=lambda d: d["quantity"].str.replace("_formula", "", regex=False))[["model_id", "field", "value"]]
    numeric = claims[claims["value"].notna() & (claims["value"] > 0)]
    against = numeric.merge(formula.rename(columns={"value": "formula"}), on=["model_id", "field"], how="inner")
    against = against[against["formula"] > 0]
    points = claim_points(against).assign(claimed=against["value"].to_numpy(), formula=against["formula"].to_numpy(),
                                          field=against["field"].to_numpy())
    tooltip = _tooltip(("field", "field", "nominal"), ("claimed", "claimed", "quantitative"),
                       ("formula", "derived from the architecture", "quantitative"))
    specs["claimed-vs-formula.svg"] = _spec("Claimed parameter counts against the formula-derived counts", points, [
        {"mark": {"type": "point", "filled": True, "size": 60, "cursor": "pointer"},
         "encoding": _encoding_marks(
             {"field": "formula", "type": "quantitative", "scale": {"type": "log"},
              "title": "count derived from the architecture (log scale)"},
             {"field": "claimed", "type": "quantitative", "scale": {"type": "log"}, "title": "claimed count (log scale)"},
             tooltip)}], ("status", "verdict"))
    return specs
