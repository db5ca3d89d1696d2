"""Reliability of the data path: mutated input never crashes, killed builds never damage the last good one."""
from __future__ import annotations

import errno
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.errors import DataErrors
from pipeline.load import load
from pipeline.validate import validate
from tests.conftest import FIXTURES, REPO, run_cli

MODEL = (FIXTURES / "valid" / "data" / "models" / "meta" / "example-model.yaml").read_text()
SCALARS = st.one_of(st.text(max_size=20), st.integers(), st.floats(allow_nan=True), st.booleans(), st.none(),
                    st.sampled_from(["!!python/object:os.system x", "&a [1]", "*a", "{", "[", "- x", "\t", ":", "~",
                                     "2999-01-01", "-5B", "1e999", "0x1F", "yes", "'", '"', "|", ">", "%YAML 1.1"]))


def _mutations():
    """Text edits of a valid model file: replace a line's value, insert, delete or duplicate a line."""
    lines = MODEL.splitlines()
    return st.lists(st.tuples(st.sampled_from(["replace", "insert", "delete", "duplicate", "bytes"]),
                              st.integers(0, len(lines) - 1), SCALARS), min_size=1, max_size=4)


def apply(mutations) -> str:
    lines = MODEL.splitlines()
    for action, index, scalar in mutations:
        index %= len(lines)
        if action == "replace" and ":" in lines[index]:
            key = lines[index].split(":", 1)[0]
            lines[index] = f"{key}: {scalar}"
        elif action == "insert":
            lines.insert(index, f"{scalar}")
        elif action == "delete" and len(lines) > 1:
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "bytes":
            lines[index] = lines[index][: len(str(scalar))] + str(scalar)
    return "\n".join(lines) + "\n"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_mutations())
def test_mutated_model_files_never_crash_and_every_error_names_a_file(tree_once, mutations):
    target = tree_once / "data" / "models" / "meta" / "example-model.yaml"
    target.write_text(apply(mutations))
    try:
        validate(load(tree_once / "data"))
    except DataErrors as failure:
        assert failure.errors
        for error in failure.errors:
            assert error.file.startswith("data/") and error.file.endswith(".yaml")
            assert error.message


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_crash(tree_once, content):
    (tree_once / "data" / "models" / "meta" / "example-model.yaml").write_bytes(content)
    try:
        validate(load(tree_once / "data"))
    except DataErrors as failure:
        assert all(error.file.endswith(".yaml") for error in failure.errors)


@pytest.fixture(scope="module")
def tree_once(tmp_path_factory) -> Path:
    """One copy of the valid tree for the property tests (they rewrite one file each time)."""
    import shutil

    folder = tmp_path_factory.mktemp("property")
    shutil.copytree(FIXTURES / "valid", folder, dirs_exist_ok=True)
    return folder


def content_hash(database: Path) -> str:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute("SELECT content_hash FROM build_info").fetchone()[0]


def test_a_build_killed_at_any_moment_leaves_the_previous_database_intact(tree, monkeypatch):
    assert run_cli(["build"], tree, monkeypatch)[0] == 0
    database = tree / "dist" / "modelfacts.duckdb"
    old_hash = content_hash(database)
    model = tree / "data" / "models" / "meta" / "example-model.yaml"
    model.write_text(model.read_text().replace('value: "70B"', 'value: "71B"'))
    command = [sys.executable, "-m", "pipeline.cli", "build"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    start = time.perf_counter()
    subprocess.run(command, cwd=tree, env=env, check=True, capture_output=True)
    duration = time.perf_counter() - start
    new_hash = content_hash(database)
    model.write_text(model.read_text().replace('value: "71B"', 'value: "70B"'))
    subprocess.run(command, cwd=tree, env=env, check=True, capture_output=True)
    assert content_hash(database) == old_hash
    rng = random.Random(0)
    model.write_text(model.read_text().replace('value: "70B"', 'value: "71B"'))
    seen = set()
    for _ in range(12):
        process = subprocess.Popen(command, cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, duration))
        process.send_signal(signal.SIGKILL)
        process.wait()
        current = content_hash(database)  # always opens, always a whole build
        assert current in (old_hash, new_hash)
        seen.add(current)
        if current == new_hash:  # the kill came after the rename: put the old data back for the next round
            model.write_text(model.read_text().replace('value: "71B"', 'value: "70B"'))
            subprocess.run(command, cwd=tree, env=env, check=True, capture_output=True)
            model.write_text(model.read_text().replace('value: "70B"', 'value: "71B"'))
    assert old_hash in seen


def test_a_full_disk_gives_a_clear_error_and_keeps_the_old_build(tree, monkeypatch):
    assert run_cli(["build"], tree, monkeypatch)[0] == 0
    before = (tree / "dist" / "modelfacts.duckdb").read_bytes()

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tree / "dist" / "parquet" / "claims.parquet"))

    monkeypatch.setattr("pipeline.publish._write_parquet", no_space)
    status, out, err = run_cli(["build"], tree, monkeypatch)
    assert status == 1
    assert err.strip() == f"{tree / 'dist' / 'parquet' / 'claims.parquet'}: cannot write the build: No space left on device"
    assert (tree / "dist" / "modelfacts.duckdb").read_bytes() == before
    assert list((tree / "dist").glob(".build-*")) == []


def test_an_output_path_that_is_a_file_gives_a_clear_error(tree, monkeypatch):
    (tree / "blocked").write_text("not a folder")
    status, _, err = run_cli(["build", "--out", "blocked"], tree, monkeypatch)
    assert status == 1
    assert err.startswith("blocked: cannot write the build:")


def test_stale_staging_folders_from_killed_builds_are_cleared(tree, monkeypatch):
    assert run_cli(["build"], tree, monkeypatch)[0] == 0
    (tree / "dist" / ".build-stale").mkdir()  # as a killed build leaves it: marked as the tool's
    (tree / "dist" / ".build-stale" / ".modelfacts-output").write_text('{"kind": "build"}')
    assert run_cli(["build"], tree, monkeypatch)[0] == 0
    assert list((tree / "dist").glob(".build-*")) == []
