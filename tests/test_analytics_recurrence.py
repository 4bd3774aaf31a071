"""Recurrence metrics on small fixtures whose numbers are worked out by hand.

MAIN, in incident order (PM-2 and PM-3 share a day; PM-2 started first):

    PM-1  2025-01-10  api     code        team a  P2  actions: done 2025-02-01, cancelled
    PM-7  2025-01-20  -       code        team c  P4
    PM-8  2025-01-25  -       code        team c  P4  (no service: cannot recur on PM-7 implicitly)
    PM-4  2025-02-01  web     monitoring  team b  P3  actions: cancelled only
    PM-2  2025-03-31  api     code        team a  P3  09:00  recurs on PM-1, 80 days   actions: done 2025-04-15
    PM-3  2025-03-31  api     code        team b  P1  15:00  recurs on PM-2, 0 days
    PM-5  2025-04-01  web     monitoring  team b  P2  recurs on PM-4, 59 days
    PM-6  2025-05-05  search  people      team c  P3  explicit link to PM-OLD (not loaded)
    PM-9  2025-06-10  api     -           team a  P4  (no cause: cannot recur implicitly)
"""

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest

from analytics import recurrence
from analytics.db import connect_readonly
from analytics.filters import Filters
from analytics.settings import Settings

AS_OF = date(2025, 7, 1)
F = Filters(as_of=AS_OF)


def pm(pid, day, team, severity, service=None, cause=None, **extra):
    record = {"id": pid, "title": f"Incident {pid}", "incident_date": day, "team": team, "severity": severity}
    if service:
        record["service"] = service
    if cause:
        record["cause_category"] = cause
    record.update(extra)
    return record


MAIN = [
    pm("PM-1", "2025-01-10", "a", "P2", "api", "code", actions=[
        {"description": "Add a regression test", "owner": "@x", "status": "done", "completed_at": "2025-02-01"},
        {"description": "Rewrite the module", "owner": "@x", "status": "cancelled"}]),
    pm("PM-2", "2025-03-31", "a", "P3", "api", "code", started_at="2025-03-31T09:00:00Z", actions=[
        {"description": "Fix the retry loop", "owner": "@y", "status": "done", "completed_at": "2025-04-15"}]),
    pm("PM-3", "2025-03-31", "b", "P1", "api", "code", started_at="2025-03-31T15:00:00Z"),
    pm("PM-4", "2025-02-01", "b", "P3", "web", "monitoring", actions=[
        {"description": "Buy a tool", "owner": "@z", "status": "cancelled"}]),
    pm("PM-5", "2025-04-01", "b", "P2", "web", "monitoring"),
    pm("PM-6", "2025-05-05", "c", "P3", "search", "people", recurrence_of="PM-OLD"),
    pm("PM-7", "2025-01-20", "c", "P4", None, "code"),
    pm("PM-8", "2025-01-25", "c", "P4", None, "code"),
    pm("PM-9", "2025-06-10", "a", "P4", "api", None),
]

# Window edges and ordering. 2025-01-01 + 179 days = 2025-06-29 (Jan 30 days left + Feb 28 + Mar 31 + Apr 30
# + May 31 = 150 to 2025-05-31, + 29); + 180 = 2025-06-30; + 181 = 2025-07-01.
EDGES = [
    pm("E-0", "2025-01-01", "e", "P3", "s179", "code"), pm("E-179", "2025-06-29", "e", "P3", "s179", "code"),
    pm("F-0", "2025-01-01", "e", "P3", "s180", "code"), pm("F-180", "2025-06-30", "e", "P3", "s180", "code"),
    pm("G-0", "2025-01-01", "e", "P3", "s181", "code"), pm("G-181", "2025-07-01", "e", "P3", "s181", "code"),
    # same day, no start time: the smaller id is the earlier
    pm("H-1", "2025-02-02", "e", "P3", "same", "code"), pm("H-2", "2025-02-02", "e", "P3", "same", "code"),
    # same day: a known start comes before an unknown one (NULLS LAST), whatever the ids
    pm("I-1", "2025-02-03", "e", "P3", "nulls", "code"),
    pm("I-2", "2025-02-03", "e", "P3", "nulls", "code", started_at="2025-02-03T08:00:00Z"),
    # explicit links only: K-2 is another service, K-3 is 334 days after K-1 (out of the window)
    pm("K-1", "2025-01-01", "k", "P2", "k1", "code"),
    pm("K-2", "2025-03-01", "k", "P2", "k2", "people", recurrence_of="K-1"),
    pm("K-3", "2025-12-01", "k", "P2", "k1", "code", recurrence_of=["K-2", "K-GONE"]),
    # an explicit link wins over the implicit previous (L-2) for previous_id; 2025-01-01 -> 03-01 = 59 days
    pm("L-1", "2025-01-01", "l", "P3", "l", "code"), pm("L-2", "2025-02-01", "l", "P3", "l", "code"),
    pm("L-3", "2025-03-01", "l", "P3", "l", "code", recurrence_of="L-1"),
]


def load(cli, db, exports, records):
    (exports / "pms.json").write_text(json.dumps(records), encoding="utf-8")
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    return connect_readonly(db)


def opened(connection):
    """A fixture's body: hand the connection to the test, close it after."""
    yield connection
    connection.close()


@pytest.fixture
def con(cli, db, exports):
    yield from opened(load(cli, db, exports, MAIN))


@pytest.fixture
def edges(cli, db, exports):
    yield from opened(load(cli, db, exports, EDGES))


def by_id(df):
    return df.set_index("postmortem_id")


def test_flags(con):
    rows = recurrence.flags(con, F)
    assert list(rows.columns) == ["postmortem_id", "incident_date", "service", "primary_cause_category", "recurs",
                                  "explicit", "previous_id", "days_since_previous"]
    assert rows["postmortem_id"].tolist() == ["PM-1", "PM-7", "PM-8", "PM-4", "PM-2", "PM-3", "PM-5", "PM-6", "PM-9"]
    recurring = rows[rows["recurs"]]
    # PM-2: PM-1 on 2025-01-10, same api + code, 80 days earlier; PM-3: PM-2 the same day, started earlier;
    # PM-5: PM-4 on 2025-02-01, web + monitoring, 59 days; PM-6: explicit link to an id not loaded
    assert recurring[["postmortem_id", "explicit", "previous_id"]].values.tolist() == [
        ["PM-2", False, "PM-1"], ["PM-3", False, "PM-2"], ["PM-5", False, "PM-4"], ["PM-6", True, "PM-OLD"]]
    assert recurring["days_since_previous"].iloc[:3].tolist() == [80, 0, 59]
    assert pd.isna(recurring["days_since_previous"].iloc[3])
    # PM-8 follows PM-7 by 5 days with the same cause but no service; PM-9 has no cause
    assert not by_id(rows).loc[["PM-1", "PM-7", "PM-8", "PM-4", "PM-9"], "recurs"].any()
    assert by_id(rows).loc[["PM-1", "PM-8"], "previous_id"].isna().all()


def test_overall(con):
    row = recurrence.overall(con, F).iloc[0]
    assert (row["incidents"], row["recurring"]) == (9, 4)
    assert row["recurrence_rate"] == pytest.approx(4 / 9)


def test_rate_by_quarter_and_month(con):
    q = recurrence.rate_by_period(con, F)
    # Q1: PM-1, 7, 8, 4, 2, 3 (PM-2, PM-3 recur); Q2: PM-5, 6, 9 (PM-5, PM-6 recur)
    assert q[["period", "incidents", "recurring", "small_sample"]].values.tolist() == [
        ["2025-Q1", 6, 2, False], ["2025-Q2", 3, 2, True]]
    assert q["recurrence_rate"].tolist() == pytest.approx([2 / 6, 2 / 3])
    m = recurrence.rate_by_period(con, F, period="month")
    assert m[["period", "incidents", "recurring"]].values.tolist() == [
        ["2025-01", 3, 0], ["2025-02", 1, 0], ["2025-03", 2, 2], ["2025-04", 1, 1], ["2025-05", 1, 1],
        ["2025-06", 1, 0]]
    assert m["small_sample"].all()  # every month has fewer than 5 incidents
    with pytest.raises(ValueError):
        recurrence.rate_by_period(con, F, period="week")


def test_rate_by_fiscal_quarter(con):
    # a fiscal year starting in April: January-March 2025 is 2024-Q4, April-June 2025 is 2025-Q1
    q = recurrence.rate_by_period(con, F, Settings(fiscal_year_start_month=4))
    assert q[["period", "incidents", "recurring"]].values.tolist() == [["2024-Q4", 6, 2], ["2025-Q1", 3, 2]]


def test_small_sample_threshold(con):
    q = recurrence.rate_by_period(con, F, Settings(small_sample=3))
    assert q["small_sample"].tolist() == [False, False]  # 6 and 3 incidents, neither below 3


def test_earlier_incident_outside_the_date_filter_still_counts(con):
    f = Filters(as_of=AS_OF, date_from=date(2025, 3, 1))
    rows = recurrence.flags(con, f)
    # kept: PM-2, PM-3, PM-5, PM-6, PM-9; PM-2 recurs on PM-1 (2025-01-10), which the filter leaves out
    assert rows["postmortem_id"].tolist() == ["PM-2", "PM-3", "PM-5", "PM-6", "PM-9"]
    assert by_id(rows).loc["PM-2", ["recurs", "previous_id"]].tolist() == [True, "PM-1"]
    assert by_id(rows).loc["PM-5", "previous_id"] == "PM-4"
    row = recurrence.overall(con, f).iloc[0]
    assert (row["incidents"], row["recurring"]) == (5, 4)


def test_filters_do_not_change_whether_an_incident_recurs(con):
    # Team b keeps PM-4, PM-3, PM-5. PM-3's earlier api + code incident PM-2 is team a's: it still
    # counts, since a filter chooses the incidents looked at, not their history.
    rows = recurrence.flags(con, Filters(as_of=AS_OF, teams=("b",)))
    assert rows[["postmortem_id", "recurs"]].values.tolist() == [["PM-4", False], ["PM-3", True], ["PM-5", True]]
    assert rows["previous_id"].tolist()[1:] == ["PM-2", "PM-4"]


FILTERS = [dict(teams=("a",)), dict(teams=("b",)), dict(teams=("c",)), dict(severities=("P1", "P2")),
           dict(services=("api",)), dict(cause_categories=("code",)), dict(date_from=date(2025, 3, 1)),
           dict(date_to=date(2025, 3, 31)), dict(date_from=date(2025, 4, 1), date_to=date(2025, 4, 30)),
           dict(teams=("nobody",))]


@pytest.mark.parametrize("kw", FILTERS)
def test_filters_never_raise_a_count(con, kw):
    everything = recurrence.overall(con, F).iloc[0]
    f = Filters(as_of=AS_OF, **kw)
    row = recurrence.overall(con, f).iloc[0]
    assert row["incidents"] <= everything["incidents"] and row["recurring"] <= everything["recurring"]
    assert np.isnan(row["recurrence_rate"]) if row["incidents"] == 0 else 0 <= row["recurrence_rate"] <= 1
    # an incident that recurs under a filter recurs without it
    unfiltered = by_id(recurrence.flags(con, F))["recurs"]
    for pid, recurs in by_id(recurrence.flags(con, f))["recurs"].items():
        assert not recurs or unfiltered[pid]
    all_periods = recurrence.rate_by_period(con, F).set_index("period")
    for r in recurrence.rate_by_period(con, f).itertuples():
        assert r.incidents <= all_periods.loc[r.period, "incidents"]
        assert r.recurring <= all_periods.loc[r.period, "recurring"]
        assert 0 <= r.recurrence_rate <= 1
    assert recurrence.pareto(con, f)["incidents"].sum() == row["incidents"]
    assert (recurrence.action_effectiveness(con, f)["recurrences"].sum()
            <= recurrence.action_effectiveness(con, F)["recurrences"].sum())


def test_filter_values_are_bound_not_spliced(con):
    f = Filters(as_of=AS_OF, teams=("a'); DROP TABLE postmortems; --",))
    assert recurrence.overall(con, f).iloc[0]["incidents"] == 0
    assert recurrence.overall(con, F).iloc[0]["incidents"] == 9


def test_window_edges(edges):
    rows = by_id(recurrence.flags(edges, F))
    assert rows.loc["E-179", ["recurs", "previous_id", "days_since_previous"]].tolist() == [True, "E-0", 179]
    assert rows.loc["F-180", ["recurs", "previous_id", "days_since_previous"]].tolist() == [True, "F-0", 180]
    assert not rows.loc["G-181", "recurs"]  # 181 days: outside the 180-day window
    assert pd.isna(rows.loc["G-181", "previous_id"])


def test_window_setting(edges):
    wide = by_id(recurrence.flags(edges, F, Settings(recurrence_window_days=181)))
    assert wide.loc["G-181", ["recurs", "days_since_previous"]].tolist() == [True, 181]
    narrow = by_id(recurrence.flags(edges, F, Settings(recurrence_window_days=179)))
    assert narrow.loc["E-179", "recurs"] and not narrow.loc["F-180", "recurs"]


def test_same_day_order(edges):
    rows = by_id(recurrence.flags(edges, F))
    # H: same day, no start: H-1 is first, H-2 recurs on it
    assert not rows.loc["H-1", "recurs"]
    assert rows.loc["H-2", ["recurs", "previous_id", "days_since_previous"]].tolist() == [True, "H-1", 0]
    # I: I-2 started at 08:00, I-1 has no start time, so I-2 is first and I-1 recurs on it
    assert not rows.loc["I-2", "recurs"]
    assert rows.loc["I-1", ["recurs", "previous_id"]].tolist() == [True, "I-2"]


def test_explicit_links(edges):
    rows = by_id(recurrence.flags(edges, F))
    # K-2 links K-1 (another service, 59 days: 2025-01-01 -> 03-01)
    assert rows.loc["K-2", ["recurs", "explicit", "previous_id", "days_since_previous"]].tolist() == [
        True, True, "K-1", 59]
    # K-3 links K-2 (loaded, 2025-03-01 -> 12-01 = 275 days) and K-GONE (not loaded): the loaded one is shown
    assert rows.loc["K-3", ["recurs", "explicit", "previous_id", "days_since_previous"]].tolist() == [
        True, True, "K-2", 275]
    # L-3 links L-1 although L-2 is the latest implicit match
    assert rows.loc["L-3", ["explicit", "previous_id", "days_since_previous"]].tolist() == [True, "L-1", 59]
    assert rows.loc["L-2", ["recurs", "explicit", "previous_id"]].tolist() == [True, False, "L-1"]


def test_patterns_of_three_not_two(con):
    pats = recurrence.patterns(con, F)
    # PM-1 - PM-2 - PM-3 chain; PM-4 - PM-5 is only 2; PM-6's link leads to nothing loaded
    assert pats.to_dict("records") == [{
        "pattern_id": 1, "incidents": 3, "service": "api", "primary_cause_category": "code",
        "first_date": pd.Timestamp("2025-01-10"), "last_date": pd.Timestamp("2025-03-31"),
        "postmortem_ids": ["PM-1", "PM-2", "PM-3"]}]


def test_patterns_threshold_setting(con):
    pats = recurrence.patterns(con, F, Settings(pattern_incidents=2))
    assert pats[["pattern_id", "incidents", "service", "postmortem_ids"]].values.tolist() == [
        [1, 3, "api", ["PM-1", "PM-2", "PM-3"]], [2, 2, "web", ["PM-4", "PM-5"]]]


def test_patterns_follow_the_filters(con):
    # from 2025-03-01 only PM-2 and PM-3 of the api chain are kept: 2 incidents, no pattern
    assert recurrence.patterns(con, Filters(as_of=AS_OF, date_from=date(2025, 3, 1))).empty
    assert list(recurrence.patterns(con, Filters(as_of=AS_OF, teams=("nobody",))).columns) == [
        "pattern_id", "incidents", "service", "primary_cause_category", "first_date", "last_date", "postmortem_ids"]


def test_patterns_through_explicit_links(edges):
    pats = recurrence.patterns(edges, F)
    # K-1 <- K-2 <- K-3 (explicit links, two services): service and cause of the latest, K-3 (k1, code).
    # L-1, L-2, L-3 (3). E, F, H, I pairs are 2 each; G-0 and G-181 are not linked.
    assert pats[["incidents", "service", "primary_cause_category", "postmortem_ids"]].values.tolist() == [
        [3, "k1", "code", ["K-1", "K-2", "K-3"]], [3, "l", "code", ["L-1", "L-2", "L-3"]]]
    assert pats["pattern_id"].tolist() == [1, 2]  # equal sizes: the most recent last_date first (K-3 in Dec)


def test_the_first_patterns_with_their_members_and_the_count_of_all(edges):
    # the two patterns of test_patterns_through_explicit_links, K-3 (2025-12-01) happened by this as-of date:
    # K (pattern 1, the most recent), then L
    later = Filters(as_of=date(2026, 1, 1))
    found = recurrence.patterns_and_members(edges, later, limit=1)
    assert found["count"] == 2
    assert found["patterns"][["pattern_id", "postmortem_ids"]].values.tolist() == [[1, ["K-1", "K-2", "K-3"]]]
    assert found["members"][["pattern_id", "postmortem_id"]].values.tolist() == [[1, "K-1"], [1, "K-2"], [1, "K-3"]]
    whole = recurrence.patterns_and_members(edges, later)
    assert whole["count"] == 2 and whole["members"]["postmortem_id"].tolist() == ["K-1", "K-2", "K-3", "L-1", "L-2",
                                                                                  "L-3"]


def test_pareto(con):
    p = recurrence.pareto(con, F)
    # code 5 (PM-1, 2, 3, 7, 8), monitoring 2, people 1, unknown 1 (PM-9); 9 incidents
    assert p[["cause", "incidents"]].values.tolist() == [["code", 5], ["monitoring", 2], ["people", 1],
                                                         ["unknown", 1]]
    assert p["share"].tolist() == pytest.approx([5 / 9, 2 / 9, 1 / 9, 1 / 9])
    assert p["cumulative_share"].tolist() == pytest.approx([5 / 9, 7 / 9, 8 / 9, 1.0])
    assert p["cumulative_share"].iloc[-1] == 1.0


def test_pareto_filtered_still_reaches_one(con):
    p = recurrence.pareto(con, Filters(as_of=AS_OF, teams=("a",)))
    # team a: PM-1, PM-2 (code), PM-9 (unknown)
    assert p[["cause", "incidents"]].values.tolist() == [["code", 2], ["unknown", 1]]
    assert p["cumulative_share"].tolist() == pytest.approx([2 / 3, 1.0])


def test_cause_service_matrix(con):
    m = recurrence.cause_service_matrix(con, F)
    assert m.values.tolist() == [["code", "api", 3], ["code", "unknown", 2], ["monitoring", "web", 2],
                                 ["people", "search", 1], ["unknown", "api", 1]]
    assert m["incidents"].sum() == 9


def test_action_effectiveness(con):
    detail = recurrence.action_effectiveness_detail(con, F)
    # PM-2 after PM-1: PM-1's one non-cancelled action done 2025-02-01, before 2025-03-31
    # PM-3 after PM-2: PM-2's action done 2025-04-15, after PM-3's 2025-03-31 -> still open then
    # PM-5 after PM-4: PM-4's only action is cancelled -> no actions
    # PM-6 after PM-OLD: not loaded, no action known
    assert detail[["postmortem_id", "previous_id", "actions", "actions_done_before", "group"]].values.tolist() == [
        ["PM-2", "PM-1", 1, 1, "all actions done"], ["PM-3", "PM-2", 1, 0, "actions still open"],
        ["PM-5", "PM-4", 0, 0, "no actions"], ["PM-6", "PM-OLD", 0, 0, "previous not loaded"]]
    groups = recurrence.action_effectiveness(con, F)
    assert groups.values.tolist() == [["all actions done", 1, 0.25], ["actions still open", 1, 0.25],
                                      ["no actions", 1, 0.25], ["previous not loaded", 1, 0.25]]
    assert recurrence.effectiveness_groups(detail).equals(groups)  # counted in SQL, or from the rows at hand
    # the first two, oldest first: a page lists the first rows and counts them all with action_effectiveness
    first = recurrence.action_effectiveness_detail(con, F, limit=2)
    assert first["postmortem_id"].tolist() == ["PM-2", "PM-3"]


def test_action_effectiveness_with_no_recurrence(con):
    groups = recurrence.action_effectiveness(con, Filters(as_of=AS_OF, teams=("nobody",)))
    assert groups["recurrences"].tolist() == [0, 0, 0, 0]
    assert groups["share"].isna().all()


# A link to a LATER incident is a data error: ignored, as the same order as "earlier" says (incident date,
# then a known start before an unknown one, then the id).
FORWARD = [
    pm("M-1", "2025-01-10", "m", "P3", "m1", "code", recurrence_of="M-2"),       # M-2 is a month later
    pm("M-2", "2025-02-10", "m", "P3", "m2", "people"),
    pm("M-3", "2025-02-15", "m", "P3", "m3", "config", recurrence_of=["M-4", "M-2"]),  # M-4 later, M-2 earlier
    pm("M-4", "2025-03-01", "m", "P3", "m4", "capacity"),
    # same day: N-2 started at 09:00, N-1 at 10:00, so N-2 is the earlier
    pm("N-1", "2025-04-01", "n", "P3", "n1", "code", started_at="2025-04-01T10:00:00Z", recurrence_of="N-2"),
    pm("N-2", "2025-04-01", "n", "P3", "n2", "people", started_at="2025-04-01T09:00:00Z", recurrence_of="N-1"),
]


@pytest.fixture
def forward(cli, db, exports):
    yield from opened(load(cli, db, exports, FORWARD))


def test_a_link_to_a_later_incident_is_ignored(forward):
    rows = by_id(recurrence.flags(forward, F))
    assert not rows.loc["M-1", "recurs"] and not rows.loc["N-2", "recurs"]
    # M-3 keeps its link to the earlier M-2 (2025-02-10 -> 02-15: 5 days)
    assert rows.loc["M-3", ["recurs", "explicit", "previous_id", "days_since_previous"]].tolist() == [
        True, True, "M-2", 5]
    assert rows.loc["N-1", ["recurs", "previous_id", "days_since_previous"]].tolist() == [True, "N-2", 0]
    assert (rows["days_since_previous"].dropna() >= 0).all()
    assert recurrence.overall(forward, F).iloc[0].tolist() == [6, 2, pytest.approx(2 / 6)]
    # patterns of 2: M-2 - M-3 and N-2 - N-1; M-1's forward link joins nothing
    pats = recurrence.patterns(forward, F, Settings(pattern_incidents=2))
    assert pats["postmortem_ids"].tolist() == [["N-2", "N-1"], ["M-2", "M-3"]]
    detail = recurrence.action_effectiveness_detail(forward, F)
    assert detail["postmortem_id"].tolist() == ["M-3", "N-1"]


def test_ingest_warns_about_a_forward_link_naming_both(cli, db, exports):
    (exports / "pms.json").write_text(json.dumps(FORWARD[:2]), encoding="utf-8")
    code, out, err = cli("ingest", exports, "--db", db, "--verbose")
    assert code == 0, out + err
    [line] = [x for x in out.splitlines() if "later" in x]
    assert line.startswith("WARNING") and "'M-1' (2025-01-10)" in line and "'M-2' (2025-02-10)" in line


def test_a_forward_link_is_caught_when_its_target_arrives_in_a_later_run(cli, db, exports):
    (exports / "first.json").write_text(json.dumps(FORWARD[:1]), encoding="utf-8")
    code, out, _ = cli("ingest", exports, "--db", db, "--verbose")
    assert code == 0 and "later" not in out  # M-2 is not known yet: nothing to say
    (exports / "second.json").write_text(json.dumps(FORWARD[1:2]), encoding="utf-8")
    code, out, _ = cli("ingest", exports, "--db", db, "--verbose")
    [line] = [x for x in out.splitlines() if "later" in x]
    assert str(exports / "second.json") in line and "'M-1'" in line and "'M-2'" in line
    con = connect_readonly(db)
    try:
        assert not recurrence.flags(con, F)["recurs"].any()
    finally:
        con.close()


def test_patterns_are_named_by_their_incidents_titles():
    import pandas as pd

    from analytics.recurrence import with_titles

    patterns = pd.DataFrame({"pattern_id": [1], "postmortem_ids": [["A-1", "B-2"]]})
    members = pd.DataFrame({"pattern_id": [1, 1], "postmortem_id": ["A-1", "B-2"],
                            "title": ["Checkout down", None],
                            "incident_date": [pd.Timestamp("2026-01-26"), pd.Timestamp("2026-03-11")]})
    # B-2 has no title: its id stands in, after its date
    assert with_titles(patterns, members)["titles"].tolist() == [["2026-01-26 Checkout down", "2026-03-11 B-2"]]


def test_member_names_without_a_title_or_a_date():
    import pandas as pd

    from analytics.recurrence import member_names

    members = pd.DataFrame({"pattern_id": [1, 1, 1], "postmortem_id": ["A-1", "B-2", "C-3"],
                            "title": ["Checkout down", "   ", None],
                            "incident_date": [None, pd.Timestamp("2026-03-11"), None]})
    # no date, its title alone; B-2: a blank title is no title; C-3: neither, its id alone
    assert member_names(members) == {"A-1": "Checkout down", "B-2": "2026-03-11 B-2", "C-3": "C-3"}
