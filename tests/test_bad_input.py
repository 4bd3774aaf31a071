"""Bad input: rejected files (file, line, reason), partial problems (warnings, the rest loads),
nothing loaded before is lost, YAML read with safe_load only."""

from __future__ import annotations

import textwrap
from datetime import date, datetime

import pytest

from conftest import query, scalar, write

# A complete post-mortem: loads with no warning at all. Line numbers matter below.
CLEAN_MD = """
    # Post-Mortem: Cache saturé

    **Date de l'incident**: 2024-05-02
    **Date du post-mortem**: 2024-05-03
    **Sévérité**: P2
    **Équipe**: platform
    **Service**: cache
    **Catégorie de cause**: environment

    ## Timeline

    | Heure | Événement |
    |-------|-----------|
    | 09:00 | Déploiement du cache |
    | 09:20 | Première alerte latence |
    | 09:40 | Rollback terminé |
    | 10:00 | Incident déclaré résolu |

    ## Actions Correctives

    | Action | Owner | Deadline | Priority | Status |
    |--------|-------|----------|----------|--------|
    | Augmenter la taille du cache | @ops | 2024-05-10 | High | Todo |
    | Ajouter une alerte | @dev | 2024-05-12 | Medium | Done |
"""
# line 4: post-mortem date; lines 14-17: timeline rows; lines 23-24: action rows.

OTHER_JSON = """
    {"id": "PM-OK", "title": "Disque plein", "incident_date": "2024-02-01", "postmortem_date": "2024-02-02",
     "severity": "P3", "team": "data", "service": "db", "cause_category": "environment",
     "started_at": "2024-02-01T06:00:00Z", "resolved_at": "2024-02-01T07:00:00Z",
     "actions": [{"description": "Alerte sur l'espace disque", "status": "todo"}]}
"""

BROKEN_JSON = """
    {
      "id": "PM-BAD",
      "title": "Broken"
      "incident_date": "2024-01-01"
    }
"""

REJECTED = [
    # (file name, bytes, accepted line values, phrases the reason must contain)
    pytest.param("broken.json", BROKEN_JSON, (4,), ["not valid JSON", "Expecting ',' delimiter", "column 3"],
                 id="invalid-json"),
    pytest.param("string.yaml", "Ceci n'est pas un post-mortem\n", (1,),
                 ["expected a post-mortem object", "found str"], id="yaml-top-level-string"),
    # A "# heading" alone is a title now (any Markdown with a title is a post-mortem): no heading here.
    pytest.param("notes.md", "Notes de réunion\n\nRien à signaler.\n", (1,),
                 ["not a post-mortem", "no title line"], id="markdown-without-title"),
    pytest.param("export.csv", "foo,bar,baz\n1,2,3\n", (1,),
                 ["CSV header matches no known kind", "foo, bar, baz"], id="csv-unknown-header"),
    # The whole object is the problem: it starts on line 1, and the spec asks for a line only where known.
    pytest.param("anonymous.json", '{\n  "severity": "P1",\n  "team": "core"\n}\n', (None, 1),
                 ["no id, no title and no incident date"], id="json-without-identity"),
    pytest.param("empty.md", b"", (1,), ["the file is empty"], id="empty-file"),
    pytest.param("blank.json", b"  \n\n\t\n", (1,), ["the file is empty"], id="whitespace-only-file"),
    # A binary file has no meaningful line.
    pytest.param("blob.txt", b"PK\x03\x04\x14\x00\x00\x00binary\x00stuff\n", (None, 1), ["NUL bytes", "binary"],
                 id="binary-file"),
    pytest.param("blob.json", b'{"id": "PM-NUL"\x00\x00}', (None, 1), ["NUL bytes", "binary"],
                 id="binary-json"),
]


def _put(folder, name, content):
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
        return path
    return write(folder, name, content)


def _errors(db, path):
    return query(db, "SELECT line, level, message FROM ingest_errors WHERE source_path = ? AND level = 'error'",
                 [str(path.resolve())])


@pytest.mark.parametrize("name, content, lines, phrases", REJECTED)
def test_rejected_file_is_named_with_line_and_reason_and_the_rest_loads(cli, db, exports, name, content, lines,
                                                                         phrases):
    write(exports, "good.md", CLEAN_MD)
    write(exports, "good.json", OTHER_JSON)
    bad = _put(exports, name, content)

    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 1, out + err
    assert "2 file(s) loaded, 0 unchanged, 1 rejected (of 3 found)" in out

    rows = _errors(db, bad)
    assert len(rows) == 1, f"expected one error row for the rejected file, got {rows}"
    line, level, message = rows[0]
    assert line in lines
    assert level == "error"
    for phrase in phrases:
        assert phrase in message
    where = f"{bad.resolve()}:{line}" if line else f"{bad.resolve()}"
    assert out.splitlines().count(f"REJECTED {where}: {message}") == 1

    run_id = scalar(db, "SELECT max(run_id) FROM ingest_runs")
    assert scalar(db, "SELECT run_id FROM ingest_errors WHERE source_path = ?", [str(bad.resolve())]) == run_id
    assert query(db, "SELECT status FROM source_files WHERE source_path = ?", [str(bad.resolve())]) == [("rejected",)]
    assert scalar(db, "SELECT count(*) FROM postmortems WHERE source_path = ?", [str(bad.resolve())]) == 0
    # The rest of the batch is loaded, with its details.
    assert sorted(t for (t,) in query(db, "SELECT title FROM postmortems")) == ["Cache saturé", "Disque plein"]
    assert scalar(db, "SELECT count(*) FROM actions") == 3
    assert scalar(db, "SELECT count(*) FROM timeline_events") == 4


def test_every_kind_of_rejected_file_in_one_batch(cli, db, exports):
    write(exports, "good.md", CLEAN_MD)
    bad = [_put(exports, p.values[0], p.values[1]) for p in REJECTED]
    code, out, _ = cli("ingest", exports, "--db", db)
    assert code == 1
    assert f"1 file(s) loaded, 0 unchanged, {len(bad)} rejected (of {len(bad) + 1} found)" in out
    rejected = sorted(p for (p,) in query(db, "SELECT source_path FROM source_files WHERE status = 'rejected'"))
    assert rejected == sorted(str(p.resolve()) for p in bad)
    assert query(db, "SELECT title FROM postmortems") == [("Cache saturé",)]


# ---------------------------------------------------------------- partial problems: warnings, the file loads


def _warnings(db, path):
    return query(db, "SELECT line, message FROM ingest_errors WHERE source_path = ? AND level = 'warning' "
                     "ORDER BY line, message", [str(path.resolve())])


def test_clean_document_has_no_warning(cli, db, exports):
    md = write(exports, "pm.md", CLEAN_MD)
    code, out, _ = cli("ingest", exports, "--db", db)
    assert code == 0
    assert _warnings(db, md) == []


def test_unparseable_date_is_left_empty_with_a_warning(cli, db, exports):
    md = write(exports, "pm.md", CLEAN_MD.replace("**Date du post-mortem**: 2024-05-03",
                                                  "**Date du post-mortem**: bientôt"))
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    assert "1 file(s) loaded, 0 unchanged, 0 rejected" in out
    assert (4, "post-mortem date: 'bientôt' is not a date (expected YYYY-MM-DD or DD/MM/YYYY); left empty") \
        in _warnings(db, md)
    assert query(db, "SELECT title, incident_date, postmortem_date, days_to_postmortem, severity FROM postmortems") \
        == [("Cache saturé", date(2024, 5, 2), None, None, "P2")]
    assert scalar(db, "SELECT count(*) FROM actions") == 2


def test_unparseable_due_date_of_an_action(cli, db, exports):
    md = write(exports, "pm.md", CLEAN_MD.replace("| @ops | 2024-05-10 |", "| @ops | la semaine prochaine |"))
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    assert _warnings(db, md) == [
        (23, "action 1 due: 'la semaine prochaine' is not a date (expected YYYY-MM-DD or DD/MM/YYYY); left empty")]
    assert query(db, "SELECT position, description, owner, due_date, priority, status FROM actions "
                     "ORDER BY position") == [
        (1, "Augmenter la taille du cache", "@ops", None, "high", "todo"),
        (2, "Ajouter une alerte", "@dev", date(2024, 5, 12), "medium", "done")]


def test_timeline_out_of_order_is_kept_with_a_warning(cli, db, exports):
    text = (CLEAN_MD.replace("| 09:20 | Première alerte latence |", "| 09:40 | Première alerte latence |")
            .replace("| 09:40 | Rollback terminé |", "| 09:20 | Rollback terminé |"))
    md = write(exports, "pm.md", text)
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    assert _warnings(db, md) == [
        (16, "timeline out of order: event 3 (2024-05-02 09:20) is before the event above it (2024-05-02 09:40)")]
    assert query(db, "SELECT position, occurred_at, event FROM timeline_events ORDER BY position") == [
        (1, datetime(2024, 5, 2, 9, 0), "Déploiement du cache"),
        (2, datetime(2024, 5, 2, 9, 40), "Première alerte latence"),
        (3, datetime(2024, 5, 2, 9, 20), "Rollback terminé"),
        (4, datetime(2024, 5, 2, 10, 0), "Incident déclaré résolu")]
    assert query(db, "SELECT started_at, minutes_to_resolve FROM postmortems") == [
        (datetime(2024, 5, 2, 9, 0), 60.0)]


def test_unknown_status_word_is_left_empty_with_a_warning(cli, db, exports):
    md = write(exports, "pm.md", CLEAN_MD.replace("| High | Todo |", "| High | peut-être |"))
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    assert _warnings(db, md) == [
        (23, "action 1: unknown status 'peut-être'; left empty (add it to vocabularies.status)")]
    assert query(db, "SELECT position, status FROM actions ORDER BY position") == [(1, None), (2, "done")]


def test_unknown_status_word_in_a_tracker_row(cli, db, exports):
    write(exports, "pm.md", CLEAN_MD)
    tracker = write(exports, "tracker.md", """
        ## Actions Post-Mortem Tracker

        ### Incident: Cache saturé - 2024-05-02

        | # | Action | Owner | Due | Status | PR/Ticket |
        |---|--------|-------|-----|--------|-----------|
        | 1 | Augmenter la taille du cache | @ops | 05/10 | bof | - |
        | 2 | Ajouter une alerte | @dev | 05/12 | 🔄 | PR#9 |

        **Last review**: 2024-05-06
    """)
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    assert _warnings(db, tracker) == [(7, "tracker: unknown status 'bof'; row ignored")]
    # Row 1 changes nothing; row 2 still applies.
    assert query(db, "SELECT position, status FROM actions ORDER BY position") == [(1, "todo"), (2, "in_progress")]


DETECT_CSV = """
    id,title,incident_date,postmortem_date,severity,team,service,cause_category,started_at,detected_at,resolved_at
    PM-C1,Queue bloquée,2024-06-01,2024-06-02,P2,data,queue,environment,2024-06-01 10:00,2024-06-01 09:50,2024-06-01 11:00
    PM-C2,DNS,2024-06-03,2024-06-04,P3,net,dns,environment,2024-06-03 08:00,2024-06-03 08:05,2024-06-03 08:30
"""


def test_detection_before_start_is_a_warning(cli, db, exports):
    csv = write(exports, "pms.csv", DETECT_CSV)
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    assert _warnings(db, csv) == [
        (2, "row 2: detect time 2024-06-01 09:50 is before the start 2024-06-01 10:00; minutes to detect left empty")]
    assert query(db, "SELECT postmortem_id, started_at, minutes_to_detect, minutes_to_resolve FROM postmortems "
                     "ORDER BY postmortem_id") == [
        ("PM-C1", datetime(2024, 6, 1, 10, 0), None, 60.0),
        ("PM-C2", datetime(2024, 6, 3, 8, 0), 5.0, 30.0)]


def test_partial_problems_do_not_stop_the_batch(cli, db, exports):
    write(exports, "a.md", CLEAN_MD.replace("| High | Todo |", "| High | peut-être |"))
    write(exports, "b.csv", DETECT_CSV)
    write(exports, "c.json", OTHER_JSON)
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    assert "3 file(s) loaded, 0 unchanged, 0 rejected (of 3 found)" in out
    assert "4 post-mortem(s), 3 action(s), 0 incident(s), 0 tracker update(s) loaded; 2 warning(s), 0 error(s)" in out
    assert query(db, "SELECT level, count(*) FROM ingest_errors GROUP BY level") == [("warning", 2)]


# ---------------------------------------------------------------- nothing loaded before is lost

DATA_TABLES = ("postmortems", "actions", "action_status_history", "timeline_events", "causes", "whys",
               "learnings", "readers", "recurrence_links", "incidents", "tracker_pending")


def _snapshot(db):
    return {t: sorted(query(db, f"SELECT * FROM {t}"), key=repr) for t in DATA_TABLES}


@pytest.mark.parametrize("name, good, broken", [
    pytest.param("pm.md", CLEAN_MD, b"", id="markdown-emptied"),
    pytest.param("pm.md", CLEAN_MD, "Brouillon\n\nà compléter\n", id="markdown-title-removed"),
    pytest.param("pm.md", CLEAN_MD, b"\x00\x01\x02binary\x00", id="markdown-overwritten-by-binary"),
    pytest.param("pm.json", OTHER_JSON, BROKEN_JSON, id="json-syntax-error"),
    pytest.param("pm.yaml", "id: PM-Y\ntitle: Yaml\nincident_date: 2024-01-05\n", "juste une phrase\n",
                 id="yaml-became-a-string"),
])
def test_file_replaced_by_a_broken_version_keeps_its_rows(cli, db, exports, name, good, broken):
    # another post-mortem beside it (another id and title: the same title, day and team would be a duplicate)
    write(exports, "other.json", OTHER_JSON if name != "pm.json"
          else OTHER_JSON.replace("PM-OK", "PM-OTHER").replace("Disque plein", "Inode épuisé"))
    path = _put(exports, name, good)
    assert cli("ingest", exports, "--db", db)[0] == 0
    before = _snapshot(db)
    assert scalar(db, "SELECT count(*) FROM postmortems WHERE source_path = ?", [str(path.resolve())]) == 1

    _put(exports, name, broken)
    for _ in range(2):  # and again: a rejected file is read on every run, and still loses nothing
        code, out, _ = cli("ingest", exports, "--db", db)
        assert code == 1
        assert f"REJECTED {path.resolve()}" in out
        assert "0 file(s) loaded, 1 unchanged, 1 rejected (of 2 found)" in out
        assert _snapshot(db) == before

    # Fixed: the new content replaces the old rows.
    _put(exports, name, good.replace("Cache saturé", "Cache saturé (corrigé)").replace("Disque plein", "Disque plein (corrigé)")
         .replace("title: Yaml", "title: Yaml (corrigé)"))
    code, out, _ = cli("ingest", exports, "--db", db)
    assert code == 0
    assert scalar(db, "SELECT title FROM postmortems WHERE source_path = ?", [str(path.resolve())]).endswith(
        "(corrigé)")
    assert scalar(db, "SELECT count(*) FROM postmortems") == 2


# ---------------------------------------------------------------- YAML: safe_load only


@pytest.mark.parametrize("template, line", [
    pytest.param('id: PM-EVIL\ntitle: !!python/object/apply:os.system ["touch {marker}"]\n'
                 "incident_date: 2024-01-01\n", 2, id="apply-in-a-value"),
    pytest.param('--- !!python/object/apply:os.system\nargs: ["touch {marker}"]\n', 1, id="apply-as-document"),
    pytest.param("id: PM-EVIL\ntitle: !!python/object:pipeline.model.Problem {{level: error, message: pwned}}\n"
                 "incident_date: 2024-01-01\n", 2, id="object"),
])
def test_yaml_python_tags_are_rejected_not_executed(cli, db, exports, tmp_path, template, line):
    marker = tmp_path / "executed"
    write(exports, "good.md", CLEAN_MD)
    evil = exports / "evil.yaml"
    evil.write_text(template.format(marker=marker), encoding="utf-8")
    code, out, _ = cli("ingest", exports, "--db", db)
    assert code == 1
    assert not marker.exists()
    rows = _errors(db, evil)
    assert len(rows) == 1
    assert rows[0][0] == line
    assert "not valid YAML" in rows[0][2] and "tag:yaml.org,2002:python/object" in rows[0][2]
    assert f"REJECTED {evil.resolve()}:{line}: not valid YAML" in out
    assert query(db, "SELECT title FROM postmortems") == [("Cache saturé",)]


def test_markdown_front_matter_with_a_python_tag_is_not_executed(cli, db, exports, tmp_path):
    marker = tmp_path / "executed"
    front = f'---\nteam: !!python/object/apply:os.system ["touch {marker}"]\n---\n'
    md = exports / "pm.md"
    md.write_text(front + textwrap.dedent(CLEAN_MD).lstrip("\n"), encoding="utf-8")
    code, out, err = cli("ingest", exports, "--db", db)
    assert not marker.exists()
    assert code == 0, out + err
    assert query(db, "SELECT title, team FROM postmortems") == [("Cache saturé", "platform")]
    assert _warnings(db, md) == [
        (2, "front matter is not valid YAML (could not determine a constructor for the tag "
            "'tag:yaml.org,2002:python/object/apply:os.system'); ignored")]


def test_config_file_with_a_python_tag_is_not_executed(cli, db, exports, tmp_path):
    marker = tmp_path / "executed"
    write(exports, "pm.md", CLEAN_MD)
    config = tmp_path / "evil-config.yaml"
    config.write_text(f'defaults:\n  team: !!python/object/apply:os.system ["touch {marker}"]\n', encoding="utf-8")
    code, out, err = cli("ingest", exports, "--db", db, "--config", config)
    assert code == 2
    assert not marker.exists()
    assert "not valid YAML" in err
    assert not db.exists()
