"""Every post-mortem's tags as the cross-team escalation compares them (analytics/escalations.py): trimmed, in
lower case, each once; one row per post-mortem and tag, as the ingest writes them once per database version
(analytics/stored.py). At 100k post-mortems, trimming and lowering every tag list in the query cost a tenth
of the Escalations page (issue 11); the stored rows are found by a scan's filter instead.

Pandas-free, so the ingest can import it. The rows depend on no filter, setting nor as-of date."""

from __future__ import annotations

import duckdb

from analytics import stored

ROWS = ("SELECT DISTINCT postmortem_id, lower(trim(tag)) AS tag "
        "FROM (SELECT postmortem_id, unnest(tags) AS tag FROM postmortems)")
STORED = "tag_facts"
STAMP_KEY = "tag_facts"  # schema_info: "all@<run_id>" of the run that wrote it
SETTING = "all"


def source(con: duckdb.DuckDBPyConnection) -> str:
    """A FROM item of the rows: the stored table when the file's last ingest wrote it, else their SQL."""
    return STORED if stored.current(con, STAMP_KEY, SETTING) else f"({ROWS})"


def store(con: duckdb.DuckDBPyConnection, run_id: int, rows_changed: bool = True) -> None:
    stored.write(con, STORED, ROWS, {}, STAMP_KEY, SETTING, run_id, rows_changed)
