"""Overview: the template's four effectiveness metrics, incidents per month, data completeness."""

import plotly.express as px
import streamlit as st

from analytics import catalog, completeness, overview, quarters
from analytics.filters import Filters
from analytics.render import change_text, quarter_label
from analytics.settings import Settings
from dashboard import data, ui


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
    if delta and tile.small_sample:
        # no red or green and no arrow: the change is shown, not signalled
        col.metric(tile.metric, value, delta, delta_color="off", delta_arrow="off", help=tile.definition,
                   border=True, height=150,
                   delta_description=f"{vs} · small sample (n = {tile.n} and {tile.previous_n})")
    else:
        col.metric(tile.metric, value, delta, delta_color="inverse" if tile.lower_is_better else "normal",
                   help=tile.definition, border=True, height=150, delta_description=vs if delta else None)
    if tile.key == "dissemination":
        col.caption(f"n = {tile.n} of {int(tile.n_total)} post-mortems (the others have no reader data or no "
                    "team member list)")
    else:
        col.caption(f"n = {tile.n}")


def incidents_per_month(filters: Filters) -> None:
    monthly = data.query(catalog.incidents_per_month, filters)
    st.subheader("Incidents per month by severity")
    if monthly.empty:
        st.caption("No incident in this selection.")
        return
    fig = px.bar(monthly, x="month", y="incidents", color="severity", color_discrete_map=ui.SEVERITY_COLORS,
                 category_orders={"severity": ui.SEVERITY_ORDER})
    fig.update_layout(height=340, margin=dict(t=10, b=10), legend_title_text="")
    st.plotly_chart(fig, config={"displayModeBar": False})
    ui.table(monthly, "Incidents per month (data)", key="dl-monthly")


def data_completeness(filters: Filters) -> None:
    st.subheader("Data completeness")
    ui.table(data.query(completeness.summary, filters), "Missing fields", key="dl-completeness")
    ui.table(data.query(completeness.worst_files, filters), "Files missing the most", key="dl-worst")


filters = st.session_state["filters"]
settings = data.current_settings()
st.title("Overview")
effectiveness_tiles(filters, settings, pick_quarter(filters, settings))
incidents_per_month(filters)
data_completeness(filters)
