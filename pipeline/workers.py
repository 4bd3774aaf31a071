"""Parsing files in worker processes that never outlive the ingest that started them.

- A worker is a fresh interpreter (``python -c``) started with close_fds, so it holds no descriptor of its
  parent: not the write lock (an flock stays held while any process has a copy of its descriptor, and
  forked workers of a killed ingest kept the next one waiting 600 s), not DuckDB's files, nor the
  parent's threads' state. It imports only pipeline.workers: not the parent's main module, as
  multiprocessing's spawn does (an unguarded script, or a test runner's, would run again in each worker).
- Each worker asks the kernel to kill it when its parent dies (PR_SET_PDEATHSIG on Linux; elsewhere a
  thread watching the parent's pid), so a SIGKILLed ingest leaves no process behind.
- Workers ignore SIGINT: Ctrl-C reaches the whole process group, and the parent stops them itself.
- Chunks of jobs go to whichever worker is least busy over its stdin, the largest files first; results
  come back over their stdout and are handed out in the order of the jobs (within a run, the first file in
  path order wins a duplicate), with a bounded number parsed ahead, so memory stays flat however large the
  corpus.
"""

from __future__ import annotations

import ctypes
import os
import pickle
import queue
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
WINDOW = 64  # chunks per worker parsed ahead of the one awaited: a bound on the parsed rows held in memory
LARGE_FILE = 256 * 1024  # a file this large (a CSV of thousands of rows) is parsed alone, and early
FIRST_LARGE = 8  # the largest files sent first: their rows wait in memory for their turn
DIED = object()  # a worker's output ended
PR_SET_PDEATHSIG = 1
PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent)
WORKER_MAIN = f"import sys; sys.path.insert(0, {PACKAGE_ROOT!r}); from pipeline.workers import serve; serve()"


class Parser:
    """Reads and parses files, in ``workers`` processes when there are more than one; a context manager
    that stops its workers on the way out, whatever happened."""

    def __init__(self, cfg: Config, now: datetime, workers: int):
        self.cfg, self.now, self.count = cfg, now, workers
        self.workers: list[Worker] = []
        self.answers: queue.SimpleQueue = queue.SimpleQueue()  # (worker, chunk or DIED), from every worker
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
        pieces = list(_pieces(jobs, ready or {}, chunk_files))
        if self.count <= 1:
            yield from self._parse_here(pieces)
            return
        if not self.workers:
            self.workers = [Worker((self.cfg, self.now, os.getpid()), self.answers) for _ in range(self.count)]
        yield from self._in_order(pieces)

    def _parse_here(self, pieces: list) -> Iterator[Chunk]:
        for piece in pieces:
            started = time.perf_counter()
            chunk = piece if isinstance(piece, Chunk) else read_chunk(piece, self.cfg, self.now)
            self.waited += time.perf_counter() - started
            yield chunk

    def _in_order(self, pieces: list) -> Iterator[Chunk]:
        """Pieces go to whichever worker has the fewest in flight, the largest files first; answers are
        handed out in job order. A file of 40,000 rows takes a worker for seconds: sent in its turn, the
        other worker would soon wait on it, idle; sent first, it is parsed while the others flow past it.
        At most WINDOW pieces are parsed ahead of the one the caller waits for, so memory stays flat."""
        order, early = _dispatch_order(pieces)
        to_send = deque(order)
        done: dict[int, Chunk] = {}
        window = WINDOW * len(self.workers)
        for turn in range(len(pieces)):
            while turn not in done:
                self._send_some(pieces, to_send, done, turn, window, early)
                if turn in done:
                    break
                started = time.perf_counter()
                worker, chunk = self.answers.get()
                self.waited += time.perf_counter() - started
                if chunk is DIED:
                    if worker.asked:  # it stopped with work in hand
                        raise worker.died()
                    continue
                done[worker.asked.popleft()] = chunk
            yield done.pop(turn)

    def _send_some(self, pieces: list, to_send: deque, done: dict, turn: int, window: int, early: set) -> None:
        """Send pieces in ``to_send``'s order while a worker has room. The window holds back pieces far ahead
        of ``turn``, the one awaited; not the large files sent first (at most FIRST_LARGE), which head the
        queue wherever they are in path order: held back, they would stop every piece behind them."""
        while to_send:
            index = to_send[0]
            piece = pieces[index]
            if isinstance(piece, Chunk):  # parsed already
                done[index] = piece
                to_send.popleft()
                continue
            worker = min(self.workers, key=lambda w: len(w.asked))
            if len(worker.asked) >= AHEAD or (index - turn >= window and index not in early):
                return
            worker.send(piece)
            worker.asked.append(to_send.popleft())


def _pieces(jobs: Iterable[tuple], ready: dict[str, Chunk], chunk_files: int) -> Iterator[list | Chunk]:
    """Jobs in lists for the workers, and the chunk of each file parsed already, in job order. A large
    file is a list of its own, so it can be sent ahead of its turn."""
    batch, size = [], 0
    for job in jobs:
        done = ready.get(job[0])
        alone = done is not None or job[1] >= LARGE_FILE
        if not alone:
            batch.append(job)
            size += len(job[0])
            if len(batch) < chunk_files and size < CHUNK_BYTES:
                continue
        if batch:
            yield batch
            batch, size = [], 0
        if done is not None:
            yield done
        elif alone:
            yield [job]
    if batch:
        yield batch


def _dispatch_order(pieces: list) -> tuple[list[int], set[int]]:
    """The order pieces are sent in: the FIRST_LARGE largest files first, then the rest in job order; and
    the set of those sent first."""
    large = sorted((i for i, piece in enumerate(pieces) if isinstance(piece, list) and len(piece) == 1
                    and piece[0][1] >= LARGE_FILE), key=lambda i: -pieces[i][0][1])[:FIRST_LARGE]
    first = set(large)
    return large + [i for i in range(len(pieces)) if i not in first], first


class Worker:
    """One worker process, spoken to in pickles over its stdin and stdout; a thread reads its answers into
    the parser's queue, so the parser hears from whichever worker answers first."""

    def __init__(self, setup: tuple, answers: queue.SimpleQueue):
        self.process = subprocess.Popen([sys.executable, "-c", WORKER_MAIN], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, close_fds=True)
        self.asked: deque[int] = deque()  # the pieces sent and not answered yet, in the order sent
        self.send(setup)
        self.reader = threading.Thread(target=self._read, args=(answers,), daemon=True)
        self.reader.start()

    def _read(self, answers: queue.SimpleQueue) -> None:
        while True:
            try:
                chunk = pickle.load(self.process.stdout)
            except (EOFError, OSError, ValueError, pickle.UnpicklingError):
                answers.put((self, DIED))
                return
            answers.put((self, chunk))

    def send(self, message) -> None:
        try:
            pickle.dump(message, self.process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self.process.stdin.flush()
        except OSError:  # a broken pipe: it died
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
        try:
            self.process.stdin.close()
        except OSError:
            pass
        self.process.wait()
        self.reader.join(timeout=5)  # it ends at the end of the worker's output, which has just come
        try:
            self.process.stdout.close()
        except OSError:
            pass


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
