"""`modelfacts check`: the verdicts, grouped by model, inconsistent claims first.

One line per claim and check, naming the claim ID and, for a miss, its size. The counts are of claims, by
the same rule the site uses (the claim_verdicts view): a claim's verdict is the worst of its judging checks.
"""
from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.check.rows import CONSISTENT, DEFAULT_STAGE, INCONSISTENT, INFORMATIONAL, UNVERIFIABLE
from pipeline.check.views import CLAIM_VERDICTS_SQL
from pipeline.errors import DataErrors, no_database, summary
from pipeline.resolve import UnknownName, resolve_model_id

ORDER = {INCONSISTENT: 0, UNVERIFIABLE: 1, CONSISTENT: 2, INFORMATIONAL: 3}
COUNTED = (INCONSISTENT, UNVERIFIABLE, CONSISTENT)
LABEL = {INCONSISTENT: "INCONSISTENT", UNVERIFIABLE: "UNVERIFIABLE", CONSISTENT: "CONSISTENT", INFORMATIONAL: "INFO"}

CHECK_ROWS_SQL = """SELECT k.model_id, k.claim_id, c.field, c.as_written, c.status, c.stage, c.scope, c.context_window, k."check",
                           k.verdict, k.severity, k.detail
                    FROM checks k JOIN claims c USING (claim_id)"""


def verdict_tables(database: Path | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(check rows joined to their claims, one verdict per claim), from a built database or freshly from data/."""
    if database is not None:
        from pipeline.publish import connect_read_only

        with connect_read_only(database) as connection:
            return connection.execute(CHECK_ROWS_SQL).fetchdf(), connection.execute(CLAIM_VERDICTS_SQL).fetchdf()
    from pipeline.build import build_tables, repository_root

    tables = build_tables(repository_root())
    with duckdb.connect() as connection:
        connection.register("checks", tables["checks"])
        connection.register("claims", tables["claims"])
        return connection.execute(CHECK_ROWS_SQL).fetchdf(), connection.execute(CLAIM_VERDICTS_SQL).fetchdf()


def known_models(database: Path | None) -> pd.DataFrame:
    """model_id and aliases of every model, from the database or from data/ (for resolving typed names)."""
    if database is not None:
        from pipeline.publish import connect_read_only

        with connect_read_only(database) as connection:
            return connection.execute("SELECT model_id, aliases FROM models").fetchdf()
    from pipeline.build import repository_root
    from pipeline.load import load

    return load(repository_root() / "data").models


def counted(number: int, noun: str) -> str:
    """"1 claim", "2 claims"."""
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"


def verdict_counts(claim_verdicts: pd.DataFrame) -> str:
    """"3 claims: 1 inconsistent, 0 unverifiable, 2 consistent"."""
    tally = claim_verdicts["verdict"].value_counts()
    return counted(len(claim_verdicts), "claim") + ": " + ", ".join(f"{tally.get(v, 0):,} {v}" for v in COUNTED)


def check_lines(rows: pd.DataFrame) -> list[str]:
    """One line per claim and check, inconsistent first, identical lines once."""
    rows = rows.assign(order=rows["verdict"].map(ORDER)).sort_values(["order", "claim_id", "check"], kind="stable")
    label = rows["verdict"].map(LABEL) + rows["severity"].where(rows["verdict"] == INCONSISTENT).map(
        lambda size: f" ({size})" if isinstance(size, str) else "")
    # the claim's status, and its stage, scope and context window where they are not the defaults
    stage = rows["stage"].astype("string")
    context = rows["status"].astype(str) + (", " + stage.where(stage != DEFAULT_STAGE)).fillna("") + \
        (", " + rows["scope"].astype("string").where(rows["scope"] == "family")).fillna("") + \
        (", " + rows["context_window"].astype("string") + " window").fillna("")
    lines = ("  " + label.str.pad(21, side="right") + " " + rows["check"].str.pad(17, side="right") + " "
             + rows["claim_id"] + " [" + context + "] " + rows["detail"].astype(str))
    return list(dict.fromkeys(lines))


def render(check_rows: pd.DataFrame, claim_verdicts: pd.DataFrame, model_ids: list[str]) -> str:
    """The report text: per model (worst first) a count line and its check lines, then the totals."""
    if model_ids:
        check_rows = check_rows[check_rows["model_id"].isin(model_ids)]
        claim_verdicts = claim_verdicts[claim_verdicts["model_id"].isin(model_ids)]
    worst = claim_verdicts.assign(order=claim_verdicts["verdict"].map(ORDER)).groupby("model_id")["order"].min()
    lines = []
    for model_id in worst.sort_index().sort_values(kind="stable").index:
        lines.append(f"{model_id}: " + verdict_counts(claim_verdicts[claim_verdicts["model_id"] == model_id]))
        lines += check_lines(check_rows[check_rows["model_id"] == model_id])
    informational = int((check_rows["verdict"] == INFORMATIONAL).sum())
    lines.append("")
    lines.append(f"{counted(len(worst), 'model')}, " + verdict_counts(claim_verdicts)
                 + f" ({counted(len(check_rows), 'check')}, {informational:,} informational)")
    return "\n".join(lines)


def main(model_ids: list[str], database: Path | None) -> int:
    """Print the report; unknown model ids are an error, inconsistent claims are not."""
    if database is not None and no_database(database):
        return 1
    try:
        check_rows, claim_verdicts = verdict_tables(database)
    except DataErrors as failure:
        for error in failure.errors:
            print(error)
        print(summary(failure.errors), file=sys.stderr)
        return 1
    except duckdb.Error as error:  # a corrupt, truncated or foreign --db file
        from pipeline.publish import database_problem

        print(database_problem(database, error), file=sys.stderr)
        return 1
    try:
        model_ids = [resolve_model_id(name, known_models(database)) for name in model_ids] if model_ids else []
    except UnknownName as error:
        print(error, file=sys.stderr)
        return 1
    unknown = sorted(set(model_ids) - set(claim_verdicts["model_id"]))
    if unknown:
        print(f"no claims for: {', '.join(unknown)}", file=sys.stderr)
        return 1
    print(render(check_rows, claim_verdicts, model_ids))
    return 0
