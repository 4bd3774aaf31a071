"""The seed file, exactly as shipped (Mac Roman mojibake, front matter, template in a fence)."""

from datetime import date

from conftest import SEED, query, scalar


def test_seed_loads_its_example_incident(cli, db):
    code, out, err = cli("ingest", SEED, "--db", db)
    assert code == 0, out + err
    assert "1 file(s) loaded, 0 unchanged, 0 rejected" in out
    assert query(db, "SELECT title, author, language, incident_date, source_format FROM postmortems") == [
        ("[Titre de l'Incident]", "[Nom]", "fr", None, "markdown")]


def test_seed_five_corrective_actions_with_statuses(cli, db):
    cli("ingest", SEED, "--db", db)
    rows = query(db, "SELECT position, description, owner, due_date, priority, status FROM actions ORDER BY position")
    assert rows == [
        (1, "Ajouter lint rule pour détecter N+1 patterns", "@dev-1", date(2024, 1, 20), "high", "done"),
        (2, "Implémenter tests de charge sur staging", "@ops", date(2024, 1, 25), "high", "in_progress"),
        (3, 'Ajouter métrique "queries per request"', "@dev-2", date(2024, 1, 22), "medium", "todo"),
        (4, "Mettre à jour la checklist code review", "@lead", date(2024, 1, 18), "high", "done"),
        (5, "Formation équipe sur performance DB", "@lead", date(2024, 2, 1), "medium", "todo"),
    ]


def test_seed_timeline_whys_and_lessons(cli, db):
    cli("ingest", SEED, "--db", db)
    kinds = [k for (k,) in query(db, "SELECT kind FROM timeline_events ORDER BY position")]
    assert kinds == ["start", "detect", "acknowledge", "acknowledge", "identify", "identify", "mitigate",
                     "mitigate", "resolve"]
    assert query(db, "SELECT event FROM timeline_events WHERE position = 9") == [("Incident déclaré résolu",)]
    whys = query(db, "SELECT position, question, answer FROM whys ORDER BY position")
    assert len(whys) == 5
    assert whys[0] == (1, "Pourquoi le service était down ?", "Le connection pool DB était saturé")
    assert whys[4] == (5, "Pourquoi la review n'a pas identifié ça ?",
                       "Pas de tests de performance automatisés sur les nouvelles features")
    counts = dict(query(db, "SELECT kind, count(*) FROM learnings GROUP BY kind"))
    assert counts == {"lesson": 3, "went_well": 5, "to_improve": 4}
    assert scalar(db, "SELECT text FROM learnings WHERE kind = 'lesson' AND position = 2").startswith(
        "Le staging n'avait pas assez de données")


def test_seed_mojibake_is_repaired_and_reported(cli, db):
    cli("ingest", SEED, "--db", db)
    messages = [m for (m,) in query(db, "SELECT message FROM ingest_errors")]
    assert any("mojibake" in m for m in messages)
    text = " ".join(t for (t,) in query(db, "SELECT text FROM learnings"))
    assert "√" not in text and "Ã" not in text
    assert "déclenchées" in text


def test_seed_placeholders_become_warnings_not_values(cli, db):
    cli("ingest", SEED, "--db", db)
    assert query(db, "SELECT users_affected, failed_requests, minutes_to_resolve FROM postmortems") == [
        (None, None, None)]
    lines = dict(query(db, "SELECT message, line FROM ingest_errors WHERE message LIKE 'users affected%'"))
    assert list(lines.values()) == [57]  # "| Utilisateurs affectés | ~X |" in the shipped file


def test_seed_tracker_rows_wait_for_their_incident(cli, db):
    cli("ingest", SEED, "--db", db)
    assert query(db, "SELECT incident_title, incident_date, position, status, reviewed_on FROM tracker_pending "
                     "ORDER BY position") == [
        ("[Titre]", date(2024, 1, 15), 1, "done", date(2024, 1, 22)),
        ("[Titre]", date(2024, 1, 15), 2, "in_progress", date(2024, 1, 22)),
        ("[Titre]", date(2024, 1, 15), 3, "todo", date(2024, 1, 22)),
    ]


def test_the_vendored_seed_is_the_file_as_shipped():
    import hashlib

    digest = hashlib.sha256(SEED.read_bytes()).hexdigest()
    assert digest == "ea85bf738cea59fca67485b51e8a0c114c59e4a7bda1f5c9968d98d01c70ac5b"
    assert "am√©lioration" in SEED.read_text(encoding="utf-8")  # still mojibake, as real exports are
