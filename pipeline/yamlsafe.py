"""A strict, safe YAML reader that keeps line numbers and the raw text of every scalar.

It composes the document into nodes (libyaml's C parser when available) and builds plain Python
values itself, so no YAML tag is ever executed, duplicate keys and aliases are caught, and each
value's line is known for error messages.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from yaml.resolver import Resolver

try:  # libyaml's C parser is several times faster; fall back to the pure-Python one
    from yaml.cyaml import CParser as _Parser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        """The pure-Python reader, scanner, parser and composer."""

        def __init__(self, stream):
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)

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


class LDict(dict):
    """A mapping that remembers its own line, each key's line, and the raw text of scalar values."""

    __slots__ = ("line", "lines", "raw")


class LList(list):
    """A sequence that remembers its own line and each item's line."""

    __slots__ = ("line", "lines")


_STEP = re.compile(r"\.?([^.\[\]]+)|\[(\d+)\]")


@dataclass
class Document:
    """A parsed file: plain data whose mappings and lists carry line numbers."""

    data: Any

    def line(self, path: str) -> int:
        """Line of a path such as 'claims[2].status', or of its nearest existing parent."""
        node, line = self.data, getattr(self.data, "line", 1)
        for key, index in _STEP.findall(path):
            if index and isinstance(node, LList) and int(index) < len(node):
                line, node = node.lines[int(index)], node[int(index)]
            elif key and isinstance(node, LDict) and key in node:
                line, node = node.lines[key], node[key]
            else:
                break
        return line

    @staticmethod
    def raw(mapping: Any, key: str) -> str | None:
        """The text of a scalar value exactly as written in the file (None for lists and mappings)."""
        return mapping.raw.get(key) if isinstance(mapping, LDict) else None


class _CachedResolver(Resolver):
    """libyaml's resolver with a memo: data files repeat the same plain scalars thousands of times."""

    _memo: dict = {}

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode and len(value) < 64:
            key = (value, implicit)
            tag = self._memo.get(key)
            if tag is None:
                tag = self._memo[key] = Resolver.resolve(self, kind, value, implicit)
            return tag
        return Resolver.resolve(self, kind, value, implicit)


class _Loader(_Parser, SafeConstructor, _CachedResolver):
    """Parser and composer only; construction is _Builder's job."""

    def __init__(self, stream):
        _Parser.__init__(self, stream)
        SafeConstructor.__init__(self)
        _CachedResolver.__init__(self)


_STR, _MAP, _SEQ = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_INT = "tag:yaml.org,2002:int"


class _Builder:
    """Turns a node tree into Python values, recording lines and refusing what a data file never needs."""

    def __init__(self, may_alias: bool = True) -> None:
        self.seen: set[int] = set()
        self.may_alias = may_alias  # without an '&' in the text there is no anchor, so no alias

    def build(self, node: yaml.Node, path: str, depth: int, written_at: int = 0) -> Any:
        """Build one node; written_at is the line of its key, where an alias would stand."""
        line = node.start_mark.line + 1
        if self.may_alias:
            if id(node) in self.seen:
                raise YamlError("anchors and aliases (&name / *name) are not allowed; write the value out",
                                written_at or line, path)
            self.seen.add(id(node))
        if depth > MAX_DEPTH:
            raise YamlError(f"nesting deeper than {MAX_DEPTH} levels is not allowed", line, path)
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag not in PLAIN_TAGS:
            raise YamlError(f"YAML tags are not allowed; found {tag.replace('tag:yaml.org,2002:', '!!')}",
                            line, path)
        if tag == _MAP:
            return self._mapping(node, path, depth, line)
        if tag == _SEQ:
            items = LList()
            items.line, items.lines = line, []
            for index, child in enumerate(node.value):
                items.lines.append(child.start_mark.line + 1)
                items.append(self.build(child, f"{path}[{index}]", depth + 1, line))
            return items
        # the common case, without PyYAML's octal and sexagesimal handling
        if tag == _INT and node.value.isdigit() and (node.value[0] != "0" or node.value == "0"):
            return int(node.value)
        try:
            return _SCALARS.construct_object(node)
        except ValueError:  # e.g. 2023-13-45 looks like a date but is none: keep the text for the rules
            return node.value

    def _mapping(self, node: yaml.MappingNode, path: str, depth: int, line: int) -> LDict:
        """Build a mapping, refusing duplicate, non-text and merge keys."""
        result = LDict()
        result.line, result.lines, result.raw = line, {}, {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlError("keys must be plain words (no complex keys or << merges)", key_line, path)
            key = key_node.value
            if key in result:
                raise YamlError(f"duplicate key '{key}' (first on line {result.lines[key]})", key_line,
                                f"{path}.{key}" if path else key)
            if value_node.tag == _STR and not self.may_alias:  # most values: plain text, nothing to check
                result[key] = value_node.value
            else:
                result[key] = self.build(value_node, f"{path}.{key}" if path else key, depth + 1, key_line)
            result.lines[key] = key_line
            if isinstance(value_node, yaml.ScalarNode):
                result.raw[key] = value_node.value
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
    try:
        return Document(_Builder(may_alias="&" in text).build(node, "", 0))
    except RecursionError:
        raise YamlError(f"nesting deeper than {MAX_DEPTH} levels is not allowed") from None


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
