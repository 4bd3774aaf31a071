"""Patterns active in a quarter: defined once (analytics.recurrence.active_patterns), so that the review pack
and the Causes page filtered to a quarter list the same patterns. Worked out by hand on this fixture
(recurrence window 180 days, patterns of 3 or more):

    B-1 2025-01-05  web  monitoring   B-2 2025-02-05   B-3 2025-03-05     a pattern inside 2025-Q1
    A-1 2025-05-10  pay  code         A-2 2025-06-20   A-3 2025-07-15     a pattern with only A-3 in 2025-Q3
    D-1 2025-08-01  mq   people (x)   D-2 2025-08-10 (team y)   D-3 2025-08-20 (x)   inside 2025-Q3
    C-1 2025-09-20  db   code         C-2 2025-10-02   C-3 2025-10-20     two of three after 2025-Q3

Each chains on the one before (same service and cause, well within 180 days)."""

from datetime import date

import pytest

from analytics import recurrence
from analytics.filters import Filters
from test_analytics_recurrence import load, opened, pm

AS_OF = date(2025, 12, 31)
Q1, Q2, Q3, Q4 = ((date(2025, 1, 1), date(2025, 3, 31)), (date(2025, 4, 1), date(2025, 6, 30)),
                  (date(2025, 7, 1), date(2025, 9, 30)), (date(2025, 10, 1), date(2025, 12, 31)))

RECORDS = [
    pm("B-1", "2025-01-05", "x", "P3", "web", "monitoring"), pm("B-2", "2025-02-05", "x", "P3", "web", "monitoring"),
    pm("B-3", "2025-03-05", "x", "P3", "web", "monitoring"),
    pm("A-1", "2025-05-10", "x", "P2", "pay", "code", actions=[
        {"description": "Retry with backoff", "owner": "@a", "status": "done", "completed_at": "2025-06-01"}]),
    pm("A-2", "2025-06-20", "x", "P2", "pay", "code", actions=[
        {"description": "Alert on queue depth", "owner": "@a", "status": "todo"}]),
    pm("A-3", "2025-07-15", "x", "P2", "pay", "code"),
    pm("D-1", "2025-08-01", "x", "P3", "mq", "people"), pm("D-2", "2025-08-10", "y", "P3", "mq", "people"),
    pm("D-3", "2025-08-20", "x", "P3", "mq", "people"),
    pm("C-1", "2025-09-20", "x", "P4", "db", "code"), pm("C-2", "2025-10-02", "x", "P4", "db", "code"),
    pm("C-3", "2025-10-20", "x", "P4", "db", "code"),
]


@pytest.fixture
def con(cli, db, exports):
    yield from opened(load(cli, db, exports, RECORDS))


def ids(table) -> list[list[str]]:
    return [list(x) for x in table["postmortem_ids"]]


def test_a_pattern_is_active_in_a_quarter_when_one_of_its_incidents_is_in_it(con):
    f = Filters(as_of=AS_OF)
    # Q3: D (3 incidents, all in Q3) and A (A-3 in Q3, A-1 and A-2 before it belong to the pattern);
    # equal sizes: the most recent last incident first (D-3 2025-08-20 after A-3 2025-07-15).
    # C is not one yet: only C-1 had happened by 2025-09-30. B ended in Q1.
    q3 = recurrence.active_patterns(con, f, start=Q3[0], end=Q3[1])
    assert ids(q3) == [["D-1", "D-2", "D-3"], ["A-1", "A-2", "A-3"]]
    assert q3["pattern_id"].tolist() == [1, 2]
    assert ids(recurrence.active_patterns(con, f, start=Q1[0], end=Q1[1])) == [["B-1", "B-2", "B-3"]]
    # Q2: are only two; Q4: C (C-2 and C-3 in Q4); A ended in Q3
    assert recurrence.active_patterns(con, f, start=Q2[0], end=Q2[1]).empty
    assert ids(recurrence.active_patterns(con, f, start=Q4[0], end=Q4[1])) == [["C-1", "C-2", "C-3"]]


def test_the_page_filtered_to_a_quarter_lists_the_same_patterns(con):
    # The Causes page passes its filters: their date range is the period.
    page = recurrence.active_patterns(con, Filters(as_of=AS_OF, date_from=Q3[0], date_to=Q3[1]))
    assert ids(page) == [["D-1", "D-2", "D-3"], ["A-1", "A-2", "A-3"]]
    # patterns() on the quarter's incidents alone finds only D: are outside the range
    assert ids(recurrence.patterns(con, Filters(as_of=AS_OF, date_from=Q3[0], date_to=Q3[1]))) == [
        ["D-1", "D-2", "D-3"]]
    # no date range: every pattern up to the as-of date, largest then most recent first
    assert ids(recurrence.active_patterns(con, Filters(as_of=AS_OF))) == [
        ["C-1", "C-2", "C-3"], ["D-1", "D-2", "D-3"], ["A-1", "A-2", "A-3"], ["B-1", "B-2", "B-3"]]
    # on 2025-10-05 C-3 had not happened: C-1 and C-2 are only two
    assert ids(recurrence.active_patterns(con, Filters(as_of=date(2025, 10, 5)))) == [
        ["D-1", "D-2", "D-3"], ["A-1", "A-2", "A-3"], ["B-1", "B-2", "B-3"]]


def test_other_filters_still_apply(con):
    # team x leaves D-2 out: D-1 and D-3 are not linked to each other (D-3's previous is D-2)
    q3 = recurrence.active_patterns(con, Filters(as_of=AS_OF, teams=("x",)), start=Q3[0], end=Q3[1])
    assert ids(q3) == [["A-1", "A-2", "A-3"]]


def test_pattern_members_say_whether_the_earlier_actions_were_done(con):
    members = recurrence.pattern_members(con, Filters(as_of=AS_OF), start=Q3[0], end=Q3[1])
    a = members[members["pattern_id"] == 2].set_index("postmortem_id")
    assert a.index.tolist() == ["A-1", "A-2", "A-3"]
    assert a["in_period"].tolist() == [False, False, True]
    assert a["title"].tolist() == ["Incident A-1", "Incident A-2", "Incident A-3"]
    # A-2 came back after A-1's one action was done (2025-06-01 <= 2025-06-20); A-3 after A-2's action,
    # still to do; A-1 recurs on nothing
    assert a.loc["A-2", ["previous_id", "previous_title", "group"]].tolist() == [
        "A-1", "Incident A-1", "all actions done"]
    assert a.loc["A-3", ["previous_actions", "previous_actions_done", "group"]].tolist() == [
        1, 0, "actions still open"]
    assert a.loc["A-1", ["previous_id", "group"]].isna().all()
    assert members[members["pattern_id"] == 1]["in_period"].all()  # D-1..D-3 are all in Q3
