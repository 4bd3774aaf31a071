"""Hindsight dashboard: `streamlit run app.py [-- --db FILE --config FILE]`.

The entrypoint draws the shared sidebar filters, then runs the chosen page with them."""

from __future__ import annotations

import streamlit as st

from dashboard import data, filters, ui

st.set_page_config(page_title="Hindsight", layout="wide")

PAGES = {
    "Reviews": [
        st.Page("views/overview.py", title="Overview", default=True),
        st.Page("views/actions.py", title="Actions"),
        st.Page("views/causes.py", title="Causes and recurrence"),
        st.Page("views/timeliness.py", title="Time to post-mortem"),
        st.Page("views/quarterly.py", title="Quarterly trends"),
        st.Page("views/escalations.py", title="Escalations"),
    ],
    "Data": [
        st.Page("views/postmortems.py", title="Post-mortems"),
        st.Page("views/import.py", title="Import"),
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
