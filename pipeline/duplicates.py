"""Never count a post-mortem twice, and never let two files claim one id.

A file with the bytes of one already loaded (the same export in two folders), or a post-mortem with the
title, incident date and team (case and accents ignored) of one from another file or format, is a copy:
skipped with a warning naming both files. The one already loaded is kept; within a run, the first in path
order. The copy's file is still loaded, not rejected: it just adds nothing.

Both checks look up only what a batch of files holds, against the database (earlier runs and the batches
before it, whose rows are written already) and then against the batch itself, so their cost follows the
size of the batch, not of the database. A file's own previous rows are deleted before its batch (see
pipeline.ingest), so a file is never a copy of its own previous version.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from pipeline.rows import FileIndex, duplicate_key
from pipeline.tables import through, with_keys


class DuplicateGuard:
    def __init__(self, con: duckdb.DuckDBPyConnection, files: list[FileIndex]):
        self.original_file = _files_with_rows(con, {f.sha256 for f in files})
        self.first_with_key = _postmortems_by_key(con, {pm.duplicate_key for f in files for pm in f.postmortems
                                                        if pm.duplicate_key})

    def copied_file(self, f: FileIndex) -> str | None:
        """The warning when ``f`` holds the bytes of a loaded file; else None, and ``f`` is the original."""
        original = self.original_file.setdefault(f.sha256, f.path)
        if original == f.path:
            return None
        return (f"duplicate: the same content as {original}, which is loaded; this copy adds nothing, so nothing "
                "in it is counted twice")

    def copied_postmortem(self, path: str, pid: str, key: str | None) -> str | None:
        """The warning when post-mortem ``pid`` of ``path`` is one loaded from another file; else None."""
        if key is None:
            return None
        kept_pid, kept_path = self.first_with_key.setdefault(key, (pid, path))
        if kept_path == path:  # records of one file, each with its own id, are the author's
            return None
        return (f"duplicate: post-mortem '{pid}' has the title, incident date and team of '{kept_pid}' from "
                f"{kept_path}, which is loaded; skipped with its actions, so it is counted once")


def _files_with_rows(con: duckdb.DuckDBPyConnection, hashes: set[str]) -> dict[str, str]:
    """Of the loaded files with these contents, the first by path that holds rows (a copy holds none)."""
    return dict(with_keys(con, "_hashes", hashes, """
            WITH candidates AS (
                SELECT content_sha256, source_path FROM source_files
                WHERE status = 'loaded' AND content_sha256 IN (SELECT key FROM _hashes)
            ),
            holding AS (
                SELECT source_path FROM postmortems WHERE source_path IN (SELECT source_path FROM candidates)
                UNION SELECT source_path FROM actions WHERE source_path IN (SELECT source_path FROM candidates)
                UNION SELECT source_path FROM incidents WHERE source_path IN (SELECT source_path FROM candidates)
            )
            SELECT content_sha256, min(source_path) FROM candidates
            WHERE source_path IN (SELECT source_path FROM holding) GROUP BY content_sha256"""))


def _postmortems_by_key(con: duckdb.DuckDBPyConnection, wanted: set[str]) -> dict[str, tuple[str, str]]:
    """The loaded post-mortem (id, file) each duplicate key belongs to; the first by path if several do."""
    found: dict[str, tuple[str, str]] = {}
    for key, pid, path in with_keys(con, "_keys", wanted, """
            SELECT duplicate_key, postmortem_id, source_path FROM postmortems
            WHERE duplicate_key IN (SELECT key FROM _keys) ORDER BY source_path, postmortem_id"""):
        found.setdefault(key, (pid, path))
    return found


def fill_missing_keys(con: duckdb.DuckDBPyConnection) -> None:
    """Post-mortems loaded before keys were stored get theirs (once: '' marks "no key", an untitled or
    undated post-mortem)."""
    missing = con.execute("SELECT postmortem_id, title, incident_date, team FROM postmortems "
                          "WHERE duplicate_key IS NULL").fetchall()
    if not missing:
        return
    computed = pa.table({"pid": [pid for pid, *_ in missing],
                         "key": [duplicate_key(title, day, team) or "" for _, title, day, team in missing]})
    through(con, "_computed", computed, "UPDATE postmortems SET duplicate_key = _computed.key FROM _computed "
            "WHERE postmortems.postmortem_id = _computed.pid")


class Owners:
    """Which file holds each id of a table, among the ids a batch brings: the database's answer first,
    then each claim of the batch in order."""

    def __init__(self, con: duckdb.DuckDBPyConnection, table: str, column: str, ids: set[str]):
        self.owner: dict[str, str] = {}
        if ids:
            self.owner = dict(with_keys(con, "_ids", ids, f"SELECT {column}, source_path FROM {table} "
                                                          f"WHERE {column} IN (SELECT key FROM _ids)"))

    def claim(self, id_: str, path: str) -> str | None:
        """Take ``id_`` for ``path``; if another row has it already, the file that holds it instead."""
        holder = self.owner.get(id_)
        if holder is None:
            self.owner[id_] = path
        return holder
