"""Names people type for models: IDs, aliases and Hugging Face repository names, resolved to model IDs.

`explain Llama-2-70b-hf`, `check meta-llama/Llama-2-70b-hf` and `check llama-2-70B` all mean `llama-2-70b`;
an unknown name gets the closest IDs and aliases as "did you mean" suggestions.
"""
from __future__ import annotations

import difflib
import re
from typing import Iterable

import pandas as pd


class UnknownName(LookupError):
    """A name that is neither a model ID nor an alias; the message lists the closest ones."""


def normalized(name: str) -> str:
    """A name as compared: the part after a repository owner ("meta-llama/"), case-folded, with spaces and
    underscores read as hyphens ("Llama 2 70B" and "llama_2_70b" both give "llama-2-70b")."""
    return re.sub(r"[\s_]+", "-", name.strip().rsplit("/", 1)[-1].casefold())


def alias_index(models: pd.DataFrame) -> dict[str, str]:
    """Normalized ID or alias -> model ID, from a models table with `model_id` and `aliases` (a list, or
    the published "; "-joined text). IDs win over aliases when a name is both."""
    index: dict[str, str] = {}
    for model_id, aliases in zip(models["model_id"], models["aliases"]):
        for alias in _alias_list(aliases):
            index.setdefault(normalized(alias), model_id)
    for model_id in models["model_id"]:
        index[normalized(model_id)] = model_id
    return index


def _alias_list(aliases) -> list[str]:
    """Aliases as a list whether the table holds a list or the published "; "-joined text."""
    if isinstance(aliases, list):
        return [alias for alias in aliases if isinstance(alias, str)]
    if isinstance(aliases, str):
        return [alias.strip() for alias in aliases.split(";") if alias.strip()]
    return []


def suggestions(name: str, candidates: Iterable[str], limit: int = 3) -> list[str]:
    """The candidates closest to `name`: those it begins (a typed "qwen3-30b" for "qwen3-30b-a3b"), shortest
    first, then the rest by difflib ratio (0.6 or more), closest first."""
    candidates = list(candidates)
    extended = sorted((candidate for candidate in candidates if name and candidate.startswith(name) and candidate != name),
                      key=len)[:limit]
    close = difflib.get_close_matches(name, candidates, n=limit, cutoff=0.6)
    return list(dict.fromkeys(extended + close))[:limit]


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """" (did you mean 'a' or 'b'?)" or "" when nothing is close."""
    close = suggestions(name, candidates)
    if not close:
        return ""
    return " (did you mean " + " or ".join(f"'{candidate}'" for candidate in close) + "?)"


def resolve_model_id(name: str, models: pd.DataFrame) -> str:
    """The model ID a typed name means; raises UnknownName with suggestions when it means none."""
    index = alias_index(models)
    found = index.get(normalized(name))
    if found is not None:
        return found
    close = list(dict.fromkeys(index[key] for key in suggestions(normalized(name), index)))
    hint = (" (did you mean " + " or ".join(f"'{model_id}'" for model_id in close) + "?)") if close else ""
    raise UnknownName(f"no model '{name}'{hint}; an ID is the model file's name without .yaml "
                      "(`modelfacts query \"SELECT model_id, aliases FROM models\"` lists them)")
