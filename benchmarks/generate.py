"""Write a synthetic data/ tree of N models with realistic claims, sources and architectures.

    python benchmarks/generate.py --models 10000 --out /tmp/bench-10k
"""
from __future__ import annotations

import argparse
import random
from pathlib import Path

ORGS = 50
SOURCES = 2_000
FIELDS = [("params_total", "{:.3g}B", 1e-9), ("params_active", "{:.2g}B", 1e-9), ("training_tokens", "{:.2g}T tokens", 1e-12),
          ("training_compute_flop", "{:.3g}", 1), ("training_gpu_hours", "{:,.0f}", 1), ("training_cost_usd", "${:.2g}M", 1e-6),
          ("context_length", "{:,.0f}", 1), ("training_hardware", "A100", None)]
STATUSES = ["confirmed", "estimated", "rumored"]


def model_yaml(index: int, org: str, rng: random.Random) -> str:
    """One model file with an architecture (two in three) and ten claims."""
    layers, hidden = rng.choice([(16, 2048), (32, 4096), (40, 5120), (80, 8192)])
    params = 12 * layers * hidden * hidden + 2 * 32000 * hidden
    tokens = params * rng.uniform(10, 300)
    numbers = {"params_total": params, "params_active": params, "training_tokens": tokens,
               "training_compute_flop": 6 * params * tokens, "training_gpu_hours": 6 * params * tokens / 312e12 / 0.4 / 3600,
               "training_cost_usd": 6 * params * tokens / 312e12 / 0.4 / 3600 * 2.5, "context_length": 4096}
    lines = ["schema_version: 1", f"id: model-{index:06d}", f"name: Synthetic Model {index}", f"organization: {org}",
             f"released: 20{rng.randint(18, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
             "domain: language", "open_weights: true"]
    if index % 3:
        lines += ["architecture:", "  source: synthetic-source-0000", "  hf_config:", "    model_type: llama",
                  f"    hidden_size: {hidden}", f"    intermediate_size: {hidden * 4}", f"    num_hidden_layers: {layers}",
                  f"    num_attention_heads: {hidden // 128}", f"    num_key_value_heads: {hidden // 128}",
                  "    vocab_size: 32000", "    tie_word_embeddings: false"]
    lines.append("claims:")
    for claim in range(10):
        field, pattern, scale = FIELDS[claim % len(FIELDS)]
        spread = rng.uniform(0.5, 0.9) if field == "params_active" else rng.uniform(0.9, 1.1)
        value = pattern if scale is None else pattern.format(numbers[field] * scale * spread)
        source = rng.randrange(SOURCES)
        lines += [f"  - field: {field}", f'    value: "{value}"', f"    status: {rng.choice(STATUSES)}",
                  f"    source: synthetic-source-{source:04d}", f"    locator: Table {claim + 1}",
                  f"    key: k{claim}", "    note: Synthetic claim for benchmarks."]
    return "\n".join(lines) + "\n"


def generate(models: int, out: Path, seed: int = 0) -> Path:
    """Write out/data with `models` model files; returns the data folder."""
    rng = random.Random(seed)
    data = out / "data"
    (data / "sources").mkdir(parents=True, exist_ok=True)
    (data / "VERSION").write_text("0.0.0\n")
    organizations = [f"org-{i:02d}" for i in range(ORGS)]
    (data / "organizations.yaml").write_text(
        "schema_version: 1\norganizations:\n" + "".join(f"  - id: {o}\n    name: Organization {o}\n" for o in organizations))
    for i in range(SOURCES):
        (data / "sources" / f"synthetic-source-{i:04d}.yaml").write_text(
            f"schema_version: 1\nid: synthetic-source-{i:04d}\ntitle: Synthetic source {i}\npublisher: Benchmarks\n"
            f"published: 2024-01-01\nkind: article\naccessed_via: original\n")
    for org in organizations:
        (data / "models" / org).mkdir(parents=True, exist_ok=True)
    for index in range(models):
        org = organizations[index % ORGS]
        (data / "models" / org / f"model-{index:06d}.yaml").write_text(model_yaml(index, org, rng))
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    print(generate(args.models, args.out))


if __name__ == "__main__":
    main()
