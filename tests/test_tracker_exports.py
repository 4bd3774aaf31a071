"""Action status from the tracker of record: Jira's "CSV (all fields)" export and gh's JSON, matched to
actions by the tickets they name, through the real CLI.

The examples (examples/postmortem-checkout-timeouts.md, jira-export.csv, github-issues.json,
github-pulls.json) are read by hand below: every expected status and time comes from those files."""

from __future__ import annotations

import json
import shutil
from datetime import datetime as D
from datetime import timezone

import pytest

from conftest import ROOT, ingest, query, scalar, write

EXAMPLES = ROOT / "examples"
PM, JIRA, ISSUES, PULLS = ("postmortem-checkout-timeouts.md", "jira-export.csv", "github-issues.json",
                           "github-pulls.json")

# The example post-mortem (post-mortem date 2024-04-12) and what its trackers say, action by action:
# (position, status, completed_at, why)
EXPECTED = [
    (1, "done", D(2024, 4, 18, 15, 20), None),         # PAY-318 Done, Resolved "18/Apr/24 3:20 PM"
    (2, "done", D(2024, 4, 16, 9, 41, 7), None),       # pull/812 MERGED, closedAt 2024-04-16T09:41:07Z
    (3, "in_progress", None, None),                    # PAY-321 "In Review"
    (4, "cancelled", None, None),                      # acme/checkout#815 CLOSED as NOT_PLANNED
    (5, "cancelled", None, None),                      # PAY-330 Done, resolution "Won't Do"
    (6, "in_progress", None, None),                    # issues/822 OPEN labelled "in progress"; PR #824 OPEN
    (7, "todo", None, None),                           # no ticket: the document's status
]
DOC_DAY = D(2024, 4, 12)  # the post-mortem date: when the document's statuses are observed
# (position, status, observed_at, source): the document's statuses stay, the trackers' are added.
HISTORY = [
    (1, "todo", DOC_DAY, PM), (1, "done", D(2024, 4, 18, 15, 20), f"jira:{JIRA}"),
    (2, "in_progress", DOC_DAY, PM), (2, "done", D(2024, 4, 16, 9, 41, 7), f"github:{PULLS}"),
    (3, "todo", DOC_DAY, PM), (3, "in_progress", D(2024, 4, 22, 11, 5), f"jira:{JIRA}"),       # Updated
    (4, "todo", DOC_DAY, PM), (4, "cancelled", D(2024, 4, 25, 8, 0), f"github:{ISSUES}"),     # closedAt
    (5, "todo", DOC_DAY, PM), (5, "cancelled", D(2024, 4, 19, 16, 47), f"jira:{JIRA}"),       # Resolved
    (6, "todo", DOC_DAY, PM), (6, "in_progress", D(2024, 4, 24, 15, 2, 11), f"github:{PULLS}"),  # createdAt
    (6, "in_progress", D(2024, 4, 24, 16, 12, 40), f"github:{ISSUES}"),                       # updatedAt
    (7, "todo", DOC_DAY, PM),
]


def copy_examples(folder, *names):
    for name in names or (PM, JIRA, ISSUES, PULLS):
        shutil.copy(EXAMPLES / name, folder / name)


def statuses(db):
    return query(db, "SELECT position, status, completed_at, blocked_since FROM actions ORDER BY position")


def history(db, folder):
    """The history with sources as file names (a tracker's prefixed with its kind)."""
    prefix = str(folder.resolve()) + "/"
    return [(pos, status, at, source.replace(prefix, "")) for pos, status, at, source in query(db, """
        SELECT a.position, h.status, h.observed_at, h.source
        FROM action_status_history h JOIN actions a USING (action_id)
        ORDER BY a.position, h.observed_at, h.source""")]


def test_examples_take_their_status_from_the_trackers(cli, db, exports):
    copy_examples(exports)
    out = ingest(cli, db, exports)
    assert "4 file(s) loaded, 0 unchanged, 0 rejected (of 4 found)" in out
    # 7 matches: one per ticketed action, two for action 6 (its issue and its PR).
    assert "1 post-mortem(s), 7 action(s), 0 incident(s), 7 tracker update(s) loaded; 0 warning(s)" in out
    # 4 Jira rows + 3 issues + 3 pull requests; PAY-340, issue #790 and PR #809 are named by no action.
    assert "10 ticket(s) read from tracker exports, 3 named by no loaded action (listed with --verbose)" in out
    assert statuses(db) == [(p, s, c, b) for p, s, c, b in EXPECTED]
    assert history(db, exports) == HISTORY
    assert query(db, "SELECT source_format, count(*) FROM source_files GROUP BY 1 ORDER BY 1") == [
        ("github", 2), ("jira", 1), ("markdown", 1)]


def test_unmatched_rows_are_listed_with_verbose(cli, db, exports):
    copy_examples(exports)
    out = ingest(cli, db, exports, "--verbose")
    jira, issues, pulls = (exports / JIRA).resolve(), (exports / ISSUES).resolve(), (exports / PULLS).resolve()
    # Lines: PAY-340 is the CSV's last row, line 7 (PAY-318's description spans lines 2-4); issue #790's
    # first key is on line 59 of the pretty-printed JSON; the pull requests are one line, as gh writes them.
    assert f"INFO {jira}:7: PAY-340 ('To Do') is named by no loaded action" in out
    assert f"INFO {issues}:59: acme/checkout#790 ('OPEN') is named by no loaded action" in out
    assert f"INFO {pulls}:1: acme/checkout#809 ('CLOSED') is named by no loaded action" in out
    assert out.count("INFO ") == 3
    assert "(listed with --verbose)" not in out
    # Infos are kept with the run's problems, and are neither warnings nor errors.
    assert scalar(db, "SELECT count(*) FROM ingest_errors WHERE level = 'info'") == 3
    assert scalar(db, "SELECT warnings + errors FROM ingest_runs") == 0


def test_action_metrics_reflect_the_trackers(cli, db, exports, tmp_path):
    copy_examples(exports)
    ingest(cli, db, exports)
    code, out, err = cli("report", "actions", "--db", db, "--as-of", "2024-05-01", "--format", "json")
    assert code == 0, err
    # By hand, as of 2024-05-01: 7 actions, 2 cancelled (4, 5) -> 5; done: 1 and 2; due by then (not
    # cancelled): 1 (04-19), 2 (04-15), 6 (04-26); on time: 1 (done 04-18 <= 04-19), not 2 (04-16 > 04-15);
    # overdue: 6, open past 04-26.
    assert json.loads(out)["Actions"] == [{"actions": 5, "done": 2, "completion_rate": 0.4, "due": 3, "on_time": 1,
                                           "on_time_rate": pytest.approx(1 / 3), "overdue": 1, "blocked": 0}]
    # The document alone: nothing done, nothing cancelled; 7 actions, due: 1, 2, 4 (04-26), 5 (04-30), 6.
    alone = tmp_path / "alone.duckdb"
    ingest(cli, alone, exports / PM)
    code, out, err = cli("report", "actions", "--db", alone, "--as-of", "2024-05-01", "--format", "json")
    assert json.loads(out)["Actions"] == [{"actions": 7, "done": 0, "completion_rate": 0.0, "due": 5, "on_time": 0,
                                           "on_time_rate": 0.0, "overdue": 5, "blocked": 0}]


def test_reingest_adds_no_history_and_a_changed_export_adds_its_news(cli, db, exports):
    copy_examples(exports)
    ingest(cli, db, exports)
    rows = scalar(db, "SELECT count(*) FROM action_status_history")
    assert rows == len(HISTORY)
    out = ingest(cli, db, exports)
    assert "0 file(s) loaded, 4 unchanged" in out
    assert scalar(db, "SELECT count(*) FROM action_status_history") == rows

    # The post-mortem changes elsewhere (a lesson): read again, matched again, nothing new to record.
    (exports / PM).write_text((exports / PM).read_text() + "- Check the pool size before a sale\n")
    out = ingest(cli, db, exports)
    assert "1 file(s) loaded, 3 unchanged" in out and "7 tracker update(s)" in out
    assert scalar(db, "SELECT count(*) FROM action_status_history") == rows

    # A new Jira export: PAY-321 resolved (a new observation), PAY-318 commented on (same status:
    # nothing new).
    text = (exports / JIRA).read_text()
    text = text.replace("Load test the fraud-check path before each release,PAY-321,10321,Task,In Review",
                        "Load test the fraud-check path before each release,PAY-321,10321,Task,Done")
    text = text.replace("Medium,,Tom Becker", "Medium,Done,Tom Becker")
    text = text.replace("22/Apr/24 11:05 AM,22/Apr/24 11:06 AM,,03/May/24", "29/Apr/24 5:30 PM,,29/Apr/24 5:28 PM,03/May/24")
    text = text.replace("18/Apr/24 3:41 PM,19/Apr/24 9:12 AM", "26/Apr/24 9:00 AM,19/Apr/24 9:12 AM")
    (exports / JIRA).write_text(text)
    out = ingest(cli, db, exports)
    assert "1 file(s) loaded, 3 unchanged" in out
    assert scalar(db, "SELECT count(*) FROM action_status_history") == rows + 1
    new = [h for h in history(db, exports) if h not in HISTORY]
    assert new == [(3, "done", D(2024, 4, 29, 17, 28), f"jira:{JIRA}")]  # its Resolved
    assert statuses(db)[2] == (3, "done", D(2024, 4, 29, 17, 28), None)
    assert statuses(db)[0] == (1, "done", D(2024, 4, 18, 15, 20), None)


def test_a_document_changed_after_the_tracker_wins(cli, db, exports):
    copy_examples(exports, PM, JIRA)
    ingest(cli, db, exports)
    assert statuses(db)[2][:2] == (3, "in_progress")  # PAY-321 In Review, updated 2024-04-22
    before = D.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    (exports / PM).write_text((exports / PM).read_text().replace(
        "| @tom | 2024-05-03 | Medium | To Do | PAY-321 |", "| @tom | 2024-05-03 | Medium | Blocked | PAY-321 |"))
    ingest(cli, db, exports)
    # The document's new word is observed when this run saw it: after the tracker's 2024-04-22.
    position, status, _, since = statuses(db)[2]
    assert (position, status) == (3, "blocked") and since >= before
    assert [(s, src) for p, s, _, src in history(db, exports) if p == 3] == [
        ("todo", PM), ("in_progress", f"jira:{JIRA}"), ("blocked", PM)]


def test_a_tracker_older_than_the_document_does_not_win(cli, db, exports):
    write(exports, "pm.md", """
        # Post-Mortem: Late tracker

        **Incident date**: 2024-04-09
        **Post-mortem date**: 2024-04-12

        ## Corrective Actions

        | Action | Owner | Deadline | Priority | Status | PR/Ticket |
        |--------|-------|----------|----------|--------|-----------|
        | Ship the fix | @ana | 2024-04-19 | High | Done | OPS-7 |
    """)
    write(exports, "jira.csv", """
        Summary,Issue key,Issue id,Issue Type,Status,Created,Updated,Resolved,Status Category
        Ship the fix,OPS-7,10007,Task,In Progress,09/Apr/24 9:00 AM,10/Apr/24 4:00 PM,,In Progress
    """)
    ingest(cli, db, exports)
    # The document says done on 2024-04-12; the export last saw the ticket move on 2024-04-10.
    assert statuses(db) == [(1, "done", DOC_DAY, None)]
    assert [(s, at) for _, s, at, _ in history(db, exports)] == [
        ("in_progress", D(2024, 4, 10, 16, 0)), ("done", DOC_DAY)]


def test_mapping_overridden_by_configuration(cli, db, exports, tmp_path):
    copy_examples(exports, PM, JIRA)
    config = write(tmp_path, "team.yaml", """
        tracker:
          status:
            "in review": blocked        # folded like every word: replaces the default "In Review"
          jira:
            resolution:
              "Won't Do": done
            timezone: CET               # Jira wrote its dates at UTC+1
    """)
    ingest(cli, db, exports, "--config", config)
    rows = statuses(db)
    # PAY-318: Resolved 15:20 CET is 14:20 UTC. PAY-321 "In Review" is now blocked since its Updated,
    # 11:05 CET = 10:05 UTC. PAY-330 "Done" as "Won't Do" is now done, at its Resolved 16:47 CET.
    assert rows[0] == (1, "done", D(2024, 4, 18, 14, 20), None)
    assert rows[2] == (3, "blocked", None, D(2024, 4, 22, 10, 5))
    assert rows[4] == (5, "done", D(2024, 4, 19, 15, 47), None)


@pytest.mark.parametrize("setting, message", [
    ('tracker:\n  status:\n    "In Review": reviewing\n', "tracker.status 'In Review' maps to 'reviewing'"),
    ("tracker:\n  key_pattern: '[A-Z'\n", "tracker.key_pattern is not a valid regular expression"),
    ("tracker:\n  github:\n    default_repo: checkout\n", "tracker.github.default_repo 'checkout' is not owner/repo"),
    ("tracker:\n  jira:\n    timezone: Mars\n", "tracker.jira.timezone 'Mars' is not in the timezones table"),
])
def test_bad_tracker_configuration_is_a_usage_error(cli, db, exports, tmp_path, setting, message):
    copy_examples(exports, PM)
    config = tmp_path / "bad.yaml"
    config.write_text(setting)
    code, out, err = cli("ingest", exports, "--db", db, "--config", config)
    assert code == 2 and message in err and "Traceback" not in err


def test_postmortem_loaded_after_its_tracker_export(cli, db, exports, tmp_path):
    later = tmp_path / "later"
    later.mkdir()
    copy_examples(exports, JIRA, ISSUES, PULLS)
    out = ingest(cli, db, exports)
    assert "10 ticket(s) read from tracker exports, 10 named by no loaded action" in out
    copy_examples(later, PM)
    out = ingest(cli, db, exports, later)
    assert "1 file(s) loaded, 3 unchanged" in out and "7 tracker update(s)" in out
    assert "ticket(s) read" not in out  # no export was read in this run
    assert statuses(db) == [(p, s, c, b) for p, s, c, b in EXPECTED]


def test_an_action_whose_ticket_is_not_exported_keeps_its_document_status(cli, db, exports):
    copy_examples(exports, JIRA)
    write(exports, "pm.md", """
        # Post-Mortem: Other project

        **Incident date**: 2024-04-01
        **Post-mortem date**: 2024-04-03

        ## Corrective Actions

        | Action | Owner | Deadline | Priority | Status | PR/Ticket |
        |--------|-------|----------|----------|--------|-----------|
        | Rotate the keys | @ana | 2024-04-19 | High | In Progress | SEC-999 |
        | Mention PAY-3180 and fix #318 in passing | @ana | 2024-04-19 | High | To Do | - |
    """)
    out = ingest(cli, db, exports)
    # Neither names a ticket of the export: PAY-3180 is another key, "#318" is not a GitHub reference
    # outside the ticket column.
    assert "0 tracker update(s)" in out and "4 named by no loaded action" in out
    assert statuses(db) == [(1, "in_progress", None, None), (2, "todo", None, None)]
    assert query(db, "SELECT tickets FROM actions ORDER BY position") == [(["SEC-999"],), (["PAY-3180"],)]


def test_an_action_naming_several_tickets_of_one_export_takes_the_newest(cli, db, exports):
    copy_examples(exports, JIRA)
    write(exports, "pm.md", """
        # Post-Mortem: Two tickets

        **Incident date**: 2024-04-09
        **Post-mortem date**: 2024-04-12

        ## Corrective Actions

        | Action | Owner | Deadline | Priority | Status | PR/Ticket |
        |--------|-------|----------|----------|--------|-----------|
        | Breaker, then load tests (see PAY-321) | @ana | 2024-05-03 | High | To Do | PAY-318 |
    """)
    ingest(cli, db, exports)
    # PAY-318 was resolved on 2024-04-18 15:20, PAY-321 last updated (In Review) on 2024-04-22 11:05:
    # the newer one is the export's word on this action, and the only one recorded from it.
    assert statuses(db) == [(1, "in_progress", None, None)]
    assert [(s, at) for _, s, at, _ in history(db, exports)] == [("todo", DOC_DAY),
                                                                 ("in_progress", D(2024, 4, 22, 11, 5))]


def test_bare_numbers_need_one_repository_or_a_default(cli, db, exports, tmp_path):
    copy_examples(exports, PM, PULLS)
    ingest(cli, db, exports)
    assert statuses(db)[5][:2] == (6, "in_progress")  # "PR #824", the one repository's
    # A second repository's export: which repository would "#824" be? It matches nothing new.
    write(exports, "web-pulls.json", json.dumps([{"number": 824, "state": "MERGED", "title": "Footer",
                                                  "url": "https://github.com/acme/web/pull/824",
                                                  "createdAt": "2024-04-01T10:00:00Z",
                                                  "closedAt": "2024-05-02T10:00:00Z"}]))
    out = ingest(cli, db, exports)
    assert "1 named by no loaded action" in out
    assert statuses(db)[5][:2] == (6, "in_progress")
    # Named by configuration, the bare number is acme/web's on a fresh database.
    config = write(tmp_path, "team.yaml", "tracker:\n  github:\n    default_repo: acme/web\n")
    fresh = tmp_path / "fresh.duckdb"
    ingest(cli, fresh, exports, "--config", config)
    assert statuses(fresh)[5] == (6, "done", D(2024, 5, 2, 10, 0), None)


def test_localised_jira_export_mapped_by_configuration(cli, db, exports, tmp_path):
    """A French Jira, saved again by a French spreadsheet: semicolons, French headers and months."""
    copy_examples(exports, PM)
    write(exports, "jira-fr.csv", """
        Résumé;Clé de ticket;ID de ticket;Type de ticket;État;Création;Mise à jour;Résolue;Catégorie d'état
        Disjoncteur;PAY-318;10318;Tâche;Terminé(e);12/avr./24 14:05;18/avr./24 15:41;18/avr./24 15:20;Terminé
        Tests de charge;PAY-321;10321;Tâche;En revue;12/avr./24 14:09;22/avr./24 11:05;;En cours
    """)
    config = write(tmp_path, "fr.yaml", """
        tracker:
          jira:
            columns:
              status: ["État"]
              status_category: ["Catégorie d'état"]
              updated: ["Mise à jour"]
              resolved: ["Résolue"]
              created: ["Création"]
            status_category:
              "Terminé": done
              "En cours": in_progress
    """)
    ingest(cli, db, exports, "--config", config)
    # "Terminé(e)" is no known word: its category "Terminé" says done. "En revue" is in
    # vocabularies.status (in_progress).
    rows = statuses(db)
    assert rows[0] == (1, "done", D(2024, 4, 18, 15, 20), None)
    assert rows[2][:2] == (3, "in_progress")


# ---------------------------------------------------------------- bad input


def test_jira_export_without_issue_key_is_rejected_and_the_rest_loads(cli, db, exports):
    copy_examples(exports, PM)
    bad = write(exports, "jira.csv", """
        Summary,Issue id,Issue Type,Status,Created,Updated
        Circuit breaker,10318,Task,Done,12/Apr/24 2:05 PM,18/Apr/24 3:41 PM
    """)
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 1
    assert (f"REJECTED {bad.resolve()}:1: a Jira export must have a 'Issue key' column, and this header has none; "
            "export with \"CSV (all fields)\", or add the column's name under tracker.jira.columns.key") in out
    assert "1 file(s) loaded, 0 unchanged, 1 rejected" in out
    assert statuses(db)[0][:2] == (1, "todo")  # the document's, unchanged


def test_jira_export_without_status_is_rejected(cli, db, exports):
    bad = write(exports, "jira.csv", "Summary,Issue key,Issue id\nBreaker,PAY-318,10318\n")
    code, out, _ = cli("ingest", exports, "--db", db)
    assert code == 1 and f"REJECTED {bad.resolve()}:1: a Jira export must have a 'Status' column" in out


def test_bad_rows_are_warned_about_and_the_others_load(cli, db, exports):
    copy_examples(exports, PM)
    jira = write(exports, "jira.csv", """
        Summary,Issue key,Issue id,Issue Type,Status,Created,Updated,Resolved,Status Category
        Breaker,PAY-318,10318,Task,Done,12/Apr/24 2:05 PM,18/Apr/24 3:41 PM,31/Apr/24 3:20 PM,Done
        No key,,10319,Task,Done,12/Apr/24 2:05 PM,18/Apr/24 3:41 PM,,Done
        Load test,PAY-321,10321,Task,Parked,12/Apr/24 2:09 PM,22/Apr/24 11:05 AM,,Limbo
        Retry budget,PAY-330,10330,Story,In Progress,12/Apr/24 2:14 PM,yesterday,,In Progress
        Too wide,PAY-331,10331,Story,Done,12/Apr/24 2:14 PM,19/Apr/24 4:48 PM,,Done,extra
    """)
    out = ingest(cli, db, exports, "--verbose")
    where = jira.resolve()
    assert (f"WARNING {where}:2: PAY-318: resolved: '31/Apr/24 3:20 PM' is not a real date and time; "
            "left empty") in out
    assert f"WARNING {where}:3: row without an issue key; skipped" in out
    assert (f"WARNING {where}:4: PAY-321: unknown status 'Parked' (status category 'Limbo'); kept without a "
            "status (map it under tracker.status)") in out
    assert f"WARNING {where}:5: PAY-330: updated: 'yesterday' is not a time or timestamp; left empty" in out
    assert f"WARNING {where}:6: row has 10 cells but the header has 9; skipped" in out
    rows = statuses(db)
    # PAY-318 done, dated by its Updated (its Resolved is unreadable); PAY-321 has no status: the
    # document's todo stays; PAY-330 in progress, dated by its Created (its Updated is unreadable).
    assert rows[0] == (1, "done", D(2024, 4, 18, 15, 41), None)
    assert rows[2][:2] == (3, "todo")
    assert rows[4][:2] == (5, "in_progress")
    assert [at for p, s, at, _ in history(db, exports) if p == 5 and s == "in_progress"] == [D(2024, 4, 12, 14, 14)]


def test_gh_items_without_url_or_with_an_unknown_state(cli, db, exports):
    copy_examples(exports, PM)
    gh = exports / "gh.json"
    gh.write_text(json.dumps([
        {"number": 812, "state": "MERGED", "title": "Pool", "createdAt": "2024-04-15T16:03:52Z"},
        {"number": 815, "state": "LOCKED", "url": "https://github.com/acme/checkout/issues/815",
         "createdAt": "2024-04-12T14:20:31Z"},
        {"number": 822, "state": "OPEN", "url": "https://github.com/acme/checkout/issues/822",
         "createdAt": "not a date", "updatedAt": "2024-04-20T10:00:00Z"},
    ], indent=2))
    out = ingest(cli, db, exports, "--verbose")
    where = gh.resolve()
    assert f"WARNING {where}:3: #812: no issue or pull request url (add url to --json); skipped" in out
    assert f"WARNING {where}:9: #815: unknown state 'LOCKED' (OPEN, CLOSED or MERGED); kept without a status" in out
    assert f"WARNING {where}:15: #822: createdAt: 'not a date' is not a time or timestamp; left empty" in out
    rows = statuses(db)
    assert rows[1][:2] == (2, "in_progress") and rows[3][:2] == (4, "todo")
    assert rows[5][:2] == (6, "todo")  # open, no label: todo, seen 2024-04-20


def test_a_broken_new_export_keeps_what_the_last_one_said(cli, db, exports):
    copy_examples(exports, PM, JIRA)
    ingest(cli, db, exports)
    (exports / JIRA).write_text("Summary,Issue id,Issue Type,Status\nBreaker,10318,Task,Done\n")
    code, out, _ = cli("ingest", exports, "--db", db)
    assert code == 1 and "1 rejected" in out
    assert scalar(db, "SELECT count(*) FROM tracker_tickets") == 4
    assert statuses(db)[0] == (1, "done", D(2024, 4, 18, 15, 20), None)


def test_an_empty_jira_export_is_rejected(cli, db, exports):
    bad = write(exports, "jira.csv", "Summary,Issue key,Issue id,Issue Type,Status\n")
    code, out, _ = cli("ingest", exports, "--db", db)
    assert code == 1 and f"REJECTED {bad.resolve()}:1: Jira export with no ticket row" in out


def test_a_database_from_before_tracker_exports_is_upgraded(cli, db, exports):
    """Actions loaded by an older release have no ticket list: their files are read again, so an export
    loaded now matches them."""
    import duckdb

    copy_examples(exports, PM)
    ingest(cli, db, exports)
    con = duckdb.connect(str(db))
    con.execute("ALTER TABLE actions DROP COLUMN tickets")  # as an older release wrote it
    con.execute("DROP TABLE tracker_tickets")
    con.close()
    copy_examples(exports, JIRA)
    out = ingest(cli, db, exports)
    assert "2 file(s) loaded, 0 unchanged" in out
    assert statuses(db)[0] == (1, "done", D(2024, 4, 18, 15, 20), None)
    assert ingest(cli, db, exports).count("2 unchanged") == 1


@pytest.mark.parametrize("ticket, description, refs", [
    ("PAY-123", "", ["PAY-123"]),
    ("[PAY-123](https://acme.atlassian.net/browse/PAY-123)", "", ["PAY-123"]),
    ("https://github.com/Acme/Check.out/pull/812", "", ["acme/check.out#812"]),
    ("https://ghe.example.com/acme/api/issues/7#issuecomment-1", "", ["acme/api#7"]),
    ("acme/api#7", "", ["acme/api#7"]),
    ("#812", "", ["#812"]),
    ("PR#812", "", ["#812"]),
    ("", "Cap retries (PR #812, issue #4)", ["#812", "#4"]),
    ("", "fix #3 of the runbook, &#38; item #2", []),            # a bare number only in the ticket column
    ("", "UTF-8 handling, see PAY-12 and pay-13", ["UTF-8", "PAY-12"]),  # keys are upper case
    ("https://gitlab.com/acme/api/-/issues/5", "", []),
    ("OPS-41, OPS-41", "OPS-41 again", ["OPS-41"]),
])
def test_what_names_a_ticket(ticket, description, refs):
    from hindsight.config import read_config
    from pipeline.config import build
    from pipeline.tickets import action_refs

    assert action_refs(ticket, description, build(read_config()).tracker) == refs
