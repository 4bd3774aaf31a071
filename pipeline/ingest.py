"""An ingest run: find files, skip the unchanged, parse the rest in parallel, load in one swap."""

from __future__ import annotations

import fnmatch
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

import duckdb
import pyarrow as pa

from pipeline import store
from pipeline.config import Config
from pipeline.load import insert, load
from pipeline.model import ParsedFile, Problem
from pipeline.parse import format_of, parse_file, sha256

PARALLEL_THRESHOLD = 64  # below this, a process pool costs more than it saves


class UsageError(Exception):
    pass


@dataclass
class RunResult:
    run_id: int | None
    files_seen: int = 0
    loaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    postmortems: int = 0
    actions: int = 0
    incidents: int = 0
    tracker_updates: int = 0
    tickets_read: int = 0  # rows of the tracker exports (Jira, GitHub) loaded in this run
    tickets_unmatched: int = 0  # of which name no loaded action (each listed at level "info")
    problems: list[tuple[str, Problem]] = field(default_factory=list)
    committed: bool = True

    @property
    def warnings(self) -> int:
        return sum(p.level == "warning" for _, p in self.problems)

    @property
    def errors(self) -> int:
        return sum(p.level == "error" for _, p in self.problems)


def discover(paths: Iterable[str | Path], cfg: Config) -> list[Path]:
    """Every supported file under the given paths, sorted, excluding the configured patterns.
    A file named explicitly is read whatever its name."""
    found: dict[str, Path] = {}
    for raw in paths:
        root = Path(raw)
        if not root.exists():
            raise UsageError(f"{raw}: no such file or folder")
        if root.is_file():
            found[str(root.resolve())] = root.resolve()
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not _excluded(d, cfg))
            for name in filenames:
                full = Path(dirpath) / name
                rel = str(full.relative_to(root))
                if format_of(name) and not _excluded(name, cfg) and not _excluded(rel, cfg):
                    found[str(full.resolve())] = full.resolve()
    return [found[k] for k in sorted(found)]


def _excluded(name: str, cfg: Config) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in cfg.excludes)


_WORKER_CFG: Config | None = None


def _init_worker(cfg: Config) -> None:
    global _WORKER_CFG
    _WORKER_CFG = cfg


def _read_and_parse(job: tuple[str, str | None]) -> ParsedFile:
    path, known_hash = job
    cfg = _WORKER_CFG
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        parsed = ParsedFile(path, format_of(path) or "unknown", "", rejected=True)
        parsed.problems.append(Problem("error", f"cannot be read: {exc.strerror or exc}"))
        return parsed
    digest = sha256(data)
    if digest == known_hash:
        return ParsedFile(path, format_of(path) or "unknown", digest, unchanged=True)
    return parse_file(path, data, cfg)


def parse_all(jobs: list[tuple[str, str | None]], cfg: Config, workers: int | None,
              progress: Callable[[int], None] | None = None) -> list[ParsedFile]:
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(jobs) < PARALLEL_THRESHOLD:
        _init_worker(cfg)
        out = []
        for job in jobs:
            out.append(_read_and_parse(job))
            if progress:
                progress(1)
        return out
    chunk = max(1, min(256, len(jobs) // (workers * 8)))
    out = []
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(cfg,)) as pool:
        for parsed in pool.map(_read_and_parse, jobs, chunksize=chunk):
            out.append(parsed)
            if progress:
                progress(1)
    return out


def run(paths: list[str | Path], db: str | Path, cfg: Config, *, strict: bool = False,
        workers: int | None = None, progress_factory: Callable[[int], object] | None = None) -> RunResult:
    """Ingest ``paths`` into ``db``. Returns what happened; raises UsageError for bad arguments."""
    files = discover(paths, cfg)
    started = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    with store.writer(db) as con:
        known = _known_hashes(con)
        run_id = (con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM ingest_runs").fetchone()[0])
        jobs = [(str(p), known.get(str(p))) for p in files]
        bar = progress_factory(len(jobs)) if progress_factory else None
        parsed = parse_all(jobs, cfg, workers, progress=getattr(bar, "update", None))
        if bar is not None:
            bar.close()
        result = RunResult(run_id=run_id, files_seen=len(files))
        changed = [p for p in parsed if not p.unchanged]
        result.unchanged = [p.source_path for p in parsed if p.unchanged]
        result.rejected = [p.source_path for p in changed if p.rejected]
        if strict and result.rejected:
            result.committed = False
            result.problems = [(p.source_path, x) for p in changed for x in p.problems]
            raise StrictAbort(result)
        stats = load(con, changed, run_id, started)
        result.loaded = [p.source_path for p in changed if not p.rejected]
        result.postmortems, result.actions = stats.postmortems, stats.actions
        result.incidents, result.tracker_updates = stats.incidents, stats.tracker_updates
        result.tickets_read, result.tickets_unmatched = stats.tickets_read, stats.tickets_unmatched
        result.problems = [(p.source_path, x) for p in changed for x in p.problems]
        _record(con, result, changed, paths, cfg, started)
    return result


class StrictAbort(Exception):
    def __init__(self, result: RunResult):
        super().__init__("--strict: some files were rejected, so nothing was loaded")
        self.result = result


def _known_hashes(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    # Loaded files are skipped when unchanged; rejected ones are read again, so their errors
    # are reported on every run until they are fixed.
    return dict(con.execute("SELECT source_path, content_sha256 FROM source_files WHERE status = 'loaded'"
                            ).fetchall())


def _record(con, result: RunResult, changed: list[ParsedFile], paths, cfg: Config, started: datetime) -> None:
    now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    seen = pa.table({"source_path": pa.array([p.source_path for p in changed], type=pa.string())})
    con.register("_seen", seen)
    con.execute("DELETE FROM source_files WHERE source_path IN (SELECT source_path FROM _seen)")
    con.unregister("_seen")
    insert(con, "source_files", [
        (p.source_path, p.content_sha256, p.source_format,
         "rejected" if p.rejected else "loaded", result.run_id, now)
        for p in changed])
    insert(con, "ingest_errors", [(result.run_id, path, p.line, p.level, p.message) for path, p in result.problems])
    con.execute("""INSERT INTO ingest_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", [
        result.run_id, started, now, "\n".join(str(p) for p in paths), cfg.source, result.files_seen,
        len(result.loaded), len(result.unchanged), len(result.rejected), result.postmortems, result.actions,
        result.warnings, result.errors])
