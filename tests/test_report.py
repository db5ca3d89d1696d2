"""`modelfacts check`: one line per claim and check with the claim ID, sizes in words, counts as the site's."""
from __future__ import annotations

import duckdb

from pipeline import check, report
from tests.test_check import claims, derived, tables

LLAMA_2_70B = 68_976_648_192


def report_tables():
    """Check rows and claim verdicts for a small dataset, as `check` reads them from a database."""
    frame = claims(("llama", "params_total", "70B", "confirmed", "card"),
                   ("llama", "params_total", "70B", "rumored", "blog"),
                   ("llama", "params_total", "exactly 70,015,266,816", "rumored", "wiki"),
                   ("llama", "training_tokens", "2T", "confirmed", "card"),
                   ("gpt-3", "params_total", "175B", "confirmed", "paper"))
    data = tables(frame, derived(("llama", "params_total_formula", LLAMA_2_70B)))
    data["checks"] = check.run_checks(data)
    with duckdb.connect() as connection:
        connection.register("checks", data["checks"])
        connection.register("claims", data["claims"])
        return (connection.execute(report.CHECK_ROWS_SQL).fetchdf(),
                connection.execute(report.CLAIM_VERDICTS_SQL).fetchdf())


def test_report_lines_name_the_claim_and_the_size_of_a_miss():
    check_rows, claim_verdicts = report_tables()
    lines = report.render(check_rows, claim_verdicts, []).splitlines()
    # 70,015,266,816 / 68,976,648,192 - 1 = +1.5%; the token claim has only an informational check, so no
    # check judged it: unverifiable, as on the site
    assert lines[0] == "llama: 4 claims: 1 inconsistent, 1 unverifiable, 2 consistent"
    assert lines[1] == ("  INCONSISTENT (minor)  formula_params    llama.params_total.wiki [rumored] claimed "
                        "70,015,266,816 exactly; the released architecture gives 68,976,648,192: off by +1.5%")
    assert "  INFO                  chinchilla_ratio  llama.training_tokens.card [confirmed] " in "\n".join(lines)
    assert "CONSISTENT            chinchilla_ratio" not in "\n".join(lines)
    assert lines[-4] == "gpt-3: 1 claim: 0 inconsistent, 1 unverifiable, 0 consistent"
    assert lines[-1] == "2 models, 5 claims: 1 inconsistent, 2 unverifiable, 2 consistent (8 checks, 1 informational)"
    # every line is distinct, and every check line names its claim
    assert len(lines) == len(set(lines))


def test_counts_match_the_claim_verdicts_view_the_site_counts():
    check_rows, claim_verdicts = report_tables()
    tally = claim_verdicts["verdict"].value_counts().to_dict()
    last = report.render(check_rows, claim_verdicts, []).splitlines()[-1]
    assert last.startswith(f"2 models, {len(claim_verdicts)} claims: {tally.get('inconsistent', 0)} inconsistent, "
                           f"{tally.get('unverifiable', 0)} unverifiable, {tally.get('consistent', 0)} consistent")


def test_report_for_one_model_and_singular_words():
    check_rows, claim_verdicts = report_tables()
    lines = report.render(check_rows, claim_verdicts, ["gpt-3"]).splitlines()
    assert lines == ["gpt-3: 1 claim: 0 inconsistent, 1 unverifiable, 0 consistent",
                     "  UNVERIFIABLE          formula_params    gpt-3.params_total.paper [confirmed] no published "
                     "architecture to derive this count from",
                     "",
                     "1 model, 1 claim: 0 inconsistent, 1 unverifiable, 0 consistent (1 check, 0 informational)"]


def test_lines_name_a_stage_a_family_scope_and_a_context_window():
    # (a family-wide training figure gets no training check, so the family claim here is a size)
    frame = claims(("ds", "training_gpu_hours", "2.788M", "confirmed", "paper", {"stage": "whole-run"}),
                   ("ds", "training_gpu_hours", "2.664M", "confirmed", "report", {"stage": "pre-training"}),
                   ("gemma", "params_total", "2B", "confirmed", "card", {"scope": "family"}),
                   ("qwen3", "context_length", "32,768", "confirmed", "card", {"context_window": "native"}),
                   ("qwen3", "context_length", "128K", "confirmed", "report", {"context_window": "extended"}),
                   ("qwen3", "context_length", "32K", "rumored", "blog"))
    data = tables(frame)
    data["checks"] = check.run_checks(data)
    with duckdb.connect() as connection:
        connection.register("checks", data["checks"])
        connection.register("claims", data["claims"])
        text = report.render(connection.execute(report.CHECK_ROWS_SQL).fetchdf(),
                             connection.execute(report.CLAIM_VERDICTS_SQL).fetchdf(), [])
    assert " ds.training_gpu_hours.paper [confirmed, whole-run] " in text
    assert " gemma.params_total.card [confirmed, family] " in text
    assert " qwen3.context_length.card [confirmed, native window] " in text
    assert " ds.training_gpu_hours.report [confirmed] " in text  # pre-training is the default: not repeated


def test_identical_lines_are_printed_once():
    check_rows, claim_verdicts = report_tables()
    doubled = check_rows.loc[check_rows.index.repeat(2)]
    assert report.check_lines(doubled) == report.check_lines(check_rows)


def test_a_missing_or_foreign_database_is_a_message_not_a_traceback(tmp_path, capsys):
    assert report.main([], tmp_path / "missing.duckdb") == 1
    assert capsys.readouterr().err == f"{tmp_path / 'missing.duckdb'}: no database; run `modelfacts build` first\n"
    old = tmp_path / "old.duckdb"
    with duckdb.connect(str(old)) as connection:  # a build from before checks had a severity column
        connection.execute("CREATE TABLE claims (claim_id VARCHAR, model_id VARCHAR)")
        connection.execute("CREATE TABLE checks (claim_id VARCHAR, model_id VARCHAR)")
    assert report.main([], old) == 1
    message = capsys.readouterr().err
    assert message.startswith(f"{old}: cannot read the database (") and message.endswith(
        "); rebuild it with `modelfacts build`\n")
