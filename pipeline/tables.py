"""The columns the loader writes, table by table, and the one way it writes them: in bulk, through Arrow.

A row is a plain tuple in its table's column order (pipeline.rows builds them in the parse workers);
extra values after the last column ride along for the loader and are not written. One Arrow insert
of a few thousand rows costs what a handful of single-row INSERTs do: over a hundred times faster
than executemany (bench/ingest_bench.py measures it on every run).
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

TEXT, DAY, MOMENT = pa.string(), pa.date32(), pa.timestamp("us")
WHOLE, NUMBER, FLAG = pa.int64(), pa.float64(), pa.bool_()
TEXTS = pa.list_(pa.string())

COLUMNS = {
    "postmortems": [
        ("postmortem_id", TEXT), ("title", TEXT), ("incident_date", DAY), ("postmortem_date", DAY),
        ("days_to_postmortem", WHOLE), ("severity", TEXT), ("team", TEXT), ("service", TEXT),
        ("started_at", MOMENT), ("detected_at", MOMENT), ("acknowledged_at", MOMENT), ("mitigated_at", MOMENT),
        ("resolved_at", MOMENT), ("minutes_to_detect", NUMBER), ("minutes_to_acknowledge", NUMBER),
        ("minutes_to_mitigate", NUMBER), ("minutes_to_resolve", NUMBER), ("users_affected", WHOLE),
        ("failed_requests", WHOLE), ("lost_transactions", WHOLE), ("estimated_cost", NUMBER),
        ("customer_impact", FLAG), ("near_miss", FLAG), ("primary_cause_category", TEXT), ("root_cause", TEXT),
        ("summary", TEXT), ("language", TEXT), ("author", TEXT), ("participants", TEXTS), ("tags", TEXTS),
        ("source_path", TEXT), ("source_format", TEXT), ("content_sha256", TEXT), ("ingested_at", MOMENT),
        ("readers_known", FLAG), ("duplicate_key", TEXT), ("cost_currency", TEXT)],
    "actions": [
        ("action_id", TEXT), ("postmortem_id", TEXT), ("position", WHOLE), ("description", TEXT), ("owner", TEXT),
        ("due_date", DAY), ("priority", TEXT), ("status", TEXT), ("ticket", TEXT), ("completed_at", MOMENT),
        ("blocked_since", MOMENT), ("source_path", TEXT), ("tickets", TEXTS), ("blocked_by", TEXT)],
    "action_status_history": [("action_id", TEXT), ("status", TEXT), ("observed_at", MOMENT), ("source", TEXT),
                              ("run_id", WHOLE)],
    "causes": [("postmortem_id", TEXT), ("position", WHOLE), ("category", TEXT), ("is_primary", FLAG),
               ("raw", TEXT)],
    "timeline_events": [("postmortem_id", TEXT), ("position", WHOLE), ("occurred_at", MOMENT), ("kind", TEXT),
                        ("event", TEXT)],
    "whys": [("postmortem_id", TEXT), ("position", WHOLE), ("question", TEXT), ("answer", TEXT)],
    "learnings": [("postmortem_id", TEXT), ("kind", TEXT), ("position", WHOLE), ("text", TEXT)],
    "readers": [("postmortem_id", TEXT), ("reader", TEXT)],
    "recurrence_links": [("postmortem_id", TEXT), ("recurrence_of", TEXT)],
    "incidents": [("incident_id", TEXT), ("severity", TEXT), ("started_at", MOMENT), ("resolved_at", MOMENT),
                  ("customer_impact", FLAG), ("postmortem_id", TEXT), ("source_path", TEXT)],
    "tracker_pending": [("source_path", TEXT), ("line", WHOLE), ("incident_title", TEXT), ("incident_date", DAY),
                        ("position", WHOLE), ("description", TEXT), ("status", TEXT), ("reviewed_on", DAY)],
    "tracker_tickets": [("source_path", TEXT), ("line", WHOLE), ("tracker", TEXT), ("ticket", TEXT), ("title", TEXT),
                        ("raw_status", TEXT), ("status", TEXT), ("observed_at", MOMENT), ("resolved_at", MOMENT)],
    "source_files": [("source_path", TEXT), ("content_sha256", TEXT), ("source_format", TEXT), ("status", TEXT),
                     ("run_id", WHOLE), ("loaded_at", MOMENT), ("size", WHOLE), ("mtime_ns", WHOLE)],
    "ingest_errors": [("run_id", WHOLE), ("source_path", TEXT), ("line", WHOLE), ("level", TEXT),
                      ("message", TEXT)],
}
SCHEMAS = {table: pa.schema(columns) for table, columns in COLUMNS.items()}
# A post-mortem's detail tables, in the order pipeline.rows hands their rows over.
DETAILS = ("causes", "timeline_events", "whys", "learnings", "readers", "recurrence_links")


def record_batch(table: str, rows: list[tuple]) -> pa.RecordBatch:
    """Rows (tuples in the table's column order; values past the last column ignored) as Arrow columns."""
    return pa.RecordBatch.from_arrays([pa.array([row[i] for row in rows], type=kind)
                                       for i, (_, kind) in enumerate(COLUMNS[table])], schema=SCHEMAS[table])


def insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    """Append rows to a table in one statement."""
    if rows:
        insert_batches(con, table, [record_batch(table, rows)])


def insert_batches(con: duckdb.DuckDBPyConnection, table: str, batches: list[pa.RecordBatch]) -> None:
    """Append Arrow record batches (of record_batch's columns) to a table in one statement."""
    batches = [batch for batch in batches if batch.num_rows]
    if not batches:
        return
    listed = ", ".join(name for name, _ in COLUMNS[table])
    through(con, "_rows", pa.Table.from_batches(batches), f"INSERT INTO {table} ({listed}) SELECT {listed} FROM _rows")


def through(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table, sql: str) -> list[tuple]:
    """Run one statement that sees an Arrow table as ``name``; its rows (a write's count).

    Not con.register(): inside a transaction, which a whole run is, DuckDB keeps every table registered
    alive until the commit, unregistered or not, so a run's memory grew with every batch (1.2 GB at 100k
    post-mortems, most of it Arrow buffers long written). A relation's query holds it for the call only."""
    result = con.from_arrow(table).query(name, sql)
    return result.fetchall() if result is not None else []


def with_keys(con: duckdb.DuckDBPyConnection, name: str, values, sql: str, kind: pa.DataType = TEXT) -> list[tuple]:
    """Run one statement that sees ``values`` as a one-column relation ``name`` (column ``key``): lookups by
    join, whatever their number."""
    return through(con, name, key_table(values, kind), sql)


def key_table(values, kind: pa.DataType = TEXT) -> pa.Table:
    return pa.table({"key": pa.array(list(values), type=kind)})
