"""Quarterly trends: one row per quarter, assembled from the metrics of the other modules."""

from __future__ import annotations

import dataclasses

import duckdb
import pandas as pd

from analytics import actions, learning, recurrence, timeliness
from analytics.base import frame, pm_cte, together
from analytics.filters import Filters
from analytics.quarters import quarter_expr, quarter_range, with_partial
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
    return _trends(con, f, settings or Settings())[0]


def _trends(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """``trends``, and the actions.rates_by_quarter it read (None when there is no incident)."""
    f = dataclasses.replace(f, date_to=min(f.date_to, f.as_of) if f.date_to else f.as_of)
    # five queries at once (base.together); the four rates are dropped when there is no incident
    table, rec, act, ttp, lrn = together(
        lambda: incidents(con, f, settings), lambda: recurrence.rate_by_period(con, f, settings, "quarter"),
        lambda: actions.rates_by_quarter(con, f, settings), lambda: timeliness.summary(con, f, settings, by="quarter"),
        lambda: learning.by_quarter(con, f, settings))
    if table.empty:
        return table, None
    rec = rec.rename(columns={"period": "quarter"})
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
    return with_partial(table, f.as_of, settings.fiscal_year_start_month), act


def trends_with_due(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None = None) -> pd.DataFrame:
    """``trends`` with ``due``: the actions due by the as-of date among each quarter's incidents' actions, the
    on-time rate's n (actions.rates_by_quarter); 0 for a quarter with none."""
    # The trends' own rates: the same as on f (their kept actions stop at the as-of date either way, and
    # take dated incidents only), so they are not asked for twice.
    table, rates = _trends(con, f, settings or Settings())
    if table.empty:
        return table
    table = table.merge(rates[["quarter", "due"]], on="quarter", how="left") if not rates.empty else table.assign(
        due=None)
    table["due"] = table["due"].fillna(0).astype(int)
    return table


def cause_order(causes: pd.DataFrame) -> list[str]:
    """The causes of ``causes`` (long format, as ``causes`` returns it), most incidents first, 'unknown' last."""
    order = causes.groupby("cause")["incidents"].sum().sort_values(ascending=False, kind="stable").index.tolist()
    return [c for c in order if c != "unknown"] + (["unknown"] if "unknown" in order else [])


def causes_wide(causes: pd.DataFrame) -> pd.DataFrame:
    """``causes`` as one row per quarter and one column per cause, in cause_order; 0 where none."""
    wide = causes.pivot_table(index="quarter", columns="cause", values="incidents", aggfunc="sum", fill_value=0)
    wide = wide[[c for c in cause_order(causes) if c in wide.columns]].reset_index()
    wide.columns.name = None
    return wide
