"""pipeline.build: the summary line `make build` ends with."""
from __future__ import annotations

from pipeline.build import build, build_summary
from tests.conftest import run_cli


def test_build_ends_with_a_one_line_summary(tree, monkeypatch):
    # the fixture tree: 2 models, 4 claims and no architecture, so no count can be checked: the three counts
    # are unverifiable (the MoE's active share is consistent, but a claim takes its worst judging check), and
    # the tokens claim has only the informational chinchilla_ratio, so it is unverifiable too
    status, out, err = run_cli(["build"], tree, monkeypatch)
    assert (status, err) == (0, "")
    assert out == "wrote dist/modelfacts.duckdb: 2 models, 4 claims (0 inconsistent, 4 unverifiable)\n"


def test_the_summary_counts_an_inconsistent_claim_and_a_single_model(tree, tmp_path):
    (tree / "data/models/mistral/example-moe.yaml").unlink()
    model = tree / "data/models/meta/example-model.yaml"
    # 70B parameters x 2 bytes = 140 GB: a claimed 120 GB is off by more than its rounding (±5 GB)
    model.write_text(model.read_text() + '  - field: weights_gb_fp16\n    value: "120 GB"\n    status: confirmed\n'
                                         "    source: example-paper\n    locator: Table 2\n")
    database = build(tree, tmp_path / "dist")
    assert build_summary(database) == f"wrote {database}: 1 model, 3 claims (1 inconsistent, 2 unverifiable)"
