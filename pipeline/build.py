"""The whole pipeline in order: load, validate, derive, check, publish."""
from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pandas as pd

from pipeline import check, derive
from pipeline.imports import epoch
from pipeline.load import load, no_cyclic_gc
from pipeline.publish import publish
from pipeline.validate import validate


def repository_root(start: Path | None = None) -> Path:
    """The folder holding data/: the current directory or one of its parents."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "data" / "organizations.yaml").exists():
            return folder
    return here


def dataset_version(root: Path) -> str:
    """The dataset's semantic version from data/VERSION."""
    version_file = root / "data" / "VERSION"
    return version_file.read_text().strip() if version_file.exists() else "0.0.0"


def git_commit(root: Path) -> str | None:
    """The commit the data was built from, when the folder is a git checkout."""
    try:
        result = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() or None if result.returncode == 0 else None


def build_tables(root: Path, today: dt.date | None = None) -> dict[str, pd.DataFrame]:
    """Load, validate, derive and check data/ into the tables the database publishes."""
    with no_cyclic_gc():  # the stages make millions of acyclic objects; GC passes over them cost more than they free
        # Load
        dataset = load(root / "data")
        imported = epoch.import_into(dataset, root)  # Epoch AI's snapshot (data/imports/epoch-ai/), if present
        tables = epoch.annotate(validate(dataset, today=today), imported)
        # Process
        tables["claims"] = check.with_implied_interval(tables["claims"])
        tables["derived"] = derive.derive(tables)
        tables["derived"] = pd.concat([frame for frame in (tables["derived"], check.training_derivations(tables))
                                       if not frame.empty] or [tables["derived"]], ignore_index=True)
        tables["checks"] = check.run_checks(tables)
    # Save
    return tables


def build(root: Path, out: Path, today: dt.date | None = None) -> Path:
    """Build and publish; raises DataErrors (and leaves the old build alone) when data/ has errors.

    `today` bounds the dates in data/ (default: pipeline.clock.today()).
    """
    tables = build_tables(root, today=today)
    info = {"dataset_version": dataset_version(root), "git_commit": git_commit(root),
            "built_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()}
    with no_cyclic_gc():
        return publish(tables, out, info, views=check.VIEWS)


def build_summary(database: Path) -> str:
    """The line `make build` ends with: "wrote DB: 213 models, 861 claims (49 inconsistent, 419 unverifiable)".

    Claims are counted by their overall verdict (the claim_verdicts view: the worst judging check), the
    same count `modelfacts check` and the site show."""
    from pipeline.publish import connect_read_only
    from pipeline.report import counted

    with connect_read_only(database) as connection:
        models, claims, inconsistent, unverifiable = connection.execute("""
            SELECT (SELECT count(*) FROM models), count(*), count(*) FILTER (WHERE verdict = 'inconsistent'),
                   count(*) FILTER (WHERE verdict = 'unverifiable')
            FROM claim_verdicts""").fetchone()
    return (f"wrote {database}: {counted(models, 'model')}, {counted(claims, 'claim')} "
            f"({inconsistent:,} inconsistent, {unverifiable:,} unverifiable)")

