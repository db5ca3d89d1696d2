"""`modelfacts count CONFIG.json [--json] [--explain]` (pipeline.explain.count_file)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.explain import count_file

CONFIGS = Path(__file__).parent / "fixtures" / "configs"
CONTRACT = {"total", "active", "active_without_input_embedding", "active_non_embedding", "input_embedding",
            "output_embedding", "embedding", "non_embedding", "components", "head", "method"}


def test_json_carries_the_count_contract(capsys):
    assert count_file(CONFIGS / "deepseek-r1.json", as_json=True) == 0
    result = json.loads(capsys.readouterr().out)
    assert CONTRACT <= set(result)
    assert (result["active"], result["active_without_input_embedding"]) == (37_552_282_624, 36_625_603_584)
    assert (result["head"], result["method"]) == ("DeepseekV3ForCausalLM", "formula")


def test_explain_shows_every_part_with_its_formula(capsys):
    assert count_file(CONFIGS / "qwen3-0.6b.json", with_formulas=True) == 0
    out = capsys.readouterr().out
    assert "vocab_size × hidden_size" in out and "151,936 × 1,024" in out
    assert "Qwen3ForCausalLM, counted by formula" in out
    assert count_file(CONFIGS / "qwen3-0.6b.json", as_json=True, with_formulas=True) == 0
    parts = json.loads(capsys.readouterr().out)["explain"]
    assert {row["part"] for row in parts} == {"embeddings", "attention", "mlp", "norms", "head"}


def test_a_model_type_only_transformers_knows_exits_zero(tmp_path, capsys):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"model_type": "mpt", "d_model": 32, "n_heads": 4, "n_layers": 2,
                                  "vocab_size": 50, "max_seq_len": 16}))
    assert count_file(config, as_json=True) == 0
    assert json.loads(capsys.readouterr().out)["method"] == "transformers"


@pytest.mark.parametrize("text, message", [
    ('{"model_type": "lama"}', "closest known: llama"),
    ("{not json", "cannot read a JSON config"),
    ('{"model_type": "llama", "hidden_size": "wide"}', "hidden_size"),
])
def test_errors_name_the_file_and_exit_one(tmp_path, capsys, text, message):
    config = tmp_path / "config.json"
    config.write_text(text)
    assert count_file(config) == 1
    err = capsys.readouterr().err
    assert str(config) in err and message in err and "Traceback" not in err


def test_the_command_takes_the_config_as_an_argument_or_as_new_model_s_flag(capsys):
    from pipeline.cli import main
    assert main(["count", str(CONFIGS / "qwen3-0.6b.json"), "--json"]) == 0
    as_argument = json.loads(capsys.readouterr().out)
    assert main(["count", "--config", str(CONFIGS / "qwen3-0.6b.json"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == as_argument and as_argument["total"] == 596_049_920
    assert main(["count"]) == 2
    assert "give a config.json file" in capsys.readouterr().err
