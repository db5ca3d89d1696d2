"""`modelfacts fmt`: canonical key order and layout, every value preserved exactly, idempotent."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline.fmt import format_text, plain_ok
from pipeline.load import data_files, load
from pipeline.validate import validate
from pipeline.load.yaml_reader import parse_text
from tests.conftest import REPO, run_cli

BOOKKEEPING = {"line", "lines"}  # where a value sits, which formatting may move


def loader_tables(data: Path) -> dict[str, pd.DataFrame]:
    """The loader's raw tables without line numbers, rows in file order."""
    dataset = load(data)
    return {name: table.drop(columns=[c for c in table.columns if c in BOOKKEEPING]).reset_index(drop=True)
            for name, table in dataset.tables.items()}, dataset


def assert_same_tables(before: dict, after: dict) -> None:
    for name in before:
        pd.testing.assert_frame_equal(before[name], after[name], check_exact=True, obj=name)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A copy of the repository's data/."""
    shutil.copytree(REPO / "data", tmp_path / "data")
    return tmp_path


def test_fmt_then_load_gives_identical_tables_for_the_real_dataset(data_copy, monkeypatch):
    before, dataset = loader_tables(data_copy / "data")
    typed_before = validate(dataset) if not dataset.errors else None
    status, _, err = run_cli(["fmt"], data_copy, monkeypatch)
    assert status == 0, err
    after, dataset_after = loader_tables(data_copy / "data")
    assert_same_tables(before, after)
    assert [(e.file, e.path, e.message) for e in dataset.errors] == \
           [(e.file, e.path, e.message) for e in dataset_after.errors]
    if typed_before is not None:  # the validated, published tables too (values as written, notes, locators, dates)
        typed_after = validate(dataset_after)
        for name, table in typed_before.items():
            columns = [c for c in table.columns if c != "line"]
            pd.testing.assert_frame_equal(table[columns], typed_after[name][columns], check_exact=True, obj=name)
    # every scalar reads back with the same type and value (booleans stay booleans, dates stay dates)
    for path in data_files(REPO / "data"):
        original = parse_text(path.read_text(encoding="utf-8")).data
        formatted = parse_text((data_copy / path.relative_to(REPO)).read_text(encoding="utf-8")).data
        assert typed_equal(original, formatted, path.name), path


def typed_equal(a, b, where: str) -> bool:
    """Deep equality that also compares types (True is not 1, a date is not its text)."""
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(typed_equal(a[k], b[k], where) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(typed_equal(x, y, where) for x, y in zip(a, b))
    if type(a) is not type(b):
        # a claim's value may be written unquoted (a number) before and is always quoted after
        return str(a) == str(b) and isinstance(b, str)
    return a == b or (a != a and b != b)


def test_fmt_is_idempotent_on_every_real_file():
    for path in data_files(REPO / "data"):
        once = format_text(path.read_text(encoding="utf-8"))
        assert format_text(once) == once, path


def test_canonical_layout_and_values_as_written():
    text = """\
claims:
- locator: Table 1
  source: example-paper
  status: confirmed
  value: 1720320
  field: training_gpu_hours
- value: 1.0e5
  field: params_total
  note: >-
    A folded note that spans
    two lines.
  status: rumored
  source: example-paper
  locator: 'Section 2: "Results" # not a comment'
architecture:
  hf_config:
    vocab_size: 32000
    model_type: llama
    rms_norm_eps: 1.0e-05
    architectures:
    - LlamaForCausalLM
    rope_scaling: ~
    tie_word_embeddings: no
    odd: "yes"
  source: example-paper
open_weights: yes
released: 2023-07-18
domain: language
organization: meta
name: "Example"
id: example
aliases: ["Ex-1", 'Ex 2', '2023']
schema_version: 1
"""
    assert format_text(text, "model") == """\
schema_version: 1
id: example
name: Example
organization: meta
released: 2023-07-18
domain: language
open_weights: true
aliases: [Ex-1, "Ex 2", "2023"]
architecture:
  source: example-paper
  hf_config:
    vocab_size: 32000
    model_type: llama
    rms_norm_eps: 1.0e-05
    architectures: [LlamaForCausalLM]
    rope_scaling: null
    tie_word_embeddings: false
    odd: "yes"
claims:
  - field: training_gpu_hours
    value: "1720320"
    status: confirmed
    source: example-paper
    locator: "Table 1"
  - field: params_total
    value: "1.0e5"
    status: rumored
    source: example-paper
    locator: "Section 2: \\"Results\\" # not a comment"
    note: "A folded note that spans two lines."
"""


def test_sources_keep_dates_and_identifiers_as_written():
    text = "kind: paper\npublished: 2023-07\narxiv: '2307.09288'\ntitle: 'Llama 2: Open'\nid: x\nschema_version: 1\n" \
           "authors: [A. Author, 'B. Author']\nurl: https://arxiv.org/abs/2307.09288\n"
    assert format_text(text) == ('schema_version: 1\nid: x\ntitle: "Llama 2: Open"\nauthors: ["A. Author", "B. Author"]\n'
                                 'published: 2023-07\nkind: paper\nurl: https://arxiv.org/abs/2307.09288\n'
                                 'arxiv: "2307.09288"\n')
    assert format_text("schema_version: 1\nid: x\npublished: 2023\n", "source") == \
        "schema_version: 1\nid: x\npublished: 2023\n"
    # a quoted date is the same date: written bare, as export writes it (issue 18: fmt is canonical)
    assert format_text("schema_version: 1\nid: x\npublished: '2023'\n", "source") == \
        "schema_version: 1\nid: x\npublished: 2023\n"
    assert format_text("schema_version: 1\nid: x\npublished: \"2020-03-11\"\n", "source") == \
        "schema_version: 1\nid: x\npublished: 2020-03-11\n"
    # text that is no date stays text
    assert parse_text(format_text("schema_version: 1\nid: x\npublished: \"undated\"\n", "source")).data["published"] \
        == "undated"


def test_organizations_are_sorted_by_id():
    text = ("schema_version: 1\norganizations:\n  - id: zeta\n    name: Zeta\n  - id: alpha\n    name: Alpha\n")
    assert format_text(text, "organizations") == (
        "schema_version: 1\norganizations:\n  - id: alpha\n    name: Alpha\n  - id: zeta\n    name: Zeta\n")


@pytest.mark.parametrize("text", ["yes", "No", "on", "null", "~", "1e-05", "0x1F", "0o17", "1_000", "12:30",
                                  ".inf", "2023-07-18", "true", "", " lead", "trail ", "a: b", "a #b", "- x",
                                  "[x]", "{x}", "two words", "multi\nline", "'quote", "@at", "`tick"])
def test_text_that_could_read_as_something_else_is_quoted(text):
    assert not plain_ok(text)
    document = f"schema_version: 1\nid: x\ntitle: {format_text_value(text)}\n"
    assert parse_text(format_text(document, "source")).data["title"] == text


def format_text_value(text: str) -> str:
    import json

    return json.dumps(text)


@pytest.mark.parametrize("text", ["llama-2-70b", "https://example.com/a?b=c", "meta-llama/llama", "A100-80GB",
                                  "config.json", "Llama-2-70b-hf"])
def test_single_words_stay_plain(text):
    assert plain_ok(text)


def test_check_lists_files_and_changes_nothing(tree, monkeypatch):
    model = tree / "data/models/meta/example-model.yaml"
    before = model.read_text()
    status, out, err = run_cli(["fmt", "--check"], tree, monkeypatch)
    assert status == 1
    assert "data/models/meta/example-model.yaml" in out.splitlines()
    assert "would be reformatted" in err
    assert model.read_text() == before
    status, out, _ = run_cli(["fmt"], tree, monkeypatch)
    assert status == 0 and "formatted data/models/meta/example-model.yaml" in out
    status, out, err = run_cli(["fmt", "--check"], tree, monkeypatch)
    assert (status, out) == (0, "") and "already formatted" in err
    status, _, _ = run_cli(["fmt", "--check", "data/models/meta/example-model.yaml"], tree, monkeypatch)
    assert status == 0


def test_fmt_on_the_fixture_tree_keeps_the_published_tables(tree, monkeypatch):
    run_cli(["build", "--out", "before"], tree, monkeypatch)
    run_cli(["fmt"], tree, monkeypatch)
    run_cli(["build", "--out", "after"], tree, monkeypatch)
    import duckdb

    tables = []
    for out in ("before", "after"):
        with duckdb.connect(str(tree / out / "modelfacts.duckdb"), read_only=True) as db:
            tables.append({t: db.execute(f"SELECT * EXCLUDE (line) FROM {t}" if t == "claims" else f"SELECT * FROM {t}")
                           .fetchall() for t in ("models", "claims", "sources", "checks", "derived")})
    assert tables[0] == tables[1]


def test_unreadable_files_are_reported_not_touched(tree, monkeypatch):
    broken = tree / "data/models/meta/broken.yaml"
    broken.write_text("schema_version: 1\nid: broken\nid: again\n")
    status, _, err = run_cli(["fmt"], tree, monkeypatch)
    assert status == 2
    assert "data/models/meta/broken.yaml:3: cannot format: duplicate key 'id'" in err
    assert broken.read_text() == "schema_version: 1\nid: broken\nid: again\n"
    status, _, err = run_cli(["fmt", "data/models/meta/missing.yaml"], tree, monkeypatch)
    assert status == 2 and "missing.yaml: no such file" in err


def test_comments_are_kept_unless_dropping_them_is_asked_for(tree, monkeypatch):
    model = tree / "data/models/meta/example-model.yaml"
    commented = "# a remark\n" + model.read_text().replace("domain: language", "domain: language  # why")
    model.write_text(commented)
    status, out, err = run_cli(["fmt", str(model)], tree, monkeypatch)
    assert (status, out) == (2, "")
    assert err == ("data/models/meta/example-model.yaml: cannot format: the file has 2 comment lines, which the "
                   "canonical layout drops; move lasting remarks into a `note:`, or run `modelfacts fmt "
                   "--drop-comments` to drop them\nformatted 0 of 1 file\n")
    assert model.read_text() == commented
    status, out, _ = run_cli(["fmt", "--drop-comments", str(model)], tree, monkeypatch)
    assert status == 0
    assert "removed 2 comment lines" in out
    assert "#" not in model.read_text()


def test_repository_data_is_formatted(monkeypatch):
    """CI fails on unformatted data files: run `modelfacts fmt` before committing."""
    status, out, err = run_cli(["fmt", "--check"], REPO, monkeypatch)
    assert status == 0, f"unformatted files (run `.venv/bin/modelfacts fmt`):\n{out}{err}"
