"""Publishing: atomic, deterministic, and read-only for users."""
from __future__ import annotations

import hashlib

import duckdb

from tests.conftest import FIXTURES, run_cli


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_build_writes_the_contract_tables(tree, monkeypatch):
    status, out, _ = run_cli(["build", "--out", "dist"], tree, monkeypatch)
    assert (status, out) == (0, "wrote dist/modelfacts.duckdb\n")
    with duckdb.connect(str(tree / "dist/modelfacts.duckdb"), read_only=True) as db:
        columns = {table: [row[0] for row in db.execute(f"DESCRIBE {table}").fetchall()]
                   for table in ("models", "claims", "sources", "build_info")}
        assert columns["models"][:7] == ["model_id", "name", "organization", "released", "domain", "open_weights", "file"]
        assert columns["claims"][:14] == ["claim_id", "model_id", "field", "value", "low", "high", "as_written",
                                          "precision", "status", "source_id", "locator", "note", "file", "line"]
        assert columns["sources"][:6] == ["source_id", "title", "publisher", "published", "kind", "url"]
        assert columns["build_info"] == ["dataset_version", "git_commit", "built_at", "content_hash"]
        rows = db.execute("SELECT claim_id, value, low, high, precision, file, line FROM claims ORDER BY claim_id").fetchall()
    assert rows == [
        ("example-model.params_total.example-paper", 70e9, None, None, "1 sf", "data/models/meta/example-model.yaml", 9),
        ("example-model.training_tokens.example-article", 2e12, None, None, "1 sf", "data/models/meta/example-model.yaml", 14),
        ("example-moe.params_active.example-paper", 13e9, None, None, "2 sf", "data/models/mistral/example-moe.yaml", 14),
        ("example-moe.params_total.example-paper", 47e9, None, None, "2 sf", "data/models/mistral/example-moe.yaml", 9),
    ]
    assert sorted(p.name for p in (tree / "dist/parquet").iterdir()) == [
        f"{name}.parquet" for name in sorted(["architectures", "build_info", "checks", "claims", "derived", "hardware",
                                              "models", "organizations", "sources"])]


def test_two_builds_of_the_same_data_have_the_same_content_hash(tree, monkeypatch):
    run_cli(["build", "--out", "a"], tree, monkeypatch)
    run_cli(["build", "--out", "b"], tree, monkeypatch)
    hashes = []
    for out in ("a", "b"):
        with duckdb.connect(str(tree / out / "modelfacts.duckdb"), read_only=True) as db:
            hashes.append(db.execute("SELECT content_hash FROM build_info").fetchone()[0])
            tables = {t: db.execute(f"SELECT * FROM {t}").fetchall() for t in ("models", "claims", "sources")}
        if out == "a":
            first = tables
    assert hashes[0] == hashes[1] and len(hashes[0]) == 64
    assert tables == first


def test_the_content_hash_changes_when_a_value_changes(tree, monkeypatch):
    run_cli(["build", "--out", "a"], tree, monkeypatch)
    model = tree / "data/models/meta/example-model.yaml"
    model.write_text(model.read_text().replace('value: "70B"', 'value: "69B"'))
    run_cli(["build", "--out", "b"], tree, monkeypatch)
    hashes = [duckdb.connect(str(tree / out / "modelfacts.duckdb"), read_only=True)
              .execute("SELECT content_hash FROM build_info").fetchone()[0] for out in ("a", "b")]
    assert hashes[0] != hashes[1]


def test_a_failed_build_leaves_the_previous_database_untouched(tree, monkeypatch):
    assert run_cli(["build"], tree, monkeypatch)[0] == 0
    before = digest(tree / "dist/modelfacts.duckdb")
    parquet_before = digest(tree / "dist/parquet/claims.parquet")
    bad = (FIXTURES / "invalid" / "unknown-status.yaml").read_text().split("\n", 1)[1]
    (tree / "data/models/meta/example-model.yaml").write_text(bad)
    status, out, err = run_cli(["build"], tree, monkeypatch)
    assert status == 1
    assert 'claims[0].status: expected one of confirmed, reported, estimated, rumored; found "confimed"' in out
    assert "previous build (if any) is unchanged" in err
    assert digest(tree / "dist/modelfacts.duckdb") == before
    assert digest(tree / "dist/parquet/claims.parquet") == parquet_before
    assert sorted(p.name for p in (tree / "dist").iterdir() if p.name.startswith(".")) == [
        ".modelfacts-lock", ".modelfacts-output"]  # no staging left behind


def test_query_opens_the_database_read_only(tree, monkeypatch):
    run_cli(["build"], tree, monkeypatch)
    before = digest(tree / "dist/modelfacts.duckdb")
    status, _, err = run_cli(["query", "DELETE FROM claims"], tree, monkeypatch)
    assert status == 1 and "read-only" in err
    status, _, err = run_cli(["query", "CREATE TABLE x AS SELECT 1"], tree, monkeypatch)
    assert status == 1
    assert digest(tree / "dist/modelfacts.duckdb") == before


def test_query_formats(tree, monkeypatch):
    run_cli(["build"], tree, monkeypatch)
    sql = "SELECT model_id, field, value, status FROM claims WHERE model_id = 'example-moe' ORDER BY field"
    assert run_cli(["query", sql, "--format", "csv"], tree, monkeypatch)[1] == (
        "model_id,field,value,status\nexample-moe,params_active,13000000000.0,confirmed\n"
        "example-moe,params_total,47000000000.0,confirmed\n")
    assert run_cli(["query", sql], tree, monkeypatch)[1].splitlines()[1].split() == [
        "example-moe", "params_active", "13000000000", "confirmed"]
