"""Ticket statuses from tracker exports, matched to the actions that name their tickets, inside the
writer's transaction.

The tickets of every export stay in tracker_tickets, and every action keeps the tickets it names
(actions.tickets), so matching is one join on equal references, run only where something changed: the
tickets of the exports loaded now against every action, and every ticket against the actions loaded now.
Each match is an observation for the action's history, with the tracker's own time; an action naming
several tickets of one export takes the newest of them (its other tickets are older news)."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from pipeline.model import ParsedFile

COLUMNS = [("source_path", pa.string()), ("line", pa.int64()), ("tracker", pa.string()), ("ticket", pa.string()),
           ("title", pa.string()), ("raw_status", pa.string()), ("status", pa.string()),
           ("observed_at", pa.timestamp("us")), ("resolved_at", pa.timestamp("us"))]


def refs_sql(actions: str = "TRUE") -> str:
    """CTEs ending in ``refs(action_id, source_path, ref)``: every reference the actions kept by the
    condition ``actions`` name, a bare "#812" taken to the repository of the GitHub exports when they all
    come from one (else it names nothing: which repository would it be?)."""
    return f"""
    single AS (
        SELECT CASE WHEN count(DISTINCT split_part(ticket, '#', 1)) = 1 THEN min(split_part(ticket, '#', 1)) END
               AS repo
        FROM tracker_tickets WHERE tracker = 'github'
    ),
    named AS (
        SELECT action_id, source_path, unnest(tickets) AS ref FROM actions WHERE len(tickets) > 0 AND {actions}
    ),
    resolved AS (
        SELECT action_id, source_path,
               CASE WHEN starts_with(ref, '#') THEN (SELECT repo FROM single) || ref ELSE ref END AS ref
        FROM named
    ),
    refs AS (SELECT * FROM resolved WHERE ref IS NOT NULL)"""


def apply(con: duckdb.DuckDBPyConnection, files: list[ParsedFile], observe, problem, stats) -> None:
    """Replace the tickets of ``files`` (this run's changed files) with what they hold now, then
    observe every match that involves one of them: ``observe(action_id, status, source, first_at,
    dated=...)`` records a status unless that source said the same last. Rows naming no loaded action
    are listed (level ``info``) and counted; they wait for an action that names them."""
    paths = [f.source_path for f in files]
    if not paths:
        return
    exports = {f.source_path: f for f in files if f.ticket_statuses}
    con.execute("DELETE FROM tracker_tickets WHERE source_path IN (SELECT unnest($1::VARCHAR[]))", [paths])
    batch = pa.Table.from_arrays(
        [pa.array(col, type=t) for col, (_, t) in zip(_columns(files), COLUMNS)], names=[c for c, _ in COLUMNS])
    con.execute(f"INSERT INTO tracker_tickets ({', '.join(c for c, _ in COLUMNS)}) SELECT * FROM batch")
    new_actions = any(f.action_rows or any(pm.actions for pm in f.postmortems) for f in files)
    if not (exports or new_actions) or not con.execute("SELECT count(*) FROM tracker_tickets").fetchall()[0][0]:
        return
    # Without a new export, only the actions read now can meet a ticket: the others are left out early.
    changed = "source_path IN (SELECT unnest($1::VARCHAR[]))"
    matches = con.execute(f"""
        WITH {refs_sql("TRUE" if exports else changed)},
        changed AS (SELECT unnest($1::VARCHAR[]) AS source_path)
        SELECT r.action_id, t.tracker || ':' || t.source_path, t.status, t.observed_at
        FROM refs r JOIN tracker_tickets t ON t.ticket = r.ref
        WHERE t.status IS NOT NULL
          AND (t.source_path IN (SELECT source_path FROM changed) OR r.source_path IN (SELECT source_path FROM changed))
        QUALIFY row_number() OVER (PARTITION BY r.action_id, t.source_path
                                   ORDER BY t.observed_at DESC NULLS LAST, t.line DESC) = 1
        ORDER BY 1, 2""", [paths]).fetchall()
    for action_id, source, status, observed_at in matches:
        observe(action_id, status, source, None, dated=observed_at)
    stats.tracker_updates += len(matches)
    _report_unmatched(con, exports, problem, stats)


def _columns(files: list[ParsedFile]) -> list[list]:
    rows = [(f.source_path, t.line, t.tracker, t.ticket, t.title, t.raw_status, t.status, t.observed_at,
             t.resolved_at) for f in files for t in f.ticket_statuses]
    return [list(col) for col in zip(*rows)] if rows else [[] for _ in COLUMNS]


def _report_unmatched(con, exports: dict[str, ParsedFile], problem, stats) -> None:
    stats.tickets_read += sum(len(f.ticket_statuses) for f in exports.values())
    if not exports:
        return
    unmatched = con.execute(f"""
        WITH {refs_sql()}
        SELECT source_path, line, ticket, raw_status FROM tracker_tickets t
        WHERE source_path IN (SELECT unnest($1::VARCHAR[])) AND ticket NOT IN (SELECT ref FROM refs)
        ORDER BY source_path, line""", [list(exports)]).fetchall()
    stats.tickets_unmatched += len(unmatched)
    for path, line, ticket, raw_status in unmatched:
        problem(exports[path], "info", f"{ticket} ('{raw_status}') is named by no loaded action; kept, and "
                "matched when an action naming it is loaded", line)
