"""Check stage: cross-checks of every claim (filled in by the checks issue)."""
from __future__ import annotations

import pandas as pd

CHECK_COLUMNS = ["check_id", "claim_id", "model_id", "check", "verdict", "expected", "observed", "rel_diff", "detail"]
VIEWS: list[str] = []


def run_checks(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """checks(check_id, claim_id, model_id, check, verdict, expected, observed, rel_diff, detail)."""
    return pd.DataFrame(columns=CHECK_COLUMNS)
