"""The Overview page's four tiles: the template's effectiveness metrics for one quarter (by default the
last complete one), each with its n and the change from the previous quarter. Composed from the other
modules.

One basis for every quarter: its incidents, measured as of the as-of date (f.as_of), as Quarterly trends
does. The on-time rate only counts actions already due, whose outcome is final once due, so the basis is
fair to older quarters; and it is the state the review actually sees."""

from __future__ import annotations

import dataclasses
from datetime import date

import duckdb
import pandas as pd

from analytics import actions, learning, recurrence, timeliness
from analytics.base import together
from analytics.filters import Filters
from analytics.quarters import is_partial, last_complete_quarter, previous_quarter, quarter_bounds
from analytics.settings import Settings

COLUMNS = ["key", "metric", "value", "n", "n_total", "previous", "previous_n", "change", "change_unit",
           "small_sample", "unit", "lower_is_better", "definition", "quarter", "previous_quarter", "partial"]


def _window(f: Filters, start: date, end: date) -> Filters:
    """The filters narrowed to the quarter's incidents up to the as-of date; the as-of date is kept."""
    lo = max(start, f.date_from) if f.date_from else start
    hi = min(end, f.as_of, f.date_to) if f.date_to else min(end, f.as_of)
    return dataclasses.replace(f, date_from=lo, date_to=hi)


def _queries(con, f: Filters, settings: Settings) -> list:
    """The four metrics' queries, as calls for base.together."""
    return [lambda: actions.summary(con, f), lambda: recurrence.overall(con, f, settings),
            lambda: timeliness.summary(con, f, settings), lambda: learning.summary(con, f, settings)]


def _values(results: list[pd.DataFrame]) -> dict[str, tuple[float | None, int, int | None]]:
    """key -> (value, n, n_total) from _queries' results: n_total only where a metric leaves some kept
    post-mortems out."""
    act, rec, ttp, lrn = (table.iloc[0] for table in results)

    def val(x):
        return None if x is None or pd.isna(x) else float(x)

    return {
        "on_time": (val(act["on_time_rate"]), int(act["due"]), None),
        "recurrence": (val(rec["recurrence_rate"]), int(rec["incidents"]), None),
        "time_to_postmortem": (val(ttp["median"]), int(ttp["n"]), None),
        "dissemination": (val(lrn["dissemination_rate"]), int(lrn["postmortems"]), int(lrn["total"])),
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
     "Share of the owning team's members who read the post-mortem (teams from the configuration), over "
     "the post-mortems with reader data."),
]


def effectiveness(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None = None,
                  quarter: str | None = None) -> pd.DataFrame:
    """One row per tile: key, metric, value, n, n_total (dissemination: every kept post-mortem, n being
    those with reader data), previous and previous_n (the quarter before), change (value - previous;
    shares in points of share, shown as pp, durations in days: change_unit), small_sample (n or
    previous_n below settings.small_sample: the change is not to be read as a trend), unit,
    lower_is_better, definition, quarter, previous_quarter, partial (the quarter is not over on the
    as-of date). ``quarter`` defaults to the last complete quarter."""
    settings = settings or Settings()
    fiscal = settings.fiscal_year_start_month
    quarter = quarter or last_complete_quarter(f.as_of, fiscal)
    before_quarter = previous_quarter(quarter)
    # the two quarters' eight queries at once (base.together)
    results = together(*_queries(con, _window(f, *quarter_bounds(quarter, fiscal)), settings),
                       *_queries(con, _window(f, *quarter_bounds(before_quarter, fiscal)), settings))
    now, before = _values(results[:4]), _values(results[4:])
    rows = []
    for key, label, unit, lower, definition in TILES:
        value, n, n_total = now[key]
        previous, previous_n, _ = before[key]
        change = value - previous if value is not None and previous is not None else None
        rows.append({"key": key, "metric": label, "value": value, "n": n, "n_total": n_total,
                     "previous": previous, "previous_n": previous_n, "change": change,
                     "change_unit": "pp" if unit == "share" else "days",
                     "small_sample": min(n, previous_n) < settings.small_sample, "unit": unit, "lower_is_better": lower,
                     "definition": definition, "quarter": quarter, "previous_quarter": before_quarter,
                     "partial": is_partial(quarter, f.as_of, fiscal)})
    return pd.DataFrame(rows, columns=COLUMNS).astype({"value": float, "previous": float, "change": float})
