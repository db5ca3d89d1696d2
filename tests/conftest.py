"""Shared fixtures: a throwaway copy of a small valid data tree, and a way to run the CLI."""
from __future__ import annotations

import io
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from pipeline import cli

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent
# "Today" for every test on the fixture tree: golden messages name it, so it must not be the clock's.
PINNED_TODAY = "2026-11-23"


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of tests/fixtures/valid (data/ only) in a temporary folder, validated as of PINNED_TODAY."""
    shutil.copytree(FIXTURES / "valid", tmp_path, dirs_exist_ok=True)
    monkeypatch.setenv("MODELFACTS_TODAY", PINNED_TODAY)
    return tmp_path


def run_cli(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    """Run `modelfacts ARGS` in a folder; return exit status, stdout and stderr."""
    monkeypatch.chdir(cwd)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            status = cli.main(args)
        except SystemExit as exit_:  # argparse errors
            status = exit_.code
    return status, out.getvalue(), err.getvalue()
