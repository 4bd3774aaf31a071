"""Fuzz the whole ingest: mutate the repository's real documents (bench/fuzz_corpus.py) into thousands of
files, and run them through the real `hindsight ingest` into a temporary DuckDB, a batch at a time.

    .venv/bin/python bench/fuzz.py [--count 10000] [--seed 1] [--batch 500] [--workers 2]

Reports (and exits 1 unless all hold): uncaught exceptions (a traceback from the ingest, an exit code other
than 0 or 1, or parse_file raising), files whose parse took over 5 s of CPU (each file is also parsed alone
in a worker, timed), the peak memory (RSS summed over the ingest's process tree, sampled every 50 ms) under
1 GiB, and every rejected file with an error row in ingest_errors. A finding names the document's number:
`fuzz_corpus.document(load_sources(), seed, i)` makes the same bytes again.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import date
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fuzz_corpus  # noqa: E402

ROOT = fuzz_corpus.ROOT
HINDSIGHT = [sys.executable, "-m", "hindsight"]
SLOW = 5.0  # CPU seconds a file's parse may take at most
HANG = 120.0  # a parse still running after this is reported as a hang and its worker replaced
MEMORY_LIMIT = 1 << 30


# ---------------------------------------------------------------- parse each file alone, timed

_CFG = None


def _init_timer() -> None:
    global _CFG
    from hindsight.config import read_config
    from pipeline.config import build
    _CFG = build(read_config())


def _timed_parse(path: str) -> tuple[str, float, str | None]:
    from pipeline.parse import parse_file
    data = Path(path).read_bytes()
    start = time.process_time()
    try:
        parse_file(path, data, _CFG)
    except BaseException as exc:  # noqa: BLE001 - an uncaught exception is what the fuzz looks for
        return path, time.process_time() - start, f"{type(exc).__name__}: {exc}"[:300]
    return path, time.process_time() - start, None


def time_each(paths: list[str], workers: int) -> tuple[dict[str, float], dict[str, str]]:
    """Each file's parse time, and the exceptions raised. The time is the worker's CPU seconds: the machine
    this runs on is often shared, and wall time there measures the neighbours (a file of 0.8 s of CPU took
    6.5 s of wall time once). A hang still shows, as no result after HANG wall seconds."""
    times, crashes, pending = {}, {}, list(paths)
    while pending:
        pool = multiprocessing.get_context("spawn").Pool(workers, _init_timer)
        results = pool.imap_unordered(_timed_parse, pending)
        try:
            for path, seconds, crash in (results.next(timeout=HANG) for _ in range(len(pending))):
                times[path] = seconds
                if crash:
                    crashes[path] = crash
            pending = []
        except multiprocessing.TimeoutError:
            hung = [p for p in pending if p not in times]
            for p in hung[:workers]:  # one of the files in flight hung; name them all
                times[p] = HANG
                crashes.setdefault(p, f"no result after {HANG:.0f} s (hang)")
            pending = [p for p in pending if p not in times]
        finally:
            pool.terminate()
            pool.join()
    return times, crashes


# ---------------------------------------------------------------- the real ingest, its memory sampled


def _tree_rss(root: int) -> int:
    """Resident bytes of a process and all its descendants (from /proc)."""
    parents, rss = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    tree, frontier = {root}, [root]
    while frontier:
        children = [p for p, parent in parents.items() if parent in frontier and p not in tree]
        tree.update(children)
        frontier = children
    return sum(rss.get(p, 0) for p in tree)


def ingest(folder: Path, db: Path, workers: int) -> tuple[int, str, float, int]:
    """Exit code, stderr, seconds and peak tree RSS of `hindsight ingest folder`."""
    start = time.perf_counter()
    proc = subprocess.Popen([*HINDSIGHT, "ingest", "--db", str(db), "--workers", str(workers), "-q", str(folder)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = [0]

    def sample():
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stderr = proc.communicate()[1]
    sampler.join()
    return proc.returncode, stderr, time.perf_counter() - start, peak[0]


def unexplained_rejections(db: Path, names: list[str]) -> tuple[list[str], list[str]]:
    """Files rejected with no error row in ingest_errors, and files the ingest did not record at all."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        status = dict(con.execute("SELECT source_path, status FROM source_files").fetchall())
        explained = {p for (p,) in con.execute("SELECT DISTINCT source_path FROM ingest_errors WHERE level = 'error'"
                                               ).fetchall()}
    finally:
        con.close()
    by_name = {Path(p).name: p for p in status}
    missing = [n for n in names if n not in by_name]
    silent = [n for n in names if n in by_name and status[by_name[n]] == "rejected" and by_name[n] not in explained]
    return silent, missing


# ---------------------------------------------------------------- the run


def main() -> int:
    args = _arguments()
    sources = fuzz_corpus.load_sources()
    findings: list[str] = []
    totals = Counter()
    mutations = Counter()
    peak, slowest, started = 0, (0.0, ""), time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="hindsight-fuzz-") as tmp:
        db = Path(tmp) / "fuzz.duckdb"
        for first in range(0, args.count, args.batch):
            folder = Path(tmp) / f"batch-{first:05d}"
            folder.mkdir()
            names = []
            for i in range(first, min(first + args.batch, args.count)):
                name, mutation, data = fuzz_corpus.document(sources, args.seed, i)
                (folder / name).write_bytes(data)
                names.append(name)
                mutations[mutation] += 1
            times, crashes = time_each([str(folder / n) for n in names], args.workers)
            for path, crash in crashes.items():
                findings.append(f"{Path(path).name}: parse_file raised {crash}")
            for path, seconds in times.items():
                if seconds > SLOW:
                    findings.append(f"{Path(path).name}: parse took {seconds:.1f} s")
                slowest = max(slowest, (seconds, Path(path).name))
            code, stderr, seconds, rss = ingest(folder, db, args.workers)
            peak = max(peak, rss)
            if code not in (0, 1) or "Traceback" in stderr:
                findings.append(f"batch {first}: ingest exited {code}: {stderr.strip()[-1500:]}")
            silent, missing = unexplained_rejections(db, names) if db.exists() else ([], names)
            findings += [f"{n}: rejected with no error row in ingest_errors" for n in silent]
            findings += [f"{n}: not recorded by the ingest" for n in missing]
            totals.update(files=len(names), bytes=sum((folder / n).stat().st_size for n in names))
            print(f"documents {first}-{first + len(names) - 1}: ingest {seconds:.1f} s, exit {code}, "
                  f"peak {rss / 2**20:.0f} MiB, slowest parse so far {slowest[0]:.2f} s ({slowest[1]}), "
                  f"{len(findings)} findings", flush=True)
            for n in names:
                (folder / n).unlink()
        rejected = _count(db, "SELECT count(*) FROM source_files WHERE status = 'rejected'")
    _report(args, totals, mutations, rejected, peak, slowest, findings, time.perf_counter() - started)
    return 1 if findings or peak >= MEMORY_LIMIT else 0


def _count(db: Path, sql: str) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def _report(args, totals, mutations, rejected, peak, slowest, findings, seconds) -> None:
    print(f"\n{date.today()} on {platform.node()} ({platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}); seed {args.seed}, {args.workers} workers")
    print(f"{totals['files']:,} documents ({totals['bytes'] / 1e6:.0f} MB) in {seconds / 60:.1f} min; "
          f"{rejected:,} rejected, each checked for its ingest_errors row")
    print("mutations: " + ", ".join(f"{m} {n}" for m, n in mutations.most_common()))
    uncaught = sum("raised" in f or "exited" in f for f in findings)
    print(f"uncaught exceptions: {uncaught}; files over {SLOW:.0f} s: {sum('parse took' in f for f in findings)} "
          f"(slowest {slowest[0]:.2f} s, {slowest[1]}); peak RSS of the ingest: {peak / 2**20:.0f} MiB; "
          f"rejected without an error row: {sum('no error row' in f or 'not recorded' in f for f in findings)}")
    for finding in findings:
        print("  " + finding)


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="documents to make (default 10,000)")
    parser.add_argument("--seed", type=int, default=1, help="document i of a seed is always the same bytes")
    parser.add_argument("--batch", type=int, default=500, help="documents per ingest run")
    parser.add_argument("--workers", type=int, default=2, help="parsing processes, for the timing and the ingest")
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(main())
