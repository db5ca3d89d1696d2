"""`modelfacts cite`: dataset, version, claim, value as written, status, source and locator; stable IDs;
CITATION.cff valid and in step with the dataset."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from pipeline.cite import DATASET_AUTHOR, DATASET_TITLE
from tests.conftest import REPO, run_cli

CLAIM = "example-model.params_total.example-paper"
CFFCONVERT = REPO / ".venv" / "cffconvert" / "bin" / "cffconvert"


@pytest.fixture
def built(tree: Path, monkeypatch) -> Path:
    source = tree / "data/sources/example-paper.yaml"
    source.write_text(source.read_text() + "url: https://example.org/paper\narxiv: '2307.09288'\n")
    status, _, err = run_cli(["build"], tree, monkeypatch)
    assert status == 0, err
    return tree


def test_text_citation_names_everything(built, monkeypatch):
    status, out, err = run_cli(["cite", CLAIM], built, monkeypatch)
    assert (status, err) == (0, "")
    assert out == (
        f"{DATASET_AUTHOR}. Model Facts, version 0.1.0. Claim {CLAIM}.\n"
        "  Claim:   Example Model (example-model), params_total: \"70B\" (confirmed)\n"
        "  Source:  A. Author, B. Author. \"An example paper used by the test suite\". Paper, 2023-07-18. "
        "https://example.org/paper; arXiv:2307.09288.\n"
        "  Locator: Table 1\n")


def test_json_bibtex_and_apa(built, monkeypatch):
    status, out, _ = run_cli(["cite", CLAIM, "--style", "json"], built, monkeypatch)
    data = json.loads(out)
    assert data["dataset"]["title"] == DATASET_TITLE and data["dataset"]["version"] == "0.1.0"
    assert data["claim"] == {"id": CLAIM, "model_id": "example-model", "model_name": "Example Model",
                             "field": "params_total", "unit": "parameters", "value_as_written": "70B",
                             "status": "confirmed", "attributed_to": None, "locator": "Table 1", "note": None}
    assert data["source"] == {"id": "example-paper", "title": "An example paper used by the test suite",
                              "authors": ["A. Author", "B. Author"], "publisher": None, "published": "2023-07-18",
                              "kind": "paper", "url": "https://example.org/paper", "arxiv": "2307.09288",
                              "repository": None, "path": None}
    status, out, _ = run_cli(["cite", CLAIM, "--style", "bibtex"], built, monkeypatch)
    assert status == 0
    assert out.startswith("@misc{modelfacts_0_1_0_example_model_params_total_example_paper,\n")
    assert "  author       = {{Model Facts contributors}},\n" in out
    assert "  version      = {0.1.0},\n" in out
    assert r"params\_total = ``70B'' (confirmed)" in out and "Locator: Table 1." in out
    assert out.count("{") == out.count("}")
    status, out, _ = run_cli(["cite", CLAIM, "--style", "apa"], built, monkeypatch)
    assert status == 0
    assert "Model Facts (Version 0.1.0) [Data set]. Claim example-model.params_total.example-paper:" in out
    assert ("Original source: A. Author, & B. Author. (2023, July 18). An example paper used by the test suite "
            "[Paper]. https://example.org/paper; arXiv:2307.09288") in out


def test_an_undated_article_by_an_unknown_publisher(built, monkeypatch):
    status, out, _ = run_cli(["cite", "example-model.training_tokens.example-article", "--style", "apa"], built,
                             monkeypatch)
    assert status == 0
    assert "Original source: Unknown author. (n.d.). An example article used by the test suite [Article]." in out


def test_unknown_claim_is_one_line_with_close_matches(built, monkeypatch):
    status, out, err = run_cli(["cite", "example-model.params_total.example-papr"], built, monkeypatch)
    assert (status, out) == (1, "")
    assert err == ("unknown claim id 'example-model.params_total.example-papr'; "
                   f"did you mean {CLAIM}, example-moe.params_total.example-paper, "
                   "example-moe.params_active.example-paper?\n")
    status, _, err = run_cli(["cite", "example-moe"], built, monkeypatch)
    assert status == 1 and err.count("\n") == 1 and "example-moe.params_total.example-paper" in err
    status, _, err = run_cli(["cite", "zzzz"], built, monkeypatch)
    assert status == 1 and err.startswith("unknown claim id 'zzzz';") and err.count("\n") == 1


def test_missing_and_stale_database(tree, monkeypatch):
    status, _, err = run_cli(["cite", CLAIM], tree, monkeypatch)
    assert status == 1 and "run `modelfacts build` first" in err
    run_cli(["build"], tree, monkeypatch)
    database = tree / "dist/modelfacts.duckdb"
    os.utime(database, (database.stat().st_mtime - 10,) * 2)
    (tree / "data/sources/example-paper.yaml").touch()
    status, _, err = run_cli(["cite", CLAIM], tree, monkeypatch)
    assert status == 0 and "data/ changed after" in err


def test_claim_ids_and_citations_survive_edits_elsewhere(tmp_path, monkeypatch):
    """Stable IDs: editing other claims (even in the same file, above this one) and other files changes
    neither the claim's ID nor its citation."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "data", root / "data")
    run_cli(["build"], root, monkeypatch)
    claim_id = "llama-2-70b.training_tokens.llama-2-model-card"
    model = root / "data/models/meta/llama-2-70b.yaml"
    if not model.exists():  # the dataset changed: fall back to the first claim of the first model file
        status, out, _ = run_cli(["query", "SELECT claim_id, file FROM claims ORDER BY claim_id LIMIT 1",
                                  "--format", "json"], root, monkeypatch)
        row = json.loads(out)[0]
        claim_id, model = row["claim_id"], root / row["file"]
    citations = {style: run_cli(["cite", claim_id, "--style", style], root, monkeypatch)[1]
                 for style in ("text", "bibtex", "apa", "json")}
    row = json.loads(run_cli(["query", f"SELECT line, source_id FROM claims WHERE claim_id = '{claim_id}'",
                              "--format", "json"], root, monkeypatch)[1])[0]
    line_before, source = row["line"], row["source_id"]
    # a new claim at the top of the same file, another claim's value and note changed, another file edited
    text = model.read_text()
    document = yaml.safe_load(text)
    others = [c for c in document["claims"] if f"{document['id']}.{c['field']}.{c['source']}" != claim_id]
    text = text.replace("claims:\n", "claims:\n  - field: training_duration_days\n    value: \"30\"\n"
                        f"    status: rumored\n    source: {source}\n"
                        "    locator: \"A new locator\"\n    key: inserted-for-test\n", 1)
    if others:
        first = others[0]
        text = text.replace(f"locator: {json.dumps(first['locator'])}",
                            f"locator: {json.dumps(first['locator'] + ' (edited)')}", 1)
    model.write_text(text)
    organizations = root / "data/organizations.yaml"
    organizations.write_text(organizations.read_text() + "  - id: zz-test\n    name: Test Org\n")
    status, out, err = run_cli(["build"], root, monkeypatch)
    assert status == 0, out + err
    line_after = json.loads(run_cli(["query", f"SELECT line FROM claims WHERE claim_id = '{claim_id}'",
                                     "--format", "json"], root, monkeypatch)[1])[0]["line"]
    assert line_after > line_before  # the claim moved in its file...
    for style, before in citations.items():  # ...and its ID and citation did not change
        status, after, _ = run_cli(["cite", claim_id, "--style", style], root, monkeypatch)
        assert (status, after) == (0, before), style


# ---------------------------------------------------------------- CITATION.cff

def test_citation_cff_is_valid():
    """cffconvert lives in its own virtualenv (make test creates it: it pins an old jsonschema)."""
    if not CFFCONVERT.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CFFCONVERT} is missing: CI must run `make test`, which installs it")
        pytest.skip("cffconvert is not installed; run `make test` (or make .venv/cffconvert/.installed)")
    result = subprocess.run([str(CFFCONVERT), "--validate", "-i", str(REPO / "CITATION.cff")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid" in result.stdout


def test_citation_cff_agrees_with_the_dataset():
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0" and cff["type"] == "dataset"
    assert cff["title"] == DATASET_TITLE
    assert [author["name"] for author in cff["authors"]] == [DATASET_AUTHOR]
    assert str(cff["version"]) == (REPO / "data/VERSION").read_text().strip()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(cff["date-released"]))
    assert "modelfacts cite" in cff["message"]


@pytest.fixture
def with_alias_and_a_wrong_claim(tree: Path, monkeypatch) -> Path:
    """The fixture tree with an alias for example-model and a weights claim the checks find inconsistent:
    70B parameters x 2 bytes = 140 GB, not 120 GB."""
    model = tree / "data/models/meta/example-model.yaml"
    text = model.read_text().replace("open_weights: true\n", "open_weights: true\naliases: [Example-Model-70B-hf]\n")
    model.write_text(text + '  - field: weights_gb_fp16\n    value: "120 GB"\n    status: confirmed\n'
                            "    source: example-paper\n    locator: Table 2\n")
    status, _, err = run_cli(["build"], tree, monkeypatch)
    assert status == 0, err
    return tree


WRONG = "example-model.weights_gb_fp16.example-paper"


def test_a_claim_id_typed_with_a_model_alias_resolves(with_alias_and_a_wrong_claim, monkeypatch):
    typed = "Example-Model-70B-hf.params_total.example-paper"
    status, out, err = run_cli(["cite", typed, "--style", "json"], with_alias_and_a_wrong_claim, monkeypatch)
    assert (status, err) == (0, "")
    assert json.loads(out)["claim"]["id"] == CLAIM
    # a repository name works too; a wrong rest still gets the closest real IDs
    status, out, _ = run_cli(["cite", "meta-llama/example-model-70b-hf.params_total.example-paper"],
                             with_alias_and_a_wrong_claim, monkeypatch)
    assert status == 0 and f"Claim {CLAIM}." in out
    status, _, err = run_cli(["cite", "Example-Model-70B-hf.params_totl.example-paper"],
                             with_alias_and_a_wrong_claim, monkeypatch)
    assert status == 1 and "did you mean" in err


def test_citing_an_inconsistent_claim_says_so_in_every_style(with_alias_and_a_wrong_claim, monkeypatch):
    root = with_alias_and_a_wrong_claim
    status, out, _ = run_cli(["cite", WRONG, "--style", "json"], root, monkeypatch)
    checks = json.loads(out)["checks"]
    assert status == 0 and checks["verdict"] == "inconsistent" and checks["severity"] == "minor"
    assert "140" in checks["detail"]
    status, out, _ = run_cli(["cite", WRONG], root, monkeypatch)
    assert out.splitlines()[-1] == f"  Checks:  The checks found this claim inconsistent ({checks['severity']}): " \
                                   f"{checks['detail']}"
    status, out, _ = run_cli(["cite", WRONG, "--style", "apa"], root, monkeypatch)
    assert out.splitlines()[-1].startswith("Note: The checks found this claim inconsistent")
    status, out, _ = run_cli(["cite", WRONG, "--style", "bibtex"], root, monkeypatch)
    note = next(line for line in out.splitlines() if line.startswith("  note"))
    assert "The checks found this claim inconsistent" in note and out.count("{") == out.count("}")
    # a claim no check faults carries no such line
    status, out, _ = run_cli(["cite", CLAIM], root, monkeypatch)
    assert "inconsistent" not in out
    assert json.loads(run_cli(["cite", CLAIM, "--style", "json"], root, monkeypatch)[1])["checks"]["verdict"] != \
        "inconsistent"


def test_bibtex_has_the_source_url_as_written(built, monkeypatch):
    source = built / "data/sources/example-paper.yaml"
    source.write_text(source.read_text().replace("url: https://example.org/paper",
                                                 "url: https://example.org/a_paper?id=1%2F2"))
    run_cli(["build"], built, monkeypatch)
    status, out, _ = run_cli(["cite", CLAIM, "--style", "bibtex"], built, monkeypatch)
    assert status == 0 and "  url          = {https://example.org/a_paper?id=1%2F2},\n" in out


def test_bibtex_url_falls_back_to_the_arxiv_page_and_is_absent_without_an_address(tree, monkeypatch):
    source = tree / "data/sources/example-paper.yaml"
    source.write_text(source.read_text() + "arxiv: '2307.09288'\n")
    run_cli(["build"], tree, monkeypatch)
    status, out, _ = run_cli(["cite", CLAIM, "--style", "bibtex"], tree, monkeypatch)
    assert "  url          = {https://arxiv.org/abs/2307.09288},\n" in out
    status, out, _ = run_cli(["cite", "example-model.training_tokens.example-article", "--style", "bibtex"], tree,
                             monkeypatch)
    assert status == 0 and "url " not in out
