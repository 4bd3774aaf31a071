"""Tables the ingest derives from the loaded rows and writes into the file (pipeline/derived.py), and
whether a reader may use them.

Each is stamped in schema_info with the settings it was derived with and the run that wrote it:
"<setting>@<run_id>". A reader uses one only when the stamp names its own settings and the file's last
run; otherwise (a file written before the table existed, another configuration, an older release that
ingested since) it computes the same rows from the raw tables. Free of pandas, so the ingest can import it
without the analytics modules' import cost."""

from __future__ import annotations

import duckdb

from analytics import base


def current(con: duckdb.DuckDBPyConnection, key: str, setting: object, run_id: int | None = None) -> bool:
    """Whether the table stamped under ``key`` holds its rows for ``setting`` as of run ``run_id``, by
    default the file's last ingest."""
    with base._cursor(con) as cur:  # a reader's cursor reads the attached file
        stamp, run = cur.execute("SELECT (SELECT value FROM schema_info WHERE key = $key), "
                                 "coalesce($run, (SELECT max(run_id) FROM ingest_runs))",
                                 {"key": key, "run": run_id}).fetchone()
    return stamp == f"{setting}@{run}"


def write(con: duckdb.DuckDBPyConnection, table: str, sql: str | list[str], params: dict, key: str, setting: object,
          run_id: int, rows_changed: bool = True) -> None:
    """Write ``sql``'s rows into ``table`` and stamp it for ``setting`` and run ``run_id``; a list of queries
    is written part after part, in its order. Called by the ingest inside its transaction, on the file's own
    connection. A run that changed no row only moves the stamp of a table the run before wrote with the same
    setting."""
    if rows_changed or not current(con, key, setting, run_id - 1):
        first, *rest = [sql] if isinstance(sql, str) else sql
        con.execute(f"CREATE OR REPLACE TABLE {table} AS {first}", params)
        for part in rest:
            con.execute(f"INSERT INTO {table} {part}", params)
    con.execute("INSERT OR REPLACE INTO schema_info VALUES ($key, $value)", {"key": key, "value": f"{setting}@{run_id}"})
