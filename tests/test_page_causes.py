"""Causes and recurrence page through AppTest on the demo database (as of 2026-11-15).

Hand-checked selection: service payment-gateway has 9 incidents, all of team payments:
  2024-10-21 code, 2024-10-23 external, 2024-12-03 code (PM-2024-059), 2025-02-20 external (PM-2025-012),
  2025-02-20 code (PM-2025-013), 2026-01-26 tools (PM-2026-014), 2026-03-11 tools (PM-2026-028),
  2026-03-25 tools (PM-2026-034), 2026-08-21 monitoring.
With a 180-day window on the same service and cause, 5 recur (PM-2024-059, PM-2025-012, PM-2025-013,
PM-2026-028, PM-2026-034); the code chain (3) and the tools chain (3) are patterns, the external pair is
not. Of the 5, two came back after every action of the previous incident was done. Its quarters have
3, 2, 3 and 1 incidents: all below the small sample of 5."""

import json

from conftest import captions, values
from hindsight import theme

PAGE = "views/causes.py"


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def chart(at, key: str):
    found = [c for c in at.get("plotly_chart") if key in c.proto.id]
    assert len(found) == 1, key
    return found[0]


def test_renders_on_the_demo(app):
    at = app(page=PAGE).run()
    assert not at.exception
    assert at.title[0].value == "Causes and recurrence"
    assert captions(at)[0].startswith("As of 2026-11-15. The quarterly pattern review")
    assert list(metrics(at)) == ["Recurrence rate", "Recurring patterns", "Came back after all actions were done"]
    assert "116 recurring, n = 300 incidents" in captions(at)
    for key in ("chart-pareto", "chart-cause-service", "chart-recurrence-trend", "chart-effectiveness"):
        chart(at, key)
    assert len(at.dataframe) == 6
    assert [b.label for b in at.get("download_button")].count("Download CSV") == 6


def test_hand_checked_service(app):
    at = app(page=PAGE, service=["payment-gateway"]).run()
    assert not at.exception
    assert at.sidebar.multiselect(key="flt_service").value == ["payment-gateway"]
    # previous incident's actions all done by the recurrence: PM-2025-012 (all 6 done by 2024-11-20) and
    # PM-2026-034 (PM-2026-014's last done 2026-03-20); not PM-2026-028 (2026-03-11, before that one)
    assert metrics(at) == {"Recurrence rate": "56%", "Recurring patterns": "2",
                           "Came back after all actions were done": "40%"}
    assert "5 recurring, n = 9 incidents" in captions(at)
    assert "2 of n = 5 recurrences" in captions(at)
    pareto = at.dataframe[0].value
    assert list(pareto["Cause category"]) == ["code", "tools", "external", "monitoring"]
    assert list(pareto["Incidents"]) == [3, 3, 2, 1]
    patterns = at.dataframe[3].value
    assert sorted(patterns["Cause category"]) == ["code", "tools"]
    tools = patterns[patterns["Cause category"] == "tools"].iloc[0]
    # PM-2026-014, PM-2026-028 and PM-2026-034 by their dates and titles, never their ids
    assert list(tools["Post-mortems (oldest first)"]) == ["2026-01-26 Taux d'erreurs élevé sur payment-gateway",
                                                          "2026-03-11 High latency on payment-gateway",
                                                          "2026-03-25 Indisponibilité de payment-gateway"]
    picks = at.selectbox(key="pattern-pick").options  # the 6 incidents of the two patterns, by title
    assert len(picks) == 6 and "2026-03-11 High latency on payment-gateway" in picks
    assert not any(o.startswith("PM-") for o in picks)
    detail = at.dataframe[5].value
    assert sorted(detail["Post-mortem"]) == ["PM-2024-059", "PM-2025-012", "PM-2025-013", "PM-2026-028",
                                             "PM-2026-034"]
    assert any(c.startswith("n = 5 recurrences") for c in captions(at))


def test_small_sample_quarters_are_marked(app):
    at = app(page=PAGE, service=["payment-gateway"]).run()
    trend = at.dataframe[2].value
    assert list(trend["Quarter"]) == ["2024-Q4", "2025-Q1", "2026-Q1", "2026-Q3"]
    assert list(trend["Incidents"]) == [3, 2, 3, 1]
    assert trend["Small sample"].all()
    note = [c for c in captions(at) if "Hollow markers" in c]
    assert note and "2024-Q4, 2025-Q1, 2026-Q1, 2026-Q3" in note[0]
    spec = json.loads(chart(at, "chart-recurrence-trend").proto.spec)
    assert spec["data"][0]["marker"]["symbol"][0] == "circle-open"  # hollow markers
    # 2025-Q2 to 2025-Q4 have no incident: on the chart, no rate there (a gap), not a line across them
    assert spec["data"][0]["x"][:5] == ["2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    assert values(spec["data"][0]["y"])[2:5] == [None, None, None] or all(
        v != v for v in values(spec["data"][0]["y"])[2:5])  # null, or NaN in a binary array
    everyone = app(page=PAGE).run()
    assert not [c for c in captions(everyone) if "Hollow markers" in c]  # every demo quarter has 5+


def test_team_filter_changes_the_numbers(app):
    at = app(page=PAGE).run()
    assert "n = 300 incidents, each counted once by its primary cause category." in captions(at)
    at.sidebar.multiselect(key="flt_team").set_value(["payments"]).run()
    assert not at.exception
    assert "n = 26 incidents, each counted once by its primary cause category." in captions(at)
    pareto = at.dataframe[0].value
    assert pareto["Incidents"].sum() == 26 and pareto.iloc[0].tolist()[:2] == ["code", 8]


def test_query_params_set_the_filters(app):
    at = app(page=PAGE, severity=["P1"]).run()
    assert not at.exception
    assert at.sidebar.multiselect(key="flt_severity").value == ["P1"]
    assert any(c.endswith("n = 26 incidents") for c in captions(at))  # the demo's 26 P1s


def test_empty_selection(app):
    at = app(page=PAGE, **{"from": "2030-01-01"}).run()
    assert not at.exception
    assert any(c.startswith("Nothing in this selection") for c in captions(at))
    assert not at.get("plotly_chart")


def test_empty_database_shows_how_to_load(empty_app):
    at = empty_app(page=PAGE).run()
    assert not at.exception
    assert "No post-mortems loaded yet" in at.info[0].value


def test_each_cause_keeps_its_colour_whatever_the_filter(app):
    """The Pareto's bars are coloured by cause from hindsight/theme.py: 'tools' is the same colour for
    everyone and for payment-gateway alone, where the order of the causes differs."""
    def colours(at) -> dict:
        bars = json.loads(chart(at, "chart-pareto").proto.spec)["data"][0]
        return dict(zip(bars["x"], bars["marker"]["color"]))

    everyone, gateway = colours(app(page=PAGE).run()), colours(app(page=PAGE, service=["payment-gateway"]).run())
    assert everyone["tools"] == gateway["tools"] == theme.cause_color("tools")
    assert gateway == {c: theme.cause_color(c) for c in ("code", "tools", "external", "monitoring")}
