"""The demo corpus at large counts looks like a real organisation's: incidents spread over more years,
then over more services, so the share of recurring incidents stays near the committed corpus's (39%)."""

from __future__ import annotations

import json
from datetime import date

from conftest import query
from hindsight.demo.organisation import organisation_for
from hindsight.demo.wording import TEAMS

NINE_TEAMS_SERVICES = 23  # the services of the nine teams in wording.yaml


def _services(org) -> list[str]:
    return [service for team in org.teams.values() for service in team["services"]]


def test_up_to_300_the_committed_organisation_and_span():
    for count in (1, 300):
        org = organisation_for(count)
        assert org.teams == TEAMS and len(_services(org)) == NINE_TEAMS_SERVICES
        assert org.first_day == date(2024, 7, 1)  # 862 days before 2026-11-10


def test_the_span_grows_first():
    org = organisation_for(600)  # twice the committed count: twice its 862 days
    assert (date(2026, 11, 10) - org.first_day).days == 1724
    assert org.teams == TEAMS


def test_then_the_services():
    # 12,000 = 40 x 300: the span grows 4 times (3,448 days), the services 10 times (230)
    org = organisation_for(12_000)
    assert (date(2026, 11, 10) - org.first_day).days == 3448
    services = _services(org)
    assert 230 <= len(services) <= 232  # the last team added brings up to 3
    assert len(set(services)) == len(services)
    assert list(org.teams)[:9] == list(TEAMS) and "catalog" in org.teams and "catalog-2" in org.teams
    for team in org.teams.values():
        assert 4 <= len(team["members"]) <= 8 or team in TEAMS.values()
        handles = [handle for _, handle in team["members"]]
        assert len(set(handles)) == len(handles)


def test_a_1000_corpus_recurs_like_the_committed_one(cli, tmp_path, db):
    """Before: 1,000 incidents in the same 862 days on 23 services, 70% recurred. Now they spread over
    2,873 days (1000/300 x 862), about 5.5 post-mortems per service a year as at 300, and the recurrence
    rate stays near the committed corpus's 39%."""
    out = tmp_path / "corpus"
    assert cli("demo", "--out", out, "--count", "1000", "--seed", "42")[0] == 0
    assert cli("ingest", out, "--db", db, "--quiet")[0] == 1  # the planted malformed files
    first, last = query(db, "SELECT min(incident_date), max(incident_date) FROM postmortems")[0]
    assert first <= date(2019, 1, 31) and last <= date(2026, 11, 10)
    code, report, err = cli("report", "recurrence", "--db", db, "--as-of", "2026-11-15", "--format", "json")
    assert code == 0, err
    rate = json.loads(report)["Recurrence"][0]["recurrence_rate"]
    assert 0.30 <= rate <= 0.48
