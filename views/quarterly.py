"""Quarterly trends: the quarterly review. One row per quarter with its change from the previous one,
small multiples of each trend (small-sample quarters marked), incidents by cause, and the HTML review pack.

Every number comes from analytics.quarterly (and analytics.actions for the on-time denominator); the pack
is written by hindsight.review. Cause categories drawn on charts are escaped (Plotly reads some HTML)."""

import tempfile
from pathlib import Path

import plotly.graph_objects as go
import streamlit as st

from analytics import quarterly, quarters
from analytics.filters import Filters
from analytics.render import quarter_label
from analytics.settings import Settings
from dashboard import data, ui
from hindsight import review

CHART = {"displayModeBar": False}
COLOR = "#1f77b4"
SMALL = "#9e9e9e"
COLUMNS = {
    "quarter": "Quarter", "partial": "Partial", "small_sample": "Small sample",
    "change_small_sample": "Δ on a small sample", "incidents": "Incidents",
    "incidents_change": "Δ incidents",
    "p1": "P1", "p2": "P2", "p3": "P3", "p4": "P4",
    "resolve_n": "Resolve n", "resolve_median": "Resolve median (min)",
    "resolve_median_change": "Δ resolve median (min)", "resolve_p90": "Resolve p90 (min)",
    "resolve_p90_change": "Δ resolve p90 (min)",
    "recurring": "Recurring", "recurrence_rate": "Recurrence rate", "recurrence_rate_change": "Δ recurrence rate",
    "actions": "Actions", "completion_rate": "Completion rate", "completion_rate_change": "Δ completion rate",
    "due": "Actions due", "on_time_rate": "On-time rate", "on_time_rate_change": "Δ on-time rate",
    "postmortem_n": "Post-mortems written (n)", "postmortem_days_median": "Days to post-mortem (median)",
    "postmortem_days_median_change": "Δ days to post-mortem (median)",
    "postmortem_within_sla_rate": "Within SLA rate",
    "dissemination_n": "Post-mortems with reader data (n)", "dissemination_rate": "Learning dissemination",
    "dissemination_rate_change": "Δ learning dissemination",
}
PERCENT = ["Recurrence rate", "Δ recurrence rate", "Completion rate", "Δ completion rate", "On-time rate",
           "Δ on-time rate", "Within SLA rate", "Learning dissemination", "Δ learning dissemination"]
ONE_DECIMAL = ["Resolve median (min)", "Resolve p90 (min)", "Δ resolve median (min)", "Δ resolve p90 (min)",
               "Days to post-mortem (median)", "Δ days to post-mortem (median)"]

label = ui.chart_label


def partial_note(filters: Filters, trend) -> str:
    partial_quarters = trend.loc[trend["partial"].astype(bool), "quarter"].tolist()
    return (f" {', '.join(partial_quarters)} is partial: it is not over on {filters.as_of}, so its numbers are so "
            "far and will still move (recent actions are not due yet); read its change with care."
            if partial_quarters else "")


def quarter_table(filters: Filters, settings: Settings, trend) -> None:
    st.header("Quarter by quarter")
    shown = trend[[c for c in COLUMNS if c in trend.columns]].rename(columns=COLUMNS)
    config = {name: st.column_config.NumberColumn(format="percent") for name in PERCENT}
    for name in ONE_DECIMAL:
        config[name] = st.column_config.NumberColumn(format="%.1f")
    ui.table(shown, "Quarterly table", key="dl-quarterly", column_config=config)
    st.caption(f"One row per quarter ({len(trend)}). Δ = change from the previous quarter (rates in percentage "
               "points). Each figure has its n in the table: incidents for recurrence, "
               "actions (cancelled ones aside) for completion, actions due by the as-of date for on time, "
               "post-mortems written by then for the days to post-mortem, incidents with a known duration for "
               "time to resolve, post-mortems with reader data (of the quarter's incidents) for learning "
               f"dissemination. Every quarter is measured as of {filters.as_of}. Small sample: fewer than "
               f"{settings.small_sample} incidents in the quarter; Δ on a small sample: in this quarter or the one "
               "before, so the change is not a trend." + partial_note(filters, trend))


def small_multiple(trend, title: str, series: list[tuple[str, str]], n_column: str, n_label: str, key: str, *,
                   percent: bool = False, unit: str = "") -> None:
    """A small line chart of one or more columns; small-sample quarters as hollow grey points.
    Per series: the line (its legend entry), then filled points for the quarters with enough incidents and
    hollow grey ones for the small samples, each point with its n in the hover."""
    fig = go.Figure()
    palette = [COLOR, "#ff7f0e"]
    small = trend["small_sample"].astype(bool).tolist()
    quarter_labels = trend["quarter"].tolist()
    partial = trend["partial"].astype(bool).tolist()
    value_format = "%{y:.0%}" if percent else "%{y:,.1f}" + unit
    for (column, name), color in zip(series, palette):
        fig.add_scatter(x=quarter_labels, y=trend[column], mode="lines", name=name, line=dict(color=color, width=2),
                        hoverinfo="skip", showlegend=len(series) > 1)
        for flagged in (False, True):
            part = trend[[s == flagged for s in small]]
            if part.empty:
                continue
            fig.add_scatter(
                x=part["quarter"], y=part[column], mode="markers", name=f"{name} (small sample)" if flagged else name,
                showlegend=False,
                marker=dict(size=8, symbol="circle-open" if flagged else "circle", color=SMALL if flagged else color,
                            line=dict(width=2, color=SMALL if flagged else color)),
                customdata=part[[n_column]].assign(p=part["partial"].map({True: "; partial quarter, so far",
                                                                          False: ""})),
                hovertemplate=f"%{{x}} {name}: {value_format} (n = %{{customdata[0]}} {n_label}"
                              + ("; small sample" if flagged else "") + "%{customdata[1]})<extra></extra>")
    fig.update_layout(title=dict(text=title, font=dict(size=14)), height=250, margin=dict(t=40, b=10, l=10, r=10),
                      xaxis=dict(type="category", tickangle=-45, categoryorder="array", categoryarray=quarter_labels,
                                 tickvals=quarter_labels,
                                 ticktext=[quarter_label(q, p) for q, p in zip(quarter_labels, partial)]),
                      yaxis=dict(tickformat=".0%", range=[-0.05, 1.07]) if percent else dict(rangemode="tozero"),
                      legend=dict(orientation="h", y=1.0, yanchor="bottom", x=1, xanchor="right"))
    st.plotly_chart(fig, config=CHART, key=key)


def small_multiples(filters: Filters, settings: Settings, trend) -> None:
    st.header("Trends")
    charts = [
        ("Incidents", [("incidents", "incidents")], "incidents", "incidents", "chart-q-incidents", {}),
        ("Time to resolve (minutes)", [("resolve_median", "median"), ("resolve_p90", "p90")], "resolve_n",
         "incidents with a duration", "chart-q-resolve", {"unit": " min"}),
        ("Recurrence rate", [("recurrence_rate", "recurrence rate")], "incidents", "incidents",
         "chart-q-recurrence", {"percent": True}),
        ("Actions completed", [("completion_rate", "completion rate")], "actions", "actions",
         "chart-q-completion", {"percent": True}),
        ("Actions closed on time", [("on_time_rate", "on-time rate")], "due", "actions due", "chart-q-on-time",
         {"percent": True}),
        ("Days to post-mortem (median)", [("postmortem_days_median", "median")], "postmortem_n",
         "post-mortems written", "chart-q-postmortem", {"unit": " d"}),
        ("Learning dissemination", [("dissemination_rate", "dissemination")], "dissemination_n",
         "post-mortems with reader data", "chart-q-dissemination", {"percent": True}),
    ]
    for row in range(0, len(charts), 3):
        grid = st.columns(3)
        for cell, (title, series, n_column, n_label, key, options) in zip(grid, charts[row:row + 3]):
            with cell:
                small_multiple(trend, title, series, n_column, n_label, key, **options)
    small_quarters = trend.loc[trend["small_sample"].astype(bool), "quarter"].tolist()
    note = (f"Hollow grey points: quarters with fewer than {settings.small_sample} incidents (small sample: "
            f"{', '.join(small_quarters)}), too few to read a change from." if small_quarters
            else f"Hollow grey points would mark quarters with fewer than {settings.small_sample} incidents (small "
                 "sample); every quarter here has at least that many.")
    st.caption(f"{note} Hover a point for its n. Durations are medians and p90s; a gap is a quarter with nothing "
               "to measure." + partial_note(filters, trend))


def incidents_by_cause(filters: Filters, settings: Settings, trend) -> None:
    causes = data.query(quarterly.causes, filters, settings=settings)
    if not ui.section("Incidents per quarter by cause", causes, "Nothing in this selection."):
        return
    fig = go.Figure()
    for cause in quarterly.cause_order(causes):
        part = causes[causes["cause"] == cause]
        fig.add_bar(x=part["quarter"], y=part["incidents"], name=label(cause),
                    hovertemplate="%{x} %{fullData.name}: %{y} incidents<extra></extra>")
    fig.update_layout(barmode="stack", height=360, margin=dict(t=10, b=10, l=10, r=10),
                      xaxis=dict(type="category", categoryorder="array", categoryarray=trend["quarter"].tolist()),
                      yaxis=dict(title="incidents"),
                      legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0, traceorder="normal"),
                      legend_title_text="")
    st.plotly_chart(fig, config=CHART, key="chart-q-causes")
    st.caption("Each dated incident counted once, by its primary cause category: a quarter's bars add up to its "
               "n = incidents in the quarterly table.")
    ui.table(quarterly.causes_wide(causes).rename(columns={"quarter": "Quarter"}),
             "Incidents per quarter by cause (data)", key="dl-quarterly-causes")


def review_pack(filters: Filters, settings: Settings, trend) -> None:
    st.header("Review pack")
    st.caption("One self-contained HTML file for the quarterly review (tables, charts, escalations and the open "
               f"actions tracker): the quarter's incidents with the filters above, measured as of {filters.as_of}. "
               "It opens without the dashboard. The last complete quarter is chosen first.")
    options = trend["quarter"].tolist()[::-1]  # the latest quarter first
    last_complete = quarters.last_complete_quarter(filters.as_of, settings.fiscal_year_start_month)
    partial_of = dict(zip(trend["quarter"], trend["partial"].astype(bool)))
    left, right = st.columns([1, 2], vertical_alignment="bottom")
    quarter = left.selectbox("Quarter", options, key="review-quarter",
                             index=options.index(last_complete) if last_complete in options else 0,
                             format_func=lambda q: quarter_label(q, partial_of.get(q, False)))
    wanted = (quarter, filters)
    if right.button("Build the review pack", key="review-build"):
        with st.spinner(f"Writing the review pack for {quarter}…"):
            try:
                with tempfile.TemporaryDirectory() as tmp:
                    path = review.write_review(data.connection(), filters, settings, quarter,
                                               Path(tmp) / f"hindsight-review-{quarter}.html")
                    st.session_state["review-pack"] = (wanted, path.read_bytes())
            except review.QuarterError as exc:
                st.error(f"Cannot build the review pack: {exc}")
    pack = st.session_state.get("review-pack")
    if pack and pack[0] == wanted:
        st.download_button(f"Download hindsight-review-{quarter}.html", pack[1],
                           file_name=f"hindsight-review-{quarter}.html", mime="text/html", key="review-download",
                           on_click="ignore", type="primary")


filters = st.session_state["filters"]
settings = data.current_settings()
st.title("Quarterly trends")
st.caption(f"As of {filters.as_of}. The quarterly review: how incidents, response, recurrence, actions and "
           "post-mortem writing move from quarter to quarter, and the review pack to hand out. Quarters are those of "
           "the incident date" + (f" (fiscal year starting in month {settings.fiscal_year_start_month})."
                                  if settings.fiscal_year_start_month != 1 else "."))
trend = data.query(quarterly.trends_with_due, filters, settings=settings)
if trend.empty:
    st.caption("Nothing in this selection: no dated incident matches these filters.")
    st.stop()
quarter_table(filters, settings, trend)
small_multiples(filters, settings, trend)
incidents_by_cause(filters, settings, trend)
review_pack(filters, settings, trend)
