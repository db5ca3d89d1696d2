"""The load stage (pipeline/load/): each step by its module, on the fixture tree and the real data/."""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

import pipeline.load as load_stage
from pipeline.load import TABLE_COLUMNS, batches, kind_of, load
from pipeline.load.files import discover
from tests.conftest import REPO


def test_the_stage_keeps_the_names_the_rest_of_the_code_imports():
    # cli, build, validate, explain, report, cite, fmt, benchmarks and tests import these from pipeline.load
    for name in ("load", "Dataset", "key_line", "yaml_key", "data_files", "discover", "kind_of", "no_cyclic_gc"):
        assert hasattr(load_stage, name), name


@pytest.mark.parametrize("path, kind", [
    ("models/meta/llama-2-7b.yaml", "model"), ("sources/llama-2-paper.yaml", "source"),
    ("hardware/a100.yaml", "hardware"), ("organizations.yaml", "organizations"),
    ("models/llama-2-7b.yaml", None), ("models/meta/sub/llama.yaml", None), ("notes.yaml", None),
])
def test_kind_of_follows_the_place_under_data(path, kind):
    assert kind_of(Path("/repo/data") / path, Path("/repo/data")) == kind


def test_discover_finds_the_yaml_files_and_names_what_it_would_skip(tree):
    (tree / "data" / "models" / "meta" / "notes.txt").write_text("not data")
    found, errors = discover(tree / "data")
    names = sorted(path.relative_to(tree / "data").as_posix() for path in found)
    assert names == sorted(path.relative_to(tree / "data").as_posix()
                           for path in (tree / "data").rglob("*.yaml"))
    assert [(error.file, error.message) for error in errors] == [
        ("data/models/meta/notes.txt",
         "not a data file; data files are YAML files ending in .yaml (move other files out of data/)")]


def test_the_tables_have_their_columns_origin_and_one_model_row_per_model_file():
    dataset = load(REPO / "data")
    assert dataset.errors == []
    model_files = list((REPO / "data" / "models").glob("*/*.yaml"))
    data_files = [path for path in (REPO / "data").rglob("*.yaml")
                  if path.relative_to(REPO / "data").parts[0] != "imports"]  # snapshots: pipeline.imports reads them
    assert (len(dataset.models), dataset.files_read) == (len(model_files), len(data_files))
    for name, columns in TABLE_COLUMNS.items():
        table = dataset.tables[name]
        assert list(table.columns) == columns, name
        assert table.attrs == {"name": name, "repository": os.path.abspath(REPO)}, name


def test_reading_in_worker_processes_gives_the_same_tables(monkeypatch):
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: the loader never starts workers")
    serial = load(REPO / "data")
    monkeypatch.setattr(batches, "PARALLEL_MIN_FILES", 1)
    parallel = load(REPO / "data")
    for name in TABLE_COLUMNS:
        pd.testing.assert_frame_equal(parallel.tables[name], serial.tables[name])
    assert [str(error) for error in parallel.errors] == [str(error) for error in serial.errors]
