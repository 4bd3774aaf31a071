"""Dates written in a status cell or a completion column date the action's closing or blocking."""

from datetime import datetime

from conftest import query, write

DOC = """
    # Post-Mortem: Queue backlog

    **Incident date**: 2025-03-03
    **Post-mortem date**: 2025-03-05

    ## Corrective Actions

    | Action | Owner | Deadline | Priority | Status | Completed |
    |--------|-------|----------|----------|--------|-----------|
    | Add queue depth alert | @ana | 2025-03-20 | High | ✅ Done (2025-03-14) | |
    | Raise consumer count | @bo | 2025-03-10 | Medium | Done | 2025-03-12 |
    | Load test the consumer | @ana | 2025-04-01 | Low | ⛔ Blocked since 2025-03-18 | |
    | Document the runbook | @cy | 2025-04-01 | Low | ✅ Done | |
"""


def test_status_cell_and_column_dates(cli, db, exports):
    write(exports, "pm.md", DOC)
    code, out, _ = cli("ingest", exports, "--db", db)
    assert code == 0, out
    assert query(db, "SELECT position, status, completed_at, blocked_since FROM actions ORDER BY position") == [
        (1, "done", datetime(2025, 3, 14), None),
        (2, "done", datetime(2025, 3, 12), None),
        (3, "blocked", None, datetime(2025, 3, 18)),
        # undated: done as first seen, on the post-mortem date
        (4, "done", datetime(2025, 3, 5), None),
    ]
