"""Display helpers: every table downloadable, every statistic with its n, no HTML from documents."""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import pandas as pd
import streamlit as st

from hindsight import theme
from hindsight.review import text

CHART = {"displayModeBar": False}
PERCENT = st.column_config.NumberColumn(format="%.0f%%")
POINTS = st.column_config.NumberColumn(format="%+.0f pp")
COUNT = st.column_config.NumberColumn(format="localized")  # 111,629 rather than 111629


def slug(text: str) -> str:
    """A name for a file or a widget key: lower-case words joined by dashes."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "table"


ROWS_SHOWN = 1_000  # a table longer than this shows its first rows; its CSV download has every one
CATEGORIES_SHOWN = 50  # a chart with more categories along an axis draws the first (largest) ones
BARS_SHOWN = 25  # a bar per group, two bars high each: 850 teams (at 100k) made a chart 40,000 px tall
POINTS_SHOWN = 5_000  # a chart drawing one mark per item draws a summary instead beyond this many


def table(df: pd.DataFrame, title: str, *, key: str | None = None, empty: str = "Nothing to show.",
          column_config: dict | None = None, height: int | None = None, percent: tuple = (), points: tuple = (),
          row_height: int | None = None, limit: int | None = None, total: int | None = None,
          every: Callable[[], pd.DataFrame] | None = None) -> None:
    """A dataframe with a CSV download of what is shown, every row of it. Cells are plain text. ``percent``:
    the columns holding shares (0 to 1), shown as whole percentages; ``points``: changes of shares, in
    percentage points. A table of more than ``limit`` rows (ROWS_SHOWN by default) shows its first ``limit``,
    in its order, and says so: nobody reads 36,000 rows, and the browser would receive every one of them.
    A page that fetched only the first rows passes ``total`` (how many there are) and ``every`` (a call that
    fetches them all, made when the CSV button is pressed)."""
    st.subheader(title)
    if df is None or df.empty:
        st.caption(empty)
        return
    limit = ROWS_SHOWN if limit is None else limit
    total = len(df) if total is None else total
    shown, config = displayed(df.head(limit), column_config, percent, points)
    st.dataframe(shown, hide_index=True, column_config=config, height=height or "auto", row_height=row_height)
    if total > len(shown):
        st.caption(f"Showing the first {len(shown):,} of {total:,} rows, in this order; the CSV has every row.")
        def data() -> str:  # written when the button is pressed: on every rerun it would cost more than the page
            return displayed(every() if every is not None else df, column_config, percent, points)[0].to_csv(index=False)
    else:
        data = shown.to_csv(index=False).encode("utf-8")
    st.download_button("Download CSV", data, file_name=f"{slug(title)}.csv", mime="text/csv",
                       key=key or f"dl-{slug(title)}")


def displayed(df: pd.DataFrame, column_config: dict | None, percent: tuple = (), points: tuple = ()
              ) -> tuple[pd.DataFrame, dict]:
    """A table as ``table`` shows it, and its column configuration: shares as whole percentages, the
    tiles' precision (0.535 -> 54%), missing cells as a dash. A share column holding a share that rounds to 0%
    or 100% without being either is written as the tiles write it ("<1%", ">99%"; text.pct), as text."""
    config = dict(column_config or {})
    worded = {}
    for name in percent:
        words = df[name].map(text.pct)
        if words.isin(["<1%", ">99%"]).any():
            worded[name] = words
            config.pop(name, None)
    percent = tuple(name for name in percent if name not in worded)
    if percent or points:
        df = df.assign(**{name: df[name].astype(float) * 100 for name in (*percent, *points)})
        config.update({name: PERCENT for name in percent} | {name: POINTS for name in points})
    df = df.assign(**worded) if worded else df
    config.update({name: COUNT for name in df.columns if name not in config and pd.api.types.is_integer_dtype(
        df[name]) and not pd.api.types.is_bool_dtype(df[name])})
    return without_nulls(df, config, percent, points)


def _shown(value, kind: str) -> str:
    if text.missing(value):
        return text.MISSING
    if kind == "percent":
        return f"{float(value):.0f}%"
    if kind == "points":
        return f"{float(value):+.0f} pp"
    if kind == "date":
        return text.day(value)
    if kind == "datetime":
        return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.1f}"
    return str(value)


def without_nulls(df: pd.DataFrame, config: dict, percent=(), points=()) -> tuple[pd.DataFrame, dict]:
    """A table's columns that have a missing value, as text with a dash there: Streamlit draws a missing
    cell as a grey "None". Columns with every value present keep their type (sorting, alignment)."""
    config = dict(config)
    changed = {}
    for name in df.columns:
        column = df[name]
        if column.dtype == object and column.map(lambda v: isinstance(v, (list, tuple)) or hasattr(v, "tolist")).any():
            continue  # a list column: drawn as chips, an empty one as nothing
        if not column.isna().any():
            continue
        kind = ("percent" if name in percent else "points" if name in points
                else _date_columns(config).get(name) or ("date" if pd.api.types.is_datetime64_any_dtype(column) else ""))
        changed[name] = column.map(lambda v, kind=kind: _shown(v, kind))
        config.pop(name, None)
    return (df.assign(**changed) if changed else df), config


def _date_columns(config: dict) -> dict:
    """name -> "date" or "datetime" for the columns configured as dates."""
    return {name: c["type_config"]["type"] for name, c in config.items()
            if isinstance(c, dict) and (c.get("type_config") or {}).get("type") in ("date", "datetime")}


def section(title: str, rows: pd.DataFrame, empty: str) -> bool:
    """A page section's header; for no rows, ``empty`` says why below it and the section stops (False)."""
    st.header(title)
    if rows.empty:
        st.caption(empty)
        return False
    return True


def pct(value) -> str:
    return text.pct(value)  # as the review pack writes it: "<1%", never "0%", for 5 of 100,000


def num(value, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.0f}" if abs(value) >= 10 or float(value).is_integer() else f"{value:.1f}"
    return text + unit


def no_change(delta: str) -> bool:
    """A change shown as zero ("+0 pp", "+0.0 d", "-0 pp"): no arrow, no colour."""
    return re.fullmatch(r"[+-]?0(\.0+)?( .*)?", delta.strip()) is not None


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


def chart(fig, key: str, height: int = 320) -> None:
    """A Plotly figure in the one Hindsight look (hindsight/theme.py: palettes, fonts, margins), drawn as
    styled: Streamlit's own chart theme is switched off so that it does not repaint our colours."""
    st.plotly_chart(theme.style(fig, height=height), config=CHART, key=key, theme=None)


def word(value) -> str:
    """A status or priority code as people say it: in_progress -> In progress; a dash when unknown."""
    return text.word({**text.STATUS_WORDS, **text.PRIORITY_WORDS}, value)


def cell(value) -> str:
    """A cell of a text column: the value, or a dash for a missing one (never None, nan or NaT)."""
    return text.plain(value)


def day(value) -> str:
    """A date as 2026-09-30, or a dash."""
    return text.day(value)


chart_label = theme.text
