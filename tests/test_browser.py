"""The built site in a real browser: headless Chromium (Debian's chromium and chromium-driver) through Selenium.

The site is served with Python's http.server on 127.0.0.1 only; every other address goes to a local proxy
that records the request and refuses it (OutsideRecorder), so nothing leaves the machine and the tests see
whatever tried to, web workers included. `make test` installs the two Debian packages
when they are missing; without them (or without selenium) these tests are skipped, saying why. Set
MODELFACTS_SCREENSHOTS=DIR to keep the screenshots.
"""
from __future__ import annotations

import functools
import io
import json
import os
import re
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import duckdb
import pytest

from pipeline import site
from pipeline.build import build
from tests.conftest import FIXTURES, run_cli
from tests.test_site import crafted_site, real_site

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
if not CHROMIUM or not CHROMEDRIVER:
    pytest.skip("needs Debian's chromium and chromium-driver (`make test` installs them as root)", allow_module_level=True)
webdriver = pytest.importorskip("selenium.webdriver", reason="needs selenium (requirements.lock)")
from selenium.common.exceptions import NoAlertPresentException  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--window-size=1400,1000",
                  # Chromium's own calls home (sign-in, autofill, network time, safe browsing), so that the
                  # recording proxy below sees only what the pages ask for
                  "--disable-client-side-phishing-detection", "--disable-default-apps", "--disable-extensions",
                  "--disable-domain-reliability", "--no-default-browser-check", "--no-pings", "--password-store=basic",
                  "--disable-features=AutofillServerCommunication,NetworkTimeServiceQuerying,OptimizationHints,"
                  "Translate,MediaRouter,InterestFeedContentSuggestions,CertificateTransparencyComponentUpdater,"
                  "SafeBrowsing,PrivacySandboxSettings4")


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves files without logging every request to stderr."""

    def log_message(self, format, *args):  # noqa: A002
        pass


class Server:
    """A static file server for one folder on 127.0.0.1 (a free port), stopped by `close`."""

    def __init__(self, folder: Path) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder)))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


class OutsideRecorder(SimpleHTTPRequestHandler):
    """The browser's proxy for every address but localhost: records the request line and refuses it, so a
    request that would leave the machine (from the page or from a web worker, whose requests Chrome's
    performance log leaves out) is seen and goes nowhere."""

    def _refuse(self) -> None:
        self.server.seen.append(self.requestline)
        self.send_error(502, "the browser tests allow no request outside localhost")

    do_GET = do_POST = do_HEAD = do_PUT = do_OPTIONS = do_CONNECT = _refuse

    def log_message(self, format, *args):  # noqa: A002
        pass


@pytest.fixture(scope="module")
def outside():
    """The requests the browser tried to send outside localhost (a list, cleared by the tests that read it)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), OutsideRecorder)
    httpd.seen = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    database, folder = real_site(tmp_path_factory)
    server = Server(folder)
    yield database, server.url
    server.close()


@pytest.fixture(scope="module")
def crafted(tmp_path_factory):
    _, folder = crafted_site(tmp_path_factory)
    server = Server(folder)
    yield server.url
    server.close()


#: Text that CSV would alter: a leading = + - @ gets the spreadsheet-safety ' in the CSV downloads, and a
#: column of digits would be read back from CSV as integers (0042 -> 42).
CSV_ALTERED = {"Table 1": "=HYPERLINK(\"x\") Table 1", "Section 2": "-2% in Section 2", "Table 2": "@Table 2"}


@pytest.fixture(scope="module")
def csv_altered(tmp_path_factory):
    """A small site whose claims hold text that a CSV round trip would change (CSV_ALTERED, and notes of
    digits with a leading zero); (database, url)."""
    root = tmp_path_factory.mktemp("csv-altered-site")
    shutil.copytree(FIXTURES / "valid", root, dirs_exist_ok=True)
    database = build(root, root / "dist")
    with duckdb.connect(str(database)) as connection:
        for before, after in CSV_ALTERED.items():
            connection.execute("UPDATE claims SET locator = ? WHERE locator = ?", [after, before])
        connection.execute("UPDATE claims SET note = lpad(CAST(line AS VARCHAR), 4, '0') WHERE line % 2 = 0")
    site.build_site(database, root / "dist" / "site")
    server = Server(root / "dist" / "site")
    yield database, server.url
    server.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory, outside):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    # Everything but 127.0.0.1 goes to the recording proxy (Chrome sends loopback addresses direct).
    options.add_argument(f"--proxy-server=http://127.0.0.1:{outside.server_address[1]}")
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})  # every request, for the localhost test
    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager look for a driver online
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def keep_small(png: bytes, path: Path, width: int = 1000) -> None:
    """A screenshot small enough to commit (docs/screenshots/): scaled to `width` pixels, 128 colours."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    image = image.resize((width, round(image.height * width / image.width)), Image.LANCZOS)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.quantize(colors=128).save(path, optimize=True)


def screenshot(driver, tmp_path: Path, name: str) -> Path:
    """A full-height screenshot; with MODELFACTS_SCREENSHOTS=DIR the visible part (hover labels included) is also
    kept there, small (`make screenshots` writes docs/screenshots/ this way)."""
    keep = os.environ.get("MODELFACTS_SCREENSHOTS")
    if keep:
        keep_small(driver.get_screenshot_as_png(), Path(keep) / f"{name}.png")
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1400, min(max(height, 1000), 8000))
    path = tmp_path / f"{name}.png"
    driver.save_screenshot(str(path))
    driver.set_window_size(1400, 1000)
    assert path.stat().st_size > 10_000
    return path


def no_alert(driver) -> bool:
    try:
        driver.switch_to.alert
    except NoAlertPresentException:
        return True
    return False


def search(driver, text: str) -> list:
    """Type into Material's search box; the result items once they appear."""
    box = WebDriverWait(driver, 20).until(expected_conditions.element_to_be_clickable((By.CSS_SELECTOR, "input.md-search__input")))
    box.click()
    box.send_keys(text)
    WebDriverWait(driver, 30).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, ".md-search-result__item")
        or "No matching" in d.find_element(By.CSS_SELECTOR, ".md-search-result__meta").text)
    return driver.find_elements(By.CSS_SELECTOR, ".md-search-result__item")


def test_home_page_renders_headline_figures(browser, real, tmp_path):
    database, url = real
    with duckdb.connect(str(database), read_only=True) as connection:
        models, claims = connection.execute("SELECT (SELECT count(*) FROM models), (SELECT count(*) FROM claims)").fetchone()
    browser.get(url)
    assert browser.title == "Model Facts"
    figures = [element.text for element in browser.find_elements(By.CSS_SELECTOR, ".mf-figure")]
    assert f"{models:,}\nmodels" in figures and f"{claims:,}\nclaims" in figures
    chart = browser.find_element(By.CSS_SELECTOR, "img.mf-chart")
    assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", chart) > 100
    screenshot(browser, tmp_path, "home")


def test_model_page_renders_its_claims_table(browser, real, tmp_path):
    database, url = real
    with duckdb.connect(str(database), read_only=True) as connection:
        claims = connection.execute("SELECT claim_id, status, verdict FROM claim_verdicts "
                                    "WHERE model_id = 'llama-2-70b' ORDER BY claim_id").fetchall()
    browser.get(url + "models/meta/llama-2-70b/")
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Llama 2 70B")
    rows = browser.find_elements(By.CSS_SELECTOR, ".mf-claims table tbody tr")
    assert len(rows) == len(claims)
    shown = {row.get_attribute("title"): row for row in rows}
    for claim_id, status, verdict in claims:
        row = shown[claim_id]
        assert row.is_displayed() and row.size["height"] > 10 and row.size["width"] > 400
        assert row.find_element(By.CSS_SELECTOR, ".mf-badge[class*=mf-status-]").text == status
        assert row.find_element(By.CSS_SELECTOR, ".mf-badge[class*=mf-verdict-]").text == verdict
    badge = browser.find_element(By.CSS_SELECTOR, ".mf-claims .mf-verdict-inconsistent")
    assert badge.value_of_css_property("background-color") in ("rgba(211, 47, 47, 1)", "rgb(211, 47, 47)")
    facts = browser.find_elements(By.CSS_SELECTOR, ".mf-facts table tbody tr")
    assert any("68,976,648,192" in row.text for row in facts)
    screenshot(browser, tmp_path, "model-llama-2-70b")


def test_search_box_returns_a_result(browser, real, tmp_path):
    _, url = real
    browser.get(url)
    results = search(browser, "Mixtral")
    assert results, "the search box found nothing"
    links = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, ".md-search-result__item a")]
    assert any("/models/mistral/mixtral-8x7b/" in link for link in links), links
    screenshot(browser, tmp_path, "search")


def test_crafted_text_runs_no_script_in_the_browser(browser, crafted, tmp_path):
    browser.get(crafted + "models/meta/example-model/")
    assert no_alert(browser)
    assert browser.execute_script("return window.__pwned === undefined")
    heading = browser.find_element(By.TAG_NAME, "h1").text
    assert heading.startswith("Example <script>window.__pwned='name'</script> Model")
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "[click](javascript:window.__pwned=3)" in body and "Table 1 <b>bold</b>" in body
    assert browser.find_elements(By.CSS_SELECTOR, "a[href^='javascript']") == []
    results = search(browser, "description")  # its result shows the text around the injected <img>
    assert results and no_alert(browser) and browser.execute_script("return window.__pwned === undefined")
    screenshot(browser, tmp_path, "crafted")


# ------------------------------------------------------------------------------------------- the research tools

def requested_urls(driver) -> list[str]:
    """Every URL the browser asked for since the last call (Chrome's performance log)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


#: Hosts of Chromium's own services (sign-in, Google services, push messaging) that headless Chromium still calls
#: with every flag above; no page of the site names them.
CHROMIUM_SERVICES = re.compile(r"^(CONNECT |GET https?://)([a-z0-9-]+\.)*(google\.com|googleapis\.com|gvt1\.com)[:/]")


def pages_requests(outside) -> list[str]:
    """The request lines the recording proxy has seen since the last call, less Chromium's calls home."""
    seen, outside.seen[:] = list(outside.seen), []
    return [line for line in seen if not CHROMIUM_SERVICES.match(line)]


def result_cells(driver, timeout: int = 90) -> list[list[str]]:
    """The SQL page's result table, once the query has finished (fails with the page's error text)."""
    WebDriverWait(driver, timeout).until(
        lambda d: d.find_element(By.ID, "mf-sql").get_attribute("data-state") in ("done", "error"))
    root = driver.find_element(By.ID, "mf-sql")
    if root.get_attribute("data-state") == "error":
        raise AssertionError(driver.find_element(By.ID, "mf-sql-error").text)
    return [[cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
            for row in driver.find_elements(By.CSS_SELECTOR, "#mf-sql-result table tbody tr")]


def test_a_shared_sql_link_runs_on_load(browser, real, outside, tmp_path):
    database, url = real
    sql = ("SELECT model_id, as_written, verdict FROM claim_verdicts WHERE model_id = 'llama-2-70b' "
           "AND field = 'params_total' ORDER BY claim_id")
    with duckdb.connect(str(database), read_only=True) as connection:
        expected = [list(row) for row in connection.execute(sql).fetchall()]
    requested_urls(browser)  # drop earlier pages' requests
    browser.get(url + "sql/?sql=" + quote(sql, safe=""))
    assert result_cells(browser) == expected
    assert browser.find_element(By.ID, "mf-sql-query").get_attribute("value") == sql
    assert browser.find_element(By.ID, "mf-sql-csv").get_attribute("href").startswith("blob:")
    for requested in requested_urls(browser):
        assert requested.startswith((url, "blob:", "data:")), requested  # nothing leaves localhost
    assert pages_requests(outside) == []
    screenshot(browser, tmp_path, "sql")


def test_the_sql_page_reads_the_parquet_files_as_the_database_holds_them(browser, csv_altered, outside, tmp_path,
                                                                        monkeypatch):
    database, url = csv_altered
    sql = "SELECT claim_id, locator, note, line, dollar_year FROM claims ORDER BY claim_id"
    status, out, err = run_cli(["query", sql, "--db", str(database), "--format", "json"], tmp_path, monkeypatch)
    assert status == 0, err
    rows = json.loads(out)
    # The page shows BIGINTs as digits and NULL for NULL (sql.js `text`); every column here is text or BIGINT.
    shown = lambda value: "NULL" if value is None else str(value)  # noqa: E731
    expected = [[shown(row[column]) for column in ("claim_id", "locator", "note", "line", "dollar_year")] for row in rows]
    assert {row[1] for row in expected} >= set(CSV_ALTERED.values())  # the edits took: the test can fail
    assert any(row[2].startswith("00") for row in expected) and any(row[4] == "NULL" for row in expected)
    requested_urls(browser)
    browser.get(url + "sql/?sql=" + quote(sql, safe=""))
    assert result_cells(browser) == expected
    headers = browser.find_elements(By.CSS_SELECTOR, "#mf-sql-result table thead th")
    numeric = [header.text for header in headers if "mf-num" in (header.get_attribute("class") or "")]
    assert numeric == ["line", "dollar_year"]  # BIGINT columns stay integers; the text of digits stays text
    requested = requested_urls(browser)
    assert url + "downloads/parquet/claims.parquet" in requested
    assert not [name for name in requested if name.endswith(".csv")]
    for name in requested:
        assert name.startswith((url, "blob:", "data:")), name  # nothing leaves localhost
    assert pages_requests(outside) == []  # not from DuckDB's worker either (no extension download)
    # the recorder does see a request that leaves: a fetch from the page goes to it and is refused
    browser.execute_async_script("fetch('http://outside.invalid/probe').catch(() => 0).then(arguments[0])")
    assert pages_requests(outside) == ["GET http://outside.invalid/probe HTTP/1.1"]


def test_a_cookbook_query_runs_in_one_click(browser, real):
    database, url = real
    browser.get(url + "sql/")
    WebDriverWait(browser, 20).until(lambda d: d.find_element(By.ID, "mf-sql").get_attribute("data-loaded") == "true")
    browser.find_element(By.CSS_SELECTOR, "[data-recipe='largest-models']").click()
    rows = result_cells(browser)
    recipe = next(r for r in site.cookbook.QUERIES if r.slug == "largest-models")
    with duckdb.connect(str(database), read_only=True) as connection:
        expected = connection.execute(recipe.sql).fetchall()
    assert len(rows) == len(expected) == 15
    assert [row[0] for row in rows] == [row[0] for row in expected]  # model names, largest first
    assert rows[0][2] == f"{int(expected[0][2]):,}"
    assert "sql=" in browser.current_url  # the address bar now shares the query


def test_a_bad_query_gets_a_readable_error(browser, real):
    _, url = real
    browser.get(url + "sql/?sql=" + quote("SELECT * FROM no_such_table", safe=""))
    WebDriverWait(browser, 90).until(lambda d: d.find_element(By.ID, "mf-sql").get_attribute("data-state") == "error")
    message = browser.find_element(By.ID, "mf-sql-error").text
    assert "no_such_table" in message and " at " not in message


def test_hovering_a_chart_point_names_it_and_a_click_opens_its_model(browser, real, outside, tmp_path):
    database, url = real
    requested_urls(browser)
    browser.get(url + "charts/")
    chart = WebDriverWait(browser, 60).until(lambda d: d.find_element(
        By.CSS_SELECTOR, ".mf-vega[data-chart='params-over-time.svg'][data-ready='true']"))
    assert not browser.find_element(By.CSS_SELECTOR, ".mf-chart-fallback").is_displayed()
    points = chart.find_elements(By.CSS_SELECTOR, "g.mark-symbol.role-mark path")
    with duckdb.connect(str(database), read_only=True) as connection:
        count = connection.execute("SELECT count(*) FROM claims c JOIN models m USING (model_id) WHERE "
                                   "c.field = 'params_total' AND c.value > 0 AND m.released IS NOT NULL").fetchone()[0]
    assert len(points) == count
    point = points[len(points) // 2]
    ActionChains(browser).move_to_element(point).perform()
    tooltip = WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "vg-tooltip-element")
                                               if "visible" in d.find_element(By.ID, "vg-tooltip-element").get_attribute("class") else None)
    label = tooltip.text
    for title in ("model", "claim", "value as written", "status", "verdict"):
        assert title in label, label
    claim_id = [line.split(maxsplit=1)[1] for line in label.splitlines() if line.startswith("claim")][0].strip()
    with duckdb.connect(str(database), read_only=True) as connection:
        organization, model_id, as_written, status = connection.execute(
            "SELECT m.organization, c.model_id, c.as_written, c.status FROM claims c JOIN models m USING (model_id) "
            "WHERE claim_id = ?", [claim_id]).fetchone()
    assert as_written in label and status in label
    screenshot(browser, tmp_path, "explorer")
    for requested in requested_urls(browser):
        assert requested.startswith((url, "blob:", "data:")), requested
    assert pages_requests(outside) == []
    ActionChains(browser).move_to_element(point).click().perform()
    WebDriverWait(browser, 20).until(lambda d: f"/models/{organization}/{model_id}/" in d.current_url)
    assert browser.current_url.endswith(f"#claim-{claim_id}")


def test_chart_filters_by_verdict_and_status(browser, real):
    database, url = real
    browser.get(url + "charts/")
    chart = WebDriverWait(browser, 60).until(lambda d: d.find_element(
        By.CSS_SELECTOR, ".mf-vega[data-chart='params-over-time.svg'][data-ready='true']"))
    with duckdb.connect(str(database), read_only=True) as connection:
        expected = dict(connection.execute(
            "SELECT v.verdict, count(*) FROM claims c JOIN models m USING (model_id) JOIN claim_verdicts v "
            "USING (claim_id) WHERE c.field = 'params_total' AND c.value > 0 AND m.released IS NOT NULL "
            "GROUP BY 1").fetchall())
        rumored = connection.execute(
            "SELECT count(*) FROM claims c JOIN models m USING (model_id) WHERE c.field = 'params_total' "
            "AND c.value > 0 AND m.released IS NOT NULL AND c.status = 'rumored'").fetchone()[0]
    selects = chart.find_elements(By.CSS_SELECTOR, ".vega-bindings select")
    status, verdict = selects
    Select(verdict).select_by_visible_text("inconsistent")
    WebDriverWait(browser, 10).until(lambda d: len(chart.find_elements(
        By.CSS_SELECTOR, "g.mark-symbol.role-mark path")) == expected["inconsistent"])
    Select(verdict).select_by_visible_text("all")
    Select(status).select_by_visible_text("rumored")
    WebDriverWait(browser, 10).until(lambda d: len(chart.find_elements(
        By.CSS_SELECTOR, "g.mark-symbol.role-mark path")) == rumored)
