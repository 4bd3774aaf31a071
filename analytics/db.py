"""Reading the database file: read-only connections, and a version that changes with every ingest.

The writer (pipeline/store.py) never writes the live file: it writes a copy and renames it over the
original. Readers therefore open the file as it is now and key their caches on its version."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb


def db_version(path: str | Path) -> tuple | None:
    """Changes whenever an ingest swaps in a new file; a cache key for readers."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def connect_readonly(path: str | Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the file as it is now.

    duckdb.connect(path) would hand back the database instance already open in this
    process under that path, which after a swap is the replaced file; attaching to a
    fresh in-memory connection always opens the current one."""
    if not Path(path).exists():
        raise FileNotFoundError(f"{path}: no database yet (run `hindsight ingest`)")
    con = duckdb.connect(":memory:")
    con.execute("ATTACH ? AS hindsight (READ_ONLY)", [str(path)])
    con.execute("USE hindsight")
    return con
