"""`modelfacts` command line: query output (NULL, integers, every format), the parse-error hint, the
database found from any folder of the repository."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli

MIXED = ("SELECT NULL AS missing, 70000000000.0 AS typed_decimal, 70000000000 AS whole, 7e10::DOUBLE AS whole_double, "
         "2.5::DOUBLE AS half, 'text' AS word, DATE '2023-07-18' AS day, true AS flag")


@pytest.fixture
def built(tree: Path, monkeypatch) -> Path:
    status, out, err = run_cli(["build"], tree, monkeypatch)
    assert status == 0, err
    return tree


def test_query_table_shows_null_and_whole_numbers_in_full(built, monkeypatch):
    status, out, err = run_cli(["query", MIXED], built, monkeypatch)
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        "missing typed_decimal       whole whole_double half word day        flag",
        "   NULL   70000000000 70000000000  70000000000  2.5 text 2023-07-18 true"]


def test_query_csv_and_json_write_null_and_integers(built, monkeypatch):
    status, out, _ = run_cli(["query", MIXED, "--format", "csv"], built, monkeypatch)
    assert out == ("missing,typed_decimal,whole,whole_double,half,word,day,flag\n"
                   "NULL,70000000000,70000000000,70000000000,2.5,text,2023-07-18,true\n")
    status, out, _ = run_cli(["query", MIXED, "--format", "json"], built, monkeypatch)
    assert json.loads(out) == [{"missing": None, "typed_decimal": 70000000000, "whole": 70000000000,
                                "whole_double": 70000000000, "half": 2.5, "word": "text", "day": "2023-07-18",
                                "flag": True}]
    assert '"whole_double": 70000000000,' in out and "70000000000.0" not in out


def test_query_of_real_columns_has_no_none_or_nan(built, monkeypatch):
    sql = "SELECT claim_id, value, low, attributed_to FROM claims ORDER BY claim_id"
    for output_format in ("table", "csv"):
        out = run_cli(["query", sql, "--format", output_format], built, monkeypatch)[1]
        assert "None" not in out and "NaN" not in out and "<NA>" not in out and ".0," not in out
        assert "NULL" in out and "70000000000" in out


def test_a_parse_error_at_check_hints_to_quote_it(built, monkeypatch):
    status, out, err = run_cli(["query", "SELECT check FROM checks"], built, monkeypatch)
    assert status == 1 and out == ""
    assert err.splitlines()[0] == 'query failed: Parser Error: syntax error at or near "check"'
    assert err.splitlines()[-1] == ('hint: check is an SQL keyword; quote it as a column name: "check" '
                                    '(e.g. SELECT "check" FROM checks)')
    status, _, err = run_cli(["query", 'SELECT "check" FROM checks LIMIT 1'], built, monkeypatch)
    assert status == 0 and err == ""
    status, _, err = run_cli(["query", "SELEC 1"], built, monkeypatch)
    assert status == 1 and "hint" not in err


@pytest.mark.parametrize("command", [["query", "SELECT count(*) AS n FROM models", "--format", "csv"],
                                     ["cite", "example-model.params_total.example-paper"],
                                     ["check", "example-model", "--db", "../../dist/modelfacts.duckdb"]])
def test_commands_find_the_database_from_a_subfolder(built, monkeypatch, command):
    subfolder = built / "data" / "models"
    status, out, err = run_cli(command, subfolder, monkeypatch)
    assert (status, err) == (0, ""), err
    if command[0] == "query":
        assert out == "n\n2\n"


def test_an_explicit_db_is_taken_as_given(built, monkeypatch):
    status, _, err = run_cli(["query", "SELECT 1", "--db", "dist/modelfacts.duckdb"], built / "data", monkeypatch)
    assert status == 1 and err == "dist/modelfacts.duckdb: no database; run `modelfacts build` first\n"


def test_a_missing_default_database_names_the_repository_path(tree, monkeypatch):
    status, _, err = run_cli(["query", "SELECT 1"], tree / "data", monkeypatch)
    assert status == 1 and err == f"{tree.resolve()}/dist/modelfacts.duckdb: no database; run `modelfacts build` first\n"


def test_build_from_a_subfolder_writes_the_repository_dist(tree, monkeypatch):
    status, out, _ = run_cli(["build"], tree / "data" / "sources", monkeypatch)
    assert status == 0 and (tree / "dist/modelfacts.duckdb").exists()
    assert not (tree / "data/sources/dist").exists()
    assert out.startswith(f"wrote {tree.resolve()}/dist/modelfacts.duckdb: 2 models")
