"""The built site in a real browser: headless Chromium (Debian's chromium and chromium-driver) through Selenium.

The site is served with Python's http.server on 127.0.0.1 only. `make test` installs the two Debian packages
when they are missing; without them (or without selenium) these tests are skipped, saying why. Set
MODELFACTS_SCREENSHOTS=DIR to keep the screenshots.
"""
from __future__ import annotations

import functools
import os
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest

from tests.test_site import crafted_site, real_site

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
if not CHROMIUM or not CHROMEDRIVER:
    pytest.skip("needs Debian's chromium and chromium-driver (`make test` installs them as root)", allow_module_level=True)
webdriver = pytest.importorskip("selenium.webdriver", reason="needs selenium (requirements.lock)")
from selenium.common.exceptions import NoAlertPresentException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--window-size=1400,1000")


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


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager look for a driver online
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def screenshot(driver, tmp_path: Path, name: str) -> Path:
    """A full-height screenshot, kept in MODELFACTS_SCREENSHOTS when that is set."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1400, min(max(height, 1000), 8000))
    path = tmp_path / f"{name}.png"
    driver.save_screenshot(str(path))
    driver.set_window_size(1400, 1000)
    keep = os.environ.get("MODELFACTS_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, Path(keep) / path.name)
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
