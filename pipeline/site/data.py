"""Load: every table and view the site needs from a built database (one query each), and citations."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline import check as checks_module
from pipeline.publish import connect_read_only
from pipeline.site.common import FIELD_ORDER, STATUS_RANK, TABLES, SiteError, fmt_date, safe_url

# ----------------------------------------------------------------------------------------------- load

@dataclass
class Data:
    """The database, as pandas tables."""

    tables: dict[str, pd.DataFrame]
    info: dict
    database: Path

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]


def load(database: Path) -> Data:
    """Every table and view the site needs, one query each."""
    if not Path(database).exists():
        raise SiteError(f"{database}: no database; run `modelfacts build` first")
    with connect_read_only(database) as connection:  # safe-publish: DuckDB's sandbox
        present = {row[0] for row in connection.execute(
            "SELECT table_name FROM information_schema.tables").fetchall()}
        needed = {"models", "claims", "sources", "derived", "checks", "build_info", "claim_verdicts", "model_summary"}
        if needed - present:
            raise SiteError(f"{database}: missing {', '.join(sorted(needed - present))}; rebuild with `modelfacts build`")
        tables = {name: connection.execute(f'SELECT * FROM "{name}"').fetchdf() for name in TABLES if name in present}
        tables["claims"] = connection.execute("""
            SELECT c.*, v.verdict, v.detail AS verdict_detail, v.checks_run
            FROM claims c LEFT JOIN claim_verdicts v USING (claim_id)""").fetchdf()
        tables["summary"] = connection.execute("SELECT * FROM model_summary").fetchdf()
        info_rows = connection.execute("SELECT * FROM build_info").fetchdf()
    for name, columns in {"organizations": ["organization_id", "name", "url"],
                          "architectures": ["model_id", "source_id", "hf_config", "overrides", "note", "file"],
                          "hardware": ["hardware_id", "name"]}.items():
        tables.setdefault(name, pd.DataFrame(columns=columns))
    organizations = tables["organizations"].set_index("organization_id")["name"]
    models = tables["models"]
    models["organization_name"] = models["organization"].map(organizations).fillna(models["organization"])
    tables["models"] = models.sort_values(["organization", "model_id"], kind="stable").reset_index(drop=True)
    claims = tables["claims"]
    claims["verdict"] = claims["verdict"].fillna(checks_module.UNVERIFIABLE)
    claims["status_rank"] = claims["status"].map(STATUS_RANK).fillna(9)
    claims["field_rank"] = claims["field"].map(FIELD_ORDER).fillna(len(FIELD_ORDER))
    tables["claims"] = claims.sort_values(["model_id", "field_rank", "status_rank", "claim_id"],
                                          kind="stable").reset_index(drop=True)
    info = info_rows.iloc[0].to_dict() if len(info_rows) else {}
    return Data(tables, info, Path(database))


# ----------------------------------------------------------------------------------------------- citations

_BIBTEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "#": r"\#", "$": r"\$",
                   "_": r"\_", "^": r"\^{}", "~": r"\~{}"}
_BIBTEX_PATTERN = re.compile("|".join(re.escape(char) for char in _BIBTEX_SPECIAL))


def _bibtex(text: str) -> str:
    """Text safe inside a BibTeX braced field (LaTeX specials escaped in one pass)."""
    return _BIBTEX_PATTERN.sub(lambda match: _BIBTEX_SPECIAL[match.group(0)], " ".join(str(text).split()))


def citations(claims: pd.DataFrame, sources: pd.DataFrame, info: dict) -> pd.DataFrame:
    """Plain-text and BibTeX citations for every claim (columns: text, bibtex), vectorized over the claims."""
    version = str(info.get("dataset_version", "unknown"))
    built = str(info.get("built_at", ""))[:10]
    year = built[:4] or "n.d."
    frame = claims[["claim_id", "field", "as_written", "status", "source_id", "locator"]].merge(
        sources[["source_id", "title", "publisher", "authors", "published", "published_precision", "url"]],
        on="source_id", how="left")
    who = frame["authors"].where(frame["authors"].notna() & (frame["authors"].astype(str) != ""), frame["publisher"])
    who = who.fillna("unknown").astype(str)
    when = [fmt_date(value, precision) for value, precision in zip(frame["published"], frame["published_precision"])]
    title = frame["title"].fillna(frame["source_id"]).astype(str)
    locator = frame["locator"].fillna("").astype(str)
    url = frame["url"].map(lambda u: str(u) if safe_url(u) else "")
    origin = who + ", \u201c" + title + "\u201d (" + pd.Series(when, index=frame.index) + ")"
    origin = origin + locator.map(lambda text: f", {text}" if text else "") + url.map(lambda u: f", {u}" if u else "")
    text = ("Model Facts dataset, version " + version + ", claim " + frame["claim_id"] + ": "
            + frame["field"] + " \u201c" + frame["as_written"].astype(str) + "\u201d (" + frame["status"]
            + "). Original source: " + origin + ". Retrieved " + built + ".")
    key = "modelfacts:" + frame["claim_id"].str.replace(r"[^A-Za-z0-9:._-]", "-", regex=True)
    note = ("Claim " + frame["claim_id"].map(_bibtex) + "; " + frame["field"].map(_bibtex) + " as written: "
            + frame["as_written"].astype(str).map(_bibtex) + "; status: " + frame["status"].map(_bibtex)
            + "; original source: " + origin.map(_bibtex))
    # BibTeX reads `url` verbatim (escaping `_` or `%` would break the link); a URL with a brace is left out
    bib_url = url.where(~url.str.contains(r"[{}\\]", regex=True), "")
    bibtex = ("@misc{" + key + ",\n  title        = {Model Facts: " + frame["claim_id"].map(_bibtex) + "},\n"
              "  author       = {{Model Facts contributors}},\n  year         = {" + year + "},\n"
              "  version      = {" + _bibtex(version) + "},\n  note         = {" + note + "},\n"
              + bib_url.map(lambda u: f"  url          = {{{u}}},\n" if u else "") +
              "  howpublished = {Model Facts dataset, version " + _bibtex(version) + "}\n}")
    return pd.DataFrame({"claim_id": frame["claim_id"], "text": text, "bibtex": bibtex})


