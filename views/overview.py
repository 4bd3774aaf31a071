"""Overview: the template's four effectiveness metrics, incidents per month, data completeness."""

import plotly.graph_objects as go
import streamlit as st

from analytics import catalog, completeness, overview, quarters
from analytics.filters import Filters
from analytics.render import change_text, quarter_label
from analytics.settings import Settings
from dashboard import data, ui
from hindsight import theme

# Tile titles that fit a quarter of the page at 1400 px; the full name is the first line of the help.
SHORT = {"time_to_postmortem": "Time to post-mortem"}
FIELDS = {"team": "Team", "severity": "Severity", "primary_cause_category": "Primary cause category",
          "detection": "Detection time", "actions": "Corrective actions", "postmortem_date": "Post-mortem date"}


def pick_quarter(filters: Filters, settings: Settings) -> str:
    """The last complete quarter by default; the one in progress can be looked at, marked partial."""
    fiscal = settings.fiscal_year_start_month
    choices = quarters.review_choices(filters.as_of, fiscal)
    return st.radio("Quarter", choices, horizontal=True, key="overview-quarter",
                    format_func=lambda q: quarter_label(q, quarters.is_partial(q, filters.as_of, fiscal))
                    + ("" if q != choices[0] else ", last complete"))


def effectiveness_tiles(filters: Filters, settings: Settings, quarter: str) -> None:
    tiles = data.query(overview.effectiveness, filters, settings=settings, quarter=quarter)
    first = tiles.iloc[0]
    st.caption(f"As of {filters.as_of}: the template's four effectiveness metrics for "
               f"{quarter_label(first['quarter'], first['partial'])}"
               + (f" so far (up to {filters.as_of}; it is not over)" if first["partial"] else "")
               + f", each with its n and the change from {first['previous_quarter']}. Both quarters are measured "
               f"as of {filters.as_of}; a rate's change is in percentage points (pp). A change on fewer than "
               f"{settings.small_sample} is marked small sample: too few to read a trend from.")
    for col, tile in zip(st.columns(4), tiles.itertuples(index=False)):
        effectiveness_tile(col, tile)


def effectiveness_tile(col, tile) -> None:
    value = ui.pct(tile.value) if tile.unit == "share" else ui.num(tile.value, " d")
    delta = change_text(tile.change, tile.change_unit) or None
    vs = f"vs {tile.previous_quarter}"
    label = SHORT.get(tile.key, tile.metric)
    help_text = f"{tile.metric}: {tile.definition}"
    if delta and (tile.small_sample or ui.no_change(delta)):
        # no red or green and no arrow: a small sample's change is shown, not signalled; no change is neither
        col.metric(label, value, delta, delta_color="off", delta_arrow="off", help=help_text, border=True,
                   height=150, delta_description=f"{vs} · small sample (n = {tile.n} and {tile.previous_n})"
                   if tile.small_sample else f"{vs} · no change")
    else:
        col.metric(label, value, delta, delta_color="inverse" if tile.lower_is_better else "normal",
                   help=help_text, border=True, height=150, delta_description=vs if delta else None)
    median = " (the median of their days)" if tile.key == "time_to_postmortem" else ""
    if tile.key == "dissemination":
        col.caption(f"n = {tile.n} of {int(tile.n_total)} post-mortems (the others have no reader data or no "
                    "team member list)")
    else:
        col.caption(f"n = {tile.n}{median}")


def incidents_per_month(filters: Filters) -> None:
    monthly = data.query(catalog.incidents_per_month, filters)
    st.subheader("Incidents per month by severity")
    if monthly.empty:
        st.caption("No incident in this selection.")
        return
    fig = go.Figure()
    for severity in [s for s in theme.SEVERITY_COLORS if s in set(monthly["severity"])]:
        part = monthly[monthly["severity"] == severity]
        fig.add_bar(x=part["month"], y=part["incidents"], name=severity, marker_color=theme.severity_color(severity),
                    hovertemplate="%{x|%b %Y}: %{y} " + severity + " incidents<extra></extra>")
    totals = monthly.groupby("month")["incidents"].sum()
    fig.update_layout(barmode="stack", xaxis=dict(tickformat="%b %Y", title="incident month"),
                      yaxis=dict(title="incidents", **theme.count_axis(totals.max())))
    partial = monthly.loc[monthly["partial"].astype(bool), "month"].drop_duplicates()
    for month in partial:
        fig.add_annotation(x=month, y=totals[month], yanchor="bottom", showarrow=False, text="so far")
    ui.chart(fig, "chart-monthly", height=340)
    if len(partial):
        st.caption(f"{partial.iloc[-1]:%b %Y} is not over on {filters.as_of}: its bar counts the incidents so far.")
    shown = monthly.drop(columns="partial").rename(columns={"month": "Month", "severity": "Severity",
                                                            "incidents": "Incidents"})
    ui.table(shown, "Incidents per month (data)", key="dl-monthly",
             column_config={"Month": st.column_config.DateColumn(format="MMM YYYY")})


def data_completeness(filters: Filters) -> None:
    st.subheader("Data completeness")
    summary, worst = data.query(completeness.report, filters)  # one query for both tables
    ui.table(summary.assign(field=summary["field"].map(FIELDS)).rename(columns={
        "field": "Field", "postmortems": "Post-mortems", "missing": "Missing", "missing_share": "Missing share"}),
        "Missing fields", key="dl-completeness", percent=("Missing share",))
    worst = worst.assign(source_path=completeness.relative_sources(worst["source_path"]),
                         missing=[", ".join(FIELDS.get(f, f) for f in fields) for fields in worst["missing"]])
    ui.table(worst.rename(columns={"source_path": "File", "postmortems": "Post-mortems",
                                   "missing_fields": "Fields missing", "missing": "Which",
                                   "missing_values": "Missing values"}),
             "Files missing the most", key="dl-worst")


filters = st.session_state["filters"]
settings = data.current_settings()
st.title("Overview")
effectiveness_tiles(filters, settings, pick_quarter(filters, settings))
incidents_per_month(filters)
data_completeness(filters)
