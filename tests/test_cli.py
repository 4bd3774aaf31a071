"""`hindsight ingest`: exit codes 0/1/2, the summary and messages, the database location, --strict."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

import docx
import pytest

from conftest import ROOT, query, scalar, write

# A complete post-mortem in the template's shape: no field is missing, so it loads without warnings.
GOOD_MD = """
    # Post-Mortem: Panne API paiements

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
"""

GOOD_JSON = """
    {
      "id": "PM-2024-002",
      "title": "Certificat expiré",
      "incident_date": "2024-04-02",
      "postmortem_date": "2024-04-05",
      "severity": "P2",
      "team": "platform",
      "service": "gateway",
      "cause_category": "process",
      "started_at": "2024-04-02T08:00:00Z",
      "resolved_at": "2024-04-02T09:30:00Z",
      "actions": [{"description": "Alerte 30 jours avant expiration", "owner": "@sre", "status": "todo"}]
    }
"""

# Invalid JSON: the comma after "Broken" is missing, so the parser stops on line 4, column 3.
BROKEN_JSON = """
    {
      "id": "PM-BAD",
      "title": "Broken"
      "incident_date": "2024-01-01"
    }
"""

JSON_ERROR = "not valid JSON: Expecting ',' delimiter (column 3)"


def _no_db_env() -> dict:
    env = dict(os.environ)
    env.pop("HINDSIGHT_DB", None)
    return env


# ---------------------------------------------------------------- exit 0


def test_every_file_loaded_exits_0_with_summary(cli, db, exports):
    md = write(exports, "pm-api.md", GOOD_MD)
    js = write(exports, "nested/deeper/pm-cert.json", GOOD_JSON)
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    assert "REJECTED" not in out
    assert "2 file(s) loaded, 0 unchanged, 0 rejected (of 2 found)" in out
    assert "2 post-mortem(s), 3 action(s), 0 incident(s), 0 tracker update(s) loaded; 0 warning(s), 0 error(s)" in out
    assert f"Database: {db}" in out
    assert query(db, "SELECT postmortem_id, title, source_path FROM postmortems WHERE postmortem_id = 'PM-2024-002'") \
        == [("PM-2024-002", "Certificat expiré", str(js.resolve()))]
    assert query(db, "SELECT title, incident_date FROM postmortems WHERE source_path = ?", [str(md.resolve())]) == [
        ("Panne API paiements", date(2024, 3, 10))]


def test_summary_counts_warnings_and_verbose_lists_them(cli, db, exports):
    text = GOOD_MD.replace("**Sévérité**: P1", "**Sévérité**: apocalyptique")
    md = write(exports, "pm.md", text)
    code, out, _ = cli("ingest", exports, "--db", db)
    assert code == 0  # a warning does not reject the file
    assert "1 file(s) loaded, 0 unchanged, 0 rejected (of 1 found)" in out
    assert "1 post-mortem(s), 2 action(s), 0 incident(s), 0 tracker update(s) loaded; 2 warning(s), 0 error(s)" in out
    assert "Warnings are listed with --verbose, and kept in the ingest_errors table (run 1)." in out
    assert "WARNING" not in out

    # Same file, fresh database, --verbose: each warning is printed with its file and line.
    db2 = db.with_name("verbose.duckdb")
    code, out, _ = cli("ingest", exports, "--db", db2, "--verbose")
    assert code == 0
    assert f"WARNING {md.resolve()}:6: unknown severity 'apocalyptique'" in out
    assert scalar(db2, "SELECT count(*) FROM ingest_errors WHERE level = 'warning'") == 2


def test_walks_folders_recursively_and_reads_every_supported_extension(cli, db, exports):
    md = "# Post-Mortem: {t}\n\n**Date de l'incident**: 2024-01-0{d}\n"
    write(exports, "a.md", md.format(t="Markdown", d=1))
    write(exports, "x/b.markdown", md.format(t="Markdown long", d=2))
    write(exports, "x/y/c.txt", md.format(t="Texte", d=3))
    write(exports, "x/y/z/d.json", '{"id": "PM-J", "title": "Json", "incident_date": "2024-01-04"}')
    write(exports, "e.yaml", "id: PM-Y\ntitle: Yaml\nincident_date: 2024-01-05\n")
    write(exports, "x/f.yml", "id: PM-YML\ntitle: Yml\nincident_date: 2024-01-06\n")
    write(exports, "x/y/g.csv", "id,title,incident_date\nPM-C,Csv,2024-01-07\n")
    write(exports, "x/h.html", "<h1>Post-Mortem: Html</h1><p><b>Date de l'incident</b>: 2024-01-08</p>")
    word = docx.Document()
    word.add_heading("Post-Mortem: Word", 0)
    word.add_paragraph("Date de l'incident: 2024-01-09")
    word.save(exports / "x" / "y" / "i.docx")
    # Not post-mortems: unsupported extensions and the default exclusions are not even counted.
    write(exports, "notes.pdf", "%PDF-1.4")
    write(exports, "x/~$i.docx", "Word's lock file")
    write(exports, "README.md", "# How to write a post-mortem\n")
    write(exports, "x/.hidden.md", "# Post-Mortem: Hidden\n\n**Date de l'incident**: 2024-01-09\n")

    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    assert "9 file(s) loaded, 0 unchanged, 0 rejected (of 9 found)" in out
    assert query(db, "SELECT title, source_format FROM postmortems ORDER BY incident_date") == [
        ("Markdown", "markdown"), ("Markdown long", "markdown"), ("Texte", "markdown"), ("Json", "json"),
        ("Yaml", "yaml"), ("Yml", "yaml"), ("Csv", "csv"), ("Html", "html"), ("Word", "docx")]


def test_several_paths_files_and_folders(cli, db, tmp_path):
    a = tmp_path / "a"
    b = tmp_path / "b"
    write(a, "pm.md", GOOD_MD)
    single = write(b, "pm-cert.json", GOOD_JSON)
    write(b, "ignored-because-folder-b-is-not-given.json", '{"id": "PM-NO", "title": "No"}')
    code, out, err = cli("ingest", a, single, "--db", db)
    assert code == 0, out + err
    assert "2 file(s) loaded, 0 unchanged, 0 rejected (of 2 found)" in out
    assert sorted(t for (t,) in query(db, "SELECT title FROM postmortems")) == [
        "Certificat expiré", "Panne API paiements"]


# ---------------------------------------------------------------- exit 1


def test_some_files_rejected_exits_1_and_loads_the_others(cli, db, exports):
    write(exports, "pm-api.md", GOOD_MD)
    write(exports, "pm-cert.json", GOOD_JSON)
    bad = write(exports, "pm-broken.json", BROKEN_JSON)
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 1, out + err
    assert f"REJECTED {bad.resolve()}:4: {JSON_ERROR}" in out.splitlines()
    assert "2 file(s) loaded, 0 unchanged, 1 rejected (of 3 found)" in out
    assert "2 post-mortem(s), 3 action(s)" in out
    assert sorted(t for (t,) in query(db, "SELECT title FROM postmortems")) == [
        "Certificat expiré", "Panne API paiements"]
    assert query(db, "SELECT source_path, line, level, message FROM ingest_errors WHERE level = 'error'") == [
        (str(bad.resolve()), 4, "error", JSON_ERROR)]
    assert query(db, "SELECT status FROM source_files WHERE source_path = ?", [str(bad.resolve())]) == [("rejected",)]


def test_rejected_file_is_reported_again_on_the_next_run(cli, db, exports):
    write(exports, "pm-api.md", GOOD_MD)
    bad = write(exports, "pm-broken.json", BROKEN_JSON)
    assert cli("ingest", exports, "--db", db)[0] == 1
    code, out, _ = cli("ingest", exports, "--db", db)
    assert code == 1
    assert f"REJECTED {bad.resolve()}:4: {JSON_ERROR}" in out.splitlines()
    assert "0 file(s) loaded, 1 unchanged, 1 rejected (of 2 found)" in out


# ---------------------------------------------------------------- exit 2


def test_unknown_option_exits_2(cli, db, exports):
    write(exports, "pm.md", GOOD_MD)
    code, out, err = cli("ingest", exports, "--db", db, "--frobnicate")
    assert code == 2
    assert "No such option '--frobnicate'" in err  # click's wording
    assert not db.exists()


def test_no_path_exits_2(cli, db):
    code, out, err = cli("ingest", "--db", db)
    assert code == 2
    assert "Missing argument 'PATH...'" in err  # click's wording
    assert not db.exists()


def test_missing_path_exits_2_and_loads_nothing(cli, db, exports, tmp_path):
    write(exports, "pm.md", GOOD_MD)
    missing = tmp_path / "no-such-folder"
    code, out, err = cli("ingest", exports, missing, "--db", db)
    assert code == 2
    assert f"hindsight: error: {missing}: no such file or folder" in err
    assert not db.exists()


@pytest.mark.parametrize("name, text, reason", [
    ("missing.yaml", None, "configuration file not found"),
    ("broken.yaml", "aliases: [unclosed\n", "not valid YAML"),
    ("list.yaml", "- just\n- a list\n", "must be a mapping of sections, not list"),
    ("unknown.yaml", "colours:\n  red: 1\n", "unknown section(s) colours"),
])
def test_bad_config_file_exits_2(cli, db, exports, tmp_path, name, text, reason):
    write(exports, "pm.md", GOOD_MD)
    config = tmp_path / name
    if text is not None:
        config.write_text(text, encoding="utf-8")
    code, out, err = cli("ingest", exports, "--db", db, "--config", config)
    assert code == 2
    assert err.startswith("hindsight: error: ")
    assert str(config) in err and reason in err
    assert not db.exists()


def test_good_config_file_is_used(cli, db, exports, tmp_path):
    write(exports, "pm.md", GOOD_MD.replace("**Sévérité**: P1", "**Sévérité**: apocalyptique"))
    config = write(tmp_path, "hindsight.yaml", """
        vocabularies:
          severity:
            P1: ["apocalyptique"]
    """)
    code, out, err = cli("ingest", exports, "--db", db, "--config", config)
    assert code == 0, out + err
    assert scalar(db, "SELECT severity FROM postmortems") == "P1"
    assert scalar(db, "SELECT config FROM ingest_runs") == str(config)


# ---------------------------------------------------------------- python -m hindsight


def test_python_m_hindsight_help():
    proc = subprocess.run([sys.executable, "-m", "hindsight", "--help"], cwd=ROOT, capture_output=True, text=True,
                          env=_no_db_env(), timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Usage: hindsight")
    assert "ingest" in proc.stdout and "demo" in proc.stdout

    proc = subprocess.run([sys.executable, "-m", "hindsight", "ingest", "--help"], cwd=ROOT, capture_output=True,
                          text=True, env=_no_db_env(), timeout=120)
    assert proc.returncode == 0, proc.stderr
    for option in ("PATH", "--db", "--config", "--strict"):
        assert option in proc.stdout


def test_python_m_hindsight_ingest_in_a_separate_process(db, exports):
    write(exports, "pm.md", GOOD_MD)
    bad = write(exports, "broken.json", BROKEN_JSON)
    proc = subprocess.run([sys.executable, "-m", "hindsight", "ingest", str(exports), "--db", str(db)], cwd=ROOT,
                          capture_output=True, text=True, env=_no_db_env(), timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"REJECTED {bad.resolve()}:4: {JSON_ERROR}" in proc.stdout.splitlines()
    assert "1 file(s) loaded, 0 unchanged, 1 rejected (of 2 found)" in proc.stdout
    assert query(db, "SELECT title FROM postmortems") == [("Panne API paiements",)]

    proc = subprocess.run([sys.executable, "-m", "hindsight", "ingest", str(exports), "--bogus"], cwd=ROOT,
                          capture_output=True, text=True, env=_no_db_env(), timeout=300)
    assert proc.returncode == 2


# ---------------------------------------------------------------- where the database is


def test_default_database_is_data_hindsight_duckdb(cli, exports, tmp_path, monkeypatch):
    write(exports, "pm.md", GOOD_MD)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    code, out, err = cli("ingest", exports)
    assert code == 0, out + err
    default = work / "data" / "hindsight.duckdb"
    assert default.exists()
    assert query(default, "SELECT title FROM postmortems") == [("Panne API paiements",)]


def test_hindsight_db_env_overrides_the_default(cli, exports, tmp_path, monkeypatch):
    write(exports, "pm.md", GOOD_MD)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    env_db = tmp_path / "from-env.duckdb"
    monkeypatch.setenv("HINDSIGHT_DB", str(env_db))
    code, out, err = cli("ingest", exports)
    assert code == 0, out + err
    assert query(env_db, "SELECT title FROM postmortems") == [("Panne API paiements",)]
    assert not (work / "data" / "hindsight.duckdb").exists()


def test_db_option_overrides_env_and_default(cli, exports, tmp_path, monkeypatch):
    write(exports, "pm.md", GOOD_MD)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    env_db = tmp_path / "from-env.duckdb"
    flag_db = tmp_path / "from-flag.duckdb"
    monkeypatch.setenv("HINDSIGHT_DB", str(env_db))
    code, out, err = cli("ingest", exports, "--db", flag_db)
    assert code == 0, out + err
    assert query(flag_db, "SELECT title FROM postmortems") == [("Panne API paiements",)]
    assert not env_db.exists()
    assert not (work / "data" / "hindsight.duckdb").exists()


# ---------------------------------------------------------------- --strict


def test_strict_loads_nothing_when_a_file_is_rejected(cli, db, exports):
    write(exports, "pm-api.md", GOOD_MD)
    assert cli("ingest", exports, "--db", db)[0] == 0
    before = db.read_bytes()

    write(exports, "pm-cert.json", GOOD_JSON)  # good, but must not be loaded either
    bad = write(exports, "pm-broken.json", BROKEN_JSON)
    code, out, err = cli("ingest", exports, "--db", db, "--strict")
    assert code == 1, out + err
    assert f"REJECTED {bad.resolve()}:4: {JSON_ERROR}" in out.splitlines()
    assert "nothing was loaded" in out
    assert db.read_bytes() == before
    assert query(db, "SELECT title FROM postmortems") == [("Panne API paiements",)]
    assert scalar(db, "SELECT count(*) FROM ingest_runs") == 1
    assert scalar(db, "SELECT count(*) FROM ingest_errors") == 0


def test_strict_on_a_new_database_creates_nothing(cli, db, exports):
    write(exports, "pm-api.md", GOOD_MD)
    write(exports, "pm-broken.json", BROKEN_JSON)
    code, out, _ = cli("ingest", exports, "--db", db, "--strict")
    assert code == 1
    assert not db.exists()


def test_strict_with_only_good_files_loads_them(cli, db, exports):
    write(exports, "pm-api.md", GOOD_MD)
    write(exports, "pm-cert.json", GOOD_JSON)
    code, out, err = cli("ingest", exports, "--db", db, "--strict")
    assert code == 0, out + err
    assert "2 file(s) loaded, 0 unchanged, 0 rejected (of 2 found)" in out
    assert scalar(db, "SELECT count(*) FROM postmortems") == 2
