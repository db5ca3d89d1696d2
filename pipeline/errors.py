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
        """The error as one GitHub Actions `::error` workflow command, escaped per GitHub's rules.

        A key or value holding a newline cannot end the command and forge another (`::warning`,
        `::add-mask::`): the message is escaped as command data, the file as a property.
        """
        message = f"{self.path + ': ' if self.path else ''}{self.message}"
        return f"::error file={github_property(self.file)},line={max(self.line, 1)}::{github_data(message)}"


def github_data(text: str) -> str:
    """Escape the message of a GitHub workflow command: % as %25, CR as %0D, LF as %0A.

    Source: the escapeData function of actions/toolkit (packages/core/src/command.ts).
    """
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(text: str) -> str:
    """Escape a property value of a GitHub workflow command: as github_data, plus : as %3A and , as %2C.

    Source: the escapeProperty function of actions/toolkit (packages/core/src/command.ts).
    """
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


# C0 controls, DEL and C1 controls (ESC starts ANSI/OSC sequences that clear, retitle or recolour a
# terminal; CSI 0x9b does the same in one byte), each shown as a visible escape such as \x1b.
CONTROL_ESCAPES = {code: f"\\x{code:02x}" for code in (*range(0x00, 0x20), *range(0x7F, 0xA0))}


# In JSON output the encoder already escapes C0; DEL and C1 it leaves raw, so they get \\u escapes.
JSON_CONTROL_ESCAPES = {code: f"\\u{code:04x}" for code in range(0x7F, 0xA0)}


def json_printable(text: str) -> str:
    """JSON text (from json.dumps) with DEL and C1 controls written as \\u escapes: still valid JSON."""
    return text.translate(JSON_CONTROL_ESCAPES)


def printable(text: str, keep: str = "") -> str:
    """`text` with control characters (C0, DEL, C1) replaced by visible escapes such as `\\x1b`.

    Characters in `keep` (e.g. "\\n\\t" where line breaks and tabs belong) pass through unchanged.
    """
    table = {code: escape for code, escape in CONTROL_ESCAPES.items() if chr(code) not in keep} if keep else CONTROL_ESCAPES
    return text.translate(table)


def summary(errors: list[DataError]) -> str:
    """'N errors in M files'."""
    files = len({error.file for error in errors})
    return f"{len(errors)} error{'s' if len(errors) != 1 else ''} in {files} file{'s' if files != 1 else ''}"


class DataErrors(Exception):
    """Raised by a stage when the data has errors; carries all of them, sorted."""

    def __init__(self, errors: list[DataError]):
        self.errors = sorted(set(errors))
        super().__init__(summary(self.errors))


def write_failure(error: OSError, action: str, default: Path) -> str:
    """One line for a failed write: `PATH: cannot ACTION: REASON` (e.g. "No space left on device").

    The path is the file being written: a copy or rename names its destination as filename2.
    """
    return f"{error.filename2 or error.filename or default}: cannot {action}: {error.strerror or error}"


def no_database(path: Path) -> bool:
    """True (after saying how to fix it) when a command's database has not been built yet."""
    if Path(path).exists():
        return False
    print(f"{path}: no database; run `modelfacts build` first", file=sys.stderr)
    return True
