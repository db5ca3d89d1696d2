"""Typed model names resolve to IDs through aliases; unknown names get the closest IDs."""
from __future__ import annotations

import pandas as pd
import pytest

from pipeline.resolve import UnknownName, normalized, resolve_model_id
from tests.conftest import run_cli

MODELS = pd.DataFrame({"model_id": ["llama-2-70b", "llama-2-7b", "mixtral-8x7b"],
                       "aliases": [["Llama-2-70b-hf", "Llama-2-70b"], "Llama-2-7b-hf; Llama 2 7B", None]})


@pytest.mark.parametrize("typed, model_id", [
    ("llama-2-70b", "llama-2-70b"), ("Llama-2-70b-hf", "llama-2-70b"), ("meta-llama/Llama-2-70b-hf", "llama-2-70b"),
    ("LLAMA-2-70B", "llama-2-70b"), ("Llama 2 7B", "llama-2-7b"), ("llama_2_7b_hf", "llama-2-7b"),
    ("Mixtral-8x7B", "mixtral-8x7b")])
def test_ids_aliases_and_repository_names_resolve(typed, model_id):
    assert resolve_model_id(typed, MODELS) == model_id


def test_an_unknown_name_names_the_closest_ids():
    with pytest.raises(UnknownName) as failure:
        resolve_model_id("lama-2-70", MODELS)
    assert str(failure.value).startswith("no model 'lama-2-70' (did you mean 'llama-2-70b' or 'llama-2-7b'?)")


def test_a_name_cut_short_suggests_the_ids_it_begins_first():
    models = pd.DataFrame({"model_id": ["qwen3-30b-a3b", "qwen3-32b", "qwen3-8b", "qwen3-0.6b"],
                           "aliases": [None, None, None, None]})
    with pytest.raises(UnknownName) as failure:
        resolve_model_id("qwen3-30b", models)
    assert str(failure.value).startswith("no model 'qwen3-30b' (did you mean 'qwen3-30b-a3b' or ")


def test_nothing_close_gives_no_suggestion():
    with pytest.raises(UnknownName) as failure:
        resolve_model_id("gpt-5", MODELS)
    assert "did you mean" not in str(failure.value)


def test_normalized_drops_the_owner_and_folds_case_and_separators():
    assert normalized(" meta-llama/Llama_2 70B ") == "llama-2-70b"


def test_check_takes_an_alias(tree, monkeypatch):
    status, out, err = run_cli(["check", "Example Model"], tree, monkeypatch)
    assert (status, err) == (0, "")
    assert out.splitlines()[0].startswith("example-model: ")


def test_check_suggests_for_a_typo(tree, monkeypatch):
    status, out, err = run_cli(["check", "exampel-model"], tree, monkeypatch)
    assert status == 1
    assert err.startswith("no model 'exampel-model' (did you mean 'example-model'")
