"""Compute-optimal scaling: the Chinchilla parametric fits and the 6ND rule."""
from __future__ import annotations

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
HOFFMANN_2022 = ParametricFit("Hoffmann et al. 2022", "Training Compute-Optimal Large Language Models, Approach 3 "
                              "(arXiv:2203.15556)", E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28)
FITS = (BESIROGLU_2024, HOFFMANN_2022)
TOKENS_PER_PARAM_RULE = 20.0  # Hoffmann et al. 2022's rule of thumb


def training_compute(params: float, tokens: float) -> float:
    """C = 6 N D: forward and backward passes cost about 6 FLOP per parameter per token."""
    return 6.0 * params * tokens


def format_optimum(compute: float) -> str:
    """A short table of compute-optimal N, D and D/N for a compute budget, under each fit."""
    lines = [f"compute-optimal allocation for C = {compute:.3g} FLOP (C = 6ND)", ""]
    lines.append(f"{'fit':<24} {'N (params)':>14} {'D (tokens)':>14} {'D/N':>8}")
    for fit in FITS:
        params, tokens = fit.optimal_params(compute), fit.optimal_tokens(compute)
        lines.append(f"{fit.name:<24} {params:>14.4g} {tokens:>14.4g} {tokens / params:>8.1f}")
    rule_params = (compute / (6 * TOKENS_PER_PARAM_RULE)) ** 0.5
    lines.append(f"{'20 tokens per parameter':<24} {rule_params:>14.4g} {rule_params * TOKENS_PER_PARAM_RULE:>14.4g} "
                 f"{TOKENS_PER_PARAM_RULE:>8.1f}")
    return "\n".join(lines)
