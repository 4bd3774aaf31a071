"""YAML front matter: canonical keys that fill the body's gaps and win over what the body says."""

from datetime import date, datetime

from conftest import ingest, query, scalar, write

DOC = """
---
id: PM-2024-031
team: search
severity: P2
tags: [database, release]
readers: [alice, bob]
recurrence_of: [PM-2023-114, PM-2024-007]
---
# Post-Mortem: Search index rebuild stalled

**Incident date**: 2024-04-02
**Post-mortem date**: 2024-04-04
**Team**: platform
**Service**: search-api
**Severity**: SEV3
**Cause category**: tools

## Timeline (UTC)

| Time | Event |
|------|-------|
| 08:00 | Index migration started |
| 08:30 | Alert on search latency |
| 09:00 | Incident resolved |

## Corrective Actions

| Action | Owner | Deadline | Priority | Status |
|--------|-------|----------|----------|--------|
| Throttle index rebuilds | @sam | 2024-04-15 | High | Todo |
"""


def test_front_matter_id_names_the_postmortem_and_its_actions(cli, db, exports):
    ingest(cli, db, write(exports, "search.md", DOC))
    assert query(db, "SELECT postmortem_id FROM postmortems") == [("PM-2024-031",)]
    assert query(db, "SELECT action_id, postmortem_id FROM actions") == [("PM-2024-031-A1", "PM-2024-031")]


def test_front_matter_team_and_severity_override_the_body(cli, db, exports):
    ingest(cli, db, write(exports, "search.md", DOC))
    assert query(db, "SELECT team, severity FROM postmortems") == [("search", "P2")]


def test_body_fills_what_the_front_matter_lacks(cli, db, exports):
    ingest(cli, db, write(exports, "search.md", DOC))
    assert query(db, "SELECT title, incident_date, postmortem_date, service, primary_cause_category, "
                     "started_at, minutes_to_detect, minutes_to_resolve FROM postmortems") == [(
        "Search index rebuild stalled", date(2024, 4, 2), date(2024, 4, 4), "search-api", "tools",
        datetime(2024, 4, 2, 8, 0), 30.0, 60.0)]


def test_front_matter_tags(cli, db, exports):
    ingest(cli, db, write(exports, "search.md", DOC))
    assert scalar(db, "SELECT tags FROM postmortems") == ["database", "release"]


def test_front_matter_readers(cli, db, exports):
    ingest(cli, db, write(exports, "search.md", DOC))
    assert query(db, "SELECT postmortem_id, reader FROM readers ORDER BY reader") == [
        ("PM-2024-031", "alice"), ("PM-2024-031", "bob")]


def test_front_matter_recurrence_links(cli, db, exports):
    ingest(cli, db, write(exports, "search.md", DOC))
    assert query(db, "SELECT postmortem_id, recurrence_of FROM recurrence_links ORDER BY recurrence_of") == [
        ("PM-2024-031", "PM-2023-114"), ("PM-2024-031", "PM-2024-007")]


def test_front_matter_incident_date_wins_and_dates_the_timeline(cli, db, exports):
    doc = DOC.replace("id: PM-2024-031\n", "id: PM-2024-031\nincident_date: 2024-04-01\n")
    ingest(cli, db, write(exports, "search.md", doc))
    assert query(db, "SELECT incident_date, days_to_postmortem, started_at, resolved_at FROM postmortems") == [
        (date(2024, 4, 1), 3, datetime(2024, 4, 1, 8, 0), datetime(2024, 4, 1, 9, 0))]


def test_front_matter_fills_a_body_without_metadata(cli, db, exports):
    doc = """
    ---
    id: PM-2024-040
    incident_date: 2024-06-03
    team: data
    service: etl
    severity: Critical
    cause_category: [external, monitoring]
    ---
    # Post-Mortem: Nightly ETL missed its window

    ## Executive Summary

    The upstream provider was late and the nightly job was not watched.
    """
    ingest(cli, db, write(exports, "etl.md", doc))
    assert query(db, "SELECT postmortem_id, incident_date, team, service, severity, primary_cause_category "
                     "FROM postmortems") == [
        ("PM-2024-040", date(2024, 6, 3), "data", "etl", "P1", "external")]
    assert query(db, "SELECT position, category, is_primary FROM causes ORDER BY position") == [
        (1, "external", True), (2, "monitoring", False)]


def test_front_matter_started_at_is_the_start_for_minutes(cli, db, exports):
    # The timeline's first event is 08:00, but the front matter says the incident began at 07:50 UTC.
    doc = DOC.replace("id: PM-2024-031\n", "id: PM-2024-031\nstarted_at: 2024-04-02T09:50:00+02:00\n")
    ingest(cli, db, write(exports, "search.md", doc))
    assert query(db, "SELECT started_at, detected_at, minutes_to_detect, minutes_to_resolve FROM postmortems") == [
        (datetime(2024, 4, 2, 7, 50), datetime(2024, 4, 2, 8, 30), 40.0, 70.0)]


def test_front_matter_duration_wins_over_the_impact_table(cli, db, exports):
    doc = DOC.replace("id: PM-2024-031\n", "id: PM-2024-031\ntime_to_resolve: 1h 15m\n").replace(
        "## Timeline (UTC)", "## Impact\n\n| Metric | Value |\n|---|---|\n| Duration | 1h |\n\n## Timeline (UTC)")
    ingest(cli, db, write(exports, "search.md", doc))
    assert scalar(db, "SELECT minutes_to_resolve FROM postmortems") == 75.0
    warnings = [m for (m,) in query(db, "SELECT message FROM ingest_errors WHERE level = 'warning'")]
    assert any("resolve" in m and "75" in m and "60" in m for m in warnings), warnings


def test_warnings_about_body_labels_name_the_file_line_below_the_front_matter(cli, db, exports):
    # Line 7 of the file is the body's line 2: the front matter (lines 1-4) and the title (line 5) come first.
    doc = """
    ---
    id: PM-2024-050
    team: search
    ---
    # Post-Mortem: Search index rebuild stalled

    **Severity**: apocalyptic
    """
    path = write(exports, "search.md", doc)
    ingest(cli, db, path)
    assert query(db, "SELECT line, message FROM ingest_errors WHERE message LIKE 'unknown severity%'") == [
        (7, "unknown severity 'apocalyptic'; left empty (add it to vocabularies.severity)")]
