"""`modelfacts export`: the database back out as data/ YAML files; data/ -> build -> export -> build round trip."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline.build import build, build_tables
from pipeline.fmt import format_text
from pipeline.load import data_files
from pipeline.load.yaml_reader import parse_text
from tests.conftest import FIXTURES, REPO, run_cli

ROUND_TRIP = ("models", "claims", "sources", "organizations", "architectures", "hardware")


def round_trip(root: Path, tmp: Path) -> tuple[dict, dict, Path]:
    """Build root's data/, export the database, build the export: both sets of tables and the export folder."""
    database = build(root, tmp / "dist")
    exported = tmp / "exported"
    from pipeline.export import export

    export(database, exported)
    return build_tables(root), build_tables(exported), exported


def assert_same(before: dict, after: dict, skip: set[str] = frozenset()) -> None:
    for name in ROUND_TRIP:
        columns = [c for c in before[name].columns if c not in skip]
        key = columns[0]
        left = before[name][columns].sort_values(key, kind="stable").reset_index(drop=True)
        right = after[name][columns].sort_values(key, kind="stable").reset_index(drop=True)
        pd.testing.assert_frame_equal(left, right, check_exact=True, obj=name)


def test_round_trip_of_the_fixture_tree(tree, tmp_path):
    before, after, exported = round_trip(tree, tmp_path / "work")
    # files written by people: everything but the line numbers survives
    assert_same(before, after, skip={"line"})
    assert (exported / "data/VERSION").read_text().strip() == (tree / "data/VERSION").read_text().strip()
    assert sorted(p.relative_to(exported).as_posix() for p in data_files(exported / "data")) == \
        sorted(p.relative_to(tree).as_posix() for p in data_files(tree / "data"))


def test_round_trip_of_the_formatted_fixture_tree_keeps_lines_and_files(tree, tmp_path, monkeypatch):
    run_cli(["fmt"], tree, monkeypatch)
    before, after, exported = round_trip(tree, tmp_path / "work")
    assert_same(before, after)  # lines too
    for path in data_files(tree / "data"):
        assert (exported / path.relative_to(tree)).read_text() == path.read_text(), path


def test_round_trip_of_the_real_dataset(tmp_path, monkeypatch):
    root = tmp_path / "repo"
    # curated files only: imported snapshots stay out of an export (tests/test_epoch.py checks that split)
    shutil.copytree(REPO / "data", root / "data", ignore=shutil.ignore_patterns("imports"))
    before, after, exported = round_trip(root, tmp_path / "work")
    assert_same(before, after)
    # data/ is kept formatted (make fmt-check), and fmt's layout is the one export writes: every file comes
    # back byte for byte (hf_config keys in published order, dates bare, organizations sorted by id)
    assert run_cli(["fmt", "--check"], root, monkeypatch)[0] == 0
    originals = sorted(path.relative_to(root).as_posix() for path in data_files(root / "data"))
    assert sorted(path.relative_to(exported).as_posix() for path in data_files(exported / "data")) == originals
    differing = [name for name in originals if (exported / name).read_bytes() != (root / name).read_bytes()]
    assert differing == []


def test_fmt_writes_the_layout_export_writes(tree, tmp_path, monkeypatch):
    """A quoted date, hf_config keys out of alphabetical order and unsorted organizations survive a round
    trip byte for byte once formatted."""
    model = tree / "data/models/meta/example-model.yaml"
    text = model.read_text()
    assert re.search(r"^released: ", text, re.MULTILINE)
    model.write_text(re.sub(r"^released: (\S+)$", lambda match: f'released: "{match.group(1).strip(chr(34))}"', text,
                            count=1, flags=re.MULTILINE))
    organizations = tree / "data/organizations.yaml"
    body = organizations.read_text()
    head, _, entries = body.partition("organizations:\n")
    blocks = re.split(r"(?m)^(?=  - )", entries)[1:]
    organizations.write_text(head + "organizations:\n" + "".join(reversed(blocks)))
    assert run_cli(["fmt"], tree, monkeypatch)[0] == 0
    assert re.search(r'^released: [^"]', model.read_text(), re.MULTILINE)
    database = build(tree, tmp_path / "dist")
    from pipeline.export import export

    export(database, tmp_path / "exported")
    for path in data_files(tree / "data"):
        assert (tmp_path / "exported" / path.relative_to(tree)).read_bytes() == path.read_bytes(), path


def normalized(data: dict) -> dict:
    """A file's data with dates as text (2023 and "2023", 2023-07-18 and "2023-07-18" are the same date)."""
    return {key: str(value) if key in ("released", "published") else value for key, value in data.items()}


def test_exported_files_are_in_canonical_layout(tree, tmp_path):
    _, _, exported = round_trip(tree, tmp_path / "work")
    for path in data_files(exported / "data"):
        assert format_text(path.read_text()) == path.read_text(), path


def test_export_command(tree, monkeypatch):
    status, _, err = run_cli(["export", "--db", "dist/modelfacts.duckdb", "--out", "copy"], tree, monkeypatch)
    assert status == 1 and "no database" in err
    run_cli(["build"], tree, monkeypatch)
    status, out, _ = run_cli(["export", "--db", "dist/modelfacts.duckdb", "--out", "copy"], tree, monkeypatch)
    assert status == 0 and out.startswith("wrote ")
    assert (tree / "copy/data/models/meta/example-model.yaml").exists()
    status, _, err = run_cli(["export", "--db", "dist/modelfacts.duckdb", "--out", "copy"], tree, monkeypatch)
    assert status == 1 and "not empty" in err
    status, out, _ = run_cli(["validate"], tree / "copy", monkeypatch)
    assert status == 0, out


@pytest.mark.parametrize("fixture", ["valid"])
def test_source_publisher_and_authors_survive(fixture, tmp_path):
    root = tmp_path / "tree"
    shutil.copytree(FIXTURES / fixture, root)
    source = root / "data/sources/example-paper.yaml"
    source.write_text(source.read_text() + "publisher: Example Press\nurl: https://example.org/paper\n"
                      "arxiv: '2307.09288'\nnote: 'A note: with a colon'\n")
    before, after, exported = round_trip(root, tmp_path / "work")
    assert_same(before, after, skip={"line"})
    data = parse_text((exported / "data/sources/example-paper.yaml").read_text()).data
    assert data["authors"] == ["A. Author", "B. Author"] and data["publisher"] == "Example Press"
    assert data["arxiv"] == "2307.09288" and data["published"].isoformat() == "2023-07-18"
    article = parse_text((exported / "data/sources/example-article.yaml").read_text()).data
    assert article["publisher"] == "unknown" and article["published"] == "undated" and "authors" not in article


def test_round_trip_of_a_generated_dataset(tmp_path):
    import sys

    sys.path.insert(0, str(REPO / "benchmarks"))
    from generate import generate

    root = tmp_path / "generated"
    generate(60, root, seed=7)
    before, after, _ = round_trip(root, tmp_path / "work")
    assert len(before["claims"]) == 600
    assert_same(before, after, skip={"line"})
