"""`modelfacts new model ORG/ID`: write a commented skeleton for a new model file.

Required keys get placeholders that fail validation until they are filled in (`""` and `TODO`), so a
half-filled file cannot slip through; optional keys are commented out. The comments come from the key
descriptions in schemas/spec.py. `modelfacts fmt --drop-comments` drops them once the file is filled in.
"""
from __future__ import annotations

import difflib
import re
import sys
from pathlib import Path

from pipeline.load.yaml_reader import YamlError, read_document
from schemas import spec

TODO = "TODO"
# Placeholders of the required keys; each fails validation until replaced
MODEL_PLACEHOLDERS = {"name": '""', "released": TODO, "domain": TODO, "open_weights": TODO}
CLAIM_PLACEHOLDERS = {"field": TODO, "value": '""', "status": TODO, "source": TODO, "locator": '""'}
EXAMPLES = {  # what a filled-in value looks like, shown in the comment
    "name": 'e.g. "Llama 2 70B"', "released": "e.g. 2023-07-18, 2023-07 or 2023", "open_weights": "true or false",
    "value": 'e.g. "70B", "70,015,266,816" or "~1.8 trillion"; quoted', "source": "e.g. llama-2-paper",
    "locator": "e.g. \"Table 1, row '70B', column 'Params'\"",
}
OPTIONAL_MODEL = {"family": "family: llama-2", "aliases": "aliases: [Llama-2-70b-hf]", "description": 'description: ""'}
STATUS_NOTE = ("confirmed (the developer published it), reported (a secondary source relays the developer's "
               "figure), estimated (a named party derived it with a method) or rumored (unattributed or leaked)")


def _comment(text: str) -> str:
    """A description as a comment: no final period, lowercase start after 'optional: '."""
    return text.rstrip(".")


def _optional(text: str) -> str:
    return "optional: " + text[0].lower() + text[1:]


def architecture_lines(config: dict, model_id: str = "{ID}") -> list[tuple[str, str]]:
    """The architecture block for a config.json, as (text, comment) lines: the config verbatim under
    hf_config (keys in their published order, in the canonical layout `modelfacts fmt` writes), a source
    placeholder, and the formula engine's count in the comments so the first claim can be checked at once.

    A config the formula engine cannot count still gets its block; the comment says why it was not counted."""
    from pipeline.fmt import dump
    from pipeline.formula import ConfigError, count

    try:
        counted = count(config)
        tally = (f"formula count ({counted['method']}): total {counted['total']:,} parameters"
                 + (f", active {counted['active']:,}" if counted.get("active") not in (None, counted["total"]) else "")
                 + f", embedding {counted['embedding']:,}, non-embedding {counted['non_embedding']:,}")
    except ConfigError as error:
        tally = f"the formula engine cannot count this config: {error}"
    config_text = dump({"hf_config": config}).rstrip("\n").splitlines()
    lines = [("architecture:", _comment(spec.MODEL_KEYS["architecture"][2])),
             (f"  source: {TODO}", _comment(spec.ARCHITECTURE_KEYS["source"][2])
              + f"; e.g. hf-config-{model_id}, a file in data/sources/")]
    lines += [("  " + line, tally if index == 0 else "") for index, line in enumerate(config_text)]
    return lines


def read_config(path: Path) -> dict:
    """A config.json as a dict; ScaffoldError naming the file when it cannot be read or is not an object."""
    import json

    try:
        config = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise ScaffoldError(f"{path}: cannot read the config: {error.strerror or error}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ScaffoldError(f"{path}: not a JSON file: {error}") from None
    if not isinstance(config, dict):
        raise ScaffoldError(f"{path}: a config.json holds one JSON object; found {type(config).__name__}")
    return config


def skeleton(organization: str, model_id: str, config: dict | None = None) -> str:
    """The text of a new model file; with a config.json, the architecture block is filled from it."""
    keys, arch, claim_keys = spec.MODEL_KEYS, spec.ARCHITECTURE_KEYS, spec.CLAIM_KEYS
    header = [
        f"# New model file, written by `modelfacts new model {organization}/{model_id}`.",
        "# Fill in every TODO and \"\" below, uncomment the optional keys you need and delete the rest, then run",
        f"#   .venv/bin/modelfacts validate data/models/{organization}/{model_id}.yaml",
        "# Every claim cites a source file in data/sources/ (add it if it is new). The format: docs/data-format.md;",
        "# statuses and acceptable sources: CONTRIBUTING.md. `modelfacts fmt --drop-comments` removes these comments.",
    ]
    values = {"schema_version": str(spec.SCHEMA_VERSION), "id": model_id, "organization": organization,
              **MODEL_PLACEHOLDERS}
    body: list[tuple[str, str]] = []
    for key, (_, required, description) in keys.items():
        if key == "claims":
            continue
        if key == "architecture" and config is not None:
            body += architecture_lines(config, model_id)
        elif key == "architecture":
            body += [("# architecture:", _optional(_comment(description))),
                     ("#   source: hf-config-...", _comment(arch["source"][2])),
                     ("#   hf_config:", _comment(arch["hf_config"][2]) + ", verbatim, keys in their published order"),
                     ("#     model_type: llama", "(one line per config.json key)"),
                     ("#   overrides: {}", _optional(_comment(arch["overrides"][2]))),
                     ('#   note: ""', _optional(_comment(arch["note"][2])))]
        elif required:
            note = _comment(description) + (f"; {EXAMPLES[key]}" if key in EXAMPLES else "")
            body.append((f"{key}: {values[key]}", note))
        else:
            body.append((f"# {OPTIONAL_MODEL.get(key, key + ': ')}", _optional(_comment(description))))
    body.append(("claims:", _comment(keys["claims"][2]) + "; one entry per number"))
    for index, (key, (_, required, description)) in enumerate(claim_keys.items()):
        text = f"{'  - ' if index == 0 else '    '}{key}: {CLAIM_PLACEHOLDERS[key]}" if required else f'    # {key}: ""'
        if key == "field":
            note = "what the number is: " + ", ".join(spec.FIELDS)
        elif key == "status":
            note = STATUS_NOTE
        else:
            note = _comment(description)
        note += f"; {EXAMPLES[key]}" if key in EXAMPLES else ""
        body.append((text, note if required else _optional(note)))
    # the comment column fits the commented lines; the count comment may run past it on the hf_config line
    width = max(len(text) for text, note in body if note and not text.startswith("  hf_config")) + 2
    return "\n".join(header + [f"{text:<{width}}# {note}" if note else text for text, note in body]) + "\n"


class ScaffoldError(ValueError):
    """A model file that cannot be created; the message says why and what to do."""


# Ids are typed in citations and URLs; 100 characters is twice the longest real one and keeps the
# file name far below the 255-byte limit of common file systems.
MAX_ID_LENGTH = 100


def known_organizations(data: Path) -> list[str]:
    """Organization ids listed in data/organizations.yaml."""
    try:
        entries = read_document(data / "organizations.yaml").data.get("organizations") or []
    except (OSError, YamlError, AttributeError) as error:
        raise ScaffoldError(f"{data / 'organizations.yaml'}: cannot read the organizations: {error}") from None
    return [entry["id"] for entry in entries if isinstance(entry, dict) and isinstance(entry.get("id"), str)]


def create(data: Path, target: str, config: Path | None = None) -> Path:
    """Write data/models/ORG/ID.yaml (with the architecture block filled from `config`, a config.json, when
    given); raises ScaffoldError when the target or the config is not acceptable."""
    parts = target.strip().split("/")
    if len(parts) != 2 or not all(parts):
        raise ScaffoldError(f"expected ORG/ID, e.g. meta/llama-4-8b; found '{target}'")
    organization, model_id = parts
    if model_id.endswith((".yaml", ".yml")):
        raise ScaffoldError(f"give the model id without .yaml: {organization}/{model_id.rsplit('.', 1)[0]}")
    if len(model_id) > MAX_ID_LENGTH:
        raise ScaffoldError(f"the model id is {len(model_id)} characters long; the limit is {MAX_ID_LENGTH}")
    if not re.fullmatch(spec.SLUG, model_id, flags=re.ASCII):
        raise ScaffoldError(f"the model id '{model_id}' is not a slug: use lowercase letters, digits, '-', '.', '_', "
                            "starting and ending with a letter or digit, e.g. llama-4-8b")
    organizations = known_organizations(data)
    if organization not in organizations:
        close = difflib.get_close_matches(organization, organizations, n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(close)}?" if close else "; add it to data/organizations.yaml first"
        raise ScaffoldError(f"unknown organization '{organization}' (not in data/organizations.yaml){hint}")
    path = data / "models" / organization / f"{model_id}.yaml"
    for folder in (data, data / "models", path.parent):
        if folder.is_symlink():
            raise ScaffoldError(f"{folder.relative_to(data.parent)} is a symbolic link; new files are written "
                                "only into folders that lie in data/ itself")
    if path.exists():
        raise ScaffoldError(f"{path.relative_to(data.parent)} already exists; edit it instead")
    elsewhere = sorted((data / "models").glob(f"*/{model_id}.yaml"))
    if elsewhere:
        raise ScaffoldError(f"the model id '{model_id}' is already used by {elsewhere[0].relative_to(data.parent)}")
    text = skeleton(organization, model_id, read_config(config) if config is not None else None)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as handle:  # "x": never overwrite, even in a race
        handle.write(text)
    return path


def main(args) -> int:
    """Entry point of `modelfacts new model ORG/ID`."""
    from pipeline.build import repository_root

    data = repository_root() / "data"
    try:
        path = create(data, args.target, getattr(args, "config", None))
    except ScaffoldError as error:
        print(str(error), file=sys.stderr)
        return 1
    except FileExistsError:
        print(f"data/models/{args.target}.yaml already exists; edit it instead", file=sys.stderr)
        return 1
    shown = path.relative_to(data.parent).as_posix()
    print(f"wrote {shown}; fill in the TODO and \"\" placeholders, then run: modelfacts validate {shown}")
    return 0
