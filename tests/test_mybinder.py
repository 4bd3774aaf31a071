"""The real mybinder.org incident reports load through examples/mybinder.yaml, none rejected."""

from datetime import date, datetime

import pytest

from conftest import MYBINDER, ROOT, query, scalar

CONFIG = ROOT / "examples" / "mybinder.yaml"


@pytest.fixture
def loaded(cli, db):
    code, out, err = cli("ingest", MYBINDER, "--db", db, "--config", CONFIG)
    return code, out, db


def test_every_report_loads_none_rejected(loaded):
    code, out, db = loaded
    assert code == 0, out
    assert "23 file(s) loaded, 0 unchanged, 0 rejected (of 23 found)" in out
    assert scalar(db, "SELECT count(*) FROM ingest_errors WHERE level = 'error'") == 0
    # every report has its title, incident date and a timeline
    assert query(db, "SELECT count(*), count(title), count(incident_date) FROM postmortems") == [(23, 23, 23)]
    assert scalar(db, "SELECT count(DISTINCT postmortem_id) FROM timeline_events") == 23


def test_title_and_date_from_their_heading_forms(loaded):
    _, _, db = loaded
    rows = dict(query(db, "SELECT title, incident_date FROM postmortems"))
    assert rows["Hub 403"] == date(2017, 9, 27)                      # "# 2017-09-27, Hub 403"
    assert rows["kubectl logs unavailable"] == date(2019, 2, 20)     # "# incident date: 2019-02-20, ..."
    assert rows["OOM (Out of Memory) Proxy"] == date(2017, 11, 30)   # "# 2017-11-30 4:23PM PST, OOM ..."
    assert rows["NGINX crash"] == date(2018, 2, 22)                  # "# 2018-02-22 NGINX crash" (no comma)


def test_heading_timeline_in_its_stated_zone(loaded):
    _, _, db = loaded
    pid = scalar(db, "SELECT postmortem_id FROM postmortems WHERE title = 'kubectl logs unavailable'")
    # "All times in Central European Time (CET)": 08:03 CET is 07:03 UTC; 13:30 CET "everything is working".
    assert query(db, "SELECT started_at, resolved_at, minutes_to_resolve FROM postmortems WHERE postmortem_id = ?",
                 [pid]) == [(datetime(2019, 2, 20, 7, 3), datetime(2019, 2, 20, 12, 30), 327.0)]
    assert scalar(db, "SELECT count(*) FROM timeline_events WHERE postmortem_id = ?", [pid]) == 6


def test_action_items_lessons_and_defaults(loaded):
    _, _, db = loaded
    pid = scalar(db, "SELECT postmortem_id FROM postmortems WHERE title = 'kubectl logs unavailable'")
    assert query(db, "SELECT position, ticket FROM actions WHERE postmortem_id = ? ORDER BY position", [pid]) == [
        (1, "https://github.com/jupyterhub/mybinder.org-deploy/issues/900"),
        (2, "https://github.com/jupyterhub/mybinder.org-deploy/issues/901"),
        (3, "https://github.com/jupyterhub/mybinder.org-deploy/issues/900"),
    ]
    assert dict(query(db, "SELECT kind, count(*) FROM learnings WHERE postmortem_id = ? GROUP BY kind", [pid])) == {
        "went_well": 2, "to_improve": 3, "lesson": 1}
    # team and service come from the configuration's defaults; severity is nowhere: NULL, with a warning
    assert query(db, "SELECT DISTINCT team, service, severity FROM postmortems") == [
        ("mybinder-ops", "mybinder.org", None)]
    assert scalar(db, "SELECT count(DISTINCT source_path) FROM ingest_errors WHERE message LIKE 'missing severity%'"
                  ) == 23


def test_inconsistent_heading_date_is_flagged(loaded):
    _, _, db = loaded
    # "# 2022-01-27, pod limit reached" but the timeline runs on 2022-06-02
    messages = [m for (m,) in query(db, "SELECT message FROM ingest_errors WHERE source_path LIKE '%pod-limit.md'")]
    assert any("timeline starts on 2022-06-02" in m for m in messages)


def test_without_the_config_they_still_load_by_their_heading(cli, db):
    # Any Markdown with a "# heading" is a post-mortem: the heading is the title and its date the
    # incident's. The configuration still does better (title without the date, the heading timeline).
    code, out, _ = cli("ingest", MYBINDER / "2017-09-27-hub-403.md", "--db", db)
    assert code == 0, out
    assert query(db, "SELECT title, incident_date FROM postmortems") == [("2017-09-27, Hub 403", date(2017, 9, 27))]
