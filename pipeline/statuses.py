"""Action statuses: every status a source reports goes into action_status_history when it differs from what
that source said last; an action's status is then its latest observation (docs/schema.md).

A run only reads the history of the actions it touches, and only recomputes their statuses, so its cost
follows what changed, not the size of the database.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from pipeline.tables import insert, with_keys

NEVER = "__never__"  # what a source said before its first observation


class StatusLog:
    def __init__(self, con: duckdb.DuckDBPyConnection, run_id: int, now: datetime):
        self.con, self.run_id, self.now = con, run_id, now
        self.last_said: dict[tuple[str, str], str] = {}
        self.history: list[tuple] = []
        self.touched: set[str] = set()
        con.execute("CREATE OR REPLACE TEMP TABLE _touched_actions (action_id VARCHAR)")

    def recall(self, action_ids: set[str]) -> None:
        """What each source last said about these actions, from the history written so far."""
        if not action_ids:
            return
        for action_id, source, status in with_keys(self.con, "_recall", action_ids, """
                SELECT action_id, source, arg_max(status, observed_at) FROM action_status_history
                WHERE action_id IN (SELECT key FROM _recall) GROUP BY action_id, source"""):
            self.last_said[(action_id, source)] = status

    def observe(self, action_id: str, status: str | None, source: str, first_at: datetime | None,
                dated: datetime | None = None) -> bool:
        """Record a status a source reports, if it differs from what that source said last; True if it did.
        ``dated`` is when the source says it was true (a tracker's review date); otherwise a first sighting
        takes ``first_at`` and a later change the time of this run."""
        self.touched.add(action_id)
        if status is None:
            return False
        previous = self.last_said.get((action_id, source), NEVER)
        if previous == status:
            return False
        observed = dated or (first_at if previous == NEVER else self.now)
        self.history.append((action_id, status, observed or self.now, source, self.run_id))
        self.last_said[(action_id, source)] = status
        return True

    def write(self) -> None:
        """Append the observations so far, and forget what was recalled (memory stays a batch's)."""
        insert(self.con, "action_status_history", self.history)
        if self.touched:
            with_keys(self.con, "_touched", self.touched, "INSERT INTO _touched_actions SELECT key FROM _touched")
        self.history, self.touched, self.last_said = [], set(), {}

    def derive(self) -> None:
        """Each touched action's status is its latest observation; blocked_since and, when not given,
        completed_at are where the current run of that status began."""
        self.write()
        self.con.execute("""
            WITH observed AS (
                SELECT action_id, status, observed_at,
                       row_number() OVER (PARTITION BY action_id ORDER BY observed_at, run_id, rowid) AS seq
                FROM action_status_history WHERE action_id IN (SELECT action_id FROM _touched_actions)
            ),
            latest AS (
                SELECT action_id, arg_max(status, seq) AS status, max(seq) AS seq FROM observed GROUP BY action_id
            ),
            last_different AS (
                SELECT observed.action_id, max(observed.seq) AS seq FROM observed JOIN latest USING (action_id)
                WHERE observed.status <> latest.status GROUP BY observed.action_id
            ),
            streak AS (
                SELECT observed.action_id, min(observed.observed_at) AS since
                FROM observed JOIN latest USING (action_id) LEFT JOIN last_different USING (action_id)
                WHERE observed.seq > coalesce(last_different.seq, 0) GROUP BY observed.action_id
            )
            UPDATE actions SET
                status = latest.status,
                blocked_since = CASE WHEN latest.status = 'blocked' THEN streak.since END,
                completed_at = CASE WHEN latest.status = 'done' THEN coalesce(actions.completed_at, streak.since)
                                    ELSE actions.completed_at END
            FROM latest JOIN streak USING (action_id)
            WHERE actions.action_id = latest.action_id
        """)
