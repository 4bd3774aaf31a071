"""End to end: the real `streamlit run app.py` on the demo database, driven in Debian's headless
Chromium through Playwright. Screenshots of every page are saved for a person to look at."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import AS_OF, DEMO_CONFIG, ROOT

CHROMIUM = os.environ.get("HINDSIGHT_CHROMIUM", "/usr/bin/chromium")
PAGES = {  # url path -> (what must render)
    "": ("Overview", {"stPlotlyChart": 1, "stMetric": 4}),
    "actions": ("Actions", {"stPlotlyChart": 1, "stDataFrame": 1}),
    "causes": ("Causes and recurrence", {"stPlotlyChart": 1, "stDataFrame": 1}),
    "timeliness": ("Time to post-mortem", {"stPlotlyChart": 1, "stDataFrame": 1}),
    "quarterly": ("Quarterly trends", {"stPlotlyChart": 1, "stDataFrame": 1}),
    "escalations": ("Escalations", {"stDataFrame": 1}),
    "postmortems": ("Post-mortems", {"stDataFrame": 1}),
    "import": ("Import", {"stFileUploader": 1}),
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(demo_db, tmp_path_factory):
    db = tmp_path_factory.mktemp("e2e") / "hindsight.duckdb"
    shutil.copyfile(demo_db, db)
    port = _free_port()
    log = open(tmp_path_factory.mktemp("e2e-log") / "streamlit.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--", "--db", str(db), "--config", str(DEMO_CONFIG)],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"streamlit did not start; see {log.name}")
        time.sleep(0.5)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's 'chromium' package (make test does it as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield b
        b.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("HINDSIGHT_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# Generous: a loaded 2-core CI machine can take a minute or more for a page's first run.
SETTLE_MS = 180_000


def _settle(page) -> None:
    """Wait until the app has finished its run: title drawn, no spinner, no running status."""
    page.wait_for_selector("[data-testid='stMain'] h1", timeout=SETTLE_MS)
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]') &&"
        " !document.querySelector('[data-testid=\"stSpinner\"]') &&"
        " !document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=SETTLE_MS)
    page.wait_for_timeout(700)


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_renders(server, browser, shots, path):
    title, expected = PAGES[path]
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server}/{path}?as_of={AS_OF}")
    _settle(page)
    page.screenshot(path=str(shots / f"{path or 'overview'}.png"), full_page=True)
    assert page.locator("[data-testid='stMain'] h1").first.inner_text().startswith(title)
    assert page.locator("[data-testid='stException']").count() == 0
    for testid, minimum in expected.items():
        assert page.locator(f"[data-testid='{testid}']").count() >= minimum, f"{testid} on /{path}"
    if "stPlotlyChart" in expected:  # plotly drew something, not an empty frame
        assert page.locator("[data-testid='stPlotlyChart'] .main-svg").count() >= 1
    page.close()


def _tile_ns(page) -> list[str]:
    return page.locator("[data-testid='stMain'] [data-testid='stCaptionContainer']").filter(
        has_text=re.compile(r"^n = ")).all_inner_texts()


def test_a_sidebar_filter_changes_the_numbers_and_the_url(server, browser, shots):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server}/?as_of={AS_OF}")
    _settle(page)
    before = _tile_ns(page)
    team = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first
    team.click()
    page.get_by_role("option", name="payments", exact=True).click()
    page.keyboard.press("Escape")
    page.wait_for_url(re.compile(r"team=payments"), timeout=30_000)
    _settle(page)
    after = _tile_ns(page)
    page.screenshot(path=str(shots / "overview-payments.png"), full_page=True)
    assert len(before) == len(after) == 4
    assert before != after
    page.close()


def test_a_shared_link_sets_the_filters(server, browser, shots):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server}/actions?team=payments&severity=P1&severity=P2&as_of={AS_OF}")
    _settle(page)
    page.screenshot(path=str(shots / "actions-shared-link.png"), full_page=True)
    sidebar = page.locator("[data-testid='stSidebar']")
    chips = sidebar.locator("span[data-tag]").all()
    assert {"payments", "P1", "P2"} <= {c.get_attribute("aria-label") for c in chips}
    # moving to another page keeps the filters
    page.locator("[data-testid='stSidebarNav'] a", has_text="Escalations").click()
    page.wait_for_url(re.compile(r"/escalations\?.*team=payments"), timeout=30_000)
    page.close()
