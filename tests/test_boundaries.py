"""The edges of the metric definitions, worked out by hand: a value on the boundary is inside. Each test
fails under one of the mutations bench/mutations.py applies (see there), so a wrong comparison cannot
pass the suite unnoticed."""

from datetime import date

import pytest

from analytics import actions, catalog
from analytics.filters import Filters
from pipeline.values import parse_date

AS_OF = date(2025, 4, 1)
FIXTURE = [
    {"id": "B-1", "title": "First", "team": "a", "incident_date": "2025-01-06", "actions": [
        # done on its due date: on time ("on or before")
        {"description": "On the day", "due": "2025-01-20", "status": "done", "completed_at": "2025-01-20"},
        # done the day after: late
        {"description": "A day late", "due": "2025-01-20", "status": "done", "completed_at": "2025-01-21"}]},
    {"id": "B-2", "title": "Second", "team": "a", "incident_date": "2025-02-10"},
    {"id": "B-3", "title": "Third", "team": "a", "incident_date": "2025-03-03"},
]


@pytest.fixture
def con(load_records):
    return load_records(FIXTURE)


def test_done_on_the_due_date_is_on_time(con):
    row = actions.summary(con, Filters(as_of=AS_OF)).iloc[0]
    assert (row["due"], row["on_time"], row["on_time_rate"]) == (2, 1, 0.5)
    by_quarter = actions.rates_by_quarter(con, Filters(as_of=AS_OF)).iloc[0]
    assert (by_quarter["quarter"], by_quarter["on_time"]) == ("2025-Q1", 1)


def test_due_on_the_as_of_date_is_due(con):
    # both actions are due 2025-01-20: on that day they count, the day before they do not
    assert actions.summary(con, Filters(as_of=date(2025, 1, 20))).iloc[0]["due"] == 2
    assert actions.summary(con, Filters(as_of=date(2025, 1, 19))).iloc[0]["due"] == 0


@pytest.mark.parametrize("date_from, date_to, expected", [
    (date(2025, 2, 10), date(2025, 2, 10), ["B-2"]),          # both ends on the incident day: it is kept
    (date(2025, 2, 10), None, ["B-3", "B-2"]),
    (None, date(2025, 2, 10), ["B-2", "B-1"]),
    (date(2025, 2, 11), date(2025, 3, 2), []),
])
def test_the_date_range_includes_both_ends(con, date_from, date_to, expected):
    f = Filters(as_of=AS_OF, date_from=date_from, date_to=date_to)
    assert catalog.postmortems(con, f)["postmortem_id"].tolist() == expected


@pytest.mark.parametrize("raw, expected", [
    ("03/25/2025", date(2025, 3, 25)),   # the day can only be second: month first
    ("25/03/2025", date(2025, 3, 25)),   # day first, the default
    ("12/31/2024", date(2024, 12, 31)),
])
def test_a_full_date_whose_day_can_only_be_second_is_read_month_first(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw, reference, expected", [
    ("01/20", date(2025, 1, 15), date(2025, 1, 20)),   # tracker dates are month first
    ("20/01", date(2025, 1, 15), date(2025, 1, 20)),   # unless the month cannot be first
    ("31/03", date(2025, 3, 4), date(2025, 3, 31)),
])
def test_a_tracker_date_whose_month_cannot_be_first_is_read_day_first(raw, reference, expected):
    assert parse_date(raw, reference) == expected
