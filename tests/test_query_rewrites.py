"""The linear rewrites of the dashboard's heaviest queries (issue 11) give what the definitions say.

Each rewritten function is checked against a reference written here from its definition (docs/metrics.md
and the module docstrings), by brute force over the raw tables in plain Python: every pair of incidents
is looked at, as the quadratic SQL did, but by a route of its own. The references run on the demo corpus
and on a generated one, under several filters; then hand-worked fixtures pin the window rewrites' edges:
ties on the same day, the exact window boundary, a forward link, missing services and causes, and a
filter that breaks a chain of recurrences.

bench/query_snapshots.py compares every analytics function's whole output before and after a rewrite;
bench/dashboard_bench.py times them."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import duckdb
import numpy as np
import pandas as pd
import pytest

from analytics import actions, catalog, coverage, escalations, learning, recurrence, timeliness
from analytics.base import business_days
from analytics.db import connect_readonly
from analytics.filters import Filters
from analytics.settings import Settings
from conftest import AS_OF, DEMO_CONFIG, query, run_cli
from hindsight.config import read_config

TODAY = date.fromisoformat(AS_OF)
SETTINGS = Settings.from_mapping(read_config(DEMO_CONFIG))
FAR = date.max


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """400 post-mortems of another seed, written by `hindsight demo` and ingested by `hindsight ingest`."""
    root = tmp_path_factory.mktemp("rewrites")
    assert run_cli("demo", "--out", str(root / "corpus"), "--count", "400", "--seed", "11")[0] == 0
    db = root / "generated.duckdb"
    assert run_cli("ingest", str(root / "corpus"), "--db", str(db), "--config", str(DEMO_CONFIG), "--quiet")[0] == 1
    return db


@pytest.fixture(params=["demo", "generated"])
def corpus(request):
    db = request.getfixturevalue("demo_db" if request.param == "demo" else "generated")
    con = connect_readonly(db)
    yield db, con
    con.close()


def selections(db) -> list[Filters]:
    team = query(db, "SELECT team FROM postmortems GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")[0][0]
    everyone = Filters(as_of=TODAY)
    return [everyone, dataclasses.replace(everyone, teams=(team,)),
            dataclasses.replace(everyone, severities=("P1", "P2")),
            dataclasses.replace(everyone, date_from=date(2025, 6, 1)),
            dataclasses.replace(everyone, as_of=date(2025, 9, 30))]


# --- references --------------------------------------------------------------------------------------

def postmortems(db) -> list[dict]:
    """Every post-mortem in the order "earlier" means: incident date, a known start before an unknown one,
    then the id; undated ones last."""
    rows = query(db, "SELECT postmortem_id, incident_date, started_at, service, primary_cause_category, team, "
                     "severity FROM postmortems")
    keys = ["id", "date", "started", "service", "cause", "team", "severity"]
    pms = [dict(zip(keys, row)) for row in rows]
    return sorted(pms, key=lambda p: (p["date"] is None, p["date"] or FAR, p["started"] is None,
                                      p["started"] or pd.Timestamp.max, p["id"]))


def kept(pm: dict, f: Filters) -> bool:
    return ((not f.teams or pm["team"] in f.teams) and (not f.severities or pm["severity"] in f.severities)
            and (not f.services or pm["service"] in f.services)
            and (not f.cause_categories or pm["cause"] in f.cause_categories)
            and (f.date_from is None or (pm["date"] is not None and pm["date"] >= f.date_from))
            and (f.date_to is None or (pm["date"] is not None and pm["date"] <= f.date_to)))


def reference_flags(db, window: int) -> dict[str, dict]:
    """Per post-mortem: implicit (the latest earlier dated incident of the same service and cause within the
    window, every pair compared), explicit (the latest valid link target), previous and recurs."""
    pms = postmortems(db)
    position = {p["id"]: i for i, p in enumerate(pms) if p["date"] is not None}
    by_id = {p["id"]: p for p in pms}
    flags = {}
    for i, a in enumerate(pms):
        implicit = None
        if a["date"] is not None and a["service"] is not None and a["cause"] is not None:
            for b in pms[:i]:
                if (b["service"], b["cause"]) == (a["service"], a["cause"]) and b["date"] is not None \
                        and (a["date"] - b["date"]).days <= window:
                    implicit = b["id"]  # the last one seen is the latest earlier
        flags[a["id"]] = {"implicit": implicit, "links": []}
    for source, target in set(query(db, "SELECT postmortem_id, recurrence_of FROM recurrence_links")):
        if source == target or source not in flags:
            continue
        if source in position and target in position and position[target] > position[source]:
            continue  # a link to a later incident is a data error: ignored
        flags[source]["links"].append(target)
    for pid, flag in flags.items():
        # the latest target first: incident date, then start (unknown ones last), then the id, all descending
        flag["links"].sort(reverse=True)
        flag["links"].sort(key=lambda target: _latest_first(by_id.get(target)))
        flag["explicit"] = flag["links"][0] if flag["links"] else None
        flag["previous"] = flag["explicit"] or flag["implicit"]
        previous = by_id.get(flag["previous"])
        flag["days"] = ((by_id[pid]["date"] - previous["date"]).days
                        if previous and previous["date"] and by_id[pid]["date"] else None)
    return flags


def _latest_first(target: dict | None) -> tuple:
    dated = target is not None and target["date"] is not None
    started = target is not None and target["started"] is not None
    return (not dated, -target["date"].toordinal() if dated else 0,
            not started, -target["started"].timestamp() if started else 0)


def reference_patterns(db, f: Filters, settings: Settings) -> list[tuple]:
    """Connected components of the kept incidents, linked by an implicit previous or an explicit link with
    both ends kept; (member ids oldest first, first date, last date) of those with enough members."""
    pms = [p for p in postmortems(db) if kept(p, f)]
    flags = reference_flags(db, settings.recurrence_window_days)
    ids = [p["id"] for p in pms]
    component = {pid: {pid} for pid in ids}
    for pid in ids:
        for other in [flags[pid]["implicit"], *flags[pid]["links"]]:
            if other in component and component[other] is not component[pid]:
                merged = component[pid] | component[other]
                for member in merged:
                    component[member] = merged
    groups, seen = [], set()
    for pid in ids:
        if id(component[pid]) not in seen and len(component[pid]) >= settings.pattern_incidents:
            seen.add(id(component[pid]))
            members = [p for p in pms if p["id"] in component[pid]]
            dates = [p["date"] for p in members if p["date"] is not None]
            groups.append(([p["id"] for p in members], min(dates, default=None), max(dates, default=None)))
    return sorted(groups)


def reference_architecture_review(db, f: Filters, settings: Settings) -> list[tuple]:
    """(subject, since, owner, evidence) per service and cause: the latest incident whose window (its pair's
    incidents up to it, no more than the window's days before) holds enough incidents, while current."""
    pms = [p for p in postmortems(db) if kept(p, f) and p["date"] is not None and p["date"] <= f.as_of
           and p["service"] is not None and p["cause"] is not None]
    found = {}
    for i, a in enumerate(pms):
        members = [b for b in pms[:i + 1] if (b["service"], b["cause"]) == (a["service"], a["cause"])
                   and (a["date"] - b["date"]).days <= settings.pattern_window_days]
        if len(members) >= settings.pattern_incidents:
            found[(a["service"], a["cause"])] = (a, members)
    return sorted((f"{service} / {cause}", min(b["date"] for b in members), a["team"], [b["id"] for b in members])
                  for (service, cause), (a, members) in found.items()
                  if (f.as_of - a["date"]).days <= settings.pattern_window_days)


# --- the rewrites against the references -------------------------------------------------------------

def reference_cohorts(db, f: Filters, settings: Settings) -> dict[str, dict]:
    """Per quarter of the kept incidents: their actions (cancelled ones aside), and per window of N days the
    actions whose window has ended on the as-of date (n) and the share of them done within N days."""
    from analytics.quarters import quarter_of

    pms = {p["id"]: p for p in postmortems(db)}
    cohorts = {}
    for pid, status, completed_at in query(db, "SELECT postmortem_id, status, completed_at FROM actions"):
        pm = pms[pid]
        if status == "cancelled" or pm["date"] is None or pm["date"] > f.as_of or not kept(pm, f):
            continue
        done = status == "done" and (completed_at is None or completed_at.date() <= f.as_of)
        row = cohorts.setdefault(quarter_of(pm["date"], settings.fiscal_year_start_month), {"actions": 0})
        row["actions"] += 1
        for days in settings.cohort_days:
            if pm["date"] + timedelta(days=days) <= f.as_of:
                row[f"n_{days}d"] = row.get(f"n_{days}d", 0) + 1
                within = done and completed_at is not None and completed_at.date() <= pm["date"] + timedelta(days=days)
                row[f"within_{days}"] = row.get(f"within_{days}", 0) + within
    return cohorts


def test_cohort_completion(corpus):
    db, con = corpus
    for f in selections(db):
        table = actions.cohort_completion(con, f, SETTINGS).set_index("quarter")
        expected = reference_cohorts(db, f, SETTINGS)
        assert sorted(table.index) == sorted(expected), f
        for quarter, row in expected.items():
            assert table.loc[quarter, "actions"] == row["actions"], (f, quarter)
            for days in SETTINGS.cohort_days:
                n = row.get(f"n_{days}d", 0)
                assert table.loc[quarter, f"n_{days}d"] == n, (f, quarter, days)
                share = table.loc[quarter, f"done_{days}d"]
                assert np.isnan(share) if n == 0 else share == pytest.approx(row[f"within_{days}"] / n), (f, quarter)


def test_the_actions_pages_calls_are_the_plain_ones(corpus):
    """The Actions page's tiles and tables from one query, and the first rows of its listings through a date
    bound: the same frames as summary, rates_by and the whole listings' first rows."""
    db, con = corpus
    for f in [*selections(db), Filters(as_of=TODAY, teams=("nobody",))]:
        summary, tables = actions.summary_and_rates(con, f, by=("team", "priority", "owner"))
        pd.testing.assert_frame_equal(summary, actions.summary(con, f))
        for by, table in tables.items():
            pd.testing.assert_frame_equal(table, actions.rates_by(con, f, by))
        for listing in (actions.overdue, actions.open_actions):
            whole = listing(con, f)
            for limit in (1, 10, 100):
                pd.testing.assert_frame_equal(listing(con, f, limit=limit), whole.head(limit))


def test_recurrence_flags(corpus):
    db, con = corpus
    for window in (SETTINGS.recurrence_window_days, 30):
        settings = dataclasses.replace(SETTINGS, recurrence_window_days=window)
        expected = reference_flags(db, window)
        for f in selections(db):
            rows = recurrence.flags(con, f, settings)
            assert rows["postmortem_id"].tolist() == [p["id"] for p in postmortems(db) if kept(p, f)]
            for row in rows.itertuples(index=False):
                flag = expected[row.postmortem_id]
                assert row.previous_id == flag["previous"] or (pd.isna(row.previous_id) and flag["previous"] is None)
                assert row.recurs == (flag["previous"] is not None)
                assert row.explicit == (flag["explicit"] is not None)
                assert (pd.isna(row.days_since_previous) if flag["days"] is None
                        else row.days_since_previous == flag["days"])


def test_patterns(corpus):
    db, con = corpus
    for f in selections(db):
        for settings in (SETTINGS, dataclasses.replace(SETTINGS, pattern_incidents=2)):
            table = recurrence.patterns(con, f, settings)
            got = sorted((list(row.postmortem_ids), None if pd.isna(row.first_date) else row.first_date.date(),
                          None if pd.isna(row.last_date) else row.last_date.date())
                         for row in table.itertuples(index=False))
            assert got == reference_patterns(db, f, settings)
            # largest first, then the most recent
            order = list(zip(table["incidents"], table["last_date"]))
            assert order == sorted(order, key=lambda t: (-t[0], pd.isna(t[1]),
                                                         0 if pd.isna(t[1]) else -t[1].toordinal()))


def test_architecture_review(corpus):
    db, con = corpus
    for f in selections(db):
        for settings in (SETTINGS, dataclasses.replace(SETTINGS, pattern_window_days=30, pattern_incidents=2)):
            rows = escalations.architecture_review(con, f, settings)
            got = sorted((r["subject"], pd.Timestamp(r["since"]).date(), r["owner"], r["evidence"]) for r in rows)
            assert got == reference_architecture_review(db, f, settings)


def test_coverage_recurring_reason(corpus):
    db, con = corpus
    recurring = {pid for pid, flag in reference_flags(db, SETTINGS.recurrence_window_days).items()
                 if flag["previous"] is not None}
    # as of 2100 every incident has happened: each one linked to a recurring post-mortem is required for it
    rows = coverage.required(con, Filters(as_of=date(2100, 1, 1)), SETTINGS)
    flagged = {pid for pid, reasons in zip(rows["postmortem_id"], rows["reasons"]) if "recurring" in reasons}
    source = "incidents" if coverage.source(con) == "incidents" else "postmortems"
    listed = {pid for (pid,) in query(db, f"SELECT postmortem_id FROM {source}")}
    assert flagged == recurring & listed and flagged


def test_business_days_match_numpy(corpus):
    db, con = corpus
    dist = timeliness.distribution(con, Filters(as_of=TODAY), SETTINGS)
    assert len(dist) > 0
    expected = np.busday_count(dist["incident_date"].dt.date.tolist(), dist["postmortem_date"].dt.date.tolist())
    assert dist["business_days"].tolist() == expected.tolist()
    waiting = timeliness.waiting(con, Filters(as_of=TODAY), SETTINGS)
    expected = np.busday_count(waiting["incident_date"].dt.date.tolist(), [TODAY] * len(waiting))
    assert waiting["business_days_waiting"].tolist() == expected.tolist()


def test_catalog_action_counts(corpus):
    db, con = corpus
    counts = {pid: (n, open_) for pid, n, open_ in query(db, """
        SELECT postmortem_id, count(*), count(*) FILTER (WHERE coalesce(status, '') NOT IN ('done', 'cancelled'))
        FROM actions GROUP BY 1""")}
    for f in selections(db)[:2]:
        listing = catalog.postmortems(con, f)
        for row in listing.itertuples(index=False):
            assert (row.actions, row.open_actions) == counts.get(row.postmortem_id, (0, 0))


def test_learning_reads(corpus):
    db, con = corpus
    person = lambda name: str(name).strip().lstrip("@").strip().lower()  # noqa: E731
    members = {str(team).strip().lower(): {person(m) for m in names if person(m)}
               for team, names in SETTINGS.teams.items()}
    members = {team: names for team, names in members.items() if names}
    readers: dict[str, set] = {}
    for pid, reader in query(db, "SELECT postmortem_id, reader FROM readers"):
        readers.setdefault(pid, set()).add(person(reader))
    known = {pid for (pid,) in query(db, "SELECT postmortem_id FROM postmortems WHERE readers_known")}
    for f in selections(db)[:3]:
        reads = slots = 0
        for p in postmortems(db):
            team = str(p["team"]).strip().lower() if p["team"] else None
            if kept(p, f) and team in members and p["id"] in known:
                reads += len(readers.get(p["id"], set()) & members[team])
                slots += len(members[team])
        row = learning.summary(con, f, SETTINGS).iloc[0]
        assert (row["member_reads"], row["member_slots"]) == (reads, slots)


# --- hand-worked edges of the window rewrites --------------------------------------------------------

def pm(pid, day, service, cause, team="t", **extra):
    record = {"id": pid, "title": f"Incident {pid}", "incident_date": day, "team": team, "severity": "P3"}
    record.update({k: v for k, v in (("service", service), ("cause_category", cause)) if v})
    return {**record, **extra}


EDGES = [
    # same day, same pair: W-2 started at 09:00 (team early), W-1 at 10:00 (team late), so W-1 is the later
    # although its id is smaller; W-0 ten days before
    pm("W-0", "2025-01-01", "w", "code", "early"),
    pm("W-2", "2025-01-11", "w", "code", "early", started_at="2025-01-11T09:00:00Z"),
    pm("W-1", "2025-01-11", "w", "code", "late", started_at="2025-01-11T10:00:00Z"),
    # the window's edge: 0, 45, 90 days fits a 90-day window; 0, 45, 91 does not
    pm("B-0", "2025-01-01", "b90", "code"), pm("B-45", "2025-02-15", "b90", "code"),
    pm("B-90", "2025-04-01", "b90", "code"),
    pm("C-0", "2025-01-01", "c91", "code"), pm("C-45", "2025-02-15", "c91", "code"),
    pm("C-91", "2025-04-02", "c91", "code"),
    # a forward link (to a later incident) is ignored; the later one still recurs implicitly
    pm("F-1", "2025-03-01", "f", "code", recurrence_of="F-2"), pm("F-2", "2025-03-11", "f", "code"),
    # no service, or no cause: never in a pair, whatever the days between them
    pm("N-1", "2025-03-01", None, "code"), pm("N-2", "2025-03-02", None, "code"), pm("N-3", "2025-03-03", None, "code"),
    pm("M-1", "2025-03-01", "m", None), pm("M-2", "2025-03-02", "m", None), pm("M-3", "2025-03-03", "m", None),
    # a chain a -> b -> c of team x, y, x: filtered to team x, a and c are not linked (b is not kept)
    pm("X-1", "2025-03-01", "x", "code", "x"), pm("X-2", "2025-03-10", "x", "code", "y"),
    pm("X-3", "2025-03-20", "x", "code", "x"),
]
EDGE_AS_OF = date(2025, 4, 15)


@pytest.fixture
def edges(load_records):
    return load_records(EDGES)


def test_same_day_order_decides_the_latest(edges):
    flags = recurrence.flags(edges, Filters(as_of=EDGE_AS_OF)).set_index("postmortem_id")
    # W-2 started first: W-2 recurs on W-0 (10 days), W-1 on W-2 (0 days)
    assert flags.loc["W-2", ["previous_id", "days_since_previous"]].tolist() == ["W-0", 10]
    assert flags.loc["W-1", ["previous_id", "days_since_previous"]].tolist() == ["W-2", 0]
    rows = escalations.architecture_review(edges, Filters(as_of=date(2025, 2, 1), services=("w",)), Settings())
    # the window ends on W-1, the later of the two: its team owns the escalation
    assert [(r["since"], r["owner"], r["evidence"]) for r in rows] == [
        (pd.Timestamp("2025-01-01"), "late", ["W-0", "W-2", "W-1"])]


def test_window_boundary(edges):
    rows = escalations.architecture_review(edges, Filters(as_of=EDGE_AS_OF), Settings())
    subjects = {r["subject"]: r["evidence"] for r in rows}
    assert subjects["b90 / code"] == ["B-0", "B-45", "B-90"]  # 2025-01-01 + 90 days = 2025-04-01
    assert "c91 / code" not in subjects  # 91 days: any 90-day window holds 2
    wider = escalations.architecture_review(edges, Filters(as_of=EDGE_AS_OF), Settings(pattern_window_days=91))
    assert {r["subject"]: r["evidence"] for r in wider}["c91 / code"] == ["C-0", "C-45", "C-91"]
    # as of 90 days after B-90 the pattern is still current; a day later it is history
    assert "b90 / code" in {r["subject"] for r in escalations.architecture_review(
        edges, Filters(as_of=date(2025, 4, 1) + timedelta(days=90)), Settings())}
    assert "b90 / code" not in {r["subject"] for r in escalations.architecture_review(
        edges, Filters(as_of=date(2025, 4, 1) + timedelta(days=91)), Settings())}


def test_forward_link_ignored(edges):
    flags = recurrence.flags(edges, Filters(as_of=EDGE_AS_OF)).set_index("postmortem_id")
    assert not flags.loc["F-1", "recurs"]
    assert flags.loc["F-2", ["recurs", "explicit", "previous_id"]].tolist() == [True, False, "F-1"]


def test_missing_service_or_cause_never_pairs(edges):
    flags = recurrence.flags(edges, Filters(as_of=EDGE_AS_OF)).set_index("postmortem_id")
    assert not flags.loc[["N-1", "N-2", "N-3", "M-1", "M-2", "M-3"], "recurs"].any()
    subjects = [r["subject"] for r in escalations.architecture_review(edges, Filters(as_of=EDGE_AS_OF), Settings())]
    assert not [s for s in subjects if s.startswith("m /") or "None" in s]
    pairs = recurrence.patterns(edges, Filters(as_of=EDGE_AS_OF), Settings(pattern_incidents=2))
    assert not [pid for ids in pairs["postmortem_ids"] for pid in ids if pid[0] in "NM"]


def test_a_filter_breaks_a_chain(edges):
    everyone = recurrence.patterns(edges, Filters(as_of=EDGE_AS_OF, services=("x",)), Settings())
    assert everyone["postmortem_ids"].tolist() == [["X-1", "X-2", "X-3"]]
    team_x = recurrence.patterns(edges, Filters(as_of=EDGE_AS_OF, teams=("x",)), Settings(pattern_incidents=2))
    assert team_x.empty  # X-3's previous is X-2, not kept: X-1 and X-3 are not linked
    # whether an incident recurs does not depend on the filter
    flags = recurrence.flags(edges, Filters(as_of=EDGE_AS_OF, teams=("x",))).set_index("postmortem_id")
    assert flags.loc["X-3", ["recurs", "previous_id"]].tolist() == [True, "X-2"]


@pytest.mark.parametrize("start, end, weekdays", [
    ("2025-01-03", "2025-01-06", 1),   # Friday to Monday: the Friday
    ("2025-01-04", "2025-01-06", 0),   # Saturday to Monday: none
    ("2025-01-06", "2025-01-13", 5),   # Monday to the next Monday
    ("2025-01-06", "2025-01-06", 0),   # the same day
    ("2025-01-10", "2025-01-06", 0),   # end before start
    ("2025-01-05", "2025-02-03", 20),  # Sunday 5 Jan to Monday 3 Feb: a Sunday, four whole weeks, a weekend
])
def test_business_days(start, end, weekdays):
    sql = business_days(f"DATE '{start}'", f"DATE '{end}'")
    assert duckdb.connect().execute(f"SELECT {sql}").fetchone()[0] == weekdays


def test_business_days_every_pair_of_two_months():
    days = [date(2024, 12, 25) + timedelta(days=i) for i in range(60)]
    pairs = [(a, b) for a in days for b in days]
    con = duckdb.connect()
    con.execute("CREATE TABLE pairs (s DATE, e DATE)")
    con.executemany("INSERT INTO pairs VALUES (?, ?)", pairs)
    got = [n for (n,) in con.execute(f"SELECT {business_days('s', 'e')} FROM pairs").fetchall()]
    assert got == [max(0, int(np.busday_count(a, b))) for a, b in pairs]


def test_kaplan_meier_is_the_product_limit_estimator():
    """actions.kaplan_meier against the estimator's definition, time by time, on random samples (with and
    without an event at day 0)."""
    rng = np.random.default_rng(7)
    for trial in range(50):
        durations = rng.integers(trial % 2, 40, rng.integers(1, 120)).astype(float)
        events = rng.random(len(durations)) < 0.6
        curve = actions.kaplan_meier(durations, events)
        survival, expected = 1.0, [] if durations.min() == 0 else [(0.0, len(durations), 0, 0, 1.0)]
        for t in sorted(set(durations)):
            at_risk = int((durations >= t).sum())
            closed = int(((durations == t) & events).sum())
            survival *= 1 - closed / at_risk
            expected.append((t, at_risk, closed, int(((durations == t) & ~events).sum()), survival))
        assert list(curve[["days", "at_risk", "closed", "censored", "still_open"]].itertuples(index=False,
                                                                                            name=None)) == expected
        assert (curve["closed_share"] == 1 - curve["still_open"]).all()


def test_kaplan_meier_weights_stand_for_repeated_rows():
    """time_to_close counts the actions per (days, closed) in SQL and passes the counts as weights: the same
    curve as one row per action."""
    rng = np.random.default_rng(3)
    durations = rng.integers(0, 30, 80).astype(float)
    events = rng.random(80) < 0.5
    weights = rng.integers(1, 6, 80)
    pd.testing.assert_frame_equal(actions.kaplan_meier(durations, events, weights),
                                  actions.kaplan_meier(np.repeat(durations, weights), np.repeat(events, weights)))
