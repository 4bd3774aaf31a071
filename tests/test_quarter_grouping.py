"""Per-quarter action figures group actions by their incident's quarter, calendar or fiscal (issue 11: the
label is now written per group, not per action). Worked out by hand: with a fiscal year starting in April,
2025-03-15 is in fiscal 2024-Q4 (March is the last month of fiscal 2024), 2025-04-10 in 2025-Q1 and
2025-07-01 in 2025-Q2; in calendar quarters they are 2025-Q1, 2025-Q2 and 2025-Q3."""

from datetime import date

from analytics import actions
from analytics.filters import Filters
from analytics.settings import Settings

AS_OF = date(2025, 12, 31)


def pm(pid, day, *statuses):
    return {"id": pid, "title": f"Incident {pid}", "incident_date": day, "team": "ops", "actions": [
        {"description": f"{pid} action {i}", "status": status, "completed_at": day if status == "done" else None}
        for i, status in enumerate(statuses)]}


RECORDS = [pm("A", "2025-03-15", "done", "todo"), pm("B", "2025-04-10", "done"), pm("C", "2025-07-01", "todo")]


def test_rates_by_quarter_in_calendar_and_fiscal_quarters(load_records):
    con = load_records(RECORDS)
    calendar = actions.rates_by_quarter(con, Filters(as_of=AS_OF), Settings())
    assert calendar[["quarter", "actions", "done"]].values.tolist() == [
        ["2025-Q1", 2, 1], ["2025-Q2", 1, 1], ["2025-Q3", 1, 0]]
    fiscal = actions.rates_by_quarter(con, Filters(as_of=AS_OF), Settings(fiscal_year_start_month=4))
    assert fiscal[["quarter", "actions", "done"]].values.tolist() == [
        ["2024-Q4", 2, 1], ["2025-Q1", 1, 1], ["2025-Q2", 1, 0]]
    assert list(fiscal.columns[:2]) == ["quarter", "actions"]


def test_cohort_completion_in_fiscal_quarters(load_records):
    con = load_records(RECORDS)
    table = actions.cohort_completion(con, Filters(as_of=AS_OF), Settings(fiscal_year_start_month=4))
    # each done action was completed on its incident's day: done within any window
    assert table["quarter"].tolist() == ["2024-Q4", "2025-Q1", "2025-Q2"]
    assert table["actions"].tolist() == [2, 1, 1]
    first = [c for c in table.columns if c.startswith("done_")][0]
    assert table[first].tolist() == [0.5, 1.0, 0.0]
