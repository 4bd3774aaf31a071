"""Re-running an ingest: unchanged files change nothing, a changed file replaces its rows, ids are stable."""

from __future__ import annotations

import os
import re
from datetime import date, datetime

from conftest import query, scalar, write

PM_API = """
    # Post-Mortem: Panne API paiements

    **Date de l'incident**: 2024-03-10
    **Auteur**: Alice
    **Date du post-mortem**: 2024-03-12
    **Participants**: Alice, Bob
    **Sévérité**: P1
    **Équipe**: payments
    **Service**: api
    **Catégorie de cause**: code, process

    ## Résumé Exécutif

    Le service de paiement était indisponible pendant une heure.

    ## Timeline (UTC)

    | Heure | Événement |
    |-------|-----------|
    | 10:00 | Déploiement v2.3.1 en production |
    | 10:15 | Première alerte error rate |
    | 10:45 | Rollback terminé |
    | 11:00 | Incident déclaré résolu |

    ## Cause Racine

    1. **Pourquoi** le service était down ?
       → Le pool de connexions était saturé

    2. **Pourquoi** le pool était saturé ?
       → Une requête N+1

    ## Ce Qui a Bien Fonctionné

    - Rollback rapide

    ## Actions Correctives

    | Action | Owner | Deadline | Priority | Status |
    |--------|-------|----------|----------|--------|
    | Ajouter lint rule N+1 | @dev-1 | 2024-03-20 | High | ⏳ Todo |
    | Tests de charge sur staging | @ops | 2024-03-25 | High | 🔄 In Progress |

    ## Leçons Apprises

    - Les tests unitaires ne suffisent pas
"""

PM_CERT = """
    {
      "id": "PM-2024-002",
      "title": "Certificat expiré",
      "incident_date": "2024-04-02",
      "postmortem_date": "2024-04-05",
      "severity": "P2",
      "team": "platform",
      "service": "gateway",
      "cause_category": ["process"],
      "tags": ["tls", "gateway"],
      "readers": ["alice", "bob"],
      "recurrence_of": ["PM-2023-017"],
      "timeline": [
        {"at": "2024-04-02T08:00:00Z", "event": "Certificat expiré, first error"},
        {"at": "2024-04-02T08:10:00Z", "event": "Alerte TLS"},
        {"at": "2024-04-02T09:30:00Z", "event": "Incident résolu"}
      ],
      "actions": [
        {"description": "Alerte 30 jours avant expiration", "owner": "@sre", "status": "todo"},
        {"description": "Renouvellement automatique", "owner": "@sre", "status": "in progress"}
      ]
    }
"""

PMS_YAML = """
    - id: PM-2024-003
      title: Disque plein
      incident_date: 2024-05-01
      severity: P3
    - title: Sans identifiant
      incident_date: 2024-05-07
      severity: P4
"""

ACTIONS_CSV = """
    postmortem_id,position,description,owner,due,status
    PM-2024-003,1,Alerte espace disque,@ops,2024-05-15,done
    PM-2024-003,2,Rotation des logs,@ops,2024-05-20,blocked
"""

INCIDENTS_CSV = """
    incident_id,severity,started_at,resolved_at,customer_impact,postmortem_id
    INC-1,P1,2024-03-10T10:00:00Z,2024-03-10T11:00:00Z,yes,
    INC-2,P3,2024-05-01T02:00:00Z,2024-05-01T03:00:00Z,no,PM-2024-003
"""

TRACKER = """
    ## Actions Post-Mortem Tracker

    ### Incident: Panne API paiements - 2024-03-10

    | # | Action | Owner | Due | Status | PR/Ticket |
    |---|--------|-------|-----|--------|-----------|
    | 1 | Ajouter lint rule N+1 | @dev-1 | 03/20 | ✅ | PR#456 |
    | 2 | Tests de charge sur staging | @ops | 03/25 | ⛔ | JIRA-123 |

    **Dernière review**: 2024-03-18
"""

PENDING_TRACKER = """
    ## Actions Post-Mortem Tracker

    ### Incident: Pas encore écrit - 2024-06-01

    | # | Action | Owner | Due | Status | PR/Ticket |
    |---|--------|-------|-----|--------|-----------|
    | 1 | Quelque chose | @x | 06/10 | 🔄 | - |

    **Last review**: 2024-06-05
"""

TABLES = ("postmortems", "actions", "action_status_history", "timeline_events", "causes", "whys", "learnings",
          "readers", "recurrence_links", "incidents", "tracker_pending", "source_files")


def corpus(folder):
    return {
        "md": write(folder, "pm-api.md", PM_API),
        "json": write(folder, "json/pm-cert.json", PM_CERT),
        "yaml": write(folder, "yaml/pms.yaml", PMS_YAML),
        "actions": write(folder, "csv/actions.csv", ACTIONS_CSV),
        "incidents": write(folder, "csv/incidents.csv", INCIDENTS_CSV),
        "tracker": write(folder, "reviews/tracker.md", TRACKER),
        "pending": write(folder, "reviews/pending.md", PENDING_TRACKER),
    }


def snapshot(db) -> dict[str, list[tuple]]:
    """Every row of every table; of source_files, all but the size and modification time recorded (a file
    touched but not changed keeps its rows, and the next run is spared hashing it again)."""
    return {t: sorted(query(db, f"SELECT * EXCLUDE (size, mtime_ns) FROM {t}" if t == "source_files"
                            else f"SELECT * FROM {t}"), key=repr) for t in TABLES}


def md_id(db, path) -> str:
    return scalar(db, "SELECT postmortem_id FROM postmortems WHERE source_path = ?", [str(path.resolve())])


# ---------------------------------------------------------------- unchanged


def test_corpus_loads(cli, db, exports):
    corpus(exports)
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    assert "7 file(s) loaded, 0 unchanged, 0 rejected (of 7 found)" in out
    assert "4 post-mortem(s), 6 action(s), 2 incident(s), 2 tracker update(s) loaded" in out
    counts = {t: scalar(db, f"SELECT count(*) FROM {t}") for t in TABLES}
    assert counts == {"postmortems": 4, "actions": 6, "action_status_history": 8, "timeline_events": 7,
                      "causes": 3, "whys": 2, "learnings": 2, "readers": 2, "recurrence_links": 1, "incidents": 2,
                      "tracker_pending": 1, "source_files": 7}


def test_unchanged_rerun_changes_nothing_and_reports_unchanged(cli, db, exports):
    corpus(exports)
    assert cli("ingest", exports, "--db", db)[0] == 0
    before = snapshot(db)
    for run in (2, 3):
        code, out, err = cli("ingest", exports, "--db", db)
        assert code == 0, out + err
        assert "0 file(s) loaded, 7 unchanged, 0 rejected (of 7 found)" in out
        assert "0 post-mortem(s), 0 action(s), 0 incident(s), 0 tracker update(s) loaded; 0 warning(s), 0 error(s)" \
            in out
        assert snapshot(db) == before
        assert query(db, "SELECT files_seen, files_loaded, files_unchanged, files_rejected FROM ingest_runs "
                         "WHERE run_id = ?", [run]) == [(7, 0, 7, 0)]
        assert scalar(db, "SELECT count(*) FROM ingest_errors WHERE run_id = ?", [run]) == 0


def test_touched_but_identical_file_is_unchanged(cli, db, exports):
    files = corpus(exports)
    assert cli("ingest", exports, "--db", db)[0] == 0
    before = snapshot(db)
    os.utime(files["md"], (1_000_000_000, 1_000_000_000))
    files["json"].write_bytes(files["json"].read_bytes())  # rewritten, same bytes
    code, out, _ = cli("ingest", exports, "--db", db)
    assert code == 0
    assert "0 file(s) loaded, 7 unchanged, 0 rejected (of 7 found)" in out
    assert snapshot(db) == before
    # the new time is recorded: the next run takes the file for unchanged without reading it
    assert query(db, "SELECT mtime_ns FROM source_files WHERE source_path = ?", [str(files["md"].resolve())]) == [
        (1_000_000_000 * 10**9,)]


def test_unchanged_rerun_with_a_rejected_file_keeps_data_tables(cli, db, exports):
    corpus(exports)
    write(exports, "broken.json", '{"id": "PM-X",\n "title": }\n')
    assert cli("ingest", exports, "--db", db)[0] == 1
    before = {t: v for t, v in snapshot(db).items() if t != "source_files"}
    code, out, _ = cli("ingest", exports, "--db", db)
    assert code == 1
    assert "0 file(s) loaded, 7 unchanged, 1 rejected (of 8 found)" in out
    assert {t: v for t, v in snapshot(db).items() if t != "source_files"} == before


# ---------------------------------------------------------------- changed


def _rows_not_of(db, pid):
    """Every data row that does not belong to post-mortem ``pid``."""
    return {
        "postmortems": sorted(query(db, "SELECT * FROM postmortems WHERE postmortem_id <> ?", [pid]), key=repr),
        "actions": sorted(query(db, "SELECT * FROM actions WHERE postmortem_id <> ?", [pid]), key=repr),
        **{t: sorted(query(db, f"SELECT * FROM {t} WHERE postmortem_id <> ?", [pid]), key=repr)
           for t in ("timeline_events", "causes", "whys", "learnings", "readers", "recurrence_links")},
        "incidents": sorted(query(db, "SELECT * FROM incidents"), key=repr),
    }


def test_changed_markdown_replaces_its_rows(cli, db, exports):
    files = corpus(exports)
    assert cli("ingest", exports, "--db", db)[0] == 0
    pid = md_id(db, files["md"])
    others = _rows_not_of(db, pid)
    first_ingest = scalar(db, "SELECT ingested_at FROM postmortems WHERE postmortem_id = 'PM-2024-002'")

    text = (PM_API.replace("    | Tests de charge sur staging | @ops | 2024-03-25 | High | 🔄 In Progress |\n", "")
            .replace("| 10:45 | Rollback terminé |", "| 10:40 | Rollback v2.3.0 terminé |")
            .replace("- Rollback rapide", "- Rollback rapide\n    - Communication claire"))
    assert text != PM_API
    write(exports, "pm-api.md", text)
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    assert "1 file(s) loaded, 6 unchanged, 0 rejected (of 7 found)" in out

    assert md_id(db, files["md"]) == pid
    # The removed action is gone; the kept one keeps the status the tracker gave it.
    assert query(db, "SELECT action_id, description, status FROM actions WHERE postmortem_id = ?", [pid]) == [
        (f"{pid}-A1", "Ajouter lint rule N+1", "done")]
    assert query(db, "SELECT position, occurred_at, event FROM timeline_events WHERE postmortem_id = ? "
                     "ORDER BY position", [pid]) == [
        (1, datetime(2024, 3, 10, 10, 0), "Déploiement v2.3.1 en production"),
        (2, datetime(2024, 3, 10, 10, 15), "Première alerte error rate"),
        (3, datetime(2024, 3, 10, 10, 40), "Rollback v2.3.0 terminé"),
        (4, datetime(2024, 3, 10, 11, 0), "Incident déclaré résolu")]
    assert query(db, "SELECT kind, position, text FROM learnings WHERE postmortem_id = ? ORDER BY kind, position",
                 [pid]) == [("lesson", 1, "Les tests unitaires ne suffisent pas"),
                            ("went_well", 1, "Rollback rapide"), ("went_well", 2, "Communication claire")]
    assert query(db, "SELECT minutes_to_mitigate FROM postmortems WHERE postmortem_id = ?", [pid]) == [(40.0,)]
    assert scalar(db, "SELECT count(*) FROM whys WHERE postmortem_id = ?", [pid]) == 2
    assert scalar(db, "SELECT count(*) FROM causes WHERE postmortem_id = ?", [pid]) == 2
    # Nothing else moved.
    assert _rows_not_of(db, pid) == others
    assert scalar(db, "SELECT ingested_at FROM postmortems WHERE postmortem_id = 'PM-2024-002'") == first_ingest


def test_changed_json_title_and_actions(cli, db, exports):
    files = corpus(exports)
    assert cli("ingest", exports, "--db", db)[0] == 0
    others = _rows_not_of(db, "PM-2024-002")

    text = (PM_CERT.replace('"title": "Certificat expiré"', '"title": "Certificat TLS expiré"')
            .replace(',\n        {"description": "Renouvellement automatique", "owner": "@sre", "status": "in progress"}',
                     ""))
    assert "Renouvellement" not in text
    files["json"].write_text(text, encoding="utf-8")
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    assert "1 file(s) loaded, 6 unchanged, 0 rejected (of 7 found)" in out
    assert query(db, "SELECT title FROM postmortems WHERE postmortem_id = 'PM-2024-002'") == [
        ("Certificat TLS expiré",)]
    assert query(db, "SELECT action_id, description FROM actions WHERE postmortem_id = 'PM-2024-002'") == [
        ("PM-2024-002-A1", "Alerte 30 jours avant expiration")]
    assert scalar(db, "SELECT count(*) FROM timeline_events WHERE postmortem_id = 'PM-2024-002'") == 3
    assert scalar(db, "SELECT count(*) FROM readers WHERE postmortem_id = 'PM-2024-002'") == 2
    assert _rows_not_of(db, "PM-2024-002") == others


def test_changed_yaml_list_drops_a_removed_postmortem(cli, db, exports):
    files = corpus(exports)
    assert cli("ingest", exports, "--db", db)[0] == 0
    assert scalar(db, "SELECT count(*) FROM postmortems WHERE title = 'Sans identifiant'") == 1
    files["yaml"].write_text("- id: PM-2024-003\n  title: Disque plein à 100%\n  incident_date: 2024-05-01\n"
                             "  severity: P3\n", encoding="utf-8")
    code, out, _ = cli("ingest", exports, "--db", db)
    assert code == 0
    assert query(db, "SELECT postmortem_id, title FROM postmortems WHERE source_path = ?",
                 [str(files["yaml"].resolve())]) == [("PM-2024-003", "Disque plein à 100%")]
    # The CSV of actions for PM-2024-003 was not touched: its actions stay.
    assert query(db, "SELECT action_id, status FROM actions WHERE postmortem_id = 'PM-2024-003' ORDER BY 1") == [
        ("PM-2024-003-A1", "done"), ("PM-2024-003-A2", "blocked")]


# ---------------------------------------------------------------- stable ids


def test_explicit_ids_and_action_ids(cli, db, exports):
    corpus(exports)
    assert cli("ingest", exports, "--db", db)[0] == 0
    assert query(db, "SELECT action_id, position, description FROM actions WHERE postmortem_id LIKE 'PM-%' "
                     "ORDER BY action_id") == [
        ("PM-2024-002-A1", 1, "Alerte 30 jours avant expiration"),
        ("PM-2024-002-A2", 2, "Renouvellement automatique"),
        ("PM-2024-003-A1", 1, "Alerte espace disque"),
        ("PM-2024-003-A2", 2, "Rotation des logs")]
    assert query(db, "SELECT incident_id, postmortem_id FROM incidents ORDER BY 1") == [
        ("INC-1", None), ("INC-2", "PM-2024-003")]


def test_derived_ids_come_from_the_path_and_are_stable(cli, db, exports, tmp_path, monkeypatch):
    files = corpus(exports)
    assert cli("ingest", exports, "--db", db)[0] == 0
    pid = md_id(db, files["md"])
    assert re.fullmatch(r"pm-api-[0-9a-f]{6}", pid), pid
    no_id = scalar(db, "SELECT postmortem_id FROM postmortems WHERE title = 'Sans identifiant'")
    assert re.fullmatch(r"pms-[0-9a-f]{6}-2", no_id), no_id
    assert sorted(a for (a,) in query(db, "SELECT action_id FROM actions WHERE postmortem_id = ?", [pid])) == [
        f"{pid}-A1", f"{pid}-A2"]

    # A content change keeps the id.
    write(exports, "pm-api.md", PM_API.replace("Panne API paiements", "Panne de l'API paiements"))
    assert cli("ingest", exports, "--db", db)[0] == 0
    assert query(db, "SELECT postmortem_id, title FROM postmortems WHERE source_path = ?",
                 [str(files["md"].resolve())]) == [(pid, "Panne de l'API paiements")]

    # A fresh database, and a relative path given from another working directory: same ids.
    fresh = tmp_path / "fresh.duckdb"
    monkeypatch.chdir(exports / "json")
    assert cli("ingest", "..", "--db", fresh)[0] == 0
    assert md_id(fresh, files["md"]) == pid
    assert scalar(fresh, "SELECT postmortem_id FROM postmortems WHERE title = 'Sans identifiant'") == no_id
    assert sorted(query(fresh, "SELECT postmortem_id, source_path FROM postmortems")) == sorted(
        query(db, "SELECT postmortem_id, source_path FROM postmortems"))


def test_same_file_name_in_two_folders_gets_two_ids(cli, db, exports):
    a = write(exports, "team-a/postmortem.md", PM_API)
    b = write(exports, "team-b/postmortem.md", PM_API.replace("2024-03-10", "2024-03-11"))
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    id_a, id_b = md_id(db, a), md_id(db, b)
    assert id_a != id_b
    assert re.fullmatch(r"postmortem-[0-9a-f]{6}", id_a) and re.fullmatch(r"postmortem-[0-9a-f]{6}", id_b)
    assert query(db, "SELECT postmortem_id, incident_date FROM postmortems ORDER BY incident_date") == [
        (id_a, date(2024, 3, 10)), (id_b, date(2024, 3, 11))]
    assert scalar(db, "SELECT count(*) FROM actions") == 4
