"""Causes and recurrence: the quarterly pattern review. Recurrence rate, the Pareto of cause categories,
causes by service, the recurrence trend, the recurring patterns and whether the previous incident's
actions were done before an incident came back.

Every number comes from analytics.recurrence; document text appears only inside dataframes, and the
categories drawn on charts are escaped (Plotly reads a subset of HTML in labels)."""


import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics import recurrence
from analytics.filters import Filters
from analytics.settings import Settings
from dashboard import data, ui

CHART = {"displayModeBar": False}

label = ui.chart_label


def tiles(overall, patterns, effect, settings: Settings) -> None:
    cols = st.columns(3)
    cols[0].metric("Recurrence rate", ui.pct(overall["recurrence_rate"]), border=True,
                   help="Recurring incidents / incidents in this selection.")
    cols[0].caption(f"{ui.num(overall['recurring'])} recurring, n = {ui.num(overall['incidents'])} incidents")
    cols[1].metric("Recurring patterns", ui.num(len(patterns)), border=True,
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
                text=pareto["incidents"], textposition="outside",
                hovertemplate="%{x}: %{y} incidents (%{customdata[0]:.0%})<extra></extra>")
    fig.add_scatter(x=causes, y=pareto["cumulative_share"], yaxis="y2", mode="lines+markers",
                    name="cumulative share", hovertemplate="%{x}: %{y:.0%} cumulative<extra></extra>")
    fig.update_layout(height=360, margin=dict(t=30, b=10, l=10, r=10), xaxis=dict(type="category"),
                      yaxis=dict(title="incidents", range=[0, float(pareto["incidents"].max()) * 1.15]),
                      yaxis2=dict(title="cumulative share", overlaying="y", side="right", tickformat=".0%",
                                  range=[0, 1.05], tickmode="array", tickvals=[0, 0.2, 0.4, 0.6, 0.8, 1.0],
                                  showgrid=False),
                      legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0))
    st.plotly_chart(fig, config=CHART, key="chart-pareto")
    st.caption(f"n = {ui.num(overall['incidents'])} incidents, each counted once by its primary cause category.")
    ui.table(pareto.rename(columns={"cause": "Cause category", "incidents": "Incidents", "share": "Share",
                                    "cumulative_share": "Cumulative share"}),
             "Cause categories", key="dl-pareto",
             column_config={"Share": st.column_config.NumberColumn(format="percent"),
                            "Cumulative share": st.column_config.NumberColumn(format="percent")})


def causes_by_service(filters: Filters, pareto, overall) -> None:
    matrix = data.query(recurrence.cause_service_matrix, filters)
    if not ui.section("Causes by service", matrix, "Nothing in this selection."):
        return
    grid = recurrence.cause_service_grid(matrix, pareto["cause"].tolist())
    text = grid.map(lambda v: "" if pd.isna(v) else f"{v:.0f}")
    fig = go.Figure(go.Heatmap(
        z=grid.to_numpy(dtype=float), x=[label(s) for s in grid.columns], y=[label(c) for c in grid.index],
        text=text.to_numpy(), texttemplate="%{text}", colorscale="Blues", xgap=2, ygap=2,
        colorbar=dict(title="incidents", thickness=12, tickformat="d",
                      dtick=max(1, round(float(matrix["incidents"].max()) / 5))),
        hovertemplate="%{y} on %{x}: %{z} incidents<extra></extra>"))
    fig.update_layout(height=170 + 34 * len(grid.index), margin=dict(t=10, b=10, l=10, r=10),
                      xaxis=dict(type="category", tickangle=-40), yaxis=dict(type="category", autorange="reversed"))
    st.plotly_chart(fig, config=CHART, key="chart-cause-service")
    st.caption(f"n = {ui.num(overall['incidents'])} incidents by primary cause category (rows, most frequent first) "
               "and service (columns, busiest first). An empty cell is no incident.")
    ui.table(matrix.rename(columns={"cause": "Cause category", "service": "Service", "incidents": "Incidents"}),
             "Cause × service", key="dl-cause-service")


def trend_by_quarter(filters: Filters, settings: Settings) -> None:
    trend = data.query(recurrence.rate_by_period, filters, settings=settings, period="quarter")
    if not ui.section("Recurrence rate by quarter", trend, "Nothing in this selection: no dated incident."):
        return
    small = trend["small_sample"].astype(bool)
    fig = go.Figure()
    fig.add_scatter(x=trend["period"], y=trend["recurrence_rate"], mode="lines+markers", name="recurrence rate",
                    line=dict(color="#1f77b4"),
                    marker=dict(size=10, color=["white" if s else "#1f77b4" for s in small],
                                line=dict(color="#1f77b4", width=2)),
                    customdata=trend[["recurring", "incidents"]],
                    hovertemplate="%{x}: %{y:.0%} (%{customdata[0]} of n = %{customdata[1]})<extra></extra>")
    fig.update_layout(height=320, margin=dict(t=10, b=10, l=10, r=10), showlegend=False,
                      xaxis=dict(type="category"), yaxis=dict(tickformat=".0%", range=[0, 1.02]))
    st.plotly_chart(fig, config=CHART, key="chart-recurrence-trend")
    small_ones = trend.loc[small, "period"].tolist()
    note = (f"Hollow markers: fewer than {settings.small_sample} incidents in the quarter "
            f"({', '.join(small_ones)}), too few to read as a trend." if small_ones
            else f"Every quarter has at least {settings.small_sample} incidents.")
    st.caption(f"n = the quarter's incidents (hover a point, or see the table). {note}")
    ui.table(trend.rename(columns={"period": "Quarter", "incidents": "Incidents", "recurring": "Recurring",
                                   "recurrence_rate": "Recurrence rate", "small_sample": "Small sample"}),
             "Recurrence by quarter", key="dl-recurrence-trend",
             column_config={"Recurrence rate": st.column_config.NumberColumn(format="percent")})


def pattern_list(patterns, settings: Settings) -> None:
    st.header("Patterns")
    ui.table(patterns.rename(columns={
        "pattern_id": "Pattern", "incidents": "Incidents", "service": "Service",
        "primary_cause_category": "Cause category", "first_date": "First", "last_date": "Last",
        "postmortem_ids": "Post-mortems (oldest first)"}),
        "Recurring patterns", key="dl-patterns",
        empty=f"Nothing in this selection: no group of {settings.pattern_incidents} or more linked incidents.",
        column_config={"First": st.column_config.DateColumn(format="YYYY-MM-DD"),
                       "Last": st.column_config.DateColumn(format="YYYY-MM-DD"),
                       "Post-mortems (oldest first)": st.column_config.ListColumn(width="large")})
    if not patterns.empty:
        st.caption(f"n = {ui.num(len(patterns))} patterns: groups of {settings.pattern_incidents} or more incidents "
                   "linked by an explicit recurrence link, or each the recurrence of the one before on the same "
                   "service and cause. Largest first.")


def action_effectiveness(detail, effect, overall) -> None:
    st.header("Were the actions done before it came back?")
    if detail.empty:
        st.caption("Nothing in this selection: no recurrence.")
        return
    fig = go.Figure(go.Bar(y=[label(g) for g in effect["group"]][::-1], x=effect["recurrences"][::-1],
                           orientation="h", customdata=effect[["share"]][::-1],
                           text=[f"{r} ({ui.pct(s)})" for r, s in zip(effect["recurrences"][::-1],
                                                                     effect["share"][::-1])],
                           textposition="auto",
                           hovertemplate="%{y}: %{x} recurrences (%{customdata[0]:.0%})<extra></extra>"))
    fig.update_layout(height=230, margin=dict(t=10, b=10, l=10, r=10), yaxis=dict(type="category"),
                      xaxis=dict(title="recurrences"))
    st.plotly_chart(fig, config=CHART, key="chart-effectiveness")
    st.caption(f"n = {ui.num(overall['recurring'])} recurrences, grouped by the state of the previous incident's "
               "actions on the day the incident came back. An association, not proof that the actions failed.")
    ui.table(effect.rename(columns={"group": "Previous incident's actions", "recurrences": "Recurrences",
                                    "share": "Share"}),
             "Recurrences by the state of the previous actions", key="dl-effectiveness",
             column_config={"Share": st.column_config.NumberColumn(format="percent")})
    ui.table(detail[["incident_date", "postmortem_id", "group", "actions", "actions_done_before", "previous_date",
                     "previous_id"]].rename(columns={
        "postmortem_id": "Post-mortem", "incident_date": "Date", "previous_id": "Previous",
        "previous_date": "Previous date", "actions": "Previous actions",
        "actions_done_before": "Done before", "group": "Group"}),
        "Each recurrence", key="dl-effectiveness-detail",
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
patterns = data.query(recurrence.active_patterns, filters, settings=settings)
detail = data.query(recurrence.action_effectiveness_detail, filters, settings=settings)
effect = recurrence.effectiveness_groups(detail)
pareto = data.query(recurrence.pareto, filters)
tiles(overall, patterns, effect, settings)
pareto_chart(pareto, overall)
causes_by_service(filters, pareto, overall)
trend_by_quarter(filters, settings)
pattern_list(patterns, settings)
action_effectiveness(detail, effect, overall)
