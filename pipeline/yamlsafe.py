"""A strict, safe YAML reader that keeps line numbers and the raw text of every scalar.

It composes the document into nodes (libyaml's C parser when available) and builds plain Python
values itself, so no YAML tag is ever executed, duplicate keys and aliases are caught, and each
value's line is known for error messages.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

try:  # libyaml's C parser is several times faster; fall back to the pure-Python one
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 12
PLAIN_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq",
}
_SCALARS = SafeConstructor()


class YamlError(ValueError):
    """A file that cannot be read as plain YAML; carries the 1-based line and the field path."""

    def __init__(self, message: str, line: int = 0, path: str = ""):
        super().__init__(message)
        self.message, self.line, self.path = message, line, path


@dataclass
class Document:
    """A parsed file: its data, the line of every path ('claims[2].status'), and raw scalar text."""

    data: Any
    lines: dict[str, int] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)

    def line(self, path: str) -> int:
        """Line of a path, or of its nearest parent that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path.rsplit(".", 1)[0] if "." in path else path.rsplit("[", 1)[0] if "[" in path else ""
        return self.lines.get("", 1)


def _join(path: str, key: str | int) -> str:
    """The path of a child: 'claims' + 2 -> 'claims[2]', 'claims[2]' + 'status' -> 'claims[2].status'."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


class _Builder:
    """Turns a node tree into Python values, recording lines and refusing what a data file never needs."""

    def __init__(self) -> None:
        self.seen: set[int] = set()
        self.doc = Document(None)

    def build(self, node: yaml.Node, path: str, depth: int, written_at: int = 0) -> Any:
        """Build one node; written_at is the line of its key, where an alias would stand."""
        line = node.start_mark.line + 1
        if id(node) in self.seen:
            raise YamlError("anchors and aliases (&name / *name) are not allowed; write the value out",
                            written_at or line, path)
        self.seen.add(id(node))
        if depth > MAX_DEPTH:
            raise YamlError(f"nesting deeper than {MAX_DEPTH} levels is not allowed", line, path)
        if node.tag not in PLAIN_TAGS:
            raise YamlError(f"YAML tags are not allowed; found {node.tag.replace('tag:yaml.org,2002:', '!!')}",
                            line, path)
        self.doc.lines[path] = line
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, _join(path, i), depth + 1, line) for i, child in enumerate(node.value)]
        self.doc.raw[path] = node.value
        if node.tag == "tag:yaml.org,2002:str":
            return node.value
        try:
            return _SCALARS.construct_object(node)
        except ValueError:  # e.g. 2023-13-45 looks like a date but is none: keep the text for the rules
            return node.value

    def _mapping(self, node: yaml.MappingNode, path: str, depth: int) -> dict:
        """Build a mapping, refusing duplicate, non-text and merge keys."""
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlError("keys must be plain words (no complex keys or << merges)", key_line, path)
            key = key_node.value
            child = _join(path, key)
            if key in result:
                raise YamlError(f"duplicate key '{key}' (first on line {self.doc.lines[child]})", key_line, child)
            result[key] = self.build(value_node, child, depth + 1, key_line)
            self.doc.lines[child] = key_line
        return result


def parse_text(text: str) -> Document:
    """Parse one YAML document from text into a Document, or raise YamlError."""
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = (error.problem or str(error)).strip()
        lines = text.splitlines()
        if mark and mark.line < len(lines) and "\t" in lines[mark.line]:
            problem = "a tab character cannot indent YAML; use spaces"
        raise YamlError(f"not valid YAML: {problem}", mark.line + 1 if mark else 0) from None
    except yaml.YAMLError as error:
        raise YamlError(f"not valid YAML: {error}") from None
    except RecursionError:
        raise YamlError(f"nesting deeper than {MAX_DEPTH} levels is not allowed") from None
    if node is None:
        raise YamlError("the file is empty; expected a mapping that starts with schema_version", 1)
    builder = _Builder()
    try:
        builder.doc.data = builder.build(node, "", 0)
    except RecursionError:
        raise YamlError(f"nesting deeper than {MAX_DEPTH} levels is not allowed") from None
    return builder.doc


def read_document(path: Path) -> Document:
    """Read and parse a file, refusing oversized, non-UTF-8 and symlinked files before parsing."""
    if path.is_symlink():
        raise YamlError("symbolic links are not allowed in data/; commit the file itself", 1)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise YamlError(f"the file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}", 1)
    content = path.read_bytes()
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise YamlError(f"the file is not UTF-8: byte 0x{content[error.start]:02x} cannot be decoded", line) from None
    return parse_text(text.removeprefix("\ufeff"))
