"""`modelfacts fmt`: one canonical layout for every data file, so a change shows as a small diff.

The canonical layout:

- keys in the order schemas/spec.py lists them (unknown keys, which validation rejects anyway, follow
  in file order; `hf_config`, `overrides` and any other free mapping keep the order they were written in);
- two-space indentation, sequences of mappings indented under their key (`claims:` / `  - field: ...`),
  sequences of plain values on one line (`aliases: [a, b]`), `{}` and `[]` for empty ones;
- every value on one line: a single word (ids, slugs, URLs, enum words) plain when every YAML reader
  (1.1 and 1.2) reads it back as the same text, any other text double-quoted; a claim's `value` always
  double-quoted and exactly as written;
- numbers and dates exactly as written (`1.0e-05`, `2023-07-18`, `2023`), booleans `true`/`false`,
  null `null`.

Formatting never changes a value: each file is parsed again after formatting and compared with the
original (types, text as written, key order of free mappings) before anything is written.
The same writer (`dump`) writes the files of `modelfacts export`.

fmt rewrites data files only: a path must lie under data/ (no symbolic link on the way), where a
model, source, chip or the organizations file belongs; anything else is refused untouched. The
canonical layout has no comments, so a file with comments is refused unless `--drop-comments` says
they may go (lasting remarks belong in a `note:`).
"""
from __future__ import annotations

import datetime as dt
import io
import math
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml
from yaml.emitter import Emitter
from yaml.representer import SafeRepresenter

from pipeline.load.yaml_reader import DataResolver, YamlError, compose_node, parse_text, read_document
from schemas import spec

STR_TAG = "tag:yaml.org,2002:str"
MAP_TAG = "tag:yaml.org,2002:map"
SEQ_TAG = "tag:yaml.org,2002:seq"
WIDTH = 1 << 30  # never fold a line

# Plain words another YAML reader (YAML 1.2 core schema, e.g. editors) would not read as text
_YAML12_NOT_TEXT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
    r"|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?"
    r"|true|True|TRUE|false|False|FALSE|null|Null|NULL|~"
    r"|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$")
_RESOLVER = DataResolver()  # the loader's resolver: `1e-05` is a number, as in config.json
_REPRESENTER = SafeRepresenter()

# The key order of each kind of mapping, by where it stands in a file
ORDER: dict[str, dict[str, tuple]] = {
    "model": {"": tuple(spec.MODEL_KEYS), "architecture": tuple(spec.ARCHITECTURE_KEYS),
              "claims[]": tuple(spec.CLAIM_KEYS)},
    "source": {"": tuple(spec.SOURCE_KEYS)},
    "hardware": {"": tuple(spec.HARDWARE_KEYS)},
    "organizations": {"": tuple(spec.ORGANIZATIONS_KEYS), "organizations[]": tuple(spec.ORGANIZATION_KEYS)},
}


class Quoted(str):
    """Text always written double-quoted (a claim's value as written)."""


class Raw(str):
    """A plain scalar written exactly as this text: a number or date as the file wrote it."""


class FormatError(ValueError):
    """Formatting would change a value; nothing is written."""


# ---------------------------------------------------------------- the writer

class _Dumper(yaml.SafeDumper):
    """PyYAML's emitter with sequences indented under their key."""

    yaml_implicit_resolvers = DataResolver.yaml_implicit_resolvers  # write `1e-05` plain, as the loader reads it

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


def plain_ok(text: str, flow: bool = False) -> bool:
    """Whether text stands unquoted: one word (no spaces) that every YAML reader reads back as the same text."""
    if any(char.isspace() for char in text):
        return False
    if _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) != STR_TAG or _YAML12_NOT_TEXT.match(text):
        return False
    analysis = Emitter(io.StringIO(), allow_unicode=True).analyze_scalar(text)
    if analysis.empty or analysis.multiline:
        return False
    return analysis.allow_flow_plain if flow else analysis.allow_block_plain


def _scalar_text(value: Any) -> tuple[str, str]:
    """The tag and text of a non-text scalar as the canonical layout writes it."""
    if isinstance(value, bool):
        return "tag:yaml.org,2002:bool", "true" if value else "false"
    if value is None:
        return "tag:yaml.org,2002:null", "null"
    if isinstance(value, int):
        return "tag:yaml.org,2002:int", str(value)
    if isinstance(value, float):
        return "tag:yaml.org,2002:float", _REPRESENTER.represent_float(value).value
    if isinstance(value, dt.datetime):
        return "tag:yaml.org,2002:timestamp", value.isoformat(" ")
    if isinstance(value, dt.date):
        return "tag:yaml.org,2002:timestamp", value.isoformat()
    raise FormatError(f"cannot write a {type(value).__name__} to a data file")


def _node(value: Any, flow: bool = False) -> yaml.Node:
    """A node of the canonical layout for a Python value (dicts keep their order)."""
    if isinstance(value, dict):
        if not value:
            return yaml.MappingNode(MAP_TAG, [], flow_style=True)
        return yaml.MappingNode(MAP_TAG, [(_node(str(key), flow), _node(item, flow)) for key, item in value.items()],
                                flow_style=flow)
    if isinstance(value, list):
        inline = flow or not any(isinstance(item, (dict, list)) for item in value)
        return yaml.SequenceNode(SEQ_TAG, [_node(item, inline) for item in value], flow_style=inline)
    if isinstance(value, Quoted):
        return yaml.ScalarNode(STR_TAG, str(value), style='"')
    if isinstance(value, Raw):
        text = str(value)
        tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))
        if tag == STR_TAG:
            return yaml.ScalarNode(STR_TAG, text, style=None if plain_ok(text, flow) else '"')
        return yaml.ScalarNode(tag, text, style=None)
    if isinstance(value, str):
        return yaml.ScalarNode(STR_TAG, value, style=None if plain_ok(value, flow) else '"')
    tag, text = _scalar_text(value)
    return yaml.ScalarNode(tag, text, style=None)


def dump(document: dict) -> str:
    """YAML text of a document in the canonical layout."""
    return yaml.serialize(_node(document), Dumper=_Dumper, allow_unicode=True, width=WIDTH, indent=2)


# ---------------------------------------------------------------- canonical documents
#
# fmt works on PyYAML's node tree (tag, text as written) rather than on constructed values, so a number,
# a date or a claim's value is written back exactly as the file wrote it. pipeline.load.yaml_reader reads each
# file first, so a file fmt touches has no tags, aliases, duplicate keys or other unsafe YAML.

_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_CLAIM_VALUE = re.compile(r"claims\[\d+\]\.value")
# A top-level date (released, published) is written bare whether the file quoted it or not ("2022" and 2022,
# "2023-07-18" and 2023-07-18 read as the same date), so one date has one layout: the one export writes.
_DATE_KEYS = {"model": {"released"}, "source": {"published"}}
_DATE_TEXT = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def _bare_date(node: yaml.Node, kind: str | None, path: str) -> str | None:
    """The text of a date written quoted at a date key, to be written bare; None elsewhere."""
    if path in _DATE_KEYS.get(kind or "", ()) and isinstance(node, yaml.ScalarNode) and \
            _DATE_TEXT.fullmatch(node.value):
        return node.value
    return None


def _sorted_organizations(items: list, kind: str | None, path: str) -> list:
    """The organizations list sorted by id (the order the database and export keep); other lists as written."""
    if kind != "organizations" or path != "organizations":
        return list(items)

    def organization_id(item: yaml.Node) -> str:
        if isinstance(item, yaml.MappingNode):
            for key, value in item.value:
                if key.value == "id" and isinstance(value, yaml.ScalarNode):
                    return value.value
        return ""
    return sorted(items, key=organization_id)


def compose(text: str) -> yaml.Node:
    """The node tree of a YAML text (with the loader's resolver, so both read the same types)."""
    node = compose_node(text)
    if node is None:
        raise YamlError("the file is empty; expected a mapping that starts with schema_version", 1)
    return node


def _join(path: str, key: str | int) -> str:
    """A child path as pipeline.load.yaml_reader writes it: 'claims' + 2 -> 'claims[2]', then '.value'."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def _pattern(path: str) -> str:
    """'claims[3]' -> 'claims[]': the place a mapping stands, for ORDER."""
    return re.sub(r"\[\d+\]", "[]", path)


def _ordered(pairs: list, order: tuple | None) -> list:
    """(key node, value node) pairs in canonical order: known keys as the spec lists them, then the rest
    as written; free mappings (order None) keep the order they were written in."""
    if order is None:
        return list(pairs)
    rank = {key: index for index, key in enumerate(order)}
    return sorted(pairs, key=lambda pair: rank.get(pair[0].value, len(rank)))  # stable: unknown keys keep order


def guess_kind(node: yaml.Node) -> str | None:
    """The kind of a data file lying outside data/, by its top-level keys."""
    if not isinstance(node, yaml.MappingNode):
        return None
    keys = {key.value for key, _ in node.value if isinstance(key, yaml.ScalarNode)}
    if "organizations" in keys:
        return "organizations"
    if "claims" in keys or "organization" in keys:
        return "model"
    if "vendor" in keys or "peak_bf16_flops" in keys:
        return "hardware"
    if "title" in keys or "kind" in keys:
        return "source"
    return None


def _scalar_value(node: yaml.ScalarNode) -> Any:
    """What a scalar node reads as (the text itself where a date-like text is no date)."""
    if node.tag == STR_TAG:
        return node.value
    try:
        return _CONSTRUCTOR.construct_object(node)
    except (ValueError, yaml.constructor.ConstructorError):
        return node.value


def canonical(node: yaml.Node, kind: str | None) -> Any:
    """The writer's values for a node tree: keys in canonical order, scalars as written."""
    orders = ORDER.get(kind or "", {})

    def walk(current: yaml.Node, path: str) -> Any:
        if isinstance(current, yaml.MappingNode):
            return {key.value: walk(value, _join(path, key.value))
                    for key, value in _ordered(current.value, orders.get(_pattern(path)))}
        if isinstance(current, yaml.SequenceNode):
            return [walk(item, _join(path, index))
                    for index, item in enumerate(_sorted_organizations(current.value, kind, path))]
        if kind == "model" and _CLAIM_VALUE.fullmatch(path):
            return Quoted(current.value)
        if _bare_date(current, kind, path) is not None:
            return Raw(current.value)
        value = _scalar_value(current)
        if current.tag == STR_TAG or isinstance(value, bool) or value is None:
            return value
        if isinstance(value, str):  # a date-like text that is no date: keep it text
            return value
        return Raw(current.value)  # numbers and dates exactly as written

    return walk(node, "")


def comparable(node: yaml.Node, kind: str | None, reorder: bool) -> Any:
    """A value for comparing two readings of one file: each scalar's type and value (a claim's value as
    written), every mapping's keys in order (canonical order first when reorder)."""
    orders = ORDER.get(kind or "", {}) if reorder else {}

    def walk(current: yaml.Node, path: str) -> Any:
        if isinstance(current, yaml.MappingNode):
            return ("map", [(key.value, walk(value, _join(path, key.value)))
                            for key, value in _ordered(current.value, orders.get(_pattern(path)))])
        if isinstance(current, yaml.SequenceNode):
            items = _sorted_organizations(current.value, kind, path) if reorder else current.value
            return ("seq", [walk(item, _join(path, index)) for index, item in enumerate(items)])
        if kind == "model" and _CLAIM_VALUE.fullmatch(path):
            return ("value as written", current.value)
        if _bare_date(current, kind, path) is not None:
            return ("date", current.value)
        value = _scalar_value(current)
        if isinstance(value, float) and math.isnan(value):
            return ("float", "nan")
        return (type(value).__name__, value)

    return walk(node, "")


def format_node(node: yaml.Node, kind: str | None) -> str:
    """Canonical text of a parsed file; raises FormatError if reading it back would give other values."""
    text = dump(canonical(node, kind))
    if comparable(compose(text), kind, reorder=False) != comparable(node, kind, reorder=True):
        raise FormatError("formatting would change a value; the file is left as it is (please report this)")
    return text


def format_text(text: str, kind: str | None = None) -> str:
    """Canonical text of a data file's text (kind guessed from its keys when not given); the text is read
    with pipeline.load.yaml_reader first, so unsafe YAML raises YamlError."""
    text = text.removeprefix("\ufeff")
    parse_text(text)
    node = compose(text)
    return format_node(node, kind or guess_kind(node))


def comment_lines(text: str) -> int:
    """How many lines of a YAML text carry a comment (the canonical layout has none)."""
    if "#" not in text:
        return 0
    try:
        tokens = list(yaml.scan(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError:
        return 0
    spans = [(token.start_mark.index, token.end_mark.index) for token in tokens
             if isinstance(token, yaml.ScalarToken)]
    lines = set()
    for match in re.finditer(r"(?:^|(?<=\s))#", text, flags=re.MULTILINE):
        if not any(start <= match.start() < end for start, end in spans):
            lines.add(text.count("\n", 0, match.start()))
    return len(lines)


# ---------------------------------------------------------------- the command

def _files(paths: list[Path], data: Path) -> tuple[list[Path], list]:
    """The YAML files named, or found under the folders named (default: all of data/), and the load stage's
    errors for what a walk would otherwise skip without a word (unreadable or symlinked folders, ...)."""
    from pipeline.load import discover

    found: list[Path] = []
    problems: list = []
    for folder_or_file in paths or [data]:
        if Path(folder_or_file).is_dir() and not Path(folder_or_file).is_symlink():
            files, errors = discover(folder_or_file)
            found += files
            problems += errors
        else:
            found.append(folder_or_file)
    return found, problems


DATA_FILE_PLACES = ("data/models/<org>/<id>.yaml, data/sources/<id>.yaml, data/hardware/<id>.yaml "
                    "and data/organizations.yaml")


def not_a_data_file(path: Path, data: Path) -> str | None:
    """Why fmt must not rewrite a path (None when it is a data file): it lies outside data/, reaches
    it through a symbolic link, or is not where a model, source, chip or the organizations file goes."""
    from pipeline.load import kind_of

    absolute, root = Path(os.path.abspath(path)), Path(os.path.abspath(data))
    if not absolute.is_relative_to(root):
        return f"not a data file (outside {shown(data, data)}/); fmt only rewrites {DATA_FILE_PLACES}"
    if os.path.realpath(absolute) != str(absolute) or os.path.realpath(root) != str(root):
        return "reached through a symbolic link; fmt only rewrites files that lie in data/ itself"
    if absolute.suffix not in (".yaml", ".yml") or kind_of(absolute, root) is None:
        return f"not a data file; fmt only rewrites {DATA_FILE_PLACES}"
    return None


def _kind(path: Path, data: Path, node: yaml.Node) -> str | None:
    """The kind of a file: by its place under data/, else by its keys."""
    from pipeline.load import kind_of

    absolute, root = Path(os.path.abspath(path)), Path(os.path.abspath(data))
    if absolute.is_relative_to(root):
        kind = kind_of(absolute, root)
        if kind is not None:
            return kind
    return guess_kind(node)


def shown(path: Path, data: Path) -> str:
    """A path as messages show it: relative to the repository (data/'s parent) when inside it."""
    absolute, parent = os.path.abspath(path), os.path.abspath(Path(data).parent)
    return os.path.relpath(absolute, parent).replace(os.sep, "/") if absolute.startswith(parent + os.sep) else str(path)


def _write(path: Path, text: str) -> None:
    """Replace a file atomically, keeping its permissions."""
    mode = path.stat().st_mode & 0o777
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def run(paths: list[Path], data: Path, check: bool, out=None, err=None, drop_comments: bool = False) -> int:
    """Format (or with check, only list) data files; 0 all canonical/formatted, 1 some would change,
    2 some could not be formatted (unreadable, not a data file, or comments without drop_comments)."""
    out, err = out or sys.stdout, err or sys.stderr
    changed, failed, checked = [], 0, 0
    files, problems = _files(paths, data)
    for problem in problems:
        print(f"{problem.file}: cannot format: {problem.message}", file=err)
        failed += 1
    for path in files:
        name = shown(path, data)
        if not os.path.lexists(path):
            print(f"{name}: no such file", file=err)
            failed += 1
            continue
        refusal = not_a_data_file(path, data)
        if refusal:
            print(f"{name}: cannot format: {refusal}", file=err)
            failed += 1
            continue
        try:
            read_document(path)  # size, encoding, symlinks, tags, aliases, duplicate keys
            original = path.read_text(encoding="utf-8")
            node = compose(original.removeprefix("\ufeff"))
            text = format_node(node, _kind(path, data, node))
        except YamlError as error:
            for each in error.every:
                location = f"{name}:{each.line}" if each.line else name
                print(f"{location}: cannot format: {each.message}", file=err)
            failed += 1
            continue
        except FormatError as error:
            print(f"{name}: cannot format: {error}", file=err)
            failed += 1
            continue
        checked += 1
        if text == original:
            continue
        comments = comment_lines(original) if not check else 0
        if comments and not drop_comments:
            print(f"{name}: cannot format: the file has {comments} comment line{'s' if comments != 1 else ''}, which "
                  "the canonical layout drops; move lasting remarks into a `note:`, or run `modelfacts fmt "
                  "--drop-comments` to drop them", file=err)
            failed += 1
            continue
        changed.append(name)
        if check:
            print(name, file=out)
            continue
        _write(path, text)
        print(f"formatted {name}" + (f" (removed {comments} comment line{'s' if comments != 1 else ''}; "
                                      "keep lasting remarks in a `note:`)" if comments else ""), file=out)
    if check:
        verdict = (f"{len(changed)} of {checked} file{'s' if checked != 1 else ''} would be reformatted; "
                   "run `modelfacts fmt`" if changed else f"{checked} file{'s' if checked != 1 else ''} already formatted")
    else:
        verdict = f"formatted {len(changed)} of {checked} file{'s' if checked != 1 else ''}"
    print(verdict, file=err)
    if failed:
        return 2
    return 1 if check and changed else 0


def main(args) -> int:
    """Entry point of `modelfacts fmt [--check] [PATH...]`."""
    from pipeline.build import repository_root

    return run(list(args.paths), repository_root() / "data", args.check,
               drop_comments=getattr(args, "drop_comments", False))
