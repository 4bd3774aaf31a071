"""Escalations page through AppTest on the demo database (as of 2026-11-15).

On the demo: 26 actions blocked for more than 14 days (management), one current pattern (service-mesh /
monitoring: 3 incidents from 2026-08-24 to 2026-11-05), 14 post-mortems with an external cause or tag and
open actions (cross-team), 15 services with overdue high-priority actions (block deployments). The payments
team alone: 5, 0, 3 and 3.
The whole-demo numbers are recounted from the raw tables in tests/test_demo_recount.py."""

import io

import pandas as pd

from conftest import captions

PAGE = "views/escalations.py"
SECTIONS = ["Management", "Architecture review", "Cross-team", "Block deployments"]
# Ids of Markdown files without an id end with a hash of their path: compare their stems only.
PATTERN = ["2026-08-24-service-mesh-errors-", "PM-2026-089", "2026-11-05-service-mesh-latency-"]


# ... and people read them by date and title
PATTERN_TITLES = ["2026-08-24 Elevated error rate on service-mesh", "2026-09-15 High latency on service-mesh",
                  "2026-11-05 Latence élevée sur service-mesh"]


def is_pattern(ids) -> bool:
    return len(ids) == 3 and all(i.startswith(p) for i, p in zip(ids, PATTERN))





def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_four_rule_sections_in_order(app):
    at = app(page=PAGE).run()
    assert not at.exception
    assert at.title[0].value == "Escalations"
    assert captions(at)[0].startswith("As of 2026-11-15. For management")
    assert [h.value for h in at.main.header] == SECTIONS
    assert list(metrics(at).items()) == [("Management", "26"), ("Architecture review", "1"), ("Cross-team", "14"),
                                         ("Block deployments", "15")]
    assert "n = 1 escalation, 3 post-mortems in evidence" in captions(at)
    # each section explains the template's escalation point with its threshold from the settings
    explanations = [c for c in captions(at) if c.startswith("Template: ")]
    assert len(explanations) == 4
    assert "more than 14 days" in explanations[0] and "3 or more incidents" in explanations[1]
    assert "within 90 days" in explanations[1] and "(external)" in explanations[2]
    assert "high-priority actions" in explanations[3]
    assert [len(d.value) for d in at.dataframe] == [26, 1, 14, 15]
    assert [b.label for b in at.get("download_button")].count("Download CSV") == 4


def test_rows_say_why_since_when_and_evidence(app):
    at = app(page=PAGE).run()
    pattern = at.dataframe[1].value.iloc[0]
    assert pattern["Subject"] == "service-mesh / monitoring"
    assert pattern["Why"].startswith("3 incidents on service-mesh with cause monitoring from 2026-08-24")
    assert pd.Timestamp(pattern["Since"]) == pd.Timestamp("2026-08-24") and pattern["Owner"] == "platform"
    assert list(pattern["Evidence (post-mortems)"]) == PATTERN_TITLES  # titles, not ids with hash suffixes
    assert (pattern["Team"], pattern["Priority"]) == ("platform", "–")  # a pattern names no action
    management = at.dataframe[0].value
    assert management["Since"].is_monotonic_increasing  # oldest first
    # the rule in words, without the raw action ids (E-1-A1...) it used to carry
    assert management["Why"].str.match(r"^Blocked for \d+ days \(more than 14\)$").all()
    assert {"Team", "Priority", "Due", "Ticket"} <= set(management.columns)
    assert set(management["Priority"]) <= {"High", "Medium", "Low", "–"}
    blocking = at.dataframe[3].value
    assert set(blocking["Priority"]) == {"High"} and blocking["Due"].notna().all()


def test_whole_list_as_csv(app, downloads):
    at = app(page=PAGE).run()
    assert not at.exception
    assert [b for b in at.get("download_button") if "dl-escalations-all" in b.proto.id]
    table = pd.read_csv(io.BytesIO(downloads["hindsight-escalations-2026-11-15.csv"]))
    assert len(table) == 56
    assert list(table.columns) == ["Rule", "Subject", "Why", "Since", "Owner", "Team", "Priority", "Due", "Ticket",
                                   "Evidence (post-mortems)"]
    assert list(dict.fromkeys(table["Rule"])) == ["management", "architecture review", "cross-team",
                                                  "block deployments"]
    assert "[" not in table["Evidence (post-mortems)"].str.cat()  # titles as text, not a Python list


def test_a_filter_changes_the_numbers(app):
    at = app(page=PAGE).run()
    at.sidebar.multiselect(key="flt_team").set_value(["payments"]).run()
    assert not at.exception
    assert list(metrics(at).values()) == ["5", "0", "3", "3"]
    assert "Nothing to escalate under this rule." in captions(at)  # architecture review
    assert [h.value for h in at.main.header] == SECTIONS
    assert at.query_params["team"] == "payments"


def test_query_params_set_the_filters(app):
    at = app(page=PAGE, team=["payments"], severity=["P1", "P2"]).run()
    assert not at.exception
    assert at.sidebar.multiselect(key="flt_team").value == ["payments"]
    assert at.sidebar.multiselect(key="flt_severity").value == ["P1", "P2"]
    assert int(metrics(at)["Management"]) < 5


def test_evidence_opens_on_the_postmortems_page(app):
    at = app(page=PAGE, team=["platform"]).run()
    pick = at.selectbox(key="esc-pick-architecture-review")
    assert pick.options == PATTERN_TITLES
    pick.set_value("PM-2026-089").run()
    at.button(key="esc-open-architecture-review").click().run()
    assert not at.exception
    assert at.title[0].value == "Post-mortems"
    assert at.text[0].value == "High latency on service-mesh"
    assert "Id: PM-2026-089" in at.text[1].value
    # the sidebar filters survive the page switch
    assert at.caption[0].value.startswith("As of 2026-11-15.")
    assert at.sidebar.multiselect(key="flt_team").value == ["platform"]


def test_document_text_stays_out_of_markdown(app):
    at = app(page=PAGE).run()
    subjects = set()
    for frame in at.dataframe:
        subjects |= set(frame.value["Subject"])
    shown = [e.value for e in (*at.markdown, *at.caption, *at.header, *at.subheader, *at.title)]
    assert not [s for s in subjects if any(s in text for text in shown)]


def test_empty_selection(app):
    at = app(page=PAGE, **{"from": "2030-01-01"}).run()
    assert not at.exception
    assert list(metrics(at).values()) == ["0", "0", "0", "0"]
    assert captions(at).count("Nothing to escalate under this rule.") == 4
    assert "Nothing to escalate in this selection on the as-of date." in captions(at)
    assert not at.dataframe and not at.selectbox


def test_empty_database_shows_how_to_load(empty_app):
    at = empty_app(page=PAGE).run()
    assert not at.exception
    assert "No post-mortems loaded yet" in at.info[0].value
