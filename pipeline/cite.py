"""`modelfacts cite CLAIM_ID`: a citation for one claim: the dataset and version, the claim as written,
its status, and the original source with the locator inside it.

A claim ID is `<model>.<field>.<source>[.<key>]`; it does not change when other claims, other files or
the claim's own value, status, locator or note change, so a citation stays valid after a correction
(the version number says which reading of the claim was cited).
"""
from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import sys
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.errors import json_printable, no_database, printable
from pipeline.publish import connect_read_only, database_problem

DATASET_TITLE = "Model Facts"
DATASET_AUTHOR = "Model Facts contributors"
STYLES = ("text", "bibtex", "apa", "json")
KIND_NAMES = {"paper": "Paper", "model-card": "Model card", "config": "Configuration file",
              "official-blog": "Blog post", "analysis": "Analysis", "news": "News article", "article": "Article",
              "leak": "Leaked document", "report": "Report", "repository": "Software repository", "dataset": "Data set"}


class UnknownClaim(LookupError):
    """No claim has this ID; carries the closest IDs that exist."""

    def __init__(self, claim_id: str, suggestions: list[str]):
        self.claim_id, self.suggestions = claim_id, suggestions
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else \
            "; list a model's claims with: modelfacts query \"SELECT claim_id FROM claims WHERE model_id = '...'\""
        super().__init__(f"unknown claim id '{claim_id}'{hint}")


def suggestions(claim_id: str, known: list[str], limit: int = 3) -> list[str]:
    """The known IDs closest to a mistyped one: close spellings first, then IDs that start with it."""
    close = difflib.get_close_matches(claim_id, known, n=limit, cutoff=0.6)
    if len(close) < limit:
        prefix = sorted(k for k in known if k.startswith(claim_id.rstrip(".") + ".") and k not in close)
        close += prefix[: limit - len(close)]
    return close


def _value(value):
    """A cell as a JSON value (missing as None, dates as ISO text)."""
    if value is None:
        return None
    if isinstance(value, (dt.date, pd.Timestamp)):
        return value.isoformat()[:10]
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value.item() if hasattr(value, "item") else value


def _published(date, precision: str | None) -> str | None:
    """A source date as precise as the source gives it."""
    if precision == "undated" or date is None:
        return None
    text = date[:10]
    return {"year": text[:4], "month": text[:7]}.get(precision or "day", text)


def citation(database: Path, claim_id: str) -> dict:
    """Everything a citation of one claim needs, read from a built database."""
    with connect_read_only(database) as connection:
        frame = connection.execute("""
            SELECT c.claim_id, c.model_id, m.name AS model_name, m.organization, c.field, c.unit, c.as_written,
                   c.status, c.attributed_to, c.locator, c.note, c.source_id,
                   s.title, s.authors, s.publisher, s.published, s.published_precision, s.kind, s.url, s.arxiv,
                   s.repository, s.path
            FROM claims c LEFT JOIN models m USING (model_id) LEFT JOIN sources s USING (source_id)
            WHERE c.claim_id = ?""", [claim_id]).fetchdf()
        if frame.empty:
            known = [row[0] for row in connection.execute("SELECT claim_id FROM claims ORDER BY claim_id").fetchall()]
            raise UnknownClaim(claim_id, suggestions(claim_id, known))
        info = connection.execute("SELECT dataset_version, built_at FROM build_info").fetchone() or (None, None)
    row = {key: _value(value) for key, value in frame.iloc[0].items()}
    # the published table fills a missing publisher with the authors; keep the publisher only when it is its own
    publisher = row["publisher"] if row["publisher"] != row["authors"] else None
    return {
        "dataset": {"title": DATASET_TITLE, "version": info[0], "authors": DATASET_AUTHOR,
                    "year": str(info[1])[:4] if info[1] else None},
        "claim": {"id": row["claim_id"], "model_id": row["model_id"], "model_name": row["model_name"],
                  "field": row["field"], "unit": row["unit"], "value_as_written": row["as_written"],
                  "status": row["status"], "attributed_to": row["attributed_to"], "locator": row["locator"],
                  "note": row["note"]},
        "source": {"id": row["source_id"], "title": row["title"],
                   "authors": row["authors"].split(", ") if row["authors"] else [],
                   "publisher": publisher, "published": _published(row["published"], row["published_precision"]),
                   "kind": row["kind"], "url": row["url"], "arxiv": row["arxiv"], "repository": row["repository"],
                   "path": row["path"]},
    }


# ---------------------------------------------------------------- styles

def _who(source: dict) -> str:
    """Authors, else publisher, else 'Unknown'."""
    if source["authors"]:
        return ", ".join(source["authors"])
    return source["publisher"] if source["publisher"] and source["publisher"] != "unknown" else "Unknown author"


def _where(source: dict) -> list[str]:
    """How to find the source: address, arXiv identifier, repository and file."""
    parts = []
    if source["url"]:
        parts.append(source["url"])
    if source["arxiv"]:
        parts.append(f"arXiv:{source['arxiv']}")
    if source["repository"]:
        parts.append(f"Repository {source['repository']}" + (f", file {source['path']}" if source["path"] else ""))
    return parts


def render_text(c: dict) -> str:
    """A plain-text citation."""
    dataset, claim, source = c["dataset"], c["claim"], c["source"]
    said = f"{claim['model_name']} ({claim['model_id']}), {claim['field']}: \"{claim['value_as_written']}\" ({claim['status']}"
    said += f"; attributed to {claim['attributed_to']})" if claim["attributed_to"] else ")"
    published = source["published"] or "undated"
    original = f"{_who(source)}. \"{source['title']}\". {KIND_NAMES.get(source['kind'], source['kind'])}, {published}."
    if source["authors"] and source["publisher"]:
        original = f"{_who(source)}. \"{source['title']}\". {source['publisher']}. " \
                   f"{KIND_NAMES.get(source['kind'], source['kind'])}, {published}."
    where = _where(source)
    lines = [f"{DATASET_AUTHOR}. {dataset['title']}, version {dataset['version']}. Claim {claim['id']}.",
             f"  Claim:   {said}",
             f"  Source:  {original}" + (f" {'; '.join(where)}." if where else ""),
             f"  Locator: {claim['locator']}"]
    return "\n".join(lines) + "\n"


_TEX = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#", "^": r"\^{}",
        "_": r"\_", "%": r"\%", "~": r"\textasciitilde{}"}


def _tex(text: str) -> str:
    """Text safe inside a BibTeX field."""
    return "".join(_TEX.get(char, char) for char in str(text))


def render_bibtex(c: dict) -> str:
    """A BibTeX @misc entry for the dataset, with the claim and its original source in the note."""
    dataset, claim, source = c["dataset"], c["claim"], c["source"]
    key = re.sub(r"[^A-Za-z0-9]+", "_", f"modelfacts_{dataset['version']}_{claim['id']}").strip("_")
    original = f"{_who(source)}, ``{source['title']}'' ({source['kind']}, {source['published'] or 'undated'})"
    where = _where(source)
    note = (f"Claim {claim['id']}: {claim['model_name']}, {claim['field']} = ``{claim['value_as_written']}'' "
            f"({claim['status']}). Source: {original}" + (f", {'; '.join(where)}" if where else "")
            + f". Locator: {claim['locator']}.")
    fields = [("title", f"{dataset['title']}: claim {claim['id']}"), ("author", f"{{{DATASET_AUTHOR}}}"),
              ("year", dataset["year"]), ("version", dataset["version"]), ("howpublished", "Dataset"), ("note", note)]
    body = ",\n".join(f"  {name:<12} = {{{value if name == 'author' else _tex(value)}}}"
                      for name, value in fields if value)
    return f"@misc{{{key},\n{body}\n}}\n"


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def _apa_date(published: str | None) -> str:
    """(2023, July 18) / (2023, July) / (2023) / (n.d.)."""
    if not published:
        return "(n.d.)"
    parts = published.split("-")
    if len(parts) == 1:
        return f"({parts[0]})"
    month = _MONTHS[int(parts[1]) - 1]
    return f"({parts[0]}, {month})" if len(parts) == 2 else f"({parts[0]}, {month} {int(parts[2])})"


def _apa_authors(names: list[str]) -> str:
    """A, B, & C."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + ", & " + names[-1]


def render_apa(c: dict) -> str:
    """An APA-style reference for the dataset, the claim, and the original source's reference."""
    dataset, claim, source = c["dataset"], c["claim"], c["source"]
    who = _apa_authors(source["authors"]) if source["authors"] else _who(source)
    kind = KIND_NAMES.get(source["kind"], source["kind"])
    reference = f"{who}. {_apa_date(source['published'])}. {source['title']} [{kind}]."
    if source["authors"] and source["publisher"]:
        reference += f" {source['publisher']}."
    where = _where(source)
    if where:
        reference += " " + "; ".join(where)
    first = (f"{DATASET_AUTHOR}. ({dataset['year'] or 'n.d.'}). {dataset['title']} (Version {dataset['version']}) "
             f"[Data set]. Claim {claim['id']}: {claim['model_name']}, {claim['field']} = \"{claim['value_as_written']}\" "
             f"({claim['status']}); locator: {claim['locator']}.")
    return f"{first}\nOriginal source: {reference}\n"


def render(c: dict, style: str) -> str:
    """A citation in one of the styles."""
    if style == "json":
        return json.dumps(c, indent=2, ensure_ascii=False) + "\n"
    return {"text": render_text, "bibtex": render_bibtex, "apa": render_apa}[style](c)


def _stale(database: Path) -> bool:
    """Whether a data file changed after the database was built (so the citation may be out of date)."""
    from pipeline.build import repository_root
    from pipeline.load import data_files

    data = repository_root() / "data"
    if not data.is_dir():
        return False
    built = database.stat().st_mtime
    return any(path.stat().st_mtime > built for path in data_files(data) if not path.is_symlink())


def main(args) -> int:
    """Entry point of `modelfacts cite CLAIM_ID [--style ...] [--db ...]`."""
    if no_database(args.db):
        return 1
    try:
        found = citation(args.db, args.claim_id)
    except UnknownClaim as error:
        print(str(error), file=sys.stderr)
        return 1
    except duckdb.Error as error:
        print(database_problem(args.db, error), file=sys.stderr)
        return 1
    if _stale(args.db):
        print(f"note: data/ changed after {args.db} was built; run `modelfacts build` for current values",
              file=sys.stderr)
    text = render(found, args.style)
    # data may hold terminal escapes (clear screen, retitle, recolour): shown as text, never sent raw
    sys.stdout.write(json_printable(text) if args.style == "json" else printable(text, keep="\n"))
    return 0
