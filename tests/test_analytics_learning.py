"""Learning dissemination on a small fixture whose numbers are worked out by hand."""

import json
from datetime import date

import numpy as np
import pytest

from analytics import learning
from analytics.db import connect_readonly
from analytics.filters import Filters
from analytics.settings import Settings
from hindsight.config import read_config

from conftest import query

CONFIG = """\
teams:
  Payments: ["@Alice", "bob", " Carol ", "dave"]
  search: ["@erin", "frank"]
  empty: []
"""

FIXTURE = [
    # 2 of payments' 4 members (alice, bob); zed is not in the team
    {"id": "L-1", "title": "Refunds stuck", "team": "payments", "incident_date": "2025-01-06",
     "readers": ["alice", "@BOB", "zed"]},
    # all 4; "Alice" and "alice" are one person
    {"id": "L-2", "title": "Card declines", "team": "Payments", "incident_date": "2025-02-06",
     "readers": ["carol", "alice", "Alice", "bob", "dave"]},
    # 1 of search's 2 (frank); alice is in another team
    {"id": "L-3", "title": "Index lag", "team": "search", "incident_date": "2025-01-10", "readers": ["frank", "alice"]},
    # nobody read it: the readers field is given, empty
    {"id": "L-4", "title": "Ranking bug", "team": "search", "incident_date": "2025-03-01", "readers": []},
    # no readers field at all: unknown, not "nobody read it", so left out of the rate
    {"id": "L-8", "title": "Cache miss", "team": "search", "incident_date": "2025-03-02"},
    # excluded: team not configured, team with an empty list, no team
    {"id": "L-5", "title": "Disk full", "team": "infra", "incident_date": "2025-01-12", "readers": ["x"]},
    {"id": "L-6", "title": "Nothing", "team": "empty", "incident_date": "2025-01-13", "readers": ["y"]},
    {"id": "L-7", "title": "Orphan", "incident_date": "2025-01-14", "readers": ["alice"]},
]


@pytest.fixture
def setup(cli, db, exports, tmp_path):
    cfg = tmp_path / "hindsight.yaml"
    cfg.write_text(CONFIG, encoding="utf-8")
    (exports / "pms.json").write_text(json.dumps(FIXTURE), encoding="utf-8")
    code, out, err = cli("ingest", exports, "--db", db, "--config", cfg)
    assert code == 0, out + err
    connection = connect_readonly(db)
    yield connection, Settings.from_mapping(read_config(cfg))
    connection.close()


@pytest.mark.parametrize("pid, day, members, readers_in_team", [
    ("L-1", date(2025, 1, 6), 4, 2),   # alice and bob of payments' 4; zed is not in the team
    ("L-2", date(2025, 2, 6), 4, 4),   # all 4; "Alice" and "alice" are one person
    ("L-3", date(2025, 1, 10), 2, 1),  # frank of search's 2; alice is in another team
    ("L-4", date(2025, 3, 1), 2, 0),   # the readers field is given, empty: nobody read it
])
def test_each_postmortem(setup, pid, day, members, readers_in_team):
    con, settings = setup
    # each fixture post-mortem has its own incident date: filtering to that day measures it alone
    row = learning.summary(con, Filters(date_from=day, date_to=day), settings).iloc[0]
    assert (row["postmortems"], row["member_slots"], row["member_reads"]) == (1, members, readers_in_team)
    assert row["dissemination_rate"] == pytest.approx(readers_in_team / members)


def test_summary_pooled_and_median(setup):
    con, settings = setup
    row = learning.summary(con, Filters(), settings).iloc[0].to_dict()
    # reads 2 + 4 + 1 + 0 over slots 4 + 4 + 2 + 2; shares 0, 0.5, 0.5, 1. L-8 (no readers field) is
    # not measured: counted as 0 of 2 it would give 7 / 14.
    assert {k: row[k] for k in ("postmortems", "member_reads", "member_slots", "no_reader_data", "excluded",
                                "total")} == {
        "postmortems": 4, "member_reads": 7, "member_slots": 12, "no_reader_data": 1, "excluded": 3, "total": 8}
    assert row["dissemination_rate"] == pytest.approx(7 / 12)
    assert row["median_share"] == pytest.approx(0.5)


def test_team_filter(setup):
    con, settings = setup
    row = learning.summary(con, Filters(teams=("search",)), settings).iloc[0]
    assert (row["postmortems"], row["member_reads"], row["member_slots"], row["excluded"]) == (2, 1, 4, 0)
    assert (row["no_reader_data"], row["total"]) == (1, 3)  # L-8
    assert row["dissemination_rate"] == pytest.approx(0.25)


def test_no_team_configuration_measures_nothing(setup):
    con, _ = setup
    row = learning.summary(con, Filters(), Settings()).iloc[0]
    assert (row["postmortems"], row["member_reads"], row["member_slots"], row["excluded"]) == (0, 0, 0, 8)
    assert np.isnan(row["dissemination_rate"])


def test_member_names_are_bound_not_spliced(setup):
    con, _ = setup
    hostile = Settings(teams={"search": ["frank", "x'); DROP TABLE readers; --"]})
    row = learning.summary(con, Filters(date_from=date(2025, 1, 10), date_to=date(2025, 1, 10)), hostile).iloc[0]
    assert (row["member_slots"], row["member_reads"]) == (2, 1)  # L-3: frank of 2 members
    assert learning.summary(con, Filters(), Settings(teams={"infra": ["X"]})).iloc[0]["member_reads"] == 1


FILTERS = (Filters(teams=("payments",)), Filters(teams=("Payments",)), Filters(date_from=date(2025, 2, 1)),
           Filters(date_to=date(2025, 1, 31)), Filters(severities=("P1",)), Filters(services=("api",)))


def test_filters_never_raise_counts_and_rates_stay_in_range(setup):
    con, settings = setup
    everything = learning.summary(con, Filters(), settings).iloc[0]
    for f in FILTERS:
        row = learning.summary(con, f, settings).iloc[0]
        for column in ("postmortems", "member_reads", "member_slots", "no_reader_data", "excluded", "total"):
            assert row[column] <= everything[column]
        for rate in ("dissemination_rate", "median_share"):
            assert np.isnan(row[rate]) or 0 <= row[rate] <= 1


def test_everything_filtered_out(setup):
    con, settings = setup
    f = Filters(teams=("nobody",))
    row = learning.summary(con, f, settings).iloc[0]
    assert (row["postmortems"], row["member_reads"], row["member_slots"], row["excluded"]) == (0, 0, 0, 0)
    assert np.isnan(row["dissemination_rate"]) and np.isnan(row["median_share"])


def test_by_quarter(setup):
    con, settings = setup
    rows = learning.by_quarter(con, Filters(), settings).set_index("quarter")
    # every incident is in 2025-Q1: the quarter is the whole summary
    assert rows.index.tolist() == ["2025-Q1"]
    assert rows.loc["2025-Q1", ["postmortems", "member_reads", "member_slots", "no_reader_data", "total"]].tolist() == [
        4, 7, 12, 1, 8]


def test_which_documents_give_reader_data(cli, db, exports):
    """readers_known: TRUE when the document has a readers field, even empty; FALSE without one."""
    import textwrap

    records = [{"id": "R-1", "title": "a", "incident_date": "2025-01-01", "readers": []},
               {"id": "R-2", "title": "b", "incident_date": "2025-01-01", "readers": ["x"]},
               {"id": "R-3", "title": "c", "incident_date": "2025-01-01"},
               {"id": "R-4", "title": "d", "incident_date": "2025-01-01", "readers": None}]
    (exports / "pms.json").write_text(json.dumps(records), encoding="utf-8")
    (exports / "pms.csv").write_text("id,title,incident_date,readers\nR-5,e,2025-01-01,\nR-6,f,2025-01-01,x;y\n",
                                     encoding="utf-8")
    (exports / "fm.md").write_text(textwrap.dedent("""\
        ---
        id: R-7
        readers: [x]
        ---
        # Post-Mortem: g
        **Incident date**: 2025-01-01
        """), encoding="utf-8")
    (exports / "plain.md").write_text("# Post-Mortem: h\n**Incident date**: 2025-01-01\n", encoding="utf-8")
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    known = dict(query(db, "SELECT title, readers_known FROM postmortems"))
    assert known == {"a": True, "b": True, "c": False, "d": False, "e": False, "f": True, "g": True, "h": False}


def test_a_database_from_before_readers_known_is_upgraded(cli, db, exports):
    """A file written before the column existed gets it on the next ingest; its post-mortems with a
    reader are known to have had the field, the others are taken as without it."""
    import duckdb

    records = [{"id": "O-1", "title": "a", "team": "t", "incident_date": "2025-01-01", "readers": ["x"]},
               {"id": "O-2", "title": "b", "team": "t", "incident_date": "2025-01-01", "readers": []}]
    (exports / "pms.json").write_text(json.dumps(records), encoding="utf-8")
    assert cli("ingest", exports, "--db", db)[0] == 0
    con = duckdb.connect(str(db))
    con.execute("ALTER TABLE postmortems DROP COLUMN readers_known")  # as an older release wrote it
    con.close()
    # the dashboard reads it before any ingest: the same guess, no error
    old = connect_readonly(db)
    try:
        row = learning.summary(old, Filters(), Settings(teams={"t": ["x"]})).iloc[0]
    finally:
        old.close()
    assert (row["postmortems"], row["member_reads"], row["no_reader_data"], row["total"]) == (1, 1, 1, 2)
    code, out, err = cli("ingest", exports, "--db", db)  # nothing changed: no row is rewritten
    assert code == 0 and "1 unchanged" in out, out + err
    # O-2's empty list cannot be told from no field once loaded: the best guess is "unknown"
    assert dict(query(db, "SELECT postmortem_id, readers_known FROM postmortems")) == {"O-1": True, "O-2": False}
