"""Response times on a small fixture whose numbers are worked out by hand."""

from datetime import date

import pytest

from analytics import response
from analytics.filters import Filters
from analytics.settings import Settings


def pm(pid, severity, team, day, **minutes):
    record = {"id": pid, "title": pid, "severity": severity, "team": team, "service": "api", "incident_date": day}
    record.update({f"time_to_{k}": v for k, v in minutes.items()})
    return record


FIXTURE = [
    pm("R-1", "P1", "a", "2025-01-10", detect=5, acknowledge=10, mitigate=30, resolve=60),
    pm("R-2", "P1", "a", "2025-02-10", detect=15, acknowledge=20, mitigate=50, resolve=100),
    pm("R-3", "P2", "b", "2025-04-10", detect=25, acknowledge=40, resolve=300),
    pm("R-4", "P2", "b", "2025-04-20", resolve=20),
    pm("R-5", "P3", "b", "2025-05-02", detect=2, resolve=1440),
]


@pytest.fixture
def con(load_records):
    return load_records(FIXTURE)


def stats(table, metric, group="all"):
    row = table[(table["metric"] == metric) & (table["group"] == group)].iloc[0]
    return [row["n"], row["median"], pytest.approx(row["p90"]), row["max"]]


def test_overall_distributions(con):
    table = response.distributions(con, Filters())
    assert list(table.columns) == ["metric", "group", "n", "median", "p90", "max"]
    assert table["metric"].tolist() == ["detect", "acknowledge", "mitigate", "resolve"]
    # detect 2, 5, 15, 25: p90 at rank 2.7 = 15 + 0.7 * 10
    assert stats(table, "detect") == [4, 10.0, 22.0, 25.0]
    # acknowledge 10, 20, 40: p90 at rank 1.8 = 20 + 0.8 * 20
    assert stats(table, "acknowledge") == [3, 20.0, 36.0, 40.0]
    # mitigate 30, 50: p90 at rank 0.9 = 30 + 0.9 * 20
    assert stats(table, "mitigate") == [2, 40.0, 48.0, 50.0]
    # resolve 20, 60, 100, 300, 1440: p90 at rank 3.6 = 300 + 0.6 * 1140
    assert stats(table, "resolve") == [5, 100.0, 984.0, 1440.0]


def test_by_severity(con):
    table = response.distributions(con, Filters(), by="severity")
    assert stats(table, "detect", "P1") == [2, 10.0, 14.0, 15.0]
    assert stats(table, "detect", "P2") == [1, 25.0, 25.0, 25.0]
    assert stats(table, "resolve", "P2") == [2, 160.0, 272.0, 300.0]  # 20, 300
    assert stats(table, "resolve", "P3") == [1, 1440.0, 1440.0, 1440.0]
    assert table[table["metric"] == "mitigate"]["group"].tolist() == ["P1"]  # only P1 gives one


def test_by_team_and_quarter(con):
    team = response.distributions(con, Filters(), by="team")
    assert stats(team, "resolve", "a") == [2, 80.0, 96.0, 100.0]
    assert stats(team, "acknowledge", "b") == [1, 40.0, 40.0, 40.0]
    quarter = response.distributions(con, Filters(), by="quarter")
    assert stats(quarter, "resolve", "2025-Q1") == [2, 80.0, 96.0, 100.0]
    assert stats(quarter, "resolve", "2025-Q2") == [3, 300.0, 1212.0, 1440.0]  # 20, 300, 1440: 300 + 0.8 * 1140
    # a fiscal year starting in April puts R-3..R-5 in 2025-Q1 and in 2024-Q4
    fiscal = response.distributions(con, Filters(), by="quarter", settings=Settings(fiscal_year_start_month=4))
    assert sorted(set(fiscal["group"])) == ["2024-Q4", "2025-Q1"]


def test_unknown_grouping_is_refused(con):
    with pytest.raises(ValueError):
        response.distributions(con, Filters(), by="service; DROP TABLE postmortems")


FILTERS = (Filters(teams=("a",)), Filters(severities=("P2",)), Filters(date_from=date(2025, 4, 1)),
           Filters(date_to=date(2025, 1, 31)), Filters(services=("web",)), Filters(cause_categories=("code",)))


def test_filters_never_raise_counts(con):
    everything = response.distributions(con, Filters()).set_index("metric")["n"]
    for f in FILTERS:
        table = response.distributions(con, f).set_index("metric")["n"]
        for metric, n in table.items():
            assert n <= everything[metric]
    assert response.distributions(con, Filters(teams=("a",))).set_index("metric")["n"].tolist() == [2, 2, 2, 2]


def test_everything_filtered_out(con):
    f = Filters(teams=("nobody",))
    for by in (None, "severity", "team", "quarter"):
        assert response.distributions(con, f, by=by).empty
