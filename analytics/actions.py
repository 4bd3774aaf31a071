"""Corrective actions: completion, on-time closing, overdue and blocked lists, time to close."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from analytics import action_facts
from analytics.base import frame, pm_cte, tuples
from analytics.filters import Filters
from analytics.quarters import grouped_by_quarter, with_partial
from analytics.settings import Settings

PRIORITIES = ("high", "medium", "low")  # the template's order


# an action still to do on the as-of date, and one of them past its due date; closed_on says the same as the
# flags, in a form a scan of the stored table can skip on (analytics/action_facts.py)
OPEN = "NOT done AND NOT cancelled AND closed_on > $as_of"
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
                  f"{action_facts.CLOSED_ON} AS closed_on, "
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


# What each count of the rates counts, on kept_actions' rows: the metric's one definition. RATES counts them
# row by row; SUMMED_RATES adds up the counts of groups that COUNTS made (summary_and_rates).
COUNTED = {
    "actions": "NOT cancelled",
    "done": "done",
    "due": "due AND NOT cancelled",
    "on_time": "due AND NOT cancelled AND done AND completed_at::DATE <= due_date",
    "overdue": "due AND NOT cancelled AND NOT done AND due_date < $as_of",
    "blocked": "status = 'blocked'",
}


def _rates(count) -> str:
    """The rates' columns in their order, ``count(name)`` being the SQL of the count ``name``."""
    return f"""
    {count('actions')} AS actions,
    {count('done')} AS done,
    {count('done')} / nullif({count('actions')}, 0) AS completion_rate,
    {count('due')} AS due,
    {count('on_time')} AS on_time,
    {count('on_time')} / nullif({count('due')}, 0) AS on_time_rate,
    {count('overdue')} AS overdue,
    {count('blocked')} AS blocked
"""


RATES = _rates(lambda name: f"count(*) FILTER (WHERE {COUNTED[name]})")
COUNTS = ", ".join(f"count(*) FILTER (WHERE {condition}) AS {name}" for name, condition in COUNTED.items())
# the sum of no group (an empty selection) is NULL where a count of no row is 0
SUMMED_RATES = _rates(lambda name: f"coalesce(sum({name}), 0)::BIGINT")


# what the rates can be grouped by: the name of a table's first column -> the column of kept_actions
GROUPS = {"team": "team", "owner": "owner", "priority": "priority", "severity": "severity", "service": "service"}


def summary(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """One row: actions (not cancelled), done, completion_rate, due, on_time, on_time_rate, overdue, blocked."""
    base, params = kept_actions(f, con)
    return frame(con, f"{base} SELECT {RATES} FROM kept_actions", params)


def rates_by(con: duckdb.DuckDBPyConnection, f: Filters, by: str) -> pd.DataFrame:
    """The same rates per team, owner or priority."""
    column = GROUPS[by]
    base, params = kept_actions(f, con)
    return frame(con, f"{base} SELECT {column} AS {by}, {RATES} FROM kept_actions GROUP BY 1 ORDER BY actions DESC, 1",
                 params)


def summary_and_rates(con: duckdb.DuckDBPyConnection, f: Filters, by: tuple[str, ...] = ("team", "priority")
                      ) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """``summary`` and ``rates_by`` for each of ``by`` (at least one), the same frames, from one scan of the
    actions: the rows are counted once per combination of the ``by`` columns (COUNTS), and the combinations
    added up for the whole selection and per column (GROUPING SETS). At 100,000 post-mortems the three scans
    of 400,000 actions the Actions page made cost about 1.5 times this one."""
    base, params = kept_actions(f, con)
    whole = [f"grouping({name}) = 1 AS _whole_{name}" for name in by]
    rows = frame(con, f"""{base},
        cells AS (SELECT {", ".join(f"{GROUPS[name]} AS {name}" for name in by)}, {COUNTS}
                  FROM kept_actions GROUP BY ALL)
        SELECT {", ".join(whole)}, {", ".join(by)}, {SUMMED_RATES}
        FROM cells GROUP BY GROUPING SETS ((), {", ".join(f"({name})" for name in by)})
        ORDER BY {", ".join(f"_whole_{name} DESC" for name in by)}, actions DESC, {", ".join(by)}""", params)
    rates = [column for column in rows.columns if column not in by and not column.startswith("_whole_")]
    summary = rows.loc[rows[[f"_whole_{name}" for name in by]].all(axis=1), rates].reset_index(drop=True)
    return summary, {name: rows.loc[~rows[f"_whole_{name}"], [name, *rates]].reset_index(drop=True) for name in by}


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


def _first_rows_only(con: duckdb.DuckDBPyConnection, base: str, params: dict, where: str, column: str,
                     limit: int | None) -> str:
    """``AND <column> <= $bound``: a condition that keeps every row of a listing's first ``limit`` when it
    is ordered by ``column`` (ascending, nulls last) first, and few others; empty when there is no bound
    (every row, or fewer rows than ``limit``, or a null ``column`` in the last of them).

    Why: a listing's text columns (ids, titles, descriptions) are most of a scan's cost, and the rows a list
    keeps are spread over the whole table. Found first with the dates alone, the bound lets the scan skip
    the text of rows that cannot be among the first ``limit``."""
    if limit is None or limit < 1:
        return ""
    last = tuples(con, f"{base} SELECT {column} FROM kept_actions WHERE {where} ORDER BY {column} "
                       "LIMIT 1 OFFSET $before", {**params, "before": int(limit) - 1})
    if not last or last[0][0] is None:
        return ""
    params["bound"] = last[0][0]
    return f"AND {column} <= $bound"


def overdue(con: duckdb.DuckDBPyConnection, f: Filters, limit: int | None = None) -> pd.DataFrame:
    """Open actions past their due date, oldest first (the first ``limit``; as many as ``summary``'s overdue)."""
    base, params = kept_actions(f, con)
    first = _first_rows_only(con, base, params, OVERDUE, "due_date", limit)  # the most days overdue first
    return frame(con, f"""{base}
        SELECT action_id, postmortem_id, title, team, service, description, owner, priority, status,
               due_date, date_diff('day', due_date, $as_of) AS days_overdue
        FROM kept_actions WHERE {OVERDUE} {first}
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
    first = _first_rows_only(con, base, params, OPEN, "incident_date", limit)
    return frame(con, f"""{base}
        SELECT postmortem_id, title, incident_date, position, description, owner, due_date, priority,
               status, ticket, coalesce(due_date < $as_of, FALSE) AS overdue
        FROM kept_actions WHERE {OPEN} {first}
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
    over on that date.

    The actions are counted per incident date first (a few thousand dates for 400,000 actions), then the
    dates per quarter: whether a window has ended depends on the date alone, and labelling a quarter per
    action cost more than the counting. Done within N days: completed on day ``incident_date + N`` at
    the latest, in days between two dates (the same days as adding an interval, without a timestamp per action)."""
    settings = settings or Settings()
    base, params = kept_actions(f, con)
    per_day, columns = [], []
    for days in settings.cohort_days:
        window = f"incident_date + INTERVAL {int(days)} DAY <= $as_of"
        per_day.append(f"count(*) FILTER (WHERE done AND completed_at::DATE - incident_date <= {int(days)}) "
                       f"AS done_within_{days}")
        # a sum over no date is NULL, where the count of no action was 0
        columns.append(f"coalesce(sum(actions) FILTER (WHERE {window}), 0)::BIGINT AS n_{days}d")
        columns.append(f"sum(done_within_{days}) FILTER (WHERE {window}) "
                       f"/ nullif(sum(actions) FILTER (WHERE {window}), 0) AS done_{days}d")
    table = frame(con, f"""{base},
        per_day AS (SELECT incident_date, count(*) AS actions, {", ".join(per_day)}
                    FROM kept_actions WHERE NOT cancelled AND incident_date IS NOT NULL GROUP BY incident_date)
        {grouped_by_quarter(f'sum(actions)::BIGINT AS actions, {", ".join(columns)}', "incident_date",
                            settings.fiscal_year_start_month, "FROM per_day")}""", params)
    return with_partial(table, f.as_of, settings.fiscal_year_start_month)


def rates_by_quarter(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None = None) -> pd.DataFrame:
    """Completion and on-time rates of the actions of each quarter's incidents, as of f.as_of; partial marks
    a quarter not over on that date."""
    settings = settings or Settings()
    base, params = kept_actions(f, con)
    table = frame(con, f"{base} " + grouped_by_quarter(RATES, "incident_date", settings.fiscal_year_start_month,
                                                        "FROM kept_actions WHERE incident_date IS NOT NULL"), params)
    return with_partial(table, f.as_of, settings.fiscal_year_start_month)
