"""Data completeness: how many post-mortems lack the fields the metrics need, and which source files to
fix first.

The six fields: team, severity, primary_cause_category (no cause that maps onto the taxonomy),
detection (neither detected_at nor minutes_to_detect), actions (not a single corrective action),
postmortem_date. The filters apply as everywhere; note that filtering on a field (a team, a severity,
a cause) keeps only post-mortems that have it."""

from __future__ import annotations

import os

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
    "actions": "with_actions IS NULL",  # _flags joins the ids of the post-mortems that have an action
    "postmortem_date": "postmortem_date IS NULL",
}


def _flags(f: Filters) -> tuple[str, dict]:
    """`missing_fields`: one row per kept post-mortem with a boolean per field, TRUE when missing."""
    cte, params = pm_cte(f)
    flags = ", ".join(f"coalesce({cond}, TRUE) AS {name}" for name, cond in FIELDS.items())
    # a join to the distinct ids rather than NOT EXISTS per post-mortem: 63 -> 39 ms against 400,000 actions
    return (f"WITH {cte}, missing_fields AS (SELECT postmortem_id, source_path, {flags} FROM pm LEFT JOIN "
            "(SELECT DISTINCT postmortem_id AS with_actions FROM actions) ON with_actions = pm.postmortem_id)"), params


def report(con: duckdb.DuckDBPyConnection, f: Filters, limit: int = 20) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``summary`` and ``worst_files`` from one query: both count the same flags, and at 100,000
    post-mortems working them out (every post-mortem joined to the ids of 400,000 actions) is most of the
    cost, paid once here. The whole selection is one row (whole), beside one per file with a gap."""
    base, params = _flags(f)
    params["limit"] = int(limit)
    counts = ", ".join(f"count(*) FILTER (WHERE {name}) AS {name}" for name in FIELDS)
    cells = " + ".join(FIELDS)
    names = ", ".join(f"CASE WHEN {name} > 0 THEN '{name}' END" for name in FIELDS)
    anything = " OR ".join(FIELDS)
    # the files to rank are those with a missing value, a few of ~70,000 at 100k post-mortems: grouping every
    # post-mortem by its file cost as much as working the flags out
    rows = frame(con, f"""{base},
        flagged AS (SELECT DISTINCT source_path FROM missing_fields WHERE {anything}),
        per_file AS (SELECT NULL AS source_path, TRUE AS whole, count(*) AS postmortems, {counts} FROM missing_fields
                     UNION ALL
                     SELECT source_path, FALSE AS whole, count(*) AS postmortems, {counts}
                     FROM missing_fields SEMI JOIN flagged USING (source_path) GROUP BY source_path),
        named AS (SELECT *, {cells} AS missing_values,
                         list_filter([{names}], lambda x: x IS NOT NULL) AS missing FROM per_file)
        SELECT *, len(missing) AS missing_fields FROM named
        WHERE whole OR len(missing) > 0
        QUALIFY whole OR row_number() OVER (PARTITION BY whole
                                            ORDER BY len(missing) DESC, missing_values DESC, source_path) <= $limit
        ORDER BY whole DESC, missing_fields DESC, missing_values DESC, source_path""", params)
    whole = rows[rows["whole"]].iloc[0]
    total = int(whole["postmortems"])
    summary = pd.DataFrame({"field": list(FIELDS), "postmortems": [total] * len(FIELDS),
                            "missing": [int(whole[name]) for name in FIELDS]}).astype({"postmortems": "int64",
                                                                                      "missing": "int64"})
    summary["missing_share"] = summary["missing"] / total if total else float("nan")
    files = rows[~rows["whole"]].reset_index(drop=True)
    worst = files[["source_path", "postmortems", "missing_fields", "missing", "missing_values"]].assign(
        missing=lambda d: d["missing"].map(list))
    return summary, worst


def summary(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Long format, one row per field (always six): field, postmortems, missing, missing_share
    (= missing / postmortems)."""
    return report(con, f)[0]


def worst_files(con: duckdb.DuckDBPyConnection, f: Filters, limit: int = 20) -> pd.DataFrame:
    """The source files with at least one missing field, worst first: source_path, postmortems,
    missing_fields (how many of the six fields lack a value in at least one of the file's
    post-mortems), missing (their names), missing_values (missing cells over all its post-mortems)."""
    return report(con, f, limit)[1]


def relative_sources(paths: pd.Series) -> pd.Series:
    """Source paths as the reader knows them: relative to the folder all of them are under (the ingested
    folder, for one ingest), never absolute; a lone file by its name."""
    present = [str(p) for p in paths if isinstance(p, str) and p]
    if not present:
        return paths
    root = os.path.commonpath([os.path.dirname(p) for p in present])
    return paths.map(lambda p: os.path.relpath(p, root) if isinstance(p, str) and p else p)
