"""Derive stage: exact parameter counts from the architecture blocks, in one vectorized pass."""
from __future__ import annotations

import json

import pandas as pd

QUANTITIES = {"total": "params_total_formula", "active": "params_active_formula",
              "embedding": "params_embedding_formula", "non_embedding": "params_non_embedding_formula"}


def empty_derived() -> pd.DataFrame:
    """A derived table with no rows but the right column types."""
    return pd.DataFrame({"model_id": pd.Series(dtype="str"), "quantity": pd.Series(dtype="str"),
                         "value": pd.Series(dtype="float64"), "method": pd.Series(dtype="str")})


def config_table(architectures: pd.DataFrame) -> pd.DataFrame:
    """One row per architecture: the published config with the model's overrides merged in."""
    configs = [{**json.loads(config), **json.loads(overrides)}
               for config, overrides in zip(architectures["hf_config"], architectures["overrides"])]
    return pd.DataFrame(configs, index=pd.Index(architectures["model_id"], name="model_id"))


def parameter_counts(architectures: pd.DataFrame) -> pd.DataFrame:
    """The formula engine's counts for every architecture (index model_id)."""
    if architectures.empty:
        return pd.DataFrame(columns=["model_type", "total", "active", "embedding", "non_embedding", "error"])
    from pipeline import formula

    return formula.count_table(config_table(architectures))


def derive(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """derived(model_id, quantity, value, method): formula counts and the quantities checks reuse."""
    counts = parameter_counts(tables["architectures"])
    if counts.empty:
        return empty_derived()
    ok = counts[counts["error"].isna()]
    method = "formula:" + ok["model_type"].astype(str)
    frames = [pd.DataFrame({"model_id": ok.index, "quantity": name, "value": ok[column].astype("float64").values,
                            "method": method.values})
              for column, name in QUANTITIES.items()]
    return pd.concat(frames, ignore_index=True)
