"""Every action with the columns of its post-mortem that the action metrics filter and group on, as the
ingest writes them once per database version (analytics/stored.py): a join of 400k actions to 100k
post-mortems on their text ids costs ~60 ms, which every action metric otherwise paid on every call.
Pandas-free, so the ingest can import it; analytics/actions.py ``kept_actions`` reads it."""

from __future__ import annotations

import duckdb

from analytics import stored

# the post-mortem's columns the filters (analytics/filters.py) and the action metrics read
POSTMORTEM_COLUMNS = ("title", "team", "service", "severity", "primary_cause_category", "incident_date",
                      "postmortem_date")
# Written in two parts, open actions first: nine in ten actions are done or cancelled, and the scans for
# open, blocked and overdue actions (every Actions and Escalations query) then touch a tenth of the table's
# 2,048-row vectors instead of all of them (the management rule's scan 51 -> 6 ms CPU at 100k). The open
# ones (37,000 at 100k) are sorted by status and due date, so that each status lies together; the closed
# ones are not sorted: a sort of all 400,000 rows did not fit the writer's memory limit (pipeline/store.py).
# The order is for speed only: every reader orders its own results.
# The first day an action is no longer open on (analytics/actions.py OPEN): open on a day before it. A stored
# column so that a scan for open actions (``closed_on > $as_of``) skips, by the column's min and max, the
# parts of the table that hold none: DuckDB cannot skip on the flags, computed per row from two columns.
# Infinity for an action still open, its completion day for one done, minus infinity for one cancelled or done
# on a day unknown (done on every as-of date).
CLOSED_ON = """CASE WHEN action.status IS NULL OR action.status NOT IN ('done', 'cancelled') THEN DATE 'infinity'
                    WHEN action.status = 'done' AND action.completed_at IS NOT NULL THEN action.completed_at::DATE
                    ELSE DATE '-infinity' END"""
_ROWS = (f"SELECT action.*, {CLOSED_ON} AS closed_on, {', '.join(f'pm.{c}' for c in POSTMORTEM_COLUMNS)} "
         "FROM actions action JOIN postmortems pm USING (postmortem_id)")
_CLOSED = "action.status IN ('done', 'cancelled')"  # NULL (a word outside the vocabulary) is open
ACTION_FACTS = [f"{_ROWS} WHERE {_CLOSED} IS NOT TRUE ORDER BY action.status NULLS FIRST, action.due_date NULLS LAST",
                f"{_ROWS} WHERE {_CLOSED}"]
STORED = "action_facts"
STAMP_KEY = "action_facts"  # schema_info: "all@<run_id>" of the run that wrote it
SETTING = "all/v2"  # it depends on no setting; v2: closed_on (a table without it reads as not current)


def stored_current(con: duckdb.DuckDBPyConnection) -> bool:
    return stored.current(con, STAMP_KEY, SETTING)


def store(con: duckdb.DuckDBPyConnection, run_id: int, rows_changed: bool = True) -> None:
    stored.write(con, STORED, ACTION_FACTS, {}, STAMP_KEY, SETTING, run_id, rows_changed)
