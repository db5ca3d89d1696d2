"""Derive stage: exact parameter counts from the architecture blocks, in one vectorized pass.

Known families are counted by the formula engine over the whole table; configs only transformers
knows (or heads the formulas do not model) are built on the meta device, once per distinct config
(:mod:`pipeline.formula.fallback` caches them).
"""
from __future__ import annotations

import json

import pandas as pd

from pipeline.fields import COMPONENTS

#: count_table column -> derived quantity.
QUANTITIES = {
    "total": "params_total_formula",
    "active": "params_active_formula",
    "active_without_input_embedding": "params_active_without_input_embedding_formula",
    "active_non_embedding": "params_active_non_embedding_formula",
    "embedding": "params_embedding_formula",
    "non_embedding": "params_non_embedding_formula",
    **{f"component_{name}": f"params_{name}_formula" for name in COMPONENTS},
}


def empty_derived() -> pd.DataFrame:
    """A derived table with no rows but the right column types."""
    return pd.DataFrame({"model_id": pd.Series(dtype="str"), "quantity": pd.Series(dtype="str"),
                         "value": pd.Series(dtype="float64"), "method": pd.Series(dtype="str")})


def config_table(architectures: pd.DataFrame) -> pd.DataFrame:
    """One row per architecture: the published config with the model's overrides merged in."""
    from pipeline import formula

    configs = [{**json.loads(config), **json.loads(overrides)}
               for config, overrides in zip(architectures["hf_config"], architectures["overrides"])]
    return formula.config_frame(configs, index=pd.Index(architectures["model_id"], name="model_id"))


def parameter_counts(architectures: pd.DataFrame) -> pd.DataFrame:
    """The formula engine's counts for every architecture (index model_id)."""
    if architectures.empty:
        return pd.DataFrame(columns=["model_type", "total", "active", "embedding", "non_embedding", "method",
                                     "error"])
    from pipeline import formula

    return formula.count_table(config_table(architectures))


def derive(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """derived(model_id, quantity, value, method): formula counts and the quantities checks reuse.

    ``method`` is ``formula:<model_type>`` or ``transformers:<model_type>`` (meta-device count).
    A quantity a count does not give (an active count without top-k, a component of a one-tower
    model) has no row.
    """
    counts = parameter_counts(tables["architectures"])
    if counts.empty:
        return empty_derived()
    ok = counts[counts["error"].isna()]
    method = ok["method"].astype(str) + ":" + ok["model_type"].astype(str)
    frames = []
    for column, name in QUANTITIES.items():
        present = ok[column].notna().to_numpy()
        if present.any():
            frames.append(pd.DataFrame({"model_id": ok.index[present], "quantity": name,
                                        "value": ok[column][present].astype("float64").values,
                                        "method": method[present].values}))
    if not frames:
        return empty_derived()
    return pd.concat(frames, ignore_index=True)
