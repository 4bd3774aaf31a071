"""How the demo corpus looks at large counts: span, teams, services and the share of recurring incidents.

    .venv/bin/python bench/demo_spread.py [--sizes 300,1000,10000] [--keep DIR]

Each size is written with `hindsight demo --seed 42`, loaded with `hindsight ingest` and measured with
`hindsight report recurrence`: the real pipeline. The aim (docs/demo.md) is a recurrence rate near the
committed corpus's at every size. Results are printed, not asserted.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

AS_OF = "2026-11-15"  # the demo corpus's "today"


def hindsight(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hindsight", *map(str, args)], capture_output=True, text=True)


def measure(count: int, base: Path) -> dict:
    corpus, db = base / f"corpus-{count}", base / f"demo-{count}.duckdb"
    t0 = time.perf_counter()
    hindsight("demo", "--out", corpus, "--count", count, "--seed", 42).check_returncode()
    t1 = time.perf_counter()
    if hindsight("ingest", corpus, "--db", db, "--quiet").returncode not in (0, 1):  # 1: the planted files
        raise SystemExit(f"ingest of {count} failed")
    t2 = time.perf_counter()
    report = hindsight("report", "recurrence", "--db", db, "--as-of", AS_OF, "--format", "json")
    rate = json.loads(report.stdout)["Recurrence"][0]["recurrence_rate"]
    con = duckdb.connect(str(db), read_only=True)
    first, last, teams, services = con.execute(
        "SELECT min(incident_date), max(incident_date), count(DISTINCT team), count(DISTINCT service) "
        "FROM postmortems").fetchone()
    con.close()
    years = ((last - first).days + 1) / 365.25
    return {"count": count, "first": str(first), "last": str(last), "teams": teams, "services": services,
            "per_service_year": round(count / services / years, 2), "recurrence_rate": round(rate, 3),
            "write_s": round(t1 - t0, 1), "ingest_s": round(t2 - t1, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="300,1000,10000")
    parser.add_argument("--keep", help="write the corpora and databases here instead of a temporary folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(args.keep or tmp)
        print(f"{'count':>7} {'first':>10} {'last':>10} {'teams':>5} {'services':>8} {'pm/svc/yr':>9} "
              f"{'recurs':>6} {'write s':>7} {'ingest s':>8}")
        for count in (int(n) for n in args.sizes.split(",")):
            m = measure(count, base)
            print(f"{m['count']:>7} {m['first']:>10} {m['last']:>10} {m['teams']:>5} {m['services']:>8} "
                  f"{m['per_service_year']:>9} {m['recurrence_rate']:>6.1%} {m['write_s']:>7} {m['ingest_s']:>8}")


if __name__ == "__main__":
    main()
