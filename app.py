"""Hindsight dashboard entrypoint. The full pages arrive with the dashboard issue;
this one shows what the database holds and how to load it."""

from __future__ import annotations

import argparse
import sys

import streamlit as st

from pipeline import store


def _db_arg() -> str | None:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--db")
    args, _ = parser.parse_known_args(sys.argv[1:])
    return args.db


def overview() -> None:
    st.title("Hindsight")
    st.caption("Post-mortem analytics")
    path = store.db_path(_db_arg())
    if store.db_version(path) is None:
        st.info(f"No database at `{path}` yet. Load post-mortems with:\n\n"
                "```\nhindsight ingest data/demo\n```")
        return
    con = store.connect_readonly(path)
    try:
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("postmortems", "actions", "incidents")}
        last = con.execute("SELECT max(finished_at) FROM ingest_runs").fetchone()[0]
    finally:
        con.close()
    cols = st.columns(3)
    for col, (name, n) in zip(cols, counts.items()):
        col.metric(name.replace("_", " ").capitalize(), n)
    st.write(f"Database `{path}`, last ingest {last} UTC.")


page = st.navigation([st.Page(overview, title="Overview", default=True)])
page.run()
