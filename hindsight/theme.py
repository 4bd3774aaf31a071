"""The one look of every Hindsight chart: fixed palettes for severities and cause categories, fonts,
margins, integer count axes, and line styles that still tell series apart printed in grayscale.

``style(fig)`` sets the figure's template to ours explicitly. Never rely on Plotly's process-wide
default: inside a Streamlit process it is Streamlit's template, whose placeholder colours (#000001,
#000011...) only Streamlit's front end replaces, so a figure written to a file would come out black.
This module imports plotly only (no Streamlit), so the dashboard and the review pack share it."""

from __future__ import annotations

import hashlib
import html
import math

import plotly.graph_objects as go

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
TEXT = "#222222"
GRID = "#e3e3e3"
MARGIN = dict(t=40, b=40, l=56, r=16)

# Severities from dark to light, so that printed in grayscale P1 is still the darkest and P4 the
# lightest; an unknown severity is grey and hatched.
SEVERITY_COLORS = {"P1": "#a50f15", "P2": "#e6550d", "P3": "#fd8d3c", "P4": "#c6dbef", "unknown": "#d9d9d9"}
SEVERITY_PATTERNS = {"P1": "", "P2": "", "P3": "", "P4": "", "unknown": "."}

# One colour and one hatch per category of the taxonomy (hindsight/defaults.yaml, vocabularies.
# cause_category) and 'unknown': a category keeps its colour whatever the filter or the chart.
# Okabe-Ito colours, safe for colour-blind readers; the hatch tells them apart in grayscale.
CAUSE_COLORS = {"code": "#0072b2", "monitoring": "#e69f00", "environment": "#009e73", "process": "#cc79a7",
                "tools": "#56b4e9", "people": "#d55e00", "external": "#882255", "unknown": "#bbbbbb"}
CAUSE_PATTERNS = {"code": "", "monitoring": "/", "environment": "\\", "process": "x", "tools": "-",
                  "people": "|", "external": "+", "unknown": "."}
# A category configured beyond the default taxonomy: a colour chosen from its name, so still fixed.
EXTRA_COLORS = ["#44aa99", "#999933", "#aa4499", "#117733", "#332288", "#661100"]

# A post-mortem's timeline, from the start (red) to the resolution (green).
TIMELINE_COLORS = {"start": "#d62728", "detect": "#ff7f0e", "acknowledge": "#bcbd22", "identify": "#9467bd",
                   "mitigate": "#17becf", "resolve": "#2ca02c", "other": "#7f7f7f"}

# Series on one chart: each differs by colour, dash and marker symbol.
LINE_STYLES = [("#0072b2", "solid", "circle"), ("#d55e00", "dash", "square"), ("#009e73", "dot", "diamond"),
               ("#cc79a7", "dashdot", "triangle-up"), ("#e69f00", "longdash", "x"),
               ("#56b4e9", "longdashdot", "star")]

TEMPLATE = go.layout.Template(
    layout=dict(
        font=dict(family=FONT, size=12, color=TEXT), title=dict(font=dict(size=14), x=0, xanchor="left"),
        paper_bgcolor="white", plot_bgcolor="white", colorway=[c for c, _, _ in LINE_STYLES], margin=MARGIN,
        xaxis=dict(showgrid=False, linecolor="#888888", ticks="outside", tickcolor="#888888", automargin=True,
                   zeroline=False),
        yaxis=dict(gridcolor=GRID, linecolor="#888888", zeroline=False, automargin=True),
        legend=dict(orientation="h", x=0, xanchor="left", y=1.02, yanchor="bottom", title=dict(text=""),
                    traceorder="normal"),
        hoverlabel=dict(font=dict(family=FONT)), bargap=0.25,
    ),
    data=dict(bar=[go.Bar(marker=dict(line=dict(color="white", width=0.5)))],
              scatter=[go.Scatter(line=dict(width=2), marker=dict(size=8))]),
)


def text(value) -> str:
    """A category from the documents as a chart label: Plotly reads a subset of HTML in labels, so the
    text is escaped and shown as written."""
    return "unknown" if value is None or value != value else html.escape(str(value))


def _extra(name: str) -> str:
    digest = hashlib.sha256(name.encode("utf-8")).digest()  # not hash(): salted per process
    return EXTRA_COLORS[digest[0] % len(EXTRA_COLORS)]


def severity_color(severity) -> str:
    return SEVERITY_COLORS.get(severity if isinstance(severity, str) else "unknown", SEVERITY_COLORS["unknown"])


def cause_color(category) -> str:
    name = category if isinstance(category, str) and category else "unknown"
    return CAUSE_COLORS.get(name) or _extra(name)


def cause_pattern(category) -> str:
    return CAUSE_PATTERNS.get(category if isinstance(category, str) else "unknown", "")


def hatch(shape) -> dict:
    """A bar's hatch: thin dark lines over its colour, quiet on screen and telling bars apart in grayscale.
    ``shape`` is one shape or one per bar."""
    return dict(shape=shape, fillmode="overlay", fgcolor="#1a1a1a", fgopacity=0.45, size=6, solidity=0.12)


def line_style(i: int, hollow: list[bool] | None = None) -> dict:
    """Scatter arguments of the i-th series: colour, dash and symbol; ``hollow`` marks points (e.g.
    small samples) drawn open."""
    color, dash, symbol = LINE_STYLES[i % len(LINE_STYLES)]
    symbols = [f"{symbol}-open" if h else symbol for h in hollow] if hollow is not None else symbol
    return dict(line=dict(color=color, dash=dash, width=2),
                marker=dict(color=color, symbol=symbols, size=9, line=dict(color=color, width=1.5)))


def count_axis(maximum: float) -> dict:
    """An axis of counts: whole numbers only (never a 0.2 step), with thousands separators (30,000), from zero,
    about five ticks."""
    top = max(float(maximum or 0), 1.0)
    raw = top / 5
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return dict(tick0=0, dtick=max(1, int(step)), tickformat=",d", rangemode="tozero", range=[0, top * 1.08])


def share_axis() -> dict:
    """An axis of shares, 0 to 100 %."""
    return dict(tickformat=".0%", range=[0, 1.04], tick0=0, dtick=0.2)


def style(fig: go.Figure, height: int = 300, width: int | None = None, title: str | None = None) -> go.Figure:
    """``fig`` in our look: our template set on the figure itself (not the process default), fonts,
    margins (a side the figure sets itself, e.g. room for a title and a legend, is kept) and size.
    Returns the same figure."""
    fig.layout.template = TEMPLATE  # assigned, not merged: nothing of another template survives
    own = {side: value for side, value in fig.layout.margin.to_plotly_json().items() if side in MARGIN}
    fig.update_layout(height=height, width=width, margin={**MARGIN, **own}, font=dict(family=FONT, color=TEXT))
    if title:
        fig.update_layout(title=dict(text=html.escape(title)))
    return fig
