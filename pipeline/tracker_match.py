"""Rows of an "Actions Post-Mortem Tracker" document matched to the actions they name.

A row names its post-mortem by title and incident date, and its action by number (``#``), else by the
start of its description, case and accents ignored. Only the post-mortems of the rows' dates and their
actions are read, so matching costs what the trackers hold, not what the database holds. A row whose
post-mortem or action is not loaded yet waits in tracker_pending and is tried again on every run that
loads something.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

import duckdb

from pipeline.config import fold
from pipeline.rows import as_moment
from pipeline.tables import DAY, with_keys

PENDING_COLUMNS = "source_path, line, incident_title, incident_date, position, description, status, reviewed_on"


class Observation(NamedTuple):
    """A status a tracker saw on an action, on a day: what every tracker (this Markdown one, an issue
    tracker) hands to Loader.apply_status_observations."""

    action_id: str
    status: str | None
    source: str
    observed_at: datetime | None


class Matched(NamedTuple):
    observations: list[Observation]
    waiting: list[tuple]                                # tracker_pending rows, to keep
    warnings: list[tuple[str, str, int | None]]         # (path, message, line), for this run's rows


def match_rows(con: duckdb.DuckDBPyConnection, fresh: list[tuple], pending: list[tuple]) -> Matched:
    """Match this run's tracker rows (``fresh``) and the ones still waiting (``pending``), both
    tracker_pending rows; only fresh rows are warned about."""
    rows = [(row, True) for row in fresh] + [(row, False) for row in pending]
    postmortem_of, actions_of = _candidates(con, [row for row, _ in rows])
    matched = Matched([], [], [])
    for row, is_fresh in rows:
        path, line, title, day, position, description, status, reviewed_on = row
        pid = postmortem_of.get((fold(title or ""), day))
        action_id = _action(actions_of.get(pid, []), position, description) if pid else None
        if action_id is not None:
            matched.observations.append(Observation(action_id, status, path, as_moment(reviewed_on)))
            continue
        matched.waiting.append(row)
        if is_fresh:
            what = (f"no loaded post-mortem is titled '{title}' with incident date {day}" if pid is None
                    else f"post-mortem '{pid}' has no action #{position} ('{description}')")
            matched.warnings.append((path, f"tracker: {what}; kept and retried on later runs", line))
    return matched


def _candidates(con: duckdb.DuckDBPyConnection, rows: list[tuple]):
    """The loaded post-mortems the rows may name, by (folded title, incident date), and their actions."""
    days = {row[3] for row in rows if row[3] is not None}
    undated = any(row[3] is None for row in rows)
    postmortem_of: dict[tuple, str] = {}
    for pid, title, day in with_keys(
            con, "_days", days, "SELECT postmortem_id, title, incident_date FROM postmortems "
            f"WHERE incident_date IN (SELECT key FROM _days) OR ({undated} AND incident_date IS NULL) "
            "ORDER BY source_path, postmortem_id", DAY):
        postmortem_of.setdefault((fold(title or ""), day), pid)
    wanted = {postmortem_of.get((fold(row[2] or ""), row[3])) for row in rows} - {None}
    actions_of: dict[str, list[tuple]] = {}
    for action_id, pid, position, description in with_keys(
            con, "_pids", wanted, "SELECT action_id, postmortem_id, position, description FROM actions "
            "WHERE postmortem_id IN (SELECT key FROM _pids) ORDER BY postmortem_id, position, action_id"):
        actions_of.setdefault(pid, []).append((action_id, position, fold(description)))
    return postmortem_of, actions_of


def _action(candidates: list[tuple], position: int | None, description: str | None) -> str | None:
    if position is not None:
        found = next((action_id for action_id, pos, _ in candidates if pos == position), None)
        if found is not None:
            return found
    if description:
        start = fold(description)
        return next((action_id for action_id, _, folded in candidates
                     if folded == start or folded.startswith(start)), None)
    return None
