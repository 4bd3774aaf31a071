"""A field given with the wrong type (a number or a yes/no where a list is expected) is a warning naming
the field; the rest of the file loads, whatever the format, and no message names a Python exception."""

from __future__ import annotations

import json
import re

from conftest import query, write

EXCEPTION_NAME = re.compile(r"\b[A-Z][a-zA-Z]*(?:Error|Exception)\b")


def ingest(cli, exports, db):
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    assert "1 file(s) loaded, 0 unchanged, 0 rejected" in out
    return [m for (m,) in query(db, "SELECT message FROM ingest_errors")]


def test_json_whys_as_a_number_and_lessons_as_a_boolean(cli, db, exports):
    record = {"id": "PM-T1", "title": "Pool saturated", "incident_date": "2025-02-03",
              "whys": 1.5, "lessons": True, "went_well": ["The rollback was quick"],
              "actions": [{"description": "Add a pool alert", "status": "todo"}]}
    (exports / "pm.json").write_text(json.dumps(record), encoding="utf-8")
    messages = ingest(cli, exports, db)
    assert "whys should be a list, not '1.5'; ignored" in messages
    assert "lessons should be a list, not 'True'; ignored" in messages
    assert not any(EXCEPTION_NAME.search(m) for m in messages), messages
    # the rest of the record is there
    assert query(db, "SELECT postmortem_id, title FROM postmortems") == [("PM-T1", "Pool saturated")]
    assert query(db, "SELECT kind, text FROM learnings") == [("went_well", "The rollback was quick")]
    assert query(db, "SELECT description FROM actions") == [("Add a pool alert",)]
    assert query(db, "SELECT count(*) FROM whys") == [(0,)]


def test_yaml_lists_given_as_scalars(cli, db, exports):
    write(exports, "pm.yaml", """
        id: PM-T2
        title: Disk full
        incident_date: 2025-03-01
        participants: true
        tags: 5
        to_improve: false
        whys:
          question: Why was the disk full?
          answer: Logs were never rotated
        actions:
          - 42
          - description: Rotate the logs
    """)
    messages = ingest(cli, exports, db)
    assert "participants should be a list or text, not 'True'; ignored" in messages
    assert "tags should be a list or text, not '5'; ignored" in messages
    assert "to improve should be a list, not 'False'; ignored" in messages
    assert "action 1 should be a description or a mapping of fields, not '42'; skipped" in messages
    assert not any(EXCEPTION_NAME.search(m) for m in messages), messages
    assert query(db, "SELECT participants, tags FROM postmortems") == [([], [])]
    # one mapping is one why; the second action is still action 2
    assert query(db, "SELECT question, answer FROM whys") == [("Why was the disk full?", "Logs were never rotated")]
    assert query(db, "SELECT position, description FROM actions") == [(2, "Rotate the logs")]


def test_front_matter_boolean_lessons_keep_the_markdown_body(cli, db, exports):
    write(exports, "pm.md", """
        ---
        lessons: yes
        ---
        # Post-Mortem: Cache cold after deploy

        **Incident date**: 2025-04-02

        ## What Went Well

        - Alerts fired at once
    """)
    messages = ingest(cli, exports, db)
    # YAML reads an unquoted yes as a boolean: not a list of lessons
    assert "lessons should be a list, not 'True'; ignored" in messages
    assert query(db, "SELECT kind, text FROM learnings") == [("went_well", "Alerts fired at once")]
