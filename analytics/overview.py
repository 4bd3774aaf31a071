"""The Overview page's four tiles: the template's effectiveness metrics for the quarter of the as-of
date, each with its n and the change from the previous quarter. Composed from the other modules."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import duckdb
import pandas as pd

from analytics import actions, learning, recurrence, timeliness
from analytics.filters import Filters
from analytics.quarterly import quarter_bounds
from analytics.settings import Settings


def _quarter_of(day: date, fiscal_start_month: int) -> str:
    shifted_month = (day.month - fiscal_start_month) % 12
    year = day.year if day.month >= fiscal_start_month else day.year - 1
    return f"{year}-Q{shifted_month // 3 + 1}"


def _window(f: Filters, start: date, end: date, as_of: date) -> Filters:
    lo = max(start, f.date_from) if f.date_from else start
    hi = min(end, f.date_to) if f.date_to else end
    return dataclasses.replace(f, date_from=lo, date_to=hi, as_of=as_of)


def _values(con, f: Filters, s: Settings) -> dict[str, tuple[float | None, int]]:
    act = actions.summary(con, f).iloc[0]
    rec = recurrence.overall(con, f, s).iloc[0]
    ttp = timeliness.summary(con, f, s).iloc[0]
    lrn = learning.summary(con, f, s).iloc[0]

    def val(x):
        return None if x is None or pd.isna(x) else float(x)

    return {
        "on_time": (val(act["on_time_rate"]), int(act["due"])),
        "recurrence": (val(rec["recurrence_rate"]), int(rec["incidents"])),
        "time_to_postmortem": (val(ttp["median"]), int(ttp["n"])),
        "dissemination": (val(lrn["dissemination_rate"]), int(lrn["postmortems"])),
    }


TILES = [
    ("on_time", "Actions closed on time", "share", False,
     "Actions done on or before their due date, among actions due by the as-of date (cancelled excluded)."),
    ("recurrence", "Recurrence rate", "share", True,
     "Incidents with an explicit recurrence link, or an earlier incident on the same service and cause "
     "within the recurrence window."),
    ("time_to_postmortem", "Time to post-mortem (median)", "days", True,
     "Median calendar days from the incident to its post-mortem."),
    ("dissemination", "Learning dissemination", "share", False,
     "Share of the owning team's members who read the post-mortem (teams from the configuration)."),
]


def effectiveness(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None = None) -> pd.DataFrame:
    """metric, value, n, previous, change, unit, lower_is_better, definition, quarter."""
    s = settings or Settings()
    quarter = _quarter_of(f.as_of, s.fiscal_year_start_month)
    start, end = quarter_bounds(quarter, s.fiscal_year_start_month)
    prev_end = start - timedelta(days=1)
    prev_start, _ = quarter_bounds(_quarter_of(prev_end, s.fiscal_year_start_month), s.fiscal_year_start_month)
    now = _values(con, _window(f, start, min(end, f.as_of), f.as_of), s)
    before = _values(con, _window(f, prev_start, prev_end, prev_end), s)
    rows = []
    for key, label, unit, lower, definition in TILES:
        value, n = now[key]
        previous, _ = before[key]
        change = value - previous if value is not None and previous is not None else None
        rows.append({"metric": label, "value": value, "n": n, "previous": previous, "change": change,
                     "unit": unit, "lower_is_better": lower, "definition": definition, "quarter": quarter})
    return pd.DataFrame(rows)
