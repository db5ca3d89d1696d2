"""The Reliability page states counts; they must match what the tests really do."""
import re

from tests.conftest import FIXTURES, REPO


def test_the_reliability_page_counts_are_true():
    page = (REPO / "docs" / "reliability.md").read_text()
    golden = len(list((FIXTURES / "invalid").glob("*.yaml")))
    assert f"**{golden} golden invalid inputs**" in page
    assert all(case.with_suffix(".expected").exists() for case in (FIXTURES / "invalid").glob("*.yaml"))
    tests = (REPO / "tests" / "test_reliability.py").read_text()
    examples = re.findall(r"max_examples=(\d+)", tests)
    assert f"{examples[0]} randomly mutated model files and {examples[1]} files of random" in page
    kills = re.search(r"for _ in range\((\d+)\)", tests).group(1)
    assert f"SIGKILL at {kills} random moments" in page
    generated = ["test_non_utf8_bytes", "test_a_50_mb_file_is_refused_before_parsing",
                 "test_a_symlink_out_of_the_tree_is_refused"]
    assert all(name in (REPO / "tests" / "test_validate.py").read_text() for name in generated)
    assert f"**{len(generated)} more made by the tests themselves**" in page
