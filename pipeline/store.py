"""The DuckDB file's one writer, which never disturbs readers (their side is analytics/db.py).

DuckDB lets one process write a file or many read it, not both. So the writer
never opens the live file: it copies it, writes the copy in one transaction and
renames the copy over the original. A dashboard holding the old file open keeps
reading it untouched, sees a new version (inode, mtime) and reopens; a crash
mid-run leaves the previous file as it was.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

import duckdb

SCHEMA = Path(__file__).with_name("schema.sql").read_text()
SCHEMA_VERSION = "1"


class WriterBusy(Exception):
    pass


@contextmanager
def writer(path: str | Path, wait_seconds: float = 600):
    """Yield a connection to a private copy of the database; swap it in if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_name(path.name + ".lock")
    with open(lock_path, "a+") as lock:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise WriterBusy(f"{path}: another ingest has held the write lock for {wait_seconds:.0f} s")
                time.sleep(0.2)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        for stale in path.parent.glob(f".{path.name}.*.tmp*"):
            stale.unlink(missing_ok=True)  # left by a crashed run; we hold the lock
        if path.exists():
            shutil.copyfile(path, tmp)
        con = duckdb.connect(str(tmp))
        try:
            con.execute(SCHEMA)
            con.execute("INSERT OR REPLACE INTO schema_info VALUES ('schema_version', ?)", [SCHEMA_VERSION])
            con.execute("BEGIN TRANSACTION")
            yield con
            con.execute("COMMIT")
            con.execute("CHECKPOINT")
            con.close()
            with open(tmp, "rb") as f:
                os.fsync(f.fileno())
            os.replace(tmp, path)
            dir_fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except BaseException:
            try:
                con.close()
            except duckdb.Error:
                pass
            raise
        finally:
            for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
                leftover.unlink(missing_ok=True)


def ensure_schema(path: str | Path) -> None:
    """Create an empty database with the schema, for readers that start before any ingest."""
    with writer(path):
        pass
