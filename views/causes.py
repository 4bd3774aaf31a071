"""Causes and recurrence: the quarterly pattern review. Recurrence rate, the Pareto of cause categories,
causes by service, the recurrence trend, the recurring patterns and whether the previous incident's
actions were done before an incident came back.

Every number comes from analytics.recurrence; document text appears only inside dataframes, and the
categories drawn on charts are escaped (Plotly reads a subset of HTML in labels)."""


import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import data, ui

CHART = {"displayModeBar": False}


label = ui.chart_label


f = st.session_state["filters"]
settings = data.current_settings()
st.title("Causes and recurrence")
st.caption(f"As of {f.as_of}. The quarterly pattern review: which causes dominate, on which services, and "
           f"whether incidents come back. An incident recurs when it is linked to an earlier one, or when an "
           f"earlier incident within {settings.recurrence_window_days} days had the same service and primary "
           "cause category.")

overall = data.get("analytics.recurrence:overall", f, with_settings=True)
o = overall.iloc[0] if not overall.empty else None
if o is None or not o["incidents"]:
    st.caption("Nothing in this selection: no post-mortem matches these filters.")
    st.stop()

patterns = data.get("analytics.recurrence:active_patterns", f, with_settings=True)
effect = data.get("analytics.recurrence:action_effectiveness", f, with_settings=True)

# --- tiles -------------------------------------------------------------------------------------------
tiles = st.columns(3)
tiles[0].metric("Recurrence rate", ui.pct(o["recurrence_rate"]), border=True,
                help="Recurring incidents / incidents in this selection.")
tiles[0].caption(f"{ui.num(o['recurring'])} recurring, n = {ui.num(o['incidents'])} incidents")
tiles[1].metric("Recurring patterns", ui.num(len(patterns)), border=True,
                help=f"Groups of {settings.pattern_incidents} or more incidents linked to each other.")
tiles[1].caption(f"groups of {settings.pattern_incidents}+ linked incidents, n = {ui.num(o['incidents'])} incidents")
done_first = effect.loc[effect["group"] == "all actions done"]
tiles[2].metric("Came back after all actions were done",
                ui.pct(done_first["share"].iloc[0]) if len(done_first) else "–", border=True,
                help="Share of the recurrences whose previous incident had every action done by then.")
tiles[2].caption(f"{ui.num(done_first['recurrences'].iloc[0] if len(done_first) else 0)} of "
                 f"n = {ui.num(o['recurring'])} recurrences")

# --- Pareto ------------------------------------------------------------------------------------------
st.header("Cause categories (Pareto)")
pareto = data.get("analytics.recurrence:pareto", f)
if pareto.empty:
    st.caption("Nothing in this selection.")
else:
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
    st.caption(f"n = {ui.num(o['incidents'])} incidents, each counted once by its primary cause category.")
    ui.table(pareto.rename(columns={"cause": "Cause category", "incidents": "Incidents", "share": "Share",
                                    "cumulative_share": "Cumulative share"}),
             "Cause categories", key="dl-pareto",
             column_config={"Share": st.column_config.NumberColumn(format="percent"),
                            "Cumulative share": st.column_config.NumberColumn(format="percent")})

# --- cause x service ---------------------------------------------------------------------------------
st.header("Causes by service")
matrix = data.get("analytics.recurrence:cause_service_matrix", f)
if matrix.empty:
    st.caption("Nothing in this selection.")
else:
    grid = matrix.pivot_table(index="cause", columns="service", values="incidents", aggfunc="sum")
    cause_order = [c for c in pareto["cause"] if c in grid.index] + [c for c in grid.index if c not in set(pareto["cause"])]
    service_order = grid.sum().sort_values(ascending=False, kind="stable").index  # busiest services first
    grid = grid.loc[cause_order, service_order]
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
    st.caption(f"n = {ui.num(o['incidents'])} incidents by primary cause category (rows, most frequent first) and "
               "service (columns, busiest first). An empty cell is no incident.")
    ui.table(matrix.rename(columns={"cause": "Cause category", "service": "Service", "incidents": "Incidents"}),
             "Cause × service", key="dl-cause-service")

# --- trend -------------------------------------------------------------------------------------------
st.header("Recurrence rate by quarter")
trend = data.get("analytics.recurrence:rate_by_period", f, with_settings=True, period="quarter")
if trend.empty:
    st.caption("Nothing in this selection: no dated incident.")
else:
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

# --- patterns ----------------------------------------------------------------------------------------
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

# --- action effectiveness ----------------------------------------------------------------------------
st.header("Were the actions done before it came back?")
detail = data.get("analytics.recurrence:action_effectiveness_detail", f, with_settings=True)
if detail.empty:
    st.caption("Nothing in this selection: no recurrence.")
else:
    fig = go.Figure(go.Bar(y=[label(g) for g in effect["group"]][::-1], x=effect["recurrences"][::-1],
                           orientation="h", customdata=effect[["share"]][::-1],
                           text=[f"{r} ({ui.pct(s)})" for r, s in zip(effect["recurrences"][::-1],
                                                                     effect["share"][::-1])],
                           textposition="auto",
                           hovertemplate="%{y}: %{x} recurrences (%{customdata[0]:.0%})<extra></extra>"))
    fig.update_layout(height=230, margin=dict(t=10, b=10, l=10, r=10), yaxis=dict(type="category"),
                      xaxis=dict(title="recurrences"))
    st.plotly_chart(fig, config=CHART, key="chart-effectiveness")
    st.caption(f"n = {ui.num(o['recurring'])} recurrences, grouped by the state of the previous incident's actions "
               "on the day the incident came back. An association, not proof that the actions failed.")
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
