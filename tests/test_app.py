"""The dashboard entrypoint, through Streamlit's AppTest, on a real database file."""

from streamlit.testing.v1 import AppTest

from conftest import ROOT, SEED

APP = str(ROOT / "app.py")


def test_without_a_database_it_says_how_to_load(monkeypatch, tmp_path):
    monkeypatch.setenv("HINDSIGHT_DB", str(tmp_path / "none.duckdb"))
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert "hindsight ingest" in at.info[0].value


def test_with_a_database_it_counts_what_was_loaded(monkeypatch, cli, db):
    cli("ingest", SEED, "--db", db)
    monkeypatch.setenv("HINDSIGHT_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    values = {m.label: m.value for m in at.metric}
    assert values == {"Postmortems": "1", "Actions": "5", "Incidents": "0"}
