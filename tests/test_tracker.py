"""Actions Post-Mortem Tracker documents: statuses observed on the review date, the history,
blocked_since, trackers that arrive before their post-mortem, French and English labels."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from conftest import query, scalar, write

PM = """
    # Post-Mortem: Panne API paiements

    **ID**: PM-2024-042
    **Date de l'incident**: 2024-03-10
    **Auteur**: Alice
    **Date du post-mortem**: 2024-03-12
    **Sévérité**: P1
    **Équipe**: payments
    **Service**: api
    **Catégorie de cause**: code

    ## Timeline (UTC)

    | Heure | Événement |
    |-------|-----------|
    | 10:00 | Déploiement v2.3.1 en production |
    | 10:15 | Première alerte error rate |
    | 11:00 | Incident déclaré résolu |

    ## Actions Correctives

    | Action | Owner | Deadline | Priority | Status |
    |--------|-------|----------|----------|--------|
    | Ajouter lint rule N+1 | @dev-1 | 2024-03-20 | High | ⏳ Todo |
    | Tests de charge sur staging | @ops | 2024-03-25 | High | 🔄 In Progress |
    | Métrique queries par requête | @dev-2 | 2024-03-22 | Medium | ⏳ Todo |
"""

ROWS = {
    1: ("Ajouter lint rule N+1", "@dev-1", "03/20", "PR#456"),
    2: ("Tests de charge sur staging", "@ops", "03/25", "JIRA-123"),
    3: ("Métrique queries par requête", "@dev-2", "03/22", "-"),
}

A1, A2, A3 = "PM-2024-042-A1", "PM-2024-042-A2", "PM-2024-042-A3"
D = datetime  # shorter literal rows


def tracker(review: str, statuses: dict[int, str], label: str = "Dernière review",
            heading: str = "### Incident: Panne API paiements - 2024-03-10") -> str:
    """A tracker in the template's shape. Its first table row is on line 7."""
    lines = ["## Actions Post-Mortem Tracker", "", heading, "",
             "| # | Action | Owner | Due | Status | PR/Ticket |",
             "|---|--------|-------|-----|--------|-----------|"]
    for n, status in statuses.items():
        desc, owner, due, ticket = ROWS[n]
        lines.append(f"| {n} | {desc} | {owner} | {due} | {status} | {ticket} |")
    lines += ["", label.format(review) if "{}" in label else f"**{label}**: {review}",
              "**Prochaine review**: 2099-01-01", ""]
    return "\n".join(lines)


def actions(db):
    return query(db, "SELECT action_id, status, completed_at, blocked_since FROM actions ORDER BY action_id")


def history(db, action_id):
    return query(db, "SELECT status, observed_at, source, run_id FROM action_status_history WHERE action_id = ? "
                     "ORDER BY observed_at, run_id, status", [action_id])


def test_tracker_updates_statuses_as_observed_on_the_review_date(cli, db, exports):
    pm = write(exports, "pm.md", PM)
    tr = write(exports, "reviews/tracker.md", tracker("2024-03-18", {1: "✅", 2: "⛔", 3: "⏳"}))
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    assert "2 file(s) loaded, 0 unchanged, 0 rejected (of 2 found)" in out
    assert "1 post-mortem(s), 3 action(s), 0 incident(s), 3 tracker update(s) loaded" in out

    assert actions(db) == [
        (A1, "done", D(2024, 3, 18), None),
        (A2, "blocked", None, D(2024, 3, 18)),
        (A3, "todo", None, None)]
    pm_src, tr_src = str(pm.resolve()), str(tr.resolve())
    # First sight in the post-mortem is dated by its post-mortem date (2024-03-12).
    assert history(db, A1) == [("todo", D(2024, 3, 12), pm_src, 1), ("done", D(2024, 3, 18), tr_src, 1)]
    assert history(db, A2) == [("in_progress", D(2024, 3, 12), pm_src, 1), ("blocked", D(2024, 3, 18), tr_src, 1)]
    assert history(db, A3) == [("todo", D(2024, 3, 12), pm_src, 1), ("todo", D(2024, 3, 18), tr_src, 1)]
    assert scalar(db, "SELECT count(*) FROM tracker_pending") == 0


def test_markdown_status_without_postmortem_date_is_dated_by_the_incident_date(cli, db, exports):
    pm = write(exports, "pm.md", PM.replace("**Date du post-mortem**: 2024-03-12\n", ""))
    assert cli("ingest", exports, "--db", db)[0] == 0
    assert history(db, A2) == [("in_progress", D(2024, 3, 10), str(pm.resolve()), 1)]


def test_status_change_in_an_updated_tracker_is_dated_by_its_review_date(cli, db, exports):
    """One living tracker file, edited at each weekly review."""
    pm = write(exports, "pm.md", PM)
    tr = write(exports, "tracker.md", tracker("2024-03-18", {1: "🔄", 2: "🔄"}))
    assert cli("ingest", exports, "--db", db)[0] == 0
    write(exports, "tracker.md", tracker("2024-03-25", {1: "✅", 2: "⛔"}))
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    assert "1 file(s) loaded, 1 unchanged, 0 rejected (of 2 found)" in out

    pm_src, tr_src = str(pm.resolve()), str(tr.resolve())
    assert history(db, A1) == [
        ("todo", D(2024, 3, 12), pm_src, 1),
        ("in_progress", D(2024, 3, 18), tr_src, 1),
        ("done", D(2024, 3, 25), tr_src, 2)]
    assert history(db, A2) == [
        ("in_progress", D(2024, 3, 12), pm_src, 1),
        ("in_progress", D(2024, 3, 18), tr_src, 1),
        ("blocked", D(2024, 3, 25), tr_src, 2)]
    assert actions(db)[:2] == [
        (A1, "done", D(2024, 3, 25), None),
        (A2, "blocked", None, D(2024, 3, 25))]


def test_blocked_since_in_a_living_tracker_is_the_start_of_the_current_streak(cli, db, exports):
    write(exports, "pm.md", PM)
    reviews = [("2024-03-18", "🔄", None),                  # in progress
               ("2024-03-25", "⛔", D(2024, 3, 25)),        # blocked: the streak starts
               ("2024-04-01", "⛔", D(2024, 3, 25)),        # still blocked: same streak
               ("2024-04-08", "🔄", None),                  # unblocked
               ("2024-04-15", "⛔", D(2024, 4, 15))]        # blocked again: a new streak
    for review, status, since in reviews:
        write(exports, "tracker.md", tracker(review, {2: status}))
        assert cli("ingest", exports, "--db", db)[0] == 0
        assert query(db, "SELECT blocked_since FROM actions WHERE action_id = ?", [A2]) == [(since,)], review


def test_blocked_since_from_history_across_review_files(cli, db, exports):
    """One file per review, all loaded in one run; file names sort against the review dates."""
    write(exports, "pm.md", PM)
    reviews = {"e.md": ("2024-03-18", "🔄"), "d.md": ("2024-03-25", "⛔"), "c.md": ("2024-04-01", "⛔"),
               "b.md": ("2024-04-08", "🔄"), "a.md": ("2024-04-15", "⛔"), "0.md": ("2024-04-22", "⛔")}
    for name, (review, status) in reviews.items():
        write(exports, f"reviews/{name}", tracker(review, {2: status}))
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    assert query(db, "SELECT status, blocked_since FROM actions WHERE action_id = ?", [A2]) == [
        ("blocked", D(2024, 4, 15))]
    assert [(s, o) for s, o, _, _ in history(db, A2)] == [
        ("in_progress", D(2024, 3, 12)), ("in_progress", D(2024, 3, 18)), ("blocked", D(2024, 3, 25)),
        ("blocked", D(2024, 4, 1)), ("in_progress", D(2024, 4, 8)), ("blocked", D(2024, 4, 15)),
        ("blocked", D(2024, 4, 22))]


def test_blocked_streak_spanning_review_files_loaded_on_separate_runs(cli, db, exports):
    write(exports, "pm.md", PM)
    expected = [("w1.md", "2024-03-18", "⛔", "blocked", D(2024, 3, 18)),
                ("w2.md", "2024-03-25", "⛔", "blocked", D(2024, 3, 18)),
                ("w3.md", "2024-04-01", "✅", "done", None),
                ("w4.md", "2024-04-08", "⛔", "blocked", D(2024, 4, 8))]
    for name, review, word, status, since in expected:
        write(exports, f"reviews/{name}", tracker(review, {2: word}))
        assert cli("ingest", exports, "--db", db)[0] == 0
        assert query(db, "SELECT status, blocked_since FROM actions WHERE action_id = ?", [A2]) == [
            (status, since)], name
    # done was first observed on 2024-04-01; it is not the current status any more.
    assert scalar(db, "SELECT count(*) FROM action_status_history WHERE action_id = ?", [A2]) == 5


def test_older_review_does_not_override_a_newer_observation(cli, db, exports):
    write(exports, "pm.md", PM)  # A2 in progress on 2024-03-12
    write(exports, "old-review.md", tracker("2024-03-11", {2: "⏳"}))  # todo, seen the day before
    assert cli("ingest", exports, "--db", db)[0] == 0
    assert query(db, "SELECT status FROM actions WHERE action_id = ?", [A2]) == [("in_progress",)]
    assert [s for s, _, _, _ in history(db, A2)] == ["todo", "in_progress"]


def test_blocked_since_given_explicitly(cli, db, exports):
    write(exports, "pm.json", """
        {"id": "PM-2024-050", "title": "Files bloquées", "incident_date": "2024-02-15",
         "postmortem_date": "2024-02-18",
         "actions": [{"description": "Migrer le broker", "owner": "@ops", "status": "blocked",
                      "blocked_since": "2024-02-20T09:00:00"},
                     {"description": "Documenter la procédure", "status": "bloqué"}]}
    """)
    assert cli("ingest", exports, "--db", db)[0] == 0
    assert query(db, "SELECT action_id, status, blocked_since FROM actions ORDER BY action_id") == [
        ("PM-2024-050-A1", "blocked", D(2024, 2, 20, 9, 0)),
        ("PM-2024-050-A2", "blocked", D(2024, 2, 18))]  # not given: its first observation, the post-mortem date

    # A later review that still sees it blocked does not move the start of the streak.
    write(exports, "review.md", """
        ## Actions Post-Mortem Tracker

        ### Incident: Files bloquées - 2024-02-15

        | # | Action | Owner | Due | Status | PR/Ticket |
        |---|--------|-------|-----|--------|-----------|
        | 1 | Migrer le broker | @ops | 03/01 | ⛔ Bloqué | - |

        **Last review**: 2024-03-01
    """)
    assert cli("ingest", exports, "--db", db)[0] == 0
    assert query(db, "SELECT blocked_since FROM actions WHERE action_id = 'PM-2024-050-A1'") == [
        (D(2024, 2, 20, 9, 0),)]
    assert [(s, o) for s, o, _, _ in history(db, "PM-2024-050-A1")] == [
        ("blocked", D(2024, 2, 20, 9, 0)), ("blocked", D(2024, 3, 1))]


def test_tracker_before_its_postmortem_waits_then_applies(cli, db, tmp_path):
    reviews = tmp_path / "reviews"
    postmortems = tmp_path / "postmortems"
    postmortems.mkdir()
    tr = write(reviews, "tracker.md", tracker("2024-03-18", {1: "✅", 2: "⛔"}))
    code, out, err = cli("ingest", reviews, postmortems, "--db", db)
    assert code == 0, out + err
    assert "1 file(s) loaded, 0 unchanged, 0 rejected (of 1 found)" in out
    assert "0 tracker update(s) loaded" in out
    tr_src = str(tr.resolve())
    assert query(db, "SELECT source_path, line, incident_title, incident_date, position, description, status, "
                     "reviewed_on FROM tracker_pending ORDER BY line") == [
        (tr_src, 7, "Panne API paiements", date(2024, 3, 10), 1, "Ajouter lint rule N+1", "done", date(2024, 3, 18)),
        (tr_src, 8, "Panne API paiements", date(2024, 3, 10), 2, "Tests de charge sur staging", "blocked",
         date(2024, 3, 18))]
    message = ("tracker: no loaded post-mortem is titled 'Panne API paiements' with incident date 2024-03-10; "
               "kept and retried on later runs")
    assert query(db, "SELECT line, level, message FROM ingest_errors ORDER BY line") == [
        (7, "warning", message), (8, "warning", message)]
    assert scalar(db, "SELECT count(*) FROM action_status_history") == 0

    # A run that changes nothing keeps the rows waiting.
    assert cli("ingest", reviews, postmortems, "--db", db)[0] == 0
    assert scalar(db, "SELECT count(*) FROM tracker_pending") == 2

    # The post-mortem arrives; the unchanged tracker is applied, dated by its review.
    pm = write(postmortems, "pm.md", PM)
    code, out, err = cli("ingest", reviews, postmortems, "--db", db)
    assert code == 0, out + err
    assert "1 file(s) loaded, 1 unchanged, 0 rejected (of 2 found)" in out
    assert "2 tracker update(s) loaded" in out
    assert scalar(db, "SELECT count(*) FROM tracker_pending") == 0
    assert actions(db) == [
        (A1, "done", D(2024, 3, 18), None),
        (A2, "blocked", None, D(2024, 3, 18)),
        (A3, "todo", None, None)]
    pm_src = str(pm.resolve())
    assert history(db, A1) == [("todo", D(2024, 3, 12), pm_src, 3), ("done", D(2024, 3, 18), tr_src, 3)]
    assert history(db, A2) == [("in_progress", D(2024, 3, 12), pm_src, 3), ("blocked", D(2024, 3, 18), tr_src, 3)]


def test_tracker_row_for_an_unknown_action_waits(cli, db, exports):
    write(exports, "pm.md", PM)
    text = tracker("2024-03-18", {1: "✅"}).replace(
        "| 1 | Ajouter lint rule N+1 | @dev-1 | 03/20 | ✅ | PR#456 |",
        "| 1 | Ajouter lint rule N+1 | @dev-1 | 03/20 | ✅ | PR#456 |\n| 4 | Action ajoutée en review | @lead | 03/30 | 🔄 | - |")
    tr = write(exports, "tracker.md", text)
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    assert query(db, "SELECT status FROM actions WHERE action_id = ?", [A1]) == [("done",)]
    assert query(db, "SELECT line, position, status FROM tracker_pending") == [(8, 4, "in_progress")]
    assert query(db, "SELECT line, message FROM ingest_errors WHERE source_path = ?", [str(tr.resolve())]) == [
        (8, "tracker: post-mortem 'PM-2024-042' has no action #4 ('Action ajoutée en review'); kept and retried "
            "on later runs")]


@pytest.mark.parametrize("label", [
    "**Dernière review**: {}",
    "**Derniere review**: {}",
    "**Last review**: {}",
    "**Last review:** {}",
    "- **Dernière review**: {}",
])
def test_review_labels_in_french_and_english(cli, db, exports, label):
    write(exports, "pm.md", PM)
    tr = write(exports, "tracker.md", tracker("2024-03-18", {1: "✅", 2: "⛔"}, label=label))
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    assert "2 tracker update(s) loaded" in out
    assert actions(db)[:2] == [(A1, "done", D(2024, 3, 18), None), (A2, "blocked", None, D(2024, 3, 18))]
    assert history(db, A1)[-1] == ("done", D(2024, 3, 18), str(tr.resolve()), 1)


@pytest.mark.parametrize("heading", [
    "### Incident: Panne API paiements - 2024-03-10",
    "### Incident: panne api PAIEMENTS - 2024-03-10",
    "### Incident : Panne API paiements – 2024-03-10",
    "### Incident: Panne API paiements — 2024-03-10",
])
def test_incident_heading_variants_match_the_postmortem(cli, db, exports, heading):
    write(exports, "pm.md", PM)
    write(exports, "tracker.md", tracker("2024-03-18", {1: "✅"}, heading=heading))
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    assert query(db, "SELECT status, completed_at FROM actions WHERE action_id = ?", [A1]) == [
        ("done", D(2024, 3, 18))]


def test_english_postmortem_and_tracker(cli, db, exports):
    pm = write(exports, "pm.md", """
        # Post-Mortem: Checkout outage

        **ID**: PM-EN-1
        **Incident date**: 2024-07-01
        **Post-mortem date**: 2024-07-03
        **Severity**: SEV2
        **Team**: shop
        **Service**: checkout
        **Cause category**: tools

        ## Corrective Actions

        | Action | Owner | Due | Priority | Status |
        |--------|-------|-----|----------|--------|
        | Add a canary stage | @ci | 2024-07-15 | High | Open |
        | Pin the base image | @ci | 2024-07-10 | Low | In progress |
    """)
    tr = write(exports, "tracker.md", """
        ## Actions Post-Mortem Tracker

        ### Incident: Checkout outage - 2024-07-01

        | # | Action | Owner | Due | Status | PR/Ticket |
        |---|--------|-------|-----|--------|-----------|
        | 1 | Add a canary stage | @ci | 07/15 | Blocked | - |
        | 2 | Pin the base image | @ci | 07/10 | Done | PR#12 |

        **Last review**: 2024-07-08
    """)
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    assert query(db, "SELECT action_id, status, completed_at, blocked_since, due_date FROM actions ORDER BY 1") == [
        ("PM-EN-1-A1", "blocked", None, D(2024, 7, 8), date(2024, 7, 15)),
        ("PM-EN-1-A2", "done", D(2024, 7, 8), None, date(2024, 7, 10))]
    assert history(db, "PM-EN-1-A1") == [("todo", D(2024, 7, 3), str(pm.resolve()), 1),
                                         ("blocked", D(2024, 7, 8), str(tr.resolve()), 1)]


@pytest.mark.parametrize("position", ["99999999999", "9" * 30])
def test_a_tracker_position_out_of_range_is_a_warning_and_the_row_matches_by_description(cli, db, exports, position):
    # Found by bench/fuzz.py: a position beyond BIGINT stopped the whole run with a traceback (nothing
    # loaded); one beyond INTEGER would fail the same way in the database.
    write(exports, "pm.md", PM)
    write(exports, "tracker.md", tracker("2024-03-18", {1: "✅", 2: "⛔"}).replace("| 1 |", f"| {position} |"))
    code, out, err = cli("ingest", exports, "--db", db, "-v")
    assert code == 0, out + err
    assert "Traceback" not in out + err
    # the first table row is line 7 (tracker()'s docstring)
    assert f"tracker.md:7: tracker: '{position}' is not a position" in out, out
    # row 1 is matched by its description, "Ajouter lint rule N+1"; row 2 by its position
    assert actions(db)[:2] == [(A1, "done", D(2024, 3, 18), None), (A2, "blocked", None, D(2024, 3, 18))]
