"""The families table in the docs is generated from the registry and the real-config record."""
from __future__ import annotations

from pipeline import formula
from pipeline.formula import docs


def test_families_page_is_current():
    assert docs.PAGE.read_text(encoding="utf-8") == docs.families_markdown(), \
        "run: python -m pipeline.formula.docs"


def test_every_family_is_on_the_page_with_its_configs():
    page = docs.families_markdown()
    for name in formula.FAMILY_CLASSES:
        assert f"| `{name}` |" in page
    assert "`Qwen/Qwen3-0.6B`" in page and "`openai/gpt-oss-20b`" in page
    assert "`tiiuae/falcon-7b`" in docs.real_configs()["falcon"][0]      # RefinedWeb rows read as falcon
