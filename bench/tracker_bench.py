"""Tracker exports at scale: many actions naming tickets, a Jira export and a gh export of their tickets.

    .venv/bin/python bench/tracker_bench.py --actions 400000 --tickets 50000 [--keep DIR]

Times: loading the actions alone; the first load of the exports (every ticket matched against every
action); a re-run with nothing changed; a re-run after the Jira export changed (its tickets against every
action again); a re-run after the actions changed (them against every ticket). Matching is one join on
equal references, so each should grow with the rows read, not with actions x tickets. Printed, not asserted.
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
import time
from pathlib import Path

from hindsight.config import read_config
from pipeline.config import build
from pipeline.ingest import run

FILES = 40  # the actions are spread over this many CSV files (a changed one is re-read alone)


def write_actions(folder: Path, actions: int, tickets: int, tag: str = "") -> None:
    """Actions CSVs: one action in two names a Jira key in its ticket column, one in four a GitHub URL in
    its description; the rest name nothing."""
    folder.mkdir(parents=True, exist_ok=True)
    per_file = -(-actions // FILES)
    for f in range(FILES):
        with open(folder / f"actions-{f:02}.csv", "w", newline="", encoding="utf-8") as out:
            w = csv.writer(out)
            w.writerow(["postmortem_id", "description", "status", "ticket"])
            for n in range(f * per_file, min(actions, (f + 1) * per_file)):
                pm = f"PM-{n // 5}"
                if n % 2 == 0:
                    w.writerow([pm, f"Fix {n}{tag}", "todo", f"PAY-{n % tickets + 1}"])
                elif n % 4 == 1:
                    w.writerow([pm, f"Alert {n}{tag}, https://github.com/acme/api/pull/{n % tickets + 1}",
                                "in progress", ""])
                else:
                    w.writerow([pm, f"Document {n}{tag}", "todo", ""])


def write_jira(path: Path, tickets: int, status: str) -> None:
    with open(path, "w", newline="", encoding="utf-8") as out:
        w = csv.writer(out)
        w.writerow(["Summary", "Issue key", "Issue id", "Issue Type", "Status", "Created", "Updated", "Resolved",
                    "Labels", "Labels", "Status Category"])
        for n in range(1, tickets + 1):
            done = n % 3 == 0
            w.writerow([f"Ticket {n}", f"PAY-{n}", 10000 + n, "Task", "Done" if done else status,
                        "12/Apr/24 2:05 PM", "18/Apr/24 3:41 PM", "18/Apr/24 3:20 PM" if done else "",
                        "postmortem", "", "Done" if done else "In Progress"])


def write_github(path: Path, tickets: int) -> None:
    path.write_text(json.dumps([
        {"number": n, "state": "MERGED" if n % 2 else "OPEN", "title": f"PR {n}",
         "url": f"https://github.com/acme/api/pull/{n}", "createdAt": "2024-04-12T10:00:00Z",
         "closedAt": "2024-04-16T09:41:07Z" if n % 2 else None, "assignees": [], "labels": []}
        for n in range(1, tickets + 1)]), encoding="utf-8")


def timed(label: str, fn):
    t0 = time.perf_counter()
    result = fn()
    print(f"{label:<34} {time.perf_counter() - t0:8.2f} s  loaded={len(result.loaded):>4}  "
          f"actions={result.actions:>7}  matches={result.tracker_updates:>7}  tickets read={result.tickets_read:>6}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--actions", type=int, default=100_000)
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--keep", help="write the files and database here instead of a temporary folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(args.keep or tmp)
        actions, trackers, db = base / "actions", base / "trackers", base / "bench.duckdb"
        write_actions(actions, args.actions, args.tickets)
        trackers.mkdir(parents=True, exist_ok=True)
        cfg = build(read_config())
        timed("actions alone", lambda: run([actions], db, cfg, workers=args.workers))
        write_jira(trackers / "jira.csv", args.tickets, "In Progress")
        write_github(trackers / "github.json", args.tickets)
        timed("exports, first load", lambda: run([actions, trackers], db, cfg, workers=args.workers))
        timed("re-run, nothing changed", lambda: run([actions, trackers], db, cfg, workers=args.workers))
        write_jira(trackers / "jira.csv", args.tickets, "In Review")
        timed("re-run, Jira export changed", lambda: run([actions, trackers], db, cfg, workers=args.workers))
        (actions / "actions-00.csv").write_text((actions / "actions-00.csv").read_text() + "\n")
        timed("re-run, one actions file changed", lambda: run([actions, trackers], db, cfg, workers=args.workers))


if __name__ == "__main__":
    main()
