"""Two things the documents say that were lost (issue 12): what blocks an action ("Blocked by" /
"Bloqué par", as a column or in the status cell), and the currency of an estimated cost ("5 300 €").
Both are read at ingest, stored, and shown: the blocker on the Escalations page, the currency on the
Post-mortems page."""

from __future__ import annotations

import textwrap

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT, query, write
from pipeline.values import blocked_reason, parse_currency

DOC = textwrap.dedent("""\
    # Post-Mortem: Paiements refusés après la bascule réseau

    **Date de l'incident**: 2026-01-10
    **Date du post-mortem**: 2026-01-14
    **Équipe**: payments
    **Service**: payment-gateway
    **Sévérité**: P2

    ## Impact

    | Métrique | Valeur |
    |----------|--------|
    | Coût estimé | 5 300 € |

    ## Actions correctives

    | Action | Responsable | Échéance | Priorité | Statut | Bloqué par |
    |--------|-------------|----------|----------|--------|------------|
    | Doubler le lien inter-DC | @nina | 2026-02-01 | Haute | ⛔ Bloqué | Achat du matériel réseau |
    | Alerter sur la latence inter-DC | @omar | 2026-02-15 | Moyenne | ⛔ Bloqué par l'équipe réseau | |
    | Documenter la bascule | @nina | 2026-02-20 | Basse | ✅ Fait | |
    """)


@pytest.mark.parametrize("text, code", [
    ("5300€", "EUR"), ("€3.5k", "EUR"), ("5 300 €", "EUR"), ("USD 1,200", "USD"), ("1200 usd", "USD"),
    ("$12k", "USD"), ("US$ 900", "USD"), ("CA$ 400", "CAD"), ("£80", "GBP"), ("1 200 euros", "EUR"),
    ("2500 CHF", "CHF"), ("12000", None), ("~1,200 (estimate)", None), (4500, None), ("3.5k", None)])
def test_the_currency_an_amount_names(text, code):
    assert parse_currency(text) == code


@pytest.mark.parametrize("status, reason", [
    ("⛔ Blocked by the network team", "the network team"),
    ("Bloqué par la validation juridique", "la validation juridique"),
    ("⛔ Bloquée par l'achat", "l'achat"),
    ("⛔ Blocked", None), ("Blocked since 2026-01-02", None), ("x" * 5000, None)])
def test_the_reason_a_status_cell_gives(status, reason):
    assert blocked_reason(status) == reason


@pytest.fixture
def loaded(cli, db, exports):
    write(exports, "paiements.md", DOC)
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    return db


def test_blocker_and_currency_are_stored(loaded):
    assert query(loaded, "SELECT estimated_cost, cost_currency FROM postmortems") == [(5300.0, "EUR")]
    assert query(loaded, "SELECT status, blocked_by FROM actions ORDER BY position") == [
        ("blocked", "Achat du matériel réseau"),    # the column
        ("blocked", "l'équipe réseau"),             # the status cell, no column value
        ("done", None)]


def test_the_escalations_page_says_what_blocks_and_the_post_mortem_its_currency(loaded, monkeypatch):
    import streamlit as st

    st.cache_data.clear()
    monkeypatch.setenv("HINDSIGHT_DB", str(loaded))
    monkeypatch.delenv("HINDSIGHT_CONFIG", raising=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    # As of 2026-03-01 both blocked actions have been blocked since the post-mortem (2026-01-14): 46 days,
    # more than the 14 that escalate to management.
    at.query_params["as_of"] = "2026-03-01"
    at.run()
    at.switch_page("views/escalations.py").run()
    assert not at.exception
    tables = [df.value for df in at.dataframe if "Blocked by" in df.value.columns]
    management = next(t for t in tables if "Doubler le lien inter-DC" in set(t["Subject"]))
    assert sorted(management["Blocked by"]) == ["Achat du matériel réseau", "l'équipe réseau"]

    pid = query(loaded, "SELECT postmortem_id FROM postmortems")[0][0]
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["as_of"] = "2026-03-01"
    at.query_params["pm"] = pid
    at.run()
    at.switch_page("views/postmortems.py").run()
    assert not at.exception
    assert "5,300 EUR" in [m.value for m in at.metric]


def test_a_database_from_schema_1_reads_its_files_again_once(cli, loaded, exports):
    """Files loaded before these columns existed never had them read: the first run on the new schema reads
    every file again (and fills them), the next one finds everything unchanged."""
    import duckdb

    con = duckdb.connect(str(loaded))
    con.execute("ALTER TABLE postmortems DROP COLUMN cost_currency")  # as schema 1 wrote it
    con.execute("ALTER TABLE actions DROP COLUMN blocked_by")
    con.execute("UPDATE schema_info SET value = '1' WHERE key = 'schema_version'")
    con.close()
    code, out, err = cli("ingest", exports, "--db", loaded)
    assert code == 0 and "1 file(s) loaded, 0 unchanged" in out, out + err
    assert query(loaded, "SELECT cost_currency FROM postmortems") == [("EUR",)]
    assert query(loaded, "SELECT count(blocked_by) FROM actions") == [(2,)]
    code, out, err = cli("ingest", exports, "--db", loaded)
    assert "0 file(s) loaded, 1 unchanged" in out, out + err


def test_a_database_from_schema_1_still_shows_every_page_before_its_next_ingest(loaded, monkeypatch):
    """The dashboard reads read-only: an older file keeps working (the new columns read as empty) until an
    ingest upgrades it. Seen in the load test on a database written before these columns: the
    Escalations page raised a binder error."""
    import duckdb
    import streamlit as st

    con = duckdb.connect(str(loaded))
    con.execute("ALTER TABLE postmortems DROP COLUMN cost_currency")
    con.execute("ALTER TABLE actions DROP COLUMN blocked_by")
    con.close()
    st.cache_data.clear()
    monkeypatch.setenv("HINDSIGHT_DB", str(loaded))
    monkeypatch.delenv("HINDSIGHT_CONFIG", raising=False)
    pid = query(loaded, "SELECT postmortem_id FROM postmortems")[0][0]
    for page in ("views/escalations.py", "views/postmortems.py"):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.query_params["as_of"] = "2026-03-01"
        at.query_params["pm"] = pid
        at.run()
        at.switch_page(page).run()
        assert not at.exception, page
    assert "5,300" in [m.value for m in at.metric]  # the amount, without a currency to name
