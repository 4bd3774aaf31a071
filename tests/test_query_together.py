"""analytics.base.together: a metric made of several queries runs them at once (issue 11: the Quarterly
trends' five queries, the Overview's eight and the review pack's eleven each waited for the sum)."""

from __future__ import annotations

import threading

import pytest

from analytics import actions, catalog
from analytics.base import together
from analytics.filters import Filters


def test_results_come_back_in_the_order_of_the_calls():
    assert together(lambda: "a", lambda: "b", lambda: "c") == ["a", "b", "c"]
    assert together(lambda: 1) == [1]
    assert together() == []


def test_the_calls_run_at_the_same_time():
    # Each call waits at a barrier for the other: run one after the other, the first would wait alone
    # and the barrier would break after its timeout.
    barrier = threading.Barrier(2, timeout=10)
    assert together(lambda: barrier.wait() is not None, lambda: barrier.wait() is not None) == [True, True]


def test_calls_that_use_together_themselves_do_not_wait_on_each_other():
    barrier = threading.Barrier(4, timeout=10)

    def pair():
        return together(barrier.wait, barrier.wait)

    assert sorted(i for pair_ in together(pair, pair) for i in pair_) == [0, 1, 2, 3]


def test_an_exception_in_one_call_is_raised_to_the_caller():
    def fails():
        raise ValueError("no such column")

    with pytest.raises(ValueError, match="no such column"):
        together(lambda: 1, fails)


def test_queries_on_one_reader_connection_at_once_give_what_they_give_one_by_one(load_records):
    # Two post-mortems, three actions (two done): the same counts whether asked together or apart.
    con = load_records([
        {"id": "PM-1", "title": "One", "incident_date": "2025-01-10", "team": "a", "actions": [
            {"description": "x", "status": "done", "completed_at": "2025-01-12"},
            {"description": "y", "status": "todo"}]},
        {"id": "PM-2", "title": "Two", "incident_date": "2025-02-10", "team": "b", "actions": [
            {"description": "z", "status": "done", "completed_at": "2025-02-11"}]},
    ])
    f = Filters()
    apart = [catalog.counts(con), actions.summary(con, f)] * 4
    at_once = together(*[lambda: catalog.counts(con), lambda: actions.summary(con, f)] * 4)
    for one, other in zip(apart, at_once):
        assert one.equals(other)
    assert int(at_once[0].iloc[0]["postmortems"]) == 2 and int(at_once[1].iloc[0]["done"]) == 2
