"""How long the dashboard's queries take, per analytics function and per page, at given database files.

    .venv/bin/python bench/dashboard_bench.py DB [DB ...] [--repeat 3] [--json FILE] [--functions] [--pages a,b]
    .venv/bin/python bench/dashboard_bench.py --render [--db FILE]     # whole pages through AppTest

Each page's set is the analytics calls its file makes (the sidebar's catalog.choices and catalog.counts
included), unfiltered and with a team filter (the team with the most post-mortems):
- cold: on a new connection (db.connect_readonly), so nothing is cached, not even the recurrence flags;
- warm: the same calls again on that connection (what a rerun costs when its result is not cached);
- cached: through the dashboard's data layer (dashboard.data.query) a second time, what a user sees when
  coming back to a selection.
With --functions, every analytics function (bench/query_snapshots.py's list) is timed cold and warm too.
Times are medians over --repeat runs, in milliseconds; growth ratios between consecutive files are the
times' ratio. Not part of the test run: speed is measured here, never asserted in tests."""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from analytics import (actions, catalog, completeness, coverage, escalations, overview, quarterly,  # noqa: E402
                       recurrence, response, timeliness)
from analytics.db import connect_readonly  # noqa: E402
from analytics.filters import Filters  # noqa: E402
from analytics.settings import Settings  # noqa: E402
from hindsight.config import read_config  # noqa: E402
from hindsight.demo.model import REF_TODAY  # noqa: E402

CONFIG = ROOT / "examples" / "demo.yaml"


def page_calls(settings: Settings) -> dict[str, list]:
    """Page -> the calls its file makes, as functions of (connection, filters)."""
    s = settings
    sidebar = [lambda con, f: catalog.counts(con), lambda con, f: catalog.choices(con)]
    return {
        "overview": sidebar + [
            lambda con, f: overview.effectiveness(con, f, s),
            lambda con, f: catalog.incidents_per_month(con, f),
            *([lambda con, f: completeness.report(con, f)] if hasattr(completeness, "report")
              else [lambda con, f: completeness.summary(con, f),  # before: two queries counting the same flags
                    lambda con, f: completeness.worst_files(con, f)])],
        "actions": sidebar + (
            [lambda con, f: actions.summary_and_rates(con, f, ("team", "priority"))]
            if hasattr(actions, "summary_and_rates")
            else [lambda con, f: actions.summary(con, f),  # before: three scans for the tiles and two tables
                  lambda con, f: actions.rates_by(con, f, "team"),
                  lambda con, f: actions.rates_by(con, f, "priority")]) + [
            lambda con, f: actions.time_to_close(con, f),
            lambda con, f: actions.cohort_completion(con, f, s),
            lambda con, f: actions.overdue(con, f, limit=1000),  # the page's first rows; counts from summary
            lambda con, f: actions.blocked(con, f),
            lambda con, f: actions.open_actions(con, f, limit=1000)],
        "causes": sidebar + [
            lambda con, f: recurrence.overall(con, f, s),
            *_recurrence_lists(s),
            lambda con, f: recurrence.pareto(con, f),
            lambda con, f: recurrence.cause_service_matrix(con, f),
            lambda con, f: recurrence.rate_by_period(con, f, s, "quarter")],
        "timeliness": sidebar + [
            lambda con, f: timeliness.summary(con, f, s),
            lambda con, f: timeliness.waiting(con, f, s),
            lambda con, f: coverage.summary(con, f, s),
            lambda con, f: (timeliness.day_counts if hasattr(timeliness, "day_counts")  # before: 100k rows
                            else timeliness.days if hasattr(timeliness, "days")  # before that: the distribution
                            else timeliness.distribution)(con, f, s),
            lambda con, f: timeliness.summary(con, f, s, by="severity"),
            lambda con, f: coverage.missing(con, f, s),
            lambda con, f: response.distributions(con, f, "severity", s)],
        "quarterly": sidebar + (
            [lambda con, f: quarterly.trends_with_due(con, f, s)] if hasattr(quarterly, "trends_with_due")
            else [lambda con, f: quarterly.trends(con, f, s),  # before: the page merged the two
                  lambda con, f: actions.rates_by_quarter(con, f, s)]) + [
            lambda con, f: quarterly.causes(con, f, s)],
        "escalations": sidebar + [  # each rule's first rows and its totals (before: every row)
            lambda con, f: escalations.listing(con, f, s, limit=1000) if hasattr(escalations, "RULE_TOTALS")
            else escalations.listing(con, f, s)],
        "postmortems": sidebar + ([  # the page asks for the rows it shows and their count
            lambda con, f: catalog.postmortems(con, f, limit=1000), lambda con, f: catalog.postmortem_count(con, f)]
            if hasattr(catalog, "postmortem_count") else [lambda con, f: catalog.postmortems(con, f)]) + [  # before
            lambda con, f: catalog.detail(con, _busiest_postmortem(con))],
        # not a page: `hindsight report review` and the Quarterly page's button, the last complete quarter
        "review pack": [lambda con, f: _pack_tables(con, f, s)],
    }


def _recurrence_lists(s: Settings) -> list:
    """The Causes page's patterns and recurrences: their first 1,000 rows and the counts, or (before) every row."""
    if "limit" in inspect.signature(recurrence.action_effectiveness_detail).parameters:
        return [lambda con, f: recurrence.patterns_and_members(con, f, s, limit=1000),
                lambda con, f: recurrence.action_effectiveness_detail(con, f, s, limit=1000),
                lambda con, f: recurrence.action_effectiveness(con, f, s)]
    return [*([lambda con, f: recurrence.patterns_and_members(con, f, s)]
              if hasattr(recurrence, "patterns_and_members")  # before: the page asked for the two apart
              else [lambda con, f: recurrence.active_patterns(con, f, s),
                    lambda con, f: recurrence.pattern_members(con, f, s)]),
            lambda con, f: recurrence.action_effectiveness_detail(con, f, s),
            *([] if hasattr(recurrence, "effectiveness_groups")  # before: the page asked for both
              else [lambda con, f: recurrence.action_effectiveness(con, f, s)])]


def _pack_tables(con, f: Filters, settings: Settings) -> dict:
    from hindsight.review import pack
    return pack.gather(con, f, settings, pack.period(f, settings, None))


def _busiest_postmortem(con) -> str:
    return con.execute("SELECT postmortem_id FROM actions GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1").fetchone()[0]


def selections(db: str) -> dict[str, Filters]:
    con = connect_readonly(db)
    try:
        team, last = con.execute("SELECT (SELECT team FROM postmortems WHERE team IS NOT NULL GROUP BY 1 "
                                 "ORDER BY count(*) DESC, 1 LIMIT 1), max(incident_date) FROM postmortems").fetchone()
    finally:
        con.close()
    everyone = Filters(as_of=max(REF_TODAY, last or REF_TODAY))
    return {"all": everyone, "team": dataclasses.replace(everyone, teams=(team,))}


def _run(calls, con, f) -> float:
    started = time.perf_counter()
    for call in calls:
        call(con, f)
    return (time.perf_counter() - started) * 1000


def time_calls(db: str, calls: list, f: Filters, repeat: int) -> tuple[float, float]:
    """Median milliseconds of the calls on a new connection (cold), then again on it (warm)."""
    cold, warm = [], []
    for _ in range(repeat):
        con = connect_readonly(db)
        try:
            cold.append(_run(calls, con, f))
            warm.append(_run(calls, con, f))
        finally:
            con.close()
    return statistics.median(cold), statistics.median(warm)


def time_cached(db: str, calls: list, f: Filters, repeat: int) -> float | None:
    """Median milliseconds of the calls through dashboard.data.query once its cache holds them."""
    os.environ["HINDSIGHT_DB"], os.environ["HINDSIGHT_CONFIG"] = db, str(CONFIG)
    try:
        from dashboard import data
    except ImportError:
        return None
    if not hasattr(data, "query"):
        return None
    wrapped = [lambda con, f, call=call: data.query(_Call(call), f) for call in calls]
    _run(wrapped, None, f)
    return statistics.median(_run(wrapped, None, f) for _ in range(repeat))


class _Call:
    """A bench call as data.query wants it: a function of (connection, filters) with a stable name."""

    def __init__(self, call):
        self.call = call
        self.__module__ = "bench"
        self.__qualname__ = f"call_{id(call)}"

    def __call__(self, con, f):
        return self.call(con, f)


def bench(dbs: list[str], repeat: int, with_functions: bool, pages: list[str] | None = None) -> dict:
    settings = Settings.from_mapping(read_config(CONFIG))
    out = {}
    for db in dbs:
        with connect_readonly(db) as con:
            size = con.execute("SELECT count(*) FROM postmortems").fetchone()[0]
        result = {"postmortems": size, "pages": {}, "functions": {}}
        for name, f in selections(db).items():
            for page, calls in page_calls(settings).items():
                if pages and page not in pages:
                    continue
                cold, warm = time_calls(db, calls, f, repeat)
                cached = time_cached(db, calls, f, repeat)
                result["pages"][f"{page} [{name}]"] = {"cold": cold, "warm": warm, "cached": cached}
                print(f"{size:>7} {page:<12} {name:<4} cold {cold:8.1f}  warm {warm:8.1f}  cached "
                      f"{'-' if cached is None else f'{cached:6.1f}'} ms", flush=True)
            if with_functions:
                from query_snapshots import _calls
                for label, call in _calls(settings, _pid(db)).items():
                    cold, warm = time_calls(db, [call], f, repeat)
                    result["functions"][f"{label} [{name}]"] = {"cold": cold, "warm": warm}
                    print(f"{size:>7}   {label:<42} {name:<4} cold {cold:8.1f}  warm {warm:8.1f} ms", flush=True)
        out[db] = result
    return out


def _pid(db: str) -> str:
    with connect_readonly(db) as con:
        return _busiest_postmortem(con)


def growth(results: dict) -> None:
    """The ratio of each page's cold time between consecutive files (10x the data should cost about 10x)."""
    runs = list(results.values())
    for small, large in zip(runs, runs[1:]):
        print(f"growth {small['postmortems']} -> {large['postmortems']} post-mortems "
              f"(x{large['postmortems'] / small['postmortems']:.1f}):")
        for key, times in large["pages"].items():
            before = small["pages"][key]["cold"]
            print(f"  {key:<24} cold x{times['cold'] / before:5.1f}")


def render(db: str | None, repeat: int) -> None:
    """Whole pages through AppTest: each page opened once, then the team filter changed and the rerun
    timed with the query cache cleared (cold) and kept (warm)."""
    import subprocess
    import tempfile

    if not db:
        db = str(Path(tempfile.mkdtemp()) / "bench.duckdb")
        subprocess.run([sys.executable, "-m", "hindsight", "ingest", str(ROOT / "data" / "demo"), "--db", db,
                        "--quiet"], check=False, cwd=ROOT)
    os.environ["HINDSIGHT_DB"], os.environ["HINDSIGHT_CONFIG"] = db, str(CONFIG)
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    print(f"{'page':<12} {'cold (s)':>9} {'warm (s)':>9}")
    for name in page_calls(Settings()):
        if not (ROOT / "views" / f"{name}.py").exists():
            continue
        cold, warm = [], []
        for _ in range(repeat):
            st.cache_data.clear()
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
            at.query_params["as_of"] = REF_TODAY.isoformat()
            at.run()
            at.switch_page(f"views/{name}.py")
            at.run()
            for teams, sink in ((["payments"], cold), ([], None), (["payments"], warm)):
                at.sidebar.multiselect(key="flt_team").set_value(teams)
                if sink is cold:
                    st.cache_data.clear()
                started = time.perf_counter()
                at.run()
                if sink is not None:
                    sink.append(time.perf_counter() - started)
                if at.exception:
                    raise SystemExit(f"{name}: {at.exception[0].message}")
        print(f"{name:<12} {statistics.median(cold):9.2f} {statistics.median(warm):9.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dbs", nargs="*", help="database files, smallest first")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--functions", action="store_true", help="time every analytics function too")
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument("--pages", help="only these pages, comma-separated (e.g. causes,escalations)")
    parser.add_argument("--render", action="store_true", help="time whole pages through AppTest instead")
    parser.add_argument("--db", help="with --render: the database (default: the demo, ingested)")
    args = parser.parse_args()
    if args.render:
        render(args.db, args.repeat)
        return
    if not args.dbs:
        parser.error("give at least one database file")
    results = bench(args.dbs, args.repeat, args.functions, args.pages.split(",") if args.pages else None)
    growth(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
