"""Data completeness on three small files whose numbers are worked out by hand."""

import json
from datetime import date

import numpy as np
import pytest

from analytics import completeness
from analytics.db import connect_readonly
from analytics.filters import Filters

FULL = {"id": "C-1", "title": "Complete", "team": "a", "severity": "P1", "cause_category": "code",
        "incident_date": "2025-01-06", "postmortem_date": "2025-01-08", "time_to_detect": 5,
        "actions": [{"description": "Fix it", "owner": "@x"}]}
PARTIAL = [
    # cause word outside the taxonomy, no detection, no action
    {"id": "C-2", "title": "Half", "team": "a", "severity": "P2", "cause_category": "banana",
     "incident_date": "2025-02-06", "postmortem_date": "2025-02-07"},
    # no team, no post-mortem date; detection from detected_at alone
    {"id": "C-3", "title": "Other half", "severity": "P3", "cause_category": "process",
     "incident_date": "2025-03-06", "detected_at": "2025-03-06T10:00:00Z",
     "actions": [{"description": "Write the runbook"}]},
]
BARE = "id: C-4\ntitle: Bare\nincident_date: 2025-04-06\n"


@pytest.fixture
def con(cli, db, exports):
    (exports / "full.json").write_text(json.dumps(FULL), encoding="utf-8")
    (exports / "partial.json").write_text(json.dumps(PARTIAL), encoding="utf-8")
    (exports / "bare.yaml").write_text(BARE, encoding="utf-8")
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    connection = connect_readonly(db)
    yield connection
    connection.close()


def test_summary(con):
    rows = completeness.summary(con, Filters())
    assert list(rows.columns) == ["field", "postmortems", "missing", "missing_share"]
    assert rows[["field", "postmortems", "missing"]].values.tolist() == [
        ["team", 4, 2],                    # C-3, C-4
        ["severity", 4, 1],                # C-4
        ["primary_cause_category", 4, 2],  # C-2 (banana), C-4
        ["detection", 4, 2],               # C-2, C-4
        ["actions", 4, 2],                 # C-2, C-4
        ["postmortem_date", 4, 2],         # C-3, C-4
    ]
    assert rows["missing_share"].tolist() == pytest.approx([0.5, 0.25, 0.5, 0.5, 0.5, 0.5])


def test_worst_files(con):
    rows = completeness.worst_files(con, Filters())
    assert list(rows.columns) == ["source_path", "postmortems", "missing_fields", "missing", "missing_values"]
    assert [p.rsplit("/", 1)[-1] for p in rows["source_path"]] == ["bare.yaml", "partial.json"]  # full.json: none
    assert rows[["postmortems", "missing_fields", "missing_values"]].values.tolist() == [[1, 6, 6], [2, 5, 5]]
    assert rows["missing"].tolist() == [
        ["team", "severity", "primary_cause_category", "detection", "actions", "postmortem_date"],
        ["team", "primary_cause_category", "detection", "actions", "postmortem_date"]]
    assert len(completeness.worst_files(con, Filters(), limit=1)) == 1


def test_team_filter(con):
    rows = completeness.summary(con, Filters(teams=("a",)))
    assert rows[["postmortems", "missing"]].values.tolist() == [[2, 0], [2, 0], [2, 1], [2, 1], [2, 1], [2, 0]]
    files = completeness.worst_files(con, Filters(teams=("a",)))
    assert files[["postmortems", "missing_fields"]].values.tolist() == [[1, 3]]  # C-2 alone in partial.json


FILTERS = (Filters(teams=("a",)), Filters(severities=("P3",)), Filters(date_from=date(2025, 3, 1)),
           Filters(date_to=date(2025, 2, 28)), Filters(services=("api",)), Filters(cause_categories=("process",)))


def test_filters_never_raise_counts_and_shares_stay_in_range(con):
    everything = completeness.summary(con, Filters()).set_index("field")
    files = len(completeness.worst_files(con, Filters()))
    for f in FILTERS:
        rows = completeness.summary(con, f).set_index("field")
        assert (rows["postmortems"] <= everything["postmortems"]).all()
        assert (rows["missing"] <= everything["missing"]).all()
        shares = rows["missing_share"].dropna()
        assert ((shares >= 0) & (shares <= 1)).all()
        assert len(completeness.worst_files(con, f)) <= files


def test_everything_filtered_out(con):
    rows = completeness.summary(con, Filters(teams=("nobody",)))
    assert len(rows) == 6 and (rows["postmortems"] == 0).all() and (rows["missing"] == 0).all()
    assert np.isnan(rows["missing_share"]).all()
    assert completeness.worst_files(con, Filters(teams=("nobody",))).empty


def test_source_paths_are_shown_relative_to_the_ingested_folder():
    import pandas as pd

    from analytics.completeness import relative_sources

    paths = pd.Series(["/home/a/exports/2024/x.md", "/home/a/exports/y.json", None])
    # the folder both are under is /home/a/exports
    assert relative_sources(paths).tolist()[:2] == ["2024/x.md", "y.json"]
    assert relative_sources(pd.Series(["/srv/one/pm.md"])).tolist() == ["pm.md"]  # a lone file: its name


def test_a_file_is_ranked_with_all_its_post_mortems_complete_ones_included(cli, db, exports):
    # mixed.json: C-5 without a severity and C-6 complete (as full.json's C-1). The file counts both its
    # post-mortems, not only the one with a gap: 2, 1 field missing, in 1 cell; full.json is not listed
    # (titles and days of their own: the same title on the same day reads as one post-mortem twice)
    mixed = [dict(FULL, id="C-5", title="Five", incident_date="2025-05-06", severity=None),
             dict(FULL, id="C-6", title="Six", incident_date="2025-06-06")]
    (exports / "full.json").write_text(json.dumps(FULL), encoding="utf-8")
    (exports / "mixed.json").write_text(json.dumps(mixed), encoding="utf-8")
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    con = connect_readonly(db)
    try:
        rows = completeness.worst_files(con, Filters())
        assert [p.rsplit("/", 1)[-1] for p in rows["source_path"]] == ["mixed.json"]
        assert rows[["postmortems", "missing_fields", "missing_values"]].values.tolist() == [[2, 1, 1]]
        assert rows["missing"].tolist() == [["severity"]]
        summary = completeness.summary(con, Filters())
        assert summary.set_index("field")["missing"].to_dict() == {
            "team": 0, "severity": 1, "primary_cause_category": 0, "detection": 0, "actions": 0,
            "postmortem_date": 0}
        assert set(summary["postmortems"]) == {3}
    finally:
        con.close()
