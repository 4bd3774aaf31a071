"""A small mutation check of the metric code: apply one wrong change at a time, run the tests that
should notice it, restore the file. A mutation the tests do not fail on "survived": a wrong number
would reach the dashboard unnoticed.

    .venv/bin/python bench/mutations.py            # every mutation
    .venv/bin/python bench/mutations.py on-time    # those whose name contains "on-time"

Each mutation names the exact text it replaces; when the code has moved on and the text is not found,
the mutation is reported "not found" (update it here) rather than silently passing. The file is always
restored, even on Ctrl-C. Exit status: 1 when a mutation survived or was not found."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Mutation:
    name: str
    path: str
    original: str
    mutant: str
    tests: tuple[str, ...]


OVERVIEW = ("tests/test_analytics_overview.py",)
MUTATIONS = [
    Mutation("overview: previous quarter = current", "analytics/overview.py",
             "before_quarter = previous_quarter(quarter)", "before_quarter = quarter", OVERVIEW),
    Mutation("overview: previous quarter measured at its own end", "analytics/overview.py",
             "before = _values(con, _window(f, *quarter_bounds(before_quarter, fiscal)), settings)",
             "before = _values(con, dataclasses.replace(_window(f, *quarter_bounds(before_quarter, fiscal)), "
             "as_of=quarter_bounds(before_quarter, fiscal)[1]), settings)", OVERVIEW),
    Mutation("overview: change sign flipped", "analytics/overview.py",
             "change = value - previous if", "change = previous - value if", OVERVIEW),
    Mutation("overview: small sample on this quarter's n only", "analytics/overview.py",
             "min(n, previous_n) < settings.small_sample", "n < settings.small_sample", OVERVIEW),
    Mutation("quarter of a date with //4", "analytics/quarters.py",
             "shifted_month // 3 + 1", "shifted_month // 4 + 1", OVERVIEW),
    Mutation("partial: a quarter ending on the as-of date", "analytics/quarters.py",
             "quarter_bounds(label, fiscal_start_month)[1] > as_of",
             "quarter_bounds(label, fiscal_start_month)[1] >= as_of", OVERVIEW),
    Mutation("on-time <= changed to <", "analytics/actions.py",
             "completed_at::DATE <= due_date", "completed_at::DATE < due_date",
             ("tests/test_boundaries.py", *OVERVIEW)),
    Mutation("date-to filter <= changed to <", "analytics/filters.py",
             "incident_date <= $f_to", "incident_date < $f_to", ("tests/test_boundaries.py", *OVERVIEW)),
    Mutation("MM/DD/YYYY swap removed", "pipeline/values.py",
             "day, month = (b, a) if a <= 12 < b else (a, b)", "day, month = (a, b)",
             ("tests/test_boundaries.py",)),
    Mutation("yearless DD/MM swap removed", "pipeline/values.py",
             "if month > 12 >= day:\n        month, day = day, month", "pass",
             ("tests/test_boundaries.py",)),
    Mutation("unknown status dropped as NULL", "analytics/actions.py",
             "(action.status IS NOT DISTINCT FROM 'cancelled') AS cancelled",
             "(action.status = 'cancelled') AS cancelled",
             ("tests/test_analytics_actions.py",)),
    Mutation("no reader data counted as unread", "analytics/learning.py",
             "team_size.members IS NOT NULL AND coalesce({known}, FALSE) AS measured",
             "team_size.members IS NOT NULL AS measured",
             ("tests/test_analytics_learning.py", *OVERVIEW)),
    Mutation("forward recurrence link kept", "analytics/recurrence.py",
             "WHERE NOT coalesce(target_order.seq > source_order.seq, FALSE)", "WHERE TRUE",
             ("tests/test_analytics_recurrence.py",)),
]


def run(m: Mutation) -> str:
    path = ROOT / m.path
    before = path.read_bytes()
    text = before.decode("utf-8")
    if m.original not in text:
        return "not found"
    try:
        path.write_text(text.replace(m.original, m.mutant), encoding="utf-8")
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *m.tests],
                              cwd=ROOT, capture_output=True, text=True)
    finally:
        path.write_bytes(before)
    return "survived" if done.returncode == 0 else "killed"


def main(argv: list[str]) -> int:
    chosen = [m for m in MUTATIONS if not argv or any(a in m.name for a in argv)]
    bad = 0
    for m in chosen:
        started = time.monotonic()
        outcome = run(m)
        bad += outcome != "killed"
        print(f"{outcome:9}  {m.name}  ({m.path}; {time.monotonic() - started:.0f} s)", flush=True)
    print(f"{len(chosen) - bad} of {len(chosen)} mutations killed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
