"""Quarterly trends and the review pack, on a fixture worked out by hand."""

import json
import math
import re
from datetime import date

import pytest

from analytics import quarterly
from analytics.db import connect_readonly
from analytics.filters import Filters
from analytics.settings import Settings

AS_OF = date(2025, 10, 1)
FIXTURE = [
    {"id": "PM-1", "title": "API down", "incident_date": "2025-01-06", "postmortem_date": "2025-01-08",
     "severity": "P1", "team": "a", "service": "api", "cause_category": "code", "time_to_resolve": "1h"},
    {"id": "PM-2", "title": "Web slow", "incident_date": "2025-03-03", "postmortem_date": "2025-03-05",
     "severity": "P2", "team": "b", "service": "web", "cause_category": "monitoring", "time_to_resolve": "30 min"},
    # 176 days after PM-1 on the same service and cause: a recurrence
    {"id": "PM-3", "title": "<script>alert(1)</script> API down again", "incident_date": "2025-07-01",
     "postmortem_date": "2025-07-08", "severity": "P1", "team": "a", "service": "api", "cause_category": "code",
     "time_to_resolve": "2h", "actions": [
         {"description": "Add <b>retries</b> | safely", "owner": "@x", "due": "2025-08-01", "status": "todo"}]},
]


@pytest.fixture
def db_loaded(cli, db, exports):
    (exports / "pms.json").write_text(json.dumps(FIXTURE), encoding="utf-8")
    assert cli("ingest", exports, "--db", db)[0] == 0
    return db


def test_trends(db_loaded):
    con = connect_readonly(db_loaded)
    try:
        t = quarterly.trends(con, Filters(as_of=AS_OF)).set_index("quarter")
    finally:
        con.close()
    assert t.index.tolist() == ["2025-Q1", "2025-Q2", "2025-Q3"]  # the empty quarter is kept
    assert t["incidents"].tolist() == [2, 0, 1]
    assert t["p1"].tolist() == [1, 0, 1] and t["p2"].tolist() == [1, 0, 0]
    # Q1 resolve times 60 and 30: median 45, p90 30 + 0.9 * 30 = 57
    assert t.loc["2025-Q1", ["resolve_n", "resolve_median", "resolve_p90"]].tolist() == [2, 45.0, 57.0]
    assert t.loc["2025-Q3", "resolve_median"] == 120.0
    assert t.loc["2025-Q1", "recurrence_rate"] == 0.0 and t.loc["2025-Q3", "recurrence_rate"] == 1.0
    assert t.loc["2025-Q1", "postmortem_days_median"] == 2.0 and t.loc["2025-Q3", "postmortem_days_median"] == 7.0
    assert t["incidents_change"].tolist()[1:] == [-2.0, 1.0]
    assert math.isnan(t.loc["2025-Q2", "recurrence_rate_change"])
    assert t["small_sample"].tolist() == [True, True, True]
    assert t["change_small_sample"].tolist() == [True, True, True]
    con = connect_readonly(db_loaded)
    try:
        one = quarterly.trends(con, Filters(as_of=AS_OF), Settings(small_sample=1))
    finally:
        con.close()
    # 2, 0 and 1 incidents: only the empty 2025-Q2 is small, and with it both changes that involve it
    assert one["small_sample"].tolist() == [False, True, False]
    assert one["change_small_sample"].tolist() == [False, True, True]


def test_review_pack_is_self_contained_and_escaped(cli, db_loaded, tmp_path):
    out = tmp_path / "review.html"
    code, stdout, err = cli("report", "review", "--quarter", "2025-Q3", "--out", out, "--db", db_loaded,
                            "--as-of", "2025-10-01")
    assert code == 0, err
    html = out.read_text(encoding="utf-8")
    assert "<h1>Post-mortem review 2025-Q3</h1>" in html
    # plotly.js is inlined: no script is loaded from anywhere
    assert re.findall(r"<script[^>]*\ssrc=", html) == [] and "cdn.plot.ly/plotly" not in html
    assert "Plotly.newPlot" in html
    # document text escaped, in the tracker form: one row per open action under its incident
    assert "<b>retries</b>" not in html and "<script>alert(1)" not in html
    assert ('<th colspan="6" scope="rowgroup">Incident: &lt;script&gt;alert(1)&lt;/script&gt; API down again - '
            '2025-07-01</th>') in html
    assert re.search(r"<td class=\"number\">1</td><td>Add &lt;b&gt;retries&lt;/b&gt; \| safely</td><td>@x</td>\s*"
                     r"<td class=\"date late\">2025-08-01 <span class=\"mark\">late</span></td>\s*<td>To do</td>", html)


def test_review_pack_says_what_changed_and_what_needs_deciding(cli, db_loaded, tmp_path):
    from lxml import html as lxml_html

    out = tmp_path / "review.html"
    assert cli("report", "review", "--out", out, "--db", db_loaded, "--as-of", "2025-10-01")[0] == 0
    page = lxml_html.fromstring(out.read_text(encoding="utf-8"))
    changed = [" ".join(li.text_content().split()) for li in page.xpath("//ul[@class='changed']/li")]
    # 2025-Q3 holds PM-3 alone (P1, recurs on PM-1 176 days before, post-mortem 7 days after, resolved in
    # 2 h, its one action due 2025-08-01 and not done); 2025-Q2 holds nothing; no reader data anywhere
    assert changed == [
        "1 incident in 2025-Q3, 1 more than in 2025-Q2 (0); of which 1 P1 and 0 P2 (2025-Q2: 0 and 0).",
        "Actions closed on time: 0% in 2025-Q3, nothing to compare with in 2025-Q2.",
        "Recurrence rate: 100% in 2025-Q3, nothing to compare with in 2025-Q2.",
        "Time to post-mortem (median): 7.0 days in 2025-Q3, nothing to compare with in 2025-Q2.",
        "Learning dissemination: nothing to measure in 2025-Q3 (n = 0).",
        "Median time to resolve: 120 min (p90 120 min, n = 1); 2025-Q2: not known.",
        "Leading cause category: code (1 incident; 2025-Q2: 0).",
    ]
    # PM-1 and PM-3 are two: no pattern of three; the one action, 61 days late (2025-08-01 to 2025-10-01)
    assert page.xpath("string(//section[@id='recurred']/p[@class='empty'])").startswith("No pattern")
    decisions = [[" ".join(c.text_content().split()) for c in row.xpath("./td|./th")]
                 for row in page.xpath("//table[@class='decisions']//tr")]
    assert decisions[1:] == [["@x · 1 late"],
                             ["Add <b>retries</b> | safely", "<script>alert(1)</script> API down again",
                              "2025-08-01", "61", "–", "To do"]]


def test_review_needs_a_file_and_a_real_quarter(cli, db_loaded, tmp_path):
    code, _, err = cli("report", "review", "--quarter", "2025-Q5", "--out", tmp_path / "r.html", "--db", db_loaded)
    assert code == 2 and "'2025-Q5' is not a quarter" in err
    code, _, err = cli("report", "review", "--db", db_loaded)
    assert code == 2 and "--out" in err


def test_review_defaults_to_the_last_complete_quarter(cli, db_loaded, tmp_path):
    # 2025-10-01 is the first day of 2025-Q4: Q4 is partial, Q3 the last complete quarter
    out = tmp_path / "review.html"
    code, stdout, err = cli("report", "review", "--out", out, "--db", db_loaded, "--as-of", "2025-10-01")
    assert code == 0, err
    assert "Wrote the 2025-Q3 review pack" in stdout
    page = out.read_text(encoding="utf-8")
    assert "<h1>Post-mortem review 2025-Q3</h1>" in page and "is partial" not in page
    # the four effectiveness metrics, against 2025-Q2 (no incident: no previous value, no change)
    for metric in ("Actions closed on time", "Recurrence rate", "Time to post-mortem (median)",
                   "Learning dissemination"):
        assert f'<th scope="row">{metric}</th>' in page
    code, stdout, err = cli("report", "review", "--quarter", "2025q4", "--out", out, "--db", db_loaded,
                            "--as-of", "2025-10-01")
    assert code == 0, err
    page = out.read_text(encoding="utf-8")
    assert "<h1>Post-mortem review 2025-Q4 (partial)</h1>" in page
    assert "<strong>2025-Q4 is partial</strong>: it is not over on 2025-10-01" in page


@pytest.mark.parametrize("kind", ["quarterly", "actions", "recurrence", "escalations", "coverage"])
def test_every_report_runs_in_every_format(cli, db_loaded, kind):
    for fmt in ("table", "csv", "json", "md"):
        code, out, err = cli("report", kind, "--db", db_loaded, "--as-of", "2025-10-01", "--format", fmt)
        assert code == 0, err
        assert out.strip()


def test_quarterly_report_json_matches_the_function(cli, db_loaded):
    code, out, _ = cli("report", "quarterly", "--db", db_loaded, "--as-of", "2025-10-01", "--format", "json")
    rows = json.loads(out)["Quarterly trends"]
    assert [(r["quarter"], r["incidents"], r["recurrence_rate"]) for r in rows] == [
        ("2025-Q1", 2, 0.0), ("2025-Q2", 0, None), ("2025-Q3", 1, 1.0)]
    # the four effectiveness metrics together, each with its n; no fixture document gives readers
    for r in rows:
        assert {"on_time_rate", "recurrence_rate", "postmortem_days_median", "dissemination_rate",
                "dissemination_n", "partial"} <= set(r)
        assert (r["dissemination_n"], r["dissemination_rate"], r["partial"]) == (0, None, False)
    code, out, _ = cli("report", "quarterly", "--db", db_loaded, "--as-of", "2025-08-15")
    assert "partial marks a quarter not over on the as-of date (2025-Q3: its numbers are so far)" in out
