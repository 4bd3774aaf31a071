"""The pack's charts, in the shared theme (hindsight/theme.py): fixed colours per severity and per cause
category, series that differ by dash and marker too, count axes in whole numbers, and a width that fits
an A4 page. Each chart is written as an HTML fragment with a fixed id, so two packs of the same data are
the same file but for the time they were generated."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from markupsafe import Markup

from hindsight import theme
from hindsight.review.detail import quarter_cell
from hindsight.review.text import count

WIDTH = 680  # px: the printable width of an A4 page with 14 mm margins is 182 mm, about 688 px
CONFIG = {"displayModeBar": False, "responsive": False}
RATES = [("on_time_rate", "Actions closed on time"), ("recurrence_rate", "Recurrence rate"),
         ("completion_rate", "Actions completed"), ("dissemination_rate", "Learning dissemination")]


def html(fig: go.Figure, chart_id: str) -> Markup:
    """The figure as a fragment; plotly.js itself is inlined once, in the page's head."""
    return Markup(fig.to_html(full_html=False, include_plotlyjs=False, div_id=chart_id, config=CONFIG))


def _quarters(trend: pd.DataFrame) -> list[str]:
    return [quarter_cell(r, None) for _, r in trend.iterrows()]


def _quarter_axis(quarters: list[str]) -> dict:
    return dict(type="category", categoryorder="array", categoryarray=quarters)


def severity(trend: pd.DataFrame) -> go.Figure:
    """Incidents per quarter, stacked by severity (P1 at the bottom); an unknown severity on top."""
    quarters = _quarters(trend)
    fig = go.Figure()
    unknown = trend["incidents"] - trend[["p1", "p2", "p3", "p4"]].sum(axis=1)  # the rest of the bar
    for name, values in (("P1", trend["p1"]), ("P2", trend["p2"]), ("P3", trend["p3"]), ("P4", trend["p4"]),
                         ("unknown", unknown)):
        if name == "unknown" and not values.any():
            continue
        fig.add_bar(x=quarters, y=values, name=name, marker=dict(color=theme.severity_color(name),
                                                                 pattern=theme.hatch(theme.SEVERITY_PATTERNS[name])),
                    hovertemplate=f"%{{x}} {name}: %{{y}} incidents<extra></extra>")
    fig.update_layout(barmode="stack", xaxis=_quarter_axis(quarters),
                      yaxis=dict(title="incidents", **theme.count_axis(trend["incidents"].max())))
    return theme.style(fig, width=WIDTH)


def rates(trend: pd.DataFrame) -> go.Figure:
    """The quarter's rates as lines; a quarter with few incidents is drawn with an open marker."""
    quarters = _quarters(trend)
    small = trend["small_sample"].astype(bool).tolist()
    fig = go.Figure()
    for i, (column, name) in enumerate(RATES):
        fig.add_scatter(x=quarters, y=trend[column], name=name, mode="lines+markers",
                        hovertemplate=f"%{{x}} {name}: %{{y:.0%}}<extra></extra>", **theme.line_style(i, small))
    fig.update_layout(xaxis=_quarter_axis(quarters), yaxis=theme.share_axis())
    return theme.style(fig, height=320, width=WIDTH)


def time_to_postmortem(trend: pd.DataFrame) -> go.Figure:
    quarters = _quarters(trend)
    fig = go.Figure()
    fig.add_scatter(x=quarters, y=trend["postmortem_days_median"], name="median days", mode="lines+markers",
                    hovertemplate="%{x}: %{y:.1f} days<extra></extra>",
                    **theme.line_style(4, trend["small_sample"].astype(bool).tolist()))
    top = trend["postmortem_days_median"].max()
    fig.update_layout(xaxis=_quarter_axis(quarters), showlegend=False,
                      yaxis=dict(title="days", rangemode="tozero",
                                 range=[0, (float(top) if pd.notna(top) else 1) * 1.15 + 0.5]))
    return theme.style(fig, height=210, width=WIDTH)


def causes(causes_by_quarter: pd.DataFrame, trend: pd.DataFrame, order: list[str]) -> go.Figure:
    """Incidents per quarter stacked by cause category, each category in its fixed colour and hatch."""
    quarters = _quarters(trend)
    label = dict(zip(trend["quarter"], quarters))
    fig = go.Figure()
    for cause in order:
        part = causes_by_quarter[causes_by_quarter["cause"] == cause]
        fig.add_bar(x=[label[q] for q in part["quarter"]], y=part["incidents"], name=theme.text(cause),
                    marker=dict(color=theme.cause_color(cause), pattern=theme.hatch(theme.cause_pattern(cause))),
                    hovertemplate="%{x} %{fullData.name}: %{y} incidents<extra></extra>")
    fig.update_layout(barmode="stack", xaxis=_quarter_axis(quarters),
                      yaxis=dict(title="incidents", **theme.count_axis(trend["incidents"].max())))
    return theme.style(fig, height=320, width=WIDTH)


def pareto(table: pd.DataFrame) -> go.Figure:
    """The quarter's cause categories, most frequent first, with the cumulative share."""
    names = [theme.text(c) for c in table["cause"]]
    fig = go.Figure()
    fig.add_bar(x=names, y=table["incidents"], name="incidents", text=[count(n) for n in table["incidents"]],
                textposition="outside", showlegend=False,
                marker=dict(color=[theme.cause_color(c) for c in table["cause"]],
                            pattern=theme.hatch([theme.cause_pattern(c) for c in table["cause"]])),
                hovertemplate="%{x}: %{y} incidents<extra></extra>")
    fig.add_scatter(x=names, y=table["cumulative_share"], yaxis="y2", name="cumulative share", mode="lines+markers",
                    hovertemplate="%{x}: %{y:.0%} cumulative<extra></extra>",
                    **{**theme.line_style(1), "line": dict(color="#333333", dash="dash", width=2),
                       "marker": dict(color="#333333", symbol="square", size=8)})
    fig.update_layout(xaxis=dict(type="category"),
                      yaxis=dict(title="incidents", **theme.count_axis(table["incidents"].max() * 1.1)),
                      yaxis2=dict(title="cumulative share", overlaying="y", side="right", showgrid=False,
                                  **theme.share_axis()))
    return theme.style(fig, height=320, width=WIDTH)
