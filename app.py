"""Hindsight dashboard: `streamlit run app.py [-- --db FILE --config FILE]`.

The entrypoint draws the shared sidebar filters, then runs the chosen page with them."""

from __future__ import annotations

import streamlit as st

from dashboard import data, filters, ui

st.set_page_config(page_title="Hindsight", layout="wide")

PAGES = {
    "Reviews": [
        st.Page("pages/overview.py", title="Overview", default=True),
        st.Page("pages/actions.py", title="Actions"),
        st.Page("pages/causes.py", title="Causes and recurrence"),
        st.Page("pages/timeliness.py", title="Time to post-mortem"),
        st.Page("pages/quarterly.py", title="Quarterly trends"),
        st.Page("pages/escalations.py", title="Escalations"),
    ],
    "Data": [
        st.Page("pages/postmortems.py", title="Post-mortems"),
        st.Page("pages/import.py", title="Import"),
    ],
}

page = st.navigation(PAGES)
if data.has_data():
    st.session_state["filters"] = filters.sidebar()
    page.run()
elif page.title == "Import":
    page.run()
else:
    ui.empty_state(data.db_path())
