"""Loading parsed files into the writer's transaction, a batch of files at a time.

Files arrive as rows (pipeline.rows) in path order while the workers parse the next ones. Every few
thousand rows a Batch claims the ids its files bring against the database and against itself, skips
copies, notes each action's status, and appends its rows in bulk; so memory holds one batch, whatever
the size of the corpus. What depends on the whole run waits for finish(): actions given apart from their
post-mortems (a CSV of actions may name post-mortems of any file), tracker rows, recurrence links to a
later incident, and the statuses of the actions touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

import duckdb
import pyarrow as pa

from pipeline import ticket_status
from pipeline.duplicates import DuplicateGuard, Owners, fill_missing_keys
from pipeline.model import Problem
from pipeline.rows import COLUMNAR, Chunk, FileIndex, Postmortem, as_moment
from pipeline.statuses import StatusLog
from pipeline.tables import DETAILS, insert, insert_batches, key_table, through, with_keys
from pipeline.tracker_match import PENDING_COLUMNS, Observation, match_rows

BATCH_ROWS = 100_000  # rows (of every table) held before they are written: a few thousand files


@dataclass
class Counts:
    postmortems: int = 0
    actions: int = 0
    incidents: int = 0
    tracker_updates: int = 0
    tickets_read: int = 0       # rows of the tracker exports (Jira, GitHub) loaded now
    tickets_unmatched: int = 0  # of which name no loaded action


class Loader:
    """One run's loading: what it has loaded so far, and what waits for the end of the run."""

    def __init__(self, con: duckdb.DuckDBPyConnection, run_id: int, now: datetime):
        self.con, self.run_id, self.now = con, run_id, now
        self.counts = Counts()
        self.loaded: list[str] = []
        self.rejected: list[str] = []
        self.copies: list[str] = []
        self.problems: list[tuple[str, Problem]] = []
        self.unsaved_problems: list[tuple] = []
        self.statuses = StatusLog(con, run_id, now)
        self.batch: list[Chunk] = []
        self.batch_rows = 0
        self.action_rows: list[tuple] = []   # of every file, loaded at the end
        self.tracker_rows: list[tuple] = []  # likewise
        self.ticket_rows: list[tuple] = []   # likewise
        con.execute("CREATE OR REPLACE TEMP TABLE _loaded_paths (source_path VARCHAR)")
        fill_missing_keys(con)

    # ------------------------------------------------------------ files in

    def forget(self, paths: Iterable[str]) -> None:
        """Delete the rows files loaded before, ahead of loading what they hold now. Status history stays:
        it is what each file said, and when."""
        forgotten = key_table(paths)
        old_ids = "SELECT postmortem_id FROM postmortems WHERE source_path IN (SELECT key FROM _forget)"
        for table in DETAILS:
            through(self.con, "_forget", forgotten, f"DELETE FROM {table} WHERE postmortem_id IN ({old_ids})")
        for table in ("actions", "incidents", "postmortems"):
            through(self.con, "_forget", forgotten,
                    f"DELETE FROM {table} WHERE source_path IN (SELECT key FROM _forget)")

    def add(self, chunk: Chunk) -> None:
        self.batch.append(chunk)
        self.batch_rows += chunk.weight
        if self.batch_rows >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        if self.batch:
            Batch(self, self.batch).load()
        self.batch, self.batch_rows = [], 0

    def finish(self) -> None:
        """Load what waited for every file of the run, then settle the statuses of the actions touched."""
        self.flush()
        for start in range(0, len(self.action_rows), BATCH_ROWS):
            Batch(self, [], self.action_rows[start:start + BATCH_ROWS]).load()
        self.warn_forward_links()
        self.apply_tracker_rows()
        self.apply_ticket_statuses()
        self.statuses.derive()
        self.save_problems()

    # ------------------------------------------------------------ what happened

    def report(self, path: str, level: str, message: str, line: int | None = None) -> None:
        problem = Problem(level, message, line)
        self.problems.append((path, problem))
        self.unsaved_problems.append((self.run_id, path, line, level, message))

    def save_problems(self) -> None:
        insert(self.con, "ingest_errors", self.unsaved_problems)
        self.unsaved_problems = []

    def record_files(self, files: list[FileIndex]) -> None:
        """source_files: each file's hash, size and modification time, for the next run to skip it."""
        rows = [(f.path, f.sha256, f.format, "rejected" if f.rejected else "loaded", self.run_id, self.now,
                 f.size, f.mtime_ns) for f in files]
        with_keys(self.con, "_recorded", [f.path for f in files],
                  "DELETE FROM source_files WHERE source_path IN (SELECT key FROM _recorded)")
        insert(self.con, "source_files", rows)
        accepted = [f.path for f in files if not f.rejected]
        with_keys(self.con, "_accepted", accepted, "INSERT INTO _loaded_paths SELECT key FROM _accepted")

    # ------------------------------------------------------------ statuses

    def apply_status_observations(self, observations: list[Observation]) -> int:
        """Status observations from a tracker, dated as it says: the Markdown tracker rows and the tickets of
        Jira and GitHub exports (below) come in here. Returns how many named a status."""
        self.statuses.recall({o.action_id for o in observations})
        applied = 0
        for o in observations:
            if o.status is not None:
                self.statuses.observe(o.action_id, o.status, o.source, None, dated=o.observed_at)
                applied += 1
        self.counts.tracker_updates += applied
        return applied

    def apply_tracker_rows(self) -> None:
        """This run's tracker rows, and the ones still waiting from files not loaded again now."""
        pending = self.con.execute(f"SELECT {PENDING_COLUMNS} FROM tracker_pending WHERE source_path NOT IN "
                                   "(SELECT source_path FROM _loaded_paths)").fetchall()
        self.con.execute("DELETE FROM tracker_pending")
        if not (self.tracker_rows or pending):
            return
        matched = match_rows(self.con, self.tracker_rows, pending)
        for path, message, line in matched.warnings:
            self.report(path, "warning", message, line)
        self.apply_status_observations(matched.observations)
        insert(self.con, "tracker_pending", matched.waiting)

    def apply_ticket_statuses(self) -> None:
        """The tickets of the tracker exports (Jira, GitHub) loaded now replace what those files held; then
        every match involving a file loaded now is an observation, and an export's row naming no loaded
        action is listed (level info) until one does."""
        self.con.execute("DELETE FROM tracker_tickets WHERE source_path IN (SELECT source_path FROM _loaded_paths)")
        insert(self.con, "tracker_tickets", self.ticket_rows)
        exports = sorted({row[0] for row in self.ticket_rows})
        self.counts.tickets_read += len(self.ticket_rows)
        if not (exports or self.counts.actions):
            return
        if not self.con.execute("SELECT count(*) FROM tracker_tickets").fetchall()[0][0]:
            return
        self.apply_status_observations(ticket_status.matches(self.con, bool(exports)))
        for path, line, message in ticket_status.unmatched(self.con, exports):
            self.report(path, "info", message, line)
            self.counts.tickets_unmatched += 1

    # ------------------------------------------------------------ recurrence

    def warn_forward_links(self) -> None:
        """A recurrence link points to an earlier incident; one to a later incident is a data error, which
        analytics.recurrence ignores. Warn about every such link this run makes or completes (its source or
        its target loaded now), on the file of the source when it is loaded now, else of the target.
        "Later" is recurrence's order: incident date, a known start before an unknown one, then the id."""
        for source, source_day, target, target_day, source_path, target_path, source_now in self.con.execute("""
                WITH loaded AS (
                    SELECT postmortem_id FROM postmortems
                    WHERE source_path IN (SELECT source_path FROM _loaded_paths)
                ),
                touched AS (
                    SELECT postmortem_id, recurrence_of FROM recurrence_links
                    WHERE postmortem_id IN (SELECT postmortem_id FROM loaded)
                    UNION SELECT postmortem_id, recurrence_of FROM recurrence_links
                    WHERE recurrence_of IN (SELECT postmortem_id FROM loaded)
                ),
                placed AS (
                    SELECT postmortem_id, incident_date, source_path,
                           coalesce(started_at, 'infinity'::TIMESTAMP) AS start
                    FROM postmortems WHERE incident_date IS NOT NULL AND postmortem_id IN (
                        SELECT postmortem_id FROM touched UNION SELECT recurrence_of FROM touched)
                )
                -- one comparison per link, after the joins on ids: a join on "later than" is n² pairs
                SELECT touched.postmortem_id, source.incident_date, touched.recurrence_of, target.incident_date,
                       source.source_path, target.source_path,
                       source.source_path IN (SELECT source_path FROM _loaded_paths)
                FROM touched JOIN placed source ON source.postmortem_id = touched.postmortem_id
                JOIN placed target ON target.postmortem_id = touched.recurrence_of
                WHERE target.incident_date > source.incident_date
                   OR (target.incident_date = source.incident_date
                       AND (target.start > source.start
                            OR (target.start = source.start AND target.postmortem_id > source.postmortem_id)))
                ORDER BY 1, 3""").fetchall():
            self.report(source_path if source_now else target_path, "warning",
                        f"recurrence link from '{source}' ({source_day}) to '{target}' ({target_day}), which "
                        "happened later: ignored (a recurrence points to an earlier incident)")


class Batch:
    """A few thousand rows on their way into the tables: ids claimed, copies skipped, statuses noted, and the
    columns of the rows kept filtered out of the chunks the workers sent."""

    def __init__(self, loader: Loader, chunks: list[Chunk], action_rows: list[tuple] = ()):
        self.loader, self.con = loader, loader.con
        self.chunks, self.action_rows = chunks, action_rows
        self.columns: dict[str, list[pa.RecordBatch]] = {table: [] for table in COLUMNAR}
        self.keep: dict[str, list[bool]] = {table: [] for table in COLUMNAR}  # per row of those, in order
        self.actions_apart: list[tuple] = []
        accepted = [f for chunk in chunks for f in chunk.files if not f.rejected]
        postmortems = [pm for f in accepted for pm in f.postmortems]
        self.guard = DuplicateGuard(self.con, accepted)
        self.postmortem_owner = Owners(self.con, "postmortems", "postmortem_id",
                                       {pm.postmortem_id for pm in postmortems})
        action_ids = {a[0] for pm in postmortems for a in pm.actions} | {row[0] for row, _, _ in action_rows}
        self.action_owner = Owners(self.con, "actions", "action_id", action_ids)
        self.incident_owner = Owners(self.con, "incidents", "incident_id", {i for f in accepted for i in f.incidents})
        self.first_seen = self._postmortem_dates({row[1] for row, _, _ in action_rows})
        loader.statuses.recall(action_ids)

    def load(self) -> None:
        for chunk in self.chunks:
            self.add_chunk(chunk)
        for row, own_first_at, line in self.action_rows:
            self.add_action_row(row, own_first_at, line)
        self.write()

    def add_chunk(self, chunk: Chunk) -> None:
        for f in chunk.files:
            self.add_file(f, self.keep)
        for table, columns in chunk.columns.items():
            self.columns[table].append(columns)

    def add_file(self, f: FileIndex, keep: dict[str, list[bool]]) -> None:
        for level, message, line in f.problems:
            self.loader.report(f.path, level, message, line)
        if f.rejected:  # it sent no rows
            self.loader.rejected.append(f.path)
            return
        self.loader.loaded.append(f.path)
        copied = self.guard.copied_file(f)
        if copied:
            self.loader.report(f.path, "warning", copied)
            self.loader.copies.append(f.path)
        for pm in f.postmortems:
            self.add_postmortem(f.path, pm, keep, copied is None)
        for incident in f.incidents:
            keep["incidents"].append(copied is None and self.add_incident(f.path, incident))
        if copied is None:
            self.loader.action_rows += f.action_rows
            self.loader.tracker_rows += f.tracker_rows
            self.loader.ticket_rows += f.ticket_rows

    def add_postmortem(self, path: str, pm: Postmortem, keep: dict[str, list[bool]], wanted: bool) -> None:
        """Keep the post-mortem's rows, unless it is ``wanted`` no more, a copy, or its id is taken."""
        wanted = wanted and self.claim_postmortem(path, pm)
        keep["postmortems"].append(wanted)
        for table, count in zip(DETAILS, pm.details):
            keep[table] += [wanted] * count
        for action_id, status, first_at in pm.actions:
            keep["actions"].append(wanted and self.add_action(path, action_id, status, first_at))

    def claim_postmortem(self, path: str, pm: Postmortem) -> bool:
        copied = self.guard.copied_postmortem(path, pm.postmortem_id, pm.duplicate_key)
        if copied:
            self.loader.report(path, "warning", copied)
            return False
        holder = self.postmortem_owner.claim(pm.postmortem_id, path)
        if holder is not None:
            self.loader.report(path, "error", f"post-mortem id '{pm.postmortem_id}' is already loaded from "
                               f"{holder}; this one was skipped (ids must be unique)")
            return False
        self.loader.counts.postmortems += 1
        return True

    def add_action(self, path: str, action_id: str, status: str | None, first_at: datetime | None,
                   line: int | None = None) -> bool:
        holder = self.action_owner.claim(action_id, path)
        if holder is not None:
            self.loader.report(path, "error", f"action '{action_id}' is already loaded from {holder}; this one "
                               "was skipped", line)
            return False
        self.loader.counts.actions += 1
        self.loader.statuses.observe(action_id, status, path, first_at)
        return True

    def add_action_row(self, row: tuple, own_first_at: datetime | None, line: int | None) -> None:
        """An action given apart (a CSV of actions): first seen when it says, else on its post-mortem's date."""
        action_id, pid, status, path = row[0], row[1], row[7], row[11]
        if pid not in self.first_seen:
            self.loader.report(path, "warning", f"action for post-mortem '{pid}', which is not loaded (yet); "
                               "kept, and linked when it arrives", line)
        if self.add_action(path, action_id, status, own_first_at or self.first_seen.get(pid), line):
            self.actions_apart.append(row)

    def add_incident(self, path: str, incident_id: str) -> bool:
        holder = self.incident_owner.claim(incident_id, path)
        if holder is not None:
            self.loader.report(path, "warning", f"incident '{incident_id}' is already loaded from {holder}; "
                               "skipped")
            return False
        self.loader.counts.incidents += 1
        return True

    def write(self) -> None:
        for table in COLUMNAR:
            if self.columns[table]:
                whole = pa.Table.from_batches(self.columns[table]).combine_chunks()
                insert_batches(self.con, table, whole.filter(pa.array(self.keep[table], type=pa.bool_())).to_batches())
        insert(self.con, "actions", self.actions_apart)
        files = [f for chunk in self.chunks for f in chunk.files]
        if files:
            self.loader.record_files(files)
        self.loader.statuses.write()
        self.loader.save_problems()

    def _postmortem_dates(self, pids: set[str]) -> dict[str, datetime | None]:
        """When each loaded post-mortem was written (else its incident date): the first sighting of the
        statuses of actions given apart from it."""
        if not pids:
            return {}
        return {pid: as_moment(day) for pid, day in with_keys(
            self.con, "_pids", pids, "SELECT postmortem_id, coalesce(postmortem_date, incident_date) FROM postmortems "
            "WHERE postmortem_id IN (SELECT key FROM _pids)")}
