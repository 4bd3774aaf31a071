"""The CLI's JSON reports on the demo corpus, pinned: a restructuring must not change a number.

tests/fixtures/reports/ holds what `hindsight report <name> --format json` printed on the demo corpus
(as of 2026-11-15, demo configuration, unfiltered and for the payments team) with the code of commit
9f67e96, before the query layer, the streaming loader and the review pack were rewritten; the rewritten
code prints the same bytes. When a change of a number is intended, say why in the commit and rewrite the
files with:  .venv/bin/python tests/test_report_golden.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from conftest import AS_OF, DEMO_CONFIG, run_cli

GOLDEN = Path(__file__).parent / "fixtures" / "reports"
REPORTS = ["actions", "coverage", "escalations", "quarterly", "recurrence"]
CASES = [(name, team) for name in REPORTS for team in (None, "payments")]


def report(db, name: str, team: str | None) -> str:
    code, out, err = run_cli("report", name, "--db", db, "--config", DEMO_CONFIG, "--as-of", AS_OF,
                             *(["--team", team] if team else []), "--format", "json")
    assert code == 0, out + err
    return out


def golden_file(name: str, team: str | None) -> Path:
    return GOLDEN / f"{name}{'-' + team if team else ''}.json"


@pytest.mark.parametrize("name, team", CASES)
def test_the_report_prints_what_it_printed_before(demo_db, name, team):
    assert json.loads(report(demo_db, name, team)) == json.loads(golden_file(name, team).read_text("utf-8"))


if __name__ == "__main__":  # rewrite the golden files from the demo corpus
    import tempfile

    sys.path.insert(0, str(Path(__file__).parent))
    db = Path(tempfile.mkdtemp()) / "demo.duckdb"
    code, out, err = run_cli("ingest", Path(__file__).parents[1] / "data" / "demo", "--db", db, "--config",
                             DEMO_CONFIG, "--quiet")
    for name, team in CASES:
        golden_file(name, team).write_text(report(db, name, team), encoding="utf-8")
