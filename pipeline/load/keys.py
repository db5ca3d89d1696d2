"""Checking a YAML mapping's keys against the spec (schemas/spec.py): not a mapping, unknown keys (with a
'did you mean' hint), missing required keys and keys set to nothing, each an error at the key's line."""
from __future__ import annotations

import difflib
from typing import Any, Iterable

from pipeline.errors import DataError
from pipeline.load.yaml_reader import Document


def _hint(key: str, allowed: Iterable[str]) -> str:
    """' (did you mean 'status'?)' when a close allowed key exists."""
    close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def check_keys(mapping: Any, keys: dict, doc: Document, path: str, file: str, what: str) -> list[DataError]:
    """Errors for a value that is not a mapping, for unknown keys and for missing required keys."""
    if not isinstance(mapping, dict):
        found = "a list" if isinstance(mapping, list) else f"{type(mapping).__name__} {mapping!r}"
        return [DataError(file, doc.line(path), path or "(document)",
                          f"expected a mapping ({what}) with keys {', '.join(k for k, v in keys.items() if v[1])}; found {found}")]
    errors = []
    for key in mapping:
        if key not in keys:
            child = f"{path}.{key}" if path else str(key)
            errors.append(DataError(file, doc.line(child), child,
                                    f"unknown key '{key}'{_hint(str(key), keys)}; allowed: {', '.join(keys)}"))
    for key, (_, required, _) in keys.items():
        if required and key not in mapping:
            errors.append(DataError(file, doc.line(path), f"{path}.{key}" if path else key,
                                    f"missing required key '{key}'"))
        elif key in mapping and mapping[key] is None:  # an optional key set to null would reach later stages as null
            errors.append(DataError(file, mapping.lines[key], f"{path}.{key}" if path else key,
                                    f"'{key}' needs a value; found nothing" + ("" if required else
                                                                               " (remove the key if there is none)")))
    return errors
