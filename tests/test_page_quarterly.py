"""Quarterly trends page through AppTest on the demo database (as of 2026-11-15).

Hand-checked from the demo: its incidents run from 2024-07 to 2026-11, so 10 quarters, 2024-Q3 (24 incidents)
to 2026-Q4 (14 so far); none has fewer than 5 incidents. The payments team has 1, 4, 3, 1, 2, 1, 8, 2, 2, 2
incidents in those quarters: all but 2026-Q1 are small samples.
The whole-demo numbers are recounted from the raw tables in tests/test_demo_recount.py."""



from conftest import captions, chart

PAGE = "views/quarterly.py"
QUARTERS = ["2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3",
            "2026-Q4"]
SMALL_MULTIPLES = ["chart-q-incidents", "chart-q-resolve", "chart-q-recurrence", "chart-q-completion",
                   "chart-q-on-time", "chart-q-postmortem", "chart-q-dissemination"]


def quarterly_table(at):
    return at.dataframe[0].value


def test_renders_one_row_per_quarter(app):
    at = app(page=PAGE).run()
    assert not at.exception
    assert at.title[0].value == "Quarterly trends"
    assert captions(at)[0].startswith("As of 2026-11-15. The quarterly review")
    table = quarterly_table(at)
    assert list(table["Quarter"]) == QUARTERS
    assert list(table["Incidents"])[0] == 24 and list(table["Incidents"])[-1] == 14
    assert not table["Small sample"].any()
    # every trend with its change from the previous quarter, and the n of each rate
    for column in ("Δ incidents", "Δ resolve median (min)", "Δ resolve p90 (min)", "Δ recurrence rate",
                   "Δ completion rate", "Δ on-time rate", "Δ days to post-mortem (median)", "Resolve n",
                   "Actions", "Actions due", "Post-mortems written (n)"):
        assert column in table.columns, column
    # the first quarter has no previous one: a dash, not None (so the column is text)
    assert table["Δ incidents"].tolist()[:3] == ["–", "21", "-18"]
    # 2026-Q4 holds the as-of date (2026-11-15) and is not over: partial, on the table and every chart
    assert table["Partial"].tolist() == [False] * 9 + [True]
    assert chart(at, "chart-q-on-time")["layout"]["xaxis"]["ticktext"][-2:] == ["2026-Q3", "2026-Q4 (partial)"]
    assert any("2026-Q4 is partial" in c for c in captions(at))
    for column in ("Learning dissemination", "Δ learning dissemination", "Post-mortems with reader data (n)"):
        assert column in table.columns, column
    for key in SMALL_MULTIPLES + ["chart-q-causes"]:
        chart(at, key)
    assert [b.label for b in at.get("download_button")].count("Download CSV") == 2  # table, causes
    assert any("Hollow grey points" in c for c in captions(at))


def test_small_multiples_show_n_and_mark_small_samples(app):
    at = app(page=PAGE, team=["payments"]).run()
    assert not at.exception
    table = quarterly_table(at)
    assert list(table["Incidents"]) == [1, 4, 3, 1, 2, 1, 8, 2, 2, 2]
    assert list(table["Small sample"]) == [q != "2026-Q1" for q in QUARTERS]
    # a change involves two quarters: every one here has a small side
    assert table["Δ on a small sample"].tolist()[1:] == [True] * 9
    line, filled, hollow = chart(at, "chart-q-recurrence")["data"]
    assert line["mode"] == "lines" and list(line["x"]) == QUARTERS
    assert list(filled["x"]) == ["2026-Q1"] and filled["marker"]["symbol"] == "circle"
    assert list(hollow["x"]) == [q for q in QUARTERS if q != "2026-Q1"]
    assert hollow["marker"]["symbol"] == "circle-open" and hollow["marker"]["color"] == "#9e9e9e"
    assert "n = %{customdata[0]} incidents; small sample" in hollow["hovertemplate"]
    assert filled["customdata"] == [[8, ""]]  # n = 8 incidents in 2026-Q1, a complete quarter
    resolve = chart(at, "chart-q-resolve")["data"]
    # durations: medians and p90s, never a mean
    assert [t["name"] for t in resolve if t.get("showlegend")] == ["median", "p90"]
    note = [c for c in captions(at) if c.startswith("Hollow grey points")]
    assert note and "fewer than 5 incidents" in note[0] and "2024-Q3" in note[0] and "2026-Q1" not in note[0]


def test_a_filter_changes_the_numbers(app):
    at = app(page=PAGE).run()
    everyone = list(quarterly_table(at)["Incidents"])
    at.sidebar.multiselect(key="flt_team").set_value(["payments"]).run()
    assert not at.exception
    payments = list(quarterly_table(at)["Incidents"])
    assert len(payments) == len(everyone) and all(p < e for p, e in zip(payments, everyone))
    assert at.query_params["team"] == "payments"


def test_query_params_set_the_filters(app):
    at = app(page=PAGE, severity=["P1"], team=["payments"]).run()
    assert not at.exception
    assert at.sidebar.multiselect(key="flt_severity").value == ["P1"]
    assert at.sidebar.multiselect(key="flt_team").value == ["payments"]
    table = quarterly_table(at)
    assert table["Incidents"].sum() < 28 and table["Small sample"].all()


def test_incidents_by_cause(app):
    at = app(page=PAGE).run()
    causes = at.dataframe[1].value
    assert list(causes["Quarter"]) == QUARTERS
    assert causes.drop(columns="Quarter").sum(axis=1).tolist() == list(quarterly_table(at)["Incidents"])
    names = [t["name"] for t in chart(at, "chart-q-causes")["data"]]
    assert names[0] == "code" and set(names) == set(causes.columns) - {"Quarter"}


def test_review_pack_download(app, downloads):
    at = app(page=PAGE).run()
    box = at.selectbox(key="review-quarter")
    assert box.options[:2] == ["2026-Q4 (partial)", "2026-Q3"]  # the latest quarter first, marked partial
    assert box.value == "2026-Q3"  # the last complete quarter is chosen first
    assert not [b for b in at.get("download_button") if "review-download" in b.proto.id]
    at.button(key="review-build").click().run()
    assert not at.exception
    button = [b for b in at.get("download_button") if "review-download" in b.proto.id]
    assert len(button) == 1 and button[0].label == "Download hindsight-review-2026-Q3.html"
    pack = downloads["hindsight-review-2026-Q3.html"].decode("utf-8")
    assert pack.startswith("<!doctype html>")
    assert "Post-mortem review 2026-Q3" in pack and "Incidents from 2026-07-01 to 2026-09-30" in pack


def test_empty_selection(app):
    at = app(page=PAGE, **{"from": "2030-01-01"}).run()
    assert not at.exception
    assert any(c.startswith("Nothing in this selection") for c in captions(at))
    assert not at.get("plotly_chart") and not at.dataframe


def test_empty_database_shows_how_to_load(empty_app):
    at = empty_app(page=PAGE).run()
    assert not at.exception
    assert "No post-mortems loaded yet" in at.info[0].value


def test_causes_keep_their_colours_and_counts_are_whole(app):
    """Every cause's bars have its colour from hindsight/theme.py, whatever the filter; the incidents
    axes step by whole incidents."""
    import json

    from hindsight import theme

    for at in (app(page=PAGE).run(), app(page=PAGE, team=["payments"]).run()):
        fig = json.loads([c for c in at.get("plotly_chart") if "chart-q-causes" in c.proto.id][0].proto.spec)
        assert {t["name"]: t["marker"]["color"] for t in fig["data"]} == {
            t["name"]: theme.cause_color(t["name"]) for t in fig["data"]}
        assert fig["layout"]["yaxis"]["tickformat"] == ",d"
        incidents = json.loads([c for c in at.get("plotly_chart") if "chart-q-incidents" in c.proto.id][0].proto.spec)
        assert incidents["layout"]["yaxis"]["tickformat"] == ",d"
