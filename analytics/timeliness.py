"""Time to post-mortem: days from the incident to its post-mortem, the share written within the SLA,
and the incidents still waiting for theirs.

The as-of date is "today": a post-mortem dated after it was not written yet on that day, so it is
waiting, not measured. A post-mortem dated before its incident (a data error, warned at ingest) is left
out of the measure."""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics.base import business_days, duration_stats, frame, pm_cte
from analytics.filters import Filters
from analytics.quarters import quarter_expr
from analytics.settings import Settings

GROUPS = ("severity", "team", "quarter")


def _written(f: Filters, settings: Settings) -> tuple[str, dict]:
    """`written`: the kept post-mortems written by the as-of date, with calendar and business days."""
    cte, params = pm_cte(f)
    params.update(as_of=f.as_of, sla=settings.postmortem_sla_business_days)
    quarter = quarter_expr("incident_date", settings.fiscal_year_start_month)
    return f"""
        WITH {cte},
        dated AS (
            SELECT *, coalesce(days_to_postmortem, date_diff('day', incident_date, postmortem_date)) AS days
            FROM pm
            WHERE incident_date IS NOT NULL AND postmortem_date IS NOT NULL AND postmortem_date <= $as_of
        ),
        written AS (
            SELECT postmortem_id, title, team, service, severity, incident_date, postmortem_date, days,
                   {business_days("incident_date", "postmortem_date")} AS business_days,
                   {quarter} AS quarter
            FROM dated WHERE days >= 0
        )""", params


def summary(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None = None,
            by: str | None = None) -> pd.DataFrame:
    """n, median, p90, max (calendar days), within_sla (business days <= SLA), within_sla_rate and
    small_sample (n < settings.small_sample); one row, or one per severity, team or quarter (of the
    incident date)."""
    settings = settings or Settings()
    if by is not None and by not in GROUPS:
        raise ValueError(f"by must be one of {', '.join(GROUPS)}, not {by!r}")
    base, params = _written(f, settings)
    params["small"] = settings.small_sample
    stats = f"""{duration_stats("days")},
        count(*) FILTER (WHERE business_days <= $sla) AS within_sla,
        count(*) FILTER (WHERE business_days <= $sla) / nullif(count(*), 0) AS within_sla_rate,
        count(*) < $small AS small_sample"""
    if by is None:
        return frame(con, f"{base} SELECT {stats} FROM written", params)
    return frame(con, f"{base} SELECT {by}, {stats} FROM written GROUP BY 1 ORDER BY 1 NULLS LAST", params)


def distribution(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None = None) -> pd.DataFrame:
    """One row per post-mortem written by the as-of date: postmortem_id, title, team, severity,
    incident_date, postmortem_date, days, business_days, within_sla."""
    settings = settings or Settings()
    base, params = _written(f, settings)
    return frame(con, f"""{base}
        SELECT postmortem_id, title, team, severity, incident_date, postmortem_date, days, business_days,
               business_days <= $sla AS within_sla
        FROM written ORDER BY incident_date, postmortem_id""", params)


def days(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None = None) -> pd.DataFrame:
    """``distribution``'s rows with only what a chart of them draws: severity, days, within_sla (at 100k
    post-mortems, the titles and ids the charts do not show are most of the cost of fetching them)."""
    settings = settings or Settings()
    base, params = _written(f, settings)
    return frame(con, f"""{base}
        SELECT severity, days, business_days <= $sla AS within_sla
        FROM written ORDER BY incident_date, postmortem_id""", params)


def day_counts(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None = None) -> pd.DataFrame:
    """``days``' rows counted: one row per severity, days and within_sla with n, the post-mortems that have
    them, by severity (nulls last), days and within_sla. What the charts draw, in a few hundred rows at 100k
    post-mortems: fetching ``days`` costs its 100,000 rows sorted on their ids, and the charts need no order."""
    settings = settings or Settings()
    base, params = _written(f, settings)
    return frame(con, f"""{base}
        SELECT severity, days, business_days <= $sla AS within_sla, count(*) AS n
        FROM written GROUP BY ALL ORDER BY severity NULLS LAST, days, within_sla""", params)


def waiting(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None = None) -> pd.DataFrame:
    """Incidents up to the as-of date with no post-mortem date on or before it, longest waiting first:
    postmortem_id, title, team, severity, incident_date, days_waiting, business_days_waiting and
    overdue (business days so far > the SLA: even written today it would be late)."""
    settings = settings or Settings()
    cte, params = pm_cte(f)
    params.update(as_of=f.as_of, sla=settings.postmortem_sla_business_days)
    return frame(con, f"""
        WITH {cte},
        waiting AS (
            SELECT postmortem_id, title, team, severity, incident_date,
                   date_diff('day', incident_date, $as_of) AS days_waiting,
                   {business_days("incident_date", "$as_of")} AS business_days_waiting
            FROM pm
            WHERE incident_date IS NOT NULL AND incident_date <= $as_of
              AND (postmortem_date IS NULL OR postmortem_date > $as_of)
        )
        SELECT *, business_days_waiting > $sla AS overdue
        FROM waiting ORDER BY days_waiting DESC, postmortem_id""", params)
