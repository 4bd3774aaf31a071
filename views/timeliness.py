"""Time to post-mortem and coverage: the monthly post-mortem review. How long post-mortems take, the share
written within the SLA, the incidents still waiting for theirs, whether every incident that needs one
has one, and the response times.

Every number comes from analytics.timeliness, analytics.coverage and analytics.response; document text
appears only inside dataframes."""


import numpy as np
import plotly.graph_objects as go
import streamlit as st

from analytics import coverage, response, timeliness
from analytics.filters import Filters
from analytics.settings import Settings
from dashboard import data, ui
from hindsight import theme

SEVERITIES = ["P1", "P2", "P3", "P4"]

label = ui.chart_label


def tiles(summary, waiting, cover, sla: int) -> None:
    cols = st.columns(4)
    cols[0].metric("Time to post-mortem", ui.num(summary["median"], " d") if summary["n"] else "–", border=True,
                   help="Median calendar days from the incident to its post-mortem, over the post-mortems written "
                        "by the as-of date.")
    cols[0].caption(f"median {ui.num(summary['median'], ' d')}, p90 {ui.num(summary['p90'], ' d')}, "
                    f"max {ui.num(summary['max'], ' d')}, n = {ui.num(summary['n'])}" if summary["n"]
                    else "n = 0 post-mortems written")
    cols[1].metric("Within the SLA", ui.pct(summary["within_sla_rate"]), border=True,
                   help=f"Post-mortems written within {sla} business days of the incident / post-mortems written.")
    cols[1].caption(f"{ui.num(summary['within_sla'])} within {sla} business days, n = {ui.num(summary['n'])}")
    overdue_waiting = int(waiting["overdue"].sum()) if not waiting.empty else 0
    cols[2].metric("Waiting for a post-mortem", ui.num(len(waiting)), border=True,
                   help="Incidents up to the as-of date with no post-mortem written yet.")
    cols[2].caption(f"{ui.num(overdue_waiting)} already past the SLA, n = {ui.num(len(waiting))} incidents")
    cols[3].metric("Coverage", ui.pct(cover["coverage_rate"]), border=True,
                   help="Incidents that required a post-mortem and have one / incidents that required one.")
    cols[3].caption(f"{ui.num(cover['covered'])} covered / n = {ui.num(cover['required'])} required "
                    f"(source: {'incidents list' if cover['source'] == 'incidents' else 'post-mortems'})")


def days_histogram(filters: Filters, summary, dist, sla: int) -> None:
    fig = go.Figure()
    for within, name, color in ((True, f"within {sla} business days", theme.LINE_STYLES[0][0]),
                                (False, "late", theme.LINE_STYLES[1][0])):
        part = dist.loc[dist["within_sla"] == within, "days"]
        fig.add_histogram(x=part, name=name, marker_color=color, xbins=dict(start=-0.5, size=1),
                          hovertemplate="%{x} days: %{y} post-mortems<extra>" + name + "</extra>")
    median = f"median {ui.num(summary['median'], ' d')} (n = {ui.num(summary['n'])})"
    for value, name, dash in ((summary["median"], median, "solid"),
                              (summary["p90"], f"p90 {ui.num(summary['p90'], ' d')}", "dash")):
        fig.add_vline(x=value, line=dict(color=theme.TEXT, dash=dash, width=1.5))
        fig.add_annotation(x=value, y=1, yref="paper", yanchor="bottom", showarrow=False, xanchor="left",
                           text=f" {name}")
    fig.update_layout(barmode="stack", bargap=0.1, xaxis_title="calendar days from the incident to the post-mortem",
                      yaxis=dict(title="post-mortems", tickformat=",d", rangemode="tozero"),
                      legend=dict(y=1.1, x=1, xanchor="right"))
    ui.chart(fig, "chart-days-histogram", height=340)
    st.caption(f"Median {ui.num(summary['median'], ' d')}, p90 {ui.num(summary['p90'], ' d')}, "
               f"n = {ui.num(summary['n'])} post-mortems written by {filters.as_of}. Colour: within the SLA of {sla} "
               "business days (weekends excluded), or late.")


def box_stats(values) -> dict:
    """A box plot's numbers, as a box drawn from the points shows them (quartiles interpolated linearly;
    whiskers to the furthest value within 1.5 times the box's height): q1, median, q3, lowerfence,
    upperfence, each in a one-item list (one box)."""
    q1, median, q3 = np.percentile(values, [25, 50, 75])
    reach = 1.5 * (q3 - q1)
    return {"q1": [q1], "median": [median], "q3": [q3], "lowerfence": [values[values >= q1 - reach].min()],
            "upperfence": [values[values <= q3 + reach].max()]}


def days_by_severity(filters: Filters, settings: Settings, dist) -> None:
    st.subheader("By severity")
    by_severity = data.query(timeliness.summary, filters, settings=settings, by="severity")
    labels = {v: label(v) for v in dist["severity"].drop_duplicates()}
    present = [v for v in SEVERITIES if v in labels] + sorted(
        {name for v, name in labels.items() if v not in SEVERITIES})
    n_of = {label(k): v for k, v in zip(by_severity["severity"], by_severity["n"])}  # the n under each box
    fig = go.Figure()
    shown = dist["severity"].map(labels)
    dots = len(dist) <= ui.POINTS_SHOWN  # one dot per post-mortem while they can be told apart
    for severity in present:  # one box per severity, in the Overview's colours
        days = dist["days"][shown == severity]
        style = dict(name=severity, line=dict(width=1.5, color=theme.severity_color(severity)))
        if dots:
            fig.add_box(x=[severity] * len(days), y=days, boxpoints="all", jitter=0.4, pointpos=0,
                        marker=dict(size=4, opacity=0.6, color=theme.severity_color(severity)),
                        hovertemplate="%{x}: %{y} days<extra></extra>", **style)
        else:  # the box's own numbers, not 100,000 points for the browser to place
            fig.add_box(x=[severity], **box_stats(days.to_numpy(dtype=float)), **style)
    fig.update_layout(showlegend=False,
                      xaxis=dict(type="category", categoryorder="array", categoryarray=present, tickmode="array",
                                 tickvals=present, ticktext=[f"{v}<br>n = {n_of.get(v, 0)}" for v in present],
                                 title="severity"),
                      yaxis_title="days to post-mortem")
    ui.chart(fig, "chart-days-severity", height=320)
    st.caption(("One dot per post-mortem; the box" if dots else
                f"The box (too many post-mortems for a dot each, more than {ui.num(ui.POINTS_SHOWN)})")
               + " spans the middle half, the line in it is the median. Median, p90 and n of each severity in the "
                 "table.")
    ui.table(by_severity.rename(columns={
        "severity": "Severity", "n": "n", "median": "Median (d)", "p90": "p90 (d)", "max": "Max (d)",
        "within_sla": "Within SLA", "within_sla_rate": "Within SLA rate", "small_sample": "Small sample"}),
        "Time to post-mortem by severity", key="dl-days-severity", percent=("Within SLA rate",))


def days_to_postmortem(filters: Filters, settings: Settings, summary) -> None:
    counts = data.query(timeliness.day_counts, filters, settings=settings)
    # one row per post-mortem, as the charts count and place them: each count's row n times
    dist = counts.take(np.repeat(np.arange(len(counts)), counts["n"])).reset_index(drop=True)
    if not ui.section("Days to post-mortem", dist,
                      "Nothing in this selection: no post-mortem written by the as-of date with both dates."):
        return
    days_histogram(filters, summary, dist, settings.postmortem_sla_business_days)
    days_by_severity(filters, settings, dist)


def waiting_list(filters: Filters, waiting, sla: int) -> None:
    st.header("Waiting for a post-mortem")
    ui.table(waiting[["incident_date", "severity", "team", "days_waiting", "business_days_waiting", "overdue",
                      "title", "postmortem_id"]].rename(columns={
        "postmortem_id": "Post-mortem", "title": "Incident", "team": "Team", "severity": "Severity",
        "incident_date": "Incident date", "days_waiting": "Days waiting", "business_days_waiting": "Business days",
        "overdue": "Past the SLA"}),
        "Incidents waiting for their post-mortem", key="dl-waiting",
        empty="Nothing in this selection: no incident is waiting for its post-mortem.",
        column_config={"Incident date": st.column_config.DateColumn(format="YYYY-MM-DD")})
    if not waiting.empty:
        st.caption(f"n = {ui.num(len(waiting))} incidents with no post-mortem written by {filters.as_of}, the "
                   f"longest waiting first; past the SLA when more than {sla} business days have gone by.")


def coverage_section(filters: Filters, settings: Settings, cover) -> None:
    st.header("Coverage")
    if cover["source"] == "incidents":
        st.caption(f"Required: P1s, P2s longer than {settings.coverage_p2_minutes:g} minutes, incidents with "
                   f"customer impact and recurring incidents; {ui.num(cover['required'])} in this selection, "
                   f"{ui.num(cover['covered'])} with a post-mortem, {ui.num(cover['missing'])} without. "
                   f"{ui.num(cover['recommended'])} near misses are recommended, not required. Source: the incidents "
                   "list.")
    else:
        st.caption(f"No incidents list is loaded: coverage is measured on the post-mortems themselves, which all "
                   f"have one, so it is 100% by definition and only the required count ({ui.num(cover['required'])}) "
                   "says something. Load an incidents CSV to see the incidents without a post-mortem.")
    missing = data.query(coverage.missing, filters, settings=settings)
    missing = missing.assign(postmortem_id=missing["postmortem_id"].map(lambda v: "missing" if ui.cell(v) == "–"
                                                                          else v))
    ui.table(missing[["incident_id", "severity", "started_at", "minutes", "customer_impact", "reasons",
                      "postmortem_id"]].rename(columns={
        "incident_id": "Incident", "severity": "Severity", "started_at": "Started", "minutes": "Minutes",
        "customer_impact": "Customer impact", "reasons": "Required because", "required": "Required",
        "has_postmortem": "Has post-mortem", "postmortem_id": "Post-mortem id", "source": "Source"}),
        "Incidents missing a post-mortem", key="dl-missing",
        empty="Nothing in this selection: no incident that required a post-mortem lacks one.",
        column_config={"Started": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
                       "Required because": st.column_config.ListColumn()})


def response_times(filters: Filters, settings: Settings) -> None:
    times = data.query(response.distributions, filters, settings=settings, by="severity")
    if not ui.section("Response times", times, "Nothing in this selection: no post-mortem gives a response time."):
        return
    fig = go.Figure()
    groups = times["group"].drop_duplicates().tolist()
    for group in [g for g in SEVERITIES if g in groups] + [g for g in groups if g not in SEVERITIES]:
        part = times[times["group"].eq(group) if group == group else times["group"].isna()]
        fig.add_bar(x=part["metric"], y=part["median"], name=label(group), customdata=part[["p90", "n"]],
                    marker_color=theme.severity_color(group),
                    hovertemplate=f"{label(group)} %{{x}}: median %{{y:.0f}} min, p90 %{{customdata[0]:.0f}} min, "
                                  "n = %{customdata[1]}<extra></extra>")
    fig.update_layout(barmode="group", xaxis=dict(type="category", title="time to"),
                      yaxis=dict(title="median minutes from the start", rangemode="tozero"))
    ui.chart(fig, "chart-response", height=320)
    st.caption("Median minutes from the incident's start to its detection, acknowledgement, mitigation and "
               "resolution, by severity (hover a bar for its p90 and n; all in the table). Each metric counts the "
               "post-mortems that give it, so the n differ.")
    ui.table(times.rename(columns={"metric": "Time to", "group": "Severity", "n": "n", "median": "Median (min)",
                                   "p90": "p90 (min)", "max": "Max (min)"}),
             "Response times by severity", key="dl-response")


filters = st.session_state["filters"]
settings = data.current_settings()
sla = settings.postmortem_sla_business_days
st.title("Time to post-mortem and coverage")
st.caption(f"As of {filters.as_of}. The monthly post-mortem review: how long post-mortems take to be written, which "
           f"are still awaited, and whether every incident that needs one has one. SLA: {sla} business days "
           "from the incident.")
summary = data.query(timeliness.summary, filters, settings=settings).iloc[0]
waiting = data.query(timeliness.waiting, filters, settings=settings)
cover = data.query(coverage.summary, filters, settings=settings).iloc[0]
tiles(summary, waiting, cover, sla)
days_to_postmortem(filters, settings, summary)
waiting_list(filters, waiting, sla)
coverage_section(filters, settings, cover)
response_times(filters, settings)
