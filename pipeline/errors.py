"""Data errors: one line each, naming file, line and field, collected before failing."""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class DataError:
    """One problem in one file: `file:line: path: message`."""

    file: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        location = f"{self.file}:{self.line}" if self.line else self.file
        return f"{location}: {self.path}: {self.message}" if self.path else f"{location}: {self.message}"

    def github(self) -> str:
        """The error as a GitHub Actions annotation."""
        return f"::error file={self.file},line={max(self.line, 1)}::{self.path + ': ' if self.path else ''}{self.message}"


def summary(errors: list[DataError]) -> str:
    """'N errors in M files'."""
    files = len({error.file for error in errors})
    return f"{len(errors)} error{'s' if len(errors) != 1 else ''} in {files} file{'s' if files != 1 else ''}"


class DataErrors(Exception):
    """Raised by a stage when the data has errors; carries all of them, sorted."""

    def __init__(self, errors: list[DataError]):
        self.errors = sorted(set(errors))
        super().__init__(summary(self.errors))


def no_database(path: Path) -> bool:
    """True (after saying how to fix it) when a command's database has not been built yet."""
    if Path(path).exists():
        return False
    print(f"{path}: no database; run `modelfacts build` first", file=sys.stderr)
    return True
