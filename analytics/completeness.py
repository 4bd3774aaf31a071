"""Data completeness: how many post-mortems lack the fields the metrics need, and which source files to
fix first.

The six fields: team, severity, primary_cause_category (no cause that maps onto the taxonomy),
detection (neither detected_at nor minutes_to_detect), actions (not a single corrective action),
postmortem_date. The filters apply as everywhere; note that filtering on a field (a team, a severity,
a cause) keeps only post-mortems that have it."""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics.base import frame, pm_cte
from analytics.filters import Filters

# field name -> SQL condition "is missing" on a postmortems row
FIELDS = {
    "team": "team IS NULL OR trim(team) = ''",
    "severity": "severity IS NULL",
    "primary_cause_category": "primary_cause_category IS NULL",
    "detection": "detected_at IS NULL AND minutes_to_detect IS NULL",
    "actions": "NOT EXISTS (SELECT 1 FROM actions a WHERE a.postmortem_id = pm.postmortem_id)",
    "postmortem_date": "postmortem_date IS NULL",
}


def _flags(f: Filters) -> tuple[str, dict]:
    """`missing_fields`: one row per kept post-mortem with a boolean per field, TRUE when missing."""
    cte, params = pm_cte(f)
    flags = ", ".join(f"coalesce({cond}, TRUE) AS {name}" for name, cond in FIELDS.items())
    return f"WITH {cte}, missing_fields AS (SELECT postmortem_id, source_path, {flags} FROM pm)", params


def summary(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Long format, one row per field (always six): field, postmortems, missing, missing_share
    (= missing / postmortems)."""
    base, params = _flags(f)
    fields = ", ".join(f"('{name}', {i})" for i, name in enumerate(FIELDS))
    unpivoted = " UNION ALL ".join(f"SELECT '{name}' AS field, {name} AS missing FROM missing_fields"
                                   for name in FIELDS)
    return frame(con, f"""{base}, per_field AS ({unpivoted})
        SELECT field_order.field, count(per_field.field) AS postmortems,
               count(*) FILTER (WHERE per_field.missing) AS missing,
               count(*) FILTER (WHERE per_field.missing) / nullif(count(per_field.field), 0) AS missing_share
        FROM (VALUES {fields}) field_order(field, ord) LEFT JOIN per_field USING (field)
        GROUP BY field_order.field, field_order.ord ORDER BY field_order.ord""", params)


def worst_files(con: duckdb.DuckDBPyConnection, f: Filters, limit: int = 20) -> pd.DataFrame:
    """The source files with at least one missing field, worst first: source_path, postmortems,
    missing_fields (how many of the six fields lack a value in at least one of the file's
    post-mortems), missing (their names), missing_values (missing cells over all its post-mortems)."""
    base, params = _flags(f)
    params["limit"] = int(limit)
    any_missing = ", ".join(f"bool_or({name}) AS {name}" for name in FIELDS)
    cells = " + ".join(f"count(*) FILTER (WHERE {name})" for name in FIELDS)
    names = ", ".join(f"CASE WHEN {name} THEN '{name}' END" for name in FIELDS)
    return frame(con, f"""{base},
        per_file AS (SELECT source_path, count(*) AS postmortems, {cells} AS missing_values, {any_missing}
                     FROM missing_fields GROUP BY source_path),
        named AS (SELECT source_path, postmortems, missing_values,
                         list_filter([{names}], lambda x: x IS NOT NULL) AS missing FROM per_file)
        SELECT source_path, postmortems, len(missing) AS missing_fields, missing, missing_values
        FROM named WHERE len(missing) > 0
        ORDER BY missing_fields DESC, missing_values DESC, source_path
        LIMIT $limit""", params).assign(missing=lambda d: d["missing"].map(list))
