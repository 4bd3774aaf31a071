"""An ingest run: find the files, skip the unchanged, parse the rest in parallel while loading them in
batches, all in one transaction swapped in at the end (pipeline.store).

A file is unchanged when its size and modification time are the ones recorded by the last run that
loaded it (not even opened), or when they differ but its bytes hash the same (touched, not changed). So
a run over an unchanged corpus costs a walk of its folders and one query, and a run over a corpus of
which 1% changed costs that plus 1% of a full load.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import duckdb

from pipeline import store
from pipeline.config import Config
from pipeline.discover import Found, discover
from pipeline.errors import UsageError  # noqa: F401  (callers catch it from here)
from pipeline.formats import sha256
from pipeline.model import Problem

PARALLEL_THRESHOLD = 64  # files; below this, starting worker processes costs more than it saves
REPLACED_KEPT = 2_000  # changed files whose rows are parsed ahead and kept, not parsed twice


@dataclass
class RunResult:
    run_id: int | None
    files_seen: int = 0
    loaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    copies: list[str] = field(default_factory=list)  # loaded, adding nothing: their content is loaded already
    postmortems: int = 0
    actions: int = 0
    incidents: int = 0
    tracker_updates: int = 0
    tickets_read: int = 0  # rows of the tracker exports (Jira, GitHub) loaded in this run
    tickets_unmatched: int = 0  # of which name no loaded action (each listed at level "info")
    problems: list[tuple[str, Problem]] = field(default_factory=list)
    committed: bool = True
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step, for bench/ingest_bench.py

    @property
    def warnings(self) -> int:
        return sum(p.level == "warning" for _, p in self.problems)

    @property
    def errors(self) -> int:
        return sum(p.level == "error" for _, p in self.problems)


class StrictAbort(Exception):
    def __init__(self, result: RunResult):
        super().__init__("--strict: some files were rejected, so nothing was loaded")
        self.result = result


@dataclass
class Plan:
    """What a run has to read: jobs (path, size, mtime_ns) in path order; of them, the files whose earlier
    rows they replace; the files found unchanged; and those rejected before and unchanged since, whose
    errors are reported again as they were recorded, without reading them."""

    jobs: list[tuple[str, int, int]]
    replaced: set[str]
    unchanged: list[str]
    still_rejected: list[str]


def run(paths: list[str | Path], db: str | Path, cfg: Config, *, strict: bool = False,
        workers: int | None = None, follow_links: bool = False,
        progress_factory: Callable[[int], object] | None = None) -> RunResult:
    """Ingest ``paths`` into ``db``. Returns what happened; raises pipeline.errors.IngestFailed (UsageError,
    WriterBusy, StoreFailed, WorkerDied) when the run cannot be done, StrictAbort under --strict."""
    clock = _Clock()
    found, walk_problems = discover(paths, cfg, follow_links)
    clock.lap("discover")
    now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    with store.writer(db) as con:
        run_id = con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM ingest_runs").fetchall()[0][0]
        work = plan(con, found)
        result = RunResult(run_id=run_id, files_seen=len(found), unchanged=work.unchanged)
        clock.lap("plan")
        if work.jobs:
            _load(con, work, cfg, now, result, _workers(workers, len(work.jobs)), progress_factory, clock)
        rejected_again = _report_again(con, work.still_rejected, run_id)
        result.rejected += work.still_rejected
        result.problems = sorted(walk_problems + result.problems + rejected_again, key=lambda item: item[0])
        if strict and result.rejected:
            result.committed = False
            raise StrictAbort(result)
        _record_run(con, result, paths, cfg, now, walk_problems)
        clock.lap("record")
        from pipeline import derived  # imported here, like the parsers: see _load
        derived.write(con, cfg.raw, run_id, rows_changed=bool(work.jobs))
        clock.lap("derive")
    clock.lap("commit and swap")
    result.timings = clock.laps
    return result


def _workers(asked: int | None, jobs: int) -> int:
    if jobs < PARALLEL_THRESHOLD:
        return 1
    return asked if asked is not None else (os.cpu_count() or 1)


def plan(con: duckdb.DuckDBPyConnection, found: list[Found]) -> Plan:
    """Compare what was found with what the runs before recorded; read and hash only the files whose size
    or modification time moved since they were loaded."""
    recorded = {path: (size, mtime_ns, status) for path, size, mtime_ns, status in con.execute(
        "SELECT source_path, size, mtime_ns, status FROM source_files").fetchall()}
    moved, still_rejected = [], []
    for f in found:
        size, mtime_ns, status = recorded.get(f.path, (None, None, None))
        if (size, mtime_ns) != (f.size, f.mtime_ns):
            moved.append(f)
        elif status == "rejected":
            still_rejected.append(f.path)
    known = _recorded_files(con, [f.path for f in moved])
    jobs, touched = [], []
    for f in moved:
        status, known_hash = known.get(f.path, (None, None))
        if status == "loaded" and _hash_of(f.path) == known_hash:
            touched.append(f)
        else:
            jobs.append(tuple(f))
    _note_touched(con, touched)
    to_read = {path for path, _, _ in jobs} | set(still_rejected)
    unchanged = [f.path for f in found if f.path not in to_read]
    return Plan(jobs, _holding_rows(con, [path for path, _, _ in jobs if path in known]), unchanged,
                still_rejected)


def _recorded_files(con: duckdb.DuckDBPyConnection, paths: list[str]) -> dict[str, tuple[str, str]]:
    """What the runs before recorded of these files: (status, hash)."""
    if not paths:
        return {}
    return {path: (status, digest) for path, status, digest in con.execute(
        "SELECT source_path, status, content_sha256 FROM source_files WHERE source_path IN (SELECT unnest(?))",
        [paths]).fetchall()}


def _hash_of(path: str) -> str | None:
    try:
        return sha256(Path(path).read_bytes())
    except OSError:
        return None  # read again by a worker, which rejects it with the reason


def _note_touched(con: duckdb.DuckDBPyConnection, touched: list[Found]) -> None:
    """Files touched but not changed keep their rows; their new size and time spare the next run a hash."""
    if touched:
        con.execute("""
            UPDATE source_files SET size = now.size, mtime_ns = now.mtime_ns
            FROM (SELECT unnest(?) AS path, unnest(?) AS size, unnest(?) AS mtime_ns) now
            WHERE source_files.source_path = now.path""",
                    [[f.path for f in touched], [f.size for f in touched], [f.mtime_ns for f in touched]])


def _holding_rows(con: duckdb.DuckDBPyConnection, paths: list[str]) -> set[str]:
    """Of these files, the ones with rows in the tables (a rejected file keeps what it loaded before)."""
    if not paths:
        return set()
    return {path for (path,) in con.execute("""
        WITH wanted AS (SELECT unnest(?) AS path)
        SELECT source_path FROM postmortems WHERE source_path IN (SELECT path FROM wanted)
        UNION SELECT source_path FROM actions WHERE source_path IN (SELECT path FROM wanted)
        UNION SELECT source_path FROM incidents WHERE source_path IN (SELECT path FROM wanted)""",
        [paths]).fetchall()}


def _load(con, work: Plan, cfg: Config, now: datetime, result: RunResult, workers: int,
          progress_factory, clock: _Clock) -> None:
    # Imported here: the parsers and Arrow take about a second to import, which a run that finds
    # nothing to read never pays.
    from pipeline.load import Loader
    from pipeline.workers import Parser

    loader = Loader(con, result.run_id, now)
    bar = progress_factory(len(work.jobs)) if progress_factory else None
    try:
        with Parser(cfg, now, workers) as parser:
            ready = _replace(loader, parser, work)
            for chunk in parser.parse(work.jobs, ready):
                loader.add(chunk)
                if bar is not None:
                    bar.update(len(chunk.files))
            clock.lap("parse and load")
            clock.laps["waiting for parsers"] = parser.waited
    finally:
        if bar is not None:
            bar.close()
    loader.finish()
    clock.lap("finish")
    result.loaded, result.rejected, result.copies = loader.loaded, loader.rejected, loader.copies
    result.problems = loader.problems
    counts = loader.counts
    result.postmortems, result.actions = counts.postmortems, counts.actions
    result.incidents, result.tracker_updates = counts.incidents, counts.tracker_updates
    result.tickets_read, result.tickets_unmatched = counts.tickets_read, counts.tickets_unmatched


def _replace(loader, parser, work: Plan) -> dict:
    """Files that replace rows loaded before are parsed first: the old rows of those that parse go before
    any batch is checked against the database, so no file is taken for a copy of, or refused an id held
    by, an old version about to go away; those that are rejected keep their rows. Their parsed rows are
    kept for the run when they are few, else parsed again in their turn."""
    if not work.replaced:
        return {}
    jobs = [job for job in work.jobs if job[0] in work.replaced]
    keep = len(jobs) <= REPLACED_KEPT
    ready, accepted = {}, []
    for chunk in parser.parse(jobs, chunk_files=1):
        f = chunk.files[0]
        if not f.rejected:
            accepted.append(f.path)
        if keep:
            ready[f.path] = chunk
    loader.forget(accepted)
    return ready


def _report_again(con: duckdb.DuckDBPyConnection, paths: list[str], run_id: int) -> list[tuple[str, Problem]]:
    """The problems recorded when these files were rejected, recorded again for this run."""
    if not paths:
        return []
    rows = con.execute("""
        SELECT errors.source_path, errors.line, errors.level, errors.message
        FROM ingest_errors errors JOIN source_files files USING (source_path, run_id)
        WHERE files.source_path IN (SELECT unnest(?)) ORDER BY errors.source_path, errors.rowid""", [paths]).fetchall()
    if rows:
        con.executemany("INSERT INTO ingest_errors VALUES (?, ?, ?, ?, ?)", [(run_id, *row) for row in rows])
    return [(path, Problem(level, message, line)) for path, line, level, message in rows]


def _record_run(con, result: RunResult, paths, cfg: Config, started: datetime, walk_problems) -> None:
    finished = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    if walk_problems:  # a few rows: the links skipped
        con.executemany("INSERT INTO ingest_errors VALUES (?, ?, ?, ?, ?)",
                        [(result.run_id, path, p.line, p.level, p.message) for path, p in walk_problems])
    con.execute("INSERT INTO ingest_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
        result.run_id, started, finished, "\n".join(str(p) for p in paths), cfg.source, result.files_seen,
        len(result.loaded), len(result.unchanged), len(result.rejected), result.postmortems, result.actions,
        result.warnings, result.errors])


class _Clock:
    """Seconds spent in each step of a run."""

    def __init__(self):
        self.laps: dict[str, float] = {}
        self.mark = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = self.laps.get(name, 0.0) + now - self.mark
        self.mark = now
