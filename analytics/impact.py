"""Impact totals: users affected, failed requests, lost transactions and estimated cost, summed over
the kept post-mortems. Each sum comes with its n, the post-mortems that gave a value: a missing value
is unknown, not zero, so a total is a lower bound when n is below the number of post-mortems. A sum
over no value is NULL, not 0. Costs are added as written, whatever their currency."""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics.base import frame, pm_cte
from analytics.filters import Filters

MEASURES = ("users_affected", "failed_requests", "lost_transactions", "estimated_cost")
GROUPS = ("team", "severity", "service")


def _sums() -> str:
    parts = ["count(*) AS postmortems"]
    for m in MEASURES:
        cast = "DOUBLE" if m == "estimated_cost" else "BIGINT"
        parts.append(f"sum({m})::{cast} AS {m}, count({m}) AS {m}_n")
    return ", ".join(parts)


def totals(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """One row: postmortems, then users_affected, users_affected_n, failed_requests, failed_requests_n,
    lost_transactions, lost_transactions_n, estimated_cost, estimated_cost_n."""
    cte, params = pm_cte(f)
    return frame(con, f"WITH {cte} SELECT {_sums()} FROM pm", params)


def by(con: duckdb.DuckDBPyConnection, f: Filters, by: str = "team") -> pd.DataFrame:
    """The same columns per team, severity or service (first column named after ``by``), highest
    estimated cost first."""
    if by not in GROUPS:
        raise ValueError(f"by must be one of {', '.join(GROUPS)}, not {by!r}")
    cte, params = pm_cte(f)
    return frame(con, f"""WITH {cte} SELECT {by}, {_sums()} FROM pm GROUP BY 1
        ORDER BY estimated_cost DESC NULLS LAST, users_affected DESC NULLS LAST, 1 NULLS LAST""", params)
