"""Any reasonable Markdown post-mortem loads (issue 7 §2): a front-matter title or a "# heading" is enough,
a date in the title heading or the file name dates the incident, and a date label needs no colon."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from conftest import ingest, query, write

ISSUE_EXAMPLE = """
---
title: Platform incident of February
team: platform
---
# Incident on 2020-02-12 - platform incident

- Fault occurs 2020-02-12 11:45
- Service: api-gateway

## Timeline

| Time | Event |
|------|-------|
| 11:50 | Alert on 5xx rate |
| 12:30 | Incident resolved |
"""


def test_the_issue_example_loads_with_a_team_alias_for_its_start_label(cli, db, exports, tmp_path):
    # "Fault occurs" is this team's word for the start: an alias in their configuration
    config = write(tmp_path, "team.yaml", "aliases:\n  fields:\n    started_at: [\"Fault occurs\"]\n")
    ingest(cli, db, write(exports, "incident.md", ISSUE_EXAMPLE), "--config", config)
    assert query(db, "SELECT title, team, service, incident_date, started_at, detected_at, resolved_at, "
                     "minutes_to_detect, minutes_to_resolve FROM postmortems") == [(
        "Platform incident of February", "platform", "api-gateway", date(2020, 2, 12),
        datetime(2020, 2, 12, 11, 45), datetime(2020, 2, 12, 11, 50), datetime(2020, 2, 12, 12, 30),
        5.0, 45.0)]  # 11:45 -> 11:50 and 11:45 -> 12:30


def test_without_the_alias_the_heading_dates_the_incident(cli, db, exports):
    ingest(cli, db, write(exports, "incident.md", ISSUE_EXAMPLE))
    # the timeline's first event is the start; the date comes from the title heading
    assert query(db, "SELECT title, incident_date, started_at FROM postmortems") == [
        ("Platform incident of February", date(2020, 2, 12), datetime(2020, 2, 12, 11, 50))]


def test_a_single_heading_is_a_title(cli, db, exports):
    ingest(cli, db, write(exports, "2024-03-02-checkout.md", """
        # Checkout outage

        **Severity**: P2

        ## What Went Well

        - The rollback was quick
    """))
    assert query(db, "SELECT title, severity, incident_date FROM postmortems") == [
        ("Checkout outage", "P2", date(2024, 3, 2))]
    assert query(db, "SELECT kind, text FROM learnings") == [("went_well", "The rollback was quick")]


def test_a_front_matter_title_is_enough(cli, db, exports):
    ingest(cli, db, write(exports, "notes.md", """
        ---
        title: DNS resolution failures
        incident_date: 2024-06-03
        ---
        **Team**: network

        ## Root Cause

        A resolver ran out of file descriptors.
    """))
    assert query(db, "SELECT title, team, incident_date, root_cause FROM postmortems") == [
        ("DNS resolution failures", "network", date(2024, 6, 3), "A resolver ran out of file descriptors.")]


@pytest.mark.parametrize("text, line", [
    ("Notes de réunion\n\nRien à signaler.\n", 1),
    ("---\nauthor: Jane\n---\nJust some notes.\n\n## Not a title\n", 4),
], ids=["plain-text", "front-matter-without-title"])
def test_text_with_no_title_at_all_is_rejected_saying_so(cli, db, exports, text, line):
    path = exports / "notes.md"
    path.write_text(text, encoding="utf-8")
    code, out, _ = cli("ingest", exports, "--db", db)
    assert code == 1
    assert (f"REJECTED {path.resolve()}:{line}: not a post-mortem: no title line (a '# Title' heading, or a "
            "'title' in the front matter) and no '### Incident: <title> - <date>' tracker table") in out


def test_title_patterns_still_split_a_file_of_several_postmortems(cli, db, exports):
    ingest(cli, db, write(exports, "two.md", """
        # Post-Mortem: Cache cold - 2024-01-03

        ## Summary

        First.

        # Post-Mortem: Queue stuck - 2024-01-09

        ## Summary

        Second.
    """))
    assert query(db, "SELECT title, incident_date, summary FROM postmortems ORDER BY incident_date") == [
        ("Cache cold - 2024-01-03", date(2024, 1, 3), "First."),
        ("Queue stuck - 2024-01-09", date(2024, 1, 9), "Second.")]


def test_a_tracker_with_a_heading_stays_a_tracker(cli, db, exports):
    out = ingest(cli, db, write(exports, "tracker.md", """
        # Actions tracker

        ### Incident: Cache cold - 2024-01-03

        | # | Action | Owner | Due | Status | PR/Ticket |
        |---|--------|-------|-----|--------|-----------|
        | 1 | Warm the cache | @ops | 01/20 | ✅ | - |

        **Last review** 2024-01-22
    """))
    assert "0 post-mortem(s)" in out  # its row waits for the post-mortem it names
    assert query(db, "SELECT incident_title, status, reviewed_on FROM tracker_pending") == [
        ("Cache cold", "done", date(2024, 1, 22))]


DATES = [
    pytest.param("2024-01-15", id="iso"),
    pytest.param("15/01/2024", id="day-first"),
    pytest.param("Jan 15, 2024", id="english-month"),
    pytest.param("15 janvier 2024", id="french-month"),
]
BODY = "\n**Team**: payments\n\n## Timeline\n\n| Time | Event |\n|---|---|\n| 09:00 | Deploy |\n| 09:30 | Resolved |\n"


@pytest.mark.parametrize("written", DATES)
def test_a_date_in_the_title_heading_dates_the_incident_and_its_timeline(cli, db, exports, written):
    ingest(cli, db, write(exports, "pm.md", f"# Payment outage of {written}\n" + BODY))
    assert query(db, "SELECT incident_date, started_at, resolved_at FROM postmortems") == [
        (date(2024, 1, 15), datetime(2024, 1, 15, 9, 0), datetime(2024, 1, 15, 9, 30))]


@pytest.mark.parametrize("name", [
    pytest.param("2024-01-15-payment-outage.md", id="iso"),
    pytest.param("payment outage 15.01.2024.md", id="day-first"),
    pytest.param("Payment outage Jan 15, 2024.md", id="english-month"),
    pytest.param("panne de paiement du 15 janvier 2024.md", id="french-month"),
])
def test_a_date_in_the_file_name_dates_the_incident(cli, db, exports, name):
    ingest(cli, db, write(exports, name, "# Payment outage\n" + BODY))
    assert query(db, "SELECT incident_date, started_at FROM postmortems") == [
        (date(2024, 1, 15), datetime(2024, 1, 15, 9, 0))]


def test_a_date_written_in_the_document_wins_over_the_heading_and_the_file_name(cli, db, exports):
    ingest(cli, db, write(exports, "2024-01-01-outage.md", "# Outage of 2024-01-02\n\n**Incident date**: 2024-01-03\n"))
    assert query(db, "SELECT incident_date FROM postmortems") == [(date(2024, 1, 3),)]


@pytest.mark.parametrize("line, expected", [
    ("- Date 15 janvier 2024", date(2024, 1, 15)),
    ("- **Incident date** Jan 15, 2024", date(2024, 1, 15)),
    ("**Date de l'incident** 15/01/2024", date(2024, 1, 15)),
    ("- Incident date 2024-01-15 (estimated)", date(2024, 1, 15)),
], ids=["bulleted-french", "bold-in-bullet", "bold", "with-a-remark"])
def test_a_date_label_needs_no_colon(cli, db, exports, line, expected):
    ingest(cli, db, write(exports, "outage.md", f"# Outage\n\n{line}\n"))
    assert query(db, "SELECT incident_date FROM postmortems") == [(expected,)]


@pytest.mark.parametrize("line", ["- Date soon", "- Team 2024 rollout", "Date 2024-01-15"],
                         ids=["not-a-date", "not-a-date-field", "not-a-label-line"])
def test_without_a_colon_only_a_date_field_followed_by_a_date_is_read(cli, db, exports, line):
    ingest(cli, db, write(exports, "outage.md", f"# Outage\n\n{line}\n"))
    assert query(db, "SELECT team, incident_date FROM postmortems") == [(None, None)]
