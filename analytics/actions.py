"""Corrective actions: completion, on-time closing, overdue and blocked lists, time to close."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from analytics import action_facts
from analytics.base import frame, pm_cte
from analytics.filters import Filters
from analytics.quarters import grouped_by_quarter, with_partial
from analytics.settings import Settings

PRIORITIES = ("high", "medium", "low")  # the template's order


# an action still to do on the as-of date, and one of them past its due date
OPEN = "NOT done AND NOT cancelled"
OVERDUE = f"{OPEN} AND due_date < $as_of"


def kept_actions(f: Filters, con: duckdb.DuckDBPyConnection | None = None, inline: bool = False) -> tuple[str, dict]:
    """`WITH pm AS (...), kept_actions AS (...)`: every action of the kept post-mortems that existed by the
    as-of date, with flags evaluated on that date. Cancelled actions are kept here and excluded by each metric.
    An unknown status (NULL: a word outside the vocabulary) is open: ``done`` and ``cancelled`` are
    FALSE for it, never NULL, or every ``NOT done`` / ``NOT cancelled`` would drop the action; its
    ``status`` reads 'unknown' in the listings. With ``con``, read from the actions joined to their
    post-mortems as the last ingest wrote them (analytics/action_facts.py) when the file has them. ``inline``:
    for a query that reads kept_actions more than once, which DuckDB would otherwise compute and store
    whole, every column of every row (400,000 at 100k post-mortems), before each reader takes a few of
    them (a quarter of the escalation listing's CPU, measured)."""
    cte, params = pm_cte(f)
    params["as_of"] = f.as_of
    if con is not None and action_facts.stored_current(con):
        kept, _ = f.where("action")  # the same conditions and parameters as pm_cte's, on the stored columns
        pm_columns = ", ".join(action_facts.POSTMORTEM_COLUMNS)
        source = (f"SELECT action.* EXCLUDE ({pm_columns}) REPLACE (coalesce(action.status, 'unknown') AS status), "
                  "action.title, action.team, action.service, action.severity, action.incident_date, "
                  "coalesce(action.postmortem_date, action.incident_date) AS opened_on, "
                  f"{FLAGS} FROM {action_facts.STORED} action WHERE {kept} AND {happened('action')}")
    else:
        source = ("SELECT action.* REPLACE (coalesce(action.status, 'unknown') AS status), pm.title, pm.team, "
                  "pm.service, pm.severity, pm.incident_date, "
                  "coalesce(pm.postmortem_date, pm.incident_date) AS opened_on, "
                  f"{FLAGS} FROM actions action JOIN pm USING (postmortem_id) WHERE {happened('pm')}")
    return f"""
        WITH {cte},
        kept_actions AS {'NOT MATERIALIZED ' if inline else ''}({source})""", params


def happened(alias: str) -> str:
    """The incident (of the row aliased ``alias``) had happened by the as-of date, or its date is unknown."""
    return f"({alias}.incident_date IS NULL OR {alias}.incident_date <= $as_of)"


# an action's state on the as-of date (kept_actions)
FLAGS = """(action.status IS NOT DISTINCT FROM 'done'
            AND (action.completed_at IS NULL OR action.completed_at::DATE <= $as_of)) AS done,
           (action.status IS NOT DISTINCT FROM 'cancelled') AS cancelled,
           (action.due_date IS NOT NULL AND action.due_date <= $as_of) AS due"""


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
    base, params = kept_actions(f, con)
    return frame(con, f"{base} SELECT {RATES} FROM kept_actions", params)


def rates_by(con: duckdb.DuckDBPyConnection, f: Filters, by: str) -> pd.DataFrame:
    """The same rates per team, owner or priority."""
    column = {"team": "team", "owner": "owner", "priority": "priority", "severity": "severity",
              "service": "service"}[by]
    base, params = kept_actions(f, con)
    return frame(con, f"{base} SELECT {column} AS {by}, {RATES} FROM kept_actions GROUP BY 1 ORDER BY actions DESC, 1",
                 params)


def in_priority_order(table: pd.DataFrame) -> pd.DataFrame:
    """``rates_by(..., "priority")`` in the template's order (high, medium, low), not the largest first;
    another priority after them, by name."""
    if table.empty:
        return table
    rank = table["priority"].map({p: i for i, p in enumerate(PRIORITIES)}).fillna(len(PRIORITIES))
    return table.assign(_order=rank).sort_values(["_order", "priority"], kind="stable").drop(columns="_order")


def _limited(params: dict, limit: int | None) -> str:
    """A LIMIT clause for a listing's first ``limit`` rows (every row when None): a page shows the first rows
    of a list that at 100k post-mortems holds 35,000; its count comes from ``summary``."""
    if limit is None:
        return ""
    params["limit"] = int(limit)
    return "LIMIT $limit"


def overdue(con: duckdb.DuckDBPyConnection, f: Filters, limit: int | None = None) -> pd.DataFrame:
    """Open actions past their due date, oldest first (the first ``limit``; as many as ``summary``'s overdue)."""
    base, params = kept_actions(f, con)
    return frame(con, f"""{base}
        SELECT action_id, postmortem_id, title, team, service, description, owner, priority, status,
               due_date, date_diff('day', due_date, $as_of) AS days_overdue
        FROM kept_actions WHERE {OVERDUE}
        ORDER BY days_overdue DESC, action_id {_limited(params, limit)}""", params)


def blocked(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Blocked actions with how long they have been blocked, longest first."""
    base, params = kept_actions(f, con)
    return frame(con, f"""{base}
        SELECT action_id, postmortem_id, title, team, service, description, owner, priority, due_date,
               blocked_since, date_diff('day', blocked_since::DATE, $as_of) AS days_blocked
        FROM kept_actions WHERE status = 'blocked'
        ORDER BY days_blocked DESC NULLS LAST, action_id""", params)


def open_count(summary: pd.DataFrame) -> int:
    """How many actions ``open_actions`` lists, from ``summary``'s row: every action not cancelled is done
    or open on the as-of date."""
    row = summary.iloc[0]
    return int(row["actions"] - row["done"])


def open_actions(con: duckdb.DuckDBPyConnection, f: Filters, limit: int | None = None) -> pd.DataFrame:
    """Every open action (the first ``limit``), grouped by incident, for the template's tracker form; overdue
    as in ``overdue``. As many as ``summary``'s actions - done."""
    base, params = kept_actions(f, con)
    return frame(con, f"""{base}
        SELECT postmortem_id, title, incident_date, position, description, owner, due_date, priority,
               status, ticket, coalesce(due_date < $as_of, FALSE) AS overdue
        FROM kept_actions WHERE {OPEN}
        ORDER BY incident_date, postmortem_id, position, action_id {_limited(params, limit)}""", params)


def time_to_close(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Kaplan–Meier estimate of the days from the post-mortem to an action's closing.
    Open actions are censored on the as-of date; cancelled ones are left out."""
    base, params = kept_actions(f, con)
    counted = frame(con, f"""{base}
        SELECT greatest(0, date_diff('day', opened_on,
                   CASE WHEN done THEN completed_at::DATE ELSE $as_of END)) AS days,
               done AS closed, count(*) AS actions
        FROM kept_actions WHERE NOT cancelled AND opened_on IS NOT NULL AND (NOT done OR completed_at IS NOT NULL)
        GROUP BY 1, 2""", params)
    return kaplan_meier(counted["days"].to_numpy(), counted["closed"].to_numpy(dtype=bool),
                        counted["actions"].to_numpy())


def kaplan_meier(durations: np.ndarray, events: np.ndarray, weights: np.ndarray | None = None) -> pd.DataFrame:
    """Product-limit estimator. ``events``: True for a closing, False for a censored duration; ``weights``:
    how many actions each row stands for (1 each by default). Returns one row per distinct time: at_risk,
    closed, censored, still_open (S(t)) and closed_share (1 - S(t)). A time-0 row is always first.

    at_risk(t) counts the durations >= t: all of them minus those of the earlier times. S(t) is the running
    product of (1 - closed / at_risk), multiplied in time order as the estimator's definition says."""
    columns = ["days", "at_risk", "closed", "censored", "still_open", "closed_share"]
    durations = np.asarray(durations, dtype=float)
    weights = np.ones(len(durations), dtype=np.int64) if weights is None else np.asarray(weights, dtype=np.int64)
    times, which = np.unique(durations, return_inverse=True)
    total = np.bincount(which, weights=weights, minlength=len(times)).astype(np.int64)
    closed = np.bincount(which, weights=weights * np.asarray(events, dtype=bool), minlength=len(times)).astype(np.int64)
    n = int(total.sum())
    if n == 0:
        return pd.DataFrame(columns=columns)
    at_risk = n - np.concatenate(([0], np.cumsum(total)[:-1]))
    survival = np.cumprod(1 - closed / at_risk)
    if times[0] > 0:  # the curve starts at day 0, everyone at risk
        times, at_risk, closed, total, survival = (np.concatenate(([first], values)) for first, values in
                                                   ((0.0, times), (n, at_risk), (0, closed), (0, total),
                                                    (1.0, survival)))
    return pd.DataFrame({"days": times.astype(float), "at_risk": at_risk.astype(np.int64),
                         "closed": closed.astype(np.int64), "censored": (total - closed).astype(np.int64),
                         "still_open": survival, "closed_share": 1 - survival}, columns=columns)


def observed_quantile(km: pd.DataFrame, q: float = 0.95) -> float:
    """The q-quantile (nearest rank) of the observed closing times of a Kaplan–Meier table (censored times
    left out: the curve moves only at closings): where a chart's time axis can stop while showing almost
    all of the curve's rise. Actions open for years would otherwise stretch it to a long flat tail."""
    counts = km["closed"].to_numpy(dtype=np.int64)
    if counts.sum() == 0:
        return 0.0
    rank = int(np.ceil(q * counts.sum()))  # the smallest time with at least q of the actions at or before it
    return float(km["days"].to_numpy()[np.searchsorted(np.cumsum(counts), rank)])


def cohort_completion(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None = None) -> pd.DataFrame:
    """For each quarter's incidents: the share of their actions done within N days of the incident,
    counted over the actions whose N-day window has ended by the as-of date; partial marks a quarter not
    over on that date."""
    settings = settings or Settings()
    base, params = kept_actions(f, con)
    columns = []
    for days in settings.cohort_days:
        window = f"incident_date + INTERVAL {int(days)} DAY <= $as_of"
        done_by = f"done AND completed_at::DATE <= incident_date + INTERVAL {int(days)} DAY"
        columns.append(f"count(*) FILTER (WHERE {window}) AS n_{days}d")
        columns.append(f"count(*) FILTER (WHERE {window} AND {done_by}) "
                       f"/ nullif(count(*) FILTER (WHERE {window}), 0) AS done_{days}d")
    table = frame(con, f"""{base} {grouped_by_quarter(
        f'count(*) AS actions, {", ".join(columns)}', "incident_date", settings.fiscal_year_start_month,
        "FROM kept_actions WHERE NOT cancelled AND incident_date IS NOT NULL")}""", params)
    return with_partial(table, f.as_of, settings.fiscal_year_start_month)


def rates_by_quarter(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None = None) -> pd.DataFrame:
    """Completion and on-time rates of the actions of each quarter's incidents, as of f.as_of; partial marks
    a quarter not over on that date."""
    settings = settings or Settings()
    base, params = kept_actions(f, con)
    table = frame(con, f"{base} " + grouped_by_quarter(RATES, "incident_date", settings.fiscal_year_start_month,
                                                        "FROM kept_actions WHERE incident_date IS NOT NULL"), params)
    return with_partial(table, f.as_of, settings.fiscal_year_start_month)
