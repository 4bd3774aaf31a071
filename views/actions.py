"""Actions: the weekly actions review. Completion and on-time rates, time to close (Kaplan–Meier),
cohort completion, the overdue and blocked lists, and the open actions in the template's tracker form.

Every number comes from analytics.actions; document text (titles, descriptions, owners) appears only
inside dataframes and the plain-text tracker block."""


import plotly.graph_objects as go
import streamlit as st

from analytics import actions
from analytics.filters import Filters
from analytics.settings import Settings
from dashboard import data, ui
from hindsight import review, theme

RATE_COLUMNS = {"actions": "Actions", "done": "Done", "completion_rate": "Completion rate", "due": "Due",
                "on_time": "On time", "on_time_rate": "On-time rate", "overdue": "Overdue", "blocked": "Blocked"}
RATE_PERCENT = ("Completion rate", "On-time rate")
ON_TIME, COMPLETED = theme.LINE_STYLES[0][0], theme.LINE_STYLES[1][0]

label = ui.chart_label


def tiles(summary) -> None:
    cols = st.columns(4)
    cols[0].metric("Completion rate", ui.pct(summary["completion_rate"]), border=True,
                   help="Actions done by the as-of date / all actions (cancelled ones left out).")
    cols[0].caption(f"{ui.num(summary['done'])} done, n = {ui.num(summary['actions'])} actions")
    cols[1].metric("Closed on time", ui.pct(summary["on_time_rate"]), border=True,
                   help="Actions done by their due date / actions due by the as-of date. Actions with no due "
                        "date, or not due yet, are not in the denominator.")
    cols[1].caption(f"{ui.num(summary['on_time'])} on time, n = {ui.num(summary['due'])} actions due")
    cols[2].metric("Overdue", ui.num(summary["overdue"]), border=True,
                   help="Open actions whose due date is before the as-of date.")
    cols[2].caption(f"open past their due date, n = {ui.num(summary['actions'])} actions")
    cols[3].metric("Blocked", ui.num(summary["blocked"]), border=True, help="Actions whose current status is blocked.")
    cols[3].caption(f"status blocked, n = {ui.num(summary['actions'])} actions")


def rates_chart(df, by: str, key: str) -> None:
    """Completion and on-time rates per group, horizontal bars, n in the hover."""
    df = df.iloc[::-1]  # largest group on top
    names = [label(v) for v in df[by]]
    fig = go.Figure()
    # Horizontal grouped bars are drawn bottom-up: on-time first puts completion on top of each pair.
    fig.add_bar(y=names, x=df["on_time_rate"], orientation="h", name="on-time rate", marker_color=ON_TIME,
                customdata=df[["on_time", "due"]], text=[ui.pct(v) for v in df["on_time_rate"]],
                hovertemplate="%{y}: %{x:.0%} on time (%{customdata[0]} of n = %{customdata[1]} due)<extra></extra>")
    fig.add_bar(y=names, x=df["completion_rate"], orientation="h", name="completion rate", marker_color=COMPLETED,
                customdata=df[["done", "actions"]], text=[ui.pct(v) for v in df["completion_rate"]],
                hovertemplate="%{y}: %{x:.0%} completed (%{customdata[0]} of n = %{customdata[1]})<extra></extra>")
    fig.update_traces(textposition="inside", insidetextanchor="end")
    fig.update_layout(barmode="group", xaxis=dict(theme.share_axis(), title="share of the group's actions"),
                      yaxis=dict(type="category"), legend=dict(traceorder="reversed"))
    ui.chart(fig, key, height=130 + 46 * len(df))


def rates(by_team, by_priority) -> None:
    st.header("Completion and on-time rates")
    by_priority = actions.in_priority_order(by_priority)
    by_priority = by_priority.assign(priority=by_priority["priority"].map(ui.word))
    left, right = st.columns(2)
    with left:
        st.subheader("By team")
        rates_chart(by_team.head(ui.BARS_SHOWN), "team", "chart-rates-team")  # the teams with the most actions
        if len(by_team) > ui.BARS_SHOWN:
            st.caption(f"The {ui.BARS_SHOWN} teams with the most actions of {ui.num(len(by_team))} are drawn; "
                       "the table below has every team.")
    with right:
        st.subheader("By priority")
        rates_chart(by_priority, "priority", "chart-rates-priority")
    st.caption("Completion rate: n = the group's actions; on-time rate: n = its actions due by the as-of date "
               "(hover a bar, or see the tables).")
    ui.table(by_team.rename(columns={"team": "Team", **RATE_COLUMNS}), "Rates by team", key="dl-rates-team",
             percent=RATE_PERCENT)
    ui.table(by_priority.rename(columns={"priority": "Priority", **RATE_COLUMNS}), "Rates by priority",
             key="dl-rates-priority", percent=RATE_PERCENT)


def time_to_close(filters: Filters) -> None:
    km = data.query(actions.time_to_close, filters)
    if not ui.section("Time to close (Kaplan–Meier)", km,
                      "Nothing in this selection: no action with a known opening and closing date."):
        return
    cap = actions.observed_quantile(km, 0.95)
    whole = st.toggle("Show the whole tail", key="km-tail",
                      help=f"The axis stops at day {cap:.0f}, by which 95% of the closed actions had closed; "
                           f"after it the curve hardly moves. The last open ones run to day {km['days'].max():.0f}.")
    color, _, _ = theme.LINE_STYLES[0]
    fig = go.Figure()
    fig.add_scatter(x=km["days"], y=km["closed_share"], mode="lines", line_shape="hv", name="closed share",
                    line=dict(color=color), customdata=km[["at_risk", "closed"]],
                    hovertemplate="day %{x:.0f}: %{y:.0%} closed<br>%{customdata[0]} still at risk, "
                                  "%{customdata[1]} closed that day<extra></extra>")
    end = None if whole or cap <= 0 else cap * 1.03
    # the ticks the axis shows: at 100k post-mortems 3,169 days have one, 44 of them before the axis ends, and
    # the browser drew every one (a shape each) on every visit
    marks = km[(km["censored"] > 0) & (km["days"] <= (km["days"].max() if end is None else end))]
    fig.add_scatter(x=marks["days"], y=marks["closed_share"], mode="markers", name="open (censored)",
                    marker=dict(symbol="line-ns-open", size=9, color="#888888"), customdata=marks["censored"],
                    hovertemplate="day %{x:.0f}: %{customdata} open action(s) censored<extra></extra>")
    fig.update_layout(xaxis=dict(title="days since the post-mortem", rangemode="tozero",
                                 range=None if end is None else [0, end]),
                      yaxis=dict(theme.share_axis(), title="share closed"))
    ui.chart(fig, "chart-km", height=340)
    # the curve's first row holds every action at risk; its censored ones are the actions still open
    st.caption(f"n = {ui.num(int(km['at_risk'].iloc[0]))} actions, of which {ui.num(int(km['censored'].sum()))} "
               f"still open on {filters.as_of}. Open actions are censored on the as-of date (grey ticks), not "
               "dropped: they count as not closed yet after that many days. Cancelled actions and done ones with "
               "no known completion date are left out.")


def cohort_completion(filters: Filters, settings: Settings) -> None:
    cohorts = data.query(actions.cohort_completion, filters, settings=settings)
    if not ui.section("Cohort completion", cohorts, "Nothing in this selection: no action of a dated incident."):
        return
    windows = [f"{days}d" for days in settings.cohort_days]  # the columns done_30d, n_30d, ...
    fig = go.Figure()
    for i, window in enumerate(windows):
        fig.add_bar(x=cohorts["quarter"], y=cohorts[f"done_{window}"], name=f"done within {window[:-1]} days",
                    marker_color=theme.LINE_STYLES[i % len(theme.LINE_STYLES)][0], customdata=cohorts[[f"n_{window}"]],
                    hovertemplate=f"%{{x}}: %{{y:.0%}} done within {window[:-1]} days "
                                  f"(n = %{{customdata[0]}})<extra></extra>")
    fig.update_layout(barmode="group", xaxis=dict(type="category", title="quarter of the incidents"),
                      yaxis=dict(theme.share_axis(), title="share of their actions done"))
    ui.chart(fig, "chart-cohorts", height=340)
    st.caption("For each quarter's incidents, the share of their actions done within N days of the incident. "
               "An N-day share counts only the actions whose N days have passed by the as-of date (n 30d, ...): "
               "\"not yet due\" when none has had the time yet.")
    names = {"quarter": "Quarter", "actions": "Actions", "partial": "Partial"}
    shown = cohorts.copy()
    for window in windows:
        names[f"n_{window}"] = f"n {window}"
        names[f"done_{window}"] = f"Done within {window}"
        shown[f"done_{window}"] = [ui.pct(v) if n else "not yet due"
                                   for v, n in zip(shown[f"done_{window}"], shown[f"n_{window}"])]
    shown["partial"] = shown["partial"].map({True: "yes", False: ""})
    ui.table(shown.rename(columns=names), "Cohort completion by quarter", key="dl-cohorts")


OVERDUE_COLUMNS = {"owner": "Owner", "description": "Action", "priority": "Priority", "status": "Status",
                   "due_date": "Due", "days_overdue": "Days overdue", "team": "Team", "service": "Service",
                   "postmortem_id": "Post-mortem", "title": "Incident", "action_id": "Action id"}


def overdue_shown(overdue):
    return overdue.assign(status=overdue["status"].map(ui.word), priority=overdue["priority"].map(ui.word))[
        list(OVERDUE_COLUMNS)].rename(columns=OVERDUE_COLUMNS)


def overdue_and_blocked(filters: Filters, settings: Settings, count: int) -> None:
    """``count``: the overdue actions (the summary's); only the first of them are fetched."""
    st.header("Overdue and blocked")
    overdue = data.query(actions.overdue, filters, limit=ui.ROWS_SHOWN)
    ui.table(overdue_shown(overdue), "Overdue actions", key="dl-overdue",
             empty="Nothing in this selection: no action is overdue.", total=count,
             every=lambda: overdue_shown(actions.overdue(data.connection(), filters)),
             column_config={"Due": st.column_config.DateColumn(format="YYYY-MM-DD")})
    if not overdue.empty:
        st.caption(f"n = {ui.num(count)} open actions past their due date, the longest overdue first.")
    blocked = data.query(actions.blocked, filters)
    blocked = blocked.assign(priority=blocked["priority"].map(ui.word))
    ui.table(blocked[["owner", "description", "priority", "blocked_since", "days_blocked", "due_date", "team",
                      "service", "postmortem_id", "title", "action_id"]].rename(columns={
                          "owner": "Owner", "description": "Action", "priority": "Priority",
                          "blocked_since": "Blocked since", "days_blocked": "Days blocked", "due_date": "Due",
                          "team": "Team", "service": "Service", "postmortem_id": "Post-mortem", "title": "Incident",
                          "action_id": "Action id"}),
             "Blocked actions", key="dl-blocked", empty="Nothing in this selection: no action is blocked.",
             column_config={"Due": st.column_config.DateColumn(format="YYYY-MM-DD"),
                            "Blocked since": st.column_config.DateColumn(format="YYYY-MM-DD")})
    if not blocked.empty:
        st.caption(f"n = {ui.num(len(blocked))} blocked actions, blocked the longest first. Blocked for more than "
                   f"{settings.blocked_days} days is escalated to management (Escalations page).")


def tracker(filters: Filters, count: int) -> None:
    """``count``: the open actions (actions.open_count); only the first of them are fetched."""
    shown = data.query(actions.open_actions, filters, limit=ui.ROWS_SHOWN)
    if not ui.section("Tracker for the review", shown, "Nothing in this selection: no open action."):
        return

    def markdown(rows) -> str:  # missing cells as None, so the tracker shows "-" for them rather than "nan"
        return review.tracker_markdown(rows.astype(object).where(rows.notna(), None), filters.as_of)

    text = markdown(shown)
    whole = len(shown) == count
    st.caption(f"The n = {ui.num(count)} open actions in the template's "
               "\"Actions Post-Mortem Tracker\" form, grouped by incident: download it, or copy it from the box"
               + ("." if whole else f" (the first {ui.num(len(shown))} of them; the download has every one)."))
    # the whole tracker is written when the button is pressed: at 100k post-mortems it is 8 MB of text
    st.download_button("Download the tracker (Markdown)", text.encode("utf-8") if whole else lambda: markdown(
        actions.open_actions(data.connection(), filters)), file_name="hindsight-tracker.md", mime="text/markdown",
        key="dl-tracker")
    # plain text: highlighted as Markdown, the first 1,000 open actions were ~95,000 elements for the browser to
    # build (5-11 s of its time at every visit of the page at 100k post-mortems); plain, ~5,000
    st.code(text, language=None, height=420)


filters = st.session_state["filters"]
settings = data.current_settings()
st.title("Actions")
st.caption(f"As of {filters.as_of}. The weekly actions review: what got done, what is late, what is stuck. "
           "Cancelled actions are left out of every rate.")
summary, rates_by = data.query(actions.summary_and_rates, filters, by=("team", "priority"))
if summary.empty or not summary.iloc[0]["actions"]:
    st.caption("Nothing in this selection: no corrective action (cancelled ones aside) on these post-mortems.")
    st.stop()
tiles(summary.iloc[0])
rates(rates_by["team"], rates_by["priority"])
time_to_close(filters)
cohort_completion(filters, settings)
overdue_and_blocked(filters, settings, int(summary.iloc[0]["overdue"]))
tracker(filters, actions.open_count(summary))
