"""Post-mortem coverage: the incidents that, by the template's rule, require a post-mortem, and how many
have one.

A post-mortem is required for a P1; a P2 lasting longer than ``settings.coverage_p2_minutes``; an
incident with customer impact; a recurring incident (``analytics.recurrence.flags``). A near miss is
recommended, not required: it is listed but counts in no rate.

Source: the incidents list (table ``incidents``) when it has any row at all, whatever the filters (so a
filter never switches the source); else the post-mortems themselves, which all have a post-mortem by
definition (coverage is then 100% and only the required count is informative).

With the incidents list: duration = resolved_at - started_at (NULL when either is missing or the end is
before the start); an incident *has a post-mortem* when its postmortem_id names a loaded post-mortem (a
dangling id counts as missing: it cannot be checked, and the missing list shows it). A value the list
leaves empty (severity, start, duration, customer impact) is taken from the linked post-mortem; near
miss and recurrence come from it only. Filters: severity and the date range apply to the incident
(date of started_at, else the post-mortem's incident date); team, service and cause category can only
come from the linked post-mortem, so with one of those filters set, incidents without a loaded
post-mortem are left out. Incidents after the as-of date are left out.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics import incident_facts, recurrence
from analytics.base import frame, tuples
from analytics.filters import Filters
from analytics.settings import Settings

COLUMNS = ["incident_id", "severity", "started_at", "minutes", "customer_impact", "reasons", "required",
           "has_postmortem", "postmortem_id", "source"]


def source(con: duckdb.DuckDBPyConnection) -> str:
    """'incidents' when the incidents list has rows, else 'postmortems'."""
    return "incidents" if tuples(con, "SELECT count(*) FROM incidents")[0][0] else "postmortems"


def _rows(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None) -> tuple[str, dict]:
    """`rated`: every kept incident with required, has_postmortem and what its reasons are made of. Whether
    an incident recurs comes from analytics.recurrence over every post-mortem (a filter must not change it).
    The incidents with their post-mortem's columns and recurrence as the last ingest wrote them
    (analytics/incident_facts.py) when the file has them for this recurrence window; else joined here."""
    settings = settings or Settings()
    src = source(con)
    if incident_facts.stored_current(con, settings.recurrence_window_days):
        incidents, params = incident_facts.STORED, {}
    else:
        every_flag, params = recurrence.every_flag(con, settings)
        incidents = f"({incident_facts.rows(src, every_flag)})"
    where, filter_params = f.where("incident")
    params.update(filter_params)
    params.update(as_of=f.as_of, source=src, p2_minutes=settings.coverage_p2_minutes)
    return f"""
        WITH kept AS (
            SELECT * FROM {incidents} incident
            WHERE {where} AND (incident_date IS NULL OR incident_date <= $as_of)
        ),
        rated AS (
            SELECT incident_id, severity, started_at, minutes, customer_impact, near_miss, recurring,
                   (severity = 'P1' OR (severity = 'P2' AND minutes > $p2_minutes) OR customer_impact
                    OR recurring) IS TRUE AS required,
                   has_postmortem, postmortem_id, $source AS source
            FROM kept
        )""", params


def required(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None = None) -> pd.DataFrame:
    """One row per incident that requires a post-mortem, or recommends one (a near miss, required
    False), oldest first: incident_id, severity, started_at, minutes, customer_impact, reasons (list of
    words), required, has_postmortem, postmortem_id, source."""
    return _listed(con, f, settings, "required OR near_miss")  # the rows with a reason


def missing(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None = None) -> pd.DataFrame:
    """The required incidents with no post-mortem (same columns as ``required``), oldest first."""
    # chosen in SQL: at 100k the required incidents are ~50,000 rows and the missing ones a few thousand
    return _listed(con, f, settings, "required AND NOT has_postmortem")


def _listed(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None, condition: str) -> pd.DataFrame:
    base, params = _rows(con, f, settings)
    params["p2_label"] = f"P2 > {(settings or Settings()).coverage_p2_minutes:g} min"
    table = frame(con, f"""{base}
        SELECT incident_id, severity, started_at, minutes, customer_impact,
               list_filter([
                   CASE WHEN severity = 'P1' THEN 'P1' END,
                   CASE WHEN severity = 'P2' AND minutes > $p2_minutes THEN $p2_label END,
                   CASE WHEN customer_impact THEN 'customer impact' END,
                   CASE WHEN recurring THEN 'recurring' END,
                   CASE WHEN near_miss THEN 'near miss (recommended)' END
               ], lambda x: x IS NOT NULL) AS reasons,
               required, has_postmortem, postmortem_id, source
        FROM rated WHERE {condition}
        ORDER BY started_at NULLS LAST, incident_id""", params)
    table["reasons"] = table["reasons"].map(list)
    return table[COLUMNS]


def summary(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None = None) -> pd.DataFrame:
    """One row: required, covered (required with a post-mortem), coverage_rate = covered / required,
    missing = required - covered, recommended (near misses not otherwise required), source."""
    base, params = _rows(con, f, settings)
    return frame(con, f"""{base}
        SELECT count(*) FILTER (WHERE required) AS required,
               count(*) FILTER (WHERE required AND has_postmortem) AS covered,
               count(*) FILTER (WHERE required AND has_postmortem)
                   / nullif(count(*) FILTER (WHERE required), 0) AS coverage_rate,
               count(*) FILTER (WHERE required AND NOT has_postmortem) AS missing,
               count(*) FILTER (WHERE NOT required AND near_miss) AS recommended,
               $source AS source
        FROM rated""", params)
