"""The quarterly review pack: one self-contained HTML file (charts inlined, no network needed)
that a manager opens without the dashboard. Every number comes from the analytics modules;
every piece of document text is escaped."""

from __future__ import annotations

import dataclasses
import html
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from analytics import actions, escalations, overview, quarterly, quarters, recurrence
from analytics.filters import Filters
from analytics.render import _cell, change_text, quarter_label
from analytics.settings import Settings

QUARTERS_SHOWN = 5
TREND_COLUMNS = ["quarter", "partial", "incidents", "p1", "p2", "p3", "p4", "resolve_n", "resolve_median",
                 "resolve_p90", "recurrence_rate", "completion_rate", "on_time_rate", "postmortem_n",
                 "postmortem_days_median", "dissemination_n", "dissemination_rate", "small_sample",
                 "change_small_sample"]


class QuarterError(ValueError):
    pass


def _table(df: pd.DataFrame, empty: str = "None.") -> str:
    if df.empty:
        return f"<p class='empty'>{html.escape(empty)}</p>"
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row) + "</tr>"
                   for row in df.itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _or_dash(value) -> str:
    return "-" if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "" else str(value)


def tracker_markdown(open_actions: pd.DataFrame, review_date: date) -> str:
    """Open actions in the template's "Actions Post-Mortem Tracker" form."""
    lines = ["## Actions Post-Mortem Tracker", ""]
    for (pid, title, day), group in open_actions.groupby(["postmortem_id", "title", "incident_date"], sort=False,
                                                           dropna=False):
        lines.append(f"### Incident: {title or pid} - {_cell(day)}")
        lines.append("")
        lines.append("| # | Action | Owner | Due | Status | PR/Ticket |")
        lines.append("|---|--------|-------|-----|--------|-----------|")
        for row in group.itertuples(index=False):
            due = row.due_date.strftime("%m/%d") if pd.notna(row.due_date) else "-"
            cells = [str(row.position), row.description, *(_or_dash(v) for v in (row.owner, due, row.status,
                                                                                     row.ticket))]
            lines.append("| " + " | ".join(str(c).replace("|", "\\|").replace("\n", " ") for c in cells) + " |")
        lines.append("")
    lines.append(f"**Last review**: {review_date.isoformat()}")
    return "\n".join(lines)


def _figures(trend: pd.DataFrame, pareto: pd.DataFrame) -> list[go.Figure]:
    figs = []
    trend = trend.assign(quarter=[quarter_label(q, p) for q, p in zip(trend["quarter"], trend["partial"])])
    sev = go.Figure()
    for column, name in (("p1", "P1"), ("p2", "P2"), ("p3", "P3"), ("p4", "P4")):
        sev.add_bar(x=trend["quarter"], y=trend[column], name=name)
    sev.update_layout(barmode="stack", title="Incidents by severity", height=320, margin=dict(t=40, b=30))
    figs.append(sev)
    rates = go.Figure()
    for column, name in (("recurrence_rate", "Recurrence rate"), ("completion_rate", "Actions completed"),
                         ("on_time_rate", "Actions closed on time"), ("dissemination_rate", "Learning dissemination")):
        rates.add_scatter(x=trend["quarter"], y=trend[column], mode="lines+markers", name=name)
    rates.update_layout(title="Rates by quarter", yaxis_tickformat=".0%", yaxis_range=[0, 1], height=320,
                        margin=dict(t=40, b=30))
    figs.append(rates)
    if not pareto.empty:
        par = go.Figure()
        par.add_bar(x=pareto.iloc[:, 0].astype(str), y=pareto["incidents"], name="incidents")
        par.add_scatter(x=pareto.iloc[:, 0].astype(str), y=pareto["cumulative_share"], yaxis="y2",
                        mode="lines+markers", name="cumulative share")
        par.update_layout(title="Cause categories this quarter (Pareto)", height=320, margin=dict(t=40, b=30),
                          yaxis2=dict(overlaying="y", side="right", tickformat=".0%", range=[0, 1.05]))
        figs.append(par)
    return figs


STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:1100px;color:#222}
h1{margin-bottom:.2rem} .meta{color:#666;margin-top:0} table{border-collapse:collapse;margin:.5rem 0 1.5rem;
font-size:.85rem} th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f4f4} .empty{color:#666} pre{background:#f7f7f7;padding:1rem;overflow-x:auto;font-size:.8rem}
"""


def effectiveness_table(tiles: pd.DataFrame) -> pd.DataFrame:
    """The four effectiveness metrics as the pack prints them: value, n, previous, change (pp or days)."""
    def shown(value, unit):
        if value is None or pd.isna(value):
            return ""
        return f"{value:.0%}" if unit == "share" else f"{value:.1f} d"

    return pd.DataFrame({
        "metric": tiles["metric"],
        "value": [shown(v, u) for v, u in zip(tiles["value"], tiles["unit"])],
        "n": [f"{n} of {int(t)}" if pd.notna(t) else str(n) for n, t in zip(tiles["n"], tiles["n_total"])],
        tiles["previous_quarter"].iloc[0]: [shown(v, u) for v, u in zip(tiles["previous"], tiles["unit"])],
        "previous n": tiles["previous_n"],
        "change": [change_text(c, u) + (" (small sample)" if small and pd.notna(c) else "")
                   for c, u, small in zip(tiles["change"], tiles["change_unit"], tiles["small_sample"])],
    })


def write_review(con, f: Filters, settings: Settings, quarter: str | None, out: Path) -> Path:
    """The pack for ``quarter`` (default: the last complete quarter): its incidents, and the quarters
    before it, measured as of f.as_of like every other view."""
    quarter = quarter or quarters.last_complete_quarter(f.as_of, settings.fiscal_year_start_month)
    try:
        start, end = quarters.quarter_bounds(quarter, settings.fiscal_year_start_month)
    except ValueError as exc:
        raise QuarterError(str(exc)) from None
    quarter = "{}-Q{}".format(*quarters.parse_quarter(quarter))  # "2025q3" is 2025-Q3
    as_of = f.as_of
    partial = quarters.is_partial(quarter, as_of, settings.fiscal_year_start_month)
    title = quarter_label(quarter, partial)
    upto = dataclasses.replace(f, date_to=min(end, f.date_to or end))
    inside = dataclasses.replace(upto, date_from=max(start, f.date_from or start))

    trend = quarterly.trends(con, upto, settings)
    trend = trend.tail(QUARTERS_SHOWN)  # the quarters up to this one
    tiles = overview.effectiveness(con, f, settings, quarter=quarter)
    pareto = recurrence.pareto(con, inside)
    pats = recurrence.patterns(con, upto, settings)
    if not pats.empty:
        pats = pats[pd.to_datetime(pats["last_date"]).dt.date >= start]
    esc = escalations.escalations(con, upto, settings)
    open_now = actions.open_actions(con, upto)
    summary = actions.summary(con, inside)

    figures = _figures(trend, pareto) if not trend.empty else []
    charts = "".join(fig.to_html(full_html=False, include_plotlyjs=(i == 0), config={"displayModeBar": False})
                     for i, fig in enumerate(figures))
    partial_note = (f"<p><strong>{html.escape(quarter)} is partial</strong>: it is not over on {as_of}, so its "
                    "numbers are so far and will still move.</p>" if partial else "")
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Hindsight review {html.escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>Post-mortem review {html.escape(title)}</h1>",
        f"<p class='meta'>Incidents from {start} to {end}; every quarter measured as of {as_of}. "
        f"Generated {datetime.now():%Y-%m-%d %H:%M} by Hindsight.</p>", partial_note,
        "<h2>Effectiveness</h2>",
        f"<p>The template's four metrics against the previous quarter; a rate's change in percentage points. "
        f"A change on fewer than {settings.small_sample} is marked small sample.</p>",
        _table(effectiveness_table(tiles)),
        "<h2>This quarter's actions</h2>", _table(summary),
        "<h2>Quarterly trends</h2>",
        f"<p>Quarters with fewer than {settings.small_sample} incidents are flagged small_sample; a quarter "
        "not over on the as-of date is flagged partial.</p>",
        _table(trend[[c for c in TREND_COLUMNS if c in trend.columns]] if not trend.empty else trend),
        charts,
        "<h2>Recurrence patterns active this quarter</h2>", _table(pats, "No pattern of recurring incidents."),
        "<h2>Escalations</h2>", _table(esc, "Nothing to escalate."),
        "<h2>Open actions (tracker)</h2>",
        f"<pre>{html.escape(tracker_markdown(open_now, as_of))}</pre>" if not open_now.empty
        else "<p class='empty'>No open action.</p>",
        "</body></html>",
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(parts), encoding="utf-8")
    return out
