"""Guards on Hugging Face configs (pipeline/hfconfig.py): which zero widths are real values."""
from __future__ import annotations

from pipeline.hfconfig import width_problems


def test_a_zero_shared_expert_width_is_a_published_value_not_a_slip():
    # Qwen/Qwen3-Coder-480B-A35B-Instruct's config.json writes "shared_expert_intermediate_size": 0
    # (its qwen3_moe architecture has no shared expert).
    assert width_problems({"model_type": "qwen3_moe", "shared_expert_intermediate_size": 0}) == []


def test_a_zero_hidden_size_is_still_refused():
    assert width_problems({"hidden_size": 0}) == [
        ("hidden_size", "expected a whole number from 1 to 131,072 (larger widths are typing slips and would "
                        "overflow the count); found 0")]
