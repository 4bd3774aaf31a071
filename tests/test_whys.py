"""5 whys given as "question → answer" strings in JSON are split like the Markdown template's."""

import json

from conftest import query


def test_json_whys_with_arrows(cli, db, exports):
    record = {"id": "PM-W", "title": "Pool saturated", "incident_date": "2025-02-03",
              "whys": ["Why was the service down? → The pool was saturated", "No tests on performance"]}
    (exports / "w.json").write_text(json.dumps(record), encoding="utf-8")
    assert cli("ingest", exports, "--db", db)[0] == 0
    assert query(db, "SELECT position, question, answer FROM whys ORDER BY position") == [
        (1, "Why was the service down?", "The pool was saturated"),
        (2, None, "No tests on performance"),
    ]
