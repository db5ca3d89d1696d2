"""JSON Schemas of the data files: generated from schemas/spec.py, committed, and true of the real data."""
from __future__ import annotations

import datetime as dt
import fnmatch
import json
from pathlib import Path

import jsonschema
import pytest

from pipeline.jsonschema import render, schemas
from pipeline.load import data_files, kind_of
from pipeline.load.yaml_reader import parse_text
from schemas import spec
from tests.conftest import FIXTURES, REPO, run_cli

COMMITTED = REPO / "schemas" / "json"
SCHEMA_OF = {"model": "model.schema.json", "source": "source.schema.json", "hardware": "hardware.schema.json",
             "organizations": "organizations.schema.json"}


def as_editors_read_it(value):
    """A YAML value as a YAML 1.2 editor sees it: dates are text."""
    if isinstance(value, dict):
        return {key: as_editors_read_it(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_editors_read_it(item) for item in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def validator(name: str) -> jsonschema.Draft7Validator:
    schema = json.loads((COMMITTED / name).read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def test_committed_schemas_equal_freshly_generated_ones():
    generated = schemas()
    assert sorted(p.name for p in COMMITTED.glob("*.schema.json")) == sorted(generated)
    for name, schema in generated.items():
        assert (COMMITTED / name).read_text() == render(schema), f"run `modelfacts schema` ({name} is stale)"


def test_the_schema_command_writes_the_same_files(tmp_path, monkeypatch):
    status, out, _ = run_cli(["schema", "--out", str(tmp_path / "json")], tmp_path, monkeypatch)
    assert status == 0 and out.startswith("wrote 4 schemas")
    for path in COMMITTED.glob("*.schema.json"):
        assert (tmp_path / "json" / path.name).read_text() == path.read_text()


@pytest.mark.parametrize("root", [REPO / "data", FIXTURES / "valid" / "data"], ids=["repository", "fixture"])
def test_every_data_file_validates(root):
    validators = {kind: validator(name) for kind, name in SCHEMA_OF.items()}
    files = data_files(root)
    assert files
    for path in files:
        kind = kind_of(path, root)
        data = as_editors_read_it(parse_text(path.read_text(encoding="utf-8")).data)
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validators[kind].iter_errors(data)]
        assert errors == [], f"{path}: {errors}"


def test_schemas_follow_the_spec():
    generated = schemas()
    for name, keys in (("model.schema.json", spec.MODEL_KEYS), ("source.schema.json", spec.SOURCE_KEYS),
                       ("hardware.schema.json", spec.HARDWARE_KEYS),
                       ("organizations.schema.json", spec.ORGANIZATIONS_KEYS)):
        schema = generated[name]
        assert list(schema["properties"]) == list(keys)
        assert schema["required"] == [key for key, value in keys.items() if value[1]]
        assert schema["additionalProperties"] is False
        for key, (_, _, description) in keys.items():
            assert schema["properties"][key]["description"] == description
    model = generated["model.schema.json"]["properties"]
    assert list(model["claims"]["items"]["properties"]) == list(spec.CLAIM_KEYS)
    assert list(model["architecture"]["properties"]) == list(spec.ARCHITECTURE_KEYS)


MODEL = {"schema_version": 1, "id": "x-1", "name": "X", "organization": "meta", "released": "2024-05",
         "domain": "language", "open_weights": True,
         "claims": [{"field": "params_total", "value": "7B", "status": "confirmed", "source": "p", "locator": "T1"}]}


@pytest.mark.parametrize("change, where", [
    ({"nmae": "X"}, "Additional properties"),
    ({"domain": "languages"}, "is not one of"),
    ({"released": "May 2024"}, "is not valid"),
    ({"open_weights": "yes"}, "is not of type 'boolean'"),
    ({"id": "X 1"}, "does not match"),
    ({"schema_version": 2}, "was expected"),
    ({"claims": [{"field": "params_total", "value": "7B", "status": "confimed", "source": "p", "locator": "T1"}]},
     "is not one of"),
    ({"claims": [{"field": "params_total", "value": "7B", "status": "confirmed", "source": "p"}]},
     "'locator' is a required property"),
])
def test_mistakes_the_validator_catches_are_caught_while_typing(change, where):
    check = validator("model.schema.json")
    assert list(check.iter_errors(MODEL)) == []
    errors = [e.message for e in check.iter_errors({**MODEL, **change})]
    assert any(where in message for message in errors), errors


def test_vscode_maps_every_schema_to_its_files():
    settings = json.loads((REPO / ".vscode/settings.json").read_text())
    mapping = settings["yaml.schemas"]
    assert sorted(Path(schema).name for schema in mapping) == sorted(SCHEMA_OF.values())
    for schema, globs in mapping.items():
        assert (REPO / schema).exists(), schema
    for path in data_files(REPO / "data"):
        relative = path.relative_to(REPO).as_posix()
        matched = [Path(schema).name for schema, globs in mapping.items()
                   if any(fnmatch.fnmatch(relative, pattern) for pattern in globs)]
        assert matched == [SCHEMA_OF[kind_of(path, REPO / "data")]], relative
