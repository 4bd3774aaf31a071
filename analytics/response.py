"""Response times: minutes from the incident's start to its detection, acknowledgement, mitigation and
resolution (postmortems.minutes_to_*), as median, p90, max and n per metric.

Each metric counts the post-mortems that give it: a post-mortem with a time to resolve but no time to
detect is in the resolve n only."""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics.base import duration_stats, frame, pm_cte
from analytics.filters import Filters
from analytics.quarters import quarter_expr
from analytics.settings import Settings

METRICS = ("detect", "acknowledge", "mitigate", "resolve")
GROUPS = ("severity", "team", "quarter")


def _long(f: Filters, settings: Settings) -> tuple[str, dict]:
    """`measured`: one row per post-mortem and metric with a value."""
    cte, params = pm_cte(f)
    quarter = quarter_expr("incident_date", settings.fiscal_year_start_month)
    parts = " UNION ALL ".join(
        f"SELECT postmortem_id, '{m}' AS metric, {i} AS metric_order, minutes_to_{m} AS minutes, severity, team, "
        f"{quarter} AS quarter FROM pm WHERE minutes_to_{m} IS NOT NULL"
        for i, m in enumerate(METRICS))
    return f"WITH {cte}, measured AS ({parts})", params


def distributions(con: duckdb.DuckDBPyConnection, f: Filters, by: str | None = None,
                  settings: Settings | None = None) -> pd.DataFrame:
    """Long format: metric ('detect', 'acknowledge', 'mitigate', 'resolve'), group, n, median, p90, max
    (minutes). ``by`` None gives one group 'all'; 'severity', 'team' or 'quarter' (of the incident
    date) one row per metric and group that has a value."""
    settings = settings or Settings()
    if by is not None and by not in GROUPS:
        raise ValueError(f"by must be one of {', '.join(GROUPS)}, not {by!r}")
    base, params = _long(f, settings)
    group = "'all'" if by is None else by
    return frame(con, f"""{base}
        SELECT metric, {group} AS "group", {duration_stats("minutes")}
        FROM measured GROUP BY metric, metric_order, "group"
        ORDER BY metric_order, "group" NULLS LAST""", params)
