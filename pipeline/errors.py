"""How an ingest run can fail as a whole, each with one line a person can act on.

A bad file never fails a run (it is rejected, and the rest loads); these do, and leave the database as
it was. Front ends map them to their own outcome: the command line to its exit codes (hindsight.cli),
the Import page to a message. No message names an exception class or shows a traceback.
"""

from __future__ import annotations

import errno


class IngestFailed(Exception):
    """The run changed nothing; ``str()`` is the one line to show: "<path>: <reason>", or the reason alone.
    ``reason`` without the path is for a front end that must not show the server's paths (the Import page)."""

    def __init__(self, reason: str, path=None):
        super().__init__(reason if path is None else f"{path}: {reason}")
        self.reason, self.path = reason, path


class UsageError(IngestFailed):
    """The arguments cannot work: a path that does not exist, a folder given as the database."""


class WriterBusy(IngestFailed):
    """Another ingest held the database's write lock for longer than this run would wait."""


class StoreFailed(IngestFailed):
    """The database could not be read or written: not a DuckDB file, disk full, an I/O error."""


class WorkerDied(IngestFailed):
    """A parsing process stopped without an answer (killed, or out of memory)."""


class Interrupted(BaseException):
    """SIGTERM (or SIGINT) asked the run to stop. A BaseException, like KeyboardInterrupt, so that no
    ``except Exception`` on the way swallows it."""

    def __init__(self, signum: int, name: str):
        super().__init__(name)
        self.signum = signum


def describe_os_error(exc: OSError) -> str:
    """An OSError as words: "disk full (no space left on device)" rather than "[Errno 28] ..."."""
    reason = (exc.strerror or str(exc)).rstrip(".")
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"disk full ({reason.lower()})"
    if exc.errno == errno.EFBIG:
        return f"file too large for this system's limits ({reason.lower()})"
    if exc.errno == errno.EIO:
        return f"input/output error from the disk ({reason.lower()})"
    return reason[:1].lower() + reason[1:]
