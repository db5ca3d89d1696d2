"""A correction by pull request, end to end, on a git copy of the repository:

edit one claim's value -> `validate` passes -> `diff --base HEAD` reports exactly that change (old and new
value as written, and the verdicts it moves) -> `cite` shows the new value under the same claim ID.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
import yaml

from tests.conftest import REPO, run_cli

PREFERRED = "llama-2-70b.params_total.llama-2-model-card"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=Curator", "-c", "user.email=curator@example.org",
                           "-c", "commit.gpgsign=false", *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A git repository holding a copy of the project's data and pipeline, one commit deep."""
    repo = tmp_path / "repo"
    repo.mkdir()
    for name in ("data", "pipeline", "schemas"):
        shutil.copytree(REPO / name, repo / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", repo / "pyproject.toml")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "Data as of the last release")
    return repo


def pick_claim(database: Path) -> tuple[str, str, float, str, int, str | None]:
    """A confirmed parameter count (the Llama 2 70B one if present) and its formula verdict."""
    with duckdb.connect(str(database), read_only=True) as db:
        return db.execute("""
            SELECT c.claim_id, c.as_written, c.value, c.file, c.claim_index, k.verdict
            FROM claims c LEFT JOIN checks k ON k.claim_id = c.claim_id AND k."check" = 'formula_params'
            WHERE c.field = 'params_total' AND c.value IS NOT NULL AND c.value >= 1e9
            ORDER BY c.claim_id = ? DESC, k.verdict = 'consistent' DESC, c.status = 'confirmed' DESC, c.claim_id
            LIMIT 1""", [PREFERRED]).fetchone()


def set_value(path: Path, claim_index: int, new_value: str) -> None:
    """Replace one claim's value in place, leaving every other byte of the file alone."""
    text = path.read_text(encoding="utf-8")
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    claims = next(value for key, value in root.value if key.value == "claims")
    node = next(value for key, value in claims.value[claim_index].value if key.value == "value")
    path.write_text(text[:node.start_mark.index] + json.dumps(new_value) + text[node.end_mark.index:], encoding="utf-8")


def test_a_correction_end_to_end(repository, monkeypatch):
    status, out, err = run_cli(["build", "--out", "dist"], repository, monkeypatch)
    assert status == 0, out + err
    claim_id, old_value, number, file, claim_index, verdict = pick_claim(repository / "dist/modelfacts.duckdb")
    new_value = f"{round(number * 1.25 / 1e9)}B"  # 25% off: far outside any rounding of the original
    status, before, _ = run_cli(["cite", claim_id, "--style", "json"], repository, monkeypatch)
    assert status == 0 and json.loads(before)["claim"]["value_as_written"] == old_value

    # the contributor's edit: one value in one file
    set_value(repository / file, claim_index, new_value)
    changed = git(repository, "diff", "--numstat").split()
    assert changed[:3] == ["1", "1", file], changed

    status, out, err = run_cli(["validate"], repository, monkeypatch)
    assert status == 0, out + err
    assert out.startswith("ok: ")

    # the reviewer's view: exactly that change, with old and new value as written
    status, out, err = run_cli(["diff", "--base", "HEAD", "--format", "json"], repository, monkeypatch)
    assert status == 0, err
    result = json.loads(out)
    tables = result["tables"]
    assert [row["id"] for row in tables["claims"]["changed"]] == [claim_id]
    row = tables["claims"]["changed"][0]
    assert (row["old_value"], row["new_value"]) == (old_value, new_value)
    assert row["columns"][0] == "as_written" and "value" in row["columns"]
    assert set(row["columns"]) <= {"as_written", "value", "low", "high", "precision"}
    for table, parts in tables.items():
        for part, rows in parts.items():
            if (table, part) not in (("claims", "changed"), ("derived", "changed")):
                assert rows == [], (table, part, rows)
    assert result["schema"] == {} and result["bump"] == "patch"
    verdicts = {v["check_id"]: (v["old"], v["new"]) for v in result["verdicts"]}
    assert all(check_id.startswith(tuple(
        [claim_id + ":"] + [f"{claim_id.split('.')[0]}."])) for check_id in verdicts), verdicts
    if verdict == "consistent":  # the published architecture no longer supports the number
        assert verdicts[f"{claim_id}:formula_params"] == ("consistent", "inconsistent")

    status, text, _ = run_cli(["diff", "--base", "HEAD"], repository, monkeypatch)
    assert status == 0
    assert f"  ~ {claim_id}\n      as_written: {json.dumps(old_value)} -> {json.dumps(new_value)}\n" in text
    status, markdown, _ = run_cli(["diff", "--base", "HEAD", "--format", "markdown"], repository, monkeypatch)
    assert f"| `{claim_id}` | as_written | {json.dumps(old_value)} | {json.dumps(new_value)} |" in markdown

    # the citation after the merge: same ID, new value
    status, _, err = run_cli(["build", "--out", "dist"], repository, monkeypatch)
    assert status == 0, err
    status, after, _ = run_cli(["cite", claim_id, "--style", "json"], repository, monkeypatch)
    assert status == 0
    before, after = json.loads(before), json.loads(after)
    assert after["claim"]["id"] == before["claim"]["id"] == claim_id
    assert after["claim"]["value_as_written"] == new_value
    assert {k: v for k, v in after["claim"].items() if k != "value_as_written"} == \
           {k: v for k, v in before["claim"].items() if k != "value_as_written"}
    assert after["source"] == before["source"]
    status, text, _ = run_cli(["cite", claim_id], repository, monkeypatch)
    assert status == 0 and f"Claim {claim_id}." in text and f'"{new_value}"' in text
