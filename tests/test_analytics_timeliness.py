"""Time to post-mortem on a small fixture whose numbers are worked out by hand (as of Monday 2025-03-03)."""

from datetime import date

import numpy as np
import pytest

from analytics import timeliness
from analytics.filters import Filters
from analytics.settings import Settings

AS_OF = date(2025, 3, 3)  # a Monday


def pm(pid, team, severity, incident, written=None):
    record = {"id": pid, "title": f"Incident {pid}", "team": team, "severity": severity, "service": "api",
              "incident_date": incident}
    if written:
        record["postmortem_date"] = written
    return record


FIXTURE = [
    # Fri -> next Fri: 7 days, 5 business days (Fri 10, Mon 13 .. Thu 16): within the SLA of 5
    pm("PM-1", "a", "P1", "2025-01-10", "2025-01-17"),
    # Fri -> Mon after next: 10 days, 6 business days (Fri 10, Mon 13 .. Fri 17): outside
    pm("PM-2", "a", "P2", "2025-01-10", "2025-01-20"),
    # Mon -> Tue: 1 day, 1 business day
    pm("PM-3", "b", "P1", "2025-02-03", "2025-02-04"),
    # Wed -> Wed three weeks later: 21 days, 15 business days
    pm("PM-4", "b", "P2", "2025-02-05", "2025-02-26"),
    # waiting on 03-03 since Mon 02-24: 7 days, 5 business days (Mon 24 .. Fri 28): not overdue yet
    pm("PM-5", "a", "P3", "2025-02-24"),
    # waiting since Thu 02-20: 11 days, 7 business days (Thu 20, Fri 21, Mon 24 .. Fri 28): overdue
    pm("PM-6", "b", "P1", "2025-02-20"),
    # after the as-of date: neither measured nor waiting
    pm("PM-7", "a", "P1", "2025-03-10"),
    # written on 03-05, after the as-of date: still waiting on 03-03 (6 days, 4 business days)
    pm("PM-8", "a", "P2", "2025-02-25", "2025-03-05"),
    # post-mortem dated before its incident: a data error, left out of the measure
    pm("PM-9", "a", "P3", "2025-01-15", "2025-01-14"),
]


@pytest.fixture
def con(load_records):
    return load_records(FIXTURE)


def test_distribution_days_and_business_days(con):
    rows = timeliness.distribution(con, Filters(as_of=AS_OF))
    assert rows[["postmortem_id", "days", "business_days", "within_sla"]].values.tolist() == [
        ["PM-1", 7, 5, True], ["PM-2", 10, 6, False], ["PM-3", 1, 1, True], ["PM-4", 21, 15, False]]
    assert list(rows.columns) == ["postmortem_id", "title", "team", "severity", "incident_date", "postmortem_date",
                                  "days", "business_days", "within_sla"]


def test_day_counts_count_the_distribution(load_records):
    # the fixture's written post-mortems (PM-1 P1 7 d within, PM-2 P2 10 d late, PM-3 P1 1 d within, PM-4 P2
    # 21 d late) and PM-10, a second P1 written Mon -> Tue like PM-3: 1 day, 1 business day, within
    con = load_records(FIXTURE + [pm("PM-10", "b", "P1", "2025-02-03", "2025-02-04")])
    rows = timeliness.day_counts(con, Filters(as_of=AS_OF))
    assert list(rows.columns) == ["severity", "days", "within_sla", "n"]
    assert rows.values.tolist() == [["P1", 1, True, 2], ["P1", 7, True, 1], ["P2", 10, False, 1],
                                    ["P2", 21, False, 1]]
    # an SLA of 6 business days takes PM-2 (6 business days) within; team b keeps PM-3, PM-4 and PM-10
    assert timeliness.day_counts(con, Filters(as_of=AS_OF), Settings(postmortem_sla_business_days=6))[
        "within_sla"].tolist() == [True, True, True, False]
    assert timeliness.day_counts(con, Filters(as_of=AS_OF, teams=("b",))).values.tolist() == [
        ["P1", 1, True, 2], ["P2", 21, False, 1]]


def test_summary_overall(con):
    row = timeliness.summary(con, Filters(as_of=AS_OF)).iloc[0].to_dict()
    # days 1, 7, 10, 21: median (7 + 10) / 2; p90 at rank 2.7 = 10 + 0.7 * 11
    assert row["n"] == 4 and row["max"] == 21
    assert row["median"] == pytest.approx(8.5) and row["p90"] == pytest.approx(17.7)
    assert row["within_sla"] == 2 and row["within_sla_rate"] == pytest.approx(0.5)
    assert bool(row["small_sample"]) is True  # 4 < 5


def test_summary_by_severity_and_team(con):
    sev = timeliness.summary(con, Filters(as_of=AS_OF), by="severity").set_index("severity")
    assert sev.index.tolist() == ["P1", "P2"]
    assert sev.loc["P1", ["n", "max", "within_sla"]].tolist() == [2, 7, 2]
    assert sev.loc["P1", "median"] == pytest.approx(4.0) and sev.loc["P1", "p90"] == pytest.approx(6.4)
    assert sev.loc["P1", "within_sla_rate"] == pytest.approx(1.0)
    assert sev.loc["P2", ["n", "max", "within_sla"]].tolist() == [2, 21, 0]
    assert sev.loc["P2", "median"] == pytest.approx(15.5) and sev.loc["P2", "p90"] == pytest.approx(19.9)
    team = timeliness.summary(con, Filters(as_of=AS_OF), by="team").set_index("team")
    assert team.loc["a", ["n", "within_sla"]].tolist() == [2, 1]
    assert team.loc["b", ["n", "within_sla", "max"]].tolist() == [2, 1, 21]


def test_summary_by_quarter(con):
    rows = timeliness.summary(con, Filters(as_of=AS_OF), by="quarter")
    assert rows[["quarter", "n", "within_sla"]].values.tolist() == [["2025-Q1", 4, 2]]


def test_sla_setting_moves_within_sla(con):
    row = timeliness.summary(con, Filters(as_of=AS_OF), Settings(postmortem_sla_business_days=6)).iloc[0]
    assert row["within_sla"] == 3 and row["within_sla_rate"] == pytest.approx(0.75)  # PM-2 now within


def test_small_sample_setting(con):
    assert not timeliness.summary(con, Filters(as_of=AS_OF), Settings(small_sample=4)).iloc[0]["small_sample"]


def test_waiting_list(con):
    rows = timeliness.waiting(con, Filters(as_of=AS_OF))
    assert rows[["postmortem_id", "days_waiting", "business_days_waiting", "overdue"]].values.tolist() == [
        ["PM-6", 11, 7, True], ["PM-5", 7, 5, False], ["PM-8", 6, 4, False]]
    for column in ("postmortem_id", "title", "team", "severity", "incident_date", "days_waiting", "overdue"):
        assert column in rows.columns


def test_a_later_as_of_measures_what_was_waiting(con):
    later = date(2025, 3, 10)
    rows = timeliness.distribution(con, Filters(as_of=later)).set_index("postmortem_id")
    # PM-8: Tue 02-25 -> Wed 03-05: 8 days, 6 business days (Tue 25 .. Fri 28, Mon 3, Tue 4)
    assert rows.loc["PM-8", ["days", "business_days", "within_sla"]].tolist() == [8, 6, False]
    waiting = timeliness.waiting(con, Filters(as_of=later))
    assert waiting["postmortem_id"].tolist() == ["PM-6", "PM-5", "PM-7"]
    assert waiting["days_waiting"].tolist() == [18, 14, 0]


def test_unknown_grouping_is_refused(con):
    with pytest.raises(ValueError):
        timeliness.summary(con, Filters(as_of=AS_OF), by="owner")


FILTERS = (Filters(as_of=AS_OF, teams=("a",)), Filters(as_of=AS_OF, severities=("P2",)),
           Filters(as_of=AS_OF, services=("web",)), Filters(as_of=AS_OF, date_from=date(2025, 2, 1)),
           Filters(as_of=AS_OF, date_to=date(2025, 1, 31)), Filters(as_of=AS_OF, cause_categories=("code",)))


def test_filters_never_raise_counts_and_rates_stay_in_range(con):
    everything = timeliness.summary(con, Filters(as_of=AS_OF)).iloc[0]
    waiting_all = len(timeliness.waiting(con, Filters(as_of=AS_OF)))
    for f in FILTERS:
        row = timeliness.summary(con, f).iloc[0]
        assert row["n"] <= everything["n"] and row["within_sla"] <= everything["within_sla"]
        assert np.isnan(row["within_sla_rate"]) or 0 <= row["within_sla_rate"] <= 1
        assert len(timeliness.waiting(con, f)) <= waiting_all
        assert len(timeliness.distribution(con, f)) == row["n"] == timeliness.day_counts(con, f)["n"].sum()
        for by in ("severity", "team", "quarter"):
            rates = timeliness.summary(con, f, by=by)["within_sla_rate"]
            assert ((rates >= 0) & (rates <= 1)).all()
    row = timeliness.summary(con, Filters(as_of=AS_OF, teams=("a",))).iloc[0]
    assert (row["n"], row["within_sla"]) == (2, 1)


def test_everything_filtered_out(con):
    f = Filters(as_of=AS_OF, teams=("a'); DROP TABLE postmortems; --",))
    row = timeliness.summary(con, f).iloc[0]
    assert row["n"] == 0 and row["within_sla"] == 0 and np.isnan(row["within_sla_rate"])
    assert timeliness.summary(con, f, by="team").empty
    assert timeliness.distribution(con, f).empty and timeliness.waiting(con, f).empty
    assert timeliness.summary(con, Filters(as_of=AS_OF)).iloc[0]["n"] == 4
