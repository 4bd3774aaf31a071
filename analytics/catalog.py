"""What the database holds: counts, filter choices, the post-mortem list and one post-mortem's detail.
Not metrics, but the same rule applies: SQL here, values bound, DataFrames out."""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics.base import frame, pm_cte, tuples
from analytics.filters import DIMENSIONS, Filters


def counts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return frame(con, """
        SELECT (SELECT count(*) FROM postmortems) AS postmortems, (SELECT count(*) FROM actions) AS actions,
               (SELECT count(*) FROM incidents) AS incidents,
               (SELECT max(finished_at) FROM ingest_runs) AS last_ingest,
               (SELECT min(incident_date) FROM postmortems) AS first_incident,
               (SELECT max(incident_date) FROM postmortems) AS last_incident""")


def choices(con: duckdb.DuckDBPyConnection) -> dict[str, list]:
    """Distinct values for the sidebar filters, each sorted; one scan for the four (every page asks)."""
    lists = ", ".join(f"list(DISTINCT {d.column} ORDER BY {d.column}) FILTER (WHERE {d.column} IS NOT NULL)"
                      for d in DIMENSIONS)
    (row,) = tuples(con, f"SELECT {lists} FROM postmortems")
    return {d.field: list(values or []) for d, values in zip(DIMENSIONS, row)}


def _literal_like(text: str) -> str:
    """Text for an ILIKE ... ESCAPE '\\' pattern that matches it literally: a typed % or _ is not a wildcard."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# the search of the post-mortem list, on a postmortems row: $q is the pattern, '%%' for no search
SEARCH = ("$q = '%%' OR postmortem_id ILIKE $q ESCAPE '\\' OR title ILIKE $q ESCAPE '\\' "
          "OR summary ILIKE $q ESCAPE '\\' OR root_cause ILIKE $q ESCAPE '\\'")


def postmortems(con: duckdb.DuckDBPyConnection, f: Filters, search: str = "", limit: int | None = None) -> pd.DataFrame:
    """The post-mortems the filters keep, newest first; ``search`` matches id, title, summary and
    root cause, case-insensitively (bound as a parameter). ``limit``: only the first rows, in that order
    (their actions only are counted)."""
    cte, params = pm_cte(f)
    params["q"] = f"%{_literal_like(search.strip())}%"
    if limit is not None:
        params["limit"] = int(limit)
    return frame(con, f"""WITH {cte},
        matched AS (
            SELECT * FROM pm
            WHERE {SEARCH}
            ORDER BY incident_date DESC NULLS LAST, postmortem_id {"" if limit is None else "LIMIT $limit"}
        ),
        action_counts AS (
            SELECT postmortem_id, count(*) AS actions,
                   count(*) FILTER (WHERE status IS DISTINCT FROM 'done' AND status IS DISTINCT FROM 'cancelled')
                       AS open_actions  -- an unknown status (NULL) is open
            FROM actions WHERE postmortem_id IN (SELECT postmortem_id FROM matched) GROUP BY postmortem_id
        )
        SELECT postmortem_id, incident_date, title, team, service, severity, primary_cause_category,
               minutes_to_resolve, days_to_postmortem, postmortem_date,
               coalesce(action_counts.actions, 0) AS actions, coalesce(action_counts.open_actions, 0) AS open_actions,
               language, source_format
        FROM matched LEFT JOIN action_counts USING (postmortem_id)
        ORDER BY incident_date DESC NULLS LAST, postmortem_id""", params)


def postmortem_count(con: duckdb.DuckDBPyConnection, f: Filters, search: str = "") -> int:
    """How many rows ``postmortems`` has for these filters and this search."""
    cte, params = pm_cte(f)
    params["q"] = f"%{_literal_like(search.strip())}%"
    return int(frame(con, f"""WITH {cte}
        SELECT count(*) AS n FROM pm
        WHERE {SEARCH}""", params).iloc[0]["n"])


def detail(con: duckdb.DuckDBPyConnection, postmortem_id: str) -> dict[str, pd.DataFrame]:
    p = {"id": postmortem_id}
    return {
        "postmortem": frame(con, "SELECT * FROM postmortems WHERE postmortem_id = $id", p),
        "timeline": frame(con, "SELECT position, occurred_at, kind, event FROM timeline_events "
                               "WHERE postmortem_id = $id ORDER BY position", p),
        "whys": frame(con, "SELECT position, question, answer FROM whys WHERE postmortem_id = $id "
                           "ORDER BY position", p),
        "actions": frame(con, "SELECT position, description, owner, due_date, priority, "
                              "coalesce(status, 'unknown') AS status, ticket, "
                              "completed_at, blocked_since FROM actions WHERE postmortem_id = $id "
                              "ORDER BY position", p),
        "learnings": frame(con, "SELECT kind, position, text FROM learnings WHERE postmortem_id = $id "
                                "ORDER BY kind, position", p),
        "causes": frame(con, "SELECT position, category, is_primary, raw FROM causes WHERE postmortem_id = $id "
                             "ORDER BY position", p),
        "history": frame(con, "SELECT h.action_id, h.status, h.observed_at, h.source FROM action_status_history h "
                              "JOIN actions a USING (action_id) WHERE a.postmortem_id = $id "
                              "ORDER BY h.action_id, h.observed_at", p),
    }


def incidents_per_month(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Post-mortems per incident month and severity; partial: the month is not over on the as-of date
    (its last day is after it), so its count is so far."""
    cte, params = pm_cte(f)
    params["as_of"] = f.as_of
    return frame(con, f"""WITH {cte}
        SELECT date_trunc('month', incident_date) AS month, coalesce(severity, 'unknown') AS severity,
               count(*) AS incidents,
               date_trunc('month', incident_date) + INTERVAL 1 MONTH > $as_of::DATE + INTERVAL 1 DAY AS partial
        FROM pm WHERE incident_date IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2""", params)
