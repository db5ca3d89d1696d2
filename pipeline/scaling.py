"""Compute-optimal scaling: the Chinchilla parametric fits and the 6ND rule."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass


@dataclass(frozen=True)
class ParametricFit:
    """L(N, D) = E + A / N^alpha + B / D^beta, fitted to training runs."""

    name: str
    reference: str
    E: float
    A: float
    B: float
    alpha: float
    beta: float

    @property
    def G(self) -> float:
        """G = (alpha A / (beta B))^(1 / (alpha + beta))."""
        return (self.alpha * self.A / (self.beta * self.B)) ** (1 / (self.alpha + self.beta))

    def optimal_params(self, compute: float) -> float:
        """N_opt = G (C/6)^(beta / (alpha + beta))."""
        return self.G * (compute / 6) ** (self.beta / (self.alpha + self.beta))

    def optimal_tokens(self, compute: float) -> float:
        """D_opt = G^-1 (C/6)^(alpha / (alpha + beta))."""
        return (compute / 6) ** (self.alpha / (self.alpha + self.beta)) / self.G



BESIROGLU_2024 = ParametricFit("Besiroglu et al. 2024", "Chinchilla Scaling: A replication attempt (arXiv:2404.10102)",
                               E=1.8172, A=482.01, B=2085.43, alpha=0.3478, beta=0.3658)
# Hoffmann et al.'s Approach 3 fit at full precision. The paper's text rounds it (E 1.69, A 406.4, B 410.7,
# alpha 0.34, beta 0.28); Besiroglu et al. 2024 (arXiv:2404.10102) show that the rounded exponents move the
# optimum far (N 3.22e10 instead of 4.04e10 at 5.76e23 FLOP), so the unrounded values are used.
HOFFMANN_2022 = ParametricFit("Hoffmann et al. 2022 (Approach 3, unrounded)",
                              "Training Compute-Optimal Large Language Models, Approach 3 (arXiv:2203.15556), "
                              "unrounded fit as reported by Besiroglu et al. 2024 (arXiv:2404.10102)",
                              E=1.69337368, A=406.401018, B=410.722827, alpha=0.33917084, beta=0.2849083)
FITS = (BESIROGLU_2024, HOFFMANN_2022)
TOKENS_PER_PARAM_RULE = 20.0  # Hoffmann et al. 2022's rule of thumb


def training_compute(params: float, tokens: float) -> float:
    """C = 6 N D: forward and backward passes cost about 6 FLOP per parameter per token."""
    return 6.0 * params * tokens


class ComputeError(ValueError):
    """A compute budget that is not a positive finite number of FLOP."""


def compute_budget(text: str) -> float:
    """A compute budget read from the command line: a positive finite number of FLOP, else ComputeError."""
    try:
        compute = float(text)
    except ValueError:
        raise ComputeError(f"expected a number of FLOP such as 5.76e23; found {text!r}") from None
    if not math.isfinite(compute) or compute <= 0:
        raise ComputeError(f"expected a positive finite number of FLOP such as 5.76e23; found {text!r}")
    return compute


RULE_NAME = "20 tokens per parameter"


def optimum(compute: float) -> list[dict]:
    """Compute-optimal N, D and D/N for a budget C (FLOP, positive and finite), under each fit and the 20:1 rule.

    Rows: {"fit", "reference", "params", "tokens", "tokens_per_param"}. The rule solves C = 6 N (20 N).
    """
    if not math.isfinite(compute) or compute <= 0:
        raise ComputeError(f"expected a positive finite number of FLOP such as 5.76e23; found {compute!r}")
    rows = [{"fit": fit.name, "reference": fit.reference, "params": fit.optimal_params(compute),
             "tokens": fit.optimal_tokens(compute)} for fit in FITS]
    rule_params = (compute / (6 * TOKENS_PER_PARAM_RULE)) ** 0.5
    rows.append({"fit": RULE_NAME, "reference": "Hoffmann et al. 2022's rule of thumb",
                 "params": rule_params, "tokens": rule_params * TOKENS_PER_PARAM_RULE})
    # A budget of a few FLOP gives "models" of less than one parameter (or 0.0 once 5e-324 underflows)
    if any(not (row["params"] >= 1 and row["tokens"] >= 1) for row in rows):
        raise ComputeError(f"expected a budget large enough for at least one parameter and one token under every "
                           f"fit (C = 6ND); found {compute!r}")
    for row in rows:
        row["tokens_per_param"] = row["tokens"] / row["params"]
    return rows


def format_optimum(compute: float) -> str:
    """A short table of compute-optimal N, D and D/N for a compute budget, under each fit."""
    width = max(len(fit.name) for fit in FITS) + 2
    lines = [f"compute-optimal allocation for C = {compute:.3g} FLOP (C = 6ND)", ""]
    lines.append(f"{'fit':<{width}} {'N (params)':>12} {'D (tokens)':>12} {'D/N':>7}")
    for row in optimum(compute):
        lines.append(f"{row['fit']:<{width}} {row['params']:>12.3g} {row['tokens']:>12.3g} "
                     f"{row['tokens_per_param']:>7.1f}")
    return "\n".join(lines)


def optimum_json(compute: float) -> str:
    """The optimum as one JSON object: {"compute_flop": C, "allocations": [rows of optimum()]}."""
    return json.dumps({"compute_flop": compute, "allocations": optimum(compute)}, indent=2)
