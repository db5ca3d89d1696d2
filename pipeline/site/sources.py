"""Source pages (templates/source.md), the sources index and the findings page (templates/findings.md)."""
from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

import pandas as pd

from pipeline import check as checks_module
from pipeline.site.common import VERDICTS, link_url, missing, slug
from pipeline.site.data import Data
from pipeline.site.render import environment
from pipeline.site.words import claim_sizes

_COMMIT = re.compile(r"\b[0-9a-f]{40}\b")
_ARXIV = re.compile(r"[0-9]{4}\.[0-9]{4,5}(v[0-9]+)?")
#: Kinds of source that are imported datasets rather than documents (Epoch AI's database, for one).
IMPORTED_KINDS = ("dataset",)


def source_commit(*texts) -> str | None:
    """The first full 40-hex git commit named in a source's `commit`, `copy` or `note` text, else None."""
    for text in texts:
        if not missing(text):
            found = _COMMIT.search(str(text))
            if found:
                return found.group(0)
    return None


def repository_link(repository, path, url, commit: str | None) -> str | None:
    """Where to read a source's file: on Hugging Face when the source's URL is that repository's page there,
    else on GitHub; at the commit it was read at when the source names one (else the default branch).
    None without a repository or with one that is not owner/name."""
    if missing(repository) or not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", str(repository)):
        return None
    repository = str(repository)
    on_hub = False
    if link_url(url):
        parts = urlsplit(str(url))
        on_hub = parts.netloc.lower() in ("huggingface.co", "www.huggingface.co") and \
            parts.path.lower().startswith(f"/{repository.lower()}")
    host = "https://huggingface.co" if on_hub else "https://github.com"
    if missing(path):
        return f"{host}/{repository}" + (f"/tree/{commit}" if commit else "")
    return f"{host}/{repository}/blob/{commit or ('main' if on_hub else 'HEAD')}/{quote(str(path))}"


def imported_sources(data: Data) -> pd.DataFrame:
    """Sources whose claims were imported from a dataset: kind `dataset`, or an `origin` column when the
    loader records one (source_id, title, origin, claims, models), most claims first."""
    sources = data["sources"]
    marked = sources["kind"].isin(IMPORTED_KINDS)
    if "origin" in sources:
        marked |= sources["origin"].notna() & (sources["origin"].astype(str) != "")
    chosen = sources[marked]
    claims = data["claims"][data["claims"]["source_id"].isin(chosen["source_id"])]
    counts = claims.groupby("source_id").agg(claims=("claim_id", "size"), models=("model_id", "nunique"))
    frame = chosen.assign(origin=chosen["origin"] if "origin" in chosen else chosen["publisher"]) \
        [["source_id", "title", "origin", "published"]].merge(counts, on="source_id", how="inner")
    return frame.sort_values(["claims", "source_id"], ascending=[False, True], kind="stable")


def source_pages(data: Data) -> dict[str, str]:
    """One page per source: where to read it (URL, arXiv, repository file at its commit), what it claims and
    how many of its claims hold up, with how far off each verdict is."""
    claims = data["claims"].merge(data["models"][["model_id", "name", "organization"]], on="model_id", how="left")
    claims = claims.merge(claim_sizes(data["checks"], data["claims"]), on="claim_id", how="left")
    claims = claims.sort_values(["source_id", "model_id", "field_rank", "claim_id"], kind="stable")
    columns = ["source_id", "claim_id", "model_id", "organization", "name", "field", "as_written", "status",
               "verdict", "verdict_detail", "locator", "size", "severity"]
    rows: dict[str, list[dict]] = {}
    for record in claims[columns].astype(object).where(claims[columns].notna(), None).to_dict("records"):
        rows.setdefault(record["source_id"], []).append(record)
    counts = pd.crosstab(claims["source_id"], claims["verdict"]).reindex(columns=list(VERDICTS), fill_value=0)
    counts = counts.to_dict("index")
    architectures = data["architectures"].groupby("source_id")["model_id"].agg(list).to_dict() \
        if len(data["architectures"]) else {}
    model_org = data["models"].set_index("model_id")["organization"].to_dict()
    template = environment().get_template("source.md")
    pages = {}
    sources = data["sources"]
    for source in sources.astype(object).where(sources.notna(), None).to_dict("records"):
        sid = source["source_id"]
        count = counts.get(sid, dict.fromkeys(VERDICTS, 0))
        tested = int(count[checks_module.CONSISTENT] + count[checks_module.INCONSISTENT])
        arxiv = source.get("arxiv")
        commit = source_commit(source.get("commit"), source.get("copy"), source.get("note"))
        pages[f"sources/{slug(sid)}.md"] = template.render(
            source=source, root="../../", claims=rows.get(sid, []), counts=count, total=int(sum(count.values())),
            tested=tested, share=f"{count[checks_module.CONSISTENT] / tested:.0%}" if tested else "none",
            arxiv_url=f"https://arxiv.org/abs/{arxiv}" if arxiv and _ARXIV.fullmatch(str(arxiv)) else None,
            commit=commit, repository_url=repository_link(source.get("repository"), source.get("path"),
                                                          source.get("url"), commit),
            architectures=[(mid, model_org.get(mid, "unknown")) for mid in architectures.get(sid, [])])
    return pages


def sources_index(data: Data) -> str:
    """sources/index.md: every source with its claims and how many hold up."""
    sources = data["sources"].sort_values(["title", "source_id"], kind="stable")
    claims = data["claims"]
    counts = pd.crosstab(claims["source_id"], claims["verdict"]).reindex(columns=list(VERDICTS), fill_value=0)
    counts = counts.reindex(sources["source_id"], fill_value=0)
    tested = counts[checks_module.CONSISTENT] + counts[checks_module.INCONSISTENT]
    share = (counts[checks_module.CONSISTENT] / tested.where(tested > 0)).map(
        lambda x: "—" if missing(x) else f"{x:.0%}")
    frame = sources.assign(claims=counts.sum(axis=1).to_numpy(), share=share.to_numpy(),
                           **{verdict: counts[verdict].to_numpy() for verdict in VERDICTS})
    frame = frame.astype(object).where(frame.notna(), None)
    return environment().get_template("sources_index.md").render(sources=frame.to_dict("records"))


def findings_page(data: Data) -> str:
    """findings.md: the claims the checks found inconsistent (grouped by source, with how far off each is);
    how the published figures of models released in 2025-2026 hold up; and what imported data holds."""
    claims = data["claims"].merge(claim_sizes(data["checks"], data["claims"]), on="claim_id", how="left")
    models = data["models"][["model_id", "name", "organization", "released"]]
    claims = claims.merge(models, on="model_id", how="left")
    bad = claims[claims["verdict"] == checks_module.INCONSISTENT]
    bad = bad.sort_values(["source_id", "model_id", "field_rank", "claim_id"], kind="stable")
    titles = data["sources"].set_index("source_id")["title"]
    columns = ["source_id", "claim_id", "model_id", "organization", "name", "field", "as_written", "status",
               "verdict_detail", "size", "severity"]
    groups: dict[str, list[dict]] = {}
    for record in bad[columns].astype(object).where(bad[columns].notna(), None).to_dict("records"):
        groups.setdefault(record["source_id"], []).append(record)
    order = sorted(groups, key=lambda key: (-len(groups[key]), key))
    by_source = [(sid, titles.get(sid) if not missing(titles.get(sid)) else sid, groups[sid]) for sid in order]
    released = pd.to_datetime(claims["released"], errors="coerce")
    recent = claims[released.dt.year.between(2025, 2026)]
    recent_models = recent.groupby(["model_id", "organization", "name"], dropna=False).agg(
        claims=("claim_id", "size"),
        consistent=("verdict", lambda v: int((v == checks_module.CONSISTENT).sum())),
        inconsistent=("verdict", lambda v: int((v == checks_module.INCONSISTENT).sum())),
        unverifiable=("verdict", lambda v: int((v == checks_module.UNVERIFIABLE).sum()))).reset_index()
    recent_models = recent_models.sort_values(["inconsistent", "claims", "model_id"], ascending=[False, False, True])
    recent_bad = recent[recent["verdict"] == checks_module.INCONSISTENT]
    imported = imported_sources(data)
    imported_claims = claims[claims["source_id"].isin(imported["source_id"])]
    return environment().get_template("findings.md").render(
        total=len(claims), bad=len(bad), by_source=by_source,
        recent=recent_models.to_dict("records"), recent_claims=len(recent),
        recent_verdicts=recent["verdict"].value_counts().to_dict(),
        recent_bad=recent_bad[columns].astype(object).where(recent_bad[columns].notna(), None).to_dict("records"),
        imported=imported.to_dict("records"),
        imported_verdicts=imported_claims["verdict"].value_counts().to_dict())
