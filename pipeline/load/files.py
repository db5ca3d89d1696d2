"""Finding the data files: every YAML file under data/, which table each feeds, and an error for anything
the walk would otherwise skip without a word (a missing data/, unreadable or symlinked folders, files that
are not `.yaml`, a data/VERSION that is not semantic)."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

from pipeline.errors import DataError
from pipeline.load.yaml_reader import YamlError, read_bytes

SEMVER = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")


def shown_path(path: str, root: Path) -> str:
    """A path as messages show it: relative to data/'s parent, with '/'."""
    parent = os.path.dirname(os.path.abspath(root))
    return os.path.relpath(os.path.abspath(path), parent).replace(os.sep, "/")


def data_files(root: Path) -> list[Path]:
    """Every YAML file under data/, sorted, symlinks included (the loader refuses them); data/imports/
    holds snapshots of other databases, read by pipeline.imports, not by this loader."""
    return discover(root)[0]


def discover(root: Path) -> tuple[list[Path], list[DataError]]:
    """Every YAML file under data/ (sorted, symlinked files included: the reader refuses them), and an
    error for everything that would otherwise be skipped without a word: a missing data/, a folder that
    cannot be listed, a symlinked folder, and a file that is not `.yaml`/`.yml` (`.YAML`, `.json`, ...)."""
    root = Path(root)
    if not root.is_dir():
        return [], [DataError(shown_path(str(root), root), 0, "",
                              "no data folder here; run modelfacts in the repository (the folder holding data/)")]
    found: list[Path] = []
    errors: list[DataError] = []

    def unreadable(error: OSError) -> None:
        errors.append(DataError(shown_path(error.filename, root), 0, "",
                                f"cannot read the folder: {error.strerror}; its files would be skipped"))

    for directory, dirnames, filenames in os.walk(root, onerror=unreadable):
        for name in list(dirnames):
            if os.path.islink(os.path.join(directory, name)):
                dirnames.remove(name)
                errors.append(DataError(shown_path(os.path.join(directory, name), root), 0, "",
                                        "symbolic links are not allowed in data/; commit the folder itself"))
        dirnames.sort()
        if os.path.samefile(directory, root) and "imports" in dirnames:
            dirnames.remove("imports")
        for name in sorted(filenames):
            path = os.path.join(directory, name)
            if name.endswith((".yaml", ".yml")):
                found.append(Path(path))
            elif not (directory == str(root) and name == "VERSION"):
                hint = (f"; rename it to {name.rsplit('.', 1)[0]}.yaml" if name.lower().endswith((".yaml", ".yml"))
                        else "; data files are YAML files ending in .yaml (move other files out of data/)")
                errors.append(DataError(shown_path(path, root), 0, "", f"not a data file{hint}"))
    return found, errors


def not_through_links(paths: list[Path], root: Path) -> tuple[list[Path], list[DataError]]:
    """Named files, less those reached through a symlinked folder (data/models/org -> /elsewhere), each
    with an error: the walk of data/ never enters such a folder, so naming a file in it must not either.
    A symlinked file itself is left in: the reader refuses it with its own message."""
    kept, errors = [], []
    real_root = os.path.realpath(root)
    for path in paths:
        folder = os.path.dirname(os.path.abspath(path))
        real_folder = os.path.realpath(folder)
        if os.path.relpath(real_folder, real_root) != os.path.relpath(folder, os.path.abspath(root)):
            errors.append(DataError(shown_path(str(path), root), 0, "",
                                    "reached through a symbolic link; data files must lie in data/ itself"))
        else:
            kept.append(path)
    return kept, errors


def version_errors(root: Path) -> list[DataError]:
    """An error when data/VERSION exists but is not MAJOR.MINOR.PATCH (it is published and cited)."""
    path = Path(root) / "VERSION"
    if not os.path.lexists(path):
        return []
    shown = shown_path(str(path), root)
    try:
        content = read_bytes(path, limit=64)
    except YamlError as error:
        return [DataError(shown, error.line, "", error.message)]
    except OSError as error:
        return [DataError(shown, 0, "", f"cannot read the file: {error.strerror}")]
    text = content.decode("utf-8", errors="replace").removesuffix("\n")
    if SEMVER.fullmatch(text):
        return []
    return [DataError(shown, 1, "", f"expected a version MAJOR.MINOR.PATCH such as 0.1.0; found {json.dumps(text, ensure_ascii=False)}")]


def kind_of(path: Path, root: Path) -> str | None:
    """Which table builder a file belongs to ('model', 'source', 'hardware', 'organizations'), by where it
    lies under data/; None for any other place."""
    parts = path.relative_to(root).parts
    if parts == ("organizations.yaml",):
        return "organizations"
    if len(parts) == 3 and parts[0] == "models":
        return "model"
    if len(parts) == 2 and parts[0] in ("sources", "hardware"):
        return parts[0].rstrip("s") if parts[0] == "sources" else "hardware"
    return None
