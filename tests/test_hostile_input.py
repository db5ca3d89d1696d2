"""Hostile input (issue 13, kinds 4, 5 and 7): every case of the reliability report in these kinds that
cannot be a golden fixture (large or generated inputs, special files, several files, other commands),
and a property test feeding random bytes and mutations of real files to validate, build and count.

Each case asserts the exact one-line message and, where a build is involved, that the last good build
is byte-for-byte unchanged. Cases that could crash or hang the interpreter run in a subprocess with a
timeout, so a regression fails the test instead of killing or blocking the suite.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.load.yaml_reader import YamlError, parse_text
from tests.conftest import FIXTURES, PINNED_TODAY, REPO, run_cli

MODEL = "data/models/meta/example-model.yaml"
ENV = {**os.environ, "PYTHONPATH": str(REPO), "MODELFACTS_TODAY": PINNED_TODAY}


def modelfacts(args: list[str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    """`modelfacts ARGS` in a child process (a segfault or a hang fails the test, not the suite)."""
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], cwd=cwd, env=ENV, capture_output=True,
                          text=True, timeout=timeout)


def fingerprint(dist: Path) -> dict[str, str]:
    """SHA-256 of every file of a build folder, by relative path."""
    return {path.relative_to(dist).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(dist.rglob("*")) if path.is_file()}


def with_name(tree: Path, value: str) -> None:
    """The fixture model with its `name:` line replaced by `name: VALUE`."""
    path = tree / MODEL
    path.write_text(path.read_text().replace("name: Example Model", f"name: {value}"))


# ---------------------------------------------------------------- kind 4: no crash, no hang

DEEP = {  # report case 4: libyaml's composer recursed in C and died with SIGSEGV from ~25,000 levels
    "flow-sequences-25k": "[" * 25_000 + "]" * 25_000,
    "flow-mappings-25k": "{a: " * 25_000 + "1" + "}" * 25_000,
    "flow-sequences-490k": "[" * 490_000 + "]" * 490_000,  # 980 KB, under the 1 MB size limit
    "block-sequences-30k": "\n  " + "- " * 30_000 + "x",  # nested block sequences on one line
}
DEEP_MESSAGE = "nesting deeper than 12 levels is not allowed (found more than 1,000 levels)"


@pytest.mark.parametrize("text", DEEP.values(), ids=DEEP.keys())
def test_deep_nesting_is_refused_before_the_parser(tree, text):
    with_name(tree, text)
    result = modelfacts(["validate"], tree)
    line = 3 + text.count("\n")  # the line where the nesting passes the bound
    assert (result.returncode, result.stdout) == (1, f"{MODEL}:{line}: {DEEP_MESSAGE}\n"), result.stderr[-2000:]


def test_deep_nesting_is_refused_by_every_command_that_reads_data(tree):
    assert modelfacts(["build"], tree).returncode == 0
    before = fingerprint(tree / "dist")
    with_name(tree, DEEP["flow-sequences-25k"])
    single = modelfacts(["validate", MODEL], tree)
    assert (single.returncode, single.stdout) == (1, f"{MODEL}:3: {DEEP_MESSAGE}\n")
    formatted = modelfacts(["fmt", "--check", MODEL], tree)
    assert (formatted.returncode, formatted.stderr.splitlines()[0]) == (2, f"{MODEL}:3: cannot format: {DEEP_MESSAGE}")
    build = modelfacts(["build"], tree)
    assert build.returncode == 1 and f"{MODEL}:3: {DEEP_MESSAGE}" in build.stdout
    assert fingerprint(tree / "dist") == before
    for result in (single, formatted, build):
        assert "Traceback" not in result.stdout + result.stderr


def test_an_exponent_of_5000_digits_is_a_located_error(tree, monkeypatch):
    path = tree / MODEL
    path.write_text(path.read_text().replace('value: "70B"', f'value: "1e{"9" * 5000}"'))
    status, out, err = run_cli(["validate"], tree, monkeypatch)
    assert (status, out) == (1, f'{MODEL}:10: claims[0].value: expected a finite value greater than 0; '
                                f'found "1e{"9" * 5000}"\n')
    assert "Traceback" not in err


def test_a_named_pipe_in_data_does_not_block(tree):
    os.mkfifo(tree / "data/models/meta/pipe.yaml")  # report case 113: every command blocked forever
    message = "data/models/meta/pipe.yaml:1: expected a regular file; found a named pipe"
    validate = modelfacts(["validate"], tree, timeout=60)
    assert validate.returncode == 1 and validate.stdout == message + "\n"
    single = modelfacts(["validate", "data/models/meta/pipe.yaml"], tree, timeout=60)
    assert single.returncode == 1 and message in single.stdout
    build = modelfacts(["build"], tree, timeout=60)
    assert build.returncode == 1 and message in build.stdout and not (tree / "dist").exists()
    formatted = modelfacts(["fmt", "--check"], tree, timeout=60)
    assert formatted.returncode == 2
    assert "data/models/meta/pipe.yaml:1: cannot format: expected a regular file; found a named pipe" in formatted.stderr


def test_count_on_a_device_returns_at_once():
    result = modelfacts(["count", "/dev/zero"], REPO, timeout=60)  # report case 132: read forever
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == "/dev/zero: cannot read a JSON config: expected a regular file; found a device\n"


COUNT_CASES = {  # report cases 131 and 133: tracebacks, an int64 wrap-around, true counted as 1
    "deep.json": ("[" * 100_000 + "]" * 100_000, "not a JSON config: nested too deeply"),
    "bigint.json": ('{"model_type": "llama", "hidden_size": ' + "9" * 5000 + "}",
                    "not a JSON config: a number has more than 4,300 digits"),
    "list.json": ("[1, 2, 3]", "expected a JSON object of config keys; found list"),
    "broken.json": ('{"model_type": "llama",\n "hidden_size": }', "line 2: not valid JSON: Expecting value"),
}


@pytest.mark.parametrize("name", COUNT_CASES)
def test_count_refuses_unreadable_configs_in_one_line(tmp_path, monkeypatch, name):
    text, message = COUNT_CASES[name]
    (tmp_path / name).write_text(text)
    status, out, err = run_cli(["count", name], tmp_path, monkeypatch)
    assert (status, out, err) == (1, "", f"{name}: cannot read a JSON config: {message}\n")


def test_count_refuses_a_file_that_is_not_utf8(tmp_path, monkeypatch):
    (tmp_path / "latin1.json").write_bytes(b'{"model_type": "Caf\xe9"}')
    status, out, err = run_cli(["count", "latin1.json"], tmp_path, monkeypatch)
    assert (status, err) == (1, "latin1.json: cannot read a JSON config: line 1: the file is not UTF-8: "
                                "byte 0xe9 cannot be decoded\n")


LLAMA_7B = {"model_type": "llama", "hidden_size": 4096, "intermediate_size": 11008, "num_attention_heads": 32,
            "num_hidden_layers": 32, "num_key_value_heads": 32, "vocab_size": 32000, "tie_word_embeddings": False}


@pytest.mark.parametrize("key, value, shown", [
    ("hidden_size", True, "true"),  # Python counts True as 1: a 1,120,961-parameter Llama
    ("num_hidden_layers", 2 ** 31 - 1, "2147483647"),  # the int64 products wrapped to 4.6e18
    ("intermediate_size", 11008.5, "11008.5"),
    ("vocab_size", float("nan"), "NaN"),
])
def test_count_refuses_widths_the_engine_must_not_count(tmp_path, monkeypatch, key, value, shown):
    (tmp_path / "config.json").write_text(json.dumps({**LLAMA_7B, key: value}))
    status, out, err = run_cli(["count", "config.json"], tmp_path, monkeypatch)
    assert (status, out) == (1, "")
    assert err.startswith(f"config.json: {key}: expected a whole number from 1 to ")
    assert err.endswith(f"(larger widths are typing slips and would overflow the count); found {shown}\n")


def test_count_reads_gemma_3n_per_layer_widths(tmp_path, monkeypatch):
    # Gemma 3n's text decoder gives intermediate_size per layer; these are transformers' 5.23 defaults
    # (35 layers of 16,384), whose model has 6,835,235,568 parameters on the meta device
    # (AutoModelForCausalLM.from_config(Gemma3nTextConfig()), summed by hand outside the engine).
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "gemma3n_text", "intermediate_size": [16384] * 35}))
    status, out, err = run_cli(["count", "config.json", "--json"], tmp_path, monkeypatch)
    assert (status, err) == (0, "")
    assert json.loads(out)["total"] == 6_835_235_568


@pytest.mark.parametrize("config, message", [
    ({"model_type": "gemma3n_text", "intermediate_size": [16384, 16384.5]},
     "intermediate_size: expected a whole number from 1 to 524,288 (larger widths are typing slips and would "
     "overflow the count) per layer; found 16384.5"),
    ({"model_type": "gemma3n_text", "intermediate_size": [16384] * 5000},
     "intermediate_size: expected at most 4,096 per-layer widths; found 5,000"),
    ({"model_type": "llama", "intermediate_size": [16384]},  # only Gemma 3n's decoder writes a list
     "intermediate_size: expected a whole number from 1 to 524,288 (larger widths are typing slips and would "
     "overflow the count); found [16384]"),
])
def test_count_refuses_bad_per_layer_widths(tmp_path, monkeypatch, config, message):
    (tmp_path / "config.json").write_text(json.dumps(config))
    status, out, err = run_cli(["count", "config.json"], tmp_path, monkeypatch)
    assert (status, out, err) == (1, "", f"config.json: {message}\n")


def test_count_still_counts_a_good_config(tmp_path, monkeypatch):
    (tmp_path / "config.json").write_text(json.dumps(LLAMA_7B))
    status, out, _ = run_cli(["count", "config.json", "--json"], tmp_path, monkeypatch)
    assert status == 0
    assert json.loads(out)["total"] == 6_738_415_616  # Llama 2 7B, as transformers counts it on the meta device


def test_new_model_with_a_300_character_id_is_refused(tree, monkeypatch):
    status, out, err = run_cli(["new", "model", "meta/" + "a" * 300], tree, monkeypatch)
    assert (status, out, err) == (1, "", "the model id is 300 characters long; the limit is 100\n")
    assert sorted(p.name for p in (tree / "data/models/meta").iterdir()) == ["example-model.yaml"]


# ---------------------------------------------------------------- kind 4/5: what a tag may not do

@pytest.mark.parametrize("text, message", [
    ("x: !!str {a: 1}", "YAML tags are not allowed; found !!str on a mapping"),  # leaked ScalarNode(...) text
    ("x: !!str [a]", "YAML tags are not allowed; found !!str on a list"),
    ("x: !!map abc", "YAML tags are not allowed; found !!map on a single value"),  # ValueError traceback
    ("x: !!seq abc", "YAML tags are not allowed; found !!seq on a single value"),  # AttributeError traceback
    ("x: !!bool maybe", 'YAML tags are not allowed; found !!bool on "maybe"'),  # KeyError traceback
    ("x: !!timestamp soon", 'YAML tags are not allowed; found !!timestamp on "soon"'),  # AttributeError
    ("x: !!int [1]", "YAML tags are not allowed; found !!int on a list"),
    ("x: !!null abc", 'YAML tags are not allowed; found !!null on "abc"'),
    ('x: "a\\x1b[2Jb"', 'control character U+001B is not allowed in text; found "a\\u001b[2Jb"'),
    ('"k\\0": 1', 'control character U+0000 is not allowed in text; found "k\\u0000"'),
])
def test_tags_and_escapes_that_would_change_a_value_are_refused(text, message):
    with pytest.raises(YamlError) as raised:
        parse_text(text)
    assert (raised.value.line, raised.value.message) == (1, message)


def test_every_refused_character_is_reported_at_its_line_and_field():
    """Raw characters YAML refuses (libyaml stops at the first, with a character position) and escaped control
    characters, in a list item, a key, a value and a comment: one error each, in line order."""
    text = 'aliases: [a\x00b]\n"k\\e": 1\nx: "\ufffe"\n# note \x1b\ny: ok\n'
    with pytest.raises(YamlError) as raised:
        parse_text(text)
    assert [(error.line, error.path, error.message) for error in raised.value.every] == [
        (1, "aliases[0]", 'control character U+0000 is not allowed in text; found "a\\u0000b"'),
        (2, "", 'control character U+001B is not allowed in text; found "k\\u001b"'),
        (3, "x", 'character U+FFFE is not allowed in text; found "\ufffe"'),
        (4, "", 'control character U+001B is not allowed in a data file; found "# note \\u001b"'),
    ]


@pytest.mark.parametrize("text, value", [
    ("x: !!int 5", 5), ("x: !!str 5", "5"), ("x: 1e-05", 1e-05), ("x: 5E+3", 5000.0), ("x: 2023-13-45", "2023-13-45"),
    ('x: "tab\\tand newline\\n"', "tab\tand newline\n"),
])
def test_tags_that_change_nothing_and_yaml_12_floats_are_read(text, value):
    assert parse_text(text).data == {"x": value}


# ---------------------------------------------------------------- kind 5: refused, not published

def test_an_unreadable_folder_is_an_error_not_a_smaller_dataset(tree, monkeypatch):
    real_scandir = os.scandir
    blocked = os.path.join("data", "models", "meta")

    def scandir(path="."):  # what chmod 000 does to a user without CAP_DAC_READ_SEARCH (the suite may run as root)
        if os.fspath(path).endswith(blocked):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    status, out, _ = run_cli(["validate"], tree, monkeypatch)
    assert (status, out) == (1, "data/models/meta: cannot read the folder: Permission denied; "
                                "its files would be skipped\n")


def test_a_symlinked_folder_is_an_error_and_nothing_writes_through_it(tree, monkeypatch, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    (outside / "evilorg").mkdir()
    planted = outside / "evilorg" / "outside-model.yaml"
    text = (tree / MODEL).read_text().replace("example-model", "outside-model").replace('"70B"', '"-5"')
    planted.write_text("# a comment fmt would drop\n" + text)
    os.symlink(outside / "evilorg", tree / "data/models/evilorg")
    organizations = tree / "data/organizations.yaml"
    organizations.write_text(organizations.read_text() + "  - id: evilorg\n    name: Evil\n")
    status, out, _ = run_cli(["validate"], tree, monkeypatch)  # report case 115: silently skipped, 'ok'
    assert (status, out) == (1, "data/models/evilorg: symbolic links are not allowed in data/; "
                                "commit the folder itself\n")
    status, out, _ = run_cli(["validate", "data/models/evilorg/outside-model.yaml"], tree, monkeypatch)
    assert status == 1 and out.startswith("data/models/evilorg/outside-model.yaml: reached through a symbolic link")
    for target in (["data/models/evilorg"], ["data/models/evilorg/outside-model.yaml"]):  # report case 116
        status, _, err = run_cli(["fmt", *target], tree, monkeypatch)
        assert status == 2 and "symbolic link" in err
    status, _, err = run_cli(["new", "model", "evilorg/planted"], tree, monkeypatch)
    assert (status, err) == (1, "data/models/evilorg is a symbolic link; new files are written only into "
                                "folders that lie in data/ itself\n")
    assert planted.read_text() == "# a comment fmt would drop\n" + text
    assert sorted(p.name for p in (outside / "evilorg").iterdir()) == ["outside-model.yaml"]


@pytest.mark.parametrize("name, message", [
    ("case-model.YAML", "not a data file; rename it to case-model.yaml"),
    ("case-model.json", "not a data file; data files are YAML files ending in .yaml (move other files out of data/)"),
    ("notes.txt", "not a data file; data files are YAML files ending in .yaml (move other files out of data/)"),
])
def test_files_with_other_extensions_are_errors_not_skipped(tree, monkeypatch, name, message):
    bad = (tree / MODEL).read_text().replace("example-model", "case-model").replace('"70B"', '"-1"')
    (tree / "data/models/meta" / name).write_text(bad)  # report case 72: its value "-1" was never checked
    status, out, _ = run_cli(["validate"], tree, monkeypatch)
    assert (status, out) == (1, f"data/models/meta/{name}: {message}\n")


def test_an_empty_data_folder_is_never_published(tree, monkeypatch):
    assert run_cli(["build"], tree, monkeypatch)[0] == 0
    before = fingerprint(tree / "dist")
    for child in (tree / "data").iterdir():
        shutil.rmtree(child) if child.is_dir() else child.unlink()
    message = ("data/models: no model files (data/models/<org>/<id>.yaml); an empty dataset is never published\n")
    assert run_cli(["validate"], tree, monkeypatch)[:2] == (1, message)
    status, out, err = run_cli(["build"], tree, monkeypatch)
    assert (status, out) == (1, message) and "previous build (if any) is unchanged" in err
    assert fingerprint(tree / "dist") == before


def test_no_data_folder_at_all_is_an_error(tmp_path, monkeypatch):
    status, out, _ = run_cli(["validate"], tmp_path, monkeypatch)
    assert (status, out) == (1, "data: no data folder here; run modelfacts in the repository "
                                "(the folder holding data/)\n")
    assert run_cli(["build"], tmp_path, monkeypatch)[0] == 1
    assert not (tmp_path / "dist").exists()


@pytest.mark.parametrize("version", ["banana; rm -rf /", "0.1.0<script>alert(1)</script>", "1.0", "01.2.3",
                                     "1.2.3\n\n", "١.٢.٣"])
def test_a_version_that_is_not_semver_is_refused(tree, monkeypatch, version):
    (tree / "data/VERSION").write_text(version + "\n")
    status, out, _ = run_cli(["validate"], tree, monkeypatch)
    assert (status, out) == (1, "data/VERSION:1: expected a version MAJOR.MINOR.PATCH such as 0.1.0; found "
                                f"{json.dumps(version, ensure_ascii=False)}\n")


def test_two_claims_with_the_same_claim_id_are_refused(tree, monkeypatch):
    source = tree / "data/sources/example-paper.table.yaml"
    source.write_text((tree / "data/sources/example-paper.yaml").read_text().replace("id: example-paper",
                                                                                       "id: example-paper.table"))
    path = tree / MODEL
    path.write_text(path.read_text() + (
        "  - field: params_total\n    value: \"7B\"\n    status: confirmed\n    source: example-paper.table\n"
        "    locator: Table 2\n"
        "  - field: params_total\n    value: \"6.7B\"\n    status: confirmed\n    source: example-paper\n"
        "    key: table\n    locator: Table 3\n"))
    status, out, _ = run_cli(["validate"], tree, monkeypatch)
    assert (status, out) == (1, f'{MODEL}:28: claims[3].key: the claim id "example-model.params_total.'
                                'example-paper.table" is also the id of the claim on line 19; choose a `key:` '
                                "that no source id ends with\n")


def test_an_alias_may_name_one_chip_only(tree, monkeypatch):
    chip = ("schema_version: 1\nid: {id}\nname: {id}\nvendor: Example\naliases: [{alias}]\n"
            "peak_bf16_flops: \"312e12\"\nsource: example-paper\n")
    (tree / "data/hardware").mkdir()
    (tree / "data/hardware/real-chip.yaml").write_text(chip.format(id="real-chip", alias="A100"))
    (tree / "data/hardware/fake-chip.yaml").write_text(chip.format(id="fake-chip", alias="a-100"))
    status, out, _ = run_cli(["validate"], tree, monkeypatch)  # report case 66: Llama 2 GPU-hours flipped verdict
    assert (status, out) == (1, 'data/hardware/real-chip.yaml:5: aliases: the alias "A100" already names the chip '
                                '"fake-chip"; an alias may name one chip only\n')


ARCHITECTURE = ("architecture:\n  source: example-paper\n  hf_config:\n    model_type: llama\n    hidden_size: 4096\n"
                "    intermediate_size: 11008\n    num_attention_heads: 32\n    num_hidden_layers: 32\n"
                "    rms_norm_eps: 1e-05\n    vocab_size: 32000\n")


def test_a_config_float_without_a_dot_stays_a_number(tree, monkeypatch):
    path = tree / MODEL
    path.write_text(path.read_text().replace("claims:\n", ARCHITECTURE + "claims:\n"))
    assert run_cli(["build"], tree, monkeypatch)[0] == 0
    with duckdb.connect(str(tree / "dist/modelfacts.duckdb"), read_only=True) as connection:
        config = json.loads(connection.execute("SELECT hf_config FROM architectures").fetchone()[0])
    assert config["rms_norm_eps"] == 1e-05 and isinstance(config["rms_norm_eps"], float)  # was the text "1e-05"
    assert run_cli(["fmt"], tree, monkeypatch)[0] == 0
    assert "    rms_norm_eps: 1e-05\n" in path.read_text()  # fmt used to quote it, entrenching the text


# ---------------------------------------------------------------- kind 7: fmt touches only data files

NOT_DATA = {  # report case 126: each was rewritten (comments and Markdown lost)
    "notes.txt": "# TODO\n\nFix the llama numbers\n",
    "mkdocs.yml": "site_name: Model Facts  # the title\nnav:\n  - Home: index.md\n",
    "data/notes.yaml": "schema_version: 1\n",
    "data/models/meta/drafts/draft.yaml": "schema_version: 1\n",
}


@pytest.mark.parametrize("relative", NOT_DATA)
def test_fmt_refuses_files_that_are_not_data_files(tree, monkeypatch, relative):
    path = tree / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(NOT_DATA[relative])
    status, out, err = run_cli(["fmt", relative], tree, monkeypatch)
    where = "" if relative.startswith("data/") else " (outside data/)"
    assert (status, out) == (2, "")
    assert err.splitlines()[0] == (f"{relative}: cannot format: not a data file{where}; fmt only rewrites "
                                   "data/models/<org>/<id>.yaml, data/sources/<id>.yaml, data/hardware/<id>.yaml "
                                   "and data/organizations.yaml")
    assert path.read_text() == NOT_DATA[relative]


# ---------------------------------------------------------------- property: no traceback, last build kept

def real_tree(folder: Path) -> Path:
    """A small tree of real data files: Llama 2 7B (with its architecture), the A100 and their sources."""
    files = ["data/organizations.yaml", "data/VERSION", "data/models/meta/llama-2-7b.yaml",
             "data/hardware/nvidia-a100.yaml", "data/sources/llama-2-model-card.yaml",
             "data/sources/seed-model-parameters-complete-guide.yaml", "data/sources/hf-config-llama-2-7b-hf.yaml",
             "data/sources/nvidia-a100-datasheet.yaml"]
    for relative in files:
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO / relative, folder / relative)
    return folder


MUTABLE = ["data/models/meta/llama-2-7b.yaml", "data/hardware/nvidia-a100.yaml",
           "data/sources/llama-2-model-card.yaml", "data/organizations.yaml"]
HOSTILE = st.sampled_from(["[" * 30_000, "- " * 2_000, "!!str {a: 1}", "!!bool x", "\"\\0\"", "\"\\e[2J\"",
                           "\"\\u200b\"", "\"10^400\"", "\"1e99999\"", "\"٧٠B\"", "\"312_000e9\"", "true",
                           "2147483647", "1e-05", "0999", "\"x\\n\"", "&a [1]", "*a", "{", "\t", "~", "-1"])


@pytest.fixture(scope="module")
def good_build(tmp_path_factory) -> Path:
    """A real tree with one good build in dist/ (the property tests mutate one file at a time)."""
    folder = real_tree(tmp_path_factory.mktemp("hostile"))
    result = modelfacts(["build"], folder)
    assert result.returncode == 0, result.stdout + result.stderr
    return folder


def mutate(text: str, edits: list) -> str:
    """Apply (action, line, payload) edits: replace a value, insert a line, cut a line short, swap bytes."""
    lines = text.splitlines() or [""]
    for action, index, payload in edits:
        index %= len(lines)
        if action == "value" and ":" in lines[index]:
            lines[index] = lines[index].split(":", 1)[0] + ": " + payload
        elif action == "insert":
            lines.insert(index, payload)
        elif action == "cut":
            lines[index] = lines[index][: len(payload) % (len(lines[index]) + 1)]
        elif action == "duplicate":
            lines.insert(index, lines[index])
    return "\n".join(lines) + "\n"


def assert_clean(status: int, out: str, err: str) -> None:
    """A command ended with a status and messages, never a traceback."""
    assert isinstance(status, int) and "Traceback" not in out + err


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(MUTABLE),
       st.lists(st.tuples(st.sampled_from(["value", "insert", "cut", "duplicate"]), st.integers(0, 400),
                          st.one_of(HOSTILE, st.text(max_size=30))), min_size=1, max_size=3))
def test_mutated_real_files_never_crash_validate_or_build_nor_damage_the_last_good_build(good_build, monkeypatch,
                                                                                       relative, edits):
    target = good_build / relative
    original = (REPO / relative).read_text()
    before = fingerprint(good_build / "dist")
    try:
        target.write_text(mutate(original, edits))
        assert_clean(*run_cli(["validate"], good_build, monkeypatch))
        status, out, err = run_cli(["build"], good_build, monkeypatch)
        assert_clean(status, out, err)
        if status != 0:
            assert fingerprint(good_build / "dist") == before
    finally:
        target.write_text(original)
        if fingerprint(good_build / "dist") != before:  # the mutation was valid: rebuild the good state
            assert run_cli(["build"], good_build, monkeypatch)[0] == 0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(MUTABLE), st.binary(max_size=400))
def test_random_bytes_never_crash_validate_or_build_nor_damage_the_last_good_build(good_build, monkeypatch,
                                                                                  relative, content):
    target = good_build / relative
    before = fingerprint(good_build / "dist")
    try:
        target.write_bytes(content)
        assert_clean(*run_cli(["validate"], good_build, monkeypatch))
        status, out, err = run_cli(["build"], good_build, monkeypatch)
        assert_clean(status, out, err)
        assert status == 1 and fingerprint(good_build / "dist") == before
    finally:
        shutil.copyfile(REPO / relative, target)


REAL_CONFIG = json.dumps(LLAMA_7B, indent=2)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.binary(max_size=400).map(lambda content: ("bytes", content)),
                 st.lists(st.tuples(st.sampled_from(["value", "insert", "cut", "duplicate"]), st.integers(0, 20),
                                    st.one_of(st.sampled_from(["true", "2147483647", "1e999", "NaN", "-1", "[[[[",
                                                               "\"llama\"", "4096.5", "9" * 5000, "{}"]),
                                              st.text(max_size=20))), min_size=1, max_size=3)
                 .map(lambda edits: ("edits", edits))))
def test_random_and_mutated_configs_never_crash_count(tmp_path, monkeypatch, case):
    kind, payload = case
    path = tmp_path / "config.json"
    if kind == "bytes":
        path.write_bytes(payload)
    else:
        path.write_text(mutate(REAL_CONFIG, payload))
    status, out, err = run_cli(["count", "config.json"], tmp_path, monkeypatch)
    assert_clean(status, out, err)
    assert status in (0, 1) and (status == 0) == (out != "")
