"""Post-mortems: a searchable table of the post-mortems the filters keep, and the detail of one of them
(picked in the table, linked from another page, or named by the `pm` query parameter).

Every value comes from analytics.catalog. Document text (title, summary, root cause, timeline events,
whys, actions, lessons) is shown with st.text or inside dataframes only, never as Markdown or HTML; on the
timeline chart it appears only in the hover, escaped (Plotly reads a subset of HTML there)."""

import html

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics import catalog, completeness
from analytics.filters import Filters
from dashboard import data, ui
from hindsight import theme

TABLE_KEY = "pm-table"
MARKS = [("started_at", "start"), ("detected_at", "detect"), ("acknowledged_at", "acknowledge"),
         ("mitigated_at", "mitigate"), ("resolved_at", "resolve")]
KIND_ORDER = ["start", "detect", "acknowledge", "identify", "mitigate", "resolve"]
SMALL = st.column_config.NumberColumn(width="small")
KIND_COLORS = theme.TIMELINE_COLORS
LEARNINGS = [("lesson", "Lessons learned"), ("went_well", "What went well"), ("to_improve", "What can be improved")]


def _text(value) -> str | None:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _fact(value) -> str:
    """One value of the facts block as plain text; dates without their midnight."""
    if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)):
        return "–"
    if isinstance(value, pd.Timestamp) and value == value.normalize():
        return value.strftime("%Y-%m-%d")
    return str(value)


def _number(value) -> float | None:
    """A nullable database number as a float, None when missing (pd.NA is not a float)."""
    return None if value is None or pd.isna(value) else float(value)


def _on_select() -> None:
    """A row picked in the table opens its post-mortem; clearing the selection closes it."""
    rows = st.session_state[TABLE_KEY]["selection"]["rows"]
    ids = st.session_state.get("_pm_table_ids") or []
    if rows and rows[0] < len(ids):
        st.session_state["pm_open"] = ids[rows[0]]
        st.query_params["pm"] = ids[rows[0]]
    else:
        st.session_state.pop("pm_open", None)
        st.query_params.pop("pm", None)


COLUMNS = {"postmortem_id": "Id", "incident_date": "Incident date", "title": "Title", "team": "Team",
           "service": "Service", "severity": "Severity", "primary_cause_category": "Cause category",
           "minutes_to_resolve": "Minutes to resolve", "days_to_postmortem": "Days to post-mortem",
           "postmortem_date": "Post-mortem date", "actions": "Actions", "open_actions": "Open actions",
           "language": "Language", "source_format": "Format"}
CONFIG = {"Incident date": st.column_config.DateColumn(format="YYYY-MM-DD"),
          "Post-mortem date": st.column_config.DateColumn(format="YYYY-MM-DD"),
          "Title": st.column_config.TextColumn(width="large")}


def listing_section(filters: Filters) -> None:
    search = st.text_input("Search", key="pm-search", placeholder="a word of the id, title, summary or root cause")
    # the first rows only, in the list's order: 100,000 rows are not read, and the browser would get them all
    listing = data.query(catalog.postmortems, filters, search=search, limit=ui.ROWS_SHOWN)
    total = data.query(catalog.postmortem_count, filters, search=search)
    st.subheader("Post-mortems")
    if listing.empty:
        st.caption("Nothing in this selection: no post-mortem matches these filters and this search."
                   if search.strip() else "Nothing in this selection: no post-mortem matches these filters.")
        return
    st.session_state["_pm_table_ids"] = listing["postmortem_id"].tolist()
    shown, config = ui.without_nulls(listing.rename(columns=COLUMNS), CONFIG)
    st.dataframe(shown, hide_index=True, key=TABLE_KEY, on_select=_on_select, selection_mode="single-row",
                 height=380 if len(shown) > 10 else "auto", column_config=config)

    def whole_list() -> str:  # written when the button is pressed
        every = catalog.postmortems(data.connection(), filters, search)
        return ui.without_nulls(every.rename(columns=COLUMNS), CONFIG)[0].to_csv(index=False)

    st.download_button("Download CSV", whole_list if total > len(listing) else shown.to_csv(index=False).encode(
        "utf-8"), file_name="post-mortems.csv", mime="text/csv", key="dl-postmortems", on_click="ignore")
    shown_part = f"the first {ui.num(len(listing))} shown (the CSV has every one)" if total > len(listing) else ""
    st.caption(f"n = {ui.num(total)} post-mortems" + (" match the search" if search.strip() else "")
               + ", newest incident first" + (f"; {shown_part}." if shown_part else "."))


def facts_section(postmortem) -> None:
    st.text(_text(postmortem["title"]) or "(no title)")
    facts = [("Id", postmortem["postmortem_id"]), ("Incident", postmortem["incident_date"]),
             ("Post-mortem", postmortem["postmortem_date"]), ("Severity", postmortem["severity"]),
             ("Team", postmortem["team"]), ("Service", postmortem["service"]),
             ("Primary cause", postmortem["primary_cause_category"]), ("Author", postmortem["author"]),
             ("Language", postmortem["language"]),
             ("Source file", completeness.relative_sources(pd.Series([postmortem["source_path"]])).iloc[0])]
    st.text("\n".join(f"{name}: {_fact(v)}" for name, v in facts))
    left, right = st.columns(2)
    with left:
        st.subheader("Summary")
        st.text(_text(postmortem["summary"]) or "–")
    with right:
        st.subheader("Root cause")
        st.text(_text(postmortem["root_cause"]) or "–")


def impact_and_response(postmortem) -> None:
    st.subheader("Impact and response")
    impact = st.columns(4)
    impact[0].metric("Users affected", ui.num(_number(postmortem["users_affected"])), border=True)
    impact[1].metric("Failed requests", ui.num(_number(postmortem["failed_requests"])), border=True)
    impact[2].metric("Lost transactions", ui.num(_number(postmortem["lost_transactions"])), border=True)
    currency = postmortem.get("cost_currency")
    impact[3].metric("Estimated cost", ui.num(_number(postmortem["estimated_cost"]),
                                              f" {currency}" if isinstance(currency, str) else ""), border=True)
    for col, (column, name) in zip(st.columns(4), [("minutes_to_detect", "Time to detect"),
                                                  ("minutes_to_acknowledge", "Time to acknowledge"),
                                                  ("minutes_to_mitigate", "Time to mitigate"),
                                                  ("minutes_to_resolve", "Time to resolve")]):
        col.metric(name, ui.minutes(_number(postmortem[column])), border=True,
                   help="Minutes from the start of the incident.")
    st.caption("This post-mortem's own figures, as written (– when not given). Times are from the incident's start.")


def timeline_section(postmortem, timeline) -> None:
    st.subheader("Timeline")
    marks = [(name, postmortem[column]) for column, name in MARKS if not pd.isna(postmortem[column])]
    dated = timeline[timeline["occurred_at"].notna()] if not timeline.empty else timeline
    if dated.empty and not marks:
        st.caption("No dated timeline event and no start or resolution time in this post-mortem.")
    else:
        timeline_chart(dated, marks)
        undated = len(timeline) - len(dated)
        st.caption("Dotted lines: the start, detection, acknowledgement, mitigation and resolution times the "
                   "post-mortem gives. Hover a point for its event." +
                   (f" {undated} event(s) without a time are in the table only." if undated else ""))
    timeline = timeline.assign(kind=timeline["kind"].map(ui.cell)) if not timeline.empty else timeline
    ui.table(timeline.rename(columns={"position": "#", "occurred_at": "At", "kind": "Kind", "event": "Event"}),
             "Timeline events", key="dl-pm-timeline", empty="No timeline in this post-mortem.",
             column_config={"#": SMALL, "At": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")})


def timeline_chart(dated, marks) -> None:
    fig = go.Figure()
    kinds = dated["kind"].where(dated["kind"].notna(), "other") if not dated.empty else pd.Series(dtype=str)
    present = [k for k in KIND_ORDER if k in set(kinds)] + sorted(set(kinds) - set(KIND_ORDER) - {"other"}) \
        + (["other"] if "other" in set(kinds) else [])
    for kind in present:
        part = dated[kinds == kind]
        fig.add_scatter(
            x=part["occurred_at"], y=[ui.chart_label(kind)] * len(part), mode="markers", name=ui.chart_label(kind),
            marker=dict(size=12, color=KIND_COLORS.get(kind, KIND_COLORS["other"])),
            customdata=[[html.escape(str(e))] for e in part["event"].fillna("")],
            hovertemplate="%{x|%Y-%m-%d %H:%M}<br>%{customdata[0]}<extra></extra>")
    for name, at in marks:
        fig.add_shape(type="line", x0=at, x1=at, y0=0, y1=1, yref="paper",
                      line=dict(color=KIND_COLORS.get(name, "#444"), width=1, dash="dot"))
        fig.add_annotation(x=at, y=1, yref="paper", yanchor="bottom", text=name, showarrow=False, textangle=-30,
                           font=dict(size=11, color=KIND_COLORS.get(name, "#444")))
    fig.update_layout(yaxis=dict(type="category", title="event kind", categoryorder="array",
                                 categoryarray=[ui.chart_label(k) for k in present], autorange="reversed"),
                      xaxis=dict(title="time"), showlegend=False, margin=dict(t=60))
    ui.chart(fig, "chart-pm-timeline", height=260 + 22 * len(present))


def causes_whys_actions(detail) -> None:
    ui.table(detail["causes"].rename(columns={"position": "#", "category": "Category", "is_primary": "Primary",
                                              "raw": "As written"}),
             "Causes", key="dl-pm-causes", empty="No cause given.", column_config={"#": SMALL})
    ui.table(detail["whys"].rename(columns={"position": "#", "question": "Why?", "answer": "Because"}),
             "5 whys", key="dl-pm-whys", empty="No 5 whys in this post-mortem.", column_config={"#": SMALL})
    acts = detail["actions"]
    if not acts.empty:  # words and dates as text: a missing one is a dash, never None
        acts = acts.assign(**{c: acts[c].map(ui.word) for c in ("priority", "status")},
                           **{c: acts[c].map(ui.cell) for c in ("owner", "ticket")},
                           **{c: acts[c].map(ui.day) for c in ("due_date", "completed_at", "blocked_since")})
    ui.table(acts.rename(columns={
        "position": "#", "description": "Action", "owner": "Owner", "due_date": "Due", "priority": "Priority",
        "status": "Status", "ticket": "Ticket", "completed_at": "Completed", "blocked_since": "Blocked since"}),
        "Actions", key="dl-pm-actions", empty="No corrective action in this post-mortem.",
        column_config={"#": SMALL})


def learnings_and_history(detail) -> None:
    learnings = detail["learnings"]
    for col, (kind, name) in zip(st.columns(len(LEARNINGS)), LEARNINGS):
        with col:
            st.subheader(name)
            lines = learnings.loc[learnings["kind"] == kind, "text"].tolist() if not learnings.empty else []
            if lines:
                st.text("\n".join(f"• {line}" for line in lines))
            else:
                st.caption("Nothing written.")
    history = detail["history"]
    history = history.assign(status=history["status"].map(ui.word)) if not history.empty else history
    ui.table(history.rename(columns={"action_id": "Action id", "status": "Status",
                                               "observed_at": "Observed", "source": "Source"}),
             "Action status history", key="dl-pm-history", empty="No status history for its actions.",
             column_config={"Observed": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")})


filters = st.session_state["filters"]
st.title("Post-mortems")
st.caption(f"As of {filters.as_of}. For engineers: find a post-mortem and read it. Search matches the id, title, "
           "summary and root cause; pick a row to open its detail below.")
listing_section(filters)
chosen = _text(st.query_params.get("pm")) or st.session_state.get("pm_open")
if not chosen:
    st.caption("Pick a row in the table to open its post-mortem.")
    st.stop()
detail = data.query(catalog.detail, chosen)
st.header("Post-mortem")
if detail["postmortem"].empty:
    st.caption("No post-mortem with this id in the database (it may have been removed by a later import).")
    st.stop()
postmortem = detail["postmortem"].iloc[0]
facts_section(postmortem)
impact_and_response(postmortem)
timeline_section(postmortem, detail["timeline"])
causes_whys_actions(detail)
learnings_and_history(detail)
