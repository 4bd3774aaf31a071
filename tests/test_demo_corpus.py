"""The committed demo corpus in data/demo: made by `hindsight demo`, loads with only the planted files rejected."""

from pathlib import Path

from conftest import ROOT, query, scalar

DEMO = ROOT / "data" / "demo"
PLANTED = {
    "csv/malformed-export.csv",
    "json/malformed-no-identity.json",
    "json/malformed-truncated.json",
    "markdown/platform/malformed-notes.md",
    "yaml/malformed-plain-string.yaml",
}


def test_committed_corpus_is_what_the_generator_makes(cli, tmp_path):
    code, out, _ = cli("demo", "--out", tmp_path / "demo", "--count", "300", "--seed", "42")
    assert code == 0
    assert "Wrote 300 post-mortems" in out
    made = {p.relative_to(tmp_path / "demo"): p.read_bytes() for p in (tmp_path / "demo").rglob("*") if p.is_file()}
    committed = {p.relative_to(DEMO): p.read_bytes() for p in DEMO.rglob("*") if p.is_file()}
    assert made.keys() == committed.keys()
    assert [str(k) for k in made if made[k] != committed[k]] == []


def test_ingest_data_rejects_only_the_planted_files(cli, db):
    code, out, _ = cli("ingest", ROOT / "data", "--db", db)
    assert code == 1  # the planted malformed files
    rejected = {Path(p).relative_to(DEMO).as_posix() for (p,) in query(
        db, "SELECT DISTINCT source_path FROM ingest_errors WHERE level = 'error'")}
    assert rejected == PLANTED
    assert "235 file(s) loaded, 0 unchanged, 5 rejected (of 240 found)" in out
    assert scalar(db, "SELECT count(*) FROM postmortems") == 300


def test_demo_database_has_what_the_dashboard_needs(cli, db):
    cli("ingest", DEMO, "--db", db)
    assert scalar(db, "SELECT count(DISTINCT team) FROM postmortems") >= 8
    first, last = query(db, "SELECT min(incident_date), max(incident_date) FROM postmortems")[0]
    assert (last - first).days > 730
    assert dict(query(db, "SELECT source_format, count(*) > 0 FROM postmortems GROUP BY ALL")) == {
        "markdown": True, "json": True, "yaml": True, "csv": True}
    assert dict(query(db, "SELECT language, count(*) > 0 FROM postmortems GROUP BY ALL")) == {"fr": True, "en": True}
    assert scalar(db, "SELECT count(*) FROM actions WHERE status = 'blocked' AND blocked_since IS NOT NULL") > 0
    assert scalar(db, "SELECT count(*) FROM action_status_history WHERE source LIKE '%tracker%'") > 0
    assert scalar(db, "SELECT count(*) FROM incidents WHERE postmortem_id IS NULL AND severity = 'P1'") > 0
    assert scalar(db, "SELECT count(*) FROM postmortems WHERE days_to_postmortem > 10") > 0
    # skewed durations: the median is far below the p90
    median, p90 = query(db, "SELECT quantile_cont(minutes_to_resolve, 0.5), quantile_cont(minutes_to_resolve, 0.9) "
                            "FROM postmortems")[0]
    assert p90 > 3 * median
