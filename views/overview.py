"""Overview: the template's four effectiveness metrics, incidents per month, data completeness."""

import plotly.express as px
import streamlit as st

from dashboard import data, ui

f = st.session_state["filters"]
st.title("Overview")
tiles = data.get("analytics.overview:effectiveness", f, with_settings=True)
st.caption(f"As of {f.as_of}: the template's four effectiveness metrics for {tiles['quarter'].iloc[0]} so far, "
           "each with its n and the change from the previous quarter.")
cols = st.columns(4)
for col, row in zip(cols, tiles.itertuples(index=False)):
    value = ui.pct(row.value) if row.unit == "share" else ui.num(row.value, " d")
    delta = None
    if row.change == row.change and row.change is not None:
        delta = f"{row.change:+.0%}" if row.unit == "share" else f"{row.change:+.1f} d"
    col.metric(row.metric, value, delta, delta_color="inverse" if row.lower_is_better else "normal",
               help=row.definition, border=True, height=150,
               delta_description="vs previous quarter" if delta else None)
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
