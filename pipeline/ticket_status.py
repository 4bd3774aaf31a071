"""Ticket statuses from tracker exports, matched to the actions that name their tickets, inside the
writer's transaction (pipeline.load.Loader.apply_ticket_statuses).

The tickets of every export stay in tracker_tickets, and every action keeps the tickets it names
(actions.tickets), so matching is one join on equal references, run only where something changed: the
tickets of the exports loaded now against every action, and every ticket against the actions loaded now.
Each match is an observation for the action's history, with the tracker's own time; an action naming
several tickets of one export takes the newest of them (its other tickets are older news)."""

from __future__ import annotations

import duckdb

from pipeline.tracker_match import Observation


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


def matches(con: duckdb.DuckDBPyConnection, exports: bool) -> list[Observation]:
    """Every match that involves a file loaded now (temp table _loaded_paths): its tickets against every
    action, and every ticket against its actions; ``exports`` says whether any export was loaded now
    (without one, only the actions loaded now can meet a ticket: the others are left out early)."""
    changed = "source_path IN (SELECT source_path FROM _loaded_paths)"
    return [Observation(*row) for row in con.execute(f"""
        WITH {refs_sql("TRUE" if exports else changed)}
        SELECT r.action_id, t.status, t.tracker || ':' || t.source_path, t.observed_at
        FROM refs r JOIN tracker_tickets t ON t.ticket = r.ref
        WHERE t.status IS NOT NULL
          AND (t.{changed} OR r.{changed})
        QUALIFY row_number() OVER (PARTITION BY r.action_id, t.source_path
                                   ORDER BY t.observed_at DESC NULLS LAST, t.line DESC) = 1
        ORDER BY 1, 3""").fetchall()]


def unmatched(con: duckdb.DuckDBPyConnection, exports: list[str]) -> list[tuple[str, int | None, str]]:
    """The rows of these exports that name no loaded action: (path, line, message), to list at level info;
    they wait for an action that names them."""
    if not exports:
        return []
    return [(path, line, f"{ticket} ('{raw_status}') is named by no loaded action; kept, and matched when an "
             "action naming it is loaded") for path, line, ticket, raw_status in con.execute(f"""
        WITH {refs_sql()}
        SELECT source_path, line, ticket, raw_status FROM tracker_tickets t
        WHERE source_path IN (SELECT unnest($1::VARCHAR[])) AND ticket NOT IN (SELECT ref FROM refs)
        ORDER BY source_path, line""", [exports]).fetchall()]
