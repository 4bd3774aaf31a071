"""The Overview's four tiles (analytics/overview.py) and the quarter bookkeeping behind them
(analytics/quarters.py), on a fixture whose every number is worked out by hand below.

As of 2025-10-15: 2025-Q4 is partial, 2025-Q3 is the last complete quarter, 2025-Q2 the one before it.
Team "a" has 4 members (ann, bob, cat, dan). Every quarter is measured as of 2025-10-15.

2025-Q2
  P-1 04-07 api/code, written 04-10 (3 days), read by ann, bob, cat (3 of 4)
      A1 due 05-01 done 05-01 (on time: on the due date), A2 due 06-01 done 07-15 (late), A3 due 08-01 todo
  P-2 05-12 web/config, written 05-20 (8 days), no readers field (unknown); B1 due 05-30 cancelled
  P-3 06-16 api/code, written 06-18 (2 days), readers given empty (0 of 4); recurs on P-1 (70 days)
      C1 due 06-30 done 06-25 (on time)
  on time: due A1, A2, A3, C1 (B1 cancelled), on time A1, C1: 2/4 = 0.5 (n 4)
      (measured at the quarter's own end, 06-30, A3 was not due yet and A2 not done: 2/3)
  recurrence 1/3 (n 3); time to post-mortem median(3, 8, 2) = 3 days (n 3)
  dissemination (3 + 0) / (4 + 4) = 0.375 (n 2 of 3; counting P-2 as unread would give 3/12)
2025-Q3
  P-4 07-07 api/code, written 07-14 (7 days), read by all 4; recurs on P-3 (21 days)
      D1 due 08-01 done 07-31 (on time), D2 due 09-01 status "parked" (unknown: open, overdue)
  P-5 08-04 db/capacity, written 08-08 (4 days), read by ann (1 of 4)
      E1 due 09-15 done 09-20 (late)
  on time 1/3 (n 3); recurrence 1/2 (n 2); time to post-mortem median(7, 4) = 5.5 (n 2);
  dissemination 5/8 = 0.625 (n 2 of 2)
2025-Q4 so far (to 10-15)
  P-6 10-06 api/code, written 10-09 (3 days), read by ann, bob (2 of 4); recurs on P-4 (91 days)
      F1 due 10-10 todo (due, not done)
  P-7 11-03 mobile/code: after the as-of date, not in the quarter so far
  on time 0/1; recurrence 1/1; time to post-mortem 3 (n 1); dissemination 2/4 = 0.5 (n 1 of 1)
"""

import json
import math
from datetime import date

import pytest

from analytics import overview, quarterly, quarters
from analytics.filters import Filters
from analytics.settings import Settings
from analytics.db import connect_readonly

AS_OF = date(2025, 10, 15)
TEAMS = {"a": ["ann", "bob", "cat", "dan"]}


def pm(pid, day, written, service, cause, readers=None, actions=()):
    record = {"id": pid, "title": pid, "team": "a", "severity": "P2", "service": service, "cause_category": cause,
              "incident_date": day, "actions": list(actions)}
    if written:
        record["postmortem_date"] = written
    if readers is not None:
        record["readers"] = readers
    return record


def act(description, due, status, completed=None):
    out = {"description": description, "due": due, "status": status}
    if completed:
        out["completed_at"] = completed
    return out


FIXTURE = [
    pm("P-1", "2025-04-07", "2025-04-10", "api", "code", ["ann", "bob", "cat"], [
        act("A1", "2025-05-01", "done", "2025-05-01"), act("A2", "2025-06-01", "done", "2025-07-15"),
        act("A3", "2025-08-01", "todo")]),
    pm("P-2", "2025-05-12", "2025-05-20", "web", "config", None, [act("B1", "2025-05-30", "cancelled")]),
    pm("P-3", "2025-06-16", "2025-06-18", "api", "code", [], [act("C1", "2025-06-30", "done", "2025-06-25")]),
    pm("P-4", "2025-07-07", "2025-07-14", "api", "code", ["ann", "bob", "cat", "dan"], [
        act("D1", "2025-08-01", "done", "2025-07-31"), act("D2", "2025-09-01", "parked")]),
    pm("P-5", "2025-08-04", "2025-08-08", "db", "capacity", ["ann"], [act("E1", "2025-09-15", "done", "2025-09-20")]),
    pm("P-6", "2025-10-06", "2025-10-09", "api", "code", ["ann", "bob"], [act("F1", "2025-10-10", "todo")]),
    pm("P-7", "2025-11-03", None, "mobile", "code", []),
]
SETTINGS = Settings(teams=TEAMS)
KEYS = ["on_time", "recurrence", "time_to_postmortem", "dissemination"]


@pytest.fixture
def con(cli, db, exports):
    (exports / "pms.json").write_text(json.dumps(FIXTURE), encoding="utf-8")
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    connection = connect_readonly(db)
    yield connection
    connection.close()


def tiles(con, f=Filters(as_of=AS_OF), settings=SETTINGS, quarter=None):
    table = overview.effectiveness(con, f, settings, quarter=quarter)
    assert table["key"].tolist() == KEYS
    return table.set_index("key")


def test_default_is_the_last_complete_quarter_against_the_one_before(con):
    t = tiles(con)
    assert set(t["quarter"]) == {"2025-Q3"} and set(t["previous_quarter"]) == {"2025-Q2"}
    assert not t["partial"].any()
    assert t["value"].tolist() == pytest.approx([1 / 3, 1 / 2, 5.5, 5 / 8])
    assert t["n"].tolist() == [3, 2, 2, 2]
    assert t["previous"].tolist() == pytest.approx([2 / 4, 1 / 3, 3.0, 3 / 8])
    assert t["previous_n"].tolist() == [4, 3, 3, 2]


def test_change_is_this_quarter_minus_the_previous(con):
    t = tiles(con)
    # on time 1/3 - 1/2, recurrence 1/2 - 1/3, days 5.5 - 3, dissemination 5/8 - 3/8
    assert t["change"].tolist() == pytest.approx([-1 / 6, 1 / 6, 2.5, 0.25])
    assert t["change_unit"].tolist() == ["pp", "pp", "days", "pp"]


def test_previous_quarter_is_measured_as_of_the_as_of_date(con):
    # At its own end (06-30) 2025-Q2's on-time rate was 2/3; as of 10-15, the basis of every quarter, it is 2/4.
    assert tiles(con).loc["on_time", "previous"] == pytest.approx(0.5)


def test_dissemination_n_with_data_of_total(con):
    t = tiles(con, quarter="2025-Q2")
    assert (t.loc["dissemination", "n"], t.loc["dissemination", "n_total"]) == (2, 3)
    assert t.loc["dissemination", "value"] == pytest.approx(3 / 8)


def test_the_partial_quarter_can_be_shown_and_is_marked(con):
    t = tiles(con, quarter="2025-Q4")
    assert t["partial"].all() and set(t["previous_quarter"]) == {"2025-Q3"}
    # P-7 (11-03) is after the as-of date: not in the quarter so far
    assert t["value"].tolist() == pytest.approx([0.0, 1.0, 3.0, 0.5])
    assert t["n"].tolist() == [1, 1, 1, 1]


def test_small_sample_marks_a_change_when_either_quarter_is_small(con):
    # n (this quarter, previous): on time (3, 4), recurrence (2, 3), days (2, 3), dissemination (2, 2)
    assert tiles(con, settings=Settings(teams=TEAMS, small_sample=3))["small_sample"].tolist() == [
        False, True, True, True]
    assert not tiles(con, settings=Settings(teams=TEAMS, small_sample=2))["small_sample"].any()
    assert tiles(con)["small_sample"].all()  # the default 5
    # from 2025-06-01, 2025-Q2 keeps only P-3 (n = 1 for every metric) while 2025-Q3 keeps its (3, 2, 2, 2):
    # a change against a quarter of one is small whatever this quarter's n
    late = tiles(con, Filters(as_of=AS_OF, date_from=date(2025, 6, 1)), Settings(teams=TEAMS, small_sample=2))
    assert late["previous_n"].tolist() == [1, 1, 1, 1] and late["small_sample"].all()
    # P-3: C1 on time 1/1, recurs on P-1 (outside the range, still its earlier incident), 2 days, read by 0 of 4
    assert late["previous"].tolist() == pytest.approx([1.0, 1.0, 2.0, 0.0])


def test_filters_narrow_both_quarters(con):
    t = tiles(con, Filters(as_of=AS_OF, services=("api",)))
    # api only: Q3 has P-4 (D1 on time, D2 open): 1/2; Q2 has P-1 and P-3: on time A1, C1 of A1, A2, A3, C1
    assert t.loc["on_time", ["value", "previous"]].tolist() == pytest.approx([0.5, 0.5])
    assert t.loc["recurrence", ["value", "n", "previous", "previous_n"]].tolist() == pytest.approx([1.0, 1, 0.5, 2])
    nobody = tiles(con, Filters(as_of=AS_OF, teams=("b",)))
    assert nobody["n"].tolist() == [0, 0, 0, 0] and nobody["value"].isna().all() and nobody["change"].isna().all()
    # a date range ending inside the quarter cuts it: 2025-Q3 up to 07-31 is P-4 alone
    cut = tiles(con, Filters(as_of=AS_OF, date_to=date(2025, 7, 31)))
    assert cut.loc["recurrence", ["value", "n"]].tolist() == [1.0, 1]


def test_an_incident_on_the_date_to_is_kept(con):
    # date_to is inclusive: P-5 on 2025-08-04 is in, with its late action E1
    t = tiles(con, Filters(as_of=AS_OF, date_to=date(2025, 8, 4)))
    assert t.loc["on_time", ["value", "n"]].tolist() == pytest.approx([1 / 3, 3])


@pytest.mark.parametrize("day, fiscal, label", [
    (date(2025, 1, 1), 1, "2025-Q1"), (date(2025, 3, 31), 1, "2025-Q1"), (date(2025, 4, 1), 1, "2025-Q2"),
    (date(2025, 6, 30), 1, "2025-Q2"), (date(2025, 7, 1), 1, "2025-Q3"), (date(2025, 9, 30), 1, "2025-Q3"),
    (date(2025, 10, 1), 1, "2025-Q4"), (date(2025, 11, 15), 1, "2025-Q4"), (date(2025, 12, 31), 1, "2025-Q4"),
    # fiscal year from April: April-June is Q1, January-March is Q4 of the year that started the April before
    (date(2025, 4, 1), 4, "2025-Q1"), (date(2025, 12, 31), 4, "2025-Q3"), (date(2026, 1, 1), 4, "2025-Q4"),
    (date(2026, 3, 31), 4, "2025-Q4"),
])
def test_quarter_of(day, fiscal, label):
    assert quarters.quarter_of(day, fiscal) == label
    start, end = quarters.quarter_bounds(label, fiscal)
    assert start <= day <= end


@pytest.mark.parametrize("as_of, partial, last_complete", [
    (date(2026, 11, 15), True, "2026-Q3"),   # the demo's as-of date
    (date(2026, 10, 1), True, "2026-Q3"),    # first day of a quarter
    (date(2026, 9, 30), False, "2026-Q3"),   # last day: the quarter is complete
    (date(2026, 1, 15), True, "2025-Q4"),    # across a year
])
def test_partial_and_last_complete_quarter(as_of, partial, last_complete):
    current = quarters.quarter_of(as_of)
    assert quarters.is_partial(current, as_of) is partial
    assert quarters.last_complete_quarter(as_of) == last_complete
    assert not quarters.is_partial(last_complete, as_of)


def test_previous_quarter():
    assert quarters.previous_quarter("2026-Q1") == "2025-Q4"
    assert quarters.previous_quarter("2026-Q3") == "2026-Q2"


def test_no_data_at_all(tmp_path):
    from pipeline import store

    path = tmp_path / "empty.duckdb"
    with store.writer(path):  # an ingest that loads nothing: the schema, no rows
        pass
    con = connect_readonly(path)
    try:
        t = overview.effectiveness(con, Filters(as_of=AS_OF), SETTINGS)
    finally:
        con.close()
    assert t["n"].tolist() == [0, 0, 0, 0] and t["value"].isna().all()
    assert all(math.isnan(x) for x in t["change"])


def test_quarterly_trends_use_the_same_basis_as_the_tiles(con):
    """One basis: the change the Overview shows is the change Quarterly trends shows, metric by metric."""
    trend = quarterly.trends(con, Filters(as_of=AS_OF), SETTINGS).set_index("quarter")
    assert trend.index.tolist() == ["2025-Q2", "2025-Q3", "2025-Q4"]  # P-7 (after the as-of date) is in none
    assert trend["partial"].tolist() == [False, False, True]
    assert trend["dissemination_n"].tolist() == [2, 2, 1]
    assert trend["dissemination_rate"].tolist() == pytest.approx([3 / 8, 5 / 8, 1 / 2])
    columns = {"on_time": "on_time_rate", "recurrence": "recurrence_rate",
               "time_to_postmortem": "postmortem_days_median", "dissemination": "dissemination_rate"}
    for quarter in ("2025-Q3", "2025-Q4"):
        t = tiles(con, quarter=quarter)
        for key, column in columns.items():
            assert t.loc[key, "value"] == pytest.approx(trend.loc[quarter, column]), (quarter, key)
            assert t.loc[key, "change"] == pytest.approx(trend.loc[quarter, f"{column}_change"]), (quarter, key)


def test_every_table_by_quarter_marks_the_partial_one(con):
    from analytics import actions, recurrence

    f = Filters(as_of=AS_OF)
    for table, column in ((actions.rates_by_quarter(con, f, SETTINGS), "quarter"),
                          (actions.cohort_completion(con, f, SETTINGS), "quarter"),
                          (recurrence.rate_by_period(con, f, SETTINGS, "quarter"), "period")):
        assert dict(zip(table[column], table["partial"])) == {"2025-Q2": False, "2025-Q3": False, "2025-Q4": True}
    months = recurrence.rate_by_period(con, f, SETTINGS, "month")
    # October 2025 holds the as-of date; November's P-7 is after it and its month is not over either
    assert dict(zip(months["period"], months["partial"])) == {
        "2025-04": False, "2025-05": False, "2025-06": False, "2025-07": False, "2025-08": False, "2025-10": True,
        "2025-11": True}
