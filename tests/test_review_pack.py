"""The review pack as its reader gets it, opened in Debian's Chromium through Playwright: built from the
dashboard (the Quarterly trends page, in the process where Streamlit's Plotly template is the default)
and from the CLI, the two packs are the same document and both are in colour; no None/NaN/NaT and no
snake_case header on the demo data; printed to A4 it fits the page; document text stays text.
Screenshots of the pack on screen and of its printed pages go to $HINDSIGHT_SCREENSHOTS when it is set."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import AS_OF, DEMO_CONFIG, run_cli
from test_e2e_browser import browser, shots  # noqa: F401  (fixtures: Chromium, the screenshot folder)

QUARTERLY = "views/quarterly.py"
GENERATED = re.compile(r'<span class="generated">[^<]*</span>')
A4_PRINTABLE_PX = 182 / 25.4 * 96  # 210 mm less the 14 mm margins of each side, at 96 px per inch


@pytest.fixture(scope="module")
def cli_pack(demo_db, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pack") / "cli.html"
    code, stdout, err = run_cli("report", "review", "--db", demo_db, "--config", DEMO_CONFIG, "--as-of", AS_OF,
                                "--out", out)
    assert code == 0 and "Wrote the 2026-Q3 review pack" in stdout, err
    return out


@pytest.fixture
def dashboard_pack(app, downloads, tmp_path) -> Path:
    """The pack the Quarterly trends page hands out, built inside the Streamlit process."""
    import plotly.io as pio

    at = app(page=QUARTERLY).run()
    at.button(key="review-build").click().run()
    assert not at.exception
    # the bug's condition: in this process Plotly's default template is Streamlit's, whose placeholder
    # colours (#000001...) only Streamlit's front end replaces
    assert pio.templates.default == "streamlit"
    out = tmp_path / "dashboard.html"
    out.write_bytes(downloads["hindsight-review-2026-Q3.html"])
    return out


def open_pack(browser, path: Path, width: int = 1400):  # noqa: F811
    page = browser.new_page(viewport={"width": width, "height": 900})
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    page.wait_for_function("() => document.querySelectorAll('.plotly-graph-div .main-svg').length >= 5")
    return page, requests


TRACE_COLOURS = """() => Array.from(document.querySelectorAll('.plotly-graph-div')).map(gd => ({
    id: gd.id, colorway: gd._fullLayout.colorway,
    traces: gd._fullData.map(t => ({name: t.name, type: t.type,
        colour: t.type === 'bar' ? t.marker.color : t.line.color}))}))"""


def test_packs_from_the_dashboard_and_the_cli_are_the_same_and_in_colour(browser, shots, cli_pack,  # noqa: F811
                                                                         dashboard_pack):
    for name, path in (("dashboard", dashboard_pack), ("cli", cli_pack)):
        page, requests = open_pack(browser, path)
        charts = page.evaluate(TRACE_COLOURS)
        assert [c["id"] for c in charts] == ["chart-severity", "chart-rates", "chart-time-to-postmortem",
                                             "chart-pareto", "chart-causes"], name
        for chart in charts:
            colours = [t["colour"] for t in chart["traces"]]
            flat = [c for colour in colours for c in (colour if isinstance(colour, list) else [colour])]
            flat += chart["colorway"]  # the template's colours too: ours, set on the figure
            # never a Streamlit placeholder (#000001..#000040) nor black
            assert not [c for c in flat if re.fullmatch(r"#0000[0-4][0-9]", str(c).lower())], (name, chart)
            if len(colours) > 1:  # every series of a chart in its own colour
                assert len({json.dumps(c) for c in colours}) == len(colours), (name, chart)
        bars = {t["name"]: t["colour"] for t in charts[0]["traces"]}
        assert bars == {"P1": "#a50f15", "P2": "#e6550d", "P3": "#fd8d3c", "P4": "#c6dbef"}, name
        assert [r for r in requests if not r.startswith("file:")] == [], name  # offline
        page.screenshot(path=str(shots / f"pack-{name}-first-screen.png"))
        page.close()
    # the same document but for the time it was generated
    cli_text, dashboard_text = (GENERATED.sub("", p.read_text(encoding="utf-8")) for p in (cli_pack, dashboard_pack))
    assert GENERATED.search(cli_pack.read_text(encoding="utf-8"))
    assert cli_text == dashboard_text


def test_no_missing_value_words_nor_code_names_in_the_rendered_pack(browser, shots, cli_pack, demo_db):  # noqa: F811
    page, _ = open_pack(browser, cli_pack)
    page.screenshot(path=str(shots / "pack-screen.png"), full_page=True)
    body = page.inner_text("body")
    assert not re.findall(r"\b(?:None|NaN|nan|NaT|null|undefined)\b", body)
    headers = [h.strip() for h in page.locator("th").all_inner_texts()]
    assert headers and not [h for h in headers if re.search(r"\b[a-z0-9]+_[a-z0-9_]+\b", h)]
    # statuses in words, no absolute path (the database, the exports)
    assert not re.search(r"\b(?:in_progress|todo)\b", body)
    assert str(Path(demo_db).parent) not in body and "/demo/" not in body
    # the summary's four metrics, each with its n, the previous quarter and the change
    metrics = page.locator("table.metrics tbody tr").all_inner_texts()
    assert [m.split("\t")[0] for m in metrics] == ["Actions closed on time", "Recurrence rate",
                                                   "Time to post-mortem (median)", "Learning dissemination"]
    assert all(re.search(r"[+-]\d+(?:\.\d)? (?:pp|days)", m) for m in metrics)
    page.close()


def test_printed_to_a4_it_fits_the_page(browser, shots, cli_pack, tmp_path):  # noqa: F811
    page, _ = open_pack(browser, cli_pack)
    pdf = tmp_path / "pack.pdf"
    page.pdf(path=str(pdf), format="A4")
    # the print layout at the printable width of A4: nothing wider than the page
    page.emulate_media(media="print")
    page.set_viewport_size({"width": int(A4_PRINTABLE_PX), "height": 1000})
    page.wait_for_timeout(300)
    overflow = page.evaluate("""(limit) => Array.from(document.querySelectorAll('body *'))
        .filter(e => e.getBoundingClientRect().width > 0 && e.getBoundingClientRect().right > limit + 1)
        .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))
        .slice(0, 5)""", A4_PRINTABLE_PX)
    assert overflow == []
    page.close()
    pages = pdf_pages(pdf)
    # the demo's 2026-Q3: summary, recurrences, 49 escalations, 116 overdue actions twice (by owner and in
    # the tracker), trends and causes: a few dozen pages, not hundreds
    assert 8 <= pages <= 40, pages
    save_pages(browser, cli_pack, pdf, shots)


def pdf_pages(pdf: Path) -> int:
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        return int(re.search(r"^Pages:\s+(\d+)", info, re.M)[1])
    return len(re.findall(rb"/Type\s*/Page\b", pdf.read_bytes()))


def save_pages(browser, pack: Path, pdf: Path, shots: Path) -> None:  # noqa: F811
    """A PNG of each printed page: Debian's pdftoppm when installed, else Chromium's print layout at the
    printable width cut into A4-high slices (close to, though not exactly, the PDF's page breaks)."""
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "70", "-png", str(pdf), str(shots / "pack-page")], check=True)
        return
    page, _ = open_pack(browser, pack, width=int(A4_PRINTABLE_PX))
    page.emulate_media(media="print")
    height = page.evaluate("() => document.documentElement.scrollHeight")
    printable_height = (297 - 30) / 25.4 * 96  # A4 less the top and bottom margins
    for i in range(int(height // printable_height) + 1):
        page.screenshot(path=str(shots / f"pack-page-{i + 1:02d}.png"), full_page=True,
                        clip={"x": 0, "y": i * printable_height, "width": A4_PRINTABLE_PX,
                              "height": min(printable_height, height - i * printable_height)})
    page.close()


ESCAPING = [{
    "id": "PM-X", "title": "<script>alert('title')</script> {{ 7 * 7 }} & <b>bold</b>", "incident_date": "2026-08-03",
    "postmortem_date": "2026-08-05", "severity": "P2", "team": "<i>team</i>", "service": "api",
    "cause_category": "code", "actions": [
        {"description": "<img src=x onerror=alert(1)> {% raw %}", "owner": "@a<b>", "due": "2026-09-01",
         "status": "todo", "ticket": "https://tracker.example/T-1?a=1&b=2"},
        {"description": "Second", "owner": "@b", "due": "2026-12-01", "status": "in_progress",
         "ticket": "javascript:alert(1)"},
        {"description": "Third", "owner": "@c", "status": "blocked", "ticket": "OPS-7"}]}]


def test_document_text_is_text_and_only_web_tickets_are_links(browser, cli, db, exports, tmp_path):  # noqa: F811
    (exports / "pms.json").write_text(json.dumps(ESCAPING), encoding="utf-8")
    assert cli("ingest", exports, "--db", db)[0] == 0
    out = tmp_path / "pack.html"
    code, _, err = cli("report", "review", "--db", db, "--as-of", "2026-11-15", "--out", out)
    assert code == 0, err
    source = out.read_text(encoding="utf-8")
    assert "<script>alert" not in source and "<img src=x" not in source and "<b>bold</b>" not in source
    assert not re.findall(r"<script[^>]*\ssrc=", source)
    page = browser.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(out.as_uri())
    page.wait_for_timeout(500)
    assert dialogs == []
    heading = page.locator("table.tracker tr.group th").first.inner_text()
    assert heading == "Incident: <script>alert('title')</script> {{ 7 * 7 }} & <b>bold</b> - 2026-08-03"
    links = page.eval_on_selector_all("a[href]", "as => as.map(a => [a.getAttribute('href'), a.innerText])")
    external = [link for link in links if not link[0].startswith("#")]
    assert external == [["https://tracker.example/T-1?a=1&b=2", "https://tracker.example/T-1?a=1&b=2"]]
    rows = page.locator("table.tracker tbody tr:not(.group)").all_inner_texts()
    assert [r.split("\t") for r in rows] == [
        ["1", "<img src=x onerror=alert(1)> {% raw %}", "@a<b>", "2026-09-01 late", "To do",
         "https://tracker.example/T-1?a=1&b=2"],
        ["2", "Second", "@b", "2026-12-01", "In progress", "javascript:alert(1)"],
        ["3", "Third", "@c", "–", "Blocked", "OPS-7"]]
    # http(s) addresses outside scripts are the ticket links only
    outside_scripts = re.sub(r"<script\b[^>]*>.*?</script>", "", source, flags=re.S)
    assert re.findall(r"https?://[^\s\"'<]+", outside_scripts) == ["https://tracker.example/T-1?a=1&amp;b=2"] * 2
    page.close()


def test_the_causes_page_and_the_pack_agree_on_the_quarters_patterns(app, cli_pack):
    # 2026-Q3 on the demo: postgres-cluster/code (4 incidents, the last on 2026-08-08) and
    # warehouse-loader/code (3, the last on 2026-09-10); the page filtered to the quarter says the same
    at = app(page="views/causes.py", **{"from": "2026-07-01", "to": "2026-09-30"}).run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Recurring patterns"] == "2"
    pack = cli_pack.read_text(encoding="utf-8")
    assert re.findall(r"<h3>([^<]*?) · code: (\d) incidents", pack) == [("postgres-cluster", "4"),
                                                                       ("warehouse-loader", "3")]
