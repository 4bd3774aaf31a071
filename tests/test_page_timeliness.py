"""Time to post-mortem and coverage page through AppTest on the demo database (as of 2026-11-15).

Hand-checked numbers:
- 295 demo post-mortems are written by the as-of date (post-mortem date on or before it, not before the
  incident); payments has 26 post-mortems, 24 written and 2 waiting (PM-2026-102 and
  2026-10-15-billing-service-latency-b33cb6).
- payments' only P1 (2025-12-15-refund-worker-data-inconsistency-94e4b7) happened on 2025-12-15 and was
  written on 2026-01-24: 40 days, far past 5 business days; it took 6 min to detect, 8 to acknowledge,
  21 to mitigate and 26 to resolve.
- The incidents list has 7 incidents that require a post-mortem and have none: P1s INC-2024-0006,
  INC-2024-0016, INC-2025-0073; P2s longer than 30 min INC-2025-0002 (156 min), INC-2026-0060 (123 min);
  customer impact INC-2025-0043, INC-2026-0011.
The whole-demo numbers are recounted from the raw tables in tests/test_demo_recount.py."""


from conftest import captions, chart

PAGE = "views/timeliness.py"
MISSING = ["INC-2024-0006", "INC-2024-0016", "INC-2025-0002", "INC-2025-0043", "INC-2025-0073", "INC-2026-0011",
           "INC-2026-0060"]


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def table(at, column: str):
    """The dataframe that has this column."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(found) == 1, column
    return found[0]


def test_renders_on_the_demo(app):
    at = app(page=PAGE).run()
    assert not at.exception
    assert at.title[0].value == "Time to post-mortem and coverage"
    assert captions(at)[0].startswith("As of 2026-11-15. The monthly post-mortem review")
    assert list(metrics(at)) == ["Time to post-mortem", "Within the SLA", "Waiting for a post-mortem", "Coverage"]
    assert metrics(at)["Time to post-mortem"] == "5 d"
    assert any(c.startswith("median 5 d, p90 25 d, max 40 d, n = 295") for c in captions(at))
    assert any(c.endswith("within 5 business days, n = 295") for c in captions(at))
    for key in ("chart-days-histogram", "chart-days-severity", "chart-response"):
        chart(at, key)
    assert len(at.dataframe) == 4  # by severity, waiting, missing, response times
    assert [b.label for b in at.get("download_button")].count("Download CSV") == 4


def test_histogram_marks_median_and_p90_with_n(app):
    at = app(page=PAGE).run()
    layout = chart(at, "chart-days-histogram")["layout"]
    assert [a["text"].strip() for a in layout["annotations"]] == ["median 5 d (n = 295)", "p90 25 d"]
    assert [(s["type"], round(s["x0"], 1)) for s in layout["shapes"]] == [("line", 5.0), ("line", 24.6)]
    ticks = chart(at, "chart-days-severity")["layout"]["xaxis"]["ticktext"]
    assert ticks[0] == "P1<br>n = 26"  # the demo's 26 P1s are all written


def test_coverage_lists_the_missing_incidents(app):
    at = app(page=PAGE).run()
    assert metrics(at)["Coverage"] == "93%"
    assert "97 covered / n = 104 required (source: incidents list)" in captions(at)
    missing = table(at, "Required because")
    assert list(missing["Incident"]) == MISSING
    assert list(missing.loc[missing["Incident"] == "INC-2025-0002", "Required because"].iloc[0]) == ["P2 > 30 min"]
    assert set(missing["Post-mortem id"]) == {"missing"}  # said in words, not None on every row
    p1 = app(page=PAGE, severity=["P1"]).run()
    assert list(table(p1, "Required because")["Incident"]) == ["INC-2024-0006", "INC-2024-0016", "INC-2025-0073"]


def test_team_filter_changes_the_numbers(app):
    at = app(page=PAGE).run()
    everyone = metrics(at)["Waiting for a post-mortem"]
    at.sidebar.multiselect(key="flt_team").set_value(["payments"]).run()
    assert not at.exception
    assert int(metrics(at)["Waiting for a post-mortem"]) < int(everyone)
    assert metrics(at)["Waiting for a post-mortem"] == "2"
    # the Markdown one has no id: it is derived from its file name (plus a hash of its path)
    waiting = sorted(table(at, "Days waiting")["Post-mortem"])
    assert waiting[0].startswith("2026-10-15-billing-service-latency-") and waiting[1] == "PM-2026-102"
    assert any(c.endswith("n = 24") and c.startswith("median") for c in captions(at))


def test_query_params_set_the_filters(app):
    at = app(page=PAGE, severity=["P1"], team=["payments"]).run()
    assert not at.exception
    assert at.sidebar.multiselect(key="flt_severity").value == ["P1"]
    assert at.sidebar.multiselect(key="flt_team").value == ["payments"]
    assert metrics(at)["Time to post-mortem"] == "40 d"
    assert metrics(at)["Within the SLA"] == "0%"
    assert "0 within 5 business days, n = 1" in captions(at)
    response = table(at, "Time to")
    assert list(response["Time to"]) == ["detect", "acknowledge", "mitigate", "resolve"]
    assert list(response["Median (min)"]) == [6, 8, 21, 26] and set(response["n"]) == {1}


def test_empty_selection(app):
    at = app(page=PAGE, **{"from": "2030-01-01"}).run()
    assert not at.exception
    assert sum(c.startswith("Nothing in this selection") for c in captions(at)) >= 3
    assert metrics(at)["Time to post-mortem"] == "–" and metrics(at)["Waiting for a post-mortem"] == "0"
    assert not at.get("plotly_chart")


def test_empty_database_shows_how_to_load(empty_app):
    at = empty_app(page=PAGE).run()
    assert not at.exception
    assert "No post-mortems loaded yet" in at.info[0].value


def test_severities_have_the_overviews_colours(app):
    """Each severity's box is drawn in its colour from hindsight/theme.py, as on the Overview (P3 orange,
    not the bright red it was)."""
    from hindsight import theme

    at = app(page=PAGE).run()
    boxes = chart(at, "chart-days-severity")["data"]
    assert [b["name"] for b in boxes] == ["P1", "P2", "P3", "P4"]
    assert [b["marker"]["color"] for b in boxes] == [theme.severity_color(s) for s in ("P1", "P2", "P3", "P4")]
    monthly = chart(app().run(), "chart-monthly")["data"]
    assert {t["name"]: t["marker"]["color"] for t in monthly} == {b["name"]: b["marker"]["color"] for b in boxes}
