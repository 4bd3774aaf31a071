"""A team's own template mapped through --config: field and section aliases, defaults, vocabularies."""

from datetime import date

from conftest import ingest, query, scalar, write

TEAM_DOC = """
# Post-Mortem: Queue consumer crash loop

- Incident date: 2024-08-20
- Post-mortem date: 2024-08-22
- Severity: Sev-2
- Service: orders-consumer
- Timing:
  - Time to detect: 10 min
  - Time to repair: 1h 5m
- Cause category: config

## Review actions

| Action | Owner | Due | Priority | Status |
|--------|-------|-----|----------|--------|
| Pin the consumer image tag | @kim | 2024-08-30 | High | parked |
| Add a crash loop alert | @lee | 2024-09-06 | Low | Done |
"""

CONFIG = """
aliases:
  fields:
    time_to_mitigate: ["Time to repair"]
  sections:
    actions: ["Review actions"]
defaults:
  team: platform
vocabularies:
  status:
    blocked: ["parked"]
"""


def test_bulleted_and_nested_labels_are_read(cli, db, exports, tmp_path):
    config = write(tmp_path, "team.yaml", CONFIG)
    ingest(cli, db, write(exports, "consumer.md", TEAM_DOC), "--config", config)
    assert query(db, "SELECT title, incident_date, postmortem_date, severity, service, primary_cause_category, "
                     "minutes_to_detect FROM postmortems") == [
        ("Queue consumer crash loop", date(2024, 8, 20), date(2024, 8, 22), "P2", "orders-consumer", "code",
         10.0)]


def test_field_alias_time_to_repair_is_time_to_mitigate(cli, db, exports, tmp_path):
    config = write(tmp_path, "team.yaml", CONFIG)
    ingest(cli, db, write(exports, "consumer.md", TEAM_DOC), "--config", config)
    assert scalar(db, "SELECT minutes_to_mitigate FROM postmortems") == 65.0


def test_section_alias_review_actions_holds_the_actions(cli, db, exports, tmp_path):
    config = write(tmp_path, "team.yaml", CONFIG)
    ingest(cli, db, write(exports, "consumer.md", TEAM_DOC), "--config", config)
    assert query(db, "SELECT position, description, owner, due_date, priority FROM actions ORDER BY position") == [
        (1, "Pin the consumer image tag", "@kim", date(2024, 8, 30), "high"),
        (2, "Add a crash loop alert", "@lee", date(2024, 9, 6), "low"),
    ]


def test_extended_status_vocabulary(cli, db, exports, tmp_path):
    config = write(tmp_path, "team.yaml", CONFIG)
    ingest(cli, db, write(exports, "consumer.md", TEAM_DOC), "--config", config)
    assert query(db, "SELECT position, status FROM actions ORDER BY position") == [(1, "blocked"), (2, "done")]
    assert query(db, "SELECT message FROM ingest_errors WHERE message LIKE '%parked%'") == []


def test_default_team_fills_a_missing_team(cli, db, exports, tmp_path):
    config = write(tmp_path, "team.yaml", CONFIG)
    ingest(cli, db, write(exports, "consumer.md", TEAM_DOC), "--config", config)
    assert scalar(db, "SELECT team FROM postmortems") == "platform"


def test_default_team_does_not_override_a_written_team(cli, db, exports, tmp_path):
    config = write(tmp_path, "team.yaml", CONFIG)
    doc = TEAM_DOC.replace("- Service: orders-consumer", "- Team: orders\n- Service: orders-consumer")
    ingest(cli, db, write(exports, "consumer.md", doc), "--config", config)
    assert scalar(db, "SELECT team FROM postmortems") == "orders"


def test_bold_label_with_alias(cli, db, exports, tmp_path):
    config = write(tmp_path, "team.yaml", CONFIG)
    doc = """
    # Post-Mortem: Cron job overlap

    **Incident date**: 2024-08-25
    **Time to repair**: 45m
    """
    ingest(cli, db, write(exports, "cron.md", doc), "--config", config)
    assert query(db, "SELECT incident_date, team, minutes_to_mitigate FROM postmortems") == [
        (date(2024, 8, 25), "platform", 45.0)]


def test_alias_works_in_json_keys_too(cli, db, exports, tmp_path):
    config = write(tmp_path, "team.yaml", CONFIG)
    write(exports, "pm.json", '{"id": "PM-801", "title": "Cron overlap", "incident_date": "2024-08-26", '
                              '"Time to repair": "1h 20m"}')
    ingest(cli, db, exports, "--config", config)
    assert query(db, "SELECT postmortem_id, team, minutes_to_mitigate FROM postmortems") == [
        ("PM-801", "platform", 80.0)]


def test_without_the_config_the_team_words_are_not_understood(cli, db, exports):
    ingest(cli, db, write(exports, "consumer.md", TEAM_DOC))
    assert query(db, "SELECT team, minutes_to_detect, minutes_to_mitigate FROM postmortems") == [(None, 10.0, None)]
    assert scalar(db, "SELECT count(*) FROM actions") == 0


def test_without_the_config_an_unknown_status_is_left_empty_with_a_warning(cli, db, exports):
    doc = TEAM_DOC.replace("## Review actions", "## Corrective Actions")
    ingest(cli, db, write(exports, "consumer.md", doc))
    assert query(db, "SELECT position, status FROM actions ORDER BY position") == [(1, None), (2, "done")]
    assert any("parked" in m for (m,) in query(db, "SELECT message FROM ingest_errors WHERE level = 'warning'"))


def test_extended_severity_and_cause_vocabularies(cli, db, exports, tmp_path):
    config = write(tmp_path, "vocab.yaml", """
        vocabularies:
          severity:
            P1: ["Red"]
          cause_category:
            tools: ["terraform"]
        """)
    write(exports, "pm.json", '{"id": "PM-802", "title": "Plan applied twice", "incident_date": "2024-09-01", '
                              '"severity": "Red", "cause_category": ["terraform", "process"]}')
    ingest(cli, db, exports, "--config", config)
    assert query(db, "SELECT severity, primary_cause_category FROM postmortems") == [("P1", "tools")]
    assert query(db, "SELECT position, category, raw FROM causes ORDER BY position") == [
        (1, "tools", "terraform"), (2, "process", "process")]
