"""A post-mortem is counted once, however many times it arrives: the same file under another path, or
the same title, incident date and team from another file or format. The copy is skipped with a warning
naming both files; the file itself is loaded (not rejected), it just adds no post-mortem."""

import json
import shutil

from analytics import recurrence
from analytics.filters import Filters
from conftest import ingest as run_ingest, query, scalar, write
from analytics.db import connect_readonly

DOC = """
    # Post-Mortem: Checkout API outage
    **Incident date**: 2025-03-04
    **Team**: payments
    **Service**: checkout-api
    **Severity**: P1

    ## Root Cause Analysis
    **Primary cause category**: code

    ## Action Items
    | # | Action | Owner | Due | Priority | Status |
    |---|--------|-------|-----|----------|--------|
    | 1 | Add a timeout | @alice | 2025-03-20 | High | Todo |
"""


def warnings(out):
    return [line for line in out.splitlines() if line.startswith("WARNING") and "duplicate" in line]


def ingest(cli, db, *args, code=0):
    return run_ingest(cli, db, *args, code=code, verbose=True)


def test_the_same_file_in_two_folders_is_counted_once(cli, db, exports):
    first = write(exports, "team-a/outage.md", DOC)
    copy = exports / "team-b" / "outage.md"
    copy.parent.mkdir()
    shutil.copyfile(first, copy)
    out = ingest(cli, db, exports)
    # the first in path order is kept; the warning on the copy names both files
    [line] = warnings(out)
    assert line.startswith(f"WARNING {copy}:") and str(first) in line
    assert scalar(db, "SELECT count(*) FROM postmortems") == 1
    assert query(db, "SELECT source_path FROM postmortems") == [(str(first),)]
    assert scalar(db, "SELECT count(*) FROM actions") == 1
    assert dict(query(db, "SELECT source_path, status FROM source_files")) == {str(first): "loaded",
                                                                               str(copy): "loaded"}
    assert "2 file(s) loaded" in out and "1 post-mortem(s)" in out
    # before the fix the copy recurred on the original after 0 days
    con = connect_readonly(db)
    try:
        assert not recurrence.flags(con, Filters())["recurs"].any()
    finally:
        con.close()


def test_a_copy_arriving_in_a_later_run_is_skipped_and_stays_skipped(cli, db, exports):
    first = write(exports, "a/outage.md", DOC)
    ingest(cli, db, exports)
    copy = exports / "0-copies" / "outage.md"  # sorts before a/: still the already loaded one is kept
    copy.parent.mkdir()
    shutil.copyfile(first, copy)
    [line] = warnings(ingest(cli, db, exports))
    assert line.startswith(f"WARNING {copy}:") and str(first) in line
    assert query(db, "SELECT source_path FROM postmortems") == [(str(first),)]
    out = ingest(cli, db, exports)  # nothing changed: nothing is counted twice on a rerun either
    assert "2 unchanged" in out and scalar(db, "SELECT count(*) FROM postmortems") == 1


def test_the_same_post_mortem_in_another_format_is_skipped(cli, db, exports):
    md = write(exports, "outage.md", DOC)
    # the same incident exported as JSON: title differs only in case and accents, with its own id and actions
    (exports / "zz-export.json").write_text(json.dumps([
        {"id": "PM-9", "title": "CHECKOUT API OUTÂGE", "incident_date": "2025-03-04", "team": "Payments",
         "actions": [{"description": "Add a timeout"}]},
        {"id": "PM-10", "title": "Checkout API outage", "incident_date": "2025-03-05", "team": "payments"},
    ]), encoding="utf-8")
    out = ingest(cli, db, exports)
    [line] = warnings(out)
    assert "'PM-9'" in line and str(md) in line and str(exports / "zz-export.json") in line
    # the next day's incident is another one: loaded
    assert sorted(r[0] for r in query(db, "SELECT title FROM postmortems")) == [
        "Checkout API outage", "Checkout API outage"]
    assert scalar(db, "SELECT count(*) FROM postmortems WHERE postmortem_id = 'PM-9'") == 0
    assert scalar(db, "SELECT count(*) FROM actions") == 1  # the Markdown one; PM-9's is skipped with it


def test_editing_the_kept_file_is_not_a_duplicate_of_itself(cli, db, exports):
    path = write(exports, "outage.md", DOC)
    ingest(cli, db, exports)
    path.write_text(path.read_text(encoding="utf-8").replace("Add a timeout", "Add a timeout and a retry"),
                    encoding="utf-8")
    assert warnings(ingest(cli, db, exports)) == []
    assert query(db, "SELECT description FROM actions") == [("Add a timeout and a retry",)]


def test_two_records_of_one_file_are_two_post_mortems(cli, db, exports):
    # within one file, records with their own ids are the author's: same title, day and team or not
    (exports / "batch.json").write_text(json.dumps([
        {"id": "PM-1", "title": "Disk full", "incident_date": "2025-03-04", "team": "infra"},
        {"id": "PM-2", "title": "Disk full", "incident_date": "2025-03-04", "team": "infra"},
    ]), encoding="utf-8")
    assert warnings(ingest(cli, db, exports)) == []
    assert scalar(db, "SELECT count(*) FROM postmortems") == 2


def test_same_title_and_day_for_another_team_is_another_incident(cli, db, exports):
    write(exports, "outage.md", DOC)
    (exports / "other.json").write_text(json.dumps(
        {"id": "PM-X", "title": "Checkout API outage", "incident_date": "2025-03-04", "team": "search"}),
        encoding="utf-8")
    assert warnings(ingest(cli, db, exports)) == []
    assert scalar(db, "SELECT count(*) FROM postmortems") == 2
