"""`hindsight report`: exit codes, formats, filters, and the same numbers as the analytics functions."""

import json
from datetime import date

import pytest

from analytics.quarters import quarter_bounds
from analytics.render import Section, as_markdown
from test_analytics_actions import FIXTURE

import pandas as pd


@pytest.fixture
def loaded(cli, db, exports):
    (exports / "pms.json").write_text(json.dumps(FIXTURE), encoding="utf-8")
    assert cli("ingest", exports, "--db", db)[0] == 0
    return db


def test_actions_report_as_json(cli, loaded):
    code, out, err = cli("report", "actions", "--db", loaded, "--as-of", "2025-04-01", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["Actions"] == [{"actions": 6, "done": 3, "completion_rate": 0.5, "due": 4, "on_time": 1,
                                "on_time_rate": 0.25, "overdue": 2, "blocked": 1}]
    assert [(r["description"], r["days_overdue"]) for r in data["Overdue"]] == [("A3", 59), ("B2", 7)]


def test_actions_report_filters_by_team_and_severity(cli, loaded):
    code, out, _ = cli("report", "actions", "--db", loaded, "--as-of", "2025-04-01", "--team", "b",
                       "--format", "json")
    assert json.loads(out)["Actions"][0]["actions"] == 3
    # severities go through the vocabulary: "sev1" is P1, team a's incident
    code, out, _ = cli("report", "actions", "--db", loaded, "--as-of", "2025-04-01", "--severity", "sev1",
                       "--format", "json")
    assert code == 0
    assert json.loads(out)["Actions"][0]["done"] == 2


def test_actions_report_as_table_csv_and_markdown(cli, loaded):
    code, out, _ = cli("report", "actions", "--db", loaded, "--as-of", "2025-04-01")
    assert code == 0
    assert "Overdue\n=======" in out and "completion_rate" in out
    code, out, _ = cli("report", "actions", "--db", loaded, "--as-of", "2025-04-01", "--format", "csv")
    assert "# Actions\nactions,done,completion_rate,due,on_time,on_time_rate,overdue,blocked\n6,3,0.5,4,1,0.25,2,1" in out
    code, out, _ = cli("report", "actions", "--db", loaded, "--as-of", "2025-04-01", "--format", "md")
    assert "| actions | done | completion\\_rate |" in out


@pytest.mark.parametrize("args, message", [
    (["--severity", "urgentissime"], "unknown severity 'urgentissime'"),
    (["--as-of", "yesterday"], "'yesterday' is not a date"),
    (["--format", "xml"], "'xml' is not one of"),  # click's wording
])
def test_usage_errors_exit_2(cli, loaded, args, message):
    code, out, err = cli("report", "actions", "--db", loaded, *args)
    assert code == 2
    assert message in err


def test_missing_database_says_how_to_load(cli, tmp_path):
    code, _, err = cli("report", "actions", "--db", tmp_path / "none.duckdb")
    assert code == 2
    assert "hindsight ingest" in err


def test_markdown_output_escapes_document_text():
    table = pd.DataFrame({"title": ["| injected | <b>bold</b> [link](http://x)"]})
    text = as_markdown([Section("T", table)])
    assert "\\| injected \\| \\<b\\>bold\\</b\\> \\[link\\](http://x)" in text


@pytest.mark.parametrize("label, month, expected", [
    ("2025-Q1", 1, (date(2025, 1, 1), date(2025, 3, 31))),
    ("2025-Q4", 1, (date(2025, 10, 1), date(2025, 12, 31))),
    # fiscal year starting in April: its Q4 is January to March of the next calendar year
    ("2025-Q1", 4, (date(2025, 4, 1), date(2025, 6, 30))),
    ("2025-Q4", 4, (date(2026, 1, 1), date(2026, 3, 31))),
])
def test_quarter_bounds(label, month, expected):
    assert quarter_bounds(label, month) == expected


def test_coverage_report_waiting_list_uses_the_configured_sla(cli, db, exports, tmp_path):
    """The CLI and the dashboard (timeliness.waiting with the configured Settings) must agree."""
    from analytics import timeliness
    from analytics.filters import Filters
    from analytics.settings import Settings
    from hindsight.config import read_config
    from analytics.db import connect_readonly

    cfg = tmp_path / "sla.yaml"
    cfg.write_text("analytics:\n  postmortem_sla_business_days: 10\n", encoding="utf-8")
    # Incident on Monday 2025-03-03, no post-mortem yet. On Friday 2025-03-14 it has waited the weekdays
    # 03-03..03-07 and 03-10..03-13: 9 business days. Past the default SLA (5), within the configured 10.
    (exports / "pms.json").write_text(json.dumps([{"id": "W-1", "title": "Slow", "team": "a",
                                                   "incident_date": "2025-03-03"}]), encoding="utf-8")
    assert cli("ingest", exports, "--db", db)[0] == 0
    code, out, err = cli("report", "coverage", "--db", db, "--config", cfg, "--as-of", "2025-03-14",
                         "--format", "json")
    assert code == 0, err
    [row] = json.loads(out)["Waiting for their post-mortem"]
    assert (row["business_days_waiting"], row["overdue"]) == (9, False)
    con = connect_readonly(db)
    try:
        page = timeliness.waiting(con, Filters(as_of=date(2025, 3, 14)), Settings.from_mapping(read_config(cfg)))
    finally:
        con.close()
    assert page[["business_days_waiting", "overdue"]].values.tolist() == [[9, False]]
