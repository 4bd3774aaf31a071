"""Tables derived from the loaded rows, written by the ingest inside its transaction.

What a page would otherwise recompute from the raw tables on every new reader connection, and that
depends only on the data and the configuration (not on the as-of date nor the filters), is computed
once per database version here. The definitions stay in analytics/: this module only asks for them to
be written. A database written before a derived table existed still opens: analytics computes the same
rows on the fly when the table is missing or stale (analytics/recurrence.py ``every_flag``).
"""

from __future__ import annotations

import duckdb

from analytics import action_facts, incident_facts, recurrence_flags, tag_facts
from analytics.settings import Settings


def write(con: duckdb.DuckDBPyConnection, raw_config: dict, run_id: int, rows_changed: bool) -> None:
    """Write the derived tables of run ``run_id`` (``rows_changed``: it loaded or deleted rows; if not, a
    table already derived by the run before with the same settings is kept as it is)."""
    try:
        settings = Settings.from_mapping(raw_config)
    except ValueError:
        settings = Settings()  # the dashboard says what is wrong with the analytics section
    recurrence_flags.store(con, settings.recurrence_window_days, run_id, rows_changed)
    action_facts.store(con, run_id, rows_changed)
    incident_facts.store(con, settings.recurrence_window_days, run_id, rows_changed)  # reads the flags above
    tag_facts.store(con, run_id, rows_changed)
