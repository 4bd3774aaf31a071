"""Every incident of the coverage source with what the coverage rule reads of it (analytics/coverage.py
says what the rule is and where each value comes from), whether its post-mortem recurs included, as the
ingest writes them once per database version (analytics/stored.py): at 100k post-mortems the joins of ~56k
incidents to the post-mortems and to their recurrence flags on text ids were most of each coverage call.
Pandas-free, so the ingest can import it; analytics/coverage.py reads it.

The rows depend on no filter nor on the as-of date: the reader keeps the incidents it wants."""

from __future__ import annotations

import duckdb

from analytics import recurrence_flags, stored

_SOURCE = {
    # a value the list leaves empty is taken from the linked post-mortem; near miss from it only
    "incidents": """
        SELECT i.incident_id,
               coalesce(i.severity, p.severity) AS severity,
               coalesce(i.started_at, p.started_at) AS started_at,
               coalesce(i.started_at::DATE, p.incident_date) AS incident_date,
               coalesce(CASE WHEN i.resolved_at >= i.started_at
                             THEN date_diff('second', i.started_at, i.resolved_at) / 60.0 END,
                        p.minutes_to_resolve) AS minutes,
               coalesce(i.customer_impact, p.customer_impact) AS customer_impact,
               coalesce(p.near_miss, FALSE) AS near_miss,
               p.postmortem_id IS NOT NULL AS has_postmortem,
               i.postmortem_id,
               p.team, p.service, p.primary_cause_category
        FROM incidents i LEFT JOIN postmortems p ON p.postmortem_id = i.postmortem_id""",
    # no incidents list: every post-mortem is an incident that has its post-mortem
    "postmortems": """
        SELECT postmortem_id AS incident_id, severity, started_at, incident_date,
               minutes_to_resolve AS minutes, customer_impact, coalesce(near_miss, FALSE) AS near_miss,
               TRUE AS has_postmortem, postmortem_id, team, service, primary_cause_category
        FROM postmortems""",
}
STORED = "incident_facts"  # rows(source, flags) as the last ingest wrote them, for its recurrence window
STAMP_KEY = "incident_facts"  # schema_info: "<window>/v<COLUMNS>@<run_id>" of the run that wrote it
COLUMNS = 1  # the version of the table's columns, in the stamp, as for recurrence_flags


def rows(source_name: str, flags: str) -> str:
    """One row per incident of ``source_name``: incident_id, severity, started_at, incident_date, minutes,
    customer_impact, near_miss, has_postmortem, postmortem_id, team, service, primary_cause_category (the
    linked post-mortem's), recurring (its post-mortem recurs, by ``flags``: a FROM item of recurrence flags
    with postmortem_id and recurs, one row per post-mortem)."""
    return f"""
        SELECT incident.*, coalesce(recurrence.recurs, FALSE) AS recurring
        FROM ({_SOURCE[source_name]}) incident
        LEFT JOIN {flags} recurrence ON recurrence.postmortem_id = incident.postmortem_id"""


def _setting(window: int) -> str:
    return f"{int(window)}/v{COLUMNS}"


def stored_current(con: duckdb.DuckDBPyConnection, window: int) -> bool:
    """Whether the file holds the rows for this recurrence window as of its last ingest."""
    return stored.current(con, STAMP_KEY, _setting(window))


def store(con: duckdb.DuckDBPyConnection, window: int, run_id: int, rows_changed: bool = True) -> None:
    """Write the rows into the table STORED, stamped with run ``run_id``; after recurrence_flags.store wrote
    the flags of the same ``window`` in this run."""
    # the source as analytics/coverage.py ``source`` chooses it, seen from inside the ingest's transaction
    source = "incidents" if con.execute("SELECT count(*) FROM incidents").fetchone()[0] else "postmortems"
    stored.write(con, STORED, rows(source, recurrence_flags.STORED), {}, STAMP_KEY, _setting(window), run_id,
                 rows_changed)
