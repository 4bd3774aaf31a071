"""Quarterly trends: one row per quarter, assembled from the metrics of the other modules."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta

import duckdb
import pandas as pd

from analytics import actions, learning, recurrence, timeliness
from analytics.base import frame, pm_cte, quarter_expr
from analytics.filters import Filters
from analytics.settings import Settings

# The metrics whose change from the previous quarter is reported.
TRENDED = ["incidents", "resolve_median", "resolve_p90", "recurrence_rate", "completion_rate", "on_time_rate",
           "postmortem_days_median", "dissemination_rate"]


def incidents(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None = None) -> pd.DataFrame:
    """Incidents per quarter by severity, with time-to-resolve median, p90 and n."""
    settings = settings or Settings()
    cte, params = pm_cte(f)
    q = quarter_expr("incident_date", settings.fiscal_year_start_month)
    return frame(con, f"""WITH {cte}
        SELECT {q} AS quarter, count(*) AS incidents,
               count(*) FILTER (WHERE severity = 'P1') AS p1, count(*) FILTER (WHERE severity = 'P2') AS p2,
               count(*) FILTER (WHERE severity = 'P3') AS p3, count(*) FILTER (WHERE severity = 'P4') AS p4,
               count(minutes_to_resolve) AS resolve_n, median(minutes_to_resolve) AS resolve_median,
               quantile_cont(minutes_to_resolve, 0.9) AS resolve_p90
        FROM pm WHERE incident_date IS NOT NULL GROUP BY 1 ORDER BY 1""", params)


def causes(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None = None) -> pd.DataFrame:
    """Incidents per quarter and primary cause category (long format)."""
    settings = settings or Settings()
    cte, params = pm_cte(f)
    q = quarter_expr("incident_date", settings.fiscal_year_start_month)
    return frame(con, f"""WITH {cte}
        SELECT {q} AS quarter, coalesce(primary_cause_category, 'unknown') AS cause, count(*) AS incidents
        FROM pm WHERE incident_date IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2""", params)


def trends(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None = None) -> pd.DataFrame:
    """One row per quarter, every quarter measured as of f.as_of: incidents by severity, time to resolve
    (median, p90, n), recurrence rate, action completion and on-time rates, time to post-mortem (median,
    n), learning dissemination (dissemination_n post-mortems with reader data of the quarter's
    incidents); the change of each from the previous quarter (``<metric>_change``); small_sample where
    incidents < settings.small_sample, change_small_sample where this quarter or the previous one is
    small; partial where the quarter is not over on the as-of date.
    Incidents after the as-of date had not happened on that day: they are in no quarter."""
    settings = settings or Settings()
    f = dataclasses.replace(f, date_to=min(f.date_to, f.as_of) if f.date_to else f.as_of)
    table = incidents(con, f, settings)
    if table.empty:
        return table
    rec = recurrence.rate_by_period(con, f, settings, "quarter").rename(columns={"period": "quarter"})
    act = actions.rates_by_quarter(con, f, settings)
    ttp = timeliness.summary(con, f, settings, by="quarter")
    lrn = learning.by_quarter(con, f, settings)
    table = table.merge(rec[["quarter", "recurring", "recurrence_rate"]], on="quarter", how="left")
    table = table.merge(act[["quarter", "actions", "completion_rate", "on_time_rate"]], on="quarter", how="left")
    table = table.merge(ttp[["quarter", "n", "median", "within_sla_rate"]].rename(columns={
        "n": "postmortem_n", "median": "postmortem_days_median", "within_sla_rate": "postmortem_within_sla_rate"}),
        on="quarter", how="left")
    table = table.merge(lrn[["quarter", "postmortems", "dissemination_rate"]].rename(
        columns={"postmortems": "dissemination_n"}), on="quarter", how="left")
    # Quarters without incidents still count as the previous quarter of the next one.
    table = table.set_index("quarter").reindex(quarter_range(table["quarter"].iloc[0], table["quarter"].iloc[-1]))
    table.index.name = "quarter"
    table = table.reset_index()
    for column in ("incidents", "p1", "p2", "p3", "p4", "resolve_n", "recurring", "actions", "postmortem_n",
                   "dissemination_n"):  # counts: nothing to count is 0, not unknown
        table[column] = table[column].fillna(0).astype(int)
    for column in TRENDED:
        table[f"{column}_change"] = table[column].astype(float).diff()
    table["small_sample"] = table["incidents"] < settings.small_sample
    # a change is read from two quarters: on a small sample when either is
    table["change_small_sample"] = table["small_sample"] | table["small_sample"].shift(1, fill_value=False)
    return with_partial(table, f.as_of, settings.fiscal_year_start_month)


def parse_quarter(label: str) -> tuple[int, int]:
    """'2025-Q3' -> (2025, 3); ValueError otherwise."""
    m = re.fullmatch(r"(\d{4})-?Q([1-4])", label.strip(), re.IGNORECASE)
    if not m:
        raise ValueError(f"'{label}' is not a quarter (expected e.g. 2025-Q3)")
    return int(m[1]), int(m[2])


def quarter_range(first: str, last: str) -> list[str]:
    y, q = parse_quarter(first)
    end = parse_quarter(last)
    out = []
    while (y, q) <= end:
        out.append(f"{y}-Q{q}")
        y, q = (y + 1, 1) if q == 4 else (y, q + 1)
    return out


def quarter_bounds(label: str, fiscal_start_month: int = 1) -> tuple[date, date]:
    """First and last day of a quarter label, fiscal years starting in ``fiscal_start_month``."""
    year, q = parse_quarter(label)
    month0 = (fiscal_start_month - 1) + 3 * (q - 1)  # months after January of ``year``
    start = date(year + month0 // 12, month0 % 12 + 1, 1)
    month1 = month0 + 3
    end = date(year + month1 // 12, month1 % 12 + 1, 1) - timedelta(days=1)
    return start, end


def quarter_of(day: date, fiscal_start_month: int = 1) -> str:
    """The label of the quarter holding ``day``, as quarter_expr writes it in SQL."""
    shifted_month = (day.month - fiscal_start_month) % 12
    year = day.year if day.month >= fiscal_start_month else day.year - 1
    return f"{year}-Q{shifted_month // 3 + 1}"


def previous_quarter(label: str) -> str:
    year, q = parse_quarter(label)
    return f"{year - 1}-Q4" if q == 1 else f"{year}-Q{q - 1}"


def is_partial(label: str, as_of: date, fiscal_start_month: int = 1) -> bool:
    """A quarter is partial when it has not ended by the as-of date: the quarter holding it, unless it
    is its last day (and any later one). Its numbers are "so far" and will still move."""
    return quarter_bounds(label, fiscal_start_month)[1] > as_of


def with_partial(table: pd.DataFrame, as_of: date, fiscal_start_month: int = 1,
                 column: str = "quarter") -> pd.DataFrame:
    """``table`` with a ``partial`` column: its quarter (in ``column``) is not over on the as-of date."""
    return table.assign(partial=[is_partial(q, as_of, fiscal_start_month) for q in table[column]])


def last_complete_quarter(as_of: date, fiscal_start_month: int = 1) -> str:
    """The quarter the review looks at by default: the latest one over by the as-of date."""
    current = quarter_of(as_of, fiscal_start_month)
    return previous_quarter(current) if is_partial(current, as_of, fiscal_start_month) else current
