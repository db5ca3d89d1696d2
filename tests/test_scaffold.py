"""`modelfacts new model ORG/ID`, and the example files in CONTRIBUTING.md."""
from __future__ import annotations

import re
import shutil

import pytest

from pipeline.build import build_tables
from pipeline.fields import FIELDS, SOURCE_KINDS, STATUSES
from tests.conftest import REPO, run_cli

TARGET = "data/models/meta/new-model-8b.yaml"

FILLED = {  # placeholder line -> filled-in line
    'name: ""': 'name: "New Model 8B"',
    "released: TODO": "released: 2024-04",
    "domain: TODO": "domain: language",
    "open_weights: TODO": "open_weights: true",
    "- field: TODO": "- field: params_total",
    'value: ""': 'value: "8B"',
    "status: TODO": "status: confirmed",
    "source: TODO": "source: example-paper",
    'locator: ""': 'locator: "Table 1"',
}


def fill(text: str) -> str:
    for placeholder, value in FILLED.items():
        assert placeholder in text, placeholder
        text = re.sub(rf"(?m)^(\s*){re.escape(placeholder)}(\s+#.*)?$", lambda m: m.group(1) + value + (m.group(2) or ""),
                      text, count=1)
    return text


def test_new_model_writes_a_skeleton_that_validates_once_filled(tree, monkeypatch):
    status, out, err = run_cli(["new", "model", "meta/new-model-8b"], tree, monkeypatch)
    assert (status, err) == (0, "")
    assert out == (f"wrote {TARGET}; fill in the TODO and \"\" placeholders, then run: "
                   f"modelfacts validate {TARGET}\n")
    path = tree / TARGET
    text = path.read_text()
    assert text.startswith("# New model file") and "id: new-model-8b" in text and "organization: meta" in text
    # unfilled, every placeholder is an error naming its key
    status, out, _ = run_cli(["validate", TARGET], tree, monkeypatch)
    assert status == 1
    for key in ("name", "released", "domain", "open_weights", "claims[0].field", "claims[0].value",
                "claims[0].status", "claims[0].source", "claims[0].locator"):
        assert f": {key}: " in out, (key, out)
    # filled, it passes (comments and all), and fmt leaves a clean, still valid file
    path.write_text(fill(text))
    status, out, err = run_cli(["validate", TARGET], tree, monkeypatch)
    assert status == 0, out + err
    status, _, err = run_cli(["fmt", TARGET], tree, monkeypatch)
    assert status == 2 and "run `modelfacts fmt --drop-comments`" in err  # comments are never dropped silently
    status, out, _ = run_cli(["fmt", "--drop-comments", TARGET], tree, monkeypatch)
    assert status == 0 and "comment line" in out
    assert path.read_text() == (
        'schema_version: 1\nid: new-model-8b\nname: "New Model 8B"\norganization: meta\nreleased: 2024-04\n'
        "domain: language\nopen_weights: true\nclaims:\n  - field: params_total\n    value: \"8B\"\n"
        '    status: confirmed\n    source: example-paper\n    locator: "Table 1"\n')
    status, _, _ = run_cli(["validate"], tree, monkeypatch)
    assert status == 0


def test_optional_keys_uncommented_are_valid_too(tree, monkeypatch):
    run_cli(["new", "model", "mistral/opt-in"], tree, monkeypatch)
    path = tree / "data/models/mistral/opt-in.yaml"
    text = fill(path.read_text())
    for key in ("family", "aliases", "description"):
        text = re.sub(rf"(?m)^# ({key}: )", r"\1", text)
    text = text.replace('description: ""', 'description: "A test model."')
    text = re.sub(r'(?m)^    # note: ""', '    note: "A note."', text)
    path.write_text(text)
    status, out, err = run_cli(["validate", "data/models/mistral/opt-in.yaml"], tree, monkeypatch)
    assert status == 0, out + err


@pytest.mark.parametrize("target, message", [
    ("meta/example-model", "data/models/meta/example-model.yaml already exists; edit it instead"),
    ("mistral/example-model", "the model id 'example-model' is already used by data/models/meta/example-model.yaml"),
    ("metta/new-one", "unknown organization 'metta' (not in data/organizations.yaml); did you mean meta?"),
    ("acme/new-one", "unknown organization 'acme' (not in data/organizations.yaml); add it to data/organizations.yaml first"),
    ("meta/New_Model", "the model id 'New_Model' is not a slug"),
    ("meta/new-one.yaml", "give the model id without .yaml: meta/new-one"),
    ("new-one", "expected ORG/ID, e.g. meta/llama-4-8b; found 'new-one'"),
    ("meta/a/b", "expected ORG/ID"),
])
def test_new_model_refuses(tree, monkeypatch, target, message):
    before = sorted(p.relative_to(tree) for p in (tree / "data").rglob("*"))
    original = (tree / "data/models/meta/example-model.yaml").read_text()
    status, out, err = run_cli(["new", "model", target], tree, monkeypatch)
    assert status == 1 and out == ""
    assert err.startswith(message) and err.count("\n") == 1
    assert sorted(p.relative_to(tree) for p in (tree / "data").rglob("*")) == before
    assert (tree / "data/models/meta/example-model.yaml").read_text() == original


def test_the_skeleton_describes_keys_from_the_spec():
    from pipeline.scaffold import skeleton
    from schemas import spec

    text = skeleton("meta", "x")
    for key in list(spec.MODEL_KEYS) + list(spec.CLAIM_KEYS) + list(spec.ARCHITECTURE_KEYS):
        assert re.search(rf"(?m)^[#\s-]*{key}:", text), key
    assert all(field in text for field in FIELDS)


# ---------------------------------------------------------------- CONTRIBUTING.md

def contributing_files() -> dict[str, str]:
    """The example files in CONTRIBUTING.md: yaml blocks whose first line names their path."""
    text = (REPO / "CONTRIBUTING.md").read_text()
    files = {}
    for block in re.findall(r"```yaml\n(.*?)```", text, flags=re.DOTALL):
        first = block.splitlines()[0]
        match = re.match(r"# (data/\S+\.yaml)", first)
        if match:
            files[match.group(1)] = block
    return files


def test_the_contributing_examples_are_valid_files(tmp_path):
    files = contributing_files()
    assert set(files) == {"data/models/meta/llama-2-7b.yaml", "data/sources/llama-2-model-card.yaml",
                          "data/sources/hf-config-llama-2-7b-hf.yaml"}
    root = tmp_path / "repo"
    (root / "data").mkdir(parents=True)
    shutil.copy(REPO / "data/organizations.yaml", root / "data/organizations.yaml")
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    tables = build_tables(root)  # load, validate, derive, check
    assert len(tables["models"]) == 1 and len(tables["claims"]) == 2
    model = files["data/models/meta/llama-2-7b.yaml"]
    commented = [line for line in model.splitlines() if re.match(r"^\s*-?\s*\w+:", line) and "#" in line]
    assert len(commented) >= 20  # "fully commented"


def test_contributing_agrees_with_the_vocabularies():
    text = (REPO / "CONTRIBUTING.md").read_text()
    for field in FIELDS:
        assert f"`{field}`" in text, field
    for status in STATUSES:
        assert f"**`{status}`**" in text, status
    for kind in SOURCE_KINDS:
        assert kind in text, kind
    data_format = (REPO / "docs/data-format.md").read_text()
    # the status rules are the data format's, word for word where they define them
    for sentence in ("a named third party derived the number with a method",
                     "`attributed_to` names the estimator",
                     "the developer's own publication, when it exists, is a separate `confirmed` claim"):
        assert sentence in " ".join(text.split()), sentence
        assert sentence in " ".join(data_format.split()), sentence
    for command in ("modelfacts new model", "modelfacts fmt", "modelfacts validate", "modelfacts diff --base",
                    "modelfacts cite"):
        assert command in text, command
