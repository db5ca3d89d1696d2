"""`modelfacts diff`: models, claims, sources and verdicts that differ between two builds."""
from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest

from pipeline.build import build
from pipeline.diff import Side, diff_databases, next_version, render
from tests.conftest import run_cli

MODEL = "data/models/meta/example-model.yaml"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def edit(tree: Path, relative: str, old: str, new: str) -> None:
    path = tree / relative
    text = path.read_text()
    assert old in text, (relative, old)
    path.write_text(text.replace(old, new, 1))


@pytest.fixture
def two_builds(tree: Path) -> tuple[Path, Path, Path]:
    """The fixture tree built before and after a round of edits."""
    old = build(tree, tree / "old")
    edit(tree, MODEL, 'value: "70B"', 'value: "69B"')                     # a correction
    edit(tree, MODEL, "locator: Section 2", "locator: Section 2.1")        # a locator fix
    (tree / MODEL).write_text((tree / MODEL).read_text() + """\
  - field: context_length
    value: "4k"
    status: confirmed
    source: example-paper
    locator: Table 1
""")                                                                       # a new claim, of a new field
    (tree / "data/models/meta/second-model.yaml").write_text("""\
schema_version: 1
id: second-model
name: Second Model
organization: meta
released: 2024
domain: language
open_weights: false
claims:
  - field: params_total
    value: "7B"
    status: rumored
    source: example-article
    locator: Paragraph 3
""")                                                                       # a new model
    moe = tree / "data/models/mistral/example-moe.yaml"
    moe.write_text(moe.read_text().split("  - field: params_active")[0])   # a claim removed
    edit(tree, "data/sources/example-paper.yaml", "title: An example paper", "title: The example paper")
    new = build(tree, tree / "new")
    return tree, old, new


def test_every_kind_of_change_is_reported(two_builds):
    _, old, new = two_builds
    result = diff_databases(Side(old, "old"), Side(new, "new"))
    tables = result["tables"]
    assert [row["id"] for row in tables["models"]["added"]] == ["second-model"]
    assert tables["models"]["added"][0]["name"] == "Second Model"
    assert tables["models"]["removed"] == [] and tables["models"]["changed"] == []
    assert [row["id"] for row in tables["claims"]["added"]] == ["example-model.context_length.example-paper",
                                                               "second-model.params_total.example-article"]
    assert [row["id"] for row in tables["claims"]["removed"]] == ["example-moe.params_active.example-paper"]
    changed = {row["id"]: row for row in tables["claims"]["changed"]}
    assert set(changed) == {"example-model.params_total.example-paper", "example-model.training_tokens.example-article"}
    correction = changed["example-model.params_total.example-paper"]
    assert (correction["old_value"], correction["new_value"]) == ("70B", "69B")
    assert correction["columns"] == ["as_written", "value", "precision"]
    assert correction["changes"][0] == {"column": "as_written", "old": "70B", "new": "69B"}
    locator = changed["example-model.training_tokens.example-article"]
    assert locator["columns"] == ["locator"] and locator["old_value"] == locator["new_value"] == "2 trillion tokens"
    assert tables["sources"]["changed"] == [{"id": "example-paper", "columns": ["title"], "changes": [
        {"column": "title", "old": "An example paper used by the test suite",
         "new": "The example paper used by the test suite"}]}]
    verdicts = {v["check_id"]: (v["old"], v["new"]) for v in result["verdicts"]}
    assert verdicts["example-moe.params_active.example-paper:moe_active"] == ("consistent", None)
    assert verdicts["example-moe.params_active.example-paper:formula_params"] == ("unverifiable", None)
    assert result["new_fields"] == ["context_length"]
    assert result["bump"] == "minor"


def test_identical_builds_have_no_differences(tree):
    first, second = build(tree, tree / "a"), build(tree, tree / "b")
    result = diff_databases(Side(first, "a"), Side(second, "b"))
    assert result["bump"] is None
    assert "no differences" in render(result, "text")
    assert "No data changes." in render(result, "markdown")
    same = diff_databases(Side(first, "a"), Side(first, "a"))  # one file attached twice
    assert same["bump"] is None


def test_corrections_alone_are_a_patch(tree):
    old = build(tree, tree / "old")
    moe = tree / "data/models/mistral/example-moe.yaml"
    moe.write_text(moe.read_text().replace("value: 13B", "value: 60B").replace("value: 47B", "value: 70B"))
    new = build(tree, tree / "new")
    result = diff_databases(Side(old, "old"), Side(new, "new"))
    assert result["bump"] == "patch" and next_version("0.1.0", "patch") == "0.1.1"
    assert {row["id"] for row in result["tables"]["claims"]["changed"]} == {
        "example-moe.params_active.example-paper", "example-moe.params_total.example-paper"}
    text = render(result, "text")
    assert '  ~ example-moe.params_active.example-paper\n      as_written: "13B" -> "60B"\n' \
           '      (also value, precision)\n' in text
    # derived quantities follow the claims they come from
    assert "  ~ example-moe chinchilla_optimal_tokens\n      value: 260000000000.0 -> 1200000000000.0" in text


def test_formats(two_builds, monkeypatch):
    tree, old, new = two_builds
    before = digest(old), digest(new)
    status, text, _ = run_cli(["diff", str(old), str(new)], tree, monkeypatch)
    assert status == 0
    assert text.splitlines()[0] == f"Model Facts 0.1.0 ({old}) -> 0.1.0 ({new})"
    assert "suggested version bump: minor (0.1.0 -> 0.2.0)" in text
    assert "Models added (1):\n  + second-model: \"Second Model\", \"meta\"" in text
    assert "Claims removed (1):\n  - example-moe.params_active.example-paper: \"13B\" (confirmed)" in text
    assert '      as_written: "70B" -> "69B"' in text
    assert '      locator: "Section 2" -> "Section 2.1"' in text
    status, markdown, _ = run_cli(["diff", str(old), str(new), "--format", "markdown"], tree, monkeypatch)
    assert status == 0 and markdown.startswith("### Model Facts data diff")
    assert "| `example-model.params_total.example-paper` | as_written | \"70B\" | \"69B\" |" in markdown
    assert "#### Verdicts changed" in markdown
    status, raw, _ = run_cli(["diff", str(old), str(new), "--format", "json"], tree, monkeypatch)
    assert status == 0 and json.loads(raw)["bump"] == "minor"
    assert (digest(old), digest(new)) == before  # both attached read-only


def test_argument_errors(tree, monkeypatch):
    status, _, err = run_cli(["diff", "only-one.duckdb"], tree, monkeypatch)
    assert status == 2 and "--base" in err
    status, _, err = run_cli(["diff", "a.duckdb", "b.duckdb"], tree, monkeypatch)
    assert status == 1 and "a.duckdb: no such database" in err
    status, _, err = run_cli(["diff", "--base", "HEAD"], tree, monkeypatch)  # not a git repository
    assert status == 1 and err.startswith(f"--base HEAD: {tree.resolve()} is not a git repository")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=Test", "-c", "user.email=test@example.org",
                           "-c", "commit.gpgsign=false", *args], check=True, capture_output=True, text=True).stdout


def test_base_builds_a_git_ref_and_compares_the_working_tree(tree, monkeypatch):
    git(tree, "init", "-q", "-b", "main")
    git(tree, "add", "data")
    git(tree, "commit", "-q", "-m", "first")
    edit(tree, MODEL, 'value: "70B"', 'value: "71B"')
    status, out, err = run_cli(["diff", "--base", "HEAD", "--format", "json"], tree, monkeypatch)
    assert status == 0, err
    result = json.loads(out)
    assert result["old"]["label"].startswith("HEAD (") and result["new"]["label"] == "working tree"
    assert [(row["id"], row["old_value"], row["new_value"]) for row in result["tables"]["claims"]["changed"]] == [
        ("example-model.params_total.example-paper", "70B", "71B")]
    status, _, err = run_cli(["diff", "--base", "no-such-ref"], tree, monkeypatch)
    assert status == 1 and err == (f"--base no-such-ref: no such branch, tag or commit in {tree.resolve()}; "
                                   "list the branches with `git branch -a` (or tags with `git tag`)\n")


def test_base_json_names_the_ref_commit_and_the_working_tree_head(tree, monkeypatch):
    git(tree, "init", "-q", "-b", "main")
    git(tree, "add", "data")
    git(tree, "commit", "-q", "-m", "first")
    first = git(tree, "rev-parse", "HEAD").strip()
    edit(tree, MODEL, 'value: "70B"', 'value: "71B"')
    git(tree, "commit", "-q", "-am", "second")
    second = git(tree, "rev-parse", "HEAD").strip()
    assert first != second
    status, out, err = run_cli(["diff", "--base", "main~1", "--format", "json"], tree, monkeypatch)
    assert status == 0, err
    result = json.loads(out)
    assert (result["old"]["ref"], result["old"]["git_commit"]) == ("main~1", first)
    assert result["old"]["label"].startswith(f"main~1 ({first[:12]}")
    assert (result["new"]["label"], result["new"]["git_commit"]) == ("working tree", second)


def test_a_ref_whose_pipeline_cannot_build_is_built_with_the_current_one(tree, monkeypatch):
    (tree / "pipeline").mkdir()
    (tree / "pipeline/__init__.py").write_text("")
    (tree / "pipeline/build.py").write_text("raise ImportError('an old, broken pipeline')\n")
    git(tree, "init", "-q", "-b", "main")
    git(tree, "add", ".")
    git(tree, "commit", "-q", "-m", "broken pipeline")
    status, out, err = run_cli(["diff", "--base", "HEAD"], tree, monkeypatch)
    assert status == 0, err
    assert "note: the pipeline at HEAD cannot build (ImportError: an old, broken pipeline)" in err
    assert "built with the working tree's pipeline" in out.splitlines()[0]
    assert "no differences" in out
