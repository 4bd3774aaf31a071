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
    # nobody read it
    {"id": "L-4", "title": "Ranking bug", "team": "search", "incident_date": "2025-03-01"},
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


def test_per_postmortem(setup):
    con, settings = setup
    rows = learning.per_postmortem(con, Filters(), settings)
    assert list(rows.columns) == ["postmortem_id", "title", "team", "members", "readers_in_team", "share"]
    assert rows[["postmortem_id", "members", "readers_in_team", "share"]].values.tolist() == [
        ["L-4", 2, 0, 0.0], ["L-1", 4, 2, 0.5], ["L-3", 2, 1, 0.5], ["L-2", 4, 4, 1.0]]


def test_summary_pooled_and_median(setup):
    con, settings = setup
    row = learning.summary(con, Filters(), settings).iloc[0].to_dict()
    # reads 2 + 4 + 1 + 0 over slots 4 + 4 + 2 + 2; shares 0, 0.5, 0.5, 1
    assert {k: row[k] for k in ("postmortems", "member_reads", "member_slots", "excluded")} == {
        "postmortems": 4, "member_reads": 7, "member_slots": 12, "excluded": 3}
    assert row["dissemination_rate"] == pytest.approx(7 / 12)
    assert row["median_share"] == pytest.approx(0.5)


def test_team_filter(setup):
    con, settings = setup
    row = learning.summary(con, Filters(teams=("search",)), settings).iloc[0]
    assert (row["postmortems"], row["member_reads"], row["member_slots"], row["excluded"]) == (2, 1, 4, 0)
    assert row["dissemination_rate"] == pytest.approx(0.25)


def test_no_team_configuration_measures_nothing(setup):
    con, _ = setup
    row = learning.summary(con, Filters(), Settings()).iloc[0]
    assert (row["postmortems"], row["member_reads"], row["member_slots"], row["excluded"]) == (0, 0, 0, 7)
    assert np.isnan(row["dissemination_rate"])
    assert learning.per_postmortem(con, Filters(), Settings()).empty


def test_member_names_are_bound_not_spliced(setup):
    con, _ = setup
    hostile = Settings(teams={"search": ["frank", "x'); DROP TABLE readers; --"]})
    rows = learning.per_postmortem(con, Filters(), hostile).set_index("postmortem_id")
    assert rows.loc["L-3", ["members", "readers_in_team"]].tolist() == [2, 1]
    assert learning.summary(con, Filters(), Settings(teams={"infra": ["X"]})).iloc[0]["member_reads"] == 1


FILTERS = (Filters(teams=("payments",)), Filters(teams=("Payments",)), Filters(date_from=date(2025, 2, 1)),
           Filters(date_to=date(2025, 1, 31)), Filters(severities=("P1",)), Filters(services=("api",)))


def test_filters_never_raise_counts_and_rates_stay_in_range(setup):
    con, settings = setup
    everything = learning.summary(con, Filters(), settings).iloc[0]
    for f in FILTERS:
        row = learning.summary(con, f, settings).iloc[0]
        for column in ("postmortems", "member_reads", "member_slots", "excluded"):
            assert row[column] <= everything[column]
        for rate in ("dissemination_rate", "median_share"):
            assert np.isnan(row[rate]) or 0 <= row[rate] <= 1
        shares = learning.per_postmortem(con, f, settings)["share"]
        assert ((shares >= 0) & (shares <= 1)).all()


def test_everything_filtered_out(setup):
    con, settings = setup
    f = Filters(teams=("nobody",))
    row = learning.summary(con, f, settings).iloc[0]
    assert (row["postmortems"], row["member_reads"], row["member_slots"], row["excluded"]) == (0, 0, 0, 0)
    assert np.isnan(row["dissemination_rate"]) and np.isnan(row["median_share"])
    assert learning.per_postmortem(con, f, settings).empty
