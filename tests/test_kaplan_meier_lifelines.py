"""The Kaplan–Meier estimate behind "time to close an action", checked by a second route: lifelines,
the maintained survival-analysis library, on the same durations. Our 20 lines stay (no heavy runtime
dependency for one product), but they must agree with lifelines at every time, ties and censoring
included."""

from __future__ import annotations

import numpy as np
import pytest

from analytics.actions import kaplan_meier

lifelines = pytest.importorskip("lifelines", reason="lifelines is a test dependency: make install-test")


def lifelines_curve(durations, events) -> dict[float, float]:
    fitter = lifelines.KaplanMeierFitter().fit(durations, event_observed=events)
    column = fitter.survival_function_.columns[0]
    return {float(t): float(s) for t, s in fitter.survival_function_[column].items()}


def test_a_hand_worked_curve():
    # Durations 2, 3, 3, 5, 8 days; the second 3 and the 8 are still open (censored).
    # S(2) = 4/5 = 0.8; at 3, 4 at risk, 1 closed: 0.8 * 3/4 = 0.6; at 5, 2 at risk, 1 closed: 0.3;
    # at 8 only a censoring: S stays 0.3.
    curve = kaplan_meier(np.array([2, 3, 3, 5, 8]), np.array([True, True, False, True, False]))
    assert curve["days"].tolist() == [0.0, 2.0, 3.0, 5.0, 8.0]
    assert curve["at_risk"].tolist() == [5, 5, 4, 2, 1]
    assert curve["still_open"].round(10).tolist() == [1.0, 0.8, 0.6, 0.3, 0.3]
    assert curve["censored"].tolist() == [0, 0, 1, 0, 1]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_agrees_with_lifelines_on_skewed_durations_with_ties_and_censoring(seed):
    rng = np.random.default_rng(seed)
    # Skewed like real closing times (most within weeks, a long tail), whole days so times tie often,
    # about a third still open; a few closed on the day they were opened (duration 0).
    durations = np.floor(rng.lognormal(mean=3.0, sigma=1.1, size=400))
    events = rng.random(400) > 0.35
    ours = kaplan_meier(durations, events)
    theirs = lifelines_curve(durations, events)
    assert set(ours["days"]) == set(theirs)
    for day, still_open in zip(ours["days"], ours["still_open"]):
        assert still_open == pytest.approx(theirs[day], abs=1e-12), f"S({day})"


def test_agrees_with_lifelines_when_nothing_is_closed_yet():
    durations, events = np.array([4.0, 9.0, 9.0]), np.array([False, False, False])
    ours = kaplan_meier(durations, events)
    theirs = lifelines_curve(durations, events)
    assert dict(zip(ours["days"], ours["still_open"])) == pytest.approx(theirs)
    assert ours["still_open"].tolist() == [1.0, 1.0, 1.0]
