"""Ingest speed: a cold load, an unchanged re-run, and a re-run after 1% of files changed.

    .venv/bin/python bench/ingest_bench.py --count 20000 [--workers 2] [--keep DIR]

The corpus comes from `hindsight demo` (every format). The goal the pipeline is held to: re-ingesting
100,000 post-mortems in under a minute on two cores. Results are printed, not asserted.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from hindsight.config import read_config
from hindsight.demo import write_demo_corpus
from pipeline.config import build
from pipeline.ingest import run


def timed(label: str, fn):
    t0 = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - t0
    print(f"{label:<28} {elapsed:8.2f} s  loaded={len(result.loaded):>6}  unchanged={len(result.unchanged):>6}  "
          f"rejected={len(result.rejected):>3}  post-mortems={result.postmortems:>6}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--keep", help="write the corpus and database here instead of a temporary folder")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(args.keep or tmp)
        corpus, db = base / "corpus", base / "bench.duckdb"
        t0 = time.perf_counter()
        summary = write_demo_corpus(corpus, count=args.count, seed=7)
        files = sorted(p for p in corpus.rglob("*") if p.is_file())
        print(f"corpus: {summary['postmortems']} post-mortems in {len(files)} files "
              f"({time.perf_counter() - t0:.1f} s to write)")
        cfg = build(read_config())
        cold = timed("cold ingest", lambda: run([corpus], db, cfg, workers=args.workers))
        timed("re-ingest, unchanged", lambda: run([corpus], db, cfg, workers=args.workers))
        md = [p for p in files if p.suffix == ".md"]
        for p in md[:: max(1, len(md) // max(1, len(files) // 100))]:
            p.write_text(p.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        timed("re-ingest, ~1% changed", lambda: run([corpus], db, cfg, workers=args.workers))
        per_pm = cold / max(1, summary["postmortems"])
        print(f"cold: {per_pm * 1000:.2f} ms per post-mortem, about {per_pm * 100_000:.0f} s for 100,000")
        print(f"database: {db.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
