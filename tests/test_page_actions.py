"""Actions page through AppTest on the demo database (as of 2026-11-15).

The hand-checked numbers come from the demo's payments actions (95 not cancelled: 78 done, 7 in progress,
4 to do, 6 blocked; 14 open past their due date, in 14 incidents with an open action). The whole-demo
numbers are recounted from the raw tables in tests/test_demo_recount.py."""

import re

from conftest import DEMO_CONFIG, captions, chart, values

PAGE = "views/actions.py"


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_renders_tiles_charts_and_tables(app):
    at = app(page=PAGE).run()
    assert not at.exception
    assert at.title[0].value == "Actions"
    assert captions(at)[0].startswith("As of 2026-11-15. The weekly actions review")
    assert metrics(at) == {"Completion rate": "85%", "Closed on time": "68%", "Overdue": "135", "Blocked": "29"}
    assert "905 done, n = 1,064 actions" in captions(at)
    assert "701 on time, n = 1,036 actions due" in captions(at)
    assert len(at.get("plotly_chart")) == 4  # rates by team, by priority, Kaplan–Meier, cohorts
    # rates by team, by priority, cohorts, overdue, blocked: each with its CSV download
    assert len(at.dataframe) == 5
    labels = [b.label for b in at.get("download_button")]
    assert labels.count("Download CSV") == 5


def test_team_filter_changes_the_numbers(app):
    at = app(page=PAGE).run()
    everyone = metrics(at)
    at.sidebar.multiselect(key="flt_team").set_value(["payments"]).run()
    assert not at.exception
    payments = metrics(at)
    assert int(payments["Blocked"]) < int(everyone["Blocked"])
    assert payments == {"Completion rate": "82%", "Closed on time": "64%", "Overdue": "14", "Blocked": "6"}
    assert "78 done, n = 95 actions" in captions(at)
    overdue, blocked = at.dataframe[3].value, at.dataframe[4].value
    assert len(overdue) == 14 and len(blocked) == 6
    assert set(overdue["Team"]) == {"payments"} and set(blocked["Owner"]) <= {"@alice", "@bruno", "@chloe",
                                                                             "@daniel", "@emma"}
    assert overdue["Days overdue"].is_monotonic_decreasing


def test_query_params_set_the_filters(app):
    at = app(page=PAGE, severity=["P1"], team=["payments"]).run()
    assert not at.exception
    assert at.sidebar.multiselect(key="flt_severity").value == ["P1"]
    assert at.sidebar.multiselect(key="flt_team").value == ["payments"]
    everyone = int(metrics(app(page=PAGE).run())["Overdue"])
    assert int(metrics(at)["Overdue"]) < everyone


def test_kaplan_meier_shows_its_n_and_censoring(app):
    at = app(page=PAGE, team=["payments"]).run()
    km = [c for c in captions(at) if "censored" in c]
    assert km and km[0].startswith("n = 95 actions, of which 17 still open on 2026-11-15")
    assert "not dropped" in km[0]
    curve = chart(at, "chart-km")["data"][0]
    assert curve["line"]["shape"] == "hv"
    shares = values(curve["y"])
    assert shares == sorted(shares) and 0 <= shares[0] and shares[-1] < 1  # open actions: never reaches 100%


def test_cohorts_show_their_n(app):
    at = app(page=PAGE).run()
    assert [t["name"] for t in chart(at, "chart-cohorts")["data"]] == ["done within 30 days", "done within 60 days", "done within 90 days"]
    table = at.dataframe[2].value
    assert {"n 30d", "n 60d", "n 90d"} <= set(table.columns)
    last = table.iloc[-1]  # 2026-Q4: no action has had 60 days yet
    assert last["Quarter"] == "2026-Q4" and last["n 60d"] == 0
    assert last["Done within 60d"] == "not yet due" and last["Partial"] == "yes"  # never None
    assert table["Done within 30d"].iloc[0].endswith("%")  # whole percentages, like the tiles


def test_tracker_download_and_copy(app, downloads):
    at = app(page=PAGE, team=["payments"]).run()
    assert not at.exception
    button = [b for b in at.get("download_button") if "dl-tracker" in b.proto.id]
    assert len(button) == 1
    text = downloads["hindsight-tracker.md"].decode("utf-8")
    assert text.startswith("## Actions Post-Mortem Tracker")
    assert text.count("### Incident: ") == 14
    assert text.rstrip().endswith("**Last review**: 2026-11-15")
    assert "| nan |" not in text  # a missing ticket is "-"
    # plain text to copy: highlighted as Markdown, 1,000 actions were ~95,000 elements in the browser
    assert at.code[0].value == text and at.code[0].language in (None, "", "plaintext")
    # People's words and full dates (the trial saw `in_progress` and 03/14); none of the raw codes.
    rows = re.findall(r"^\| \d+ \| .+ \| (.+?) \| (.+?) \| (.+?) \| .+? \|$", text, re.M)
    assert rows and {status for _, _, status in rows} <= {"To do", "In progress", "Blocked", "Unknown"}
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d|-", due) for _, due, _ in rows)
    assert any(c.startswith("The n = 17 open actions") for c in captions(at))


def test_the_tracker_download_reads_back_with_the_same_statuses(app, downloads):
    from hindsight.config import read_config
    from pipeline.config import build
    from pipeline.parse import parse_file

    app(page=PAGE, team=["payments"]).run()
    data = downloads["hindsight-tracker.md"]
    parsed = parse_file("hindsight-tracker.md", data, build(read_config(DEMO_CONFIG)))
    assert not parsed.rejected
    words = re.findall(r"^\| \d+ \| .+ \| (.+?) \| .+? \|$", data.decode("utf-8"), re.M)
    codes = {"To do": "todo", "In progress": "in_progress", "Blocked": "blocked"}
    assert [u.status for u in parsed.tracker_updates] == [codes[w] for w in words]


def test_document_text_stays_out_of_markdown(app):
    at = app(page=PAGE, team=["payments"]).run()
    titles = set(at.dataframe[3].value["Incident"]) | set(at.dataframe[3].value["Action"])
    shown = [e.value for e in (*at.markdown, *at.caption, *at.header, *at.subheader, *at.title)]
    assert not [t for t in titles if any(t in s for s in shown)]


def test_empty_selection(app):
    at = app(page=PAGE, **{"from": "2030-01-01"}).run()
    assert not at.exception
    assert any(c.startswith("Nothing in this selection") for c in captions(at))
    assert not at.metric and not at.get("plotly_chart")


def test_empty_database_shows_how_to_load(empty_app):
    at = empty_app(page=PAGE).run()
    assert not at.exception
    assert "No post-mortems loaded yet" in at.info[0].value


def test_an_action_with_an_unknown_status_is_overdue_like_any_open_one(app):
    # PM-2026-080's sixth action is "parked", a word outside the vocabulary: open, due 2026-09-18, so
    # 12 + 31 + 15 = 58 days overdue on 2026-11-15, listed with the status "unknown"
    at = app(page=PAGE, team=["platform"]).run()
    overdue = at.dataframe[3].value
    row = overdue[overdue["Status"] == "Unknown"]
    assert len(row) == 1 and row.iloc[0]["Days overdue"] == 58


def test_statuses_and_rates_read_as_people_say_them(app):
    """payments has 7 actions in progress (module docstring), some of them overdue: "In progress", never
    in_progress; the rates tables show whole percentages like the tiles (82% completion for payments)."""
    at = app(page=PAGE, team=["payments"]).run()
    overdue = at.dataframe[3].value
    assert "in_progress" not in set(overdue["Status"]) and "In progress" in set(overdue["Status"])
    by_team = at.dataframe[0].value
    assert round(by_team.iloc[0]["Completion rate"]) == 82  # 78 of 95, shown as a percentage


def test_kaplan_meier_axis_stops_where_almost_every_action_has_closed(app):
    """The x-axis ends near the 95th percentile of the observed times (analytics.actions.observed_quantile,
    hand-checked in test_analytics_actions), far before the longest; the toggle shows the whole tail."""
    at = app(page=PAGE).run()
    fig = chart(at, "chart-km")
    longest = max(values(fig["data"][0]["x"]))
    end = fig["layout"]["xaxis"]["range"][1]
    assert 0 < end < longest / 2
    ticks = values(fig["data"][1]["x"])  # the censored ones, drawn only where the axis shows them
    assert ticks and max(ticks) <= end
    at.toggle(key="km-tail").set_value(True).run()
    assert "range" not in chart(at, "chart-km")["layout"]["xaxis"]
    assert max(values(chart(at, "chart-km")["data"][1]["x"])) > end  # the whole tail: every tick
