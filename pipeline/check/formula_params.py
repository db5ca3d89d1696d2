"""formula_params: parameter claims against the exact count derived from the released architecture."""
from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.check.interval import gap_ratio, reading, severity, size_words, within
from pipeline.check.references import ALTERNATIVE_QUANTITY, CONVENTION_WORDS, FORMULA_QUANTITY
from pipeline.check.rows import (CONSISTENT, INCONSISTENT, UNVERIFIABLE, check_rows, choose, claimed_text,
                                 empty_checks, format_numbers)

NAME = "formula_params"


def claim_quantities(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Per claim, the derived quantity that counts it and a second convention's quantity (None where none).

    A claim about one component ("the UNet has 2.6B parameters") is counted by params_<component>_formula.
    """
    component = frame["component"] if "component" in frame else pd.Series(None, index=frame.index)
    for_component = ("params_" + component.astype("string") + "_formula").where(
        component.notna() & (frame["field"] == "params_total"))
    primary = frame["field"].map(FORMULA_QUANTITY).where(component.isna(), for_component)
    alternative = frame["field"].map(ALTERNATIVE_QUANTITY).where(component.isna())
    return primary.astype(object), alternative.astype(object)


def derived_lookup(frame: pd.DataFrame, derived: pd.DataFrame, quantities: pd.Series) -> pd.Series:
    """Per claim, the derived value of the given quantity for its model (NaN where there is none)."""
    if derived.empty:
        return pd.Series(np.nan, index=frame.index)
    values = derived.drop_duplicates(["model_id", "quantity"]).set_index(["model_id", "quantity"])["value"]
    keys = pd.MultiIndex.from_arrays([frame["model_id"], quantities])
    return pd.Series(values.reindex(keys).to_numpy(dtype="float64"), index=frame.index)


SYSTEM_REASON = ("a total over several models (component: system) is not compared with the count of one "
                 "model or with whole-model claims")


def unverifiable_reason(frame: pd.DataFrame, derived: pd.DataFrame) -> pd.Series:
    """Per claim, the sentence saying why no derived count judges it.

    A whole-model claim: no published architecture. A claim about one part: that part's count cannot be
    derived, because there is no architecture or because the architecture's count does not split into parts.
    A system claim (several models together): never compared with one model's count.
    """
    component = (frame["component"] if "component" in frame else pd.Series(None, index=frame.index)).astype(object)
    has_architecture = frame["model_id"].isin(derived.loc[derived["quantity"] == "params_total_formula", "model_id"]
                                              if not derived.empty else [])
    part = "no count of the " + component.fillna("").astype(str).str.replace("_", " ") + " can be derived: "
    for_part = choose(has_architecture, part + "the published architecture gives the whole model's count, "
                      "not this part's", part + "no published architecture")
    reason = choose(component.isna(), "no published architecture to derive this count from", for_part)
    return choose(component == "system", SYSTEM_REASON, reason)


def check_formula_params(claims: pd.DataFrame, derived: pd.DataFrame) -> pd.DataFrame:
    """Parameter claims against the formula-derived count, at the claim's own precision.

    Active-parameter claims are consistent when they match the count with the input embedding
    (params_active_formula) or without it (params_active_without_input_embedding_formula); the detail names
    the convention the claim follows.
    """
    frame = claims[claims["field"].isin(FORMULA_QUANTITY) & claims["value"].notna()].copy()
    if frame.empty:
        return empty_checks()
    primary_quantity, alternative_quantity = claim_quantities(frame)
    primary = derived_lookup(frame, derived, primary_quantity)
    alternative = derived_lookup(frame, derived, alternative_quantity)
    primary_ratio = gap_ratio(frame["implied_low"], frame["implied_high"], primary, primary)
    alternative_ratio = gap_ratio(frame["implied_low"], frame["implied_high"], alternative, alternative)
    # the convention the claim follows: the one it matches, else the nearer one
    use_alternative = alternative.notna() & (primary.isna() | (alternative_ratio.abs() < primary_ratio.abs()))
    truth = alternative.where(use_alternative, primary)
    ratio = alternative_ratio.where(use_alternative, primary_ratio)
    quantity = alternative_quantity.where(use_alternative, primary_quantity)
    known = truth.notna()
    holds = within(frame, truth)
    verdict = np.where(~known, UNVERIFIABLE, np.where(holds, CONSISTENT, INCONSISTENT))
    two_conventions = primary.notna() & alternative.notna()
    gives = choose(two_conventions, format_numbers(primary) + " with the input embedding and "
                   + format_numbers(alternative) + " without it", format_numbers(truth))
    convention = choose(two_conventions, " " + quantity.map(CONVENTION_WORDS).fillna("").astype(str), "")
    outcome = choose(holds, reading(frame, truth) + convention,
                     size_words(ratio) + choose(two_conventions, " from the nearer count (" + convention.str.strip()
                                                + ")", ""))
    detail = choose(known, "claimed " + claimed_text(frame) + "; the released architecture gives " + gives + ": "
                    + outcome, unverifiable_reason(frame, derived))
    return check_rows(frame, NAME, verdict, truth, frame["value"], detail,
                      severity(ratio, pd.Series(verdict == INCONSISTENT, index=frame.index)))
