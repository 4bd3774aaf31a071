"""Ingest speed and memory: a cold load, an unchanged re-run and a re-run after 1% of files changed.

    .venv/bin/python bench/ingest_bench.py --count 10000 --count 100000 [--workers 2] [--json FILE] [--workdir DIR]
    .venv/bin/python bench/ingest_bench.py --corpus /tmp/demo100k      # a corpus written before

A corpus comes from the demo generator (`hindsight demo --count N --out DIR` writes the same one), and is
never modified: each measure runs on a hard-linked copy of it, where a changed file is written anew. Each
ingest runs in its own process, so the peak memory is that of its whole process tree (the ingest and its
parse workers, sampled from /proc every 50 ms; Linux only), and the CPU time is split between the main
process (discovery, loading, commit) and the workers (reading and parsing).

"Loader, outside parsing" is the main process's own time: the run's wall time minus the time it waited for
parsed files. The machine is shared, so wall times vary from run to run; CPU times vary less.
Two comparisons on the same files: the floor (reading and hashing every file), and a naive row-by-row
loader (executemany) against the loader's bulk Arrow insert, on the rows the cold run loaded.
Results are printed, not asserted. Goals (issue 11, at 100,000 post-mortems on 2 cores): cold >= 2,000
post-mortems/s, unchanged >= 20,000 files/s, peak RSS <= 1 GiB; bulk inserts >= 100x executemany.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHILD = """
import json, resource, sys, time
from hindsight.config import read_config
from pipeline.config import build
from pipeline.ingest import run
started = time.perf_counter()
result = run([sys.argv[1]], sys.argv[2], build(read_config()), workers=int(sys.argv[3]) or None)
wall = time.perf_counter() - started
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "timings": result.timings, "files_seen": result.files_seen,
                  "loaded": len(result.loaded), "unchanged": len(result.unchanged), "rejected": len(result.rejected),
                  "postmortems": result.postmortems, "actions": result.actions,
                  "main_cpu": me.ru_utime + me.ru_stime, "workers_cpu": kids.ru_utime + kids.ru_stime}))
"""


def tree_rss(root: int) -> int:
    """Bytes resident in process ``root`` and all its descendants."""
    parent_of, rss_of = {}, {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parent_of[int(entry)], rss_of[int(entry)] = int(fields[1]), int(fields[21])
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        children = [child for child, parent in parent_of.items() if parent == pid and child not in tree]
        tree.update(children)
        frontier += children
    return sum(rss_of.get(pid, 0) for pid in tree) * os.sysconf("SC_PAGE_SIZE")


def ingest(corpus: Path, db: Path, workers: int) -> dict:
    """One ingest in a process of its own; what it reports, and the peak memory of its process tree."""
    process = subprocess.Popen([sys.executable, "-c", CHILD, str(corpus), str(db), str(workers)], cwd=ROOT,
                               stdout=subprocess.PIPE, text=True)
    peak, done = [0], threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss(process.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = process.communicate()
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"ingest of {corpus} failed ({process.returncode})")
    report = json.loads(out.strip().splitlines()[-1])
    report["peak_rss"] = peak[0]
    return report


def linked_copy(corpus: Path, target: Path) -> list[Path]:
    """A copy of the corpus made of hard links (instant, no space); returns its files."""
    files = []
    for folder, _, names in os.walk(corpus):
        out = target / Path(folder).relative_to(corpus)
        out.mkdir(parents=True, exist_ok=True)
        for name in names:
            os.link(Path(folder) / name, out / name)
            files.append(out / name)
    return sorted(files)


def change_one_percent(files: list[Path]) -> int:
    """Append a line to 1% of the Markdown files, each written anew so the linked original is untouched."""
    markdown = [p for p in files if p.suffix == ".md"]
    chosen = markdown[:: max(1, len(markdown) // max(1, len(files) // 100))]
    for path in chosen:
        data = path.read_bytes()
        path.unlink()
        path.write_bytes(data + b"\n")
    return len(chosen)


def line(label: str, r: dict, unit_count: int, unit: str) -> str:
    t = r["timings"]
    waited = t.get("waiting for parsers", 0.0)
    return (f"  {label:<22} {r['wall']:7.2f} s  {unit_count / r['wall']:9,.0f} {unit}/s   peak {r['peak_rss'] / 2**20:6.0f} MiB"
            f"   loader outside parsing {r['wall'] - waited:6.2f} s   cpu main {r['main_cpu']:6.1f} s,"
            f" workers {r['workers_cpu']:6.1f} s")


NAIVE_SAMPLE = 20_000  # rows per table the row-by-row loader is timed on; it is extrapolated from there


def bulk_versus_rows(db: Path, tables: tuple[str, ...] = ("postmortems", "actions", "timeline_events")) -> dict:
    """The corpus's own rows, loaded into an empty database two ways: the loader's Arrow insert of every row,
    and a naive loader's executemany, one row at a time (timed on NAIVE_SAMPLE rows per table, extrapolated
    to all of them: at 100k it would take most of an hour). Returns seconds for each and the ratio."""
    import duckdb

    from pipeline import store
    from pipeline.tables import COLUMNS, insert

    source = duckdb.connect(str(db), read_only=True)
    bulk = naive = 0.0
    rows_total = 0
    for table in tables:
        names = ", ".join(c for c, _ in COLUMNS[table])
        rows = source.execute(f"SELECT {names} FROM {table}").fetchall()
        rows_total += len(rows)
        for one_by_one in (False, True):
            con = duckdb.connect()
            con.execute(store.SCHEMA)
            sample = rows[:NAIVE_SAMPLE] if one_by_one else rows
            started = time.perf_counter()
            if one_by_one:
                con.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(COLUMNS[table]))})",
                                sample)
            else:
                insert(con, table, sample)
            spent = time.perf_counter() - started
            con.close()
            if one_by_one:
                naive += spent * len(rows) / max(1, len(sample))
            else:
                bulk += spent
        del rows
    source.close()
    return {"rows": rows_total, "bulk_seconds": bulk, "naive_seconds": naive, "ratio": naive / bulk}


def floor(files: list[Path]) -> float:
    """Seconds to read and hash every file once, in this process: what no ingest of changed files beats."""
    import hashlib

    started = time.perf_counter()
    for path in files:
        hashlib.sha256(path.read_bytes()).hexdigest()
    return time.perf_counter() - started


def measure(corpus: Path, workers: int, work: Path) -> dict:
    files = linked_copy(corpus, work / "corpus")
    db = work / "bench.duckdb"
    cold = ingest(work / "corpus", db, workers)
    unchanged = ingest(work / "corpus", db, workers)
    changed_count = change_one_percent(files)
    changed = ingest(work / "corpus", db, workers)
    print(f"{corpus}: {cold['postmortems']:,} post-mortems in {len(files):,} files; {changed_count} changed for "
          f"the third run; database {db.stat().st_size / 1e6:.0f} MB")
    print(line("cold", cold, cold["postmortems"], "post-mortems"))
    print(line("unchanged", unchanged, unchanged["files_seen"], "files"))
    print(line("1% changed", changed, changed["files_seen"], "files"))
    for label, r in (("cold", cold), ("unchanged", unchanged), ("1% changed", changed)):
        print(f"  {label}, seconds by step: " + ", ".join(f"{k} {v:.2f}" for k, v in r["timings"].items()))
    read_and_hash = floor(files)
    print(f"  floor: reading and hashing every file {read_and_hash:.2f} s = {len(files) / read_and_hash:,.0f} files/s")
    naive = bulk_versus_rows(db)
    print(f"  naive row-by-row loader (executemany) on {naive['rows']:,} rows of postmortems, actions and timeline: "
          f"{naive['naive_seconds']:.1f} s (extrapolated from {NAIVE_SAMPLE:,} per table) versus the loader's "
          f"bulk insert {naive['bulk_seconds']:.2f} s: {naive['ratio']:.0f}x")
    return {"corpus": str(corpus), "files": len(files), "changed": changed_count,
            "database_bytes": db.stat().st_size, "cold": cold, "unchanged": unchanged, "one_percent": changed,
            "read_and_hash_seconds": read_and_hash, "naive_versus_bulk": naive}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, action="append", default=[], help="write a demo corpus of N")
    parser.add_argument("--corpus", action="append", default=[], help="a corpus written before (not modified)")
    parser.add_argument("--workers", type=int, default=0, help="parse workers (default: all cores)")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--workdir", help="where corpora and databases are written (default: the system's temp "
                                          "folder); removed at the end")
    args = parser.parse_args()
    if not (args.count or args.corpus):
        args.count = [10_000]

    results = []
    if args.workdir:
        Path(args.workdir).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ingest-bench-", dir=args.workdir) as tmp:
        corpora = [Path(c) for c in args.corpus]
        for count in args.count:
            from hindsight.demo import write_demo_corpus

            corpora.append(Path(tmp) / f"demo{count}")
            write_demo_corpus(corpora[-1], count=count, seed=42)
        for n, corpus in enumerate(corpora):
            results.append(measure(corpus, args.workers, Path(tmp) / f"run{n}"))
    if args.json:
        Path(args.json).write_text(json.dumps({"runs": results}, indent=2))


if __name__ == "__main__":
    main()
