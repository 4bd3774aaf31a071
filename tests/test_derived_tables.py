"""The tables the ingest derives and writes into the file (pipeline/derived.py: recurrence_flags,
action_facts, incident_facts), and the readers' use of them: the same rows as computed from the raw tables,
used only when the file's last ingest wrote them with the reader's settings; an older file (no table) reads
the same numbers.

The fixture is tests/test_analytics_recurrence.py's MAIN, whose flags are worked out there by hand:
PM-2 recurs on PM-1 (80 days), PM-3 on PM-2 (0 days), PM-5 on PM-4 (59 days), PM-6 by an explicit link
to PM-OLD (not loaded); 4 of 9 recur. Its actions: PM-1 (team a) one done 2025-02-01 and one cancelled,
PM-2 (team a) one done 2025-04-15, PM-4 (team b) one cancelled."""

import json
from datetime import date

import duckdb
import pandas as pd
import pytest

from analytics import actions, recurrence, recurrence_flags
from analytics.db import connect_readonly
from analytics.settings import Settings
from analytics.filters import Filters
from tests.test_analytics_recurrence import AS_OF, F, MAIN, pm

RECURRING = [("PM-2", "PM-1", 80), ("PM-3", "PM-2", 0), ("PM-5", "PM-4", 59), ("PM-6", "PM-OLD", None)]


def ingest(cli, db, exports, *args):
    code, out, err = cli("ingest", exports, "--db", db, *args)
    assert code == 0, out + err


@pytest.fixture
def loaded(cli, db, exports):
    (exports / "pms.json").write_text(json.dumps(MAIN), encoding="utf-8")
    ingest(cli, db, exports)
    return db


def stored(db):
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("SELECT postmortem_id, previous_id, days_since_previous FROM recurrence_flags "
                           "WHERE recurs ORDER BY postmortem_id").fetchall()
        stamp = con.execute("SELECT value FROM schema_info WHERE key = 'recurrence_flags'").fetchone()[0]
        return rows, stamp
    finally:
        con.close()


def source(db, settings=None):
    """The FROM item flag_rows reads on a new reader connection, and the overall numbers."""
    con = connect_readonly(db)
    try:
        return recurrence.flag_rows(con, settings)[0], recurrence.overall(con, F, settings).iloc[0].tolist()
    finally:
        con.close()


def test_the_ingest_writes_the_flags_and_readers_use_them(loaded):
    rows, stamp = stored(loaded)
    assert rows == RECURRING
    assert stamp == "180/v2@1"  # the default window, the table's columns (version 2), the first run
    assert source(loaded) == ("recurrence_flags", [9, 4, pytest.approx(4 / 9)])


# action_effectiveness_detail, worked out from the fixture: PM-2 after PM-1 (its non-cancelled action done
# 2025-02-01, before 2025-03-31); PM-3 after PM-2 (its action done 2025-04-15, after PM-3's 2025-03-31);
# PM-5 after PM-4 (only a cancelled action); PM-6 after PM-OLD (not loaded, no action known)
EFFECTIVENESS = [("PM-2", "PM-1", 1, 1, "all actions done"), ("PM-3", "PM-2", 1, 0, "actions still open"),
                 ("PM-5", "PM-4", 0, 0, "no actions"), ("PM-6", "PM-OLD", 0, 0, "previous not loaded")]
# patterns of 2 or more: the run PM-1 -> PM-2 -> PM-3 (api, code) and PM-4 -> PM-5 (web, monitoring); P1 and
# P2 alone keep PM-1, PM-3 and PM-5: PM-3's previous (PM-2, P3) is left out, which cuts the run in two
PATTERNS = [["PM-1", "PM-2", "PM-3"], ["PM-4", "PM-5"]]


def patterns_and_effectiveness(db, f=F):
    """The patterns' ids (two incidents or more) and action_effectiveness_detail on a new reader connection."""
    con = connect_readonly(db)
    try:
        found = recurrence.patterns_and_members(con, f, Settings(pattern_incidents=2))
        detail = recurrence.action_effectiveness_detail(con, f)
        return ([list(ids) for ids in found["patterns"]["postmortem_ids"]],
                [tuple(row) for row in detail[["postmortem_id", "previous_id", "actions", "actions_done_before",
                                               "group"]].itertuples(index=False)])
    finally:
        con.close()


def test_patterns_and_action_effectiveness_read_from_the_table(loaded):
    assert patterns_and_effectiveness(loaded) == (PATTERNS, EFFECTIVENESS)
    assert patterns_and_effectiveness(loaded, Filters(as_of=AS_OF, severities=("P1", "P2"))) == (
        [], [("PM-3", "PM-2", 1, 0, "actions still open"), ("PM-5", "PM-4", 0, 0, "no actions")])


def test_a_table_an_older_release_wrote_is_computed_again(loaded):
    # an older release wrote the flags alone, stamped "<window>@<run>": this release reads more columns
    con = duckdb.connect(str(loaded))
    con.execute("CREATE OR REPLACE TABLE recurrence_flags AS SELECT postmortem_id, recurs, explicit, previous_id, "
                "days_since_previous, implicit_previous, linked_ids FROM recurrence_flags")
    con.execute("UPDATE schema_info SET value = '180@1' WHERE key = 'recurrence_flags'")
    con.close()
    table, overall = source(loaded)
    assert table != "recurrence_flags" and overall == [9, 4, pytest.approx(4 / 9)]
    assert patterns_and_effectiveness(loaded) == (PATTERNS, EFFECTIVENESS)


def test_another_window_is_computed_by_the_reader(loaded):
    # a 30-day window: PM-2 (80 days) and PM-5 (59 days) no longer recur; PM-3 (0 days) and PM-6 (explicit) do
    table, overall = source(loaded, Settings(recurrence_window_days=30))
    assert table != "recurrence_flags" and overall == [9, 2, pytest.approx(2 / 9)]


def test_the_ingest_uses_the_configured_window(cli, db, exports, tmp_path):
    (exports / "pms.json").write_text(json.dumps(MAIN), encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text("analytics:\n  recurrence_window_days: 30\n", encoding="utf-8")
    ingest(cli, db, exports, "--config", config)
    rows, stamp = stored(db)
    assert stamp == "30/v2@1" and [r[0] for r in rows] == ["PM-3", "PM-6"]
    assert source(db, Settings(recurrence_window_days=30))[0] == "recurrence_flags"
    assert source(db)[1] == [9, 4, pytest.approx(4 / 9)]  # the default window: computed, as before


def test_an_unchanged_run_keeps_the_table_and_moves_its_stamp(cli, loaded, exports):
    ingest(cli, loaded, exports)
    rows, stamp = stored(loaded)
    assert rows == RECURRING and stamp == "180/v2@2"
    assert source(loaded)[0] == "recurrence_flags"


def test_a_new_file_updates_the_flags(cli, loaded, exports):
    # PM-10 on api + code, 2025-06-20: 81 days after PM-3 (2025-03-31), within 180
    (exports / "more.json").write_text(json.dumps([{"id": "PM-10", "incident_date": "2025-06-20", "team": "a",
                                                    "severity": "P3", "service": "api", "cause_category": "code"}]),
                                       encoding="utf-8")
    ingest(cli, loaded, exports)
    rows, stamp = stored(loaded)
    assert rows == sorted(RECURRING + [("PM-10", "PM-3", 81)]) and stamp == "180/v2@2"


def test_a_file_without_the_table_reads_the_same(loaded):
    # as a file written before the table existed: no table, no stamp
    con = duckdb.connect(str(loaded))
    con.execute("DROP TABLE recurrence_flags")
    con.execute("DELETE FROM schema_info WHERE key = 'recurrence_flags'")
    con.close()
    table, overall = source(loaded)
    assert table != "recurrence_flags" and overall == [9, 4, pytest.approx(4 / 9)]


def test_a_table_left_by_a_later_run_of_an_older_release_is_not_used(loaded):
    # an older release ingesting after this one adds a run and leaves the table as it was: maybe stale
    con = duckdb.connect(str(loaded))
    con.execute("INSERT INTO ingest_runs (run_id, started_at, finished_at, paths, config, files_seen, "
                "files_loaded, files_unchanged, files_rejected, postmortems, actions, warnings, errors) "
                "SELECT 2, started_at, finished_at, paths, config, 0, 0, 0, 0, 0, 0, 0, 0 FROM ingest_runs")
    con.execute("UPDATE recurrence_flags SET recurs = FALSE")  # what it would now be wrong about
    con.close()
    assert not recurrence_flags.stored_current(connect_readonly(loaded), 180)
    assert source(loaded)[1] == [9, 4, pytest.approx(4 / 9)]


def summary(db, **filters):
    con = connect_readonly(db)
    try:
        sql = actions.kept_actions(Filters(as_of=AS_OF, **filters), con)[0]
        row = actions.summary(con, Filters(as_of=AS_OF, **filters)).iloc[0]
        return "action_facts" in sql, [int(row["actions"]), int(row["done"])]
    finally:
        con.close()


def test_the_ingest_writes_each_action_with_its_post_mortem(loaded):
    assert query_rows(loaded, "SELECT action_id IS NOT NULL, postmortem_id, team, incident_date::VARCHAR, status "
                              "FROM action_facts ORDER BY postmortem_id, position") == [
        (True, "PM-1", "a", "2025-01-10", "done"), (True, "PM-1", "a", "2025-01-10", "cancelled"),
        (True, "PM-2", "a", "2025-03-31", "done"), (True, "PM-4", "b", "2025-02-01", "cancelled")]
    # not cancelled: PM-1's done one and PM-2's, both done by 2025-07-01; team b's only action is cancelled
    assert summary(loaded) == (True, [2, 2])
    assert summary(loaded, teams=("a",)) == (True, [2, 2])
    assert summary(loaded, teams=("b",)) == (True, [0, 0])


def test_action_facts_are_written_open_actions_first(cli, db, exports):
    # the layout the Actions and Escalations scans rely on for speed (docs/performance.md): the open actions
    # first, by status, then by due date; done and cancelled ones after them, in no particular order. Read
    # in the file's order (no ORDER BY: DuckDB keeps the order rows were written in)
    late = pm("PM-10", "2025-06-01", "d", "P2", "db", "code", actions=[
        {"description": f"Action {n}", "owner": "@w", "status": status, "due_date": due}
        for n, (status, due) in enumerate([("done", "2025-06-02"), ("todo", "2025-06-20"), ("blocked", None),
                                           ("cancelled", "2025-06-03"), ("todo", "2025-06-10"),
                                           ("in_progress", "2025-06-05")])])
    (exports / "pms.json").write_text(json.dumps(MAIN + [late]), encoding="utf-8")
    ingest(cli, db, exports)
    open_first = [("blocked", None), ("in_progress", "2025-06-05"), ("todo", "2025-06-10"), ("todo", "2025-06-20")]
    rows = query_rows(db, "SELECT status, due_date::VARCHAR FROM action_facts WHERE postmortem_id = 'PM-10'")
    assert rows[:4] == open_first
    assert sorted(rows[4:]) == [("cancelled", "2025-06-03"), ("done", "2025-06-02")]
    statuses = [row[0] for row in query_rows(db, "SELECT status FROM action_facts")]
    assert statuses[:4] == ["blocked", "in_progress", "todo", "todo"]
    assert sorted(statuses[4:]) == ["cancelled"] * 3 + ["done"] * 3  # MAIN's and PM-10's closed ones


def test_without_the_action_table_the_numbers_are_the_same(loaded):
    con = duckdb.connect(str(loaded))
    con.execute("DROP TABLE action_facts")
    con.execute("DELETE FROM schema_info WHERE key = 'action_facts'")
    con.close()
    assert summary(loaded) == (False, [2, 2])
    assert summary(loaded, teams=("b",)) == (False, [0, 0])


def query_rows(db, sql):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


# incident_facts, on tests/test_analytics_coverage.py's fixture (its numbers are worked out there by hand)
def coverage_tables(db, settings=None):
    """Whether coverage read the stored incidents, and required, missing and summary under several filters."""
    from analytics import coverage
    from tests.test_analytics_coverage import AS_OF as COVERAGE_AS_OF, FILTERS as COVERAGE_FILTERS

    con = connect_readonly(db)
    try:
        tables = [call(con, Filters(**{"as_of": COVERAGE_AS_OF, **kw}), settings)
                  for kw in ({}, *COVERAGE_FILTERS, dict(as_of=date(2025, 1, 31)))
                  for call in (coverage.required, coverage.missing, coverage.summary)]
        return "incident_facts" in coverage._rows(con, Filters(as_of=COVERAGE_AS_OF), settings)[0], tables
    finally:
        con.close()


@pytest.fixture(params=[True, False], ids=["incidents list", "post-mortems only"])
def covered(request, cli, db, exports):
    from tests.test_analytics_coverage import INCIDENTS, POSTMORTEMS

    (exports / "pms.json").write_text(json.dumps(POSTMORTEMS), encoding="utf-8")
    if request.param:
        (exports / "incidents.csv").write_text(INCIDENTS, encoding="utf-8")
    ingest(cli, db, exports)
    return db


def test_the_ingest_writes_each_incident_with_its_post_mortem(covered):
    rows = query_rows(covered, "SELECT incident_id, severity, minutes, near_miss, has_postmortem, team, recurring "
                               "FROM incident_facts WHERE incident_id IN ('INC-3', 'INC-6', 'INC-8', 'INC-12', "
                               "'PM-B', 'PM-D') ORDER BY incident_id")
    if query_rows(covered, "SELECT count(*) FROM incidents") == [(0,)]:  # each post-mortem is an incident
        # PM-B a P3 near miss of team b; PM-D a P2 of team a resolved in 1h 30m
        assert rows == [("PM-B", "P3", None, True, True, "b", False), ("PM-D", "P2", 90.0, False, True, "a", False)]
    else:
        # INC-3 45 minutes (09:00 to 09:45) with no post-mortem; INC-6 a near miss by PM-B; INC-8 links PM-Z,
        # not loaded; INC-12 has no severity in the list: PM-E's P1, and PM-E's team b
        assert rows == [("INC-12", "P1", None, False, True, "b", False),
                        ("INC-3", "P2", 45.0, False, False, None, False),
                        ("INC-6", "P3", 5.0, True, True, "b", False),
                        ("INC-8", "P1", 120.0, False, False, None, False)]
    assert query_rows(covered, "SELECT value FROM schema_info WHERE key = 'incident_facts'") == [("180/v1@1",)]
    assert coverage_tables(covered)[0]


def test_without_the_incident_table_coverage_is_the_same(covered, cli, exports):
    _, from_table = coverage_tables(covered)
    con = duckdb.connect(str(covered))
    con.execute("DROP TABLE incident_facts")  # as a file written before the table existed
    con.execute("DELETE FROM schema_info WHERE key = 'incident_facts'")
    con.close()
    joined, computed = coverage_tables(covered)
    assert not joined
    for stored_table, computed_table in zip(from_table, computed, strict=True):
        pd.testing.assert_frame_equal(stored_table, computed_table)
    ingest(cli, covered, exports)  # the next ingest writes it, though no file changed
    assert query_rows(covered, "SELECT value FROM schema_info WHERE key = 'incident_facts'") == [("180/v1@2",)]
    assert coverage_tables(covered)[0]


def test_another_window_or_a_later_run_joins_again(covered, cli, exports):
    assert not coverage_tables(covered, Settings(recurrence_window_days=30))[0]
    ingest(cli, covered, exports)  # nothing changed: the table is kept, its stamp moves to run 2
    assert query_rows(covered, "SELECT value FROM schema_info WHERE key = 'incident_facts'") == [("180/v1@2",)]
    assert coverage_tables(covered)[0]
    con = duckdb.connect(str(covered))  # an older release's run 3 leaves the table as it was: maybe stale
    con.execute("INSERT INTO ingest_runs (run_id, started_at, finished_at, paths, config, files_seen, files_loaded, "
                "files_unchanged, files_rejected, postmortems, actions, warnings, errors) SELECT 3, started_at, "
                "finished_at, paths, config, 0, 0, 0, 0, 0, 0, 0, 0 FROM ingest_runs WHERE run_id = 1")
    con.close()
    assert not coverage_tables(covered)[0]


def test_action_facts_closed_on_is_the_first_day_an_action_is_not_open(cli, db, exports):
    # closed_on stands in for the open flags in every scan for open or overdue actions (actions.OPEN): open on a
    # day before it. Worked out by hand: still to do or an unknown word -> never closed; done -> the day it was
    # done (for one whose document gives no day, the day its status was first seen done: pipeline/statuses.py,
    # here the incident's); cancelled -> closed on every day
    late = pm("PM-10", "2025-06-01", "d", "P2", "db", "code", actions=[
        {"description": "Still to do", "owner": "@w", "status": "todo", "due_date": "2025-06-05"},
        {"description": "Done late", "owner": "@w", "status": "done", "due_date": "2025-06-05",
         "completed_at": "2025-06-20T10:00:00Z"},
        {"description": "Done, no day", "owner": "@w", "status": "done", "due_date": "2025-06-05"},
        {"description": "Dropped", "owner": "@w", "status": "cancelled", "due_date": "2025-06-05"},
        {"description": "Odd word", "owner": "@w", "status": "pondering", "due_date": "2025-06-05"}])
    (exports / "pms.json").write_text(json.dumps(MAIN + [late]), encoding="utf-8")
    ingest(cli, db, exports)
    rows = dict(query_rows(db, "SELECT description, closed_on::VARCHAR FROM action_facts WHERE postmortem_id = 'PM-10'"))
    assert rows == {"Still to do": "infinity", "Done late": "2025-06-20", "Done, no day": "2025-06-01",
                    "Dropped": "-infinity", "Odd word": "infinity"}
    # the action done on 2025-06-20 is overdue until that day, not on it; read from the stored table and
    # from the raw tables, the same lists
    con = connect_readonly(db)
    try:
        for as_of, expected in ((date(2025, 6, 19), ["Done late", "Odd word", "Still to do"]),
                                (date(2025, 6, 20), ["Odd word", "Still to do"])):
            f = Filters(as_of=as_of, teams=("d",))
            assert sorted(actions.overdue(con, f)["description"]) == expected
            assert sorted(actions.open_actions(con, f)["description"]) == expected
    finally:
        con.close()
    con = duckdb.connect(str(db))
    con.execute("DELETE FROM schema_info WHERE key = 'action_facts'")
    con.close()
    con = connect_readonly(db)
    try:
        f = Filters(as_of=date(2025, 6, 19), teams=("d",))
        assert sorted(actions.overdue(con, f)["description"]) == ["Done late", "Odd word", "Still to do"]
    finally:
        con.close()
