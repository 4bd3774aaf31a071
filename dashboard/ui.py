"""Display helpers: every table downloadable, every statistic with its n, no HTML from documents."""

from __future__ import annotations

import math
import re

import pandas as pd
import streamlit as st


def slug(text: str) -> str:
    """A name for a file or a widget key: lower-case words joined by dashes."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "table"


def table(df: pd.DataFrame, title: str, *, key: str | None = None, empty: str = "Nothing to show.",
          column_config: dict | None = None, height: int | None = None) -> None:
    """A dataframe with a CSV download of exactly what is shown. Cells are plain text."""
    st.subheader(title)
    if df is None or df.empty:
        st.caption(empty)
        return
    st.dataframe(df, hide_index=True, column_config=column_config, height=height or "auto")
    st.download_button("Download CSV", df.to_csv(index=False).encode("utf-8"), file_name=f"{slug(title)}.csv",
                       mime="text/csv", key=key or f"dl-{slug(title)}")


def section(title: str, rows: pd.DataFrame, empty: str) -> bool:
    """A page section's header; for no rows, ``empty`` says why below it and the section stops (False)."""
    st.header(title)
    if rows.empty:
        st.caption(empty)
        return False
    return True


def pct(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.0%}"


def num(value, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.0f}" if abs(value) >= 10 or float(value).is_integer() else f"{value:.1f}"
    return text + unit


def minutes(value) -> str:
    """A duration in minutes, as people say it: 45 min, 3.2 h, 2.1 d."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if value < 90:
        return f"{value:.0f} min"
    if value < 48 * 60:
        return f"{value / 60:.1f} h"
    return f"{value / 1440:.1f} d"


def empty_state(path) -> None:
    st.title("Hindsight")
    st.info(f"No post-mortems loaded yet (database `{path}`).")
    st.markdown("Load exports from a terminal:")
    st.code(f"hindsight ingest data/demo --db {path}", language="bash")
    st.markdown("or upload export files on the **Import** page.")


# One colour per severity on every chart: hot for P1, fading to grey for P4.
SEVERITY_COLORS = {"P1": "#b2182b", "P2": "#ef8a62", "P3": "#f4c26b", "P4": "#9e9e9e", "unknown": "#d9d9d9"}
SEVERITY_ORDER = ["P1", "P2", "P3", "P4", "unknown"]


def chart_label(value) -> str:
    """A category from the documents (team, service, cause) as a chart label: Plotly reads a subset of
    HTML in labels, so the text is escaped and shown as written."""
    import html

    return "unknown" if value is None or value != value else html.escape(str(value))
