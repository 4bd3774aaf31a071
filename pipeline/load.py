"""Loading parsed files into the database, in bulk, inside the writer's transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

import duckdb
import pyarrow as pa

from pipeline import ticket_status
from pipeline.config import fold
from pipeline.model import ParsedFile, Problem, TrackerUpdate

S, D, TS, I, F, B = pa.string(), pa.date32(), pa.timestamp("us"), pa.int64(), pa.float64(), pa.bool_()
LS = pa.list_(pa.string())

COLUMNS = {
    "postmortems": [
        ("postmortem_id", S), ("title", S), ("incident_date", D), ("postmortem_date", D),
        ("days_to_postmortem", I), ("severity", S), ("team", S), ("service", S), ("started_at", TS),
        ("detected_at", TS), ("acknowledged_at", TS), ("mitigated_at", TS), ("resolved_at", TS),
        ("minutes_to_detect", F), ("minutes_to_acknowledge", F), ("minutes_to_mitigate", F),
        ("minutes_to_resolve", F), ("users_affected", I), ("failed_requests", I), ("lost_transactions", I),
        ("estimated_cost", F), ("customer_impact", B), ("near_miss", B), ("primary_cause_category", S),
        ("root_cause", S), ("summary", S), ("language", S), ("author", S), ("participants", LS), ("tags", LS),
        ("source_path", S), ("source_format", S), ("content_sha256", S), ("ingested_at", TS),
        ("readers_known", B)],
    "actions": [
        ("action_id", S), ("postmortem_id", S), ("position", I), ("description", S), ("owner", S),
        ("due_date", D), ("priority", S), ("status", S), ("ticket", S), ("completed_at", TS),
        ("blocked_since", TS), ("source_path", S), ("tickets", LS)],
    "action_status_history": [("action_id", S), ("status", S), ("observed_at", TS), ("source", S), ("run_id", I)],
    "causes": [("postmortem_id", S), ("position", I), ("category", S), ("is_primary", B), ("raw", S)],
    "timeline_events": [("postmortem_id", S), ("position", I), ("occurred_at", TS), ("kind", S), ("event", S)],
    "whys": [("postmortem_id", S), ("position", I), ("question", S), ("answer", S)],
    "learnings": [("postmortem_id", S), ("kind", S), ("position", I), ("text", S)],
    "readers": [("postmortem_id", S), ("reader", S)],
    "recurrence_links": [("postmortem_id", S), ("recurrence_of", S)],
    "incidents": [("incident_id", S), ("severity", S), ("started_at", TS), ("resolved_at", TS),
                  ("customer_impact", B), ("postmortem_id", S), ("source_path", S)],
    "tracker_pending": [("source_path", S), ("line", I), ("incident_title", S), ("incident_date", D),
                        ("position", I), ("description", S), ("status", S), ("reviewed_on", D)],
    "source_files": [("source_path", S), ("content_sha256", S), ("source_format", S), ("status", S),
                     ("run_id", I), ("loaded_at", TS)],
    "ingest_errors": [("run_id", I), ("source_path", S), ("line", I), ("level", S), ("message", S)],
}
PM_CHILDREN = ("causes", "timeline_events", "whys", "learnings", "readers", "recurrence_links")


def insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    if not rows:
        return
    cols = COLUMNS[table]
    arrays = [pa.array([r[i] for r in rows], type=t) for i, (_, t) in enumerate(cols)]
    batch = pa.Table.from_arrays(arrays, names=[c for c, _ in cols])
    con.register("_batch", batch)
    try:
        names = ", ".join(c for c, _ in cols)
        con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM _batch")
    finally:
        con.unregister("_batch")


def _as_ts(d: date | datetime | None) -> datetime | None:
    if d is None or isinstance(d, datetime):
        return d
    return datetime.combine(d, time())


@dataclass
class LoadStats:
    postmortems: int = 0
    actions: int = 0
    incidents: int = 0
    tracker_updates: int = 0
    tickets_read: int = 0  # rows of the tracker exports loaded now
    tickets_unmatched: int = 0  # of which name no loaded action
    problems: list[tuple[str, Problem]] = field(default_factory=list)


def load(con: duckdb.DuckDBPyConnection, files: list[ParsedFile], run_id: int, now: datetime) -> LoadStats:
    """Replace the rows of every accepted file with what it holds now, then fold in tracker updates
    and recompute each action's status from its history. Rejected files change nothing."""
    stats = LoadStats()
    accepted = [f for f in files if not f.rejected]
    paths = [f.source_path for f in accepted]
    con.execute("CREATE OR REPLACE TEMP TABLE _changed (source_path VARCHAR)")
    insert_temp = pa.table({"source_path": pa.array(paths, type=S)})
    con.register("_paths", insert_temp)
    con.execute("INSERT INTO _changed SELECT source_path FROM _paths")
    con.unregister("_paths")

    old_ids = "SELECT postmortem_id FROM postmortems WHERE source_path IN (SELECT source_path FROM _changed)"
    for table in PM_CHILDREN:
        con.execute(f"DELETE FROM {table} WHERE postmortem_id IN ({old_ids})")
    con.execute("DELETE FROM actions WHERE source_path IN (SELECT source_path FROM _changed)")
    con.execute("DELETE FROM incidents WHERE source_path IN (SELECT source_path FROM _changed)")
    con.execute("DELETE FROM postmortems WHERE source_path IN (SELECT source_path FROM _changed)")

    taken_pm = dict(con.execute("SELECT postmortem_id, source_path FROM postmortems").fetchall())
    pm_dates = dict(con.execute("SELECT postmortem_id, coalesce(postmortem_date, incident_date) FROM postmortems"
                                ).fetchall())
    taken_action = dict(con.execute("SELECT action_id, source_path FROM actions").fetchall())
    taken_incident = dict(con.execute("SELECT incident_id, source_path FROM incidents").fetchall())
    last_seen = {(a, s): st for a, s, st in con.execute("""
        SELECT action_id, source, arg_max(status, observed_at) FROM action_status_history
        GROUP BY action_id, source""").fetchall()}

    rows: dict[str, list[tuple]] = {t: [] for t in COLUMNS}
    history = rows["action_status_history"]

    def observe(action_id, status, source, first_at, dated=None):
        """Record a status a source reports, if it differs from what that source said last.
        ``dated`` is when the source says it was true (a tracker's review date); otherwise a
        first sighting takes ``first_at`` and a later change the time of this run."""
        if status is None:
            return
        previous = last_seen.get((action_id, source), "__none__")
        if previous == status:
            return
        observed = dated or (first_at if previous == "__none__" else now)
        history.append((action_id, status, observed or now, source, run_id))
        last_seen[(action_id, source)] = status

    def problem(f: ParsedFile, level: str, message: str, line=None):
        p = Problem(level, message, line)
        f.problems.append(p)

    guard = DuplicateGuard(con)
    accepted = [f for f in accepted if not guard.skip_copied_file(f, problem)]
    for f in accepted:
        for pm in f.postmortems:
            if guard.skip_copied_postmortem(f, pm, problem):
                continue
            owner = taken_pm.get(pm.postmortem_id)
            if owner is not None:
                problem(f, "error", f"post-mortem id '{pm.postmortem_id}' is already loaded from {owner}; "
                        "this one was skipped (ids must be unique)")
                continue
            taken_pm[pm.postmortem_id] = f.source_path
            days = (pm.postmortem_date - pm.incident_date).days if pm.postmortem_date and pm.incident_date else None
            primary = next((c for c, _ in pm.causes if c), None)
            rows["postmortems"].append((
                pm.postmortem_id, pm.title, pm.incident_date, pm.postmortem_date, days, pm.severity, pm.team,
                pm.service, pm.started_at, pm.detected_at, pm.acknowledged_at, pm.mitigated_at, pm.resolved_at,
                pm.minutes_to_detect, pm.minutes_to_acknowledge, pm.minutes_to_mitigate, pm.minutes_to_resolve,
                pm.users_affected, pm.failed_requests, pm.lost_transactions, pm.estimated_cost,
                pm.customer_impact, pm.near_miss, primary, pm.root_cause, pm.summary, pm.language, pm.author,
                pm.participants, pm.tags, f.source_path, f.source_format, f.content_sha256, now,
                pm.readers_known))
            stats.postmortems += 1
            pid = pm.postmortem_id
            primary_done = False
            for n, (category, raw) in enumerate(pm.causes, start=1):
                is_primary = bool(category) and not primary_done
                primary_done = primary_done or is_primary
                rows["causes"].append((pid, n, category, is_primary, raw))
            rows["timeline_events"] += [(pid, e.position, e.at, e.kind, e.event) for e in pm.timeline]
            rows["whys"] += [(pid, n, q, a) for n, (q, a) in enumerate(pm.whys, start=1)]
            counters: dict[str, int] = {}
            for kind, text in pm.learnings:
                counters[kind] = counters.get(kind, 0) + 1
                rows["learnings"].append((pid, kind, counters[kind], text))
            rows["readers"] += [(pid, r) for r in dict.fromkeys(pm.readers)]
            rows["recurrence_links"] += [(pid, r) for r in dict.fromkeys(pm.recurrence_of) if r != pid]
            first_seen = _as_ts(pm.postmortem_date or pm.incident_date)
            pm_dates[pid] = first_seen
            for a in pm.actions:
                _add_action(rows, taken_action, f, pid, a, observe, first_seen, problem, stats)
    # Action rows and incidents come after every post-mortem of the run, whatever the file order.
    for f in accepted:
        for ar in f.action_rows:
            if ar.postmortem_id not in taken_pm:
                problem(f, "warning", f"action for post-mortem '{ar.postmortem_id}', which is not loaded (yet); "
                        "kept, and linked when it arrives", ar.line)
            _add_action(rows, taken_action, f, ar.postmortem_id, ar.action, observe,
                        _as_ts(pm_dates.get(ar.postmortem_id)), problem, stats, ar.line)
        for inc in f.incidents:
            owner = taken_incident.get(inc.incident_id)
            if owner is not None:
                problem(f, "warning", f"incident '{inc.incident_id}' is already loaded from {owner}; skipped")
                continue
            taken_incident[inc.incident_id] = f.source_path
            rows["incidents"].append((inc.incident_id, inc.severity, inc.started_at, inc.resolved_at,
                                      inc.customer_impact, inc.postmortem_id, f.source_path))
            stats.incidents += 1

    for table in ("postmortems", "actions", "incidents", *PM_CHILDREN):
        insert(con, table, rows[table])
    warn_forward_links(con, {f.source_path: f for f in accepted}, problem)
    _tracker_updates(con, accepted, observe, problem, stats)
    ticket_status.apply(con, accepted, observe, problem, stats)
    insert(con, "action_status_history", history)
    derive_action_status(con)
    return stats


def warn_forward_links(con: duckdb.DuckDBPyConnection, files: dict[str, ParsedFile], problem) -> None:
    """A recurrence link points to an earlier incident; one to a later incident is a data error, which
    analytics.recurrence ignores. Warn about every such link this run makes or completes (its source or
    its target loaded now), on the file of the source when it is loaded now, else of the target. "Later"
    is recurrence's order: incident date, a known start before an unknown one, then the id."""
    rows = con.execute("""
        WITH o AS (
            SELECT postmortem_id, incident_date, source_path,
                   row_number() OVER (ORDER BY incident_date, started_at NULLS LAST, postmortem_id) AS seq
            FROM postmortems WHERE incident_date IS NOT NULL
        )
        SELECT DISTINCT l.postmortem_id, s.incident_date, l.recurrence_of, t.incident_date, s.source_path,
               t.source_path
        FROM recurrence_links l JOIN o s USING (postmortem_id) JOIN o t ON t.postmortem_id = l.recurrence_of
        WHERE t.seq > s.seq AND (s.source_path IN (SELECT source_path FROM _changed)
                                 OR t.source_path IN (SELECT source_path FROM _changed))
        ORDER BY 1, 3""").fetchall()
    for src, src_day, target, target_day, src_path, target_path in rows:
        f = files.get(src_path) or files.get(target_path)
        if f is not None:
            problem(f, "warning", f"recurrence link from '{src}' ({src_day}) to '{target}' ({target_day}), which "
                    "happened later: ignored (a recurrence points to an earlier incident)")


def _copy_key(title, day, team) -> tuple | None:
    if not title or day is None:
        return None
    return fold(title), day, fold(team or "")


class DuplicateGuard:
    """Never count a post-mortem twice. A file with the bytes of one already loaded (the same export in
    two folders), or a post-mortem with the title, incident date and team (case and accents ignored) of
    one from another file or format, is a copy: skipped with a warning naming both files. The one already
    loaded is kept; within a run, the first in path order. The copy's file is still loaded, not rejected:
    it just adds nothing. Built after the rows of the changed files are deleted, so a file is never a
    copy of its own previous version."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.by_hash = dict(con.execute("""
            SELECT content_sha256, min(source_path) FROM source_files
            WHERE status = 'loaded' AND source_path IN (SELECT source_path FROM postmortems
                  UNION SELECT source_path FROM actions UNION SELECT source_path FROM incidents)
            GROUP BY 1""").fetchall())
        self.by_key: dict[tuple, tuple[str, str]] = {}
        for pid, title, day, team, path in con.execute(
                "SELECT postmortem_id, title, incident_date, team, source_path FROM postmortems "
                "ORDER BY source_path, postmortem_id").fetchall():
            key = _copy_key(title, day, team)
            if key:
                self.by_key.setdefault(key, (pid, path))

    def skip_copied_file(self, f: ParsedFile, problem) -> bool:
        original = self.by_hash.setdefault(f.content_sha256, f.source_path)
        if original == f.source_path:
            return False
        problem(f, "warning", f"duplicate: the same content as {original}, which is loaded; this copy adds "
                "nothing, so nothing in it is counted twice")
        return True

    def skip_copied_postmortem(self, f: ParsedFile, pm, problem) -> bool:
        key = _copy_key(pm.title, pm.incident_date, pm.team)
        if key is None:
            return False
        pid, path = self.by_key.setdefault(key, (pm.postmortem_id, f.source_path))
        if path == f.source_path:
            return False
        problem(f, "warning", f"duplicate: post-mortem '{pm.postmortem_id}' has the title, incident date and team "
                f"of '{pid}' from {path}, which is loaded; skipped with its actions, so it is counted once")
        return True


def _add_action(rows, taken_action, f, pid, a, observe, first_seen, problem, stats, line=None):
    action_id = a.action_id or f"{pid}-A{a.position}"
    owner = taken_action.get(action_id)
    if owner is not None:
        problem(f, "error", f"action '{action_id}' is already loaded from {owner}; this one was skipped", line)
        return
    taken_action[action_id] = f.source_path
    rows["actions"].append((action_id, pid, a.position, a.description, a.owner, a.due_date, a.priority,
                            a.status, a.ticket, a.completed_at, a.blocked_since, f.source_path, a.tickets))
    stats.actions += 1
    first_at = first_seen
    if a.status == "done" and a.completed_at:
        first_at = a.completed_at
    elif a.status == "blocked" and a.blocked_since:
        first_at = a.blocked_since
    observe(action_id, a.status, f.source_path, first_at)


def _tracker_updates(con, accepted, observe, problem, stats) -> None:
    """Apply tracker rows to the actions they name. Rows whose post-mortem or action is not loaded
    yet wait in tracker_pending and are tried again on every run."""
    pending = con.execute("""
        SELECT source_path, line, incident_title, incident_date, position, description, status, reviewed_on
        FROM tracker_pending WHERE source_path NOT IN (SELECT source_path FROM _changed)""").fetchall()
    files = {f.source_path: f for f in accepted}
    updates = [(f.source_path, u, True) for f in accepted for u in f.tracker_updates]
    updates += [(row[0], TrackerUpdate(incident_title=row[2], incident_date=row[3], position=row[4],
                                       description=row[5], status=row[6], owner=None, due_date=None, ticket=None,
                                       reviewed_on=row[7], line=row[1]), False) for row in pending]
    con.execute("DELETE FROM tracker_pending")
    if not updates:
        return
    by_title: dict[tuple, str] = {}
    for pid, title, day in con.execute("SELECT postmortem_id, title, incident_date FROM postmortems").fetchall():
        by_title.setdefault((fold(title or ""), day), pid)
    actions: dict[str, list[tuple]] = {}
    for aid, pid, pos, desc in con.execute("SELECT action_id, postmortem_id, position, description FROM actions"
                                           ).fetchall():
        actions.setdefault(pid, []).append((aid, pos, fold(desc)))
    waiting = []
    for path, u, fresh in updates:
        pid = by_title.get((fold(u.incident_title), u.incident_date))
        match = None
        if pid is not None:
            candidates = actions.get(pid, [])
            match = next((aid for aid, pos, _ in candidates if u.position is not None and pos == u.position), None)
            if match is None and u.description:
                key = fold(u.description)
                match = next((aid for aid, _, d in candidates if d == key or d.startswith(key)), None)
        if match is None:
            waiting.append((path, u.line, u.incident_title, u.incident_date, u.position, u.description, u.status,
                            u.reviewed_on))
            if fresh:
                what = (f"no loaded post-mortem is titled '{u.incident_title}' with incident date {u.incident_date}"
                        if pid is None else f"post-mortem '{pid}' has no action #{u.position} ('{u.description}')")
                problem(files[path], "warning", f"tracker: {what}; kept and retried on later runs", u.line)
            continue
        if u.status is None:
            continue
        observe(match, u.status, path, None, dated=_as_ts(u.reviewed_on))
        stats.tracker_updates += 1
    insert(con, "tracker_pending", waiting)


def derive_action_status(con: duckdb.DuckDBPyConnection) -> None:
    """An action's status is its latest observation; blocked_since and, when not given,
    completed_at are where the current run of that status began."""
    con.execute("""
        WITH h AS (
            SELECT action_id, status, observed_at,
                   row_number() OVER (PARTITION BY action_id ORDER BY observed_at, run_id, rowid) AS n
            FROM action_status_history
        ),
        cur AS (
            SELECT action_id, arg_max(status, n) AS status, max(n) AS n FROM h GROUP BY action_id
        ),
        other AS (
            SELECT h.action_id, max(h.n) AS n FROM h JOIN cur USING (action_id)
            WHERE h.status <> cur.status GROUP BY h.action_id
        ),
        streak AS (
            SELECT h.action_id, min(h.observed_at) AS since
            FROM h JOIN cur USING (action_id) LEFT JOIN other USING (action_id)
            WHERE h.n > coalesce(other.n, 0) GROUP BY h.action_id
        )
        UPDATE actions SET
            status = cur.status,
            blocked_since = CASE WHEN cur.status = 'blocked' THEN streak.since END,
            completed_at = CASE WHEN cur.status = 'done' THEN coalesce(actions.completed_at, streak.since)
                                ELSE actions.completed_at END
        FROM cur JOIN streak USING (action_id)
        WHERE actions.action_id = cur.action_id
    """)
