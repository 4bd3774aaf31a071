"""Dates that are read without error but are likely wrong: ingest keeps them and says so, with the file,
the line and both dates, through the real CLI."""

import json
from datetime import date, datetime

from conftest import ingest as run_ingest, query, write

LATE_PST = """
# Post-Mortem: Billing export late

**Incident date**: 2026-03-31
**Team**: billing
**Service**: billing-export
**Severity**: P2

## Timeline (PST)

| Time | Event |
|------|-------|
| 20:00 | Export job starts failing |
| 20:30 | Incident resolved |

## Action Items

| # | Action | Owner | Due | Priority | Status |
|---|--------|-------|-----|----------|--------|
| 1 | Alert on export lag | @ana | 2026-04-15 | High | Todo |
| 2 | Retry the job | @ben | 2026-03-20 | High | Todo |
"""


def ingest(cli, db, *args, code=0):
    return run_ingest(cli, db, *args, code=code, verbose=True)


def test_a_local_time_that_is_another_day_in_utc_is_reported(cli, db, exports):
    path = write(exports, "billing.md", LATE_PST)
    out = ingest(cli, db, path)
    # 20:00 PST (UTC-8) on 31 March is 04:00 UTC on 1 April: another day, here another quarter
    assert query(db, "SELECT incident_date, started_at FROM postmortems") == [
        (date(2026, 3, 31), datetime(2026, 4, 1, 4, 0))]
    [line] = [x for x in out.splitlines() if "UTC" in x and x.startswith("WARNING")]
    assert line.startswith(f"WARNING {path}:")
    assert "2026-03-31 20:00 (UTC-8)" in line and "2026-04-01 04:00 UTC" in line


def test_a_local_time_on_the_same_day_in_utc_says_nothing(cli, db, exports):
    path = write(exports, "billing.md", LATE_PST.replace("| 20:00 |", "| 10:00 |").replace("| 20:30 |", "| 10:30 |"))
    out = ingest(cli, db, path)
    assert not [x for x in out.splitlines() if "in UTC" in x]


def test_an_aware_timestamp_crossing_midnight_is_reported(cli, db, exports):
    (exports / "pm.json").write_text(json.dumps({
        "id": "PM-TZ", "title": "Late deploy", "incident_date": "2026-03-31",
        "started_at": "2026-03-31T22:30:00+02:00"}), encoding="utf-8")  # 20:30 UTC: the same day, silent
    out = ingest(cli, db, exports)
    assert not [x for x in out.splitlines() if "in UTC" in x]
    (exports / "pm.json").write_text(json.dumps({
        "id": "PM-TZ", "title": "Late deploy", "incident_date": "2026-03-31",
        "started_at": "2026-03-31T19:30:00-05:00"}), encoding="utf-8")  # 00:30 UTC on 1 April
    [line] = [x for x in ingest(cli, db, exports).splitlines() if "in UTC" in x]
    assert "2026-03-31 19:30 (UTC-5)" in line and "2026-04-01 00:30 UTC" in line


def test_a_due_date_before_the_incident_is_kept_with_a_warning(cli, db, exports):
    path = write(exports, "billing.md", LATE_PST)
    out = ingest(cli, db, path)
    # action 2 is due 2026-03-20, eleven days before the incident; its table row is line 20 of the file
    [line] = [x for x in out.splitlines() if "before the incident date" in x]
    assert line.startswith(f"WARNING {path}:20:")
    assert "action 2" in line and "2026-03-20" in line and "2026-03-31" in line
    assert query(db, "SELECT position, due_date FROM actions ORDER BY position") == [
        (1, date(2026, 4, 15)), (2, date(2026, 3, 20))]


def test_a_due_date_on_the_incident_day_is_fine(cli, db, exports):
    (exports / "pm.json").write_text(json.dumps({
        "id": "PM-D", "title": "Disk full", "incident_date": "2026-03-31",
        "actions": [{"description": "Clean up", "due": "2026-03-31"}]}), encoding="utf-8")
    assert "before the incident date" not in ingest(cli, db, exports)


def test_a_yaml_timestamp_with_its_zone_is_reported(cli, db, exports):
    # YAML reads the timestamp itself, zone included: 02:00 at UTC+5:30 on 1 July is 20:30 UTC on 30 June
    (exports / "pm.yaml").write_text("id: PM-Y\ntitle: Early deploy\nincident_date: 2026-07-01\n"
                                     "started_at: 2026-07-01T02:00:00+05:30\n", encoding="utf-8")
    [line] = [x for x in ingest(cli, db, exports).splitlines() if "in UTC" in x]
    assert "2026-07-01 02:00 (UTC+5.5)" in line and "2026-06-30 20:30 UTC" in line
