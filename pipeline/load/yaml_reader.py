"""A strict, safe YAML reader that keeps line numbers and the raw text of every scalar.

It composes the document into nodes (libyaml's C parser when available) and builds plain Python
values itself, so no YAML tag is ever executed, duplicate keys and aliases are caught, and each
value's line is known for error messages. key_line finds a key path's line again when a later stage
reports a cell.
"""
from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from functools import lru_cache
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
# libyaml's composer recurses in C once per nesting level and overflows the C stack (SIGSEGV) at
# about 25,000 levels, before the builder's MAX_DEPTH check can run; text nested deeper than this is
# refused before it reaches the parser. Real data files nest 4 levels.
MAX_PARSE_DEPTH = 1_000
PLAIN_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq",
}
_SCALARS = SafeConstructor()


class YamlError(ValueError):
    """A file that cannot be read as plain YAML; carries the 1-based line and the field path, and `also`, the
    other errors found in the same file (in line order), so a caller can report every location at once."""

    def __init__(self, message: str, line: int = 0, path: str = "", also: list[YamlError] | None = None):
        super().__init__(message)
        self.message, self.line, self.path = message, line, path
        self.also = also or []

    @property
    def every(self) -> list[YamlError]:
        """This error and every other one found in the file."""
        return [self, *self.also]


def _all_of(errors: list[YamlError]) -> YamlError:
    """One YamlError for several: the first by line, carrying the others."""
    first, *rest = sorted(errors, key=lambda error: error.line)
    return YamlError(first.message, first.line, first.path, also=rest)


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


class DataResolver(Resolver):
    """PyYAML's YAML 1.1 resolver plus YAML 1.2's floats without a dot (`1e-05`, `5E+3`).

    config.json files write `1e-05`; YAML 1.1 reads it as text, which would turn a copied config value
    into a string. The loader, `fmt` and `export` share this resolver so all three agree on types.
    """


DataResolver.add_implicit_resolver(
    "tag:yaml.org,2002:float", re.compile(r"^[-+]?[0-9]+[eE][-+]?[0-9]+$"), list("-+0123456789"))


class _CachedResolver(DataResolver):
    """The data resolver with a memo: data files repeat the same plain scalars thousands of times."""

    _memo: dict = {}

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode and len(value) < 64:
            key = (value, implicit)
            tag = self._memo.get(key)
            if tag is None:
                tag = self._memo[key] = DataResolver.resolve(self, kind, value, implicit)
            return tag
        return DataResolver.resolve(self, kind, value, implicit)


try:
    from yaml import CSafeLoader as _BaseScanLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseScanLoader


class _ScanLoader(_BaseScanLoader):
    """A scanner for nesting_depth (tokens only; nothing is composed)."""


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

    def __init__(self, may_alias: bool = True, restore: dict[int, str] | None = None) -> None:
        self.seen: set[int] = set()
        self.may_alias = may_alias  # without an '&' in the text there is no anchor, so no alias
        # text that had raw characters YAML refuses holds placeholders for them (see _placeholders)
        self.restore = restore
        self.problems: list[YamlError] = []  # text with control characters: every one is reported, then raised
        self.restored = 0  # how many raw refused characters the values held

    def text(self, value: str, line: int, path: str) -> str:
        """A scalar's text (with any raw character restored); a control character in it is recorded as a problem."""
        if self.restore:
            restored = value.translate(self.restore)
            if restored != value:
                self.restored += sum(1 for a, b in zip(value, restored) if a != b)
                value = restored
        found = _CONTROL.search(value) or (_UNACCEPTABLE.search(value) if self.restore else None)
        if found:
            kind = "control character" if _CONTROL.match(found.group()) else "character"
            self.problems.append(YamlError(f"{kind} U+{ord(found.group()):04X} is not allowed in text; "
                                           f"found {json_text(value[:60])}", line, path))
        return value

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
        if tag == _STR and isinstance(node, yaml.ScalarNode):
            return self.text(node.value, line, path)
        if tag not in PLAIN_TAGS or not _tag_fits(node):
            raise YamlError(f"YAML tags are not allowed; found {_shown_tag(node)}", line, path)
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
        except (ValueError, ArithmeticError):  # e.g. 2023-13-45 looks like a date but is none: keep the text
            return node.value

    def _mapping(self, node: yaml.MappingNode, path: str, depth: int, line: int) -> LDict:
        """Build a mapping, refusing duplicate, non-text and merge keys."""
        result = LDict()
        result.line, result.lines, result.raw = line, {}, {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlError("keys must be plain words (no complex keys or << merges)", key_line, path)
            key = self.text(key_node.value, key_line, path)
            if key in result:
                raise YamlError(f"duplicate key '{key}' (first on line {result.lines[key]})", key_line,
                                f"{path}.{key}" if path else key)
            if value_node.tag == _STR and not self.may_alias and isinstance(value_node, yaml.ScalarNode):
                result[key] = self.text(value_node.value, key_line, f"{path}.{key}" if path else key)
            else:
                result[key] = self.build(value_node, f"{path}.{key}" if path else key, depth + 1, key_line)
            result.lines[key] = key_line
            if isinstance(value_node, yaml.ScalarNode):
                result.raw[key] = value_node.value
        return result


_KIND_OF_TAG = {_MAP: yaml.MappingNode, _SEQ: yaml.SequenceNode}
# Control characters a data file never needs in text: C0 except tab and line breaks, DEL and C1.
# Terminals obey them (ESC sequences), databases truncate at NUL, and none can be seen in a diff.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _tag_fits(node: yaml.Node) -> bool:
    """Whether a node's tag is the one its own kind and text would get without a tag (`!!str {a: 1}`,
    `!!map abc` and `!!bool maybe` do not fit: a tag may not change what a value is)."""
    expected = _KIND_OF_TAG.get(node.tag, yaml.ScalarNode)
    if not isinstance(node, expected):
        return False
    if isinstance(node, yaml.ScalarNode) and node.tag != _STR:
        return DataResolver().resolve(yaml.ScalarNode, node.value, (True, False)) == node.tag
    return True


def _shown_tag(node: yaml.Node) -> str:
    """'!!str on a mapping' / '!!python/object' for a message."""
    tag = node.tag.replace("tag:yaml.org,2002:", "!!")
    if node.tag in PLAIN_TAGS and not isinstance(node, _KIND_OF_TAG.get(node.tag, yaml.ScalarNode)):
        kind = {yaml.MappingNode: "a mapping", yaml.SequenceNode: "a list"}.get(type(node), "a single value")
        return f"{tag} on {kind}"
    if node.tag in PLAIN_TAGS:
        return f"{tag} on {json_text(node.value)}"
    return tag


def json_text(value: str) -> str:
    """Text in double quotes with escapes, as messages show found text."""
    import json

    return json.dumps(value, ensure_ascii=False)


# Characters YAML refuses in a file (outside its printable set): libyaml stops at the first with "unacceptable
# character ... position N". The reader finds them all first, with their lines, and parses the text with
# each replaced by a placeholder, so every value holding one is reported with its field.
_UNACCEPTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_PLACEHOLDER_BASE = 0xF0000  # Supplementary Private Use Area-A: printable to YAML, never in a data file


def _placeholders(text: str) -> tuple[str, dict[int, str]]:
    """The text with each character YAML refuses replaced by a private-use placeholder, and the table
    (for str.translate) that puts the original characters back."""
    found = set(_UNACCEPTABLE.findall(text))
    swap = {ord(char): chr(_PLACEHOLDER_BASE + ord(char)) for char in found}
    return text.translate(swap), {ord(placeholder): chr(code) for code, placeholder in swap.items()}


def _unacceptable_outside_values(text: str, reported: set[int]) -> list[YamlError]:
    """An error per line holding a character YAML refuses that no value error covers (a comment, indentation)."""
    errors = []
    for number, line in enumerate(text.split("\n"), start=1):
        found = _UNACCEPTABLE.search(line)
        if found and number not in reported:
            kind = "control character" if _CONTROL.match(found.group()) else "character"
            errors.append(YamlError(f"{kind} U+{ord(found.group()):04X} is not allowed in a data file; "
                                    f"found {json_text(line.strip()[:60])}", number))
    return errors


def nesting_depth(text: str) -> tuple[int, int]:
    """(deepest nesting, 1-based line where it is reached) of a YAML text, measured on its tokens.

    Runs only when a cheap count of the marks that open a level without new indentation ('[', '{',
    '- ', '? ') says the file could nest deeper than MAX_PARSE_DEPTH, so ordinary files pay a few
    str.count passes (nesting by indentation alone cannot reach the crash depth within MAX_FILE_BYTES).
    The token scanner is iterative (no recursion), so it is safe on any depth.
    """
    if sum(text.count(mark) for mark in ("[", "{", "- ", "? ")) <= MAX_PARSE_DEPTH:
        return 0, 0
    depth = deepest = line = 0
    try:
        for token in yaml.scan(text, Loader=_ScanLoader):
            if isinstance(token, (yaml.BlockMappingStartToken, yaml.BlockSequenceStartToken,
                                  yaml.FlowMappingStartToken, yaml.FlowSequenceStartToken)):
                depth += 1
                if depth > deepest:
                    deepest, line = depth, token.start_mark.line + 1
                if deepest > MAX_PARSE_DEPTH:
                    break
            elif isinstance(token, (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)):
                depth -= 1
    except yaml.YAMLError:
        pass  # the parser reports the syntax error itself, with its line
    return deepest, line


def compose_node(text: str) -> yaml.Node | None:
    """The node tree of a YAML text, read with the loader's parser and resolver (for `fmt`), after the
    same nesting bound as parse_text (libyaml's composer would crash on deeper text)."""
    deepest, deep_line = nesting_depth(text)
    if deepest > MAX_PARSE_DEPTH:
        raise YamlError(f"nesting deeper than {MAX_DEPTH} levels is not allowed (found more than "
                        f"{MAX_PARSE_DEPTH:,} levels)", deep_line)
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def parse_text(text: str) -> Document:
    """Parse one YAML document from text into a Document, or raise YamlError; every control character (and
    every character YAML refuses) is reported, each at its line and field, in the error's `also`."""
    if not _UNACCEPTABLE.search(text):
        return _parse(text, None)
    sanitized, restore = _placeholders(text)
    try:
        _parse(sanitized, restore)
        found: list[YamlError] = []
        restored = 0
    except _ParseProblems as error:
        found, restored = error.every, error.restored
    except YamlError as error:
        found, restored = error.every, 0
    if restored < len(_UNACCEPTABLE.findall(text)) or not found:  # some stand outside any value: a comment
        found += _unacceptable_outside_values(text, {problem.line for problem in found})
    raise _all_of(found)


class _ParseProblems(YamlError):
    """The builder's problems, with how many placeholders (raw refused characters) the values held."""

    def __init__(self, problems: list[YamlError], restored: int):
        combined = _all_of(problems)
        super().__init__(combined.message, combined.line, combined.path, also=combined.also)
        self.restored = restored


def _parse(text: str, restore: dict[int, str] | None) -> Document:
    """parse_text on text whose refused characters, if any, are placeholders (`restore` puts them back);
    raises _ParseProblems when a value holds a control character."""
    deepest, deep_line = nesting_depth(text)
    if deepest > MAX_PARSE_DEPTH:
        raise YamlError(f"nesting deeper than {MAX_DEPTH} levels is not allowed (found more than "
                        f"{MAX_PARSE_DEPTH:,} levels)", deep_line)
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
    builder = _Builder(may_alias="&" in text, restore=restore)
    try:
        data = builder.build(node, "", 0)
    except RecursionError:
        raise YamlError(f"nesting deeper than {MAX_DEPTH} levels is not allowed") from None
    except YamlError as error:
        raise _ParseProblems(builder.problems + [error], builder.restored) from None
    if builder.problems:
        raise _ParseProblems(builder.problems, builder.restored)
    return Document(data)


_FILE_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a device"),
               (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes, or YamlError (line 1) saying why not.

    The type is checked before opening (a named pipe would block forever, /dev/zero never ends) and
    again on the open descriptor, which is opened non-blocking and without following a symlink, so a
    file swapped in between cannot slip through. OSError (permission denied, ...) passes through.
    """
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        raise YamlError("symbolic links are not allowed in data/; commit the file itself", 1)
    _require_regular(info)
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        _require_regular(info)
        if info.st_size > limit:
            raise YamlError(f"the file is {info.st_size:,} bytes; the limit is {limit:,}", 1)
        content = handle.read(limit + 1)
    if len(content) > limit:  # grew while being read
        raise YamlError(f"the file is over {limit:,} bytes; the limit is {limit:,}", 1)
    return content


def _require_regular(info: os.stat_result) -> None:
    """YamlError unless a stat result is a regular file."""
    if not stat.S_ISREG(info.st_mode):
        kind = next((name for test, name in _FILE_KINDS if test(info.st_mode)), "not a regular file")
        raise YamlError(f"expected a regular file; found {kind}", 1)


def read_document(path: Path) -> Document:
    """Read and parse a file, refusing oversized, non-UTF-8, symlinked and special files before parsing."""
    content = read_bytes(path)
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise YamlError(f"the file is not UTF-8: byte 0x{content[error.start]:02x} cannot be decoded", line) from None
    return parse_text(text.removeprefix("\ufeff"))


# ------------------------------------------------------------------ locating a key's line again, later

@lru_cache(maxsize=256)
def _cached_document(path: str) -> Document | None:
    """A file parsed again to locate an error inside it (errors are rare, so rows carry no line maps)."""
    try:
        return read_document(Path(path))
    except (YamlError, OSError):
        return None


def key_line(repository: str, file: str, path: str, fallback: int) -> int:
    """Line of a key path such as 'claims[2].status' in a data file, or `fallback` if it cannot be found."""
    document = _cached_document(os.path.join(repository, file))
    return document.line(path) if document is not None else fallback
