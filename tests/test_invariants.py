"""Invariants every number must keep, on the demo corpus and on a freshly generated one (`hindsight demo`,
ingested with the real CLI): the CLI report, the dashboard's data layer (dashboard.data.query, what the
pages call) and the review pack agree for the same filters and as-of date; a filter never raises a count
and a team filter keeps exactly that team's rows; sums over teams are the total; rates lie in [0, 1];
every post-mortem is counted once.

These are relations, not values: the hand-worked values are in the tests of each analytics module
(tests/test_analytics_*.py) and tests/test_boundaries.py."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pytest

from analytics import actions, catalog, coverage, learning, overview, quarterly, recurrence, timeliness
from analytics.filters import Filters
from analytics.quarters import last_complete_quarter, quarter_bounds
from conftest import AS_OF, DEMO_CONFIG, run_cli
from pipeline.config import fold

TODAY = date.fromisoformat(AS_OF)
RATE = re.compile(r"(_rate|share|^value$|^previous$)")
COUNTS = ["actions", "done", "due", "on_time", "overdue", "blocked"]


@pytest.fixture(scope="module")
def generated_db(tmp_path_factory):
    """60 post-mortems of another seed, written by `hindsight demo` and ingested by `hindsight ingest`; one
    Markdown file is also copied into another folder, as happens when exports are gathered twice."""
    root = tmp_path_factory.mktemp("generated")
    assert run_cli("demo", "--out", str(root / "corpus"), "--count", "60", "--seed", "7")[0] == 0
    original = sorted((root / "corpus" / "markdown").rglob("2*.md"))[0]
    (root / "corpus" / "copies").mkdir()
    shutil.copyfile(original, root / "corpus" / "copies" / original.name)
    db = root / "generated.duckdb"
    assert run_cli("ingest", str(root / "corpus"), "--db", str(db), "--config", str(DEMO_CONFIG), "--quiet")[0] == 1
    return db


@pytest.fixture(params=["demo", "generated"])
def corpus(request, monkeypatch, capsys):
    """(database, get): get(function, *args, **kwargs) is the dashboard's data layer on that database, with the
    configured settings passed as the pages pass them."""
    import streamlit as st

    from dashboard import data

    db = request.getfixturevalue("demo_db" if request.param == "demo" else "generated_db")
    capsys.readouterr()  # what building the database printed is not the reports' output
    st.cache_data.clear()
    st.cache_resource.clear()
    monkeypatch.setenv("HINDSIGHT_DB", str(db))
    monkeypatch.setenv("HINDSIGHT_CONFIG", str(DEMO_CONFIG))

    def get(func, *args, with_settings: bool = False, **kwargs):
        if with_settings:
            kwargs["settings"] = data.current_settings()
        return data.query(func, *args, **kwargs)

    return db, get


def sql(db, text, params=None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(text, params or []).fetchall()
    finally:
        con.close()


def teams(db) -> list[str]:
    return [t for (t,) in sql(db, "SELECT DISTINCT team FROM postmortems WHERE team IS NOT NULL ORDER BY 1")]


def cli_json(cli, db, kind, *args) -> dict:
    code, out, err = cli("report", kind, "--db", db, "--config", DEMO_CONFIG, "--as-of", AS_OF, "--format", "json",
                         *args)
    assert code == 0, err
    return json.loads(out)


def same(a, b) -> bool:
    """Equal numbers, both missing, or equal anything else (JSON loses the float/int distinction)."""
    a_missing = a is None or (isinstance(a, float) and np.isnan(a))
    b_missing = b is None or (isinstance(b, float) and np.isnan(b))
    if a_missing or b_missing:
        return a_missing and b_missing
    if isinstance(a, (int, float, np.number)) and isinstance(b, (int, float, np.number)):
        return a == pytest.approx(b)
    return a == b


def assert_rates_in_range(df: pd.DataFrame, where: str) -> None:
    for column in df.columns:
        if RATE.search(column) and not column.endswith("_change") and pd.api.types.is_numeric_dtype(df[column]):
            values = df[column].dropna()
            assert ((values >= 0) & (values <= 1)).all(), (where, column)


def pack_tables(page: str) -> dict[str, list[list[str]]]:
    """The review pack's tables by id (the effectiveness table: "metrics"): rows of cell texts, the header
    first."""
    from lxml import html as lxml_html

    out = {}
    for table in lxml_html.fromstring(page).iter("table"):
        name = table.get("id") or table.get("class")
        out[name] = [[" ".join(c.text_content().split()) for c in row.xpath("./th|./td")]
                     for row in table.iter("tr")]
    return out


def as_pct(value) -> str:
    """The pack's one precision for a share: a whole percentage."""
    return "–" if value is None else f"{value:.0%}"


def as_change(value, unit: str) -> str:
    """A rate's change in percentage points, a duration's in days."""
    if value is None:
        return "–"
    return f"{value * 100:+.0f} pp" if unit == "pp" else f"{value:+.1f} days"


# Each trends column the pack prints, by table and header: the CLI's column and how the pack writes it.
COUNT, MINUTES, DAYS = "{:,.0f}".format, "{:,.0f}".format, "{:.1f}".format
PACK_TRENDS = {
    "trend-incidents": {"Incidents": ("incidents", COUNT), "P1": ("p1", COUNT), "P2": ("p2", COUNT),
                        "P3": ("p3", COUNT), "P4": ("p4", COUNT),
                        "Time to resolve, median (min)": ("resolve_median", MINUTES),
                        "p90 (min)": ("resolve_p90", MINUTES), "n resolved": ("resolve_n", COUNT)},
    "trend-actions": {"Actions": ("actions", COUNT), "Completed": ("completion_rate", as_pct),
                      "Closed on time": ("on_time_rate", as_pct), "Incidents": ("incidents", COUNT),
                      "Recurring": ("recurring", COUNT), "Recurrence rate": ("recurrence_rate", as_pct)},
    "trend-postmortems": {"Post-mortems written": ("postmortem_n", COUNT),
                          "Time to post-mortem, median (days)": ("postmortem_days_median", DAYS),
                          "Within the SLA": ("postmortem_within_sla_rate", as_pct),
                          "Learning dissemination": ("dissemination_rate", as_pct)},
    "trend-changes": {"Closed on time (pp)": ("on_time_rate_change", lambda v: f"{v * 100:+.0f}"),
                      "Completed (pp)": ("completion_rate_change", lambda v: f"{v * 100:+.0f}"),
                      "Recurrence rate (pp)": ("recurrence_rate_change", lambda v: f"{v * 100:+.0f}"),
                      "Time to post-mortem (days)": ("postmortem_days_median_change", "{:+.1f}".format),
                      "Dissemination (pp)": ("dissemination_rate_change", lambda v: f"{v * 100:+.0f}"),
                      "Incidents": ("incidents_change", "{:+,.0f}".format),
                      "Time to resolve, median (min)": ("resolve_median_change", "{:+,.0f}".format)},
}


def assert_pack_trends(tables: dict, cli_rows: list[dict]) -> None:
    """Every trends cell of the pack is the CLI's number, written at the pack's precision."""
    by_quarter = {r["quarter"]: r for r in cli_rows}
    for table_id, columns in PACK_TRENDS.items():
        header, *rows = tables[table_id]
        assert rows, table_id
        for cells in rows:
            expected = by_quarter[cells[0].split()[0]]  # "2026-Q4 (partial) *" -> 2026-Q4
            for name, (column, shown) in columns.items():
                value = expected[column]
                cell = cells[header.index(name)]
                assert cell == ("–" if value is None else shown(value)), (table_id, cells[0], name)


FILTERS = [[], ["--team", "payments"], ["--severity", "P1", "--severity", "P2"], ["--from", "2025-01-01", "--to",
                                                                                     "2026-06-30"]]


@pytest.mark.parametrize("args", FILTERS, ids=["all", "team", "severity", "dates"])
def test_cli_dashboard_and_pack_give_the_same_numbers(cli, corpus, tmp_path, args):
    db, get = corpus
    f = Filters(teams=tuple(args[1::2]) if args[:1] == ["--team"] else (),
                severities=tuple(args[1::2]) if args[:1] == ["--severity"] else (),
                date_from=date.fromisoformat(args[1]) if args[:1] == ["--from"] else None,
                date_to=date.fromisoformat(args[3]) if args[:1] == ["--from"] else None, as_of=TODAY)
    # quarterly trends: the CLI table is the page's table, cell for cell
    cli_rows = cli_json(cli, db, "quarterly", *args)["Quarterly trends"]
    trend = get(quarterly.trends, f, with_settings=True)
    assert [r["quarter"] for r in cli_rows] == trend["quarter"].tolist()
    for row, (_, expected) in zip(cli_rows, trend.iterrows()):
        for column, value in row.items():
            assert same(value, expected[column]), (row["quarter"], column)
    # the actions report is the Actions page's summary, and its tables by team and priority the page's
    report = cli_json(cli, db, "actions", *args)
    page, tables = get(actions.summary_and_rates, f, by=("team", "priority"))
    [summary] = report["Actions"]
    assert all(same(summary[c], page.iloc[0][c]) for c in summary)
    for by, section in (("team", "By team"), ("priority", "By priority")):
        assert len(report[section]) == len(tables[by])
        for row, (_, expected) in zip(report[section], tables[by].iterrows()):
            assert all(same(row[c], expected[c]) for c in row), (by, row)
    # the Overview tiles (last complete quarter) are that quarter's row of the trends, changes included
    quarter = last_complete_quarter(TODAY)
    tiles = get(overview.effectiveness, f, with_settings=True).set_index("key")
    assert set(tiles["quarter"]) == {quarter}
    mine = trend.set_index("quarter")
    columns = {"on_time": "on_time_rate", "recurrence": "recurrence_rate",
               "time_to_postmortem": "postmortem_days_median", "dissemination": "dissemination_rate"}
    if quarter in mine.index:
        row = mine.loc[quarter]
        for key, column in columns.items():
            assert same(tiles.loc[key, "value"], row[column]), key
            assert same(tiles.loc[key, "change"], row[f"{column}_change"]), key
        assert tiles.loc["recurrence", "n"] == row["incidents"]
        assert tiles.loc["time_to_postmortem", "n"] == row["postmortem_n"]
        assert tiles.loc["dissemination", "n"] == row["dissemination_n"]
    # the review pack (default: the last complete quarter) prints the same numbers
    out = tmp_path / "pack.html"
    code, stdout, err = cli("report", "review", "--db", db, "--config", DEMO_CONFIG, "--as-of", AS_OF,
                            "--out", out, *args)
    assert code == 0 and f"Wrote the {quarter} review pack" in stdout, err
    tables = pack_tables(out.read_text(encoding="utf-8"))
    # the four metrics are the Overview tiles: value, n, the previous quarter and the change
    effectiveness = {r[0]: r[1:] for r in tables["metrics"][1:]}
    for key, tile in tiles.iterrows():
        shown = effectiveness[tile["metric"]]
        value, previous = ([None if pd.isna(v) else (as_pct(v) if tile["unit"] == "share" else f"{v:.1f} days")
                            for v in (tile["value"], tile["previous"])])
        n = f"{tile['n']} of {int(tile['n_total'])}" if pd.notna(tile["n_total"]) else str(tile["n"])
        assert shown[:4] == [value or "–", n, previous or "–", str(tile["previous_n"])], key
        change = None if pd.isna(tile["change"]) else as_change(tile["change"], tile["change_unit"])
        assert shown[4].startswith(change or "–"), key
        assert ("small sample" in shown[4]) == (bool(tile["small_sample"]) and change is not None), key
    start, end = quarter_bounds(quarter)
    inside = dataclasses.replace(f, date_from=max(start, f.date_from or start), date_to=min(end, f.date_to or end))
    header, row = tables["quarter-actions"]
    page = get(actions.summary, inside).iloc[0]
    assert header == ["Actions", "Done", "Completed", "Due", "Closed on time", "On-time rate", "Overdue", "Blocked"]
    rate = {c: as_pct(None if pd.isna(page[c]) else page[c]) for c in ("completion_rate", "on_time_rate")}
    count = {c: f"{int(page[c]):,}" for c in COUNTS}
    assert row == [count["actions"], count["done"], rate["completion_rate"], count["due"], count["on_time"],
                   rate["on_time_rate"], count["overdue"], count["blocked"]]
    assert_pack_trends(tables, cli_rows)


def test_filters_never_raise_counts_and_a_team_is_its_own_rows(corpus):
    db, get = corpus
    everyone = Filters(as_of=TODAY)
    total = get(actions.summary, everyone).iloc[0]
    all_ids = set(get(catalog.postmortems, everyone)["postmortem_id"])
    trend_all = get(quarterly.trends, everyone, with_settings=True).set_index("quarter")
    for team in teams(db):
        f = Filters(teams=(team,), as_of=TODAY)
        one = get(actions.summary, f).iloc[0]
        assert all(one[c] <= total[c] for c in COUNTS), team
        # exactly the team's post-mortems, and nothing from another team in any listing
        ids = get(catalog.postmortems, f)["postmortem_id"]
        assert set(ids) == {i for (i,) in sql(db, "SELECT postmortem_id FROM postmortems WHERE team = ?", [team])}
        assert set(ids) <= all_ids
        for listing in (actions.overdue, actions.blocked):
            assert set(get(listing, f)["team"]) <= {team}, listing.__name__
        # per quarter: the team's incidents, counted with SQL of its own
        trend = get(quarterly.trends, f, with_settings=True)
        own = dict(sql(db, "SELECT year(incident_date) || '-Q' || quarter(incident_date), count(*) FROM postmortems "
                           "WHERE team = ? AND incident_date <= ? GROUP BY 1", [team, TODAY]))
        assert {q: n for q, n in zip(trend["quarter"], trend["incidents"]) if n} == own
        assert all(n <= trend_all.loc[q, "incidents"] for q, n in zip(trend["quarter"], trend["incidents"]))
    narrower = [Filters(as_of=TODAY, severities=("P1",)), Filters(as_of=TODAY, date_from=date(2026, 1, 1)),
                Filters(as_of=TODAY, date_to=date(2025, 6, 30)), Filters(as_of=TODAY, teams=("nobody",))]
    for f in narrower:
        one = get(actions.summary, f).iloc[0]
        assert all(one[c] <= total[c] for c in COUNTS), f
        assert set(get(catalog.postmortems, f)["postmortem_id"]) <= all_ids
        rec, rec_all = (get(recurrence.overall, g, with_settings=True).iloc[0] for g in (f, everyone))
        assert rec["incidents"] <= rec_all["incidents"] and rec["recurring"] <= rec_all["recurring"]


def test_sums_over_teams_are_the_total(corpus):
    db, get = corpus
    everyone = Filters(as_of=TODAY)
    by_team = get(actions.rates_by, everyone, "team")
    total = get(actions.summary, everyone).iloc[0]
    for c in COUNTS:
        assert by_team[c].sum() == total[c], c
    no_team = sql(db, "SELECT count(*) FROM postmortems WHERE team IS NULL AND incident_date <= ?", [TODAY])[0][0]
    parts = {"incidents": 0, "recurring": 0, "postmortems": 0, "member_reads": 0, "member_slots": 0, "written": 0}
    for team in teams(db):
        f = Filters(teams=(team,), as_of=TODAY)
        rec = get(recurrence.overall, f, with_settings=True).iloc[0]
        lrn = get(learning.summary, f, with_settings=True).iloc[0]
        parts["incidents"] += rec["incidents"]
        parts["recurring"] += rec["recurring"]
        for c in ("postmortems", "member_reads", "member_slots"):
            parts[c] += lrn[c]
        parts["written"] += get(timeliness.summary, f, with_settings=True).iloc[0]["n"]
        assert rates_by_row(by_team, team) == [get(actions.summary, f).iloc[0][c] for c in COUNTS]
    rec = get(recurrence.overall, everyone, with_settings=True).iloc[0]
    lrn = get(learning.summary, everyone, with_settings=True).iloc[0]
    # whether an incident recurs does not depend on the filters: the teams' recurring add up
    flags = get(recurrence.flags, everyone, with_settings=True)
    undated_or_teamless = set(sql(db, "SELECT postmortem_id FROM postmortems WHERE team IS NULL"))
    assert parts["incidents"] + len(undated_or_teamless) == rec["incidents"]
    teamless_recurring = flags[flags["postmortem_id"].isin({i for (i,) in undated_or_teamless})]["recurs"].sum()
    assert parts["recurring"] + teamless_recurring == rec["recurring"]
    for c in ("postmortems", "member_reads", "member_slots"):
        assert parts[c] == lrn[c], c  # a post-mortem with no team has no member list: never measured
    assert parts["written"] <= get(timeliness.summary, everyone, with_settings=True).iloc[0]["n"]
    assert no_team >= 0


def rates_by_row(table: pd.DataFrame, team: str) -> list:
    return table.set_index("team").loc[team, COUNTS].tolist()


def test_rates_lie_between_zero_and_one(corpus):
    db, get = corpus
    for f in (Filters(as_of=TODAY), Filters(as_of=TODAY, teams=(teams(db)[0],))):
        frames = {
            "trends": get(quarterly.trends, f, with_settings=True),
            "tiles": get(overview.effectiveness, f, with_settings=True).query("unit == 'share'"),
            "actions": get(actions.summary, f),
            "by owner": get(actions.rates_by, f, "owner"),
            "cohorts": get(actions.cohort_completion, f, with_settings=True),
            "recurrence": get(recurrence.rate_by_period, f, with_settings=True, period="month"),
            "pareto": get(recurrence.pareto, f),
            "effectiveness": get(recurrence.action_effectiveness, f, with_settings=True),
            "timeliness": get(timeliness.summary, f, with_settings=True, by="team"),
            "coverage": get(coverage.summary, f, with_settings=True),
            "learning": get(learning.summary, f, with_settings=True),
            "time to close": get(actions.time_to_close, f),
        }
        for where, df in frames.items():
            assert_rates_in_range(df, where)
        assert frames["actions"]["overdue"].iloc[0] <= frames["actions"]["due"].iloc[0]


def test_every_postmortem_is_counted_once(corpus):
    db, get = corpus
    everyone = Filters(as_of=TODAY)
    total, distinct = sql(db, "SELECT count(*), count(DISTINCT postmortem_id) FROM postmortems")[0]
    assert total == distinct == len(get(catalog.postmortems, everyone))
    # no post-mortem is loaded twice under two ids: no two files give the same title, day and team
    seen: dict[tuple, str] = {}
    for title, day, team, path in sql(db, "SELECT title, incident_date, team, source_path FROM postmortems "
                                          "WHERE title IS NOT NULL AND incident_date IS NOT NULL"):
        key = (fold(title), day, fold(team or ""))
        assert seen.setdefault(key, path) == path, (key, seen[key], path)
    # each dated post-mortem up to the as-of date is in exactly one quarter, once in the causes and Pareto
    dated = sql(db, "SELECT count(*) FROM postmortems WHERE incident_date <= ?", [TODAY])[0][0]
    trend = get(quarterly.trends, everyone, with_settings=True)
    assert trend["incidents"].sum() == dated
    assert get(quarterly.causes, everyone, with_settings=True)["incidents"].sum() == dated
    assert get(recurrence.pareto, everyone)["incidents"].sum() == total
    flags = get(recurrence.flags, everyone, with_settings=True)
    assert len(flags) == total and flags["postmortem_id"].is_unique
    assert (flags["days_since_previous"].dropna() >= 0).all()  # never a link forward in time


def test_the_lists_a_page_cuts_have_the_summarys_counts(corpus):
    """The Actions page fetches the first rows of the overdue list and of the open actions, and takes their
    counts from its summary (actions.summary_and_rates; issue 11: at 100k those lists are 35,000 rows each).
    The counts must be the lists' lengths, and the first rows the lists' first rows, in every selection."""
    db, get = corpus
    selections = [Filters(as_of=TODAY), Filters(as_of=date(2025, 6, 30)), Filters(as_of=TODAY, severities=("P1",))]
    selections += [Filters(teams=(team,), as_of=TODAY) for team in teams(db)]
    for f in selections:
        summary, _ = get(actions.summary_and_rates, f, by=("team", "priority"))
        overdue, still_open = get(actions.overdue, f), get(actions.open_actions, f)
        assert len(overdue) == summary.iloc[0]["overdue"], f
        assert len(still_open) == actions.open_count(summary), f
        assert get(actions.overdue, f, limit=3).equals(overdue.head(3)), f
        assert get(actions.open_actions, f, limit=3).equals(still_open.head(3)), f
