"""Impact totals on a small fixture whose numbers are worked out by hand."""

from datetime import date

import pandas as pd
import pytest

from analytics import impact
from analytics.filters import Filters

FIXTURE = [
    {"id": "I-1", "title": "t", "team": "a", "severity": "P1", "service": "api", "incident_date": "2025-01-06",
     "users_affected": 100, "failed_requests": 1000, "lost_transactions": 5, "estimated_cost": 2500},
    {"id": "I-2", "title": "t", "team": "a", "severity": "P2", "service": "web", "incident_date": "2025-02-06",
     "users_affected": 50, "estimated_cost": "500 €"},
    {"id": "I-3", "title": "t", "team": "b", "severity": "P2", "service": "api", "incident_date": "2025-03-06",
     "failed_requests": "~200", "lost_transactions": 0},
    {"id": "I-4", "title": "t", "team": "b", "severity": "P3", "service": "db", "incident_date": "2025-04-06"},
    {"id": "I-5", "title": "t", "severity": "P1", "service": "api", "incident_date": "2025-05-06",
     "users_affected": 10, "estimated_cost": 1000},
]
COUNTS = ["postmortems", "users_affected_n", "failed_requests_n", "lost_transactions_n", "estimated_cost_n"]
SUMS = ["users_affected", "failed_requests", "lost_transactions", "estimated_cost"]


@pytest.fixture
def con(load_records):
    return load_records(FIXTURE)


def values(row, columns):
    return [None if pd.isna(row[c]) else row[c] for c in columns]


def test_totals(con):
    row = impact.totals(con, Filters()).iloc[0]
    assert list(row.index) == ["postmortems", "users_affected", "users_affected_n", "failed_requests",
                               "failed_requests_n", "lost_transactions", "lost_transactions_n", "estimated_cost",
                               "estimated_cost_n"]
    assert values(row, SUMS) == [160, 1200, 5, 4000.0]
    assert values(row, COUNTS) == [5, 3, 2, 2, 3]


def test_by_team(con):
    rows = impact.by(con, Filters(), "team")
    # highest cost first: a (3000), no team (1000), b (no cost given)
    assert [None if pd.isna(t) else t for t in rows["team"]] == ["a", None, "b"]
    assert values(rows.iloc[0], SUMS) == [150, 1000, 5, 3000.0]
    assert values(rows.iloc[0], COUNTS) == [2, 2, 1, 1, 2]
    assert values(rows.iloc[2], SUMS) == [None, 200, 0, None]  # unknown, not zero
    assert values(rows.iloc[2], COUNTS) == [2, 0, 1, 1, 0]


def test_by_severity_and_service(con):
    sev = impact.by(con, Filters(), "severity").set_index("severity")
    assert values(sev.loc["P1"], SUMS) == [110, 1000, 5, 3500.0]
    assert values(sev.loc["P2"], SUMS) == [50, 200, 0, 500.0]
    assert values(sev.loc["P3"], SUMS + COUNTS) == [None, None, None, None, 1, 0, 0, 0, 0]
    svc = impact.by(con, Filters(), "service").set_index("service")
    assert values(svc.loc["api"], SUMS) == [110, 1200, 5, 3500.0]
    assert svc.index.tolist() == ["api", "web", "db"]


def test_unknown_grouping_is_refused(con):
    with pytest.raises(ValueError):
        impact.by(con, Filters(), "owner")


FILTERS = (Filters(teams=("a",)), Filters(severities=("P2",)), Filters(services=("api",)),
           Filters(date_from=date(2025, 3, 1)), Filters(date_to=date(2025, 2, 28)), Filters(cause_categories=("code",)))


def test_filters_never_raise_counts(con):
    everything = impact.totals(con, Filters()).iloc[0]
    for f in FILTERS:
        row = impact.totals(con, f).iloc[0]
        for column in COUNTS:
            assert row[column] <= everything[column]
        for column in SUMS:  # every value in the fixture is >= 0
            assert pd.isna(row[column]) or row[column] <= everything[column]
    assert values(impact.totals(con, Filters(teams=("a",))).iloc[0], SUMS) == [150, 1000, 5, 3000.0]


def test_everything_filtered_out(con):
    f = Filters(teams=("nobody",))
    row = impact.totals(con, f).iloc[0]
    assert values(row, COUNTS) == [0, 0, 0, 0, 0]
    assert values(row, SUMS) == [None, None, None, None]
    for group in ("team", "severity", "service"):
        assert impact.by(con, f, group).empty
