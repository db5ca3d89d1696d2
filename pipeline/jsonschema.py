"""`modelfacts schema`: JSON Schemas (draft-07) of the data files, for editors.

Generated from schemas/spec.py, the definition of the keys each kind of file may have that the loader
and the pandera models use too; the vocabularies (fields, statuses, domains, source kinds) and patterns
(slugs, dates, arXiv identifiers) come from the same modules the validator uses. The files are committed
in schemas/json/ and mapped to data/** in .vscode/settings.json; a test keeps them equal to a fresh run.
The validator stays the authority: a schema catches typos while typing, `modelfacts validate` also
checks references, identities, values and duplicates.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from pipeline.fields import DOMAINS, FIELDS, SOURCE_KINDS, STATUSES
from schemas import checks, spec

DRAFT = "http://json-schema.org/draft-07/schema#"
TEXT = {"type": "string", "pattern": r"\S"}  # non-empty text (schemas.checks.text)
SLUG = {"type": "string", "pattern": spec.SLUG}
DATE = checks._DATE.pattern  # noqa: SLF001 - the validator's own pattern
ARXIV = checks._ARXIV.pattern  # noqa: SLF001
URL = r"^https?://[^\s/]+\.[^\s]+$"  # schemas.checks.http_url
NUMBER_TEXT = r"^[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?$"

# Refinements of spec's types, by key: what schemas.checks enforces on that key's values
REFINE: dict[str, dict] = {
    "schema_version": {"const": spec.SCHEMA_VERSION},
    "id": SLUG, "organization": SLUG, "family": SLUG, "source": SLUG, "key": SLUG, "price_source": SLUG,
    "name": TEXT, "title": TEXT, "publisher": TEXT, "locator": TEXT, "attributed_to": TEXT, "note": TEXT,
    "description": TEXT, "repository": TEXT, "path": TEXT, "vendor": TEXT,
    "domain": {"enum": list(DOMAINS)}, "status": {"enum": list(STATUSES)}, "field": {"enum": list(FIELDS)},
    "kind": {"enum": list(SOURCE_KINDS)},
    "aliases": {"items": TEXT}, "authors": {"items": TEXT},
    "url": {"pattern": URL}, "arxiv": {"pattern": ARXIV},
    "released": {"anyOf": [{"type": "string", "pattern": DATE}, {"type": "integer", "minimum": 1000, "maximum": 9999}]},
    "published": {"anyOf": [{"type": "string", "pattern": DATE}, {"const": "undated"},
                            {"type": "integer", "minimum": 1000, "maximum": 9999}]},
    "value": {"anyOf": [TEXT, {"type": "number"}]},
    "peak_bf16_flops": {"anyOf": [{"type": "string", "pattern": NUMBER_TEXT}, {"type": "number", "exclusiveMinimum": 0}]},
    "price_usd_per_hour_low": {"exclusiveMinimum": 0}, "price_usd_per_hour_high": {"exclusiveMinimum": 0},
}
# Keys whose value is a free mapping (a published config)
FREE_MAPPINGS = {"hf_config", "overrides"}


def _property(key: str, kind: str | tuple[str, ...], description: str, nested: dict | None = None) -> dict:
    """The schema of one key: spec's type and description, refined by the validator's rules."""
    refinement = REFINE.get(key, {})
    schema: dict = {"description": description}
    if "anyOf" not in refinement and "const" not in refinement:  # those carry their own types
        schema["type"] = list(kind) if isinstance(kind, tuple) else kind
    schema.update(refinement)
    schema.update(nested or {})
    return schema


def _object(keys: dict, nested: dict[str, dict] | None = None) -> dict:
    """An object schema from one of spec's key tables: known keys only, required ones listed."""
    nested = nested or {}
    return {
        "type": "object",
        "properties": {key: _property(key, kind, description, nested.get(key))
                       for key, (kind, _, description) in keys.items()},
        "required": [key for key, (_, required, _) in keys.items() if required],
        "additionalProperties": False,
    }


def _document(title: str, description: str, body: dict) -> dict:
    """A top-level schema."""
    return {"$schema": DRAFT, "title": title, "description": description, **body}


def schemas() -> dict[str, dict]:
    """Every schema by file name."""
    architecture = _object(spec.ARCHITECTURE_KEYS, {key: {"type": "object"} for key in FREE_MAPPINGS})
    claim = _object(spec.CLAIM_KEYS)
    model = _object(spec.MODEL_KEYS, {"architecture": {k: v for k, v in architecture.items() if k != "type"},
                                      "claims": {"items": claim, "minItems": 0}})
    organizations = _object(spec.ORGANIZATIONS_KEYS, {"organizations": {"items": _object(spec.ORGANIZATION_KEYS)}})
    return {
        "model.schema.json": _document(
            "Model Facts model file", "data/models/<organization>/<model-id>.yaml: one model and its claims.", model),
        "source.schema.json": _document(
            "Model Facts source file", "data/sources/<source-id>.yaml: one source that claims cite.",
            _object(spec.SOURCE_KEYS)),
        "organizations.schema.json": _document(
            "Model Facts organizations file", "data/organizations.yaml: every organization models belong to.",
            organizations),
        "hardware.schema.json": _document(
            "Model Facts hardware file", "data/hardware/<chip-id>.yaml: one accelerator, its peak FLOP/s and price.",
            _object(spec.HARDWARE_KEYS)),
    }


def render(schema: dict) -> str:
    """A schema as committed: two-space JSON, keys in definition order, final newline."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write(out: Path) -> list[Path]:
    """Write every schema into out/; returns the files whose content changed."""
    out.mkdir(parents=True, exist_ok=True)
    changed = []
    for name, schema in schemas().items():
        path = out / name
        text = render(schema)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


def main(args) -> int:
    """Entry point of `modelfacts schema [--out DIR]`."""
    try:
        changed = write(args.out)
    except OSError as error:
        print(f"{error.filename or args.out}: cannot write the schemas: {error.strerror}", file=sys.stderr)
        return 1
    print(f"wrote {len(schemas())} schemas to {args.out} ({len(changed)} changed)")
    return 0
