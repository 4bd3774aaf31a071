"""Corrective actions: completion, on-time closing, overdue and blocked lists, time to close."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from analytics.base import frame, pm_cte, quarter_expr
from analytics.filters import Filters
from analytics.settings import Settings

OPEN = "('todo', 'in_progress', 'blocked')"


def _base(f: Filters) -> tuple[str, dict]:
    """Every action of the kept post-mortems that existed by the as-of date, with flags
    evaluated on that date. Cancelled actions are kept here and excluded by each metric.
    An unknown status (NULL: a word outside the vocabulary) is open: ``done`` and ``cancelled`` are
    FALSE for it, never NULL, or every ``NOT done`` / ``NOT cancelled`` would drop the action; its
    ``status`` reads 'unknown' in the listings."""
    cte, params = pm_cte(f)
    params["as_of"] = f.as_of
    return f"""
        WITH {cte},
        a AS (
            SELECT a.* REPLACE (coalesce(a.status, 'unknown') AS status),
                   pm.title, pm.team, pm.service, pm.severity, pm.incident_date,
                   coalesce(pm.postmortem_date, pm.incident_date) AS opened_on,
                   (a.status IS NOT DISTINCT FROM 'done'
                    AND (a.completed_at IS NULL OR a.completed_at::DATE <= $as_of)) AS done,
                   (a.status IS NOT DISTINCT FROM 'cancelled') AS cancelled,
                   (a.due_date IS NOT NULL AND a.due_date <= $as_of) AS due
            FROM actions a JOIN pm USING (postmortem_id)
            WHERE pm.incident_date IS NULL OR pm.incident_date <= $as_of
        )""", params


RATES = """
    count(*) FILTER (WHERE NOT cancelled) AS actions,
    count(*) FILTER (WHERE done) AS done,
    count(*) FILTER (WHERE done) / nullif(count(*) FILTER (WHERE NOT cancelled), 0) AS completion_rate,
    count(*) FILTER (WHERE due AND NOT cancelled) AS due,
    count(*) FILTER (WHERE due AND NOT cancelled AND done AND completed_at::DATE <= due_date) AS on_time,
    count(*) FILTER (WHERE due AND NOT cancelled AND done AND completed_at::DATE <= due_date)
        / nullif(count(*) FILTER (WHERE due AND NOT cancelled), 0) AS on_time_rate,
    count(*) FILTER (WHERE due AND NOT cancelled AND NOT done AND due_date < $as_of) AS overdue,
    count(*) FILTER (WHERE status = 'blocked') AS blocked
"""


def summary(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """One row: actions (not cancelled), done, completion_rate, due, on_time, on_time_rate, overdue, blocked."""
    base, params = _base(f)
    return frame(con, f"{base} SELECT {RATES} FROM a", params)


def rates_by(con: duckdb.DuckDBPyConnection, f: Filters, by: str) -> pd.DataFrame:
    """The same rates per team, owner or priority."""
    column = {"team": "team", "owner": "owner", "priority": "priority", "severity": "severity",
              "service": "service"}[by]
    base, params = _base(f)
    return frame(con, f"{base} SELECT {column} AS {by}, {RATES} FROM a GROUP BY 1 ORDER BY actions DESC, 1",
                 params)


def overdue(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Open actions past their due date, oldest first."""
    base, params = _base(f)
    return frame(con, f"""{base}
        SELECT action_id, postmortem_id, title, team, service, description, owner, priority, status,
               due_date, date_diff('day', due_date, $as_of) AS days_overdue
        FROM a WHERE NOT done AND NOT cancelled AND due_date < $as_of
        ORDER BY days_overdue DESC, action_id""", params)


def blocked(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Blocked actions with how long they have been blocked, longest first."""
    base, params = _base(f)
    return frame(con, f"""{base}
        SELECT action_id, postmortem_id, title, team, service, description, owner, priority, due_date,
               blocked_since, date_diff('day', blocked_since::DATE, $as_of) AS days_blocked
        FROM a WHERE status = 'blocked'
        ORDER BY days_blocked DESC NULLS LAST, action_id""", params)


def open_actions(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Every open action, grouped by incident, for the template's tracker form; overdue as in ``overdue``."""
    base, params = _base(f)
    return frame(con, f"""{base}
        SELECT postmortem_id, title, incident_date, position, description, owner, due_date, priority,
               status, ticket, coalesce(due_date < $as_of, FALSE) AS overdue
        FROM a WHERE NOT done AND NOT cancelled
        ORDER BY incident_date, postmortem_id, position""", params)


def time_to_close(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Kaplan–Meier estimate of the days from the post-mortem to an action's closing.
    Open actions are censored on the as-of date; cancelled ones are left out."""
    base, params = _base(f)
    rows = frame(con, f"""{base}
        SELECT greatest(0, date_diff('day', opened_on,
                   CASE WHEN done THEN completed_at::DATE ELSE $as_of END)) AS days,
               done AS closed
        FROM a WHERE NOT cancelled AND opened_on IS NOT NULL AND (NOT done OR completed_at IS NOT NULL)""",
                 params)
    return kaplan_meier(rows["days"].to_numpy(), rows["closed"].to_numpy(dtype=bool))


def kaplan_meier(durations: np.ndarray, events: np.ndarray) -> pd.DataFrame:
    """Product-limit estimator. Returns one row per distinct time: at_risk, closed, censored,
    still_open (S(t)) and closed_share (1 - S(t)). A time-0 row is always first."""
    columns = ["days", "at_risk", "closed", "censored", "still_open", "closed_share"]
    n = len(durations)
    if n == 0:
        return pd.DataFrame(columns=columns)
    durations = np.asarray(durations, dtype=float)
    events = np.asarray(events, dtype=bool)
    rows, survival = [], 1.0
    times = np.unique(durations)
    if times[0] > 0:
        rows.append((0.0, n, 0, 0, 1.0, 0.0))
    for t in times:
        at_risk = int((durations >= t).sum())
        closed = int(((durations == t) & events).sum())
        censored = int(((durations == t) & ~events).sum())
        if at_risk:
            survival *= 1 - closed / at_risk
        rows.append((float(t), at_risk, closed, censored, survival, 1 - survival))
    return pd.DataFrame(rows, columns=columns)


def cohort_completion(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None = None) -> pd.DataFrame:
    """For each quarter's incidents: the share of their actions done within N days of the incident,
    counted over the actions whose N-day window has ended by the as-of date; partial marks a quarter not
    over on that date."""
    settings = settings or Settings()
    base, params = _base(f)
    columns = []
    for days in settings.cohort_days:
        window = f"incident_date + INTERVAL {int(days)} DAY <= $as_of"
        done_by = f"done AND completed_at::DATE <= incident_date + INTERVAL {int(days)} DAY"
        columns.append(f"count(*) FILTER (WHERE {window}) AS n_{days}d")
        columns.append(f"count(*) FILTER (WHERE {window} AND {done_by}) "
                       f"/ nullif(count(*) FILTER (WHERE {window}), 0) AS done_{days}d")
    quarter = quarter_expr("incident_date", settings.fiscal_year_start_month)
    table = frame(con, f"""{base}
        SELECT {quarter} AS quarter, count(*) AS actions, {", ".join(columns)}
        FROM a WHERE NOT cancelled AND incident_date IS NOT NULL
        GROUP BY 1 ORDER BY 1""", params)
    return _with_partial(table, f, settings)


def _with_partial(table: pd.DataFrame, f: Filters, settings: Settings) -> pd.DataFrame:
    from analytics.quarterly import with_partial  # analytics.quarterly builds on this module

    return with_partial(table, f.as_of, settings.fiscal_year_start_month)


def rates_by_quarter(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None = None) -> pd.DataFrame:
    """Completion and on-time rates of the actions of each quarter's incidents, as of f.as_of; partial marks
    a quarter not over on that date."""
    settings = settings or Settings()
    base, params = _base(f)
    quarter = quarter_expr("incident_date", settings.fiscal_year_start_month)
    return _with_partial(frame(con, f"{base} SELECT {quarter} AS quarter, {RATES} FROM a "
                                    "WHERE incident_date IS NOT NULL GROUP BY 1 ORDER BY 1", params), f, settings)
