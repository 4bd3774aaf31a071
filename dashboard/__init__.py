"""Streamlit plumbing shared by the pages: database connection, cached queries, sidebar filters,
and a few display helpers. No metric is computed here: pages call analytics through `data.query`."""
