"""`modelfacts check`: the verdicts, grouped by model, inconsistent claims first."""
from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.errors import DataErrors, summary

ORDER = {"inconsistent": 0, "unverifiable": 1, "consistent": 2}


def verdict_table(database: Path | None) -> pd.DataFrame:
    """Check rows joined to their claims, from a built database or freshly from data/."""
    sql = """SELECT k.model_id, k.claim_id, c.field, c.as_written, c.status, k."check", k.verdict, k.detail
             FROM checks k JOIN claims c USING (claim_id)"""
    if database is not None:
        from pipeline.publish import connect_read_only

        with connect_read_only(database) as connection:
            return connection.execute(sql).fetchdf()
    from pipeline.build import build_tables, repository_root

    tables = build_tables(repository_root())
    with duckdb.connect() as connection:
        connection.register("checks", tables["checks"])
        connection.register("claims", tables["claims"])
        return connection.execute(sql).fetchdf()


def render(verdicts: pd.DataFrame, model_ids: list[str]) -> str:
    """The report text: per model, inconsistent first, then a count line."""
    if model_ids:
        verdicts = verdicts[verdicts["model_id"].isin(model_ids)]
    verdicts = verdicts.assign(order=verdicts["verdict"].map(ORDER))
    worst = verdicts.groupby("model_id")["order"].min().sort_values(kind="stable")
    lines = []
    for model_id in worst.sort_index().sort_values(kind="stable").index:
        rows = verdicts[verdicts["model_id"] == model_id].sort_values(["order", "claim_id", "check"])
        counts = rows["verdict"].value_counts()
        lines.append(f"{model_id}: " + ", ".join(f"{counts.get(v, 0)} {v}" for v in ORDER))
        for row in rows.itertuples():
            lines.append(f"  {row.verdict.upper():<13} {row.check:<17} {row.field:<22} {row.as_written!s:<28} "
                         f"[{row.status}] {row.detail}")
    totals = verdicts["verdict"].value_counts()
    lines.append("")
    lines.append(f"{len(worst)} models, {len(verdicts)} checks: "
                 + ", ".join(f"{totals.get(v, 0)} {v}" for v in ORDER))
    return "\n".join(lines)


def main(model_ids: list[str], database: Path | None) -> int:
    """Print the report; unknown model ids are an error, inconsistent claims are not."""
    try:
        verdicts = verdict_table(database)
    except DataErrors as failure:
        for error in failure.errors:
            print(error)
        print(summary(failure.errors), file=sys.stderr)
        return 1
    except duckdb.Error as error:  # a corrupt, truncated or foreign --db file
        from pipeline.publish import database_problem

        print(database_problem(database, error), file=sys.stderr)
        return 1
    unknown = sorted(set(model_ids) - set(verdicts["model_id"]))
    if unknown:
        print(f"no checks for: {', '.join(unknown)} (is the model id right? see `modelfacts query "
              f"\"SELECT model_id FROM models\"`)", file=sys.stderr)
        return 1
    print(render(verdicts, model_ids))
    return 0
