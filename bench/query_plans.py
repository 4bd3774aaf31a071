"""Profile every query the dashboard's pages run (DuckDB's EXPLAIN ANALYZE, as JSON) and flag a join whose
output outgrows its inputs: the sign of pairs that grow with n².

    .venv/bin/python bench/query_plans.py DB [--team]

For each query: the analytics function that ran it, its time, the largest table it scanned and the largest
join output. "PAIRS" marks a join that produced more than three times the rows of the largest table
scanned. Not part of the test run."""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import json
import sys
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import analytics.base as base  # noqa: E402
from analytics.db import connect_readonly  # noqa: E402
from analytics.settings import Settings  # noqa: E402
from dashboard_bench import CONFIG, page_calls, selections  # noqa: E402
from hindsight.config import read_config  # noqa: E402

PROFILES: list[dict] = []
_plain_cursor = base._cursor


def _operators(node: dict):
    yield node
    for child in node.get("children", []):
        yield from _operators(child)


def _caller() -> str:
    for frame in inspect.stack()[2:]:
        module = frame.frame.f_globals.get("__name__", "")
        if module.startswith("analytics.") and module != "analytics.base":
            return f"{module.removeprefix('analytics.')}.{frame.function}"
    return "?"


class _ProfiledCursor:
    def __init__(self, cursor):
        self.cursor = cursor

    def execute(self, sql, params=None):
        result = self.cursor.execute(sql, params or {})
        if "duckdb_" not in sql and not sql.startswith("USE "):
            info = json.loads(self.cursor.get_profiling_information(format="json"))
            nodes = [n for root in info.get("operator", []) for n in _operators(root)]
            scans = [n.get("intermediate_rows", 0) for n in nodes if n.get("type") == "TABLE_SCAN"]
            joins = [n.get("intermediate_rows", 0) for n in nodes if "JOIN" in n.get("type", "")]
            PROFILES.append({"function": _caller(), "seconds": info.get("latency", sum(n.get("timing", 0) for n in nodes)),
                             "largest_scan": max(scans, default=0), "largest_join": max(joins, default=0)})
        return result

    def __getattr__(self, name):
        return getattr(self.cursor, name)


@contextmanager
def _profiled_cursor(con):
    with _plain_cursor(con) as cur:
        cur.execute("SET enable_profiling = 'no_output'")
        yield _ProfiledCursor(cur)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("db")
    parser.add_argument("--team", action="store_true", help="with the team filter of dashboard_bench")
    args = parser.parse_args()
    base._cursor = _profiled_cursor
    settings = Settings.from_mapping(read_config(CONFIG))
    f = selections(args.db)["team" if args.team else "all"]
    con = connect_readonly(args.db)
    for page, calls in page_calls(settings).items():
        PROFILES.clear()
        for call in calls:
            call(con, dataclasses.replace(f))
        print(f"{page}:")
        for p in PROFILES:
            flag = "PAIRS" if p["largest_join"] > 3 * max(p["largest_scan"], 1) else ""
            print(f"  {p['function']:<44} {p['seconds'] * 1000:8.1f} ms  scan {p['largest_scan']:>8}  "
                  f"join {p['largest_join']:>8}  {flag}")


if __name__ == "__main__":
    main()
