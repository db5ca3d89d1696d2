"""The docs site: a strict offline build, a page per model and source, computed explainers, escaping, atomicity."""
from __future__ import annotations

import hashlib
import html
import json
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import duckdb
import pytest

from pipeline import check, formula, site
from pipeline.build import build
from tests.conftest import FIXTURES, REPO, run_cli

_BUILDS: dict[str, tuple[Path, Path]] = {}


def real_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(database, site) built once per test session from the repository's data/ (shared with test_browser)."""
    if "real" not in _BUILDS:
        root = tmp_path_factory.mktemp("real-site")
        database = build(REPO, root / "dist")
        site.build_site(database, root / "dist" / "site")
        _BUILDS["real"] = (database, root / "dist" / "site")
    return _BUILDS["real"]


PAYLOAD_NAME = "Example <script>window.__pwned='name'</script> Model"
CRAFTED_MODEL = f"""schema_version: 1
id: example-model
name: "{PAYLOAD_NAME}"
organization: meta
released: 2023-07-18
domain: language
open_weights: true
description: "A description with <img src=x onerror=\\"window.__pwned='description'\\"> and [a link](javascript:window.__pwned=1)."
claims:
  - field: params_total
    value: "70B"
    status: confirmed
    source: example-paper
    locator: "Table 1 <b>bold</b> <script>window.__pwned='locator'</script>"
    note: "Note with <img src=x onerror=\\"window.__pwned='note'\\"> and [click](javascript:window.__pwned=3) `code` *stars* | pipe"
  - field: training_tokens
    value: 2 trillion tokens
    status: rumored
    source: example-article
    locator: Section 2
"""


def crafted_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A site from a data tree whose text tries to inject HTML and script, plus a database edited to hold a
    javascript: URL and a title that closes <title> (the validator would reject those in data/)."""
    if "crafted" not in _BUILDS:
        root = tmp_path_factory.mktemp("crafted-site")
        shutil.copytree(FIXTURES / "valid", root, dirs_exist_ok=True)
        (root / "data/models/meta/example-model.yaml").write_text(CRAFTED_MODEL)
        database = build(root, root / "dist")
        with duckdb.connect(str(database)) as connection:
            connection.execute("UPDATE sources SET url = 'javascript:window.__pwned=4', "
                               "title = 'Paper </title><script>window.__pwned=5</script>' WHERE source_id = 'example-paper'")
            connection.execute("UPDATE sources SET url = 'https://example.org/a\"onmouseover=\"window.__pwned=6' "
                               "WHERE source_id = 'example-article'")
        site.build_site(database, root / "dist" / "site")
        _BUILDS["crafted"] = (database, root / "dist" / "site")
    return _BUILDS["crafted"]


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    return real_site(tmp_path_factory)


@pytest.fixture(scope="module")
def crafted(tmp_path_factory):
    return crafted_site(tmp_path_factory)


def query(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def page(site_dir: Path, url: str) -> str:
    return (site_dir / url / "index.html").read_text()


class Links(HTMLParser):
    """Every href/src, resource reference and id of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.resources: list[tuple[str, str]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag in ("script", "img", "iframe", "source") and attrs.get("src"):
            self.resources.append((tag, attrs["src"]))
            self.links.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.resources.append((tag, attrs["href"]))


def parse(text: str) -> Links:
    parser = Links()
    parser.feed(text)
    return parser


# ------------------------------------------------------------------------------------------- the real build

def test_strict_build_has_a_page_per_model_and_per_source(real):
    database, site_dir = real
    models = query(database, "SELECT organization, model_id FROM models")
    sources = query(database, "SELECT source_id FROM sources")
    assert len(models) > 50 and len(sources) > 50
    for organization, model_id in models:
        assert (site_dir / "models" / organization / model_id / "index.html").is_file(), model_id
    for (source_id,) in sources:
        assert (site_dir / "sources" / source_id / "index.html").is_file(), source_id
    for url in ("", "models/", "sources/", "findings/", "charts/", "methodology/", "cookbook/", "downloads/",
                "data-format/", "explainers/parameters/", "explainers/total-vs-active/", "explainers/embeddings/",
                "explainers/counting/", "explainers/memory/", "explainers/chinchilla/"):
        assert (site_dir / url / "index.html").is_file(), url
    assert (site_dir / "search" / "search_index.json").is_file()
    for name in site.charts.CHARTS:
        svg = (site_dir / "charts" / name).read_text()
        assert svg.lstrip().startswith("<?xml") and "<svg" in svg


def test_repository_pages_are_in_the_site(real):
    _, site_dir = real
    home = page(site_dir, "")
    assert 'href="data-format/"' in home  # the nav lists docs/ pages
    for origin, target, _ in site.ROOT_PAGES:
        if (REPO / origin).is_file():
            assert (site_dir / target.removesuffix(".md") / "index.html").is_file(), origin


def test_the_site_loads_nothing_from_outside(real):
    _, site_dir = real
    pages = list(site_dir.rglob("*.html"))
    assert len(pages) > 100
    for path in pages:
        text = path.read_text()
        assert "fonts.googleapis" not in text and "fonts.gstatic" not in text, path
        for tag, reference in parse(text).resources:
            assert not reference.startswith(("http:", "https:", "//")), (path, tag, reference)


def test_links_between_pages_resolve(real):
    database, site_dir = real
    organization, model_id = query(database, "SELECT organization, model_id FROM models WHERE model_id = 'llama-2-70b'")[0]
    source_id = query(database, "SELECT source_id FROM claims WHERE model_id = 'llama-2-70b' ORDER BY claim_id")[0][0]
    urls = ["", "models/", "sources/", "findings/", "charts/", "methodology/", "cookbook/", "downloads/",
            f"models/{organization}/{model_id}/", f"sources/{source_id}/"]
    urls += [f"explainers/{name}/" for name in ("parameters", "total-vs-active", "embeddings", "counting", "memory",
                                                 "chinchilla")]
    checked = 0
    for url in urls:
        base = f"http://site.test/{url}"
        for link in parse(page(site_dir, url)).links:
            target = urlsplit(urljoin(base, link))
            if target.netloc != "site.test":
                continue
            path = site_dir / unquote(target.path).lstrip("/")
            if path.is_dir() or target.path.endswith("/"):
                path = path / "index.html"
            assert path.is_file(), (url, link)
            if target.fragment and path.suffix == ".html":
                assert unquote(target.fragment) in parse(path.read_text()).ids, (url, link)
            checked += 1
    assert checked > 500


def test_model_page_shows_facts_claims_formula_chinchilla_and_citations(real):
    database, site_dir = real
    text = page(site_dir, "models/meta/llama-2-70b/")
    claims = query(database, "SELECT claim_id, status, verdict FROM claim_verdicts WHERE model_id = 'llama-2-70b'")
    assert len(claims) > 10
    for claim_id, status, verdict in claims:
        assert f'<tr id="claim-{claim_id}"' in text
        assert f'<details class="mf-cite-box" id="cite-{claim_id}">' in text
    assert text.count('class="mf-badge mf-verdict-inconsistent"') >= 1 + sum(v == "inconsistent" for *_, v in claims)
    total = query(database, "SELECT value FROM derived WHERE model_id = 'llama-2-70b' "
                            "AND quantity = 'params_total_formula'")[0][0]
    assert f"<strong>{int(total):,}</strong>" in text  # the engine's breakdown ends with the derived total
    config, overrides = query(database, "SELECT hf_config, overrides FROM architectures WHERE model_id = 'llama-2-70b'")[0]
    for part in formula.explain(json.loads(config), json.loads(overrides)):
        assert f"{part['value']:,}" in text
    ratio = query(database, "SELECT value FROM derived WHERE model_id = 'llama-2-70b' AND quantity = 'tokens_per_param'")
    assert f"{ratio[0][0]:.1f} tokens per parameter" in text
    version = query(database, "SELECT dataset_version FROM build_info")[0][0]
    assert "@misc{modelfacts:llama-2-70b.params_total.llama-2-model-card," in text
    assert f"Model Facts dataset, version {version}, claim llama-2-70b.params_total.llama-2-model-card: " \
           "params_total \u201c70B\u201d (confirmed). Original source: Meta, \u201cLlama 2 Model Card\u201d" in text


def test_source_page_says_how_many_claims_hold_up(real):
    database, site_dir = real
    source_id, = query(database, "SELECT source_id FROM claim_verdicts GROUP BY 1 "
                                 "HAVING count(*) FILTER (WHERE verdict = 'inconsistent') > 0 ORDER BY count(*) DESC")[0]
    counts = dict(query(database, f"SELECT verdict, count(*) FROM claim_verdicts WHERE source_id = '{source_id}' GROUP BY 1"))
    text = page(site_dir, f"sources/{source_id}/")
    tested = counts.get("consistent", 0) + counts.get("inconsistent", 0)
    assert (f"Of the {tested} the checks could test, {counts.get('consistent', 0)} are consistent and "
            f"{counts.get('inconsistent', 0)} inconsistent") in text


def test_findings_list_every_inconsistent_claim(real):
    database, site_dir = real
    text = page(site_dir, "findings/")
    bad = query(database, "SELECT model_id, claim_id FROM claim_verdicts WHERE verdict = 'inconsistent'")
    assert bad
    for _, claim_id in bad:
        assert f"#claim-{claim_id}" in text


def test_home_page_has_headline_figures_version_and_downloads(real):
    database, site_dir = real
    text = page(site_dir, "")
    models, claims, bad = query(database, "SELECT (SELECT count(*) FROM models), (SELECT count(*) FROM claims), "
                                          "(SELECT count(*) FROM claim_verdicts WHERE verdict = 'inconsistent')")[0]
    for figure, label in ((models, "models"), (claims, "claims"), (bad, "inconsistent claims")):
        assert f"<strong>{figure:,}</strong>{label}" in text
    version, built = query(database, "SELECT dataset_version, built_at FROM build_info")[0]
    assert f"Version <strong>{version}</strong>, built {str(built)[:10]}" in text
    assert 'href="downloads/modelfacts.duckdb"' in text


def test_downloads_hold_every_table_as_parquet_and_csv(real):
    database, site_dir = real
    folder = site_dir / "downloads"
    for name in ("models", "claims", "sources", "checks", "derived", "build_info", "claim_verdicts", "model_summary"):
        count = query(database, f"SELECT count(*) FROM {name}")[0][0]
        assert query(database, f"SELECT count(*) FROM '{folder / 'parquet' / (name + '.parquet')}'")[0][0] == count
        assert query(database, f"SELECT count(*) FROM read_csv('{folder / 'csv' / (name + '.csv')}')")[0][0] == count
    assert (folder / "modelfacts.duckdb").read_bytes() == database.read_bytes()
    for line in (folder / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest


def test_explainer_numbers_come_from_the_code(real):
    database, site_dir = real
    counting = page(site_dir, "explainers/counting/")
    assert f"<strong>{formula.dense_layer_params(100, 50):,}</strong>" in counting
    gpt3 = formula.count(site.GPT3_SHAPE)
    assert f"{gpt3['total']:,}" in counting
    embeddings = page(site_dir, "explainers/embeddings/")
    assert f"{site.GPT3_SHAPE['vocab_size']:,} × {site.GPT3_SHAPE['n_embd']:,}" in embeddings
    assert f"{gpt3['parts']['embeddings']:,}" in embeddings
    total = query(database, "SELECT value FROM derived WHERE model_id = 'llama-2-70b' AND quantity = 'params_total_formula'")
    assert f"<strong>{int(total[0][0]):,}</strong>" in counting
    memory = page(site_dir, "explainers/memory/")
    for field, size in check.BYTES_PER_PARAM.items():
        assert f"{site.MEMORY_EXAMPLE_PARAMS * size / 1e9:,.1f}" in memory
        assert f"{total[0][0] * size / 1e9:,.1f}" in memory
    chinchilla = page(site_dir, "explainers/chinchilla/")
    assert f"{site.scaling.BESIROGLU_2024.alpha:g}" in chinchilla


def test_explainer_pages_escape_text_from_the_database(real):
    """The explainers name models and quote claims from the database; a name or value holding HTML prints as text."""
    from pipeline.site.explainers import explainer_pages

    database, _ = real
    data = site.load(database)
    models, claims = data["models"].copy(), data["claims"].copy()
    models.loc[models["model_id"].isin(["llama-2-70b", "mixtral-8x7b"]), "name"] = PAYLOAD_NAME
    llama_totals = (claims["model_id"] == "llama-2-70b") & (claims["field"] == "params_total")
    claims.loc[llama_totals, "as_written"] = "<b>70B</b>"
    claims.loc[llama_totals, "verdict_detail"] = "off by <i>1%</i> & more"
    pages = explainer_pages(site.Data({**data.tables, "models": models, "claims": claims}, data.info, database))
    text = "\n".join(markdown for _, markdown in pages.values())
    assert "<script>" not in text and "<b>70B</b>" not in text and "<i>1%</i>" not in text
    assert "Example &lt;script&gt;window.__pwned=&#39;name&#39;&lt;/script&gt; Model</a>" in pages["explainers/counting.md"][1]
    assert "&lt;b&gt;70B&lt;/b&gt;</a>" in pages["explainers/counting.md"][1]  # the claims list
    assert "\u201c&lt;b&gt;70B&lt;/b&gt;\u201d" in pages["explainers/counting.md"][1]  # the sentence on which claims hold
    assert "<small>off by &lt;i&gt;1%&lt;/i&gt; &amp; more</small>" in pages["explainers/counting.md"][1]
    assert PAYLOAD_NAME not in pages["explainers/total-vs-active.md"][1]


def test_source_page_names_the_copy_it_was_read_in(real):
    """`copy:` is the text the curator wrote (a key named like a dict method must still print its value)."""
    database, site_dir = real
    rows = query(database, "SELECT source_id, copy FROM sources WHERE accessed_via = 'copy' AND copy IS NOT NULL "
                           "ORDER BY source_id LIMIT 3")
    assert rows
    for source_id, copy in rows:
        text = page(site_dir, f"sources/{source_id}/")
        assert "built-in method" not in text
        assert f"Read in a copy: {' '.join(copy.split())}</li>" in html.unescape(text)


def test_methodology_takes_thresholds_from_the_checks(real, monkeypatch):
    database, _ = real
    monkeypatch.setattr(check, "COMPUTE_6ND_TOLERANCE", 0.33)
    monkeypatch.setattr(check, "UTILIZATION_BAND", (0.15, 0.65))
    text = site.methodology_page(site.load(database))
    assert "±33%" in text and "15% to 65%" in text and "`(0.15, 0.65)`" in text
    for name in site.CHECK_DESCRIPTIONS:
        assert f"<code>{name}</code>" in text
    assert set(site.CHECK_DESCRIPTIONS) >= {row[0] for row in query(database, 'SELECT DISTINCT "check" FROM checks')}


def test_cookbook_page_shows_every_query_with_its_result(real):
    _, site_dir = real
    text = page(site_dir, "cookbook/")
    for recipe in site.cookbook.QUERIES:
        assert recipe.title in text
    assert text.count("rows.</p>") + text.count(" rows.") >= len(site.cookbook.QUERIES)


# ------------------------------------------------------------------------------------------- escaping

def test_text_from_data_is_escaped(crafted):
    _, site_dir = crafted
    for path in site_dir.rglob("*.html"):
        text = path.read_text()
        assert "<script>window.__pwned" not in text, path
        assert "<img src=x" not in text and "<b>bold</b>" not in text, path
        assert 'href="javascript:' not in text.lower(), path
        assert 'onmouseover="' not in text and 'onerror="' not in text, path
        for line in text.splitlines():
            if "<title>" in line:
                assert line.count("<") == 2, (path, line)  # only <title> and </title>
    model = page(site_dir, "models/meta/example-model/")
    assert "Example &lt;script&gt;window.__pwned=&#x27;name&#x27;&lt;/script&gt; Model" in model
    assert "[click](javascript:window.__pwned=3)" in model  # Markdown in data stays text
    assert "Table 1 &lt;b&gt;bold&lt;/b&gt;" in model
    assert "Paper &lt;/title&gt;&lt;script&gt;window.__pwned=5&lt;/script&gt;" in model
    source = page(site_dir, "sources/example-paper/")
    assert "<code>javascript:window.__pwned=4</code> (not an http(s) link)" in source
    assert "<code>https://example.org/a&#34;onmouseover=&#34;window.__pwned=6</code> (not an http(s) link)" in \
        page(site_dir, "sources/example-article/")


def test_markdown_escaping_helpers():
    assert site.md("a *b* [c](javascript:x) <i>") == r"a \*b\* \[c\]\(javascript:x\) &lt;i&gt;"
    assert site.safe_url("https://example.org/x?y=1&z=2") == "https://example.org/x?y=1&amp;z=2"
    for bad in ("javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", "//example.org", "https://",
                'https://example.org/"onmouseover="x', None, float("nan")):
        assert site.safe_url(bad) is None, bad
    assert site.slug("../../etc/passwd") == "etc-passwd"


def test_bibtex_fields_escape_latex_specials_once():
    assert site._bibtex("a\\b {c} 50% $3 x_y ~ ^ & #") == r"a\textbackslash{}b \{c\} 50\% \$3 x\_y \~{} \^{} \& \#"


def test_repository_links_are_rewritten_for_the_site():
    paths = {"docs/data-format.md": "data-format.md", "CONTRIBUTING.md": "contributing.md", "README.md": "index.md"}
    text = ("See [the format](docs/data-format.md#values), [README](README.md), [a file](data/models/x.yaml), "
            "[web](https://example.org) and [here](#top).\n```\n[not a link](docs/x.md)\n```\n")
    out = site.rewrite_links(text, "CONTRIBUTING.md", paths, "contributing.md", {"data-format.md"})
    assert "[the format](data-format.md#values)" in out and "[README](index.md)" in out
    assert "a file (`data/models/x.yaml`)" in out and "[web](https://example.org)" in out and "[here](#top)" in out
    assert "[not a link](docs/x.md)" in out


# ------------------------------------------------------------------------------------------- build mechanics

def test_a_failed_build_leaves_the_previous_site(crafted, tmp_path):
    database, _ = crafted
    out = tmp_path / "site"
    site.build_site(database, out)
    before = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    repo = tmp_path / "repo"
    (repo / "docs").mkdir(parents=True)
    shutil.copyfile(REPO / "mkdocs.yml", repo / "mkdocs.yml")
    shutil.copyfile(REPO / "docs" / "data-format.md", repo / "docs" / "data-format.md")
    (repo / "docs" / "broken.md").write_text("# Broken\n\nA link to [nowhere](#no-such-heading).\n")
    with pytest.raises(site.SiteError, match="no-such-heading"):
        site.build_site(database, out, repo=repo)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site-")] == []


def test_pages_other_people_add_are_built_and_listed(crafted, tmp_path):
    database, _ = crafted
    repo = tmp_path / "repo"
    (repo / "docs" / "guides").mkdir(parents=True)
    shutil.copyfile(REPO / "mkdocs.yml", repo / "mkdocs.yml")
    shutil.copyfile(REPO / "docs" / "data-format.md", repo / "docs" / "data-format.md")
    (repo / "docs" / "performance.md").write_text("# Performance\n\nSee [the format](data-format.md) and "
                                                  "[the README](../README.md) and [the Makefile](../Makefile).\n")
    (repo / "docs" / "guides" / "deep.md").write_text("# A nested guide\n\nBack to [performance](../performance.md).\n")
    (repo / "CHANGELOG.md").write_text("# Changelog\n\n## 0.1.0\n\nFirst release; see [docs](docs/data-format.md#values).\n")
    out = site.build_site(database, tmp_path / "site", repo=repo).out
    home = page(out, "")
    for url, title in (("performance/", "Performance"), ("guides/deep/", "A nested guide"), ("changelog/", "Changelog")):
        assert f"<title>{title} - Model Facts</title>" in page(out, url)
        assert f'href="{url}"' in home  # in the navigation
    performance = page(out, "performance/")
    assert 'href="../"' in performance and "the Makefile (<code>../Makefile</code>)" in performance
    assert 'href="../data-format/#values"' in page(out, "changelog/")


def test_docs_command(crafted, tmp_path, monkeypatch):
    database, _ = crafted
    status, out, err = run_cli(["docs", "--db", str(database), "--out", str(tmp_path / "site")], tmp_path, monkeypatch)
    assert status == 0, err
    assert out.startswith(f"wrote {tmp_path / 'site'} (") and "2 models" in out
    assert (tmp_path / "site" / "models" / "mistral" / "example-moe" / "index.html").is_file()
    status, _, err = run_cli(["docs", "--db", str(tmp_path / "missing.duckdb"), "--out", str(tmp_path / "x")],
                             tmp_path, monkeypatch)
    assert status == 1 and "no database" in err and not (tmp_path / "x").exists()


# ------------------------------------------------------------------------------------------- research tools

def test_verdict_sizes_in_words():
    # observed / expected: 3.82 is 282% too large; 1/3.8 is 3.8x too small (hand-worked)
    assert site.size_words(3.82, 1.0, "inconsistent") == "off by 282% (3.8x too large)"
    assert site.size_words(1.0, 3.8, "inconsistent") == "3.8x too small"
    assert site.size_words(70_015_266_816, 68_976_648_192, "inconsistent") == "off by 1.5%, too large"
    assert site.size_words(70e9, 68_976_648_192, "consistent", within_precision=True) == "within rounding"
    assert site.size_words(1.12, 1.0, "consistent") == "within tolerance (off by 12%)"
    assert site.size_words(5.0, 5.0, "consistent") == "exact"
    assert site.size_words(68.9e9, 68_976_648_192, "inconsistent", truncated=True) == "truncated, not rounded"
    assert site.size_words(float("nan"), 1.0, "unverifiable") == ""
    from pipeline.site.words import truncated_instead_of_rounded
    import pandas as pd
    cut = truncated_instead_of_rounded(pd.Series([68.9e9, 69.0e9]), pd.Series([68_976_648_192.0] * 2), pd.Series([3, 3]))
    assert cut.tolist() == [True, False]  # 68.976B to 3 figures rounds to 69.0B; 68.9B is cut
    checks = pd.DataFrame({"claim_id": ["a", "b", "c"], "verdict": ["inconsistent"] * 3,
                           "observed": [363e9, 1e9, 2.0], "expected": [None, None, 1.0],
                           "severity": ["major", "gross", "gross"],
                           "detail": ["cannot be reconciled with 1 claim (nearest: off by -36%)", "no numbers", "x"]})
    sizes = site.check_sizes(checks, pd.DataFrame({"claim_id": ["a", "b", "c"]}))
    assert sizes["size"].tolist() == ["off by -36%", "gross difference", "off by 100% (2x too large)"]


def test_every_field_has_a_human_label():
    from pipeline.fields import FIELDS
    assert set(FIELDS) <= set(site.FIELD_LABELS)
    assert site.field_label("training_cost_usd") == "training cost (USD)"
    assert site.field_label("weights_gb_fp16") == "weights at FP16 (GB)"


def test_model_page_shows_sizes_labels_status_and_precision(real):
    database, site_dir = real
    text = page(site_dir, "models/meta/llama-2-70b/")
    claim_id, = query(database, "SELECT claim_id FROM claims WHERE model_id = 'llama-2-70b' "
                                "AND as_written = 'exactly 70,015,266,816'")[0]
    row = text[text.index(f'<tr id="claim-{claim_id}"'):]
    row = row[:row.index("</tr>")]
    # 70,015,266,816 / 68,976,648,192 - 1 = 1.506%, said once (the size is the detail's own words)
    assert "off by +1.5%" in row and "(off by +1.5%)" not in row
    assert ">total parameters<" in text and ">params total<" not in text
    facts = text[text.index('class="mf-table mf-facts"'):]
    facts = facts[:facts.index("</table>")]
    assert "<th>precision</th>" in facts and "<small>exact</small>" in facts
    title, = query(database, "SELECT s.title FROM model_summary m JOIN claims c ON c.claim_id = m.best_claim_id "
                             "JOIN sources s USING (source_id) WHERE m.model_id = 'llama-2-70b' "
                             "AND m.field = 'training_tokens'")[0]
    assert title in facts.replace("&#39;", "'")  # source titles, not slugs


def test_source_page_links_the_repository_file_at_its_commit():
    from pipeline.site.sources import repository_link, source_commit
    commit = source_commit(None, None, "file as of commit 39afc3de1beb16ee18dbe89f925759fa713dc744).")
    assert commit == "39afc3de1beb16ee18dbe89f925759fa713dc744"
    assert repository_link("epoch-research/training-cost-trends", "data/All ML Systems - full view.csv", None, commit) == \
        f"https://github.com/epoch-research/training-cost-trends/blob/{commit}/data/All%20ML%20Systems%20-%20full%20view.csv"
    assert repository_link("meta-llama/Llama-3.1-8B", "config.json",
                           "https://huggingface.co/meta-llama/Llama-3.1-8B/blob/main/config.json", None) == \
        "https://huggingface.co/meta-llama/Llama-3.1-8B/blob/main/config.json"
    assert repository_link("not a repo", "x", None, None) is None


def test_sql_page_and_explorer_are_built_from_vendored_files(real):
    _, site_dir = real
    sql = page(site_dir, "sql/")
    for recipe in site.cookbook.QUERIES:
        assert f'data-recipe="{recipe.slug}"' in sql
    assert (site_dir / "assets" / "sql.bundle.js").stat().st_size > 10_000
    assert (site_dir / "assets" / "vendor" / "duckdb" / "duckdb-eh.wasm").stat().st_size > 1_000_000
    # the SQL page bundles hyparquet and Apache Arrow: their licences travel with it
    assert "MIT License" in (site_dir / "assets" / "vendor" / "sql" / "LICENSE-hyparquet").read_text()
    assert "Apache License" in (site_dir / "assets" / "vendor" / "sql" / "LICENSE-apache-arrow").read_text()
    assert "data-files=\"../downloads/parquet/\"" in sql
    charts_page = page(site_dir, "charts/")
    for name in site.charts.CHARTS:
        spec = json.loads((site_dir / "charts" / site.charts.spec_name(name)).read_text())
        assert spec["data"]["values"] and f'data-spec="{site.charts.spec_name(name)}"' in charts_page
        assert all(point["url"].startswith("../models/") for point in spec["data"]["values"])
    for path in (site_dir / "assets").rglob("*.js"):
        text = path.read_text(errors="replace")
        assert "cdn.jsdelivr" not in text or path.name.startswith(("vega", "sql.bundle")), path


def test_changelog_renders_names_as_text(tmp_path):
    text = "## 0.2.0\n\n- added <script>alert(1)</script> model & more; `code <b>` stays\n```\n<i>fenced</i>\n```\n"
    out = site.escape_html(text)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; model &amp; more" in out
    assert "`code <b>`" in out and "<i>fenced</i>" in out


def test_changelog_text_escaped_by_the_release_tool_is_not_escaped_twice():
    # CHANGELOG.md from `pipeline.release changelog` already writes data text as "&lt;img ...&gt;"
    out = site.escape_html("- renamed &lt;img src=x onerror=alert(1)&gt; &amp; co, & raw <b>\n")
    assert out == "- renamed &lt;img src=x onerror=alert(1)&gt; &amp; co, &amp; raw &lt;b&gt;\n"


def test_findings_has_a_2025_2026_section(real):
    database, site_dir = real
    text = page(site_dir, "findings/")
    assert 'id="2025-2026"' in text
    recent = query(database, "SELECT count(*) FROM models WHERE year(released) BETWEEN 2025 AND 2026")[0][0]
    if recent:
        assert "Models released in 2025 and 2026" in text


def test_closed_models_say_what_the_developer_did_not_disclose(real):
    database, site_dir = real
    rows = query(database, "SELECT DISTINCT m.organization, c.model_id, c.field FROM claims c JOIN models m "
                           "USING (model_id) WHERE c.precision = 'undisclosed' ORDER BY 2, 3")
    assert rows, "the data has claims that a developer did not disclose a figure"
    for organization, model_id, field in rows:
        text = page(site_dir, f"models/{organization}/{model_id}/")
        note = text[text.index('class="mf-undisclosed-note"'):]
        assert f"The developer has not disclosed" in note[:400] and site.field_label(field) in note[:400], model_id


def test_bibtex_carries_the_source_url(real):
    database, site_dir = real
    claim_id, url, organization, model_id = query(
        database, "SELECT c.claim_id, s.url, m.organization, c.model_id FROM claims c JOIN sources s USING (source_id) "
                  "JOIN models m USING (model_id) WHERE s.url LIKE 'https://%' AND s.url NOT LIKE '%&%' "
                  "ORDER BY c.claim_id LIMIT 1")[0]
    text = page(site_dir, f"models/{organization}/{model_id}/")
    box = text[text.index(f'id="cite-{claim_id}"'):]
    box = box[:box.index("</details>")]
    assert f"  url          = {{{url}}},\n" in box


def test_methodology_includes_the_conventions_when_present(real, tmp_path):
    database, _ = real
    data = site.load(database)
    assert "## Conventions" not in site.methodology_page(data, tmp_path)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "conventions.md").write_text("# Conventions\n\n## Rounding\n\n\"70B\" has 2 figures.\n")
    text = site.methodology_page(data, tmp_path)
    assert text.endswith("## Conventions\n\n### Rounding\n\n\"70B\" has 2 figures.\n")
    assert "## How far off a verdict is" in text


def test_a_claim_about_a_part_says_which_part(real):
    database, site_dir = real
    rows = query(database, "SELECT m.organization, c.model_id, c.component FROM claims c JOIN models m USING (model_id) "
                           "WHERE c.model_id = 'sdxl-base' AND c.component IS NOT NULL ORDER BY 3")
    assert {row[2] for row in rows} >= {"unet", "system"}
    text = page(site_dir, f"models/{rows[0][0]}/sdxl-base/")
    assert "part: unet" in text and "system: several models" in text
