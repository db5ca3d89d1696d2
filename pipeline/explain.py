"""`modelfacts explain MODEL_ID` and `modelfacts count CONFIG.json`: a parameter count, part by part."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pipeline import formula
from pipeline.build import repository_root
from pipeline.load import load
from pipeline.resolve import UnknownName, resolve_model_id


def formula_lines(config: dict[str, Any], overrides: dict[str, Any] | None = None) -> list[str]:
    """One line per part with its value and formula, a second with this config's arithmetic."""
    parts = formula.explain(config, overrides)
    width = max(len(part["part"]) for part in parts)
    lines = []
    for part in parts:
        lines.append(f"  {part['part']:<{width}}  {part['value']:>18,}  = {part['formula']}")
        if part["arithmetic"] != f"{part['value']:,}":
            lines.append(f"  {'':<{width}}  {'':>18}    = {part['arithmetic']}")
    return lines


def explanation(name: str) -> str:
    """The derivation for one model in data/, as text; `name` is its ID or an alias (resolve_model_id)."""
    data = repository_root() / "data"
    model_id = resolve_model_id(name, load(data, only=sorted((data / "models").glob("*/*.yaml"))).models)
    paths = sorted((data / "models").glob(f"*/{model_id}.yaml"))
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
    lines += formula_lines(config, overrides)
    lines += ["", formula.format_breakdown(result)]
    return "\n".join(lines)


def main(model_id: str) -> int:
    """Print the explanation or a one-line reason it cannot be given."""
    try:
        print(explanation(model_id))
    except UnknownName as error:
        print(error, file=sys.stderr)
        return 1
    except (LookupError, formula.ConfigError) as error:
        print(f"{model_id}: {error}", file=sys.stderr)
        return 1
    return 0


def count_file(path: Path, as_json: bool = False, with_formulas: bool = False) -> int:
    """`modelfacts count`: print the count of a config.json (JSON with ``as_json``, every part's
    formula with ``with_formulas``). Returns the exit status: 0, or 1 with a one-line reason naming
    the file when the file is unreadable or nothing can count the config."""
    from pipeline.hfconfig import ConfigFileError, read_config, width_problems

    try:
        config = read_config(Path(path))  # regular files only, bounded size and depth, one-line errors
    except ConfigFileError as error:
        print(f"{path}: cannot read a JSON config: {error}", file=sys.stderr)
        return 1
    if width_problems(config):  # booleans and int64-overflowing widths the engine must not count
        print("\n".join(f"{path}: {key}: {message}" for key, message in width_problems(config)), file=sys.stderr)
        return 1
    try:
        result = formula.count(config)
        lines = formula_lines(config) if with_formulas else []
    except formula.ConfigError as error:
        print(f"{path}: {error}", file=sys.stderr)
        return 1
    if as_json:
        if with_formulas:
            result = dict(result, explain=formula.explain(config))
        print(json.dumps(result, indent=2))
    else:
        print("\n".join(lines + ([""] if lines else []) + [formula.format_breakdown(result)]))
    return 0
