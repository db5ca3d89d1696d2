"""The families table of the documentation (``docs/formula-families.md``), from the registry and the
record of real configs each family is tested on (``tests/fixtures/configs/README.md``).

``python -m pipeline.formula.docs`` rewrites the page; ``tests/test_formula_docs.py`` fails when it
is out of date.
"""
from __future__ import annotations

import re
from pathlib import Path

from pipeline.formula.registry import FAMILIES, MODEL_TYPE_ALIASES

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "formula-families.md"
CONFIG_RECORD = ROOT / "tests" / "fixtures" / "configs" / "README.md"

_ROW = re.compile(r"^\| `(?P<file>[^`]+\.json)` \| (?P<family>[\w-]+)[^|]*\| (?P<published>[^|]+)\|")


def real_configs(record: Path = CONFIG_RECORD) -> dict[str, list[str]]:
    """family -> the published repositories of the real configs it is tested on (from the record)."""
    found: dict[str, list[str]] = {}
    for line in record.read_text(encoding="utf-8").splitlines():
        match = _ROW.match(line)
        if match:
            family = MODEL_TYPE_ALIASES.get(match["family"], match["family"])
            found.setdefault(family, []).append(match["published"].strip())
    return found


def families_markdown(record: Path = CONFIG_RECORD) -> str:
    """The whole page, as Markdown."""
    sources = real_configs(record)
    lines = [
        "# Formula families",
        "",
        "`modelfacts count` and the build's derive stage count these families with exact, vectorized formulas",
        "(`pipeline/formula/models/<family>.py`). Every one is compared with transformers' own count on the",
        "`meta` device: on the real published configs listed here (where each was read:",
        "`tests/fixtures/configs/README.md`) and on random small configs drawn by hypothesis",
        "(`tests/test_formula_properties.py`, `tests/test_formula_oracle.py`). Any other `model_type`",
        "transformers implements is counted by building it on the `meta` device (`method: transformers`).",
        "",
        "| family | class counted by default | real configs tested | what is particular |",
        "| --- | --- | --- | --- |",
    ]
    for name, family in FAMILIES.items():
        tested = ", ".join(sources.get(name, [])) or "none yet (property tests only)"
        notes = family.notes.replace("|", "\\|")
        lines.append(f"| `{name}` | {family.cls} | {tested} | {notes} |")
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    PAGE.write_text(families_markdown(), encoding="utf-8")
