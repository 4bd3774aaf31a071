"""Post-mortems page through AppTest: the demo database (as of 2026-11-15) for the table, search and detail,
and a one-document database for a title full of HTML and Markdown.

Hand-checked from the demo: 300 post-mortems; "warehouse" is in 18 of them (id, title, summary or root
cause); PM-2026-077 ("Outage of refund-worker", payments, 2026-08-23) has 5 whys and 3 actions."""

import json

import pytest

from conftest import AS_OF, ROOT, captions
from hindsight.config import read_config
from pipeline import ingest
from pipeline.config import build

PAGE = "views/postmortems.py"
PM = "PM-2026-077"


def table(at, title: str):
    """The dataframe drawn under the subheader `title` (ui.table draws subheader, dataframe, download)."""
    under = False
    for node in at.main:
        if node.type == "subheader":
            under = node.value == title
        elif under and node.type == "dataframe":
            return node.value
    raise AssertionError(f"no table under {title!r}")


def test_renders_the_table(app):
    at = app(page=PAGE).run()
    assert not at.exception
    assert at.title[0].value == "Post-mortems"
    assert captions(at)[0].startswith("As of 2026-11-15. For engineers")
    assert len(at.dataframe) == 1 and len(at.dataframe[0].value) == 300
    assert "n = 300 post-mortems, newest incident first." in captions(at)
    assert "Pick a row in the table to open its post-mortem." in captions(at)
    assert [b for b in at.get("download_button") if "dl-postmortems" in b.proto.id]
    assert not at.metric  # no detail until one is picked


def test_search_narrows_the_table(app):
    at = app(page=PAGE).run()
    at.text_input(key="pm-search").input("warehouse").run()
    assert not at.exception
    rows = at.dataframe[0].value
    assert len(rows) == 18
    assert rows["Title"].str.contains("warehouse-loader").all()
    assert "n = 18 post-mortems match the search, newest incident first." in captions(at)
    at.text_input(key="pm-search").input("no such word anywhere").run()
    assert not at.exception and not at.dataframe
    assert any(c.startswith("Nothing in this selection") for c in captions(at))


def test_a_filter_changes_the_table(app):
    at = app(page=PAGE).run()
    at.sidebar.multiselect(key="flt_team").set_value(["payments"]).run()
    assert not at.exception
    rows = at.dataframe[0].value
    assert 0 < len(rows) < 300 and set(rows["Team"]) == {"payments"}


def test_query_params_set_the_filters(app):
    at = app(page=PAGE, team=["payments"], severity=["P1"]).run()
    assert not at.exception
    assert at.sidebar.multiselect(key="flt_team").value == ["payments"]
    rows = at.dataframe[0].value
    assert set(rows["Team"]) == {"payments"} and set(rows["Severity"]) == {"P1"}


def _assert_detail_of_pm_2026_077(at):
    assert not at.exception
    assert at.text[0].value == "Outage of refund-worker"
    assert "Id: PM-2026-077" in at.text[1].value and "Incident: 2026-08-23" in at.text[1].value
    assert at.text[2].value.startswith("On 2026-08-23, refund-worker was unavailable")  # summary
    assert at.text[3].value.startswith("The root cause was an N+1 query")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Users affected"] == "7,100" and metrics["Failed requests"] == "35,599"
    assert metrics["Lost transactions"] == "1,330" and metrics["Time to resolve"] == "29 min"
    assert metrics["Time to detect"] == "4 min" and metrics["Estimated cost"] == "–"
    whys = table(at, "5 whys")
    assert len(whys) == 5  # written "question → answer" in the JSON: split into both columns
    assert whys.iloc[0]["Because"] == "The database connection pool was saturated."
    assert whys.columns[1] != "Because" and whys.iloc[0, 1] == "Why was refund-worker failing?"
    actions = table(at, "Actions")
    assert list(actions["Status"]) == ["Done", "Done", "To do"]
    # the third action has no ticket and is not completed: a dash, never None (checked in the JSON export)
    assert list(actions["Ticket"]) == ["PR#2489", "PR#2067", "–"]
    assert list(actions["Completed"]) == ["2026-09-23", "2026-10-04", "–"]
    assert list(table(at, "Timeline events")["Kind"]).count("–") == 2  # two events of no known kind
    assert "Source file: 2026-08-23-refund-worker-outage.json" in at.text[1].value  # never absolute
    assert list(actions["Action"])[0] == "Update the refund-worker runbook"
    assert len(table(at, "Timeline events")) == 8
    assert len(table(at, "Action status history")) >= 3
    timeline = [c for c in at.get("plotly_chart") if "chart-pm-timeline" in c.proto.id]
    assert len(timeline) == 1
    spec = json.loads(timeline[0].proto.spec)
    assert {a["text"] for a in spec["layout"]["annotations"]} == {"start", "detect", "acknowledge", "mitigate",
                                                                 "resolve"}
    hover = [row[0] for trace in spec["data"] for row in trace["customdata"]]
    assert "Deployment of v2.6.5 to production" in hover


def test_pm_query_parameter_opens_the_detail(app):
    at = app(page=PAGE, pm=PM).run()
    _assert_detail_of_pm_2026_077(at)


def test_opened_post_mortem_shows_its_detail(app):
    """The same detail, opened the way a table row or the Escalations page opens it."""
    at = app(page=PAGE)
    at.session_state["pm_open"] = PM
    at.run()
    _assert_detail_of_pm_2026_077(at)
    assert "Pick a row in the table to open its post-mortem." not in captions(at)


def test_unknown_id(app):
    at = app(page=PAGE)
    at.session_state["pm_open"] = "PM-NOPE"
    at.run()
    assert not at.exception
    assert any(c.startswith("No post-mortem with this id") for c in captions(at))


def test_empty_selection(app):
    at = app(page=PAGE, **{"from": "2030-01-01"}).run()
    assert not at.exception
    assert any(c.startswith("Nothing in this selection") for c in captions(at))
    assert not at.dataframe


def test_empty_database_shows_how_to_load(empty_app):
    at = empty_app(page=PAGE).run()
    assert not at.exception
    assert "No post-mortems loaded yet" in at.info[0].value


# --- a document written to break the page -------------------------------------------------------------

HOSTILE_TITLE = "<script>alert(1)</script> **bold**"


@pytest.fixture
def hostile(monkeypatch, tmp_path):
    """AppTest of app.py on a database holding one post-mortem whose text is HTML and Markdown."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    doc = {
        "id": "PM-HOSTILE-1", "title": HOSTILE_TITLE, "incident_date": "2026-11-01", "postmortem_date": "2026-11-03",
        "severity": "P2", "team": "payments", "service": "checkout-api", "cause_category": "code",
        "started_at": "2026-11-01T10:00:00Z", "detected_at": "2026-11-01T10:05:00Z",
        "resolved_at": "2026-11-01T11:00:00Z",
        "summary": "<b>alert</b> the _summary_ [link](javascript:alert(2))",
        "root_cause": "**root** <img src=x onerror=alert(3)>",
        "timeline": [{"at": "2026-11-01T10:00:00Z", "event": "<script>alert(4)</script> impact starts"},
                     {"at": "2026-11-01T11:00:00Z", "event": "**resolved** <i>alert</i>"}],
        "whys": ["Why <b>alert</b>? → Because **alert**."],
        "actions": [{"description": "<script>alert(5)</script> fix", "owner": "@alice", "due": "2026-11-20",
                     "priority": "high", "status": "todo"}],
        "lessons": ["# alert lesson <script>"],
    }
    path = tmp_path / "exports" / "hostile.json"
    path.parent.mkdir()
    path.write_text(json.dumps(doc), encoding="utf-8")
    db = tmp_path / "hostile.duckdb"
    result = ingest.run([path], db, build(read_config()), workers=1)
    assert result.loaded and not result.rejected

    st.cache_data.clear()
    st.cache_resource.clear()
    monkeypatch.setenv("HINDSIGHT_DB", str(db))
    monkeypatch.delenv("HINDSIGHT_CONFIG", raising=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["as_of"] = AS_OF
    at.run()
    at.switch_page(PAGE)
    return at


def test_hostile_title_shows_literally(hostile):
    at = hostile.run()
    assert not at.exception
    assert list(at.dataframe[0].value["Title"]) == [HOSTILE_TITLE]  # in the table, as written
    at.session_state["pm_open"] = "PM-HOSTILE-1"
    at.run()
    assert not at.exception
    texts = [t.value for t in at.text]
    assert texts[0] == HOSTILE_TITLE
    assert "<b>alert</b> the _summary_ [link](javascript:alert(2))" in texts
    assert "**root** <img src=x onerror=alert(3)>" in texts
    assert "• # alert lesson <script>" in texts
    rendered = [e.value for e in (*at.markdown, *at.caption, *at.header, *at.subheader, *at.title, *at.info,
                                  *at.success, *at.warning, *at.error)]
    assert not [r for r in rendered if "alert" in r or "bold" in r]
    assert list(table(at, "Actions")["Action"]) == ["<script>alert(5)</script> fix"]
    # the timeline chart shows event text only in its hover, escaped so that Plotly draws it as text
    chart = [c for c in at.get("plotly_chart") if "chart-pm-timeline" in c.proto.id]
    spec = json.loads(chart[0].proto.spec)
    hover = [row[0] for trace in spec["data"] for row in trace["customdata"]]
    assert "&lt;script&gt;alert(4)&lt;/script&gt; impact starts" in hover
    assert not [h for h in hover if "<" in h]
    assert "alert" not in json.dumps(spec["layout"])
