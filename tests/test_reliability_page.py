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
                 "test_a_symlink_out_of_the_tree_is_refused",
                 "test_every_raw_control_character_is_reported_with_line_and_field"]
    assert all(name in (REPO / "tests" / "test_validate.py").read_text() for name in generated)
    assert f"**{len(generated)} more made by the tests themselves**" in page
    hostile = (REPO / "tests" / "test_hostile_input.py").read_text()
    mutated, random_bytes, configs = re.findall(r"max_examples=(\d+)", hostile)
    assert f"{mutated} mutations\n  of real data files" in page and f"and {random_bytes} of random bytes fed to" in page
    assert f"and {configs} random or mutated configs" in page
    for text in ('"[" * 25_000', '"[" * 490_000', '"- " * 30_000', "os.mkfifo", '"/dev/zero"', '"9" * 5000',
                 '"a" * 300', "2 ** 31 - 1", '"case-model.YAML"', '"case-model.json"'):
        assert text in hostile, text
