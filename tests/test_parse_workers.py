"""Parse workers (pipeline/workers.py): large files are sent first and parsed while the small ones flow past
them, yet the loader still sees every file in path order (so the first file in path order wins a duplicate
id), and a worker that dies mid-run stops the run with one line and the database unchanged."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import datetime

import pytest

from conftest import ROOT, query, write
from pipeline import workers
from hindsight.config import read_config
from pipeline.config import build
from pipeline.workers import Parser
from test_ingest_signals import processes_marked

HEADER = "id,title,incident_date,severity,team\n"


def big_csv(folder, name: str, rows: int, first_id: str | None = None):
    """A post-mortem CSV over pipeline.workers.LARGE_FILE bytes: ``rows`` rows of padded titles."""
    lines = [HEADER]
    if first_id:
        lines.append(f"{first_id},Duplicate of the small file,2024-03-01,SEV2,payments\n")
    lines += [f"PM-BIG-{n:05d},Disk full on node {n} {'x' * 60},2024-03-01,SEV2,payments\n" for n in range(rows)]
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(lines))
    assert path.stat().st_size >= workers.LARGE_FILE
    return path


def small_md(folder, name: str, pm_id: str):
    return write(folder, name, f"""
        ---
        id: {pm_id}
        team: search
        ---
        # Post-Mortem: Cache stampede {pm_id} - 2024-02-0{len(name) % 9 + 1}

        ## Actions
        | Action | Owner | Due | Priority | Status |
        |---|---|---|---|---|
        | Add jitter | Ana | 2024-03-01 | High | Done |
        """)


def jobs_of(folder) -> list[tuple[str, int, int]]:
    paths = sorted(p for p in folder.rglob("*") if p.is_file())
    return [(str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in paths]


def test_chunks_come_back_in_path_order_with_large_files_sent_first(exports):
    # 3 large CSVs placed first, in the middle and last in path order, among 60 small Markdown files.
    big_csv(exports, "a-first.csv", 4000)
    for n in range(30):
        small_md(exports, f"b/{n:02d}.md", f"PM-B{n:02d}")
    big_csv(exports, "c-middle.csv", 4000)
    for n in range(30):
        small_md(exports, f"d/{n:02d}.md", f"PM-D{n:02d}")
    big_csv(exports, "e-last.csv", 4000)
    jobs = jobs_of(exports)
    pieces = list(workers._pieces(jobs, {}, workers.CHUNK_FILES))
    order, early = workers._dispatch_order(pieces)
    large = [i for i, piece in enumerate(pieces) if piece[0][0].endswith(".csv")]
    assert len(large) == 3 and all(len(pieces[i]) == 1 for i in large)  # each alone in its piece
    assert sorted(order[:3]) == large == sorted(early)  # and sent before any small file

    with Parser(build(read_config()), datetime(2026, 1, 1), workers=2) as parser:
        seen = [f.path for chunk in parser.parse(jobs) for f in chunk.files]
    assert seen == [job[0] for job in jobs]


def test_the_first_file_in_path_order_wins_even_when_a_larger_later_one_is_parsed_first(cli, db, exports):
    small_md(exports, "a.md", "PM-1")
    big_csv(exports, "z.csv", 4000, first_id="PM-1")  # sent to a worker first, but second in path order
    code, out, err = cli("ingest", exports, "--db", db, "--workers", "2")
    assert code == 1, out + err  # 1: the duplicate row was refused
    assert query(db, "SELECT source_path FROM postmortems WHERE postmortem_id = 'PM-1'") == [(str(exports / "a.md"),)]
    assert query(db, "SELECT count(*) FROM postmortems") == [(1 + 4000,)]
    assert "post-mortem id 'PM-1' is already loaded from" in out + err


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_worker_killed_mid_run_stops_the_run_and_changes_nothing(tmp_path):
    from hindsight.demo import write_demo_corpus

    corpus, db = tmp_path / "corpus", tmp_path / "hindsight.duckdb"
    write_demo_corpus(corpus, count=300, seed=3)
    small_md(tmp_path / "first", "one.md", "PM-FIRST")
    env = {k: v for k, v in os.environ.items() if k != "HINDSIGHT_DB"}
    subprocess.run([sys.executable, "-m", "hindsight", "ingest", str(tmp_path / "first"), "--db", str(db)],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    before = db.read_bytes()

    env["HINDSIGHT_TEST_RUN"] = marker = uuid.uuid4().hex
    proc = subprocess.Popen([sys.executable, "-m", "hindsight", "ingest", str(corpus), "--db", str(db),
                             "--workers", "2"], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # the two workers are the marked processes other than the ingest
        children = [pid for pid in processes_marked(marker) if pid != proc.pid]
        if len(children) == 2:
            break
        time.sleep(0.01)
    assert len(children) == 2, "the workers never started"
    time.sleep(0.3)  # well inside the run: 300 post-mortems take seconds to parse
    os.kill(children[0], signal.SIGKILL)
    out, err = proc.communicate(timeout=120)

    assert proc.returncode == 2, out + err
    assert "a parsing process stopped unexpectedly" in err
    assert "Traceback" not in err
    assert db.read_bytes() == before
    assert processes_marked(marker) == []


def test_a_large_file_far_down_the_path_order_is_sent_first_without_stalling(exports, monkeypatch):
    """The window bounds how far ahead of the awaited piece small pieces are parsed; the large files sent
    first are outside it (they are at most FIRST_LARGE). Before this was said, a large file more than a
    window down the path order was held back by the window while heading the queue: nothing was sent and
    the parser waited for ever."""
    import threading

    monkeypatch.setattr(workers, "WINDOW", 1)  # with 2 workers, 2 pieces ahead of the awaited one
    for n in range(40):  # three pieces of small files (16 + 16 + 8) before the large one
        small_md(exports, f"a/{n:02d}.md", f"PM-A{n:02d}")
    big_csv(exports, "z-last.csv", 4000)
    jobs = jobs_of(exports)
    seen: list[str] = []

    def parse_all():
        with Parser(build(read_config()), datetime(2026, 1, 1), workers=2) as parser:
            seen.extend(f.path for chunk in parser.parse(jobs) for f in chunk.files)

    thread = threading.Thread(target=parse_all, daemon=True)
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive(), "the parser stalled"
    assert seen == [job[0] for job in jobs]
