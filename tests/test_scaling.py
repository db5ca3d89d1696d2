"""Chinchilla fits: closed-form optima against a numerical minimum and the published figures; bad budgets refused."""
from __future__ import annotations

import json
import math

import pytest

from pipeline import cli
from pipeline.scaling import BESIROGLU_2024, HOFFMANN_2022, ComputeError, compute_budget, format_optimum, optimum

CHINCHILLA_COMPUTE = 5.76e23  # Gopher's and Chinchilla's budget (Hoffmann et al. 2022)


def numerical_optimum(fit, compute: float) -> float:
    """N minimising L(N, C / 6N) by golden-section search over log N (no closed form used)."""
    def loss(log_params: float) -> float:
        params = math.exp(log_params)
        return fit.E + fit.A / params ** fit.alpha + fit.B / (compute / (6 * params)) ** fit.beta

    low, high = math.log(1e6), math.log(1e15)
    ratio = (math.sqrt(5) - 1) / 2
    for _ in range(200):
        left, right = high - ratio * (high - low), low + ratio * (high - low)
        if loss(left) < loss(right):
            high = right
        else:
            low = left
    return math.exp((low + high) / 2)


def test_hoffmann_unrounded_fit_gives_the_published_optimum():
    # Hoffmann et al.'s unrounded Approach 3 fit: N 4.04e10, D 2.38e12 at 5.76e23 FLOP (the rounded in-text
    # values gave N 3.22e10, D/N 92.6, the bias Besiroglu et al. 2024 describe)
    assert (HOFFMANN_2022.E, HOFFMANN_2022.A, HOFFMANN_2022.B, HOFFMANN_2022.alpha, HOFFMANN_2022.beta) == (
        1.69337368, 406.401018, 410.722827, 0.33917084, 0.2849083)
    assert "unrounded" in HOFFMANN_2022.name
    params, tokens = HOFFMANN_2022.optimal_params(CHINCHILLA_COMPUTE), HOFFMANN_2022.optimal_tokens(CHINCHILLA_COMPUTE)
    assert f"{params:.3g} {tokens:.3g}" == "4.04e+10 2.38e+12"
    assert params == pytest.approx(numerical_optimum(HOFFMANN_2022, CHINCHILLA_COMPUTE), rel=1e-6)
    assert 6 * params * tokens == pytest.approx(CHINCHILLA_COMPUTE)


def test_besiroglu_fit_by_hand_and_numerically():
    # G = (0.3478 x 482.01 / (0.3658 x 2085.43))^(1 / 0.7136) = 0.11963
    assert BESIROGLU_2024.G == pytest.approx(0.11963, rel=1e-4)
    # N = G (9.6e22)^(0.3658 / 0.7136) = 7.224e10; D = G^-1 (9.6e22)^(0.3478 / 0.7136) = 1.329e12
    assert BESIROGLU_2024.optimal_params(CHINCHILLA_COMPUTE) == pytest.approx(7.224e10, rel=1e-3)
    assert BESIROGLU_2024.optimal_tokens(CHINCHILLA_COMPUTE) == pytest.approx(1.329e12, rel=1e-3)
    assert BESIROGLU_2024.optimal_params(CHINCHILLA_COMPUTE) == pytest.approx(
        numerical_optimum(BESIROGLU_2024, CHINCHILLA_COMPUTE), rel=1e-6)


def test_command_table():
    text = format_optimum(CHINCHILLA_COMPUTE)
    lines = text.splitlines()
    assert lines[0] == "compute-optimal allocation for C = 5.76e+23 FLOP (C = 6ND)"
    assert lines[3].split() == ["Besiroglu", "et", "al.", "2024", "7.22e+10", "1.33e+12", "18.4"]
    # 2.38e12 / 4.04e10 = 58.9
    assert lines[4].split()[-3:] == ["4.04e+10", "2.38e+12", "58.9"]
    assert lines[4].startswith("Hoffmann et al. 2022 (Approach 3, unrounded)")
    # 20 tokens per parameter: N = sqrt(5.76e23 / 120) = 6.928e10, D = 1.386e12
    assert lines[5].split()[-3:] == ["6.93e+10", "1.39e+12", "20.0"]


@pytest.mark.parametrize("written", ["-1", "0", "nan", "inf", "-inf", "1e400", "lots", ""])
def test_refuses_a_budget_that_is_not_positive_and_finite(written):
    with pytest.raises(ComputeError, match="FLOP such as 5.76e23; found"):
        compute_budget(written)
    with pytest.raises(ComputeError):
        optimum(float("nan"))


@pytest.mark.parametrize("written", ["-1", "0", "nan", "inf"])
def test_command_exits_non_zero_with_a_message(written, capsys):
    assert cli.main(["chinchilla", "--compute", written]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"--compute: expected a positive finite number of FLOP such as 5.76e23; found '{written}'\n"


def test_command_json(capsys):
    assert cli.main(["chinchilla", "--compute", "5.76e23", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["compute_flop"] == CHINCHILLA_COMPUTE
    by_fit = {row["fit"]: row for row in result["allocations"]}
    assert set(by_fit) == {"Besiroglu et al. 2024", "Hoffmann et al. 2022 (Approach 3, unrounded)",
                           "20 tokens per parameter"}
    hoffmann = by_fit["Hoffmann et al. 2022 (Approach 3, unrounded)"]
    assert f"{hoffmann['params']:.3g} {hoffmann['tokens']:.3g}" == "4.04e+10 2.38e+12"
    assert "arXiv:2404.10102" in hoffmann["reference"]


@pytest.mark.parametrize("written", ["5e-324", "1e-300", "6"])
def test_a_budget_too_small_for_one_parameter_is_refused(written, capsys):  # no ZeroDivisionError, no 1e-152 params
    assert cli.main(["chinchilla", "--compute", written]) == 2
    assert capsys.readouterr().err == ("--compute: expected a budget large enough for at least one parameter and one "
                                       f"token under every fit (C = 6ND); found {float(written)!r}\n")
