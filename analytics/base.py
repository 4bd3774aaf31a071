"""Small shared pieces of SQL and the way every metric runs a query."""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics.filters import Filters


def frame(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> pd.DataFrame:
    """Run one query on its own cursor (connections are shared between dashboard sessions)."""
    cur = con.cursor()
    try:
        # A cursor starts in the default catalog; db.connect_readonly attaches the file as "hindsight".
        if cur.execute("SELECT count(*) FROM duckdb_databases() WHERE database_name = 'hindsight'").fetchone()[0]:
            cur.execute("USE hindsight")
        return cur.execute(sql, params or {}).df()
    finally:
        cur.close()


def pm_cte(f: Filters, name: str = "pm") -> tuple[str, dict]:
    """`WITH pm AS (...)`: the post-mortems the filters keep."""
    where, params = f.where("p")
    return f"{name} AS (SELECT * FROM postmortems p WHERE {where})", params


def duration_stats(column: str) -> str:
    """n, median, p90 and max of a skewed duration: never a lone mean."""
    return (f"count({column}) AS n, median({column}) AS median, quantile_cont({column}, 0.9) AS p90, "
            f"max({column}) AS max")


def quarter_expr(date_column: str, fiscal_start_month: int = 1) -> str:
    """'2025-Q3'. With a fiscal year starting in month m, quarters count from m and the year is the
    calendar year in which that fiscal year starts."""
    shift = fiscal_start_month - 1
    shifted = f"({date_column} - INTERVAL {int(shift)} MONTH)" if shift else date_column
    return f"(strftime({shifted}, '%Y') || '-Q' || quarter({shifted}))"


def business_days(start: str, end: str) -> str:
    """Weekdays from ``start`` (included) to ``end`` (excluded): Friday to next Monday is 1."""
    return (f"(SELECT count(*) FROM range({start}::TIMESTAMP, {end}::TIMESTAMP, INTERVAL 1 DAY) r(d) "
            f"WHERE isodow(d) < 6)")
