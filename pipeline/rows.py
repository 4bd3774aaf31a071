"""Files, read and parsed, as the columns the loader writes: what a parse worker sends back.

Parsing builds rich values (pipeline.model); pickling 100,000 of them back to the main process and
keeping them there until loading was most of an ingest's memory and a good part of its time. So a worker
turns each chunk of files into Arrow columns, one record batch per table (pipeline.tables), which cross
the process boundary as plain buffers; beside them, a small index holds what the loader decides on: each
file's outcome and problems, each post-mortem's id, duplicate key and number of detail rows, each
action's id and status. The loader then only claims ids, skips copies and filters the columns.
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from typing import NamedTuple

import pyarrow as pa

from pipeline.config import Config, fold
from pipeline.model import Action, ParsedFile, PostMortem, Problem
from pipeline.formats import format_of
from pipeline.parse import parse_file
from pipeline.tables import DETAILS, SCHEMAS, record_batch

COLUMNAR = ("postmortems", "actions", "incidents", *DETAILS)  # tables sent as columns


class Postmortem(NamedTuple):
    postmortem_id: str
    duplicate_key: str | None
    details: tuple[int, ...]  # how many rows it has in each table of DETAILS
    actions: list[tuple]      # (action_id, status, first sighting of that status), in order


class FileIndex(NamedTuple):
    path: str
    format: str
    sha256: str
    size: int
    mtime_ns: int
    rejected: bool
    problems: list[tuple]     # (level, message, line)
    postmortems: list[Postmortem]
    incidents: list[str]      # ids, in order
    action_rows: list[tuple]  # a CSV of actions: (actions row, first sighting if the row says, line)
    tracker_rows: list[tuple]  # tracker_pending rows
    ticket_rows: list[tuple]  # tracker_tickets rows (a Jira or GitHub export)


class Chunk(NamedTuple):
    """Some files, in path order, and the rows they hold: every row of every file, in file order."""

    files: list[FileIndex]
    columns: dict[str, pa.RecordBatch]  # per table of COLUMNAR that has rows

    @property
    def weight(self) -> int:
        return len(self.files) + sum(batch.num_rows for batch in self.columns.values())

    def __reduce__(self):
        # Columns travel as Arrow IPC messages: read back without a Python object per array, several
        # times cheaper than pickling record batches.
        return _chunk, (self.files, {table: batch.serialize().to_pybytes() for table, batch in self.columns.items()})


def _chunk(files: list[FileIndex], messages: dict[str, bytes]) -> Chunk:
    return Chunk(files, {table: pa.ipc.read_record_batch(pa.py_buffer(message), SCHEMAS[table])
                         for table, message in messages.items()})


def read_chunk(jobs: list[tuple[str, int, int]], cfg: Config, now: datetime) -> Chunk:
    """Read, hash and parse the files of some jobs (path, size, modification time)."""
    rows: dict[str, list[tuple]] = {table: [] for table in COLUMNAR}
    files = [_index(_read(job, cfg), job, now, rows) for job in jobs]
    return Chunk(files, {table: record_batch(table, found) for table, found in rows.items() if found})


def _read(job: tuple[str, int, int], cfg: Config) -> ParsedFile:
    path = job[0]
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        parsed = ParsedFile(path, format_of(path) or "unknown", "", rejected=True)
        parsed.problems.append(Problem("error", f"cannot be read: {exc.strerror or exc}"))
        return parsed
    return parse_file(path, data, cfg)


def _index(parsed: ParsedFile, job: tuple[str, int, int], now: datetime, rows: dict[str, list]) -> FileIndex:
    """Append the file's rows to ``rows``, table by table; return what the loader decides on."""
    path = parsed.source_path
    file_part = (path, parsed.source_format, parsed.content_sha256, now)
    postmortems = [_postmortem(pm, file_part, rows) for pm in parsed.postmortems]
    incidents = [(i.incident_id, i.severity, i.started_at, i.resolved_at, i.customer_impact, i.postmortem_id, path)
                 for i in parsed.incidents]
    rows["incidents"] += incidents
    return FileIndex(
        path, parsed.source_format, parsed.content_sha256, job[1], job[2], parsed.rejected,
        [(p.level, p.message, p.line) for p in parsed.problems],
        postmortems, [incident[0] for incident in incidents],
        [(action_row(a.action, a.postmortem_id, path), own_first_sighting(a.action), a.line)
         for a in parsed.action_rows],
        [(path, u.line, u.incident_title, u.incident_date, u.position, u.description, u.status, u.reviewed_on)
         for u in parsed.tracker_updates],
        [(path, t.line, t.tracker, t.ticket, t.title, t.raw_status, t.status, t.observed_at, t.resolved_at)
         for t in parsed.ticket_statuses])


def _postmortem(pm: PostMortem, file_part: tuple, rows: dict[str, list]) -> Postmortem:
    key = duplicate_key(pm.title, pm.incident_date, pm.team)
    days = (pm.postmortem_date - pm.incident_date).days if pm.postmortem_date and pm.incident_date else None
    primary = next((category for category, _ in pm.causes if category), None)
    rows["postmortems"].append((
        pm.postmortem_id, pm.title, pm.incident_date, pm.postmortem_date, days, pm.severity, pm.team,
        pm.service, pm.started_at, pm.detected_at, pm.acknowledged_at, pm.mitigated_at, pm.resolved_at,
        pm.minutes_to_detect, pm.minutes_to_acknowledge, pm.minutes_to_mitigate, pm.minutes_to_resolve,
        pm.users_affected, pm.failed_requests, pm.lost_transactions, pm.estimated_cost,
        pm.customer_impact, pm.near_miss, primary, pm.root_cause, pm.summary, pm.language, pm.author,
        pm.participants, pm.tags, *file_part, pm.readers_known, key or "", pm.cost_currency))
    details = detail_rows(pm)
    for table, found in zip(DETAILS, details):
        rows[table] += found
    first_seen = as_moment(pm.postmortem_date or pm.incident_date)
    actions = [action_row(a, pm.postmortem_id, file_part[0]) for a in pm.actions]
    rows["actions"] += actions
    sightings = [(row[0], row[7], own_first_sighting(a) or first_seen) for row, a in zip(actions, pm.actions)]
    return Postmortem(pm.postmortem_id, key, tuple(len(found) for found in details), sightings)


def detail_rows(pm: PostMortem) -> tuple[list[tuple], ...]:
    """Its rows in each table of DETAILS, in that order."""
    pid = pm.postmortem_id
    causes, primary_given = [], False
    for n, (category, raw) in enumerate(pm.causes, start=1):
        is_primary = bool(category) and not primary_given  # the first known category is the primary one
        primary_given = primary_given or is_primary
        causes.append((pid, n, category, is_primary, raw))
    learnings, count_of_kind = [], {}
    for kind, text in pm.learnings:
        count_of_kind[kind] = count_of_kind.get(kind, 0) + 1
        learnings.append((pid, kind, count_of_kind[kind], text))
    return (causes,
            [(pid, e.position, e.at, e.kind, e.event) for e in pm.timeline],
            [(pid, n, question, answer) for n, (question, answer) in enumerate(pm.whys, start=1)],
            learnings,
            [(pid, reader) for reader in dict.fromkeys(pm.readers)],
            [(pid, earlier) for earlier in dict.fromkeys(pm.recurrence_of) if earlier != pid])


def action_row(a: Action, pid: str, path: str) -> tuple:
    return (a.action_id or f"{pid}-A{a.position}", pid, a.position, a.description, a.owner, a.due_date,
            a.priority, a.status, a.ticket, a.completed_at, a.blocked_since, path, a.tickets, a.blocked_by)


def own_first_sighting(a: Action) -> datetime | None:
    """When the action itself says its status began: a done action's completion, a blocked one's start."""
    if a.status == "done" and a.completed_at:
        return a.completed_at
    if a.status == "blocked" and a.blocked_since:
        return a.blocked_since
    return None


def duplicate_key(title: str | None, day: date | None, team: str | None) -> str | None:
    """The same incident, whoever wrote it down: title, incident date and team, case, accents and spacing
    ignored. fold() turns every whitespace character into a space, so the unit separator between the
    parts (whitespace to Python) never occurs inside one."""
    if not title or day is None:
        return None
    return f"{fold(title)}\x1f{day.isoformat()}\x1f{fold(team or '')}"


def as_moment(day: date | datetime | None) -> datetime | None:
    if day is None or isinstance(day, datetime):
        return day
    return datetime.combine(day, time())
