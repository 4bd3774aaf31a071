"""Post-mortem coverage on small fixtures whose numbers are worked out by hand (as of 2025-03-31).

Only the recurring rule needs analytics.recurrence; the other tests use post-mortems that recur in no
sense (different service and cause, no explicit link)."""

import json
from datetime import date

import numpy as np
import pytest

from analytics import coverage
from analytics.db import connect_readonly
from analytics.filters import Filters
from analytics.settings import Settings

AS_OF = date(2025, 3, 31)

POSTMORTEMS = [
    {"id": "PM-A", "title": "API down", "severity": "P1", "team": "a", "service": "api", "cause_category": "code",
     "incident_date": "2025-01-06", "time_to_resolve": "20 min", "customer_impact": False},
    {"id": "PM-B", "title": "Almost lost the queue", "severity": "P3", "team": "b", "service": "web",
     "cause_category": "tools", "incident_date": "2025-01-20", "near_miss": True},
    {"id": "PM-C", "title": "Slow reports", "severity": "P3", "team": "b", "service": "db",
     "cause_category": "process", "incident_date": "2025-02-03"},
    {"id": "PM-D", "title": "Checkout errors", "severity": "P2", "team": "a", "service": "shop",
     "cause_category": "environment", "incident_date": "2025-03-03", "time_to_resolve": "1h 30m",
     "customer_impact": True},
    {"id": "PM-E", "title": "Consumers stuck", "severity": "P1", "team": "b", "service": "queue",
     "cause_category": "people", "incident_date": "2025-03-05"},
]

INCIDENTS = """\
incident_id,severity,started_at,resolved_at,customer_impact,postmortem_id
INC-1,P1,2025-01-06T10:00:00Z,2025-01-06T10:20:00Z,no,PM-A
INC-2,P1,2025-01-08T09:00:00Z,2025-01-08T09:10:00Z,no,
INC-3,P2,2025-01-10T09:00:00Z,2025-01-10T09:45:00Z,no,
INC-4,P2,2025-01-12T09:00:00Z,2025-01-12T09:30:00Z,no,
INC-5,P3,2025-01-15T09:00:00Z,2025-01-15T12:00:00Z,yes,
INC-6,P3,2025-01-20T09:00:00Z,2025-01-20T09:05:00Z,no,PM-B
INC-7,P3,2025-02-03T09:00:00Z,2025-02-03T10:00:00Z,no,PM-C
INC-8,P1,2025-02-10T09:00:00Z,2025-02-10T11:00:00Z,no,PM-Z
INC-9,P4,2025-02-12T09:00:00Z,2025-02-12T09:50:00Z,no,
INC-10,P1,2025-04-02T09:00:00Z,2025-04-02T10:00:00Z,no,
INC-11,P2,2025-03-03T10:00:00Z,2025-03-03T11:30:00Z,yes,PM-D
INC-12,,2025-03-05T08:00:00Z,,,PM-E
"""


def _ingest(cli, db, folder, with_incidents):
    (folder / "pms.json").write_text(json.dumps(POSTMORTEMS), encoding="utf-8")
    if with_incidents:
        (folder / "incidents.csv").write_text(INCIDENTS, encoding="utf-8")
    code, out, err = cli("ingest", folder, "--db", db)
    assert code == 0, out + err
    return connect_readonly(db)


@pytest.fixture
def con(cli, db, exports):
    connection = _ingest(cli, db, exports, with_incidents=True)
    yield connection
    connection.close()


@pytest.fixture
def pm_only(cli, db, exports):
    connection = _ingest(cli, db, exports, with_incidents=False)
    yield connection
    connection.close()


def test_required_from_the_incidents_list(con):
    rows = coverage.required(con, Filters(as_of=AS_OF))
    assert list(rows.columns) == ["incident_id", "severity", "started_at", "minutes", "customer_impact", "reasons",
                                  "required", "has_postmortem", "postmortem_id", "source"]
    # INC-4 (P2, exactly 30 min), INC-7 (P3, no impact), INC-9 (P4) need none; INC-10 is after the as-of date
    assert [(r.incident_id, r.reasons, r.required, r.has_postmortem) for r in rows.itertuples()] == [
        ("INC-1", ["P1"], True, True),
        ("INC-2", ["P1"], True, False),
        ("INC-3", ["P2 > 30 min"], True, False),
        ("INC-5", ["customer impact"], True, False),
        ("INC-6", ["near miss (recommended)"], False, True),   # near miss read from PM-B
        ("INC-8", ["P1"], True, False),                         # PM-Z is not loaded: a dangling link
        ("INC-11", ["P2 > 30 min", "customer impact"], True, True),
        ("INC-12", ["P1"], True, True),                         # severity taken from PM-E
    ]
    assert set(rows["source"]) == {"incidents"}
    assert rows.set_index("incident_id").loc["INC-3", "minutes"] == pytest.approx(45.0)
    assert rows.set_index("incident_id").loc["INC-11", "minutes"] == pytest.approx(90.0)


def test_summary_from_the_incidents_list(con):
    row = coverage.summary(con, Filters(as_of=AS_OF)).iloc[0].to_dict()
    # required INC-1, 2, 3, 5, 8, 11, 12; covered INC-1, 11, 12
    assert {k: row[k] for k in ("required", "covered", "missing", "recommended", "source")} == {
        "required": 7, "covered": 3, "missing": 4, "recommended": 1, "source": "incidents"}
    assert row["coverage_rate"] == pytest.approx(3 / 7)


def test_missing_list(con):
    rows = coverage.missing(con, Filters(as_of=AS_OF))
    assert rows["incident_id"].tolist() == ["INC-2", "INC-3", "INC-5", "INC-8"]
    assert rows["postmortem_id"].isna().tolist() == [True, True, True, False]
    assert rows["postmortem_id"].iloc[3] == "PM-Z"  # a dangling link shows its id
    assert not rows["has_postmortem"].any() and rows["required"].all()


def test_p2_threshold_setting(con):
    longer = coverage.required(con, Filters(as_of=AS_OF), Settings(coverage_p2_minutes=60)).set_index("incident_id")
    assert "INC-3" not in longer.index  # 45 min is not > 60
    assert longer.loc["INC-11", "reasons"] == ["P2 > 60 min", "customer impact"]
    shorter = coverage.summary(con, Filters(as_of=AS_OF), Settings(coverage_p2_minutes=20)).iloc[0]
    assert (shorter["required"], shorter["missing"]) == (8, 5)  # INC-4's 30 min now counts


def test_as_of_moves_the_window(con):
    row = coverage.summary(con, Filters(as_of=date(2025, 4, 30))).iloc[0]
    assert (row["required"], row["missing"]) == (8, 5)  # INC-10 (2025-04-02) now in
    row = coverage.summary(con, Filters(as_of=date(2025, 3, 4))).iloc[0]
    assert (row["required"], row["covered"]) == (6, 2)  # INC-12 (2025-03-05) not yet


def test_filters_on_the_incidents_list(con):
    def counts(**kw):
        row = coverage.summary(con, Filters(as_of=AS_OF, **kw)).iloc[0]
        return row["required"], row["covered"], row["missing"]

    assert counts(severities=("P1",)) == (4, 2, 2)                 # INC-1, 2, 8, 12
    assert counts(date_from=date(2025, 2, 1)) == (3, 2, 1)          # INC-8, 11, 12
    # team only through the linked post-mortem: INC-1 (PM-A) and INC-11 (PM-D)
    assert counts(teams=("a",)) == (2, 2, 0)
    assert counts(services=("queue",)) == (1, 1, 0)                 # INC-12 via PM-E


def test_postmortems_are_the_source_without_an_incidents_list(pm_only):
    rows = coverage.required(pm_only, Filters(as_of=AS_OF))
    assert [(r.incident_id, r.reasons, r.required) for r in rows.itertuples()] == [
        ("PM-A", ["P1"], True), ("PM-B", ["near miss (recommended)"], False),
        ("PM-D", ["P2 > 30 min", "customer impact"], True), ("PM-E", ["P1"], True)]
    assert rows["has_postmortem"].all() and set(rows["source"]) == {"postmortems"}
    row = coverage.summary(pm_only, Filters(as_of=AS_OF)).iloc[0].to_dict()
    assert {k: row[k] for k in ("required", "covered", "missing", "recommended", "source")} == {
        "required": 3, "covered": 3, "missing": 0, "recommended": 1, "source": "postmortems"}
    assert row["coverage_rate"] == 1.0
    assert coverage.missing(pm_only, Filters(as_of=AS_OF)).empty


def test_recurrence_of_an_earlier_incident_is_recurring(cli, db, exports):
    # Same service and cause 14 days later, and an explicit link: a recurrence in every sense.
    records = [
        {"id": "R-1", "title": "Cache full", "severity": "P3", "team": "a", "service": "cache",
         "cause_category": "environment", "incident_date": "2025-01-06"},
        {"id": "R-2", "title": "Cache full again", "severity": "P3", "team": "a", "service": "cache",
         "cause_category": "environment", "incident_date": "2025-01-20", "recurrence_of": "R-1"},
        # a near miss is only recommended, unless it recurs (R-1 again, 30 days later)
        {"id": "R-3", "title": "Cache nearly full", "severity": "P4", "team": "a", "service": "cache",
         "cause_category": "environment", "incident_date": "2025-02-05", "near_miss": True},
        {"id": "R-4", "title": "Disk nearly full", "severity": "P4", "team": "a", "service": "disk",
         "cause_category": "environment", "incident_date": "2025-02-05", "near_miss": True},
    ]
    (exports / "r.json").write_text(json.dumps(records), encoding="utf-8")
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    con = connect_readonly(db)
    try:
        rows = coverage.required(con, Filters(as_of=AS_OF)).set_index("incident_id")
    finally:
        con.close()
    assert rows.loc["R-2", "reasons"] == ["recurring"] and rows.loc["R-2", "required"]
    assert rows.loc["R-3", "reasons"] == ["recurring", "near miss (recommended)"] and rows.loc["R-3", "required"]
    assert rows.loc["R-4", "reasons"] == ["near miss (recommended)"] and not rows.loc["R-4", "required"]


FILTERS = (dict(teams=("a",)), dict(teams=("b",)), dict(severities=("P2",)), dict(services=("api",)),
           dict(cause_categories=("code",)), dict(date_from=date(2025, 2, 1)), dict(date_to=date(2025, 1, 31)))


@pytest.mark.parametrize("fixture", ["con", "pm_only"])
def test_filters_never_raise_counts_and_rates_stay_in_range(fixture, request):
    connection = request.getfixturevalue(fixture)
    everything = coverage.summary(connection, Filters(as_of=AS_OF)).iloc[0]
    listed = len(coverage.required(connection, Filters(as_of=AS_OF)))
    for kw in FILTERS:
        f = Filters(as_of=AS_OF, **kw)
        row = coverage.summary(connection, f).iloc[0]
        for column in ("required", "covered", "missing", "recommended"):
            assert row[column] <= everything[column], (kw, column)
        assert np.isnan(row["coverage_rate"]) or 0 <= row["coverage_rate"] <= 1
        assert len(coverage.required(connection, f)) <= listed
        assert len(coverage.missing(connection, f)) == row["missing"]


@pytest.mark.parametrize("fixture", ["con", "pm_only"])
def test_everything_filtered_out(fixture, request):
    connection = request.getfixturevalue(fixture)
    f = Filters(as_of=AS_OF, teams=("x'); DROP TABLE incidents; --",))
    row = coverage.summary(connection, f).iloc[0]
    assert (row["required"], row["covered"], row["missing"], row["recommended"]) == (0, 0, 0, 0)
    assert np.isnan(row["coverage_rate"])
    assert coverage.required(connection, f).empty and coverage.missing(connection, f).empty
    assert coverage.summary(connection, Filters(as_of=AS_OF)).iloc[0]["required"] > 0
