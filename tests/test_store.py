"""The writer works on a copy and renames it over the database: readers never block an ingest,
and a crash (an exception, or SIGKILL mid-transaction) leaves the previous file as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import duckdb
import pytest

from analytics.db import connect_readonly, db_version
from conftest import ROOT, query, scalar, write
from pipeline import store

PM_A = """
    # Post-Mortem: Panne API paiements

    **Date de l'incident**: 2024-03-10
    **Date du post-mortem**: 2024-03-12

    ## Actions Correctives

    | Action | Owner | Deadline | Priority | Status |
    |--------|-------|----------|----------|--------|
    | Ajouter lint rule N+1 | @dev-1 | 2024-03-20 | High | Todo |
"""

PM_B = '{"id": "PM-B", "title": "Certificat expiré", "incident_date": "2024-04-02"}'
PM_C = "id: PM-C\ntitle: Disque plein\nincident_date: 2024-05-01\n"


def _env() -> dict:
    env = dict(os.environ)
    env.pop("HINDSIGHT_DB", None)
    return env


def _leftovers(db):
    """Temporary copies the writer makes next to the database (".<name>.<pid>.tmp" and its WAL)."""
    return sorted(p.name for p in db.parent.glob(f".{db.name}.*"))


def _titles(db):
    return sorted(t for (t,) in query(db, "SELECT title FROM postmortems"))


# ---------------------------------------------------------------- readers never block an ingest

READER = textwrap.dedent("""
    import sys
    import duckdb

    path = sys.argv[1]
    con = duckdb.connect(path, read_only=True)
    print(con.execute("SELECT count(*) FROM postmortems").fetchone()[0], flush=True)
    sys.stdin.readline()  # the test ingests meanwhile
    print(con.execute("SELECT count(*) FROM postmortems").fetchone()[0], flush=True)
    con.close()
    con = duckdb.connect(path, read_only=True)
    print(con.execute("SELECT count(*) FROM postmortems").fetchone()[0], flush=True)
    con.close()
""")


def test_reader_process_holding_the_database_open_does_not_block_an_ingest(cli, db, exports):
    write(exports, "a.md", PM_A)
    assert cli("ingest", exports, "--db", db)[0] == 0

    reader = subprocess.Popen([sys.executable, "-c", READER, str(db)], cwd=ROOT, env=_env(), text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert reader.stdout.readline().strip() == "1"  # the connection is open
        write(exports, "b.json", PM_B)
        code, out, err = cli("ingest", exports, "--db", db)
        assert code == 0, out + err
        assert "1 file(s) loaded, 1 unchanged, 0 rejected (of 2 found)" in out
        assert _titles(db) == ["Certificat expiré", "Panne API paiements"]  # a new connection sees the new data
        rest, errors = reader.communicate("\n", timeout=120)
    finally:
        if reader.poll() is None:
            reader.kill()
            reader.wait()
    assert reader.returncode == 0, errors
    # The open connection kept reading the old file, unharmed; reopening shows the new data.
    assert rest.split() == ["1", "2"]


def test_subprocess_ingest_while_a_reader_is_open(cli, db, exports):
    write(exports, "a.md", PM_A)
    assert cli("ingest", exports, "--db", db)[0] == 0
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM postmortems").fetchone()[0] == 1
        write(exports, "b.json", PM_B)
        proc = subprocess.run([sys.executable, "-m", "hindsight", "ingest", str(exports), "--db", str(db)], cwd=ROOT,
                              env=_env(), capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert con.execute("SELECT count(*) FROM postmortems").fetchone()[0] == 1  # the old file, still readable
    finally:
        con.close()
    assert _titles(db) == ["Certificat expiré", "Panne API paiements"]


def test_reader_in_the_same_process_sees_new_data_on_a_new_connection(cli, db, exports):
    """The dashboard's connect_readonly: a connection opened after the ingest sees the new data even while
    an older one is still open in the same process."""
    write(exports, "a.md", PM_A)
    assert cli("ingest", exports, "--db", db)[0] == 0
    old = connect_readonly(db)
    try:
        assert old.execute("SELECT count(*) FROM postmortems").fetchone()[0] == 1
        write(exports, "b.json", PM_B)
        code, out, err = cli("ingest", exports, "--db", db)
        assert code == 0, out + err
        new = connect_readonly(db)
        try:
            assert new.execute("SELECT count(*) FROM postmortems").fetchone()[0] == 2
        finally:
            new.close()
    finally:
        old.close()


def test_db_version_changes_when_an_ingest_swaps_the_file(cli, db, exports):
    assert db_version(db) is None
    write(exports, "a.md", PM_A)
    assert cli("ingest", exports, "--db", db)[0] == 0
    first = db_version(db)
    assert first is not None
    assert cli("ingest", exports, "--db", db)[0] == 0  # nothing new, but a run is recorded
    write(exports, "b.json", PM_B)
    assert cli("ingest", exports, "--db", db)[0] == 0
    assert db_version(db) != first


# ---------------------------------------------------------------- crash by exception


def test_exception_inside_the_writer_leaves_the_file_byte_identical(cli, db, exports):
    write(exports, "a.md", PM_A)
    assert cli("ingest", exports, "--db", db)[0] == 0
    before = db.read_bytes()

    with pytest.raises(RuntimeError, match="boom"):
        with store.writer(db) as con:
            con.execute("DELETE FROM actions")
            con.execute("DELETE FROM postmortems")
            con.execute("INSERT INTO ingest_errors VALUES (99, 'x', 1, 'error', 'never committed')")
            raise RuntimeError("boom")

    assert db.read_bytes() == before
    assert _leftovers(db) == []
    assert _titles(db) == ["Panne API paiements"]
    assert scalar(db, "SELECT count(*) FROM actions") == 1
    assert scalar(db, "SELECT count(*) FROM ingest_errors WHERE run_id = 99") == 0

    # And the next ingest works.
    write(exports, "b.json", PM_B)
    assert cli("ingest", exports, "--db", db)[0] == 0
    assert _titles(db) == ["Certificat expiré", "Panne API paiements"]


def test_exception_on_a_new_database_creates_no_file(db):
    with pytest.raises(KeyboardInterrupt):
        with store.writer(db) as con:
            con.execute("INSERT INTO schema_info VALUES ('x', 'y')")
            raise KeyboardInterrupt
    assert not db.exists()
    assert _leftovers(db) == []


def test_writer_commits_on_success(db):
    with store.writer(db) as con:
        con.execute("INSERT INTO schema_info VALUES ('probe', 'ok')")
    assert query(db, "SELECT value FROM schema_info WHERE key = 'probe'") == [("ok",)]
    assert _leftovers(db) == []


# ---------------------------------------------------------------- crash by SIGKILL

KILLED_WRITER = textwrap.dedent("""
    import os
    import signal
    import sys

    from pipeline import store

    with store.writer(sys.argv[1]) as con:
        con.execute("DELETE FROM actions")
        con.execute("DELETE FROM postmortems")
        con.execute("INSERT INTO ingest_errors VALUES (99, 'killed', 1, 'error', 'never committed')")
        print("inserted", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    print("not reached", flush=True)
""")


def test_writer_killed_mid_transaction_leaves_the_previous_file_and_the_next_ingest_succeeds(cli, db, exports):
    write(exports, "a.md", PM_A)
    write(exports, "b.json", PM_B)
    assert cli("ingest", exports, "--db", db)[0] == 0
    before = db.read_bytes()

    proc = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(db)], cwd=ROOT, env=_env(),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stdout + proc.stderr
    assert proc.stdout.split() == ["inserted"]

    assert db.read_bytes() == before
    assert _titles(db) == ["Certificat expiré", "Panne API paiements"]
    assert scalar(db, "SELECT count(*) FROM actions") == 1
    assert scalar(db, "SELECT count(*) FROM ingest_errors WHERE run_id = 99") == 0

    # The next ingest takes the lock the dead process held, clears its copy and loads.
    write(exports, "c.yaml", PM_C)
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    assert "1 file(s) loaded, 2 unchanged, 0 rejected (of 3 found)" in out
    assert _titles(db) == ["Certificat expiré", "Disque plein", "Panne API paiements"]
    assert scalar(db, "SELECT count(*) FROM actions") == 1
    assert _leftovers(db) == []


def test_writer_killed_before_the_first_ingest_leaves_no_database(cli, db, exports):
    proc = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(db)], cwd=ROOT, env=_env(),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stdout + proc.stderr
    assert not db.exists()
    write(exports, "a.md", PM_A)
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    assert _titles(db) == ["Panne API paiements"]
    assert _leftovers(db) == []
