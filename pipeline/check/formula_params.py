"""formula_params: parameter claims against the exact count derived from the released architecture."""
from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.check.interval import gap_ratio, reading, severity, size_words, within
from pipeline.check.references import ALTERNATIVE_QUANTITIES, CONVENTION_WORDS, FORMULA_QUANTITY
from pipeline.check.rows import (CONSISTENT, INCONSISTENT, UNVERIFIABLE, check_rows, choose, claimed_text,
                                 empty_checks, format_numbers)

NAME = "formula_params"


def claim_quantities(frame: pd.DataFrame) -> tuple[pd.Series, list[pd.Series]]:
    """Per claim, the derived quantity that counts it, and the quantities of the field's other published
    conventions (one Series per convention, None where the claim has none).

    A claim about one component ("the UNet has 2.6B parameters") is counted by params_<component>_formula and
    has no other convention.
    """
    component = frame["component"] if "component" in frame else pd.Series(None, index=frame.index)
    for_component = ("params_" + component.astype("string") + "_formula").where(
        component.notna() & (frame["field"] == "params_total"))
    primary = frame["field"].map(FORMULA_QUANTITY).where(component.isna(), for_component)
    alternatives = [frame["field"].map(convention).where(component.isna()).astype(object)
                    for convention in ALTERNATIVE_QUANTITIES]
    return primary.astype(object), alternatives


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
    (params_active_formula), without it (params_active_without_input_embedding_formula) or without either
    embedding table (params_active_non_embedding_formula); the detail names the convention the claim follows.
    """
    frame = claims[claims["field"].isin(FORMULA_QUANTITY) & claims["value"].notna()].copy()
    if frame.empty:
        return empty_checks()
    primary_quantity, alternative_quantities = claim_quantities(frame)
    primary = derived_lookup(frame, derived, primary_quantity)
    truth, quantity = primary, primary_quantity
    ratio = gap_ratio(frame["implied_low"], frame["implied_high"], primary, primary)
    # the convention the claim follows: the one it matches, else the nearest one (the primary on a tie)
    alternative_counts = []
    for alternative_quantity in alternative_quantities:
        alternative = derived_lookup(frame, derived, alternative_quantity)
        alternative_counts.append(alternative)
        alternative_ratio = gap_ratio(frame["implied_low"], frame["implied_high"], alternative, alternative)
        nearer = alternative.notna() & (truth.isna() | (alternative_ratio.abs() < ratio.abs()))
        truth, ratio = alternative.where(nearer, truth), alternative_ratio.where(nearer, ratio)
        quantity = alternative_quantity.where(nearer, quantity)
    known = truth.notna()
    holds = within(frame, truth)
    verdict = np.where(~known, UNVERIFIABLE, np.where(holds, CONSISTENT, INCONSISTENT))
    without_input, without_either = alternative_counts  # the two other conventions of params_active
    two_conventions = primary.notna() & without_input.notna()
    # the count without either embedding table is named only when the claim follows it
    third = two_conventions & without_either.notna() & (quantity == "params_active_non_embedding_formula")
    gives = choose(third, format_numbers(primary) + " with the input embedding, " + format_numbers(without_input)
                   + " without it and " + format_numbers(without_either) + " without either embedding table",
                   choose(two_conventions, format_numbers(primary) + " with the input embedding and "
                          + format_numbers(without_input) + " without it", format_numbers(truth)))
    convention = choose(two_conventions, " " + quantity.map(CONVENTION_WORDS).fillna("").astype(str), "")
    outcome = choose(holds, reading(frame, truth) + convention,
                     size_words(ratio) + choose(two_conventions, " from the nearer count (" + convention.str.strip()
                                                + ")", ""))
    detail = choose(known, "claimed " + claimed_text(frame) + "; the released architecture gives " + gives + ": "
                    + outcome, unverifiable_reason(frame, derived))
    return check_rows(frame, NAME, verdict, truth, frame["value"], detail,
                      severity(ratio, pd.Series(verdict == INCONSISTENT, index=frame.index)))
