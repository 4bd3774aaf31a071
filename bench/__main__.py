"""The whole benchmark in one run: ingest and dashboard at several corpus sizes.

    .venv/bin/python -m bench --sizes 1000,10000,100000 --json bench-result.json [--workdir DIR] [--corpora DIR]

For each size, the demo generator writes a corpus (seed 42, the same files `hindsight demo --count N`
writes), then bench/ingest_bench.py measures on it: a cold ingest, an unchanged re-ingest, a re-ingest
after 1% of the files changed (each in its own process; peak RSS of the whole process tree; seconds by
step), the database's size, the floor (reading and hashing every file), parser-only throughput (every
file through pipeline.parse.parse_file in one process, nothing loaded) and a naive row-by-row loader
against the bulk insert. Then bench/dashboard_bench.py times every page's set of queries and every
analytics function on the resulting database, cold (new connection) and warm, unfiltered and with a
team filter. Growth ratios compare consecutive sizes. The table printed at the end is the one
docs/performance.md keeps. Not part of the test run: speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import dashboard_bench  # noqa: E402
import ingest_bench  # noqa: E402

GOALS = {"cold": 2000, "unchanged": 20000, "rss_gib": 1.0, "page_cold_ms": 300, "page_warm_ms": 50}


def parser_only(corpus: Path, limit: int = 3000) -> dict:
    """Throughput of the parser alone, in this one process, nothing loaded: files and post-mortems per
    second over ``limit`` files spread evenly over the corpus (the first ones in name order would be its
    few large CSV exports)."""
    from hindsight.config import read_config
    from pipeline.config import build
    from pipeline.parse import parse_file

    cfg = build(read_config())
    every = sorted(p for p in corpus.rglob("*") if p.is_file())
    files = every[::max(1, len(every) // limit)][:limit]
    started, postmortems = time.perf_counter(), 0
    for path in files:
        postmortems += len(parse_file(str(path), path.read_bytes(), cfg).postmortems)
    seconds = time.perf_counter() - started
    return {"files": len(files), "postmortems": postmortems, "seconds": seconds,
            "files_per_second": len(files) / seconds, "postmortems_per_second": postmortems / seconds}


def measure_size(count: int, work: Path, workers: int, repeat: int, corpora: Path | None = None) -> dict:
    from hindsight.demo import write_demo_corpus

    corpus = (corpora or work) / f"demo{count}"
    if corpora and corpus.is_dir():
        print(f"\n== {count:,} post-mortems: the corpus written before in {corpus}", flush=True)
    else:
        corpus = work / f"demo{count}"
        print(f"\n== {count:,} post-mortems: writing the corpus", flush=True)
        write_demo_corpus(corpus, count=count, seed=42)
    run = work / f"run{count}"
    ingest = ingest_bench.measure(corpus, workers, run)
    ingest["parser_only"] = parser_only(corpus)
    only = ingest["parser_only"]
    print(f"  parser only, one process: {only['files_per_second']:,.0f} files/s = "
          f"{only['postmortems_per_second']:,.0f} post-mortems/s", flush=True)
    pages = dashboard_bench.bench([str(run / "bench.duckdb")], repeat, True)
    return {"count": count, "ingest": ingest, "dashboard": pages}


def _rate(run: dict, key: str) -> float:
    return run[key] / run["wall"]


def summary_rows(results: list[dict]) -> list[tuple[str, ...]]:
    """One row per size: the goals' figures."""
    rows = []
    for r in results:
        ing = r["ingest"]
        peak = max(ing[k]["peak_rss"] for k in ("cold", "unchanged", "one_percent")) / 2**30
        pages = next(iter(r["dashboard"].values()))["pages"]
        slowest = {kind: max((t[kind] or 0) for t in pages.values()) for kind in ("cold", "warm", "cached")}
        rows.append((f"{r['count']:,}", f"{_rate(ing['cold'], 'postmortems'):,.0f}/s",
                     f"{_rate(ing['unchanged'], 'files_seen'):,.0f}/s", f"{_rate(ing['one_percent'], 'files_seen'):,.0f}/s",
                     f"{peak:.2f} GiB", f"{ing['database_bytes'] / 1e6:,.0f} MB",
                     f"{ing['parser_only']['postmortems_per_second']:,.0f}/s", f"{slowest['cold']:,.0f} ms",
                     f"{slowest['warm']:,.0f} ms", f"{slowest['cached']:,.0f} ms",
                     f"{ing['naive_versus_bulk']['ratio']:,.0f}x"))
    return rows


def table(rows: list[tuple[str, ...]]) -> str:
    header = ("post-mortems", "cold ingest", "unchanged re-ingest", "1% changed", "peak RSS", "database",
              "parser only (1 process, post-mortems)", "slowest page: cold", "warm (same connection)", "cached",
              "bulk vs row-by-row")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000", help="post-mortem counts, comma-separated")
    parser.add_argument("--json", help="write every figure to this file")
    parser.add_argument("--workers", type=int, default=0, help="parse workers (default: all cores)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per dashboard timing (median kept)")
    parser.add_argument("--workdir", help="where corpora and databases go (default: the temp folder); removed")
    parser.add_argument("--keep-db", help="copy the largest size's database here (e.g. for bench/load_test.py)")
    parser.add_argument("--corpora", help="a folder holding corpora written before as demoN (the same files: "
                                          "`hindsight demo --count N --out DIR/demoN`), read, not modified")
    args = parser.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    results = []
    with tempfile.TemporaryDirectory(prefix="hindsight-bench-", dir=args.workdir) as tmp:
        for count in sizes:
            results.append(measure_size(count, Path(tmp), args.workers, args.repeat,
                                        Path(args.corpora) if args.corpora else None))
        if args.keep_db:
            shutil.copyfile(Path(tmp) / f"run{sizes[-1]}" / "bench.duckdb", args.keep_db)
    rows = summary_rows(results)
    dashboard_bench.growth({k: v for r in results for k, v in r["dashboard"].items()})
    print("\n" + table(rows))
    print(f"\nGoals at 100k on 2 cores: cold >= {GOALS['cold']:,}/s, unchanged >= {GOALS['unchanged']:,} files/s, "
          f"peak RSS <= {GOALS['rss_gib']} GiB, every page <= {GOALS['page_cold_ms']} ms cold and "
          f"<= {GOALS['page_warm_ms']} ms warm.")
    if args.json:
        machine = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
        Path(args.json).write_text(json.dumps({"machine": machine, "sizes": results, "table": rows}, indent=2,
                                              default=str) + "\n")


if __name__ == "__main__":
    main()
