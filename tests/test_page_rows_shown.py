"""A long table shows its first rows and says so; its download has every row (the dashboard at 100,000
post-mortems would otherwise send every row to the browser, and write every download on every rerun).

The demo's numbers are the ones the page tests work out: 300 post-mortems (tests/test_page_postmortems.py),
17 open actions of the payments team over 14 incidents (tests/test_page_actions.py). The pages are run with
ROWS_SHOWN lowered to 5, so the demo's tables are "long"."""

import io
import re

import pandas as pd
import pytest

from conftest import captions, values

SHOWN = 5


@pytest.fixture
def offered(monkeypatch):
    """file name -> what the page handed st.download_button (bytes, or the function writing it on a click);
    ROWS_SHOWN lowered to SHOWN."""
    import streamlit as st

    monkeypatch.setattr("dashboard.ui.ROWS_SHOWN", SHOWN)
    files = {}
    original = st.download_button

    def record(label, data, *args, **kwargs):
        files[kwargs.get("file_name")] = data
        return original(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", record)
    return files


def written(data) -> str:
    """What a click downloads."""
    data = data() if callable(data) else data
    return data.decode("utf-8") if isinstance(data, bytes) else data


def test_the_post_mortem_list_shows_its_first_rows_and_downloads_all(app, offered):
    at = app(page="views/postmortems.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) == SHOWN
    assert "n = 300 post-mortems, newest incident first; the first 5 shown (the CSV has every one)." in captions(at)
    every = pd.read_csv(io.StringIO(written(offered["post-mortems.csv"])))
    assert len(every) == 300
    assert every["Id"].head(SHOWN).tolist() == table["Id"].tolist()
    dates = pd.to_datetime(every["Incident date"], errors="coerce")
    assert dates.dropna().is_monotonic_decreasing  # newest first, the order the page shows


def test_a_long_table_says_how_many_rows_it_shows(app, offered):
    at = app(page="views/actions.py", team=["payments"]).run()
    assert not at.exception
    overdue = pd.read_csv(io.StringIO(written(offered["overdue-actions.csv"])))
    assert len(overdue) > SHOWN  # the payments team's overdue actions: more than 5, so the table is cut
    shown = [t.value for t in at.dataframe if "Days overdue" in t.value.columns][0]
    assert len(shown) == SHOWN
    assert shown["Action id"].tolist() == overdue["Action id"].head(SHOWN).tolist()
    assert f"Showing the first 5 of {len(overdue)} rows, in this order; the CSV has every row." in captions(at)


def test_the_tracker_shows_its_first_actions_and_downloads_all(app, offered):
    at = app(page="views/actions.py", team=["payments"]).run()
    assert not at.exception
    action_row = re.compile(r"^\| \d+ \| ", re.M)
    shown = at.code[0].value
    assert len(action_row.findall(shown)) == SHOWN
    every = written(offered["hindsight-tracker.md"])
    assert len(action_row.findall(every)) == 17 and every.count("### Incident: ") == 14
    assert every.rstrip().endswith("**Last review**: 2026-11-15")
    assert any(c.startswith("The n = 17 open actions") and "(the first 5 of them; the download has every one)." in c
               for c in captions(at))


def test_the_cause_service_heatmap_draws_the_busiest_services(app, monkeypatch, demo_db):
    from conftest import chart, scalar

    monkeypatch.setattr("dashboard.ui.CATEGORIES_SHOWN", 3)
    # the page's matrix counts every post-mortem the (empty) filters keep, a missing service as 'unknown'
    services = scalar(demo_db, "SELECT count(DISTINCT coalesce(service, 'unknown')) FROM postmortems")
    at = app(page="views/causes.py").run()
    assert not at.exception
    assert len(chart(at, "chart-cause-service")["data"][0]["x"]) == 3
    assert any(f"The 3 busiest of {services} services are drawn; the table below has every pair." in c
               for c in captions(at))


def test_many_post_mortems_are_drawn_as_boxes_without_dots(app, monkeypatch):
    import numpy as np

    from conftest import chart

    dots = chart(app(page="views/timeliness.py").run(), "chart-days-severity")["data"]
    monkeypatch.setattr("dashboard.ui.POINTS_SHOWN", 5)
    at = app(page="views/timeliness.py").run()
    assert not at.exception
    boxes = chart(at, "chart-days-severity")["data"]
    assert [b["name"] for b in boxes] == [b["name"] for b in dots]
    for box, points in zip(boxes, dots):
        assert "y" not in box and "boxpoints" not in box
        days = np.asarray(values(points["y"]), dtype=float)  # the same severity's days, drawn one by one before
        q1, median, q3 = np.percentile(days, [25, 50, 75])
        assert (box["q1"], box["median"], box["q3"]) == ([q1], [median], [q3])
        assert box["upperfence"] == [days[days <= q3 + 1.5 * (q3 - q1)].max()]
    assert any(c.startswith("The box (too many post-mortems for a dot each, more than 5)") for c in captions(at))


def test_the_rates_by_team_chart_draws_the_teams_with_the_most_actions(app, monkeypatch):
    from conftest import chart

    monkeypatch.setattr("dashboard.ui.BARS_SHOWN", 3)
    at = app(page="views/actions.py").run()
    assert not at.exception
    table = at.dataframe[0].value  # "Rates by team": every team, the most actions first
    bars = chart(at, "chart-rates-team")["data"]
    drawn = list(dict.fromkeys(values(bars[0]["y"])))
    assert len(drawn) == 3 and len(table) > 3
    assert sorted(drawn) == sorted(table["Team"].head(3))
    assert list(table["Actions"].head(4)) == sorted(table["Actions"].head(4), reverse=True)
    assert any(f"The 3 teams with the most actions of {len(table)} are drawn; the table below has every team." in c
               for c in captions(at))
    # below the cap, every team is drawn and nothing is said
    monkeypatch.setattr("dashboard.ui.BARS_SHOWN", 100)
    at = app(page="views/actions.py").run()
    assert len(set(values(chart(at, "chart-rates-team")["data"][0]["y"]))) == len(table)
    assert not any("teams with the most actions" in c for c in captions(at))


def test_the_patterns_and_recurrences_show_their_first_rows_and_download_all(app, offered, monkeypatch):
    # service payment-gateway (tests/test_page_causes.py works it out): 2 patterns of 3 incidents, the tools
    # chain (last 2026-03-25) before the code chain (last 2025-02-20): equal sizes, the most recent first;
    # 5 recurrences, the oldest PM-2024-059 (2024-12-03); 2 of the 5 came back after every action was done
    monkeypatch.setattr("dashboard.ui.ROWS_SHOWN", 1)
    at = app(page="views/causes.py", service=["payment-gateway"]).run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Recurring patterns"] == "2"  # every pattern, not the shown one
    assert "2 of n = 5 recurrences" in captions(at)
    patterns = [t.value for t in at.dataframe if {"Cause category", "Pattern"} <= set(t.value.columns)]
    assert patterns[0]["Cause category"].tolist() == ["tools"]
    assert "n = 2 patterns: groups of 3 or more incidents" in " ".join(captions(at))
    every = pd.read_csv(io.StringIO(written(offered["recurring-patterns.csv"])))
    assert every["Cause category"].tolist() == ["tools", "code"]
    picks = at.selectbox(key="pattern-pick").options  # the incidents of the pattern shown: the tools chain
    assert picks == ["2026-01-26 Taux d'erreurs élevé sur payment-gateway",
                     "2026-03-11 High latency on payment-gateway", "2026-03-25 Indisponibilité de payment-gateway"]
    shown = [t.value for t in at.dataframe if "Done before" in t.value.columns][0]
    assert shown["Post-mortem"].tolist() == ["PM-2024-059"]
    recurrences = pd.read_csv(io.StringIO(written(offered["each-recurrence.csv"])))
    assert sorted(recurrences["Post-mortem"]) == ["PM-2024-059", "PM-2025-012", "PM-2025-013", "PM-2026-028",
                                                  "PM-2026-034"]
    assert recurrences["Post-mortem"].iloc[0] == "PM-2024-059"
    assert sum("Showing the first 1 of" in c for c in captions(at)) >= 2  # "of 2 rows" and "of 5 rows"
    assert "Showing the first 1 of 2 rows, in this order; the CSV has every row." in captions(at)
    assert "Showing the first 1 of 5 rows, in this order; the CSV has every row." in captions(at)


def test_an_escalation_rule_shows_its_first_rows_and_downloads_all(app, offered):
    # the demo's 26 actions blocked for more than 14 days (tests/test_page_escalations.py), oldest first
    at = app(page="views/escalations.py").run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Management"] == "26"  # the tile counts every row
    shown = at.dataframe[0].value
    every = pd.read_csv(io.StringIO(written(offered["management-what-to-escalate.csv"])))
    assert len(shown) == SHOWN and len(every) == 26
    assert list(shown.columns) == list(every.columns)  # the whole rule decides which columns show
    assert shown["Subject"].tolist() == every["Subject"].head(SHOWN).tolist()
    assert "Showing the first 5 of 26 rows, in this order; the CSV has every row." in captions(at)
    assert any(c.startswith("n = 26 rows, the oldest first.") and c.endswith("(the picker lists those of the rows shown).")
               for c in captions(at))
    # the picker offers the post-mortems of the rows shown: one each, as the shown rows' evidence says
    picks = at.selectbox(key="esc-pick-management").options
    assert picks == list(dict.fromkeys(shown["Evidence (post-mortems)"].map(lambda e: e[0])))


def test_the_whole_escalation_list_is_fetched_on_a_click_when_the_page_holds_first_rows(app, offered):
    # the page fetches 5 rows per rule (escalations.listing with a limit); the tiles and captions count every
    # row of the demo's 56 (26 management, 1 architecture review, 14 cross-team, 15 block deployments:
    # tests/test_page_escalations.py), and the whole list's CSV is fetched when its button is pressed
    at = app(page="views/escalations.py").run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric} == {"Management": "26", "Architecture review": "1",
                                                      "Cross-team": "14", "Block deployments": "15"}
    assert "n = 1 escalation, 3 post-mortems in evidence" in captions(at)
    data = offered["hindsight-escalations-2026-11-15.csv"]
    assert callable(data)  # not written on the rerun: only 16 of the 56 rows are on the page
    every = pd.read_csv(io.StringIO(written(data)))
    assert len(every) == 56
    assert every["Rule"].value_counts().to_dict() == {"management": 26, "cross-team": 14, "block deployments": 15,
                                                      "architecture review": 1}
    assert [len(t.value) for t in at.dataframe] == [5, 1, 5, 5]
