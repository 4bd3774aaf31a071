"""Overview: the template's four effectiveness metrics, incidents per month, data completeness."""

import plotly.express as px
import streamlit as st

from analytics import quarterly
from analytics.render import change_text, quarter_label
from dashboard import data, ui

f = st.session_state["filters"]
settings = data.current_settings()
st.title("Overview")
# The last complete quarter by default; the one in progress can be looked at, marked partial.
fiscal = settings.fiscal_year_start_month
choices = [quarterly.last_complete_quarter(f.as_of, fiscal)]
current = quarterly.quarter_of(f.as_of, fiscal)
if quarterly.is_partial(current, f.as_of, fiscal):
    choices.append(current)
quarter = st.radio("Quarter", choices, horizontal=True, key="overview-quarter",
                   format_func=lambda q: quarter_label(q, quarterly.is_partial(q, f.as_of, fiscal))
                   + ("" if q != choices[0] else ", last complete"))
tiles = data.get("analytics.overview:effectiveness", f, with_settings=True, quarter=quarter)
first = tiles.iloc[0]
st.caption(f"As of {f.as_of}: the template's four effectiveness metrics for "
           f"{quarter_label(first['quarter'], first['partial'])}"
           + (f" so far (up to {f.as_of}; it is not over)" if first["partial"] else "")
           + f", each with its n and the change from {first['previous_quarter']}. Both quarters are measured as "
           f"of {f.as_of}; a rate's change is in percentage points (pp). A change on fewer than "
           f"{settings.small_sample} is marked small sample: too few to read a trend from.")
cols = st.columns(4)
for col, row in zip(cols, tiles.itertuples(index=False)):
    value = ui.pct(row.value) if row.unit == "share" else ui.num(row.value, " d")
    delta = change_text(row.change, row.change_unit) or None
    vs = f"vs {row.previous_quarter}"
    if delta and row.small_sample:
        # no red or green and no arrow: the change is shown, not signalled
        col.metric(row.metric, value, delta, delta_color="off", delta_arrow="off", help=row.definition,
                   border=True, height=150,
                   delta_description=f"{vs} · small sample (n = {row.n} and {row.previous_n})")
    else:
        col.metric(row.metric, value, delta, delta_color="inverse" if row.lower_is_better else "normal",
                   help=row.definition, border=True, height=150, delta_description=vs if delta else None)
    if row.key == "dissemination":
        col.caption(f"n = {row.n} of {int(row.n_total)} post-mortems (the others have no reader data or no "
                    "team member list)")
    else:
        col.caption(f"n = {row.n}")

monthly = data.get("analytics.catalog:incidents_per_month", f)
st.subheader("Incidents per month by severity")
if monthly.empty:
    st.caption("No incident in this selection.")
else:
    fig = px.bar(monthly, x="month", y="incidents", color="severity", color_discrete_map=ui.SEVERITY_COLORS,
                 category_orders={"severity": ui.SEVERITY_ORDER})
    fig.update_layout(height=340, margin=dict(t=10, b=10), legend_title_text="")
    st.plotly_chart(fig, config={"displayModeBar": False})
    ui.table(monthly, "Incidents per month (data)", key="dl-monthly")

st.subheader("Data completeness")
completeness = data.get("analytics.completeness:summary", f)
ui.table(completeness, "Missing fields", key="dl-completeness")
worst = data.get("analytics.completeness:worst_files", f)
ui.table(worst, "Files missing the most", key="dl-worst")
