"""Validation: every rule has a golden invalid input paired with its exact message."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, run_cli

CASES = sorted((FIXTURES / "invalid").glob("*.yaml"))


def place(case: Path, tree: Path) -> None:
    """Put an invalid fixture where its `# at:` header says, without the header line."""
    header, body = case.read_text().split("\n", 1)
    target = tree / header.removeprefix("# at: ")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(body)


def test_the_valid_tree_passes(tree, monkeypatch):
    status, out, err = run_cli(["validate"], tree, monkeypatch)
    assert (status, err) == (0, "")
    assert out == "ok: 2 models, 4 claims, 2 sources in 5 files\n"


def test_there_are_enough_golden_cases():
    assert len(CASES) >= 60


@pytest.mark.parametrize("case", CASES, ids=[case.stem for case in CASES])
def test_golden_invalid_input(case, tree, monkeypatch):
    place(case, tree)
    status, out, err = run_cli(["validate"], tree, monkeypatch)
    assert status == 1
    assert out == case.with_suffix(".expected").read_text()
    assert "Traceback" not in out + err
    errors, files = len(out.splitlines()), len({line.split(":")[0] for line in out.splitlines()})
    assert err.splitlines()[0] == f"{errors} error{'s' * (errors != 1)} in {files} file{'s' * (files != 1)}"


def test_all_errors_are_collected_before_failing(tree, monkeypatch):
    for name in ("unknown-status", "source-unknown-kind"):
        place(FIXTURES / "invalid" / f"{name}.yaml", tree)
    moe = tree / "data/models/mistral/example-moe.yaml"
    moe.write_text(moe.read_text().replace("domain: language", "domain: poetry"))
    status, out, _ = run_cli(["validate"], tree, monkeypatch)
    assert status == 1
    assert [line.split(": ")[1] for line in out.splitlines()] == ["claims[0].status", "domain", "kind"]


def test_non_utf8_bytes(tree, monkeypatch):
    path = tree / "data/models/meta/example-model.yaml"
    path.write_bytes(path.read_bytes().replace(b"Example Model", b"Example \xff Model"))
    status, out, _ = run_cli(["validate"], tree, monkeypatch)
    assert status == 1
    assert out == "data/models/meta/example-model.yaml:3: the file is not UTF-8: byte 0xff cannot be decoded\n"


def test_every_raw_control_character_is_reported_with_line_and_field(tree, monkeypatch):
    """Raw NUL bytes (which YAML itself refuses) in two values and a comment: three located errors, not the
    parser's first 'unacceptable character ... position 44'."""
    path = tree / "data/models/meta/example-model.yaml"
    original = path.read_bytes()
    path.write_bytes(original.replace(b"name: Example Model", b'name: "Example\x00Model"')
                     .replace(b"    locator: Table 1", b"    locator: Table\x00 1", 1) + b"# a note \x00\x01\n")
    status, out, err = run_cli(["validate"], tree, monkeypatch)
    comment_line = original.count(b"\n") + 1
    assert (status, err.splitlines()[0]) == (1, "3 errors in 1 file")
    assert out == (
        'data/models/meta/example-model.yaml:3: name: control character U+0000 is not allowed in text; '
        'found "Example\\u0000Model"\n'
        'data/models/meta/example-model.yaml:13: claims[0].locator: control character U+0000 is not allowed in text; '
        'found "Table\\u0000 1"\n'
        f'data/models/meta/example-model.yaml:{comment_line}: control character U+0000 is not allowed in a data file; '
        'found "# a note \\u0000\\u0001"\n')


def test_a_50_mb_file_is_refused_before_parsing(tree, monkeypatch):
    path = tree / "data/models/meta/example-model.yaml"
    size = path.stat().st_size + 50_000_000
    with open(path, "a") as handle:
        handle.write("# padding\n" * 5_000_000)  # 10 bytes a line
    status, out, _ = run_cli(["validate"], tree, monkeypatch)
    assert status == 1
    assert out == f"data/models/meta/example-model.yaml:1: the file is {size:,} bytes; the limit is 1,000,000\n"


def test_a_symlink_out_of_the_tree_is_refused(tree, monkeypatch, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "secret.yaml"
    outside.write_text((tree / "data/models/meta/example-model.yaml").read_text().replace("example-model", "linked"))
    os.symlink(outside, tree / "data/models/meta/linked.yaml")
    status, out, _ = run_cli(["validate"], tree, monkeypatch)
    assert status == 1
    assert out == ("data/models/meta/linked.yaml:1: symbolic links are not allowed in data/; "
                   "commit the file itself\n")


def test_single_file_validation_reads_the_sources_it_cites(tree, monkeypatch):
    status, out, _ = run_cli(["validate", "data/models/meta/example-model.yaml"], tree, monkeypatch)
    assert status == 0
    assert out == "ok: 1 models, 2 claims, 2 sources in 4 files\n"


def test_single_file_validation_reports_a_dangling_source(tree, monkeypatch):
    place(FIXTURES / "invalid" / "dangling-source.yaml", tree)
    status, out, _ = run_cli(["validate", "data/models/meta/example-model.yaml"], tree, monkeypatch)
    assert status == 1
    assert out == (FIXTURES / "invalid" / "dangling-source.expected").read_text()


def test_github_annotations(tree, monkeypatch):
    place(FIXTURES / "invalid" / "unknown-status.yaml", tree)
    status, out, _ = run_cli(["validate", "--format", "github"], tree, monkeypatch)
    assert status == 1
    assert out == ("::error file=data/models/meta/example-model.yaml,line=11::claims[0].status: "
                   'expected one of confirmed, reported, estimated, rumored; found "confimed" (did you mean \'confirmed\'?)\n')
