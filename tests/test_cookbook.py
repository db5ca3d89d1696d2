"""The SQL cookbook: every query runs against a real build, and each result says what its title promises."""
from __future__ import annotations

import math

import duckdb
import pandas as pd
import pytest

from pipeline import cookbook
from pipeline.build import build
from pipeline.check import BYTES_PER_PARAM, CHINCHILLA_BAND, COMPUTE_6ND_TOLERANCE
from pipeline.scaling import TOKENS_PER_PARAM_RULE
from tests.conftest import REPO

RECIPES = {recipe.slug: recipe for recipe in cookbook.QUERIES}


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    database = build(REPO, tmp_path_factory.mktemp("cookbook") / "dist")
    with duckdb.connect(str(database), read_only=True) as connection:
        yield connection


def run(db, slug: str) -> pd.DataFrame:
    return cookbook.run(db, RECIPES[slug])


def scalar(db, sql: str):
    return db.execute(sql).fetchone()[0]


def best(db, field: str) -> pd.Series:
    return db.execute(f"SELECT model_id, best_value FROM model_summary WHERE field = '{field}'").fetchdf() \
        .set_index("model_id")["best_value"]


def test_there_are_ten_recipes_each_tested():
    assert len(cookbook.QUERIES) == 10
    assert len(RECIPES) == 10, "slugs must be unique"
    tested = {name.removeprefix("test_").replace("_", "-") for name in globals() if name.startswith("test_")}
    assert set(RECIPES) <= tested, set(RECIPES) - tested


def test_claims_for_one_model(db):
    result = run(db, "claims-for-one-model")
    assert len(result) == scalar(db, "SELECT count(*) FROM claims WHERE model_id = 'llama-2-70b'")
    assert set(result["verdict"]) <= {"consistent", "inconsistent", "unverifiable"}
    # the exact figure that circulates in articles is not what the released weights hold
    exact = result[result["as_written"] == "exactly 70,015,266,816"]
    assert list(exact["verdict"]) == ["inconsistent"] and "68,976,648,192" in exact["detail"].iloc[0]
    statuses = result.groupby("field")["status"].first()
    assert statuses["params_total"] == "confirmed"  # strongest status first within a field


def test_largest_models(db):
    result = run(db, "largest-models")
    assert len(result) == 15
    assert result["params_total"].is_monotonic_decreasing
    assert set(result["basis"]) <= {"formula", "confirmed", "reported", "estimated", "rumored"}
    assert result["params_total"].iloc[0] == best(db, "params_total").max()


def test_headline_vs_exact(db):
    result = run(db, "headline-vs-exact")
    assert len(result) > 5
    assert result["claimed_minus_formula_pct"].abs().is_monotonic_decreasing
    formula = db.execute("SELECT model_id, value FROM derived WHERE quantity = 'params_total_formula'").fetchdf() \
        .set_index("model_id")["value"]
    assert (result["formula_count"] == result["model_id"].map(formula)).all()
    assert "inconsistent" in set(result["verdict"])  # the largest gaps are findings


def test_inconsistent_by_source(db):
    result = run(db, "inconsistent-by-source")
    assert result["inconsistent"].sum() == scalar(db, "SELECT count(*) FROM claim_verdicts WHERE verdict = 'inconsistent'")
    assert ((result["share_inconsistent"] > 0) & (result["share_inconsistent"] <= 1)).all()
    assert (result["inconsistent"] <= result["claims"]).all()
    assert result["inconsistent"].is_monotonic_decreasing


def test_status_by_organization(db):
    result = run(db, "status-by-organization")
    assert (result[["confirmed", "reported", "estimated", "rumored"]].sum(axis=1) == result["claims"]).all()
    assert result["claims"].sum() == scalar(db, "SELECT count(*) FROM claims")
    assert result["claims"].is_monotonic_decreasing
    assert "Meta" in set(result["organization"])


def test_tokens_per_parameter(db):
    result = run(db, "tokens-per-parameter")
    low, high = TOKENS_PER_PARAM_RULE * CHINCHILLA_BAND[0], TOKENS_PER_PARAM_RULE * CHINCHILLA_BAND[1]
    clear = ~result["tokens_per_param"].sub(low).abs().lt(0.05) & ~result["tokens_per_param"].sub(high).abs().lt(0.05)
    expected = result["tokens_per_param"].map(
        lambda r: "under-trained" if r < low else "over-trained" if r > high else "near compute-optimal")
    assert (result["against_chinchilla"] == expected)[clear].all()  # (the shown ratio is rounded to 0.1)
    assert {"under-trained", "over-trained", "near compute-optimal"} == set(result["against_chinchilla"])
    assert result["tokens_per_param"].is_monotonic_decreasing
    chinchilla = result[result["name"].str.startswith("Chinchilla")]
    assert list(chinchilla["against_chinchilla"]) == ["near compute-optimal"]
    # the derived ratio is the best training tokens over the best (active, else total) parameters
    ratio = scalar(db, "SELECT value FROM derived WHERE model_id = 'llama-2-70b' AND quantity = 'tokens_per_param'")
    params = best(db, "params_active").combine_first(best(db, "params_total"))
    assert math.isclose(ratio, best(db, "training_tokens")["llama-2-70b"] / params["llama-2-70b"])


def test_mixture_of_experts(db):
    result = run(db, "mixture-of-experts")
    assert {"mixtral-8x7b", "deepseek-v3"} <= set(result["model_id"])
    assert (result["active"] < result["total"]).all()
    assert ((result["active_share"] > 0) & (result["active_share"] < 1)).all()
    mixtral = result.set_index("model_id").loc["mixtral-8x7b"]
    assert 0.2 < mixtral["active_share"] < 0.35  # 2 of 8 experts plus the shared attention


def test_unconfirmed_sizes(db):
    result = run(db, "unconfirmed-sizes")
    assert "gpt-4" in set(result["model_id"])
    confirmed = {row[0] for row in db.execute(
        "SELECT model_id FROM claims WHERE field = 'params_total' AND status = 'confirmed' "
        "UNION SELECT model_id FROM derived WHERE quantity = 'params_total_formula'").fetchall()}
    assert not set(result["model_id"]) & confirmed
    assert (~result["statuses"].str.contains("confirmed")).all()
    assert (result["lowest"] <= result["highest"]).all()


def test_compute_vs_6nd(db):
    result = run(db, "compute-vs-6nd")
    assert "gpt-3" in set(result["model_id"])
    params = best(db, "params_active").combine_first(best(db, "params_total"))
    tokens = best(db, "training_tokens")
    # pre-training tokens include a mid-training phase (OLMo 2's stage 2), one of its figures when there are several
    mid_training = db.execute("SELECT model_id, list(value) AS figures FROM claims WHERE field = 'training_tokens' "
                              "AND stage = 'mid-training' AND value IS NOT NULL GROUP BY model_id").fetchdf() \
        .set_index("model_id")["figures"]
    for row in result.itertuples():
        added = mid_training.get(row.model_id, [0.0])
        assert any(math.isclose(row.six_n_d, 6 * params[row.model_id] * (tokens[row.model_id] + extra)) for extra in added)
    # far from 6ND even at the ends of what the claim allows as written (a 1 sf "1e23" allows 0.5e23-1.5e23)
    allowed = db.execute("""SELECT k.verdict, c.implied_low / k.expected AS low, c.implied_high / k.expected AS high
        FROM checks k JOIN claims c USING (claim_id) WHERE k."check" = 'compute_6nd' AND k.expected IS NOT NULL""").fetchdf()
    far = allowed[(allowed["high"] < 1 - COMPUTE_6ND_TOLERANCE - 0.1) | (allowed["low"] > 1 + COMPUTE_6ND_TOLERANCE + 0.1)]
    assert len(far) and (far["verdict"] == "inconsistent").all()
    gpt3 = result[result["model_id"] == "gpt-3"]
    assert (gpt3["verdict"] == "consistent").all()  # 3.14E+23 against 6 x 175B x 300B


def test_weights_memory(db):
    result = run(db, "weights-memory")
    assert len(result) == 10 and result["params"].is_monotonic_decreasing
    for column, field in (("fp32_gb", "weights_gb_fp32"), ("fp16_gb", "weights_gb_fp16"),
                          ("int8_gb", "weights_gb_int8"), ("int4_gb", "weights_gb_int4")):
        assert (abs(result[column] - result["params"] * BYTES_PER_PARAM[field] / 1e9) <= 0.05).all()
    assert (abs(result["fp16_gb"] - 2 * result["int8_gb"]) <= 0.1).all()
