"""Overview page through AppTest on the demo database (as of 2026-11-15)."""

from conftest import chart


def test_renders_four_tiles_with_n(app):
    at = app().run()
    assert not at.exception
    # short enough for a quarter of the page at 1400 px; the full name opens the help
    assert [m.label for m in at.metric] == ["Actions closed on time", "Recurrence rate",
                                            "Time to post-mortem", "Learning dissemination"]
    assert at.metric[2].help.startswith("Time to post-mortem (median): ")
    assert sum("n = " in c.value for c in at.caption) == 4


def test_query_params_set_the_filters(app):
    at = app(team=["payments"], severity=["P1", "P2"]).run()
    assert not at.exception
    assert at.sidebar.multiselect(key="flt_team").value == ["payments"]
    assert at.sidebar.multiselect(key="flt_severity").value == ["P1", "P2"]


def test_a_filter_changes_the_numbers(app):
    at = app().run()
    everyone = [c.value for c in at.caption if c.value.startswith("n = ")]
    at.sidebar.multiselect(key="flt_team").set_value(["payments"]).run()
    assert not at.exception
    payments = [c.value for c in at.caption if c.value.startswith("n = ")]
    assert payments != everyone
    assert at.query_params["team"] == "payments"  # mirrored in the URL


def test_empty_database_shows_how_to_load(empty_app):
    at = empty_app().run()
    assert not at.exception
    assert "No post-mortems loaded yet" in at.info[0].value
    assert any("hindsight ingest" in c.value for c in at.code)


def _tiles(at) -> dict:
    return {m.label: m for m in at.metric}


def test_tiles_show_the_last_complete_quarter_with_changes_in_points(app):
    """As of 2026-11-15, 2026-Q4 is in progress: the tiles show 2026-Q3 against 2026-Q2. Worked out with
    SQL of its own on the demo's tables: Q3's incidents have 100 actions due (cancelled aside, the unknown
    "parked" one in), 50 done by their due date; Q2's 103, 78. 0.50 - 0.757 = -25.7 points."""
    at = app().run()
    assert not at.exception
    assert at.radio(key="overview-quarter").options == ["2026-Q3, last complete", "2026-Q4 (partial)"]
    assert at.radio(key="overview-quarter").value == "2026-Q3"
    on_time = _tiles(at)["Actions closed on time"]
    assert (on_time.value, on_time.proto.delta, on_time.proto.delta_description) == ("50%", "-26 pp", "vs 2026-Q2")
    assert "measured as of 2026-11-15" in at.caption[0].value
    at.radio(key="overview-quarter").set_value("2026-Q4").run()
    assert "2026-Q4 (partial) so far" in at.caption[0].value
    # 3 of the 25 actions due of Q4's incidents were done in time, against 2026-Q3's 50%
    assert _tiles(at)["Actions closed on time"].proto.delta == "-38 pp"


def test_a_change_on_a_small_sample_is_marked_and_not_coloured(app):
    """payments, 2026-Q3 against Q2 (hand-checked on the demo's tables): on time 2 of 7 against 5 of 6, both
    n >= 5: a red -55 pp. Days to post-mortem: 16 and 26 (median 21) against 6 and 7 (median 6.5), n = 2:
    +14.5 d shown grey, without arrow, marked small sample."""
    from streamlit.proto.Metric_pb2 import Metric

    at = app(team=["payments"]).run()
    tiles = _tiles(at)
    on_time, days = tiles["Actions closed on time"].proto, tiles["Time to post-mortem"].proto
    assert (on_time.delta, on_time.color) == ("-55 pp", Metric.MetricColor.RED)
    assert "small sample" not in on_time.delta_description
    assert (days.body, days.delta, days.color) == ("21 d", "+14.5 d", Metric.MetricColor.GRAY)
    assert days.direction == Metric.MetricDirection.NONE
    assert days.delta_description == "vs 2026-Q2 · small sample (n = 2 and 2)"


def test_dissemination_tile_says_how_many_have_reader_data(app):
    at = app().run()
    # of 2026-Q3's 27 post-mortems, 9 give readers and have a team member list (see the quarterly trends)
    assert "n = 9 of 27 post-mortems" in [c.value for c in at.caption if c.value.startswith("n = 9 of")][0]


def test_no_change_is_neither_red_nor_an_arrow(app):
    """As of 2026-01-15 the tiles show 2025-Q4 against 2025-Q3; both quarters' post-mortems took a median of
    5 days (checked with SQL of its own: 33 and 31 written by then, middle values 5 and 5), so the change is
    +0.0 d: grey, no arrow, said in words. Fewer recurrences is good: its rise of 11 pp is red."""
    from streamlit.proto.Metric_pb2 import Metric

    at = app(as_of="2026-01-15").run()
    assert not at.exception
    tiles = _tiles(at)
    days = tiles["Time to post-mortem"].proto
    assert (days.delta, days.color, days.direction) == ("+0.0 d", Metric.MetricColor.GRAY,
                                                        Metric.MetricDirection.NONE)
    assert days.delta_description == "vs 2025-Q3 · no change"
    assert (tiles["Recurrence rate"].proto.delta, tiles["Recurrence rate"].proto.color) == ("+11 pp",
                                                                                         Metric.MetricColor.RED)


def test_months_counts_and_completeness_read_as_people_say_them(app):
    """The monthly chart's axis is whole incidents and months by name; the completeness tables have human
    names, percentages and file paths relative to the ingested folder (data/demo), never absolute."""
    at = app().run()
    fig = chart(at, "chart-monthly")
    assert fig["layout"]["xaxis"]["tickformat"] == "%b %Y"
    assert fig["layout"]["yaxis"]["tickformat"] == ",d" and fig["layout"]["yaxis"]["dtick"] >= 1
    # Nov 2026 is not over on 2026-11-15: its bar says so
    assert [a["text"] for a in fig["layout"]["annotations"]] == ["so far"]
    assert any(c.value.startswith("Nov 2026 is not over on 2026-11-15") for c in at.caption)
    missing = at.dataframe[1].value
    assert list(missing.columns) == ["Field", "Post-mortems", "Missing", "Missing share"]
    assert missing["Field"].tolist() == ["Team", "Severity", "Primary cause category", "Detection time",
                                         "Corrective actions", "Post-mortem date"]
    assert (missing["Missing share"] == 100 * missing["Missing"] / missing["Post-mortems"]).all()
    files = at.dataframe[2].value["File"].tolist()
    assert files and not any(f.startswith("/") or "data/demo" in f for f in files)
