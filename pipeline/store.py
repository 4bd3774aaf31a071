"""The DuckDB file's one writer, which never disturbs readers (their side is analytics/db.py).

DuckDB lets one process write a file or many read it, not both. So the writer
never opens the live file: it copies it, writes the copy in one transaction and
renames the copy over the original. A dashboard holding the old file open keeps
reading it untouched, sees a new version (inode, mtime) and reopens; a crash
mid-run leaves the previous file as it was.

Two ingests never write at once: each holds an flock on "<database>.lock" (the
real file's name, symbolic links resolved). The kernel drops an flock when every
descriptor of it is closed, so a killed ingest never leaves a stale lock, as
long as no other process holds a copy of the descriptor: parse workers are
started without it (pipeline.workers).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

import duckdb

from pipeline.errors import StoreFailed, UsageError, WriterBusy, describe_os_error

SCHEMA = Path(__file__).with_name("schema.sql").read_text()
SCHEMA_VERSION = "3"  # 3: the ingest writes derived tables (pipeline/derived.py)
WRITER_MEMORY = "160MB"


def real_path(path: str | Path) -> Path:
    """The database file a path names, symbolic links resolved: the lock and the swap act on the target,
    so a link is never replaced by a file, and two names of one database share one lock."""
    real = Path(os.path.realpath(path))
    if real.is_dir():
        raise UsageError(f"is a folder; give the database file (for example {Path(path) / 'hindsight.duckdb'})",
                         path)
    return real


@contextmanager
def writer(path: str | Path, wait_seconds: float = 600):
    """Yield a connection to a private copy of the database; swap it in if the block succeeds.
    Raises StoreFailed (the database could not be read or written), WriterBusy or UsageError; whatever
    happens, the database is as before or wholly this run's, and no temporary file is left."""
    path = real_path(path)
    with _write_lock(path, wait_seconds):
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        _remove_copies(path)  # left by a crashed run; we hold the lock
        con = None
        try:
            con = _open_copy(path, tmp)
            con.execute("BEGIN TRANSACTION")
            yield con
            con.execute("COMMIT")
            con.execute("CHECKPOINT")
            con.close()
            con = None
            _swap(tmp, path)
        except (OSError, duckdb.Error) as exc:
            raise StoreFailed(_describe(path, exc), path) from exc
        finally:
            if con is not None:
                _close_quietly(con)
            _remove_copies(path)


@contextmanager
def _write_lock(path: Path, wait_seconds: float):
    lock_path = path.with_name(path.name + ".lock")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = open(lock_path, "a+")
    except OSError as exc:
        raise StoreFailed(f"cannot create the database here: {describe_os_error(exc)}", path) from exc
    with lock:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise WriterBusy(f"another ingest ({_holder(lock)}) has held the write lock for "
                                     f"{wait_seconds:.0f} s; try again when it has finished", path) from None
                time.sleep(0.2)
        _note_holder(lock)
        yield


def _note_holder(lock) -> None:
    """Write our pid into the lock file, so that a run kept waiting can say who holds it."""
    try:
        lock.seek(0)
        lock.truncate()
        lock.write(str(os.getpid()))
        lock.flush()
    except OSError:
        pass  # only a courtesy for the message above


def _holder(lock) -> str:
    try:
        lock.seek(0)
        pid = lock.read().strip()
    except OSError:
        pid = ""
    return f"process {pid}" if pid.isdigit() else "another process"


def _open_copy(path: Path, tmp: Path) -> duckdb.DuckDBPyConnection:
    if path.exists():
        shutil.copyfile(path, tmp)
    # A run is one transaction, whose rows DuckDB holds in memory until a table has several row groups to
    # write: at 100k post-mortems, 500 MB. Its memory limit has it write them to the copy (or spill next
    # to it) sooner, so the ingest's memory stays flat whatever the corpus size (bench/ingest_bench.py).
    con = duckdb.connect(str(tmp), config={"memory_limit": WRITER_MEMORY})
    try:
        con.execute(SCHEMA)
        con.execute("INSERT OR REPLACE INTO schema_info VALUES ('schema_version', ?)", [SCHEMA_VERSION])
    except BaseException:
        _close_quietly(con)
        raise
    return con


def _swap(tmp: Path, path: Path) -> None:
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _remove_copies(path: Path) -> None:
    """The private copy, its write-ahead log and DuckDB's spill folder, of this run or a crashed one."""
    for leftover in path.parent.glob(f".{path.name}.*.tmp*"):
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)


def _close_quietly(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.close()
    except duckdb.Error:
        pass


def _describe(path: Path, exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return f"could not write the database: {describe_os_error(exc)}; it is unchanged"
    message = str(exc)
    if "not a valid DuckDB database" in message:
        return "not a DuckDB database file (is it the right --db?); it is unchanged"
    if "No space left on device" in message:
        reason = "disk full (no space left on device)"
    elif "Input/output error" in message:
        reason = "input/output error from the disk"
    elif "File too large" in message:
        reason = "file too large for this system's limits"
    else:  # DuckDB's own words, without the name of the private copy
        reason = message.splitlines()[0].replace(f".{path.name}.{os.getpid()}.tmp", path.name)
    return f"could not write the database: {reason}; it is unchanged"
