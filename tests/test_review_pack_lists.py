"""The review pack's long lists are cut, each saying how many it holds and where the whole list is: at
100,000 post-mortems the uncut pack was a 28 MB page listing 33,714 open actions twice, which Chromium did
not finish loading. The caps are lowered here so that a fixture worked out by hand is "long".

As of 2025-10-01 (the 2025-Q3 pack), four open actions, every one past its due date:
  PM-1 (2025-01-06, api):  A high   @x due 2025-02-01 -> 242 days late;  B medium @x due 2025-03-01 -> 214
  PM-2 (2025-03-03, web):  C high   @x due 2025-04-01 -> 183 days late
  PM-3 (2025-07-01, db):   D high   @y due 2025-08-01 ->  61 days late
Block deployments: one row per service with a late high-priority action, oldest due first: api, web, db."""

import json

import pytest
from lxml import html as lxml_html

FIXTURE = [
    {"id": "PM-1", "title": "API down", "incident_date": "2025-01-06", "postmortem_date": "2025-01-08",
     "severity": "P1", "team": "a", "service": "api", "cause_category": "code", "actions": [
         {"description": "Fix retries", "owner": "@x", "due": "2025-02-01", "priority": "high", "status": "todo"},
         {"description": "Add alert", "owner": "@x", "due": "2025-03-01", "priority": "medium", "status": "todo"}]},
    {"id": "PM-2", "title": "Web slow", "incident_date": "2025-03-03", "postmortem_date": "2025-03-05",
     "severity": "P2", "team": "b", "service": "web", "cause_category": "monitoring", "actions": [
         {"description": "Cache pages", "owner": "@x", "due": "2025-04-01", "priority": "high", "status": "todo"}]},
    {"id": "PM-3", "title": "DB locked", "incident_date": "2025-07-01", "postmortem_date": "2025-07-08",
     "severity": "P1", "team": "a", "service": "db", "cause_category": "code", "actions": [
         {"description": "Add index", "owner": "@y", "due": "2025-08-01", "priority": "high", "status": "todo"}]},
]


@pytest.fixture
def pack(cli, db, exports, tmp_path, monkeypatch):
    """The 2025-Q3 pack of FIXTURE with the caps at LISTED rows and PER_OWNER actions an owner."""
    (exports / "pms.json").write_text(json.dumps(FIXTURE), encoding="utf-8")
    assert cli("ingest", exports, "--db", db)[0] == 0

    def write(listed: int, per_owner: int):
        monkeypatch.setattr("hindsight.review.pack.LISTED", listed)
        monkeypatch.setattr("hindsight.review.pack.PER_OWNER", per_owner)
        out = tmp_path / f"pack-{listed}-{per_owner}.html"
        code, _, err = cli("report", "review", "--out", out, "--db", db, "--as-of", "2025-10-01")
        assert code == 0, err
        return lxml_html.fromstring(out.read_text(encoding="utf-8"))
    return write


def rows(page, table: str) -> list[list[str]]:
    return [[" ".join(c.text_content().split()) for c in row.xpath("./td|./th")]
            for row in page.xpath(f"//table[@class='{table}']/tbody/tr")]


def said(page, xpath: str) -> str:
    return " ".join(page.xpath(f"string({xpath})").split())


def test_each_owner_shows_their_longest_overdue_and_counts_the_rest(pack):
    page = pack(listed=2, per_owner=2)
    assert rows(page, "decisions") == [
        ["@x · 3 late, 2 high priority"],
        ["Fix retries", "API down", "2025-02-01", "242", "High", "To do"],
        ["Add alert", "API down", "2025-03-01", "214", "Medium", "To do"],
        ["and 1 more"],
        ["@y · 1 late, 1 high priority"],
        ["Add index", "DB locked", "2025-08-01", "61", "High", "To do"],
    ]
    assert "Each owner's 2 longest overdue are listed; the Actions page and hindsight report actions list " \
           "every one." in said(page, "//section[@id='decisions']/p[@class='note']")
    # the count at a glance is every late action, not the listed ones
    assert "4 open actions past due, across 2 owners" in said(page, "//ul[@class='glance']")


def test_an_escalation_rule_shows_its_first_rows_and_its_count(pack):
    page = pack(listed=2, per_owner=2)
    rule = "//div[@class='rule'][h3[starts-with(., 'Block deployments')]]"
    assert said(page, f"{rule}/h3") == "Block deployments (3)"
    assert [r[:3] for r in rows(page.xpath(rule)[0], "escalations")] == [
        ["api", "a", "2025-02-01"], ["web", "b", "2025-04-01"]]
    assert rows(page.xpath(rule)[0], "escalations")[0][3:] == [
        "2025-01-06 API down", "1 high-priority action overdue; oldest due 2025-02-01"]
    assert said(page, f"{rule}/p[@class='more']") == (
        "The first 2 of 3, in this order; the Escalations page and hindsight report escalations list every one.")
    assert "Block deployments: 3" in said(page, "//ul[@class='glance']")


def test_the_tracker_lists_whole_incidents_up_to_the_cap(pack):
    page = pack(listed=2, per_owner=2)
    tracker = rows(page, "tracker")
    # PM-1's two actions fill the cap; PM-2's would make three
    assert [r[0] for r in tracker if len(r) == 1] == ["Incident: API down - 2025-01-06"]
    assert [r[1] for r in tracker if len(r) > 1] == ["Fix retries", "Add alert"]
    assert ("The first 2 are listed (the oldest incident); the Actions page's tracker download has every one."
            in said(page, "//section[@id='tracker']/p[@class='note']"))
    assert said(page, "//section[@id='tracker']/p[@class='note']").startswith("The 4 open actions")


def test_an_incident_larger_than_the_cap_is_cut_and_lists_under_the_cap_are_whole(pack):
    page = pack(listed=1, per_owner=3)
    assert [r[1] for r in rows(page, "tracker") if len(r) > 1] == ["Fix retries"]
    # three late actions for @x, all listed: no "more" row and no pointer
    assert ["and 1 more"] not in rows(page, "decisions") and len(rows(page, "decisions")) == 6
    assert "longest overdue are listed" not in said(page, "//section[@id='decisions']/p[@class='note']")
    page = pack(listed=3, per_owner=3)
    assert not page.xpath("//p[@class='more']")  # the three services of "Block deployments", whole
    assert "The first 3 are listed (the 2 oldest incidents)" in said(page, "//section[@id='tracker']/p[@class='note']")
    page = pack(listed=4, per_owner=3)
    assert "are listed" not in said(page, "//section[@id='tracker']/p[@class='note']")
    assert len([r for r in rows(page, "tracker") if len(r) > 1]) == 4


def incident(pid: str, day: str, service: str, cause: str) -> dict:
    return {"id": pid, "title": f"{service} {day}", "incident_date": day, "postmortem_date": day, "severity": "P2",
            "team": "a", "service": service, "cause_category": cause}


# Two patterns active in 2025-Q3 (same service and cause within the 180-day window, three or more incidents):
# web/monitoring has four incidents (June to September), db/environment three (July to September).
PATTERNS = ([incident(f"W-{m}", f"2025-0{m}-01", "web", "monitoring") for m in (6, 7, 8, 9)]
            + [incident(f"D-{m}", f"2025-0{m}-05", "db", "environment") for m in (7, 8, 9)])


@pytest.mark.parametrize("listed, shown, note", [
    (7, ["web · monitoring: 4 incidents", "db · environment: 3 incidents"], None),
    (6, ["web · monitoring: 4 incidents"], "The largest of 2 is listed; the Causes page and hindsight report "
                                           "recurrence list every one."),
    (3, ["web · monitoring: 4 incidents"], "The largest of 2 is listed"),  # the largest, even over the cap
])
def test_what_recurred_lists_whole_patterns_largest_first_up_to_the_cap(cli, db, exports, tmp_path, monkeypatch,
                                                                         listed, shown, note):
    (exports / "pms.json").write_text(json.dumps(PATTERNS), encoding="utf-8")
    assert cli("ingest", exports, "--db", db)[0] == 0
    monkeypatch.setattr("hindsight.review.pack.LISTED", listed)
    out = tmp_path / "pack.html"
    assert cli("report", "review", "--out", out, "--db", db, "--as-of", "2025-10-01")[0] == 0
    page = lxml_html.fromstring(out.read_text(encoding="utf-8"))
    assert [" ".join(h.text_content().split()).split(" from ")[0]
            for h in page.xpath("//div[@class='pattern']/h3")] == shown
    text = said(page, "//section[@id='recurred']/p[@class='note']")
    assert (note in text) if note else ("listed" not in text)
    assert "2 recurring patterns active in the quarter" in said(page, "//ul[@class='glance']")
