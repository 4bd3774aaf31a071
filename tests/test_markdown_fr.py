"""A French post-mortem in the template's shape (DD/MM/YYYY dates, French words), and its mojibake twin."""

import textwrap
from datetime import date, datetime

from conftest import ingest, query, scalar, write

DOC = """
# Post-Mortem: Panne du service de paiement

**Date de l'incident**: 05/02/2024
**Auteur**: Claire Martin
**Date du post-mortem**: 09/02/2024
**Participants**: Claire Martin, Hugo Bernard
**Équipe**: paiements
**Service**: api-paiement
**Sévérité**: Majeur
**Catégorie de cause**: Processus

## Résumé Exécutif

Le déploiement de la version 3.1 a saturé la base de données et le service de paiement était indisponible pendant 50 minutes pour les clients.

## Impact

| Métrique | Valeur |
|----------|--------|
| Durée | 0h 50m |
| Utilisateurs affectés | ~3 400 |
| Requêtes en erreur | 12 500 |
| Transactions perdues | N/A |
| Coût estimé | 8 000€ |

## Timeline (UTC)

| Heure | Événement |
|-------|-----------|
| 09:00 | Déploiement de la version 3.1 en production |
| 09:08 | Première alerte sur le taux d'erreur |
| 09:10 | L'astreinte acquitte l'alerte |
| 09:25 | Cause identifiée : index manquant sur la table des paiements |
| 09:30 | Rollback de la version 3.1 |
| 09:50 | Incident déclaré résolu |

## Cause Racine

Un index manquant sur la table des paiements a rendu chaque requête très lente après le déploiement.

**5 Whys Analysis**:

1. **Pourquoi** le service de paiement était indisponible ?
   → La base de données était saturée

2. **Pourquoi** la base était saturée ?
   → Chaque requête parcourait toute la table des paiements

3. **Pourquoi** la requête parcourait toute la table ?
   → L'index sur la colonne client a été supprimé par la migration

## Ce Qui a Bien Fonctionné

- Les alertes ont été déclenchées en huit minutes
- Le rollback était documenté et rapide

## Ce Qui Peut Être Amélioré

- Les migrations ne sont pas revues par un DBA
- Le staging n'a pas assez de données
- La communication aux clients était tardive

## Actions Correctives

| Action | Owner | Deadline | Priority | Status | PR/Ticket |
|--------|-------|----------|----------|--------|-----------|
| Recréer l'index sur la colonne client | @hugo | 07/02/2024 | Haute | Terminé | PR#301 |
| Ajouter une revue des migrations | @claire | 20/02/2024 | Moyenne | En cours | PAY-88 |
| Tester les migrations sur un jeu de données réaliste | @hugo | 15/03/2024 | Basse | À faire | PAY-89 |
| Migrer vers le nouveau moteur | @claire | 30/04/2024 | Haute | Bloqué | PAY-90 |
| Réécrire le module de paiement | @claire | 31/05/2024 | Basse | Abandonné | - |
| Documenter la procédure de rollback | @hugo | 12/02/2024 | Moyenne | Fait | PAY-91 |

## Leçons Apprises

- Une migration qui supprime un index doit être revue avant la production
- Les données de staging doivent ressembler à la production
"""


def test_metadata_with_day_first_dates(cli, db, exports):
    ingest(cli, db, write(exports, "paiement.md", DOC))
    assert query(db, "SELECT title, incident_date, postmortem_date, days_to_postmortem, author, team, service, "
                     "severity, primary_cause_category, language FROM postmortems") == [
        ("Panne du service de paiement", date(2024, 2, 5), date(2024, 2, 9), 4, "Claire Martin", "paiements",
         "api-paiement", "P1", "process", "fr")]
    assert scalar(db, "SELECT participants FROM postmortems") == ["Claire Martin", "Hugo Bernard"]


def test_summary_and_root_cause(cli, db, exports):
    ingest(cli, db, write(exports, "paiement.md", DOC))
    assert query(db, "SELECT summary, root_cause FROM postmortems") == [(
        "Le déploiement de la version 3.1 a saturé la base de données et le service de paiement était "
        "indisponible pendant 50 minutes pour les clients.",
        "Un index manquant sur la table des paiements a rendu chaque requête très lente après le déploiement.")]


def test_cause_raw_word_kept(cli, db, exports):
    ingest(cli, db, write(exports, "paiement.md", DOC))
    assert query(db, "SELECT position, category, is_primary, raw FROM causes") == [
        (1, "process", True, "Processus")]


def test_impact_numbers_with_french_spacing(cli, db, exports):
    ingest(cli, db, write(exports, "paiement.md", DOC))
    assert query(db, "SELECT users_affected, failed_requests, lost_transactions, estimated_cost "
                     "FROM postmortems") == [(3400, 12500, None, 8000.0)]


def test_phase_timestamps_and_minutes(cli, db, exports):
    ingest(cli, db, write(exports, "paiement.md", DOC))
    assert query(db, "SELECT started_at, detected_at, acknowledged_at, mitigated_at, resolved_at "
                     "FROM postmortems") == [(
        datetime(2024, 2, 5, 9, 0), datetime(2024, 2, 5, 9, 8), datetime(2024, 2, 5, 9, 10),
        datetime(2024, 2, 5, 9, 30), datetime(2024, 2, 5, 9, 50))]
    assert query(db, "SELECT minutes_to_detect, minutes_to_acknowledge, minutes_to_mitigate, minutes_to_resolve "
                     "FROM postmortems") == [(8.0, 10.0, 30.0, 50.0)]


def test_timeline_kinds_from_french_words(cli, db, exports):
    ingest(cli, db, write(exports, "paiement.md", DOC))
    assert [k for (k,) in query(db, "SELECT kind FROM timeline_events ORDER BY position")] == [
        "start", "detect", "acknowledge", "identify", "mitigate", "resolve"]
    assert scalar(db, "SELECT event FROM timeline_events WHERE position = 6") == "Incident déclaré résolu"


def test_actions_with_french_status_and_priority_words(cli, db, exports):
    ingest(cli, db, write(exports, "paiement.md", DOC))
    assert query(db, "SELECT position, description, owner, due_date, priority, status, ticket "
                     "FROM actions ORDER BY position") == [
        (1, "Recréer l'index sur la colonne client", "@hugo", date(2024, 2, 7), "high", "done", "PR#301"),
        (2, "Ajouter une revue des migrations", "@claire", date(2024, 2, 20), "medium", "in_progress", "PAY-88"),
        (3, "Tester les migrations sur un jeu de données réaliste", "@hugo", date(2024, 3, 15), "low", "todo",
         "PAY-89"),
        (4, "Migrer vers le nouveau moteur", "@claire", date(2024, 4, 30), "high", "blocked", "PAY-90"),
        (5, "Réécrire le module de paiement", "@claire", date(2024, 5, 31), "low", "cancelled", None),
        (6, "Documenter la procédure de rollback", "@hugo", date(2024, 2, 12), "medium", "done", "PAY-91"),
    ]


def test_french_whys(cli, db, exports):
    ingest(cli, db, write(exports, "paiement.md", DOC))
    assert query(db, "SELECT position, question, answer FROM whys ORDER BY position") == [
        (1, "Pourquoi le service de paiement était indisponible ?", "La base de données était saturée"),
        (2, "Pourquoi la base était saturée ?", "Chaque requête parcourait toute la table des paiements"),
        (3, "Pourquoi la requête parcourait toute la table ?",
         "L'index sur la colonne client a été supprimé par la migration"),
    ]


def test_french_learnings(cli, db, exports):
    ingest(cli, db, write(exports, "paiement.md", DOC))
    assert dict(query(db, "SELECT kind, count(*) FROM learnings GROUP BY kind")) == {
        "went_well": 2, "to_improve": 3, "lesson": 2}
    assert scalar(db, "SELECT text FROM learnings WHERE kind = 'to_improve' AND position = 2") == (
        "Le staging n'a pas assez de données")


def test_french_duration_disagreeing_with_timeline_warns(cli, db, exports):
    path = write(exports, "paiement.md", DOC.replace("| Durée | 0h 50m |", "| Durée | 1h 20m |"))
    ingest(cli, db, path)
    assert scalar(db, "SELECT minutes_to_resolve FROM postmortems") == 80.0
    warnings = [m for (m,) in query(db, "SELECT message FROM ingest_errors WHERE level = 'warning'")]
    assert any("resolve" in m and "80" in m and "50" in m for m in warnings), warnings


COLUMNS = """SELECT title, incident_date, postmortem_date, days_to_postmortem, severity, team, service, started_at,
    detected_at, acknowledged_at, mitigated_at, resolved_at, minutes_to_detect, minutes_to_acknowledge,
    minutes_to_mitigate, minutes_to_resolve, users_affected, failed_requests, lost_transactions, estimated_cost,
    primary_cause_category, root_cause, summary, language, author, participants
    FROM postmortems WHERE source_path = ?"""


def rows_of(db, path):
    pid = scalar(db, "SELECT postmortem_id FROM postmortems WHERE source_path = ?", [str(path)])
    return (
        query(db, COLUMNS, [str(path)]),
        query(db, "SELECT position, occurred_at, kind, event FROM timeline_events WHERE postmortem_id = ? "
                  "ORDER BY position", [pid]),
        query(db, "SELECT position, description, owner, due_date, priority, status, ticket FROM actions "
                  "WHERE postmortem_id = ? ORDER BY position", [pid]),
        query(db, "SELECT position, question, answer FROM whys WHERE postmortem_id = ? ORDER BY position", [pid]),
        query(db, "SELECT kind, position, text FROM learnings WHERE postmortem_id = ? ORDER BY kind, position",
              [pid]),
        query(db, "SELECT position, category, raw FROM causes WHERE postmortem_id = ?", [pid]),
    )


def test_mac_roman_mojibake_gives_the_same_rows(cli, db, exports, tmp_path):
    # two databases: in one, the repaired copy would be a duplicate of the clean file and skipped
    text = textwrap.dedent(DOC).lstrip("\n")
    clean = exports / "clean.md"
    clean.write_text(text, encoding="utf-8")
    garbled = text.encode("utf-8").decode("mac_roman")
    assert "√©" in garbled  # "é" as Mac Roman reads its UTF-8 bytes
    broken = exports / "broken.md"
    broken.write_text(garbled, encoding="utf-8")
    assert "1 file(s) loaded, 0 unchanged, 0 rejected" in ingest(cli, db, clean)
    assert "1 file(s) loaded, 0 unchanged, 0 rejected" in ingest(cli, tmp_path / "broken.duckdb", broken)
    expected = rows_of(db, clean)
    assert expected[0] and len(expected[2]) == 6
    assert rows_of(tmp_path / "broken.duckdb", broken) == expected


def test_mojibake_repair_is_reported(cli, db, exports):
    garbled = textwrap.dedent(DOC).lstrip("\n").encode("utf-8").decode("mac_roman")
    path = exports / "broken.md"
    path.write_text(garbled, encoding="utf-8")
    ingest(cli, db, path)
    assert any("mojibake" in m for (m,) in query(
        db, "SELECT message FROM ingest_errors WHERE level = 'warning' AND source_path = ?", [str(path)]))


def test_cp1252_mojibake_gives_the_same_rows(cli, db, exports, tmp_path):
    text = textwrap.dedent(DOC).lstrip("\n")
    clean = exports / "clean.md"
    clean.write_text(text, encoding="utf-8")
    garbled = text.encode("utf-8").decode("cp1252")
    assert "Ã©" in garbled  # "é" as Windows-1252 reads its UTF-8 bytes
    broken = exports / "broken.md"
    broken.write_text(garbled, encoding="utf-8")
    ingest(cli, db, clean)
    ingest(cli, tmp_path / "broken.duckdb", broken)  # in one database it would be a duplicate
    expected = rows_of(db, clean)
    assert expected[0] and len(expected[2]) == 6
    assert rows_of(tmp_path / "broken.duckdb", broken) == expected


def test_french_headers_in_the_actions_table(cli, db, exports):
    doc = DOC.replace("| Action | Owner | Deadline | Priority | Status | PR/Ticket |",
                      "| Action | Responsable | Échéance | Priorité | Statut | PR/Ticket |")
    ingest(cli, db, write(exports, "paiement.md", doc))
    assert query(db, "SELECT owner, due_date, priority, status FROM actions WHERE position = 2") == [
        ("@claire", date(2024, 2, 20), "medium", "in_progress")]
