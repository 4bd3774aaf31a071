"""Escalation rules on a fixture whose results are worked out by hand, as of 2025-04-01 unless said.

- management: E-1's actions blocked since 03-17 (15 days), 03-18 (14) and 03-19 (13); threshold > 14.
- architecture review: db + environment on 2025-01-01, 02-15, 04-01 (spread 90 days) and 05-10;
  cache + environment on 2024-12-31, 02-15, 04-01 (spread 91 days).
- cross-team: R-1 external as its second cause with an open action; R-2 tag Cross-Team, actions done;
  R-3 tag cross-team, no actions; R-4 cause "vendor" (external), its action done only on 04-10;
  R-5 tag "vendor" (not an external tag) with an open action.
- block deployments: service pay, high-priority actions of S-1 (team pay) due 03-01, 03-20, 04-01 (open),
  03-10 (done), a medium one due 02-01, and of S-2 (team pay2) due 03-25 (blocked).
"""

from datetime import date

import pandas as pd
import pytest

from analytics import escalations
from analytics.filters import Filters
from analytics.settings import Settings

AS_OF = date(2025, 4, 1)


def pm(pid, day, team, service, cause, **extra):
    return {"id": pid, "title": f"Incident {pid}", "incident_date": day, "team": team, "severity": "P2",
            "service": service, "cause_category": cause, **extra}


def act(description, owner="@o", priority="low", status="todo", **extra):
    return {"description": description, "owner": owner, "priority": priority, "status": status, **extra}


RECORDS = [
    pm("E-1", "2025-03-10", "ops", "api", "code", actions=[
        act("Upgrade the database driver", "@bob", status="blocked", blocked_since="2025-03-17"),
        act("Rotate the keys", "@amy", status="blocked", blocked_since="2025-03-19"),
        act("Move the cron job", "@amy", status="blocked", blocked_since="2025-03-18"),
    ]),
    pm("P-1", "2025-01-01", "dba", "db", "environment"),
    pm("P-2", "2025-02-15", "dba", "db", "environment"),
    pm("P-3", "2025-04-01", "dba", "db", "environment"),
    pm("P-4", "2025-05-10", "storage", "db", "environment"),
    pm("Q-1", "2024-12-31", "web", "cache", "environment"),
    pm("Q-2", "2025-02-15", "web", "cache", "environment"),
    pm("Q-3", "2025-04-01", "web", "cache", "environment"),
    pm("R-1", "2025-03-01", "shop", "checkout", ["code", "external"], actions=[
        act("Agree an SLA with the vendor", "@sam", priority="medium")]),
    pm("R-2", "2025-03-05", "find", "search", "code", tags=["Cross-Team"], actions=[
        act("Share the runbook", status="done", completed_at="2025-03-20")]),
    pm("R-3", "2025-03-10", "comms", "mail", "code", tags=["cross-team"]),
    pm("R-4", "2025-03-20", "comms", "sms", "vendor", actions=[
        act("Switch SMS provider", status="done", completed_at="2025-04-10")]),
    pm("R-5", "2025-03-06", "id", "auth", "code", tags=["vendor"], actions=[act("Pin the library")]),
    pm("S-1", "2025-02-10", "pay", "pay", "code", actions=[
        act("Add idempotency keys", priority="high", due="2025-03-01"),
        act("Set a retry budget", priority="high", due="2025-03-20", status="in_progress"),
        act("Document the flow", priority="medium", due="2025-02-01"),
        act("Canary the deploys", priority="high", due="2025-04-01"),
        act("Alert on duplicates", priority="high", due="2025-03-10", status="done", completed_at="2025-03-09"),
    ]),
    pm("S-2", "2025-03-05", "pay2", "pay", "people", actions=[
        act("Split the queue", priority="high", due="2025-03-25", status="blocked", blocked_since="2025-03-25")]),
]


@pytest.fixture
def con(load_records):
    return load_records(RECORDS)


def run(con, as_of=AS_OF, settings=None, **filters):
    return escalations.escalations(con, Filters(as_of=as_of, **filters), settings)


def rule(table, name):
    return table[table["rule"] == name].reset_index(drop=True)


def test_everything_as_of_april_first(con):
    table = run(con)
    assert list(table.columns) == ["rule", "subject", "since", "owner", "evidence", "detail"]
    assert table[["rule", "subject", "since", "owner", "evidence"]].values.tolist() == [
        ["management", "Upgrade the database driver", pd.Timestamp("2025-03-17"), "@bob", ["E-1"]],
        ["architecture review", "db / environment", pd.Timestamp("2025-01-01"), "dba", ["P-1", "P-2", "P-3"]],
        ["cross-team", "Incident R-1", pd.Timestamp("2025-03-01"), "shop", ["R-1"]],
        ["cross-team", "Incident R-3", pd.Timestamp("2025-03-10"), "comms", ["R-3"]],
        ["cross-team", "Incident R-4", pd.Timestamp("2025-03-20"), "comms", ["R-4"]],
        ["block deployments", "pay", pd.Timestamp("2025-03-01"), "pay, pay2", ["S-1", "S-2"]],
    ]


def test_management_fires_over_fourteen_days_only(con):
    rows = rule(run(con), "management")
    # 15 days (03-17) fires; 14 (03-18) and 13 (03-19) do not
    assert rows["subject"].tolist() == ["Upgrade the database driver"]
    assert rows["detail"].iloc[0] == "action E-1-A1 blocked for 15 days (more than 14)"
    # S-2's action, blocked since 03-25 (7 days), is not raised either


def test_management_moves_with_as_of_and_setting(con):
    # on 04-03: 17, 16 and 15 days, all over 14, longest first
    rows = rule(run(con, as_of=date(2025, 4, 3)), "management")
    assert rows[["subject", "owner"]].values.tolist() == [
        ["Upgrade the database driver", "@bob"], ["Move the cron job", "@amy"], ["Rotate the keys", "@amy"]]
    assert rows["since"].tolist() == [pd.Timestamp("2025-03-17"), pd.Timestamp("2025-03-18"),
                                      pd.Timestamp("2025-03-19")]
    # blocked_days 12: 15, 14 and 13 days all go over on 04-01
    assert len(rule(run(con, settings=Settings(blocked_days=12)), "management")) == 3


def test_a_long_blocking_reads_with_a_thousands_separator(con):
    # 2025-03-17 to 2028-01-01: 365 + 365 + 290 days (2027-03-17 to 12-17 is 275, then 15 to January 1st)
    later = Filters(as_of=date(2028, 1, 1))
    rows = rule(run(con, as_of=later.as_of), "management")
    assert rows["detail"].iloc[0] == "action E-1-A1 blocked for 1,020 days (more than 14)"
    why = escalations.listing(con, later)
    assert why[why["rule"] == "management"]["why"].tolist()[:2] == [
        "Blocked for 1,020 days (more than 14)", "Blocked for 1,019 days (more than 14)"]


def test_architecture_review_needs_three_incidents(con):
    # on 03-31 db has only P-1 and P-2 (2 incidents): nothing; P-3 on 04-01 makes 3 within 90 days
    assert rule(run(con, as_of=date(2025, 3, 31)), "architecture review").empty
    rows = rule(run(con), "architecture review")
    assert rows["detail"].iloc[0] == ("3 incidents on db with cause environment from 2025-01-01 to 2025-04-01 "
                                      "(90 days; 3 within 90 days call for a review)")


def test_architecture_review_91_day_spread_does_not_fire(con):
    # cache: 2024-12-31 to 2025-04-01 is 91 days; any 90-day window holds 2 of them at most
    assert "cache / environment" not in run(con)["subject"].tolist()
    rows = rule(run(con, settings=Settings(pattern_window_days=91)), "architecture review")
    assert rows[["subject", "since", "evidence"]].values.tolist() == [
        ["cache / environment", pd.Timestamp("2024-12-31"), ["Q-1", "Q-2", "Q-3"]],
        ["db / environment", pd.Timestamp("2025-01-01"), ["P-1", "P-2", "P-3"]]]


def test_architecture_review_reports_the_latest_window(con):
    # on 06-01 P-4 (05-10, team storage) closes a later window: P-2, P-3, P-4 (02-15 to 05-10, 84 days)
    rows = rule(run(con, as_of=date(2025, 6, 1)), "architecture review")
    assert rows[["subject", "since", "owner", "evidence"]].values.tolist() == [
        ["db / environment", pd.Timestamp("2025-02-15"), "storage", ["P-2", "P-3", "P-4"]]]


def test_architecture_review_expires_when_the_pattern_stops(con):
    # db's last incident is P-4 on 05-10: on 2025-08-08 (90 days later) it is current, on 08-09 history
    assert not rule(run(con, as_of=date(2025, 8, 8)), "architecture review").empty
    assert "db / environment" not in rule(run(con, as_of=date(2025, 8, 9)), "architecture review")[
        "subject"].tolist()


def test_architecture_review_threshold_setting(con):
    # two incidents are enough: cache's latest window (Q-2 02-15, Q-3 04-01, 45 days) fires too
    rows = rule(run(con, settings=Settings(pattern_incidents=2)), "architecture review")
    assert rows[["subject", "evidence"]].values.tolist() == [
        ["db / environment", ["P-1", "P-2", "P-3"]], ["cache / environment", ["Q-2", "Q-3"]]]


def test_cross_team(con):
    rows = rule(run(con), "cross-team")
    assert rows[["subject", "detail"]].values.tolist() == [
        ["Incident R-1", "cause category external: another team is involved; 1 open action"],
        ["Incident R-3", "tag cross-team: another team is involved; no corrective action"],
        ["Incident R-4", "cause category external: another team is involved; 1 open action"],
    ]
    # tagged Cross-Team but its action was done on 03-20; R-5: "vendor" is not an external tag


def test_cross_team_moves_with_as_of_and_settings(con):
    # R-4's action is done on 04-10: on 04-15 nothing is open any more
    assert rule(run(con, as_of=date(2025, 4, 15)), "cross-team")["subject"].tolist() == [
        "Incident R-1", "Incident R-3"]
    # on 03-05 had not happened; R-2 (that day) had its action still open (done on 03-20)
    assert rule(run(con, as_of=date(2025, 3, 5)), "cross-team")["subject"].tolist() == [
        "Incident R-1", "Incident R-2"]
    tags = Settings(external_tags=("vendor",))
    assert rule(run(con, settings=tags), "cross-team")["subject"].tolist() == [
        "Incident R-1", "Incident R-5", "Incident R-4"]


def test_block_deployments(con):
    rows = rule(run(con), "block deployments")
    # S-1-A1 (due 03-01), S-1-A2 (03-20), S-2-A1 (03-25); not A3 (medium), A4 (due 04-01, not before it),
    # A5 (done)
    assert rows["detail"].tolist() == [
        "3 high-priority actions overdue (S-1-A1, S-1-A2, S-2-A1); oldest due 2025-03-01"]


def test_block_deployments_moves_with_as_of(con):
    # on 04-03 S-1-A4 (due 04-01) is overdue as well
    rows = rule(run(con, as_of=date(2025, 4, 3)), "block deployments")
    assert rows["detail"].tolist() == [
        "4 high-priority actions overdue (S-1-A1, S-1-A2, S-2-A1, S-1-A4); oldest due 2025-03-01"]
    # on 03-01 A1 is due that day, not before: nothing to block
    assert rule(run(con, as_of=date(2025, 3, 1)), "block deployments").empty
    # on 03-02 only S-1-A1 is late, and S-2 has not happened yet
    rows = rule(run(con, as_of=date(2025, 3, 2)), "block deployments")
    assert rows[["owner", "evidence", "detail"]].values.tolist() == [
        ["pay", ["S-1"], "1 high-priority action overdue (S-1-A1); oldest due 2025-03-01"]]


def test_filters(con):
    assert run(con, services=("pay",))["rule"].tolist() == ["block deployments"]
    assert run(con, teams=("comms",))["subject"].tolist() == ["Incident R-3", "Incident R-4"]
    empty = run(con, teams=("nobody",))
    assert empty.empty and list(empty.columns) == ["rule", "subject", "since", "owner", "evidence", "detail"]
    assert run(con, teams=("x'); DROP TABLE actions; --",)).empty
    assert len(run(con)) == 6


def test_listing_says_why_in_words_with_team_priority_due_and_titles(con):
    """The manager's listing of the same rows, worked out from RECORDS: the management row is E-1's driver
    upgrade (team ops, priority low, no due date, no ticket); block deployments on pay names S-1's three open
    high-priority actions past due (03-01, 03-20) and S-2's (03-25): priority high, earliest due 03-01,
    teams pay and pay2. A pattern names no action: no priority, no due date."""
    table = escalations.listing(con, Filters(as_of=AS_OF), None)
    assert list(table.columns) == escalations.LISTING
    first = table.iloc[0]
    assert (first["why"], first["team"], first["priority"], first["ticket"]) == (
        "Blocked for 15 days (more than 14)", "ops", "low", None)
    assert pd.isna(first["due_date"]) and first["evidence_titles"] == ["2025-03-10 Incident E-1"]
    pay = table[table["rule"] == "block deployments"].iloc[0]
    assert (pay["team"], pay["priority"], pay["due_date"]) == ("pay, pay2", "high", pd.Timestamp("2025-03-01"))
    assert "E-1" not in pay["why"] and "S-1" not in pay["why"] and pay["why"].startswith("3 high-priority actions")
    pattern = table[table["rule"] == "architecture review"].iloc[0]
    assert pattern["priority"] is None and pd.isna(pattern["due_date"]) and pattern["team"] == "dba"
    assert pattern["evidence_titles"] == ["2025-01-01 Incident P-1", "2025-02-15 Incident P-2",
                                          "2025-04-01 Incident P-3"]


def test_listing_names_untitled_evidence_by_id_and_undated_by_title_alone(load_records):
    """Two cross-team post-mortems with no action: an untitled one, dated 2025-03-02, reads
    "2025-03-02 U-1" (its id stands for the title); a titled one with no incident date reads
    "Vendor outage" (no date to put before it). The listing dates titles in SQL since issue 11."""
    con = load_records([
        {"id": "U-1", "incident_date": "2025-03-02", "team": "ops", "service": "api",
         "cause_category": "external"},
        {"id": "U-2", "title": "Vendor outage", "team": "ops", "service": "api", "tags": ["cross-team"]},
    ])
    table = escalations.listing(con, Filters(as_of=AS_OF), None)
    titles = dict(zip(table["subject"], table["evidence_titles"]))
    assert titles == {"U-1": ["2025-03-02 U-1"], "Vendor outage": ["Vendor outage"]}


def test_listing_reason_of_ids_that_read_like_its_words(load_records):
    """The listing's reason drops a row's action ids from its detail wherever they occur (reason()); SQL words
    most reasons itself and leaves to reason() the rows where an id could occur elsewhere. Worked by hand, as of
    2025-04-01: action "days" of W-1 is blocked since 03-10 (22 days): "action days blocked for 22 days (more
    than 14)" loses both "days", then "action " before "blocked": "Blocked for 22  (more than 14)". Action "due",
    high priority, due 03-01 and open, blocks service web: "1 high-priority action overdue (due); oldest due
    2025-03-01" loses every "due", then the empty " ()": "1 high-priority action over; oldest  2025-03-01"."""
    con = load_records([pm("W-1", "2025-03-01", "web", "web", "code", actions=[
        act("Fix the flag", status="blocked", blocked_since="2025-03-10", action_id="days"),
        act("Cap retries", priority="high", due="2025-03-01", action_id="due")])])
    table = escalations.listing(con, Filters(as_of=AS_OF), None)
    assert table[["rule", "why"]].values.tolist() == [
        ["management", "Blocked for 22  (more than 14)"],
        ["block deployments", "1 high-priority action over; oldest  2025-03-01"]]


def test_listing_with_a_limit_gives_each_rules_first_rows_and_its_totals(con):
    """What the Escalations page fetches: each rule's first rows, each carrying its whole rule's totals. From
    RECORDS as of 04-01 (the module docstring): management 1 row (E-1); architecture review 1 row resting on
    P-1, P-2, P-3; cross-team 3 rows (R-1, R-3, R-4), so one shown; block deployments 1 row resting on S-1 and
    S-2. No ticket is a web link, and no action says what blocks it."""
    every = escalations.listing(con, Filters(as_of=AS_OF), None)
    first = escalations.listing(con, Filters(as_of=AS_OF), None, limit=1)
    assert list(first.columns) == escalations.LISTING + escalations.RULE_TOTALS
    assert first["subject"].tolist() == ["Upgrade the database driver", "db / environment", "Incident R-1", "pay"]
    pd.testing.assert_frame_equal(first[escalations.LISTING],
                                  every.groupby("rule", sort=False).head(1).reset_index(drop=True))
    assert first[["rule"] + escalations.RULE_TOTALS].values.tolist() == [
        ["management", 1, 1, False, False], ["architecture review", 1, 3, False, False],
        ["cross-team", 3, 3, False, False], ["block deployments", 1, 2, False, False]]
    assert escalations.listing(con, Filters(as_of=AS_OF, teams=("nobody",)), None, limit=1).empty


def test_listing_totals_see_a_link_or_a_blocker_past_the_rows_shown(load_records):
    """Three actions of L-1 blocked for more than 14 days as of 04-01, the oldest first: L-1-A1 (since 03-01,
    ticket JIRA-1), L-1-A2 (03-02, a web address in capitals), L-1-A3 (03-03, "https://a b": a space, so text;
    blocked by the network team). Shown: L-1-A1 only; its rule still has a link and a blocker. Service web's
    two overdue high-priority actions name two web addresses: the row's ticket reads "x, y", text."""
    con = load_records([pm("L-1", "2025-02-20", "ops", "web", "code", actions=[
        act("First", status="blocked", blocked_since="2025-03-01", ticket="JIRA-1"),
        act("Second", status="blocked", blocked_since="2025-03-02", ticket="HTTPS://tracker.example/2"),
        act("Third", status="blocked", blocked_since="2025-03-03", ticket="https://a b", blocked_by="network team"),
        act("Cap retries", priority="high", due="2025-03-01", ticket="https://t.example/1"),
        act("Add a breaker", priority="high", due="2025-03-02", ticket="https://t.example/2")])])
    first = escalations.listing(con, Filters(as_of=AS_OF), None, limit=1)
    assert first[["rule", "subject", "ticket"] + escalations.RULE_TOTALS].values.tolist() == [
        ["management", "First", "JIRA-1", 3, 1, True, True],
        ["block deployments", "web", "https://t.example/1, https://t.example/2", 1, 1, False, False]]


@pytest.mark.parametrize("ticket", [
    "https://t.example/1", "http://t.example/1", "HTTPS://T.EXAMPLE", "hTtP://x", " https://x ", "\u3000https://x\u00a0",
    "\thttps://x\n", "https://x\tz", "https://", "https://a b", "ftp://x", "javascript:alert(1)", "xhttps://x",
    "https:/x", "http//x", "", " ", "JIRA-12", "https://x\u2003y"])
def test_the_listing_tells_a_web_link_as_the_page_does(load_records, ticket):
    """The rule totals' link test (SQL) against the page's (hindsight/review/text.py ticket_link) on tickets at
    the edges: case, whitespace around (Python's, Unicode included), whitespace inside, other schemes."""
    from hindsight.review.text import ticket_link
    con = load_records([pm("T-1", "2025-02-20", "ops", "web", "code")])
    got = con.execute(f"SELECT {escalations._link('$t')}", {"t": [ticket]}).fetchone()[0]
    assert got == (ticket_link(ticket) is not None)
