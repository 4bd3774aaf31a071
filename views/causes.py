"""Causes and recurrence: the quarterly pattern review. Recurrence rate, the Pareto of cause categories,
causes by service, the recurrence trend, the recurring patterns and whether the previous incident's
actions were done before an incident came back.

Every number comes from analytics.recurrence; document text appears only inside dataframes, and the
categories drawn on charts are escaped (Plotly reads a subset of HTML in labels)."""


import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics import quarters, recurrence
from analytics.filters import Filters
from analytics.settings import Settings
from dashboard import data, ui
from hindsight import theme

POSTMORTEMS_PAGE = "views/postmortems.py"

label = ui.chart_label


def tiles(overall, pattern_count: int, effect, settings: Settings) -> None:
    cols = st.columns(3)
    cols[0].metric("Recurrence rate", ui.pct(overall["recurrence_rate"]), border=True,
                   help="Recurring incidents / incidents in this selection.")
    cols[0].caption(f"{ui.num(overall['recurring'])} recurring, n = {ui.num(overall['incidents'])} incidents")
    cols[1].metric("Recurring patterns", ui.num(pattern_count), border=True,
                   help=f"Groups of {settings.pattern_incidents} or more incidents linked to each other.")
    cols[1].caption(f"groups of {settings.pattern_incidents}+ linked incidents, "
                    f"n = {ui.num(overall['incidents'])} incidents")
    done_first = effect.loc[effect["group"] == "all actions done"]
    cols[2].metric("Came back after all actions were done",
                   ui.pct(done_first["share"].iloc[0]) if len(done_first) else "–", border=True,
                   help="Share of the recurrences whose previous incident had every action done by then.")
    cols[2].caption(f"{ui.num(done_first['recurrences'].iloc[0] if len(done_first) else 0)} of "
                    f"n = {ui.num(overall['recurring'])} recurrences")


def pareto_chart(pareto, overall) -> None:
    st.header("Cause categories (Pareto)")
    if pareto.empty:
        st.caption("Nothing in this selection.")
        return
    causes = [label(c) for c in pareto["cause"]]
    fig = go.Figure()
    fig.add_bar(x=causes, y=pareto["incidents"], name="incidents", customdata=pareto[["share"]],
                marker=dict(color=[theme.cause_color(c) for c in pareto["cause"]],
                            pattern=theme.hatch([theme.cause_pattern(c) for c in pareto["cause"]])),
                text=[ui.num(n) for n in pareto["incidents"]], textposition="outside",
                hovertemplate="%{x}: %{y} incidents (%{customdata[0]:.0%})<extra></extra>")
    fig.add_scatter(x=causes, y=pareto["cumulative_share"], yaxis="y2", mode="lines+markers",
                    name="cumulative share", line=dict(color=theme.TEXT, dash="dot"), marker=dict(color=theme.TEXT),
                    hovertemplate="%{x}: %{y:.0%} cumulative<extra></extra>")
    count_axis = theme.count_axis(float(pareto["incidents"].max()) * 1.1)
    fig.update_layout(xaxis=dict(type="category", title="primary cause category"),
                      yaxis=dict(count_axis, title="incidents"),
                      yaxis2=dict(theme.share_axis(), title="cumulative share", overlaying="y", side="right",
                                  showgrid=False))
    ui.chart(fig, "chart-pareto", height=360)
    st.caption(f"n = {ui.num(overall['incidents'])} incidents, each counted once by its primary cause category.")
    ui.table(pareto.rename(columns={"cause": "Cause category", "incidents": "Incidents", "share": "Share",
                                    "cumulative_share": "Cumulative share"}),
             "Cause categories", key="dl-pareto", percent=("Share", "Cumulative share"))


def causes_by_service(filters: Filters, pareto, overall) -> None:
    matrix = data.query(recurrence.cause_service_matrix, filters)
    if not ui.section("Causes by service", matrix, "Nothing in this selection."):
        return
    grid = recurrence.cause_service_grid(matrix, pareto["cause"].tolist())
    services = len(grid.columns)
    grid = grid.iloc[:, :ui.CATEGORIES_SHOWN]  # the busiest: a heatmap of 2,000 columns (at 100k) is unreadable
    text = grid.map(lambda v: "" if pd.isna(v) else f"{v:.0f}")
    fig = go.Figure(go.Heatmap(
        z=grid.to_numpy(dtype=float), x=[label(s) for s in grid.columns], y=[label(c) for c in grid.index],
        text=text.to_numpy(), texttemplate="%{text}", colorscale="Blues", xgap=2, ygap=2,
        colorbar=dict(title="incidents", thickness=12, tickformat=",d",
                      dtick=max(1, round(float(matrix["incidents"].max()) / 5))),
        hovertemplate="%{y} on %{x}: %{z} incidents<extra></extra>"))
    fig.update_layout(xaxis=dict(type="category", tickangle=-40, title="service"),
                      yaxis=dict(type="category", autorange="reversed", title="primary cause category"))
    ui.chart(fig, "chart-cause-service", height=190 + 34 * len(grid.index))
    st.caption(f"n = {ui.num(overall['incidents'])} incidents by primary cause category (rows, most frequent first) "
               "and service (columns, busiest first). An empty cell is no incident."
               + (f" The {ui.CATEGORIES_SHOWN} busiest of {ui.num(services)} services are drawn; the table below "
                  "has every pair." if services > ui.CATEGORIES_SHOWN else ""))
    ui.table(matrix.rename(columns={"cause": "Cause category", "service": "Service", "incidents": "Incidents"}),
             "Cause × service", key="dl-cause-service")


def trend_by_quarter(filters: Filters, settings: Settings) -> None:
    trend = data.query(recurrence.rate_by_period, filters, settings=settings, period="quarter")
    if not ui.section("Recurrence rate by quarter", trend, "Nothing in this selection: no dated incident."):
        return
    # every quarter from the first to the last: an empty one is a gap in the line, not a line across it
    trend = quarters.every_quarter(trend, "period", counts=("incidents", "recurring"),
                                   fill={"small_sample": True, "partial": False})
    small = trend["small_sample"].astype(bool)
    fig = go.Figure()
    fig.add_scatter(x=trend["period"], y=trend["recurrence_rate"], mode="lines+markers", name="recurrence rate",
                    **theme.line_style(0, hollow=small.tolist()), customdata=trend[["recurring", "incidents"]],
                    hovertemplate="%{x}: %{y:.0%} (%{customdata[0]} of n = %{customdata[1]})<extra></extra>")
    fig.update_layout(showlegend=False, xaxis=dict(type="category", title="quarter of the incident"),
                      yaxis=dict(theme.share_axis(), title="recurrence rate"))
    ui.chart(fig, "chart-recurrence-trend", height=320)
    trend = trend[trend["incidents"] > 0]
    small_ones = trend.loc[small, "period"].tolist()
    note = (f"Hollow markers: fewer than {settings.small_sample} incidents in the quarter "
            f"({', '.join(small_ones)}), too few to read as a trend." if small_ones
            else f"Every quarter has at least {settings.small_sample} incidents.")
    st.caption(f"n = the quarter's incidents (hover a point, or see the table). {note}")
    ui.table(trend.rename(columns={"period": "Quarter", "incidents": "Incidents", "recurring": "Recurring",
                                   "recurrence_rate": "Recurrence rate", "small_sample": "Small sample",
                                   "partial": "Partial"}),
             "Recurrence by quarter", key="dl-recurrence-trend", percent=("Recurrence rate",))


def patterns_shown(patterns, members):
    return recurrence.with_titles(patterns, members).drop(columns="postmortem_ids").rename(columns={
        "pattern_id": "Pattern", "incidents": "Incidents", "service": "Service",
        "primary_cause_category": "Cause category", "first_date": "First", "last_date": "Last",
        "titles": "Post-mortems (oldest first)"})


def every_pattern(filters: Filters, settings: Settings):
    found = recurrence.patterns_and_members(data.connection(), filters, settings)
    return patterns_shown(found["patterns"], found["members"])


def pattern_list(found, filters: Filters, settings: Settings) -> None:
    """``found``: patterns_and_members of the first patterns only; "count" is how many there are."""
    st.header("Patterns")
    patterns, members, count = found["patterns"], found["members"], found["count"]
    ui.table(patterns_shown(patterns, members), "Recurring patterns", key="dl-patterns", total=count,
             every=lambda: every_pattern(filters, settings),
             empty=f"Nothing in this selection: no group of {settings.pattern_incidents} or more linked incidents.",
             column_config={"First": st.column_config.DateColumn(format="YYYY-MM-DD"),
                            "Last": st.column_config.DateColumn(format="YYYY-MM-DD"),
                            "Post-mortems (oldest first)": st.column_config.ListColumn(width="large")})
    if patterns.empty:
        return
    st.caption(f"n = {ui.num(count)} patterns: groups of {settings.pattern_incidents} or more incidents "
               "linked by an explicit recurrence link, or each the recurrence of the one before on the same "
               "service and cause. Largest first.")
    # the post-mortems of the patterns the table shows (at 100k, 32k members in all: too many to choose from)
    shown = set(patterns["pattern_id"].head(ui.ROWS_SHOWN))
    ids = members.loc[members["pattern_id"].isin(shown), "postmortem_id"].drop_duplicates().tolist()
    names = recurrence.member_names(members)
    left, right = st.columns([2, 1], vertical_alignment="bottom")
    pick = left.selectbox("A pattern's post-mortem", ids, format_func=names.get, key="pattern-pick")
    if right.button("Open on the Post-mortems page", key="pattern-open", disabled=not pick):
        st.session_state["pm_open"] = pick
        st.switch_page(POSTMORTEMS_PAGE, query_params={"pm": pick})


DETAIL_COLUMNS = {"incident_date": "Date", "postmortem_id": "Post-mortem", "group": "Group",
                  "actions": "Previous actions", "actions_done_before": "Done before", "previous_date": "Previous date",
                  "previous_id": "Previous"}


def detail_shown(detail):
    return detail[list(DETAIL_COLUMNS)].rename(columns=DETAIL_COLUMNS)


def action_effectiveness(detail, effect, overall, filters: Filters, settings: Settings) -> None:
    """``detail``: the first recurrences only; ``effect`` counts them all."""
    st.header("Were the actions done before it came back?")
    if detail.empty:
        st.caption("Nothing in this selection: no recurrence.")
        return
    fig = go.Figure(go.Bar(y=[label(g) for g in effect["group"]][::-1], x=effect["recurrences"][::-1],
                           orientation="h", customdata=effect[["share"]][::-1],
                           text=[f"{ui.num(r)} ({ui.pct(s)})" for r, s in zip(effect["recurrences"][::-1],
                                                                            effect["share"][::-1])],
                           textposition="auto",
                           hovertemplate="%{y}: %{x} recurrences (%{customdata[0]:.0%})<extra></extra>"))
    fig.update_traces(marker_color=theme.LINE_STYLES[0][0])
    fig.update_layout(yaxis=dict(type="category"),
                      xaxis=dict(theme.count_axis(float(effect["recurrences"].max())), title="recurrences"))
    ui.chart(fig, "chart-effectiveness", height=240)
    st.caption(f"n = {ui.num(overall['recurring'])} recurrences, grouped by the state of the previous incident's "
               "actions on the day the incident came back. An association, not proof that the actions failed.")
    ui.table(effect.rename(columns={"group": "Previous incident's actions", "recurrences": "Recurrences",
                                    "share": "Share"}),
             "Recurrences by the state of the previous actions", key="dl-effectiveness", percent=("Share",))
    ui.table(detail_shown(detail), "Each recurrence", key="dl-effectiveness-detail",
             total=int(effect["recurrences"].sum()),
             every=lambda: detail_shown(recurrence.action_effectiveness_detail(data.connection(), filters, settings)),
             column_config={"Date": st.column_config.DateColumn(format="YYYY-MM-DD"),
                            "Previous date": st.column_config.DateColumn(format="YYYY-MM-DD")})


filters = st.session_state["filters"]
settings = data.current_settings()
st.title("Causes and recurrence")
st.caption(f"As of {filters.as_of}. The quarterly pattern review: which causes dominate, on which services, and "
           f"whether incidents come back. An incident recurs when it is linked to an earlier one, or when an "
           f"earlier incident within {settings.recurrence_window_days} days had the same service and primary "
           "cause category.")
overall = data.query(recurrence.overall, filters, settings=settings)
if overall.empty or not overall.iloc[0]["incidents"]:
    st.caption("Nothing in this selection: no post-mortem matches these filters.")
    st.stop()
overall = overall.iloc[0]
# the first rows of the two long lists (at 100k: 8,000 patterns, 56,000 recurrences) and their counts
found = data.query(recurrence.patterns_and_members, filters, settings=settings, limit=ui.ROWS_SHOWN)
detail = data.query(recurrence.action_effectiveness_detail, filters, settings=settings, limit=ui.ROWS_SHOWN)
effect = data.query(recurrence.action_effectiveness, filters, settings=settings)
pareto = data.query(recurrence.pareto, filters)
tiles(overall, found["count"], effect, settings)
pareto_chart(pareto, overall)
causes_by_service(filters, pareto, overall)
trend_by_quarter(filters, settings)
pattern_list(found, filters, settings)
action_effectiveness(detail, effect, overall, filters, settings)
