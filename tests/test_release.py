"""Releases: versioned artifacts with checksums, the changelog, and the CI / contribution plumbing."""
from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import duckdb
import pytest
import yaml

from pipeline.build import build
from pipeline.diff import Side, diff_databases
from pipeline.release import (CHANGELOG_HEADER, changelog_section, cli, first_release_section, section,
                              update_changelog)
from tests.conftest import REPO, run_cli

TABLES = ["architectures", "build_info", "checks", "claim_verdicts", "claims", "derived", "hardware",
          "model_summary", "models", "organizations", "sources"]


@pytest.fixture
def released(tree: Path, monkeypatch) -> Path:
    run_cli(["build"], tree, monkeypatch)
    status, out, err = run_cli(["release", "--db", "dist/modelfacts.duckdb", "--out", "dist/release"], tree, monkeypatch)
    assert status == 0, err
    assert out.splitlines() == [f"wrote dist/release/{name}" for name in (
        "modelfacts-0.1.0.duckdb", "modelfacts-0.1.0-parquet.zip", "modelfacts-0.1.0-csv.zip", "SHA256SUMS")]
    return tree / "dist/release"


def test_release_writes_versioned_artifacts_and_checksums(released):
    assert sorted(p.name for p in released.iterdir() if not p.name.startswith(".modelfacts-")) == [
        "SHA256SUMS", "modelfacts-0.1.0-csv.zip", "modelfacts-0.1.0-parquet.zip", "modelfacts-0.1.0.duckdb"]
    lines = (released / "SHA256SUMS").read_text().splitlines()
    assert len(lines) == 3
    for line in lines:
        digest, name = line.split("  ")
        assert hashlib.sha256((released / name).read_bytes()).hexdigest() == digest
    if shutil.which("sha256sum"):
        subprocess.run(["sha256sum", "--check", "--quiet", "SHA256SUMS"], cwd=released, check=True)


def test_bundles_hold_every_table_and_view(released):
    database = released / "modelfacts-0.1.0.duckdb"
    with duckdb.connect(str(database), read_only=True) as db:
        counts = {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in TABLES}
        version = db.execute("SELECT dataset_version FROM build_info").fetchone()[0]
    assert version == "0.1.0"
    with zipfile.ZipFile(released / "modelfacts-0.1.0-csv.zip") as bundle:
        assert bundle.namelist() == [f"modelfacts-0.1.0-csv/{t}.csv" for t in TABLES]
        for table in TABLES:
            rows = list(csv.DictReader(io.StringIO(bundle.read(f"modelfacts-0.1.0-csv/{table}.csv").decode())))
            assert len(rows) == counts[table], table
        claims = list(csv.DictReader(io.StringIO(bundle.read("modelfacts-0.1.0-csv/claims.csv").decode())))
        assert {row["claim_id"]: row["as_written"] for row in claims}["example-model.params_total.example-paper"] == "70B"
    with zipfile.ZipFile(released / "modelfacts-0.1.0-parquet.zip") as bundle:
        assert bundle.namelist() == [f"modelfacts-0.1.0-parquet/{t}.parquet" for t in TABLES]
        bundle.extractall(released / "unpacked")
    with duckdb.connect() as db:
        for table in TABLES:
            path = released / "unpacked" / "modelfacts-0.1.0-parquet" / f"{table}.parquet"
            assert db.execute(f"SELECT count(*) FROM '{path}'").fetchone()[0] == counts[table], table


def test_releases_are_reproducible_and_keep_the_previous_one(released, tree, monkeypatch):
    first = (released / "SHA256SUMS").read_text()
    run_cli(["release", "--db", "dist/modelfacts.duckdb", "--out", "again"], tree, monkeypatch)
    assert (tree / "again/SHA256SUMS").read_text() == first  # same database, same bytes
    (tree / "data/VERSION").write_text("0.1.1\n")
    run_cli(["build"], tree, monkeypatch)
    status, _, _ = run_cli(["release", "--db", "dist/modelfacts.duckdb", "--out", "dist/release"], tree, monkeypatch)
    assert status == 0
    assert sorted(p.name for p in released.iterdir() if not p.name.startswith(".modelfacts-")) == [
        "SHA256SUMS", "modelfacts-0.1.0-csv.zip", "modelfacts-0.1.0-parquet.zip", "modelfacts-0.1.0.duckdb",
        "modelfacts-0.1.1-csv.zip", "modelfacts-0.1.1-parquet.zip", "modelfacts-0.1.1.duckdb"]
    sums = (released / "SHA256SUMS").read_text()
    assert sums.startswith(first) and "modelfacts-0.1.1.duckdb" in sums  # the 0.1.0 lines are kept as they were


def test_release_errors(tree, monkeypatch):
    status, _, err = run_cli(["release"], tree, monkeypatch)
    assert status == 1 and "no database" in err
    (tree / "data/VERSION").write_text("one\n")
    run_cli(["build"], tree, monkeypatch)
    status, _, err = run_cli(["release"], tree, monkeypatch)
    assert status == 1 and "is not MAJOR.MINOR.PATCH" in err


def test_release_warns_when_changelog_or_citation_lag(tree, monkeypatch):
    (tree / "CHANGELOG.md").write_text(CHANGELOG_HEADER)
    (tree / "CITATION.cff").write_text("cff-version: 1.2.0\nversion: 0.0.9\n")
    run_cli(["build"], tree, monkeypatch)
    status, _, err = run_cli(["release"], tree, monkeypatch)
    assert status == 0
    assert "warning: CHANGELOG.md has no section for 0.1.0" in err
    assert "warning: CITATION.cff names version 0.0.9, the data is 0.1.0" in err


# ---------------------------------------------------------------- changelog

def test_update_changelog_inserts_newest_first_and_replaces(tmp_path):
    path = tmp_path / "CHANGELOG.md"
    update_changelog(path, "## 0.1.0 (2026-01-01)\n\nFirst release.\n", "0.1.0")
    update_changelog(path, "## 0.2.0 (2026-02-01)\n\nMore.\n", "0.2.0")
    update_changelog(path, "## 0.1.0 (2026-01-01)\n\nFirst release, recounted.\n", "0.1.0")
    text = path.read_text()
    assert text.startswith(CHANGELOG_HEADER)
    assert text.index("## 0.2.0") < text.index("## 0.1.0")
    assert section(text, "0.1.0") == "First release, recounted.\n"
    assert section(text, "0.2.0") == "More.\n"
    assert section(text, "9.9.9") is None
    update_changelog(path, "## 0.2.0 (2026-02-01)\n\nMore.\n", "0.2.0")
    assert path.read_text() == text  # idempotent


def test_changelog_section_from_a_diff(tree):
    old = build(tree, tree / "old")
    model = tree / "data/models/meta/example-model.yaml"
    model.write_text(model.read_text().replace('value: "70B"', 'value: "69B"'))
    (tree / "data/models/meta/second.yaml").write_text(
        "schema_version: 1\nid: second\nname: Second\norganization: meta\nreleased: 2024\ndomain: language\n"
        "open_weights: false\nclaims:\n  - field: params_total\n    value: \"7B\"\n    status: rumored\n"
        "    source: example-article\n    locator: Paragraph 3\n")
    new = build(tree, tree / "new")
    text = changelog_section(diff_databases(Side(old, "v0.1.0"), Side(new, "working tree")), "0.2.0", "2026-12-01")
    assert text.startswith("## 0.2.0 (2026-12-01)\n\nChanges since 0.1.0: models: 1 added; claims: 1 added, 1 changed")
    assert "### Models added\n- `second`: Second (meta)\n" in text
    assert '### Claims corrected\n- `example-model.params_total.example-paper`: "70B" → "69B"\n' in text
    assert "### Claims added\n- `second`: 1 claim (params_total)\n" in text


def test_first_release_section_counts(tree):
    database = build(tree, tree / "dist")
    text = first_release_section(database, "0.1.0", "2026-11-23")
    assert text == ("## 0.1.0 (2026-11-23)\n\nFirst release.\n\n"
                    "- 2 models from 2 organizations (0 with a published architecture)\n"
                    "- 4 claims of 3 fields: 3 confirmed, 1 rumored\n- 2 sources\n- 0 accelerators\n"
                    "- 5 checks: 3 unverifiable, 1 consistent, 1 informational\n")  # chinchilla_ratio informs, never judges


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=Test", "-c", "user.email=test@example.org",
                           "-c", "commit.gpgsign=false", *args], check=True, capture_output=True, text=True).stdout


def test_changelog_command_writes_the_section_and_the_citation(tree, monkeypatch, capsys):
    shutil.copy(REPO / "CITATION.cff", tree / "CITATION.cff")
    git(tree, "init", "-q", "-b", "main")
    git(tree, "add", ".")
    git(tree, "commit", "-q", "-m", "0.1.0")
    git(tree, "tag", "v0.1.0")
    model = tree / "data/models/meta/example-model.yaml"
    model.write_text(model.read_text().replace('value: "70B"', 'value: "69B"'))
    (tree / "data/VERSION").write_text("0.1.1\n")
    monkeypatch.chdir(tree)
    assert cli(["changelog", "--base", "v0.1.0", "--date", "2026-12-01"]) == 0
    text = (tree / "CHANGELOG.md").read_text()
    assert "## 0.1.1 (2026-12-01)" in text and '"70B" → "69B"' in text
    citation = yaml.safe_load((tree / "CITATION.cff").read_text())
    assert (str(citation["version"]), str(citation["date-released"])) == ("0.1.1", "2026-12-01")
    capsys.readouterr()
    assert cli(["notes"]) == 0
    assert capsys.readouterr().out.startswith("Changes since 0.1.0: claims: 1 changed")
    assert cli(["notes", "7.7.7"]) == 1


def test_the_repository_changelog_covers_the_current_version():
    version = (REPO / "data/VERSION").read_text().strip()
    text = (REPO / "CHANGELOG.md").read_text()
    assert text.startswith("# Changelog\n")
    body = section(text, version)
    assert body is not None, f"CHANGELOG.md has no section for {version}"
    assert re.search(r"\d+ models from \d+ organizations", body) or body.startswith("Changes since")


# ---------------------------------------------------------------- make, CI, templates, hooks

def test_make_release_builds_then_releases():
    result = subprocess.run(["make", "-n", "-C", str(REPO), "release"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert ".venv/bin/modelfacts release --db dist/modelfacts.duckdb --out dist/release" in result.stdout
    makefile = (REPO / "Makefile").read_text()
    assert "cffconvert==2.0.0" in makefile and re.search(r"(?m)^test: \$\(CFF_STAMP\)$", makefile)


def workflow(name: str) -> dict:
    data = yaml.safe_load((REPO / ".github/workflows" / name).read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def test_pull_request_workflow():
    data = workflow("pull-request.yml")
    assert "pull_request" in data["on"]
    steps = data["jobs"]["check"]["steps"]
    runs = [step.get("run", "") for step in steps]
    assert steps[0]["uses"].startswith("actions/checkout@") and steps[0]["with"]["fetch-depth"] == 0
    order = [next(i for i, run in enumerate(runs) if needle in run) for needle in (
        "make build", "modelfacts validate --format github", "make test",
        "modelfacts diff --base origin/${{ github.base_ref }} --format markdown >> $GITHUB_STEP_SUMMARY")]
    assert order == sorted(order)
    assert steps[[i for i, run in enumerate(runs) if "diff --base" in run][0]]["if"] == "github.event_name == 'pull_request'"


def test_release_workflow():
    data = workflow("release.yml")
    assert data["on"] == {"push": {"tags": ["v*"]}}
    steps = data["jobs"]["release"]["steps"]
    text = "\n".join(step.get("run", "") + str(step.get("uses", "")) for step in steps)
    for needle in ("cat data/VERSION", "make test", "make release", "sha256sum -c SHA256SUMS",
                   "actions/upload-artifact@", "gh release create", "python -m pipeline.release notes"):
        assert needle in text, needle


@pytest.mark.parametrize("name", ["correct-a-number.yml", "add-a-model.yml"])
def test_issue_forms(name):
    form = yaml.safe_load((REPO / ".github/ISSUE_TEMPLATE" / name).read_text())
    assert form["name"] and form["description"] and form["body"]
    ids = []
    for item in form["body"]:
        assert item["type"] in ("markdown", "input", "textarea", "dropdown", "checkboxes")
        if item["type"] != "markdown":
            ids.append(item["id"])
            assert item["attributes"]["label"]
        if item["type"] == "dropdown":
            assert item["attributes"]["options"]
    assert len(ids) == len(set(ids))
    assert any(item.get("validations", {}).get("required") for item in form["body"])


def test_pull_request_template_and_contributing_exist():
    template = (REPO / ".github/PULL_REQUEST_TEMPLATE.md").read_text()
    assert "modelfacts diff --base origin/main" in template and "locator" in template
    assert (REPO / "CONTRIBUTING.md").exists()


def test_pre_commit_runs_fmt_and_validate_on_data_files():
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text())
    hooks = {hook["id"]: hook for repo in config["repos"] if repo["repo"] == "local" for hook in repo["hooks"]}
    assert hooks["modelfacts-fmt"]["entry"] == ".venv/bin/modelfacts fmt"
    assert hooks["modelfacts-validate"]["entry"] == ".venv/bin/modelfacts validate"
    for hook in hooks.values():
        assert hook["language"] == "system"
        assert re.search(hook["files"], "data/models/meta/llama-2-70b.yaml")
        assert re.search(hook["files"], "data/sources/llama-2-model-card.yaml")
        assert not re.search(hook["files"], "pipeline/fmt.py")
