"""`modelfacts explain MODEL_ID`: the formula behind a model's parameter count, part by part."""
from __future__ import annotations

import json
import sys

from pipeline import formula
from pipeline.build import repository_root
from pipeline.load import load


def explanation(model_id: str) -> str:
    """The derivation for one model in data/, as text."""
    data = repository_root() / "data"
    paths = sorted((data / "models").glob(f"*/{model_id}.yaml"))
    if not paths:
        raise LookupError(f"no model '{model_id}' in data/models/*/; check the id (the file name without .yaml)")
    dataset = load(data, only=paths)
    architectures = dataset.architectures
    if dataset.errors:
        raise LookupError("; ".join(str(error) for error in dataset.errors))
    if architectures.empty:
        raise LookupError(f"{model_id} has no architecture block, so its count cannot be derived "
                          f"(closed models publish no config.json)")
    row = architectures.iloc[0]
    config, overrides = json.loads(row["hf_config"]), json.loads(row["overrides"])
    result = formula.count(config, overrides)
    lines = [f"{model_id}: architecture from source '{row['source_id']}'"
             + (f", with overrides {overrides}" if overrides else ""), ""]
    width = max(len(part["part"]) for part in formula.explain(config, overrides))
    for part in formula.explain(config, overrides):
        lines.append(f"  {part['part']:<{width}}  {part['value']:>18,}  = {part['formula']}")
        lines.append(f"  {'':<{width}}  {'':>18}    = {part['arithmetic']}")
    lines += ["", formula.format_breakdown(result)]
    return "\n".join(lines)


def main(model_id: str) -> int:
    """Print the explanation or a one-line reason it cannot be given."""
    try:
        print(explanation(model_id))
    except (LookupError, formula.ConfigError) as error:
        print(f"{model_id}: {error}", file=sys.stderr)
        return 1
    return 0
