"""Snapshot every analytics function's output on a database, and compare two snapshots: a query rewrite
must give the same tables, row for row.

    .venv/bin/python bench/query_snapshots.py save DB FILE [--config FILE]
    .venv/bin/python bench/query_snapshots.py compare DB FILE [--config FILE]

`save` runs each call (every analytics function, under several filters) and pickles the results;
`compare` runs them again and reports any difference (values exact; floats to 1e-12 relative, as a
sum's last bits depend on the order DuckDB adds in). Exit status 1 on a difference. Calls missing from
either side are listed, not failed: a function that was removed or renamed is a decision, not a bug."""

from __future__ import annotations

import argparse
import dataclasses
import math
import pickle
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analytics import (actions, catalog, completeness, coverage, escalations, learning, overview,  # noqa: E402
                       quarterly, recurrence, response, timeliness)
from analytics.db import connect_readonly  # noqa: E402
from analytics.filters import Filters  # noqa: E402
from analytics.quarters import last_complete_quarter, quarter_bounds  # noqa: E402
from analytics.settings import Settings  # noqa: E402
from hindsight.config import read_config  # noqa: E402
from hindsight.demo.model import REF_TODAY  # noqa: E402


def _summary_and_rates(con, f: Filters) -> dict:
    summary, tables = actions.summary_and_rates(con, f, ("team", "priority"))
    return {"summary": summary, **tables}


def _calls(s: Settings, pid: str) -> dict:
    """label -> function(con, f): every analytics function the dashboard, the CLI or the pack calls."""
    calls = {
        "actions.summary": lambda con, f: actions.summary(con, f),
        "actions.overdue": lambda con, f: actions.overdue(con, f),
        "actions.blocked": lambda con, f: actions.blocked(con, f),
        "actions.open_actions": lambda con, f: actions.open_actions(con, f),
        "actions.overdue first 100": lambda con, f: actions.overdue(con, f, limit=100),
        "actions.open_actions first 100": lambda con, f: actions.open_actions(con, f, limit=100),
        "actions.summary_and_rates": lambda con, f: _summary_and_rates(con, f),
        "actions.time_to_close": lambda con, f: actions.time_to_close(con, f),
        "actions.cohort_completion": lambda con, f: actions.cohort_completion(con, f, s),
        "actions.rates_by_quarter": lambda con, f: actions.rates_by_quarter(con, f, s),
        "catalog.counts": lambda con, f: catalog.counts(con),
        "catalog.choices": lambda con, f: catalog.choices(con),
        "catalog.postmortems": lambda con, f: catalog.postmortems(con, f),
        "catalog.postmortems search": lambda con, f: catalog.postmortems(con, f, search="data"),
        "catalog.detail": lambda con, f: catalog.detail(con, pid),
        "catalog.incidents_per_month": lambda con, f: catalog.incidents_per_month(con, f),
        "completeness.summary": lambda con, f: completeness.summary(con, f),
        "completeness.worst_files": lambda con, f: completeness.worst_files(con, f),
        "coverage.required": lambda con, f: coverage.required(con, f, s),
        "coverage.missing": lambda con, f: coverage.missing(con, f, s),
        "coverage.summary": lambda con, f: coverage.summary(con, f, s),
        "escalations.escalations": lambda con, f: escalations.escalations(con, f, s),
        "escalations.listing": lambda con, f: escalations.listing(con, f, s),
        "learning.summary": lambda con, f: learning.summary(con, f, s),
        "learning.by_quarter": lambda con, f: learning.by_quarter(con, f, s),
        "overview.effectiveness": lambda con, f: overview.effectiveness(con, f, s),
        "quarterly.incidents": lambda con, f: quarterly.incidents(con, f, s),
        "quarterly.causes": lambda con, f: quarterly.causes(con, f, s),
        "quarterly.trends": lambda con, f: quarterly.trends(con, f, s),
        "quarterly.trends_with_due": lambda con, f: quarterly.trends_with_due(con, f, s),
        "recurrence.flags": lambda con, f: recurrence.flags(con, f, s),
        "recurrence.rate_by_period quarter": lambda con, f: recurrence.rate_by_period(con, f, s, "quarter"),
        "recurrence.rate_by_period month": lambda con, f: recurrence.rate_by_period(con, f, s, "month"),
        "recurrence.overall": lambda con, f: recurrence.overall(con, f, s),
        "recurrence.patterns": lambda con, f: recurrence.patterns(con, f, s),
        "recurrence.active_patterns": lambda con, f: recurrence.active_patterns(con, f, s),
        "recurrence.active_patterns quarter":
            lambda con, f: recurrence.active_patterns(con, f, s, *_last_quarter(f, s)),
        "recurrence.pattern_members quarter":
            lambda con, f: recurrence.pattern_members(con, f, s, *_last_quarter(f, s)),
        "recurrence.pattern_members": lambda con, f: recurrence.pattern_members(con, f, s),
        "recurrence.pareto": lambda con, f: recurrence.pareto(con, f),
        "recurrence.cause_service_matrix": lambda con, f: recurrence.cause_service_matrix(con, f),
        "recurrence.action_effectiveness_detail": lambda con, f: recurrence.action_effectiveness_detail(con, f, s),
        "recurrence.action_effectiveness": lambda con, f: recurrence.action_effectiveness(con, f, s),
        "timeliness.distribution": lambda con, f: timeliness.distribution(con, f, s),
        "timeliness.days": lambda con, f: (timeliness.days(con, f, s) if hasattr(timeliness, "days") else  # before:
                                           timeliness.distribution(con, f, s)[["severity", "days", "within_sla"]]),
        "timeliness.waiting": lambda con, f: timeliness.waiting(con, f, s),
        "timeliness.day_counts": lambda con, f: timeliness.day_counts(con, f, s),
    }
    for by in ("team", "owner", "priority", "severity", "service"):
        calls[f"actions.rates_by {by}"] = lambda con, f, by=by: actions.rates_by(con, f, by)
    for by in (None, "severity", "team", "quarter"):
        calls[f"response.distributions {by}"] = lambda con, f, by=by: response.distributions(con, f, by, s)
        calls[f"timeliness.summary {by}"] = lambda con, f, by=by: timeliness.summary(con, f, s, by=by)
    for rule in ("management", "architecture_review", "cross_team", "block_deployments"):
        calls[f"escalations.{rule}"] = lambda con, f, rule=rule: pd.DataFrame(getattr(escalations, rule)(con, f, s))
    return calls


def _last_quarter(f: Filters, s: Settings) -> tuple[date, date]:
    """The review pack's window: the last complete quarter on the as-of date."""
    return quarter_bounds(last_complete_quarter(f.as_of, s.fiscal_year_start_month), s.fiscal_year_start_month)


def _filters(con) -> dict[str, Filters]:
    first = con.execute("SELECT min(incident_date), max(incident_date) FROM postmortems").fetchone()
    team = con.execute("SELECT team FROM postmortems WHERE team IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 "
                       "LIMIT 1").fetchone()[0]
    service = con.execute("SELECT service FROM postmortems WHERE service IS NOT NULL GROUP BY 1 "
                          "ORDER BY count(*) DESC, 1 LIMIT 1").fetchone()[0]
    cause = con.execute("SELECT primary_cause_category FROM postmortems WHERE primary_cause_category IS NOT NULL "
                        "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1").fetchone()[0]
    as_of = max(REF_TODAY, first[1] or REF_TODAY)
    everyone = Filters(as_of=as_of)
    middle = first[0] + (first[1] - first[0]) / 2 if first[0] else None
    return {
        "all": everyone,
        "team": dataclasses.replace(everyone, teams=(team,)),
        "severity": dataclasses.replace(everyone, severities=("P1", "P2")),
        "service+cause": dataclasses.replace(everyone, services=(service,), cause_categories=(cause,)),
        "dates": dataclasses.replace(everyone, date_from=middle, date_to=first[1]),
        "earlier as-of": dataclasses.replace(everyone, as_of=middle or as_of),
    }


def run(db: str, config: str | None) -> dict:
    settings = Settings.from_mapping(read_config(config))
    con = connect_readonly(db)
    pid = con.execute("SELECT postmortem_id FROM actions GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1").fetchone()[0]
    out, calls = {}, _calls(settings, pid)
    for fname, f in _filters(con).items():
        for label, call in calls.items():
            started = time.perf_counter()
            out[(label, fname)] = call(con, f)
            took = time.perf_counter() - started
            if took > 1:
                print(f"  {took:6.1f} s  {label} [{fname}]", flush=True)
    return out


def _same_cell(a, b) -> bool:
    if isinstance(a, (list, tuple, np.ndarray)) or isinstance(b, (list, tuple, np.ndarray)):
        a, b = list(a) if a is not None else None, list(b) if b is not None else None
        return a == b
    a_na = a is None or (not isinstance(a, str) and pd.isna(a))
    b_na = b is None or (not isinstance(b, str) and pd.isna(b))
    if a_na or b_na:
        return a_na and b_na
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-15)
    return a == b


def differences(old, new) -> list[str]:
    if isinstance(old, dict):
        if not isinstance(new, dict) or set(old) != set(new):
            return ["different keys"]
        return [f"{k}: {d}" for k in old for d in differences(old[k], new[k])]
    if not isinstance(old, pd.DataFrame):
        return [] if old == new else [f"{old!r} != {new!r}"]
    if list(old.columns) != list(new.columns):
        return [f"columns {list(old.columns)} != {list(new.columns)}"]
    if len(old) != len(new):
        return [f"{len(old)} rows != {len(new)} rows"]
    out = []
    for column in old.columns:
        # pandas types a column with no value at all (every cell missing, or no row) by how it was built:
        # that is not a difference in the result
        if str(old[column].dtype) != str(new[column].dtype) and not old[column].isna().all():
            out.append(f"{column}: dtype {old[column].dtype} != {new[column].dtype}")
        for i, (a, b) in enumerate(zip(old[column], new[column])):
            if not _same_cell(a, b):
                out.append(f"{column} row {i}: {a!r} != {b!r}")
                break
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["save", "compare"])
    parser.add_argument("db")
    parser.add_argument("file")
    parser.add_argument("--config", default=str(ROOT / "examples" / "demo.yaml"))
    args = parser.parse_args()
    result = run(args.db, args.config)
    if args.action == "save":
        Path(args.file).write_bytes(pickle.dumps(result))
        print(f"saved {len(result)} results to {args.file}")
        return 0
    saved = pickle.loads(Path(args.file).read_bytes())
    bad = 0
    for key in sorted(set(saved) | set(result)):
        if key not in result or key not in saved:
            print(f"only {'before' if key in saved else 'now'}: {key}")
            continue
        before, now = saved[key], result[key]
        if key[0].startswith("escalations.") and key[0] != "escalations.escalations" and len(before):
            # one rule's rows, in no promised order: escalations.escalations sorts them
            before, now = (d.loc[d.astype(str).sort_values(list(d.columns)).index].reset_index(drop=True)
                           for d in (before, now))
        diff = differences(before, now)
        if diff:
            bad += 1
            print(f"DIFFERENT {key}: {'; '.join(diff[:5])}")
    common = len(set(saved) & set(result))
    print(f"{common - bad} of {common} results identical")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
