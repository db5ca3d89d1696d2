"""Cross-checks: each verdict and formula pinned with hand-worked numbers."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from pipeline import check
from pipeline.scaling import BESIROGLU_2024, HOFFMANN_2022, format_optimum
from pipeline.values import parse_value

STATUS = "confirmed"


def claims(*rows: tuple) -> pd.DataFrame:
    """Typed claims from (model_id, field, written[, status[, source]]) tuples, as validation makes them."""
    records = []
    for index, row in enumerate(rows):
        model_id, field, written = row[:3]
        status = row[3] if len(row) > 3 else STATUS
        source = row[4] if len(row) > 4 else f"source-{index}"
        parsed = parse_value(written, field)
        records.append({"claim_id": f"{model_id}.{field}.{source}", "model_id": model_id, "field": field,
                        "value": parsed.value, "low": parsed.low, "high": parsed.high, "as_written": written,
                        "precision": parsed.precision, "sig_figs": parsed.sig_figs, "status": status,
                        "source_id": source})
    frame = pd.DataFrame(records).astype({"value": "float64", "low": "float64", "high": "float64",
                                          "sig_figs": "Int64"})
    return check.with_implied_interval(frame)


def derived(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame([{"model_id": m, "quantity": q, "value": float(v), "method": "formula:test"} for m, q, v in rows],
                        columns=["model_id", "quantity", "value", "method"])


def hardware() -> pd.DataFrame:
    return pd.DataFrame([{"hardware_id": "nvidia-a100", "name": "A100", "vendor": "NVIDIA", "aliases": "A100",
                          "peak_bf16_flops": 312e12, "price_usd_per_hour_low": 2.0, "price_usd_per_hour_high": 3.0}])


def tables(claim_frame: pd.DataFrame, derived_frame: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    return {"claims": claim_frame, "derived": derived_frame if derived_frame is not None else derived(),
            "hardware": hardware()}


def verdicts(result: pd.DataFrame, name: str) -> dict[str, str]:
    rows = result[result["check"] == name]
    return dict(zip(rows["claim_id"], rows["verdict"]))


# --- implied intervals -------------------------------------------------------------------------

def test_implied_interval_follows_the_written_precision():
    frame = claims(("m", "params_total", "47B"), ("m", "params_total", "70,015,266,816", STATUS, "b"),
                   ("m", "params_total", "650-800B", STATUS, "c"), ("m", "params_total", "over 1 trillion", STATUS, "d"))
    assert frame[["implied_low", "implied_high"]].values.tolist() == [
        [46.5e9, 47.5e9], [70_015_266_816, 70_015_266_816], [650e9, 800e9], [1e12, math.inf]]


# --- formula consistency -----------------------------------------------------------------------

MIXTRAL_TOTAL, MIXTRAL_ACTIVE = 46_702_792_704, 12_879_925_248
LLAMA_2_70B = 68_976_648_192


def test_formula_params_is_precision_aware():
    frame = claims(("mixtral", "params_total", "47B", "rumored", "a"),
                   ("mixtral", "params_active", "13B", "rumored", "a"),
                   ("mixtral", "params_active", "12B", "rumored", "b"),
                   ("llama", "params_total", "exactly 70,015,266,816", "rumored", "a"),
                   ("llama", "params_total", "70B", "confirmed", "c"),
                   ("gpt", "params_total", "650-800B", "rumored", "a"))
    truth = derived(("mixtral", "params_total_formula", MIXTRAL_TOTAL),
                    ("mixtral", "params_active_formula", MIXTRAL_ACTIVE),
                    ("llama", "params_total_formula", LLAMA_2_70B))
    result = check.check_formula_params(frame, truth)
    assert verdicts(result, "formula_params") == {
        "mixtral.params_total.a": "consistent",      # 46.7B rounds to 47B at two significant figures
        "mixtral.params_active.a": "consistent",     # 12.88B rounds to 13B
        "mixtral.params_active.b": "inconsistent",   # 12.88B does not round to 12B
        "llama.params_total.a": "inconsistent",      # an exact claim must match to the unit
        "llama.params_total.c": "consistent",        # 68.98B rounds to 70B at one significant figure
        "gpt.params_total.a": "unverifiable",        # no architecture
    }
    exact = result.set_index("claim_id").loc["llama.params_total.a"]
    assert exact["expected"] == LLAMA_2_70B and exact["observed"] == 70_015_266_816
    assert exact["rel_diff"] == pytest.approx(68_976_648_192 / 70_015_266_816 - 1)
    assert exact["detail"] == ("claimed 70,015,266,816 exactly; the released architecture gives "
                               "68,976,648,192 (-1.48%)")


def test_a_range_is_consistent_when_the_count_lies_inside():
    frame = claims(("m", "params_total", "650-800B"), ("n", "params_total", "650-800B"))
    result = check.check_formula_params(frame, derived(("m", "params_total_formula", 700e9),
                                                       ("n", "params_total_formula", 801e9)))
    assert verdicts(result, "formula_params") == {"m.params_total.source-0": "consistent",
                                                  "n.params_total.source-1": "inconsistent"}


# --- MoE sanity -------------------------------------------------------------------------------

def test_active_cannot_exceed_the_total():
    frame = claims(("moe", "params_total", "47B", "confirmed", "a"), ("moe", "params_active", "13B", "rumored", "b"),
                   ("moe", "params_active", "60B", "rumored", "c"))  # 55B or more: over the total
    references = check.reference_values(tables(frame))
    result = check.check_moe_active(frame, references)
    assert verdicts(result, "moe_active") == {"moe.params_active.b": "consistent",
                                              "moe.params_active.c": "inconsistent"}


# --- Chinchilla -------------------------------------------------------------------------------

def test_gpt3_tokens_per_parameter():
    frame = claims(("gpt-3", "params_total", "175B"), ("gpt-3", "training_tokens", "300B tokens"))
    result = check.check_chinchilla_ratio(frame, check.reference_values(tables(frame)))
    row = result.iloc[0]
    # 300e9 / 175e9 = 1.714...; compute-optimal 20 x 175e9 = 3.5e12 tokens; 20 / 1.714 = 11.7
    assert row["expected"] == 3.5e12
    assert row["detail"] == ("300,000,000,000 tokens on 175,000,000,000 parameters is 1.7 tokens per parameter; "
                             "compute-optimal is about 20 (Hoffmann et al. 2022): under-trained by 11.7x")
    derivations = check.training_derivations(tables(frame)).set_index("quantity")["value"]
    assert derivations["tokens_per_param"] == 300 / 175
    assert derivations["chinchilla_optimal_tokens"] == 3.5e12


def test_chinchilla_fits_by_hand():
    # Besiroglu et al. 2024: G = (0.3478 x 482.01 / (0.3658 x 2085.43))^(1 / 0.7136) = 0.11963
    assert BESIROGLU_2024.G == pytest.approx(0.11963, rel=1e-4)
    # C = 5.76e23: N = G (9.6e22)^(0.3658 / 0.7136) = 0.11963 x 6.0387e11 = 7.224e10
    assert BESIROGLU_2024.optimal_params(5.76e23) == pytest.approx(7.224e10, rel=1e-3)
    # D = G^-1 (9.6e22)^(0.3478 / 0.7136) = 1.590e11 / 0.11963 = 1.329e12
    assert BESIROGLU_2024.optimal_tokens(5.76e23) == pytest.approx(1.329e12, rel=1e-3)
    # 6 N D recovers C
    assert 6 * BESIROGLU_2024.optimal_params(5.76e23) * BESIROGLU_2024.optimal_tokens(5.76e23) == pytest.approx(5.76e23)
    # Hoffmann et al. 2022: G = (138.176 / 114.996)^(1 / 0.62) = 1.20157^1.6129 = 1.3447
    assert HOFFMANN_2022.G == pytest.approx(1.3447, rel=1e-4)
    assert HOFFMANN_2022.optimal_params(5.76e23) == pytest.approx(3.219e10, rel=1e-3)


def test_chinchilla_command_output():
    text = format_optimum(5.76e23)
    assert "Besiroglu et al. 2024         7.225e+10      1.329e+12     18.4" in text
    # 20 tokens per parameter: N = sqrt(5.76e23 / 120) = 6.928e10, D = 1.386e12
    assert "20 tokens per parameter       6.928e+10      1.386e+12     20.0" in text


# --- compute triangle ---------------------------------------------------------------------------

def test_compute_6nd():
    frame = claims(("gpt-3", "params_total", "175B"), ("gpt-3", "training_tokens", "300B"),
                   ("gpt-3", "training_compute_flop", "3.14e23", "confirmed", "paper"),
                   ("gpt-3", "training_compute_flop", "1e25", "rumored", "blog"))
    result = check.check_compute_6nd(frame, check.reference_values(tables(frame)))
    # 6 x 175e9 x 300e9 = 3.15e23: the paper's 3.14e23 is within 25%, 1e25 is 32x off
    assert verdicts(result, "compute_6nd") == {"gpt-3.training_compute_flop.paper": "consistent",
                                               "gpt-3.training_compute_flop.blog": "inconsistent"}
    assert result.set_index("claim_id").loc["gpt-3.training_compute_flop.paper", "expected"] == 3.15e23


def test_compute_hardware_and_cost():
    frame = claims(("llama", "params_total", "70B"), ("llama", "training_tokens", "2T"),
                   ("llama", "training_hardware", "NVIDIA A100 80GB"),
                   ("llama", "training_gpu_hours", "1.7 million GPU-hours", "confirmed", "card"),
                   ("llama", "training_gpu_hours", "10,000", "rumored", "blog"),
                   ("llama", "training_cost_usd", "$3-4 million", "rumored", "guide"),
                   ("llama", "training_cost_usd", "$50K", "rumored", "other"))
    refs, chips = check.reference_values(tables(frame)), check.model_hardware(frame, hardware())
    hours = check.check_compute_hardware(frame, refs, chips)
    # 6 x 70e9 x 2e12 = 8.4e23 FLOP; at 312e12 FLOP/s that is 2.692e9 s = 747,863 h at full peak,
    # so 1,246,439 to 3,739,316 GPU-hours at 60% to 20% utilization
    assert verdicts(hours, "compute_hardware") == {"llama.training_gpu_hours.card": "consistent",
                                                   "llama.training_gpu_hours.blog": "inconsistent"}
    assert "needs 1,246,439 to 3,739,316 GPU-hours" in hours.set_index("claim_id").loc["llama.training_gpu_hours.card", "detail"]
    cost = check.check_cost_hardware(frame, refs, chips)
    # best GPU-hours 1.7e6 (confirmed) x $2-3 = $3.4M to $5.1M
    assert verdicts(cost, "cost_hardware") == {"llama.training_cost_usd.guide": "consistent",
                                               "llama.training_cost_usd.other": "inconsistent"}


# --- conflicts and memory ---------------------------------------------------------------------

def test_conflicts_fault_the_weaker_claim():
    frame = claims(("moe", "params_active", "12.9B", "confirmed", "card"), ("moe", "params_active", "12B", "rumored", "blog"),
                   ("moe", "params_active", "13B", "rumored", "news"))
    result = check.check_conflict(frame)
    assert verdicts(result, "conflict") == {"moe.params_active.card": "consistent",
                                            "moe.params_active.blog": "inconsistent",
                                            "moe.params_active.news": "consistent"}
    assert result.set_index("claim_id").loc["moe.params_active.card", "detail"] == (
        "cannot be reconciled with 1 of 2 claims from other sources: moe.params_active.blog (all of weaker status)")


def test_memory_at_each_precision():
    frame = claims(("llama", "params_total", "70B"), ("llama", "weights_gb_fp16", "140GB"),
                   ("llama", "weights_gb_int4", "35GB"), ("llama", "weights_gb_int8", "140GB"))
    result = check.check_memory(frame, check.reference_values(tables(frame)))
    # 70e9 x 2 bytes = 140 GB; x 0.5 = 35 GB; x 1 = 70 GB, not 140
    assert verdicts(result, "memory") == {"llama.weights_gb_fp16.source-1": "consistent",
                                          "llama.weights_gb_int4.source-2": "consistent",
                                          "llama.weights_gb_int8.source-3": "inconsistent"}


def test_conflicts_defer_to_the_formula():
    frame = claims(("gemma", "params_total", "2.5 billion", "rumored", "guide"),
                   ("gemma", "params_total", "sub-billion-parameter", "rumored", "opinion"))
    result = check.check_conflict(frame, derived(("gemma", "params_total_formula", 2_506_172_416)))
    # equal status, but the released architecture has 2.51B: only the sub-billion claim is faulted
    assert verdicts(result, "conflict") == {"gemma.params_total.guide": "consistent",
                                            "gemma.params_total.opinion": "inconsistent"}
