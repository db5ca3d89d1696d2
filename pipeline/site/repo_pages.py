"""Pages copied from the repository (docs/, CONTRIBUTING.md, CHANGELOG.md), links re-pointed at the site."""
from __future__ import annotations

import posixpath
import re
import shutil
import sys
from pathlib import Path

from pipeline.site.common import CONVENTIONS, GENERATED, ROOT_PAGES

# ----------------------------------------------------------------------------------------------- other pages

_LINK = re.compile(r"(!?)\[([^\]]*)\]\(([^)\s]+)((?:\s+\"[^\"]*\")?)\)")
_FENCE = re.compile(r"^\s*(```|~~~)")


def rewrite_links(text: str, origin: str, site_paths: dict[str, str], here: str, docs_files: set[str]) -> str:
    """Relative links of a page copied into the site, re-pointed at the site (or made plain text when the target
    is not part of the site, so a strict build does not fail on a repository-only link).

    origin: the page's path in the repository; here: its path in the site's docs folder;
    site_paths: repository path -> site docs path for every page the site holds.
    """
    out, fenced = [], False
    for line in text.splitlines(keepends=True):
        if _FENCE.match(line):
            fenced = not fenced
        if fenced or "](" not in line:
            out.append(line)
            continue

        def replace(match: re.Match) -> str:
            bang, label, target, title = match.groups()
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("#") or target.startswith("/"):
                return match.group(0)
            path, _, hash_part = target.partition("#")
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(origin), path))
            if resolved in site_paths:
                new = posixpath.relpath(site_paths[resolved], posixpath.dirname(here) or ".")
                return f"{bang}[{label}]({new}{'#' + hash_part if hash_part else ''}{title})"
            if resolved.startswith("docs/") and resolved.removeprefix("docs/") in docs_files:
                new = posixpath.relpath(resolved.removeprefix("docs/"), posixpath.dirname(here) or ".")
                return f"{bang}[{label}]({new}{'#' + hash_part if hash_part else ''}{title})"
            return f"{label} (`{path}`)" if not bang else f"`{path}`"

        out.append(_LINK.sub(replace, line))
    return "".join(out)


_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
# An `&` that already starts a character reference (CHANGELOG.md escapes data text itself) is left alone, so
# "&lt;img" shows as "<img" and is not escaped a second time into the visible text "&lt;img".
_BARE_AMPERSAND = re.compile(r"&(?!#[0-9]+;|#x[0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)")


def _escape_markup(text: str) -> str:
    """`<` and `>` as character references, and `&` unless it already starts one."""
    return _BARE_AMPERSAND.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")


def escape_html(text: str) -> str:
    """Markdown whose raw HTML must stay text (the changelog names models and sources from data files): `<`, `>`
    and `&` escaped everywhere except inside code spans and fenced blocks, which Markdown already shows as text."""
    out, fenced = [], False
    for line in text.splitlines(keepends=True):
        if _FENCE.match(line):
            fenced = not fenced
            out.append(line)
            continue
        if fenced:
            out.append(line)
            continue
        pieces, last = [], 0
        for match in _CODE_SPAN.finditer(line):
            pieces.append(_escape_markup(line[last:match.start()]))
            pieces.append(match.group(0))
            last = match.end()
        pieces.append(_escape_markup(line[last:]))
        out.append("".join(pieces))
    return "".join(out)


def page_title(text: str, fallback: str) -> str:
    """A page's first level-one heading, else the fallback."""
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip().strip("#").strip() or fallback
    return fallback


def extra_pages(repo: Path, docs: Path) -> list[tuple[str, str]]:
    """Copy docs/ (hand-written pages, including pages other people add) and CONTRIBUTING.md and CHANGELOG.md
    into the staging docs folder; returns (nav title, docs path) for each page to list."""
    source = repo / "docs"
    docs_files: set[str] = set()
    if source.is_dir():
        for path in sorted(source.rglob("*")):
            relative = path.relative_to(source).as_posix()
            if path.is_file() and not any(part.startswith(".") for part in path.relative_to(source).parts):
                docs_files.add(relative)
    site_paths = {f"docs/{name}": name for name in docs_files if name.endswith(".md")}
    present_root = [(origin, target, title) for origin, target, title in ROOT_PAGES if (repo / origin).is_file()]
    site_paths.update({origin: target for origin, target, _ in present_root})
    site_paths["README.md"] = "index.md"
    site_paths[f"docs/{CONVENTIONS}"] = "methodology.md"  # included in the methodology page
    listed = []
    for name in sorted(docs_files):
        target = docs / name
        if name == CONVENTIONS:
            continue
        if name in GENERATED or name.startswith(("models/", "sources/", "explainers/", "charts/", "downloads/", "assets/modelfacts")):
            print(f"docs: skipped docs/{name}: the site generates that path", file=sys.stderr)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if name.endswith(".md"):
            text = (source / name).read_text(encoding="utf-8")
            target.write_text(rewrite_links(text, f"docs/{name}", site_paths, name, docs_files), encoding="utf-8")
            fallback = name.removesuffix(".md").rsplit("/", 1)[-1].replace("-", " ").capitalize()
            listed.append((page_title(text, fallback), name))  # every page is listed: strict builds fail on omissions
        else:
            shutil.copyfile(source / name, target)
    order = {"data-format.md": 0}
    listed.sort(key=lambda item: (order.get(item[1], 1), item[0].lower()))
    for origin, target, title in present_root:
        text = (repo / origin).read_text(encoding="utf-8")
        if target == "changelog.md":
            text = escape_html(text)
        (docs / target).write_text(rewrite_links(text, origin, site_paths, target, docs_files), encoding="utf-8")
        listed.append((title, target))
    return listed


