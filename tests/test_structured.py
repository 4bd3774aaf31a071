"""JSON and YAML post-mortems: one object or a list, durations, zones, cause lists, actions."""

import json
from datetime import date, datetime

from conftest import ingest, query, scalar, write

SINGLE = {
    "id": "PM-101",
    "title": "Payment webhook backlog",
    "incident_date": "2024-05-06",
    "postmortem_date": "2024-05-10",
    "author": "Nora Blake",
    "participants": ["Nora Blake", "Omar Diaz"],
    "severity": "Sev-2",
    "team": "payments",
    "service": "webhooks",
    "started_at": "2024-05-06T10:00:00+02:00",
    "detected_at": "2024-05-06T10:20:00+02:00",
    "acknowledged_at": "2024-05-06T10:25:00+02:00",
    "mitigated_at": "2024-05-06T11:00:00+02:00",
    "resolved_at": "2024-05-06T11:20:00+02:00",
    "users_affected": 850,
    "failed_requests": "~1,200",
    "lost_transactions": 0,
    "estimated_cost": "2 500€",
    "customer_impact": True,
    "near_miss": False,
    "cause_category": ["external", "monitoring"],
    "root_cause": "The payment provider throttled our webhook endpoint.",
    "summary": "Webhooks from the provider queued for 80 minutes.",
    "tags": ["webhooks", "provider"],
    "actions": [
        {"description": "Ask the provider for a higher rate limit", "owner": "@nora", "due": "2024-05-20",
         "priority": "P0", "status": "Done", "ticket": "PAY-1", "completed_at": "2024-05-15T09:30:00Z"},
        {"description": "Alert on webhook queue depth", "owner": "@omar", "due": "24/05/2024",
         "priority": "Moyenne", "status": "Bloqué", "ticket": "PAY-2",
         "blocked_since": "2024-05-12T08:00:00+02:00"},
        {"description": "Document the provider escalation path", "owner": "@nora", "due": "2024-06-01",
         "priority": "Basse", "status": "🔄", "ticket": None},
    ],
}


def test_json_single_object_metadata(cli, db, exports):
    ingest(cli, db, write(exports, "pm-101.json", json.dumps(SINGLE)))
    assert query(db, "SELECT postmortem_id, title, incident_date, postmortem_date, days_to_postmortem, author, "
                     "severity, team, service, source_format FROM postmortems") == [
        ("PM-101", "Payment webhook backlog", date(2024, 5, 6), date(2024, 5, 10), 4, "Nora Blake", "P2",
         "payments", "webhooks", "json")]
    assert query(db, "SELECT participants, tags FROM postmortems") == [
        (["Nora Blake", "Omar Diaz"], ["webhooks", "provider"])]


def test_json_timestamps_with_offset_are_stored_in_utc(cli, db, exports):
    ingest(cli, db, write(exports, "pm-101.json", json.dumps(SINGLE)))
    assert query(db, "SELECT started_at, detected_at, acknowledged_at, mitigated_at, resolved_at "
                     "FROM postmortems") == [(
        datetime(2024, 5, 6, 8, 0), datetime(2024, 5, 6, 8, 20), datetime(2024, 5, 6, 8, 25),
        datetime(2024, 5, 6, 9, 0), datetime(2024, 5, 6, 9, 20))]


def test_json_minutes_measured_from_explicit_start(cli, db, exports):
    ingest(cli, db, write(exports, "pm-101.json", json.dumps(SINGLE)))
    assert query(db, "SELECT minutes_to_detect, minutes_to_acknowledge, minutes_to_mitigate, minutes_to_resolve "
                     "FROM postmortems") == [(20.0, 25.0, 60.0, 80.0)]


def test_json_impact_and_flags(cli, db, exports):
    ingest(cli, db, write(exports, "pm-101.json", json.dumps(SINGLE)))
    assert query(db, "SELECT users_affected, failed_requests, lost_transactions, estimated_cost, customer_impact, "
                     "near_miss, root_cause, summary FROM postmortems") == [
        (850, 1200, 0, 2500.0, True, False, "The payment provider throttled our webhook endpoint.",
         "Webhooks from the provider queued for 80 minutes.")]


def test_json_cause_list_first_is_primary(cli, db, exports):
    ingest(cli, db, write(exports, "pm-101.json", json.dumps(SINGLE)))
    assert scalar(db, "SELECT primary_cause_category FROM postmortems") == "external"
    assert query(db, "SELECT postmortem_id, position, category, is_primary, raw FROM causes ORDER BY position") == [
        ("PM-101", 1, "external", True, "external"), ("PM-101", 2, "monitoring", False, "monitoring")]


def test_json_actions_fields_and_vocabularies(cli, db, exports):
    ingest(cli, db, write(exports, "pm-101.json", json.dumps(SINGLE)))
    assert query(db, "SELECT action_id, position, description, owner, due_date, priority, status, ticket "
                     "FROM actions ORDER BY position") == [
        ("PM-101-A1", 1, "Ask the provider for a higher rate limit", "@nora", date(2024, 5, 20), "high", "done",
         "PAY-1"),
        ("PM-101-A2", 2, "Alert on webhook queue depth", "@omar", date(2024, 5, 24), "medium", "blocked", "PAY-2"),
        ("PM-101-A3", 3, "Document the provider escalation path", "@nora", date(2024, 6, 1), "low",
         "in_progress", None),
    ]


def test_json_action_completed_at_and_blocked_since_in_utc(cli, db, exports):
    ingest(cli, db, write(exports, "pm-101.json", json.dumps(SINGLE)))
    assert query(db, "SELECT position, completed_at, blocked_since FROM actions ORDER BY position") == [
        (1, datetime(2024, 5, 15, 9, 30), None),
        (2, None, datetime(2024, 5, 12, 6, 0)),
        (3, None, None),
    ]


DURATIONS = [
    {"id": "PM-201", "title": "Slow search", "incident_date": "2024-05-01",
     "time_to_detect": "0h 16m", "time_to_acknowledge": "45 min", "time_to_mitigate": "1h 20m",
     "time_to_resolve": "1d 5h 47m"},
    {"id": "PM-202", "title": "Broken login", "incident_date": "2024-05-02",
     "time_to_detect": 12, "time_to_acknowledge": "PT1H20M", "time_to_mitigate": "1h20",
     "time_to_resolve": "7h (during support hours 10:00-17:00)"},
]


def test_json_list_loads_every_postmortem(cli, db, exports):
    out = ingest(cli, db, write(exports, "batch.json", json.dumps(DURATIONS)))
    assert "2 post-mortem(s)" in out
    assert query(db, "SELECT postmortem_id, title, incident_date FROM postmortems ORDER BY postmortem_id") == [
        ("PM-201", "Slow search", date(2024, 5, 1)), ("PM-202", "Broken login", date(2024, 5, 2))]


def test_json_durations_in_every_form(cli, db, exports):
    ingest(cli, db, write(exports, "batch.json", json.dumps(DURATIONS)))
    assert query(db, "SELECT postmortem_id, minutes_to_detect, minutes_to_acknowledge, minutes_to_mitigate, "
                     "minutes_to_resolve FROM postmortems ORDER BY postmortem_id") == [
        ("PM-201", 16.0, 45.0, 80.0, 1787.0),
        ("PM-202", 12.0, 80.0, 80.0, 420.0),
    ]


def test_explicit_duration_wins_over_timestamps_with_warning(cli, db, exports):
    record = {"id": "PM-301", "title": "Cache stampede", "incident_date": "2024-05-03",
              "started_at": "2024-05-03T10:00:00Z", "resolved_at": "2024-05-03T11:00:00Z",
              "time_to_resolve": "1h 30m"}
    ingest(cli, db, write(exports, "pm-301.json", json.dumps(record)))
    assert query(db, "SELECT resolved_at, minutes_to_resolve FROM postmortems") == [
        (datetime(2024, 5, 3, 11, 0), 90.0)]
    warnings = [m for (m,) in query(db, "SELECT message FROM ingest_errors WHERE level = 'warning'")]
    assert any("resolve" in m and "90" in m and "60" in m for m in warnings), warnings


def test_json_timeline_sets_start_and_phases(cli, db, exports):
    record = {"id": "PM-302", "title": "Queue outage", "incident_date": "2024-05-04",
              "timeline": [
                  {"at": "2024-05-04T09:00:00+02:00", "event": "Broker upgrade started"},
                  {"at": "2024-05-04T09:10:00+02:00", "event": "Alert: consumer lag"},
                  {"at": "2024-05-04T09:40:00+02:00", "event": "Rollback of the broker"},
                  {"at": "2024-05-04T10:05:00+02:00", "event": "Incident resolved"},
              ]}
    ingest(cli, db, write(exports, "pm-302.json", json.dumps(record)))
    assert query(db, "SELECT started_at, detected_at, mitigated_at, resolved_at, minutes_to_detect, "
                     "minutes_to_mitigate, minutes_to_resolve FROM postmortems") == [(
        datetime(2024, 5, 4, 7, 0), datetime(2024, 5, 4, 7, 10), datetime(2024, 5, 4, 7, 40),
        datetime(2024, 5, 4, 8, 5), 10.0, 40.0, 65.0)]
    assert [k for (k,) in query(db, "SELECT kind FROM timeline_events ORDER BY position")] == [
        "start", "detect", "mitigate", "resolve"]


def test_incident_date_falls_back_on_started_at(cli, db, exports):
    record = {"id": "PM-303", "title": "Disk full", "started_at": "2024-05-08T13:00:00Z",
              "detected_at": "2024-05-09T01:00:00Z"}
    ingest(cli, db, write(exports, "pm-303.json", json.dumps(record)))
    assert scalar(db, "SELECT incident_date FROM postmortems") == date(2024, 5, 8)


def test_incident_date_falls_back_on_detected_at(cli, db, exports):
    record = {"id": "PM-304", "title": "Disk full", "detected_at": "2024-05-09T01:00:00Z"}
    ingest(cli, db, write(exports, "pm-304.json", json.dumps(record)))
    assert scalar(db, "SELECT incident_date FROM postmortems") == date(2024, 5, 9)


def test_recurrence_and_readers_from_json(cli, db, exports):
    record = {"id": "PM-305", "title": "Disk full again", "incident_date": "2024-06-01",
              "recurrence_of": ["PM-303", "PM-304"], "readers": ["alice", "bob", "alice"]}
    ingest(cli, db, write(exports, "pm-305.json", json.dumps(record)))
    assert query(db, "SELECT recurrence_of FROM recurrence_links ORDER BY 1") == [("PM-303",), ("PM-304",)]
    assert query(db, "SELECT reader FROM readers ORDER BY 1") == [("alice",), ("bob",)]


YAML_LIST = """
- id: PM-401
  title: Object storage latency
  incident_date: 2024-06-01
  postmortem_date: 2024-06-05
  severity: Critical
  team: storage
  service: blobs
  started_at: 2024-06-01T23:50:00+01:00
  detected_at: 2024-06-02T00:05:00+01:00
  resolved_at: 2024-06-02T01:20:00+01:00
  time_to_mitigate: 45 min
  cause_category: [environment, people, vendor]
  actions:
    - description: Add a second storage zone
      owner: "@ivy"
      due: 2024-07-01
      priority: high
      status: done
      completed_at: 2024-06-20T17:00:00+02:00
    - description: Review the vendor contract
      owner: "@max"
      status: blocked
      blocked_since: 2024-06-10
- id: PM-402
  title: Stale DNS record
  incident_date: 12/06/2024
  severity: Low
  team: network
  service: dns
  time_to_resolve: 0h 16m
  cause_category: process
"""


def test_yaml_list_loads_both(cli, db, exports):
    out = ingest(cli, db, write(exports, "storage.yaml", YAML_LIST))
    assert "2 post-mortem(s), 2 action(s)" in out
    assert query(db, "SELECT postmortem_id, incident_date, severity, team, service, source_format "
                     "FROM postmortems ORDER BY postmortem_id") == [
        ("PM-401", date(2024, 6, 1), "P1", "storage", "blobs", "yaml"),
        ("PM-402", date(2024, 6, 12), "P4", "network", "dns", "yaml"),
    ]


def test_yaml_timestamps_converted_to_utc(cli, db, exports):
    ingest(cli, db, write(exports, "storage.yaml", YAML_LIST))
    assert query(db, "SELECT started_at, detected_at, resolved_at, minutes_to_detect, minutes_to_mitigate, "
                     "minutes_to_resolve FROM postmortems WHERE postmortem_id = 'PM-401'") == [(
        datetime(2024, 6, 1, 22, 50), datetime(2024, 6, 1, 23, 5), datetime(2024, 6, 2, 0, 20), 15.0, 45.0, 90.0)]
    assert scalar(db, "SELECT minutes_to_resolve FROM postmortems WHERE postmortem_id = 'PM-402'") == 16.0


def test_yaml_cause_list(cli, db, exports):
    ingest(cli, db, write(exports, "storage.yaml", YAML_LIST))
    assert query(db, "SELECT postmortem_id, position, category, is_primary FROM causes "
                     "ORDER BY postmortem_id, position") == [
        ("PM-401", 1, "environment", True), ("PM-401", 2, "people", False), ("PM-401", 3, "external", False),
        ("PM-402", 1, "process", True),
    ]


def test_yaml_actions_completed_and_blocked(cli, db, exports):
    ingest(cli, db, write(exports, "storage.yaml", YAML_LIST))
    assert query(db, "SELECT action_id, due_date, priority, status, completed_at, blocked_since FROM actions "
                     "ORDER BY action_id") == [
        ("PM-401-A1", date(2024, 7, 1), "high", "done", datetime(2024, 6, 20, 15, 0), None),
        ("PM-401-A2", None, None, "blocked", None, datetime(2024, 6, 10, 0, 0)),
    ]


def test_json_with_bom_and_crlf(cli, db, exports):
    path = exports / "pm-101.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(SINGLE, indent=2).replace("\n", "\r\n").encode("utf-8"))
    ingest(cli, db, path)
    assert query(db, "SELECT postmortem_id, severity, started_at FROM postmortems") == [
        ("PM-101", "P2", datetime(2024, 5, 6, 8, 0))]


def test_severity_words_normalised(cli, db, exports):
    words = {"PM-901": "SEV1", "PM-902": "Sev-1", "PM-903": "Critical", "PM-904": "Majeur",
             "PM-905": "SEV 2", "PM-906": "P3", "PM-907": "Mineur", "PM-908": "sev4"}
    records = [{"id": pid, "title": "t", "incident_date": "2024-01-01", "severity": word}
               for pid, word in words.items()]
    ingest(cli, db, write(exports, "sev.json", json.dumps(records)))
    assert query(db, "SELECT postmortem_id, severity FROM postmortems ORDER BY 1") == [
        ("PM-901", "P1"), ("PM-902", "P1"), ("PM-903", "P1"), ("PM-904", "P1"),
        ("PM-905", "P2"), ("PM-906", "P3"), ("PM-907", "P3"), ("PM-908", "P4")]


def test_priority_words_normalised(cli, db, exports):
    words = ["P0", "P1", "P2", "P3", "Haute", "Moyenne", "Basse", "HIGH"]
    record = {"id": "PM-910", "title": "t", "incident_date": "2024-01-01",
              "actions": [{"description": f"action {i}", "priority": w} for i, w in enumerate(words, 1)]}
    ingest(cli, db, write(exports, "prio.json", json.dumps(record)))
    assert [p for (p,) in query(db, "SELECT priority FROM actions ORDER BY position")] == [
        "high", "high", "medium", "low", "high", "medium", "low", "high"]


def test_status_words_normalised(cli, db, exports):
    words = ["✅", "🔄", "⏳", "⛔", "❌", "Done", "Terminé", "Fait", "En cours", "À faire", "Bloqué",
             "Abandonné"]
    record = {"id": "PM-911", "title": "t", "incident_date": "2024-01-01",
              "actions": [{"description": f"action {i}", "status": w} for i, w in enumerate(words, 1)]}
    ingest(cli, db, write(exports, "status.json", json.dumps(record)))
    assert [s for (s,) in query(db, "SELECT status FROM actions ORDER BY position")] == [
        "done", "in_progress", "todo", "blocked", "cancelled", "done", "done", "done", "in_progress", "todo",
        "blocked", "cancelled"]


def test_cause_category_words_normalised(cli, db, exports):
    record = {"id": "PM-912", "title": "t", "incident_date": "2024-01-01",
              "cause_category": ["Processus", "human error", "CI/CD", "Infrastructure", "Alerting", "Bug",
                                 "Third-party"]}
    ingest(cli, db, write(exports, "causes.json", json.dumps(record)))
    assert [c for (c,) in query(db, "SELECT category FROM causes ORDER BY position")] == [
        "process", "people", "tools", "environment", "monitoring", "code", "external"]
