"""A killed ingest (issue 9 §1): SIGKILL and SIGTERM at random moments of a real `hindsight ingest` in its own
process, with parse workers. After each: the database holds exactly the previous state, no process of that
ingest is left, nothing holds the write lock, and the next ingest starts at once and succeeds. Before the fix,
forked workers outlived their parent holding the lock, and the next ingest waited 600 s."""

from __future__ import annotations

import fcntl
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import uuid

import pytest

from conftest import ROOT, query

TABLES = ("postmortems", "actions", "action_status_history", "timeline_events", "causes", "whys", "learnings",
          "readers", "recurrence_links", "incidents", "tracker_pending", "source_files", "ingest_runs",
          "ingest_errors")
ATTEMPTS = 12  # half SIGKILL, half SIGTERM
INTERRUPTED = "hindsight: interrupted by SIGTERM; the database holds the last completed ingest"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    from hindsight.demo import write_demo_corpus

    folder = tmp_path_factory.mktemp("signals") / "corpus"
    write_demo_corpus(folder, count=400, seed=5)
    return folder


def ingest(folder, db, marker: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "HINDSIGHT_DB"}
    env["HINDSIGHT_TEST_RUN"] = marker  # every process of this ingest inherits it: how the test finds them
    return subprocess.Popen([sys.executable, "-m", "hindsight", "ingest", str(folder), "--db", str(db),
                             "--workers", "2", "--quiet"], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def processes_marked(marker: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/environ", "rb") as f:
                    if f"HINDSIGHT_TEST_RUN={marker}".encode() in f.read().split(b"\0"):
                        found.append(int(entry))
            except OSError:
                continue
    return found


def holders_of(path) -> list[int]:
    """Processes with a descriptor open on ``path``."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fds = os.listdir(f"/proc/{entry}/fd")
            except OSError:
                continue
            for fd in fds:
                try:
                    if os.readlink(f"/proc/{entry}/fd/{fd}") == str(path):
                        found.append(int(entry))
                except OSError:
                    continue
    return found


def contents(db) -> dict[str, list]:
    return {t: sorted(query(db, f"SELECT * FROM {t}"), key=repr) for t in TABLES}


def change_every_file(folder) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            path.write_bytes(path.read_bytes() + b"\n")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_killed_ingests_leave_the_previous_state_and_nothing_running(corpus, tmp_path):
    work, db = tmp_path / "corpus", tmp_path / "hindsight.duckdb"
    shutil.copytree(corpus, work)
    started = time.monotonic()
    first = ingest(work, db, uuid.uuid4().hex)
    first.communicate(timeout=600)
    full_run = time.monotonic() - started
    assert first.returncode == 1  # the corpus's planted malformed files
    before, before_bytes = contents(db), db.read_bytes()
    # Every file changed: each killed run has a whole corpus to read again, replacing every row.
    change_every_file(work)

    rng = random.Random(20240915)
    for attempt in range(ATTEMPTS):
        sig = signal.SIGKILL if attempt % 2 else signal.SIGTERM
        marker = uuid.uuid4().hex
        proc = ingest(work, db, marker)
        time.sleep(rng.uniform(0.02, 0.6) * full_run)  # a run of the changed corpus takes at least full_run
        assert proc.poll() is None, f"attempt {attempt}: the run ended before it was killed"
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=120)
        if sig == signal.SIGKILL:
            assert proc.returncode == -signal.SIGKILL
        else:  # a clean stop: one line, its own exit code
            assert proc.returncode == 128 + signal.SIGTERM, out + err
            assert err.strip().splitlines()[-1] == INTERRUPTED, err
            assert "Traceback" not in err

        deadline = time.monotonic() + 10
        while processes_marked(marker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert processes_marked(marker) == [], f"attempt {attempt}: a process of the killed ingest is alive"
        lock = db.with_name(db.name + ".lock")
        assert holders_of(lock) == []
        with open(lock, "a") as f:  # free at once: not even a moment's wait
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert db.read_bytes() == before_bytes, f"attempt {attempt} ({sig.name}) changed the database"
        if sig == signal.SIGTERM:  # cleaned up on the way out; after SIGKILL, by the next run
            assert sorted(p.name for p in tmp_path.glob(".hindsight.duckdb.*")) == []

    assert contents(db) == before
    started = time.monotonic()
    code = ingest(work, db, uuid.uuid4().hex).wait(timeout=600)
    assert code == 1 and time.monotonic() - started < 300  # the lock would have made it wait 600 s
    assert query(db, "SELECT count(*) FROM ingest_runs") == [(2,)]
    assert sorted(p.name for p in tmp_path.glob(".hindsight.duckdb.*")) == []
    assert contents(db)["source_files"] != before["source_files"]  # the changed files are loaded now
