"""Parsing files in worker processes that never outlive the ingest that started them.

- A worker is a fresh interpreter (``python -c``) started with close_fds, so it holds no descriptor of its
  parent: not the write lock (an flock stays held while any process has a copy of its descriptor, and
  forked workers of a killed ingest kept the next one waiting 600 s), not DuckDB's files, nor the
  parent's threads' state. It imports only pipeline.workers: not the parent's main module, as
  multiprocessing's spawn does (an unguarded script, or a test runner's, would run again in each worker).
- Each worker asks the kernel to kill it when its parent dies (PR_SET_PDEATHSIG on Linux; elsewhere a
  thread watching the parent's pid), so a SIGKILLed ingest leaves no process behind.
- Workers ignore SIGINT: Ctrl-C reaches the whole process group, and the parent stops them itself.
- Chunks of jobs go to the workers in turn over their stdin; results come back over their stdout in the
  order of the jobs (within a run, the first file in path order wins a duplicate), with a few chunks in
  flight per worker, so memory stays flat however large the corpus.
"""

from __future__ import annotations

import ctypes
import itertools
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from datetime import datetime
from pathlib import Path
from typing import Iterable, Iterator

from pipeline.config import Config
from pipeline.errors import WorkerDied
from pipeline.rows import Chunk, read_chunk

CHUNK_FILES, CHUNK_BYTES = 16, 8192  # a chunk amortises a round trip; its paths stay far below a pipe's buffer
AHEAD = 4  # chunks in flight per worker: enough to keep it busy, few enough that a pipe never fills
PR_SET_PDEATHSIG = 1
PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent)
WORKER_MAIN = f"import sys; sys.path.insert(0, {PACKAGE_ROOT!r}); from pipeline.workers import serve; serve()"


class Parser:
    """Reads and parses files, in ``workers`` processes when there are more than one; a context manager
    that stops its workers on the way out, whatever happened."""

    def __init__(self, cfg: Config, now: datetime, workers: int):
        self.cfg, self.now, self.count = cfg, now, workers
        self.workers: list[Worker] = []
        self.waited = 0.0  # seconds the caller spent waiting for parsed files (or parsing them itself)

    def __enter__(self) -> Parser:
        return self

    def __exit__(self, kind, exc, tb) -> None:
        for worker in self.workers:
            worker.stop(kill=kind is not None)
        self.workers = []

    def parse(self, jobs: list[tuple[str, int, int]], ready: dict[str, Chunk] | None = None,
              chunk_files: int = CHUNK_FILES) -> Iterator[Chunk]:
        """The jobs' (path, size, mtime_ns) files as chunks of rows, in job order; a file in ``ready`` was
        parsed already (alone in its chunk) and is handed out as it is."""
        pieces = _pieces(jobs, ready or {}, chunk_files)
        if self.count <= 1:
            yield from self._parse_here(pieces)
            return
        if not self.workers:
            self.workers = [Worker((self.cfg, self.now, os.getpid())) for _ in range(self.count)]
        yield from self._in_order(pieces)

    def _parse_here(self, pieces: Iterator) -> Iterator[Chunk]:
        for piece in pieces:
            started = time.perf_counter()
            chunk = piece if isinstance(piece, Chunk) else read_chunk(piece, self.cfg, self.now)
            self.waited += time.perf_counter() - started
            yield chunk

    def _in_order(self, pieces: Iterator) -> Iterator[Chunk]:
        pending: deque = deque()  # per chunk sent, its worker (each answers in the order it was asked)
        turns = itertools.cycle(self.workers)

        def send_next() -> None:
            piece = next(pieces, None)
            if isinstance(piece, list):
                worker = next(turns)
                worker.send(piece)
                pending.append(worker)
            elif piece is not None:
                pending.append(piece)

        for _ in range(len(self.workers) * AHEAD):
            send_next()
        while pending:
            head = pending.popleft()
            started = time.perf_counter()
            chunk = head.receive() if isinstance(head, Worker) else head
            self.waited += time.perf_counter() - started
            send_next()
            yield chunk


def _pieces(jobs: Iterable[tuple], ready: dict[str, Chunk], chunk_files: int) -> Iterator[list | Chunk]:
    """Jobs in lists for the workers, and the chunk of each file parsed already, in job order."""
    batch, size = [], 0
    for job in jobs:
        done = ready.get(job[0])
        if done is None:
            batch.append(job)
            size += len(job[0])
            if len(batch) < chunk_files and size < CHUNK_BYTES:
                continue
        if batch:
            yield batch
            batch, size = [], 0
        if done is not None:
            yield done
    if batch:
        yield batch


class Worker:
    """One worker process, spoken to in pickles over its stdin and stdout."""

    def __init__(self, setup: tuple):
        self.process = subprocess.Popen([sys.executable, "-c", WORKER_MAIN], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, close_fds=True)
        self.send(setup)

    def send(self, message) -> None:
        try:
            pickle.dump(message, self.process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self.process.stdin.flush()
        except OSError:  # a broken pipe: it died
            raise self.died() from None

    def receive(self) -> Chunk:
        try:
            return pickle.load(self.process.stdout)
        except (EOFError, OSError, pickle.UnpicklingError):
            raise self.died() from None

    def died(self) -> WorkerDied:
        self.process.kill()
        return WorkerDied("a parsing process stopped unexpectedly (out of memory, or killed), so nothing was "
                          "changed; --workers 1 parses in one process, and names the file that stops it")

    def stop(self, kill: bool) -> None:
        if kill:
            self.process.kill()  # an interrupted run does not wait for a file that may take seconds
        else:
            try:
                self.send(None)
            except WorkerDied:
                pass
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self.process.wait()


# ---------------------------------------------------------------- in the worker process


def serve() -> None:
    """A worker's life: its setup, then chunks of jobs until None (or the end of its stdin)."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the answers
    cfg, now, parent_pid = pickle.load(stdin)
    _die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            jobs = pickle.load(stdin)
        except EOFError:
            return
        if jobs is None:
            return
        pickle.dump(read_chunk(jobs, cfg, now), stdout, protocol=pickle.HIGHEST_PROTOCOL)
        stdout.flush()


def _die_with_parent(parent_pid: int) -> None:
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    else:
        threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()
    if os.getppid() != parent_pid:  # the parent died before the kernel was asked
        os._exit(1)


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(0.5)
    os._exit(1)
