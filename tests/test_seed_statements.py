"""Every numeric statement the seed articles make about a named model is recorded, or noted as a repeat.

The statement lists (tests/fixtures/seed_statements.yaml) were read from the articles, not the database.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
STATEMENTS = yaml.safe_load((ROOT / "tests" / "fixtures" / "seed_statements.yaml").read_text())


def seed_claims() -> list[dict]:
    """Claims whose source is a seed article, each with its model id."""
    found = []
    for path in sorted((ROOT / "data" / "models").rglob("*.yaml")):
        model = yaml.safe_load(path.read_text())
        found += [{**claim, "model": model["id"]} for claim in model.get("claims") or []
                  if str(claim.get("source", "")).startswith("seed-")]
    return found


CLAIMS = seed_claims()
CASES = [(source, statement) for source, statements in STATEMENTS.items() for statement in statements]


@pytest.mark.parametrize("source,statement", CASES,
                         ids=[f"{s}:{t['model']}.{t['field']}:{t['written']}" for s, t in CASES])
def test_each_seed_statement_is_recorded_or_noted(source, statement):
    same = [c for c in CLAIMS if c["source"] == source and c["model"] == statement["model"]
            and c["field"] == statement["field"]]
    if "note_mentions" in statement:
        # a repeat: the claim it repeats lists it ("Repeated in the article at: ...")
        assert any("Repeated" in c.get("note", "") and statement["note_mentions"] in c["note"]
                   and f"'{statement['written']}'" in c["note"] for c in same), statement
    else:
        recorded = [c for c in same if c["value"] == statement["written"]]
        assert recorded, statement
        if "component" in statement:
            assert {c.get("component") for c in recorded} == {statement["component"]}


def test_the_statement_lists_cover_all_five_articles():
    assert set(STATEMENTS) == {"seed-what-even-is-a-parameter", "seed-what-is-a-parameter-library",
                               "seed-model-parameters-complete-guide", "seed-parameter-newsletter-glossary",
                               "seed-llms-what-are-parameters"}
