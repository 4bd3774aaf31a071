"""Action metrics on a small fixture whose numbers are worked out by hand (as of 2025-04-01)."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from analytics import actions
from analytics.filters import Filters

AS_OF = date(2025, 4, 1)
FIXTURE = [
    {"id": "PM-1", "title": "API outage", "team": "a", "severity": "P1", "service": "api",
     "incident_date": "2025-01-06", "postmortem_date": "2025-01-08", "actions": [
         {"description": "A1", "owner": "@x", "priority": "high", "due": "2025-01-15", "status": "done",
          "completed_at": "2025-01-10"},
         {"description": "A2", "owner": "@y", "priority": "medium", "due": "2025-01-15", "status": "done",
          "completed_at": "2025-01-20"},
         {"description": "A3", "owner": "@x", "priority": "high", "due": "2025-02-01", "status": "todo"},
         {"description": "A4", "owner": "@x", "priority": "low", "due": "2025-01-20", "status": "cancelled"},
     ]},
    {"id": "PM-2", "title": "Web slow", "team": "b", "severity": "P2", "service": "web",
     "incident_date": "2025-03-03", "postmortem_date": "2025-03-05", "actions": [
         {"description": "B1", "owner": "@z", "priority": "high", "due": "2025-05-01", "status": "blocked",
          "blocked_since": "2025-03-10"},
         {"description": "B2", "owner": "@y", "priority": "medium", "due": "2025-03-25", "status": "in_progress"},
         {"description": "B3", "owner": "@z", "priority": "low", "due": "2025-04-15", "status": "done",
          "completed_at": "2025-03-20"},
     ]},
]


@pytest.fixture
def con(load_records):
    return load_records(FIXTURE)


def test_summary(con):
    row = actions.summary(con, Filters(as_of=AS_OF)).iloc[0].to_dict()
    # 6 not cancelled; done A1, A2, B3; due by 04-01: A1, A2, A3, B2; on time: A1 only; overdue A3, B2
    assert row == {"actions": 6, "done": 3, "completion_rate": 0.5, "due": 4, "on_time": 1,
                   "on_time_rate": 0.25, "overdue": 2, "blocked": 1}


def test_rates_by_team(con):
    rows = actions.rates_by(con, Filters(as_of=AS_OF), "team").set_index("team")
    assert rows.loc["a", ["actions", "done", "due", "on_time", "overdue", "blocked"]].tolist() == [3, 2, 3, 1, 1, 0]
    assert rows.loc["a", "completion_rate"] == pytest.approx(2 / 3)
    assert rows.loc["b", ["actions", "done", "due", "on_time", "overdue", "blocked"]].tolist() == [3, 1, 1, 0, 1, 1]
    assert rows.loc["b", "on_time_rate"] == 0.0


def test_summary_and_rates_in_one_query(con):
    """The Actions page's tiles and its two tables from one scan. By priority, worked out from FIXTURE:
    high: A1 (done on time), A3 (todo, due 02-01: overdue), B1 (blocked, due 05-01: not due) -> 3 actions,
    1 done, 2 due, 1 on time, 1 overdue, 1 blocked; medium: A2 (done 01-20, due 01-15: late), B2 (in
    progress, due 03-25: overdue) -> 2, 1, 2, 0, 1, 0; low: B3 (done, due 04-15: not due), A4 cancelled
    -> 1, 1, 0, 0, 0, 0. The largest group first, as rates_by orders them."""
    f = Filters(as_of=AS_OF)
    summary, tables = actions.summary_and_rates(con, f, by=("team", "priority"))
    assert summary.to_dict("records") == [{"actions": 6, "done": 3, "completion_rate": 0.5, "due": 4, "on_time": 1,
                                           "on_time_rate": 0.25, "overdue": 2, "blocked": 1}]
    counts = ["actions", "done", "due", "on_time", "overdue", "blocked"]
    assert tables["team"][["team", *counts]].values.tolist() == [["a", 3, 2, 3, 1, 1, 0], ["b", 3, 1, 1, 0, 1, 1]]
    assert tables["priority"][["priority", *counts]].values.tolist() == [
        ["high", 3, 1, 2, 1, 1, 1], ["medium", 2, 1, 2, 0, 1, 0], ["low", 1, 1, 0, 0, 0, 0]]
    assert tables["priority"]["on_time_rate"].tolist()[:2] == [0.5, 0.0] and np.isnan(tables["priority"]["on_time_rate"][2])
    # nothing selected: one summary row of zeros (no rate), empty tables, as summary and rates_by give
    summary, tables = actions.summary_and_rates(con, Filters(as_of=AS_OF, teams=("nobody",)), by=("team", "priority"))
    assert summary[counts].values.tolist() == [[0] * 6] and summary[["completion_rate", "on_time_rate"]].isna().all(axis=None)
    assert tables["team"].empty and tables["priority"].empty
    for g in (f, Filters(as_of=AS_OF, teams=("nobody",)), Filters(as_of=date(2025, 3, 1))):
        summary, tables = actions.summary_and_rates(con, g, by=("team", "priority", "owner"))
        pd.testing.assert_frame_equal(summary, actions.summary(con, g))
        for by, table in tables.items():
            pd.testing.assert_frame_equal(table, actions.rates_by(con, g, by))


def test_overdue_and_blocked_lists(con):
    late = actions.overdue(con, Filters(as_of=AS_OF))
    assert late[["description", "owner", "days_overdue"]].values.tolist() == [["A3", "@x", 59], ["B2", "@y", 7]]
    stuck = actions.blocked(con, Filters(as_of=AS_OF))
    assert stuck[["description", "owner", "days_blocked"]].values.tolist() == [["B1", "@z", 22]]


# Two overdue actions due the same day and one due earlier; an open action of a post-mortem with no incident date
TIES = [
    {"id": "PM-T", "title": "Ties", "team": "a", "severity": "P2", "service": "api",
     "incident_date": "2025-01-10", "postmortem_date": "2025-01-12", "actions": [
         {"description": "T1", "owner": "@x", "priority": "high", "due": "2025-03-01", "status": "todo"},
         {"description": "T2", "owner": "@y", "priority": "high", "due": "2025-03-01", "status": "todo"},
         {"description": "T3", "owner": "@z", "priority": "low", "due": "2025-02-01", "status": "todo"},
     ]},
    {"id": "PM-N", "title": "Undated", "team": "a", "severity": "P3", "service": "api", "actions": [
        {"description": "N1", "owner": "@x", "priority": "low", "due": "2025-06-01", "status": "todo"},
    ]},
]


def test_the_first_rows_of_a_listing_are_the_whole_lists_first_rows(load_records):
    """A page asks for the first rows only, found by a bound on the date the list is ordered by first: the
    rows tied on that date are all candidates (T1 and T2 are 31 days overdue, T3 59: the first two are T3
    then T1, by id), and an undated incident's action, last in the tracker, is there once the list reaches
    it (no bound from a missing date)."""
    con = load_records(TIES)
    f = Filters(as_of=AS_OF)
    overdue = actions.overdue(con, f)
    assert overdue[["description", "days_overdue"]].values.tolist() == [["T3", 59], ["T1", 31], ["T2", 31]]
    for limit in (1, 2, 3, 10):
        pd.testing.assert_frame_equal(actions.overdue(con, f, limit=limit), overdue.head(limit))
    tracker = actions.open_actions(con, f)
    assert tracker["description"].tolist() == ["T1", "T2", "T3", "N1"]
    for limit in (1, 3, 4, 10):
        pd.testing.assert_frame_equal(actions.open_actions(con, f, limit=limit), tracker.head(limit))


def test_as_of_moves_what_is_due(con):
    # On 2025-03-01 only A1, A2, A3 are due; B's post-mortem has not happened yet.
    row = actions.summary(con, Filters(as_of=date(2025, 3, 1))).iloc[0]
    assert (row["actions"], row["due"], row["overdue"]) == (3, 3, 1)


def test_kaplan_meier_censors_open_actions(con):
    km = actions.time_to_close(con, Filters(as_of=AS_OF))
    # closed after 2, 12, 15 days; open A3 censored at 83 days, B1 and B2 at 27; A4 cancelled is out
    assert km["days"].tolist() == [0, 2, 12, 15, 27, 83]
    assert km["at_risk"].tolist() == [6, 6, 5, 4, 3, 1]
    assert km["censored"].tolist() == [0, 0, 0, 0, 2, 1]
    assert km["closed_share"].tolist() == pytest.approx([0, 1 / 6, 2 / 6, 0.5, 0.5, 0.5])


def test_kaplan_meier_without_censoring_is_the_plain_proportion():
    km = actions.kaplan_meier(np.array([1, 2, 2, 5]), np.array([True, True, True, True])).set_index("days")
    assert km.loc[1, "closed_share"] == pytest.approx(1 / 4)
    assert km.loc[2, "closed_share"] == pytest.approx(3 / 4)
    assert km.loc[5, "closed_share"] == pytest.approx(1.0)


def test_the_time_axis_stops_at_the_95th_percentile_of_observed_times():
    """22 actions: 18 closed by day 10 (10 on day 1, 8 on day 10), one closed on day 40, three still open
    (censored) on day 900. The censored ones are left out: of the 19 closings, the 95th percentile by nearest
    rank is the 19th (ceil(0.95 * 19) = 19): day 40, not 900; the median the 10th (ceil(9.5)): day 1."""
    days = np.array([1] * 10 + [10] * 8 + [40] + [900] * 3)
    closed = np.array([True] * 19 + [False] * 3)
    assert actions.observed_quantile(actions.kaplan_meier(days, closed)) == 40.0
    assert actions.observed_quantile(actions.kaplan_meier(days, closed), q=0.5) == 1.0


def test_cohort_completion(con):
    row = actions.cohort_completion(con, Filters(as_of=AS_OF)).iloc[0].to_dict()
    # both incidents in 2025-Q1; PM-2's 30-day window ends 2025-04-02, after the as-of date
    assert row["quarter"] == "2025-Q1" and row["actions"] == 6
    assert (row["n_30d"], row["n_60d"], row["n_90d"]) == (3, 3, 0)
    assert row["done_30d"] == pytest.approx(2 / 3) and row["done_60d"] == pytest.approx(2 / 3)
    assert np.isnan(row["done_90d"])


def test_cohort_windows_include_their_last_day(load_records):
    """Incident on 2025-01-01: C1 done 30 days later (01-31), C2 31 days later (02-01), C3 60 days later
    (03-02). Within 30 days: C1 only; within 60 and 90: all three. On 2025-04-01 the 90-day window has just
    ended (01-01 + 90 days = 04-01), so every window counts the three actions."""
    con = load_records([{"id": "PM-C", "title": "Cohort", "team": "a", "severity": "P2", "service": "api",
                         "incident_date": "2025-01-01", "postmortem_date": "2025-01-02", "actions": [
                             {"description": f"C{i}", "owner": "@x", "priority": "low", "due": "2025-06-01",
                              "status": "done", "completed_at": done}
                             for i, done in ((1, "2025-01-31"), (2, "2025-02-01"), (3, "2025-03-02"))]}])
    row = actions.cohort_completion(con, Filters(as_of=AS_OF)).iloc[0]
    assert (row["n_30d"], row["n_60d"], row["n_90d"]) == (3, 3, 3)
    assert (row["done_30d"], row["done_60d"], row["done_90d"]) == (pytest.approx(1 / 3), 1.0, 1.0)


def test_filters_never_raise_counts(con):
    everything = actions.summary(con, Filters(as_of=AS_OF)).iloc[0]
    for f in (Filters(as_of=AS_OF, teams=("a",)), Filters(as_of=AS_OF, severities=("P2",)),
              Filters(as_of=AS_OF, services=("web",)), Filters(as_of=AS_OF, date_from=date(2025, 2, 1)),
              Filters(as_of=AS_OF, teams=("nobody",))):
        row = actions.summary(con, f).iloc[0]
        for column in ("actions", "done", "due", "on_time", "overdue", "blocked"):
            assert row[column] <= everything[column]
        for rate in ("completion_rate", "on_time_rate"):
            assert np.isnan(row[rate]) or 0 <= row[rate] <= 1
    assert actions.summary(con, Filters(as_of=AS_OF, teams=("a",))).iloc[0]["actions"] == 3


def test_filter_values_are_bound_not_spliced(con):
    # a team name that would break SQL if it were formatted into the query
    row = actions.summary(con, Filters(as_of=AS_OF, teams=("a'); DROP TABLE actions; --",))).iloc[0]
    assert row["actions"] == 0
    assert actions.summary(con, Filters(as_of=AS_OF)).iloc[0]["actions"] == 6


# An action whose status word is outside the vocabulary ("parked") is stored with status NULL. It is open:
# it counts in the denominators and in every open-action list, never as done or cancelled.
UNKNOWN = [
    {"id": "PM-U", "title": "Queue stuck", "team": "a", "severity": "P2", "service": "queue",
     "incident_date": "2025-02-03", "postmortem_date": "2025-02-05", "actions": [
         {"description": "U1", "owner": "@x", "priority": "high", "due": "2025-03-01", "status": "parked"},
         {"description": "U2", "owner": "@y", "priority": "low", "due": "2025-02-20", "status": "done",
          "completed_at": "2025-02-10"},
         {"description": "U3", "owner": "@y", "priority": "low", "due": "2025-02-20", "status": "cancelled"},
     ]},
]


def test_unknown_status_counts_as_open_everywhere(load_records):
    from analytics import catalog, escalations

    con = load_records(UNKNOWN)
    f = Filters(as_of=AS_OF)
    # U1 (parked) and U2 count, U3 is cancelled: 2 actions, 1 done; both due by 04-01, U2 on time;
    # U1 is overdue since 03-01: 31 days on 2025-04-01.
    row = actions.summary(con, f).iloc[0].to_dict()
    assert row == {"actions": 2, "done": 1, "completion_rate": 0.5, "due": 2, "on_time": 1,
                   "on_time_rate": 0.5, "overdue": 1, "blocked": 0}
    assert actions.rates_by(con, f, "owner").set_index("owner").loc["@x", "actions"] == 1
    late = actions.overdue(con, f)
    assert late[["description", "status", "days_overdue"]].values.tolist() == [["U1", "unknown", 31]]
    assert actions.open_actions(con, f)[["description", "status"]].values.tolist() == [["U1", "unknown"]]
    # time to close: U2 closed after 5 days (from the post-mortem on 02-05), U1 censored at 55 days
    km = actions.time_to_close(con, f)
    assert km["days"].tolist() == [0, 5, 55] and km["censored"].tolist() == [0, 0, 1]
    cohort = actions.cohort_completion(con, f).iloc[0]
    assert (cohort["actions"], cohort["n_30d"], cohort["done_30d"]) == (2, 2, 0.5)
    # the high-priority parked action overdue blocks deployments on its service
    esc = escalations.escalations(con, f)
    assert esc[["rule", "subject"]].values.tolist() == [["block deployments", "queue"]]
    assert catalog.postmortems(con, f).iloc[0]["open_actions"] == 1
    assert catalog.detail(con, "PM-U")["actions"]["status"].tolist() == ["unknown", "done", "cancelled"]
