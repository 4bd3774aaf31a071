"""An English post-mortem in the template's shape, read through the real CLI into DuckDB."""

import re
import textwrap
from datetime import date, datetime

from conftest import ingest, query, scalar, write

DOC = """
# Post-Mortem: Checkout API outage after the v4.2.0 release

**Incident date**: 2024-03-12
**Author**: Jane Doe
**Post-mortem date**: 2024-03-15
**Participants**: Jane Doe, Raj Patel, Lena Schmidt
**Team**: payments
**Service**: checkout-api
**Severity**: SEV1
**Cause category**: code

## Executive Summary

The release of v4.2.0 leaked database connections and the checkout API was down for one hour until the team rolled it back.

## Impact

| Metric | Value |
|--------|-------|
| Duration | 1h 0m |
| Users affected | ~1,200 |
| Failed requests | 45 000 |
| Lost transactions | 320 |
| Estimated cost | 2 500€ |

## Timeline (UTC)

| Time | Event |
|------|-------|
| 14:00 | Deploy of v4.2.0 to production |
| 14:12 | First alert: error rate above 5% |
| 14:15 | On-call engineer acknowledges the page |
| 14:30 | Root cause identified: connection leak in the new retry code |
| 14:40 | Rollback to v4.1.9 |
| 14:50 | Error rate back to normal |
| 15:00 | Incident resolved |

## Root Cause

The retry code added in v4.2.0 opened a new connection on every retry and never closed it.

**5 Whys Analysis**:

1. **Why** did the checkout API fail?
   → The database connection pool was exhausted

2. **Why** was the pool exhausted?
   → Each retry opened a connection that was never closed

3. **Why** was the leak not caught in review?
   → The retry path had no test that counted open connections

## What Went Well

- The alert fired twelve minutes after the deploy
- The on-call engineer answered the page in three minutes
- The rollback was quick and safe

## What Can Be Improved

- No alert on the saturation of the connection pool
- Staging traffic is too small to show the leak

## Corrective Actions

| Action | Owner | Deadline | Priority | Status | PR/Ticket |
|--------|-------|----------|----------|--------|-----------|
| Close connections in the retry path | @raj | 2024-03-14 | High | ✅ Done | PR#812 |
| Add a connection pool saturation alert | @lena | 2024-03-22 | Medium | 🔄 In Progress | OPS-41 |
| Load test retries on staging | @jane | 2024-04-05 | Low | ⏳ Todo | - |
| Move to the new database driver | @raj | 2024-04-30 | P1 | ⛔ Blocked | OPS-57 |
| Rewrite the retry library | @jane | 2024-05-31 | P3 | ❌ Cancelled | |

## Lessons Learned

- Unit tests do not show resource leaks that only appear under load
- A release that touches the data layer needs a load test
"""

SNAPSHOT_PM = """
    SELECT title, incident_date, postmortem_date, days_to_postmortem, severity, team, service,
           started_at, detected_at, acknowledged_at, mitigated_at, resolved_at,
           minutes_to_detect, minutes_to_acknowledge, minutes_to_mitigate, minutes_to_resolve,
           users_affected, failed_requests, lost_transactions, estimated_cost,
           primary_cause_category, root_cause, summary, language, author, participants, source_format
    FROM postmortems WHERE source_path = ?"""


def snapshot(db, path):
    """Every row a file produced, without what depends on its path."""
    pid = scalar(db, "SELECT postmortem_id FROM postmortems WHERE source_path = ?", [str(path)])
    return {
        "pm": query(db, SNAPSHOT_PM, [str(path)]),
        "timeline": query(db, "SELECT position, occurred_at, kind, event FROM timeline_events "
                              "WHERE postmortem_id = ? ORDER BY position", [pid]),
        "actions": query(db, "SELECT position, description, owner, due_date, priority, status, ticket "
                             "FROM actions WHERE postmortem_id = ? ORDER BY position", [pid]),
        "whys": query(db, "SELECT position, question, answer FROM whys WHERE postmortem_id = ? "
                          "ORDER BY position", [pid]),
        "learnings": query(db, "SELECT kind, position, text FROM learnings WHERE postmortem_id = ? "
                               "ORDER BY kind, position", [pid]),
        "causes": query(db, "SELECT position, category, is_primary, raw FROM causes WHERE postmortem_id = ?",
                        [pid]),
    }


def test_metadata_columns(cli, db, exports):
    ingest(cli, db, write(exports, "checkout.md", DOC))
    assert query(db, "SELECT title, incident_date, postmortem_date, days_to_postmortem, author, team, service, "
                     "severity, primary_cause_category, language, source_format FROM postmortems") == [
        ("Checkout API outage after the v4.2.0 release", date(2024, 3, 12), date(2024, 3, 15), 3, "Jane Doe",
         "payments", "checkout-api", "P1", "code", "en", "markdown")]
    assert scalar(db, "SELECT participants FROM postmortems") == ["Jane Doe", "Raj Patel", "Lena Schmidt"]


def test_postmortem_id_derives_from_file_name(cli, db, exports):
    ingest(cli, db, write(exports, "checkout.md", DOC))
    assert re.fullmatch(r"checkout-[0-9a-f]{6}", scalar(db, "SELECT postmortem_id FROM postmortems"))


def test_summary_and_root_cause_text(cli, db, exports):
    ingest(cli, db, write(exports, "checkout.md", DOC))
    assert query(db, "SELECT summary, root_cause FROM postmortems") == [(
        "The release of v4.2.0 leaked database connections and the checkout API was down for one hour until "
        "the team rolled it back.",
        "The retry code added in v4.2.0 opened a new connection on every retry and never closed it.")]


def test_causes_table_holds_the_primary_category(cli, db, exports):
    ingest(cli, db, write(exports, "checkout.md", DOC))
    assert query(db, "SELECT position, category, is_primary, raw FROM causes") == [(1, "code", True, "code")]


def test_impact_numbers(cli, db, exports):
    ingest(cli, db, write(exports, "checkout.md", DOC))
    assert query(db, "SELECT users_affected, failed_requests, lost_transactions, estimated_cost "
                     "FROM postmortems") == [(1200, 45000, 320, 2500.0)]


def test_phase_timestamps_come_from_the_timeline(cli, db, exports):
    ingest(cli, db, write(exports, "checkout.md", DOC))
    assert query(db, "SELECT started_at, detected_at, acknowledged_at, mitigated_at, resolved_at "
                     "FROM postmortems") == [(
        datetime(2024, 3, 12, 14, 0), datetime(2024, 3, 12, 14, 12), datetime(2024, 3, 12, 14, 15),
        datetime(2024, 3, 12, 14, 40), datetime(2024, 3, 12, 15, 0))]


def test_minutes_to_each_phase(cli, db, exports):
    ingest(cli, db, write(exports, "checkout.md", DOC))
    assert query(db, "SELECT minutes_to_detect, minutes_to_acknowledge, minutes_to_mitigate, minutes_to_resolve "
                     "FROM postmortems") == [(12.0, 15.0, 40.0, 60.0)]


def test_matching_duration_records_no_disagreement_warning(cli, db, exports):
    ingest(cli, db, write(exports, "checkout.md", DOC))
    assert query(db, "SELECT message FROM ingest_errors WHERE message LIKE '%time to resolve%'") == []


def test_timeline_events_are_classed(cli, db, exports):
    ingest(cli, db, write(exports, "checkout.md", DOC))
    assert query(db, "SELECT position, occurred_at, kind FROM timeline_events ORDER BY position") == [
        (1, datetime(2024, 3, 12, 14, 0), "start"),
        (2, datetime(2024, 3, 12, 14, 12), "detect"),
        (3, datetime(2024, 3, 12, 14, 15), "acknowledge"),
        (4, datetime(2024, 3, 12, 14, 30), "identify"),
        (5, datetime(2024, 3, 12, 14, 40), "mitigate"),
        (6, datetime(2024, 3, 12, 14, 50), "mitigate"),
        (7, datetime(2024, 3, 12, 15, 0), "resolve"),
    ]
    assert scalar(db, "SELECT event FROM timeline_events WHERE position = 4") == (
        "Root cause identified: connection leak in the new retry code")


def test_actions_with_owner_due_priority_status_ticket(cli, db, exports):
    ingest(cli, db, write(exports, "checkout.md", DOC))
    assert query(db, "SELECT position, description, owner, due_date, priority, status, ticket "
                     "FROM actions ORDER BY position") == [
        (1, "Close connections in the retry path", "@raj", date(2024, 3, 14), "high", "done", "PR#812"),
        (2, "Add a connection pool saturation alert", "@lena", date(2024, 3, 22), "medium", "in_progress",
         "OPS-41"),
        (3, "Load test retries on staging", "@jane", date(2024, 4, 5), "low", "todo", None),
        (4, "Move to the new database driver", "@raj", date(2024, 4, 30), "high", "blocked", "OPS-57"),
        (5, "Rewrite the retry library", "@jane", date(2024, 5, 31), "low", "cancelled", None),
    ]


def test_action_ids_follow_the_postmortem_id(cli, db, exports):
    ingest(cli, db, write(exports, "checkout.md", DOC))
    pid = scalar(db, "SELECT postmortem_id FROM postmortems")
    assert [a for (a,) in query(db, "SELECT action_id FROM actions ORDER BY position")] == [
        f"{pid}-A1", f"{pid}-A2", f"{pid}-A3", f"{pid}-A4", f"{pid}-A5"]


def test_five_whys(cli, db, exports):
    ingest(cli, db, write(exports, "checkout.md", DOC))
    assert query(db, "SELECT position, question, answer FROM whys ORDER BY position") == [
        (1, "Why did the checkout API fail?", "The database connection pool was exhausted"),
        (2, "Why was the pool exhausted?", "Each retry opened a connection that was never closed"),
        (3, "Why was the leak not caught in review?", "The retry path had no test that counted open connections"),
    ]


def test_learnings_by_kind(cli, db, exports):
    ingest(cli, db, write(exports, "checkout.md", DOC))
    assert dict(query(db, "SELECT kind, count(*) FROM learnings GROUP BY kind")) == {
        "went_well": 3, "to_improve": 2, "lesson": 2}
    assert query(db, "SELECT position, text FROM learnings WHERE kind = 'lesson' ORDER BY position") == [
        (1, "Unit tests do not show resource leaks that only appear under load"),
        (2, "A release that touches the data layer needs a load test"),
    ]


def test_disagreeing_duration_keeps_explicit_value_and_warns(cli, db, exports):
    path = write(exports, "checkout.md", DOC.replace("| Duration | 1h 0m |", "| Duration | 2h |"))
    ingest(cli, db, path)
    # The timeline says 14:00 -> 15:00 (60 min); the Impact table says 2h (120 min).
    assert query(db, "SELECT resolved_at, minutes_to_resolve FROM postmortems") == [
        (datetime(2024, 3, 12, 15, 0), 120.0)]
    warnings = [m for (m,) in query(db, "SELECT message FROM ingest_errors WHERE level = 'warning' "
                                        "AND source_path = ?", [str(path)])]
    assert any("resolve" in m and "120" in m and "60" in m for m in warnings), warnings


MIDNIGHT = """
# Post-Mortem: Late night checkout latency

**Incident date**: 2024-03-12
**Post-mortem date**: 2024-03-14
**Team**: payments
**Service**: checkout-api
**Severity**: P2
**Cause category**: environment

## Impact

| Metric | Value |
|--------|-------|
| Duration | 1h 30m |

## Timeline (UTC)

| Time | Event |
|------|-------|
| 23:40 | Deploy of v4.3.0 to production |
| 23:52 | First alert: checkout latency above 2s |
| 2024-03-13 00:05 | On-call engineer acknowledges the page |
| 2024-03-13 00:35 | Rollback to v4.2.9 |
| 2024-03-13 01:10 | Incident resolved |
"""


def test_incident_crossing_midnight(cli, db, exports):
    ingest(cli, db, write(exports, "late.md", MIDNIGHT))
    assert query(db, "SELECT incident_date, started_at, detected_at, acknowledged_at, mitigated_at, resolved_at "
                     "FROM postmortems") == [(
        date(2024, 3, 12), datetime(2024, 3, 12, 23, 40), datetime(2024, 3, 12, 23, 52),
        datetime(2024, 3, 13, 0, 5), datetime(2024, 3, 13, 0, 35), datetime(2024, 3, 13, 1, 10))]
    assert query(db, "SELECT minutes_to_detect, minutes_to_acknowledge, minutes_to_mitigate, minutes_to_resolve "
                     "FROM postmortems") == [(12.0, 25.0, 55.0, 90.0)]


def test_incident_crossing_midnight_has_no_order_or_duration_warning(cli, db, exports):
    ingest(cli, db, write(exports, "late.md", MIDNIGHT))
    messages = [m for (m,) in query(db, "SELECT message FROM ingest_errors")]
    assert not any("out of order" in m or "before the start" in m or "time to resolve" in m for m in messages)


def test_timeline_zone_in_heading_converts_to_utc(cli, db, exports):
    doc = MIDNIGHT.replace("## Timeline (UTC)", "## Timeline (CET)").replace("| Duration | 1h 30m |\n", "")
    ingest(cli, db, write(exports, "late-cet.md", doc))
    assert query(db, "SELECT started_at, resolved_at, minutes_to_resolve FROM postmortems") == [
        (datetime(2024, 3, 12, 22, 40), datetime(2024, 3, 13, 0, 10), 90.0)]


NO_DATE = """
# Post-Mortem: Checkout latency

**Team**: payments
**Service**: checkout-api
**Severity**: P3

## Timeline (UTC)

| Time | Event |
|------|-------|
| 09:00 | Deploy of v4.3.0 to production |
| 09:20 | First alert: checkout latency above 2s |
| 10:00 | Incident resolved |
"""


def test_incident_date_taken_from_file_name(cli, db, exports):
    # Only HH:MM times, no date in the metadata or the title: the file name gives the date.
    ingest(cli, db, write(exports, "2024-05-17-latency.md", NO_DATE))
    assert query(db, "SELECT incident_date, started_at, detected_at, minutes_to_detect FROM postmortems") == [
        (date(2024, 5, 17), datetime(2024, 5, 17, 9, 0), datetime(2024, 5, 17, 9, 20), 20.0)]


def test_incident_date_taken_from_title_before_file_name(cli, db, exports):
    doc = NO_DATE.replace("# Post-Mortem: Checkout latency", "# Post-Mortem: Checkout latency 2024-05-16")
    ingest(cli, db, write(exports, "2024-05-17-latency.md", doc))
    assert query(db, "SELECT incident_date, resolved_at, minutes_to_resolve FROM postmortems") == [
        (date(2024, 5, 16), datetime(2024, 5, 16, 10, 0), 60.0)]


def test_crlf_and_bom_give_the_same_rows(cli, tmp_path):
    # Each variant in a database of its own: in one database the second and third would be duplicates of
    # the first (same title, incident date and team) and skipped.
    text = textwrap.dedent(DOC).lstrip("\n")
    variants = {"plain": text.encode("utf-8"), "crlf": text.replace("\n", "\r\n").encode("utf-8"),
                "bom": b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")}
    snapshots = {}
    for name, data in variants.items():
        path = tmp_path / name / "checkout.md"
        path.parent.mkdir()
        path.write_bytes(data)
        db = tmp_path / f"{name}.duckdb"
        assert "1 file(s) loaded, 0 unchanged, 0 rejected" in ingest(cli, db, path)
        snapshots[name] = snapshot(db, path)
    expected = snapshots["plain"]
    assert expected["pm"] and len(expected["actions"]) == 5 and len(expected["timeline"]) == 7
    assert snapshots["crlf"] == expected
    assert snapshots["bom"] == expected


def test_action_items_heading_and_due_column(cli, db, exports):
    doc = DOC.replace("## Corrective Actions", "## Action Items").replace(
        "| Action | Owner | Deadline | Priority | Status | PR/Ticket |",
        "| Action | Owner | Due | Priority | Status | PR/Ticket |")
    ingest(cli, db, write(exports, "checkout.md", doc))
    assert query(db, "SELECT position, owner, due_date, status FROM actions ORDER BY position") == [
        (1, "@raj", date(2024, 3, 14), "done"),
        (2, "@lena", date(2024, 3, 22), "in_progress"),
        (3, "@jane", date(2024, 4, 5), "todo"),
        (4, "@raj", date(2024, 4, 30), "blocked"),
        (5, "@jane", date(2024, 5, 31), "cancelled"),
    ]


def test_done_and_blocked_actions_are_dated_by_the_postmortem_date(cli, db, exports):
    # Without completed_at / blocked_since, the first sight of a status is the post-mortem date.
    ingest(cli, db, write(exports, "checkout.md", DOC))
    assert query(db, "SELECT position, completed_at, blocked_since FROM actions WHERE position IN (1, 4) "
                     "ORDER BY position") == [
        (1, datetime(2024, 3, 15, 0, 0), None),
        (4, None, datetime(2024, 3, 15, 0, 0)),
    ]
