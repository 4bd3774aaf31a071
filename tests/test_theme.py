"""The shared chart theme: a fixed colour for every severity and every cause category of the taxonomy,
our template set on the figure whatever Plotly's process default, whole-number count axes."""

import plotly.graph_objects as go
import plotly.io as pio
import pytest

from conftest import ROOT
from hindsight import theme
from pipeline import yamlio


def taxonomy() -> list[str]:
    defaults = yamlio.load((ROOT / "hindsight" / "defaults.yaml").read_text(encoding="utf-8"))
    return list(defaults["vocabularies"]["cause_category"])


def test_every_cause_category_has_its_own_fixed_colour_and_hatch():
    categories = taxonomy() + ["unknown"]
    assert set(categories) <= set(theme.CAUSE_COLORS) and set(categories) <= set(theme.CAUSE_PATTERNS)
    colours = [theme.cause_color(c) for c in categories]
    assert len(set(colours)) == len(colours)
    assert len({theme.cause_pattern(c) for c in categories}) == len(categories)  # apart in grayscale too
    # the same colour whatever else is on the chart, and for a missing category
    assert theme.cause_color("code") == "#0072b2" and theme.cause_color(None) == theme.cause_color("unknown")
    # a category configured beyond the taxonomy: a colour of its own, the same in every process
    assert theme.cause_color("vendor-x") == theme.cause_color("vendor-x") in theme.EXTRA_COLORS


def test_severities_darken_with_severity():
    """P1 darkest to P4 lightest by luminance (0.299 R + 0.587 G + 0.114 B), so grayscale keeps the order."""
    def luminance(colour: str) -> float:
        r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
        return 0.299 * r + 0.587 * g + 0.114 * b

    levels = [luminance(theme.severity_color(s)) for s in ("P1", "P2", "P3", "P4")]
    assert levels == sorted(levels) and min(b - a for a, b in zip(levels, levels[1:])) > 20
    assert theme.severity_color(None) == theme.SEVERITY_COLORS["unknown"]


def test_style_sets_our_template_whatever_the_process_default(monkeypatch):
    # a process default like Streamlit's: placeholder colours only its front end replaces
    pio.templates["placeholder"] = go.layout.Template(layout=dict(colorway=["#000001", "#000002"]))
    monkeypatch.setattr(pio.templates, "default", "placeholder")
    fig = go.Figure(go.Bar(x=["a"], y=[1]))
    assert list(fig.layout.template.layout.colorway) == ["#000001", "#000002"]  # what would leak
    theme.style(fig)
    colorway = list(go.Figure(fig.to_dict()).layout.template.layout.colorway)
    assert colorway == [c for c, _, _ in theme.LINE_STYLES]
    assert fig.layout.font.family == theme.FONT


def test_series_differ_by_dash_and_symbol_not_only_colour():
    styles = [theme.line_style(i) for i in range(4)]
    assert len({s["line"]["dash"] for s in styles}) == 4 and len({s["marker"]["symbol"] for s in styles}) == 4
    assert theme.line_style(0, hollow=[False, True])["marker"]["symbol"] == ["circle", "circle-open"]


@pytest.mark.parametrize("maximum, step", [(0, 1), (1, 1), (2, 1), (4, 1), (9, 2), (27, 10), (36, 10),
                                           (120, 50), (1000, 200)])
def test_count_axes_step_by_whole_numbers(maximum, step):
    # about five ticks: 27 / 5 = 5.4 -> the next of 1, 2, 5, 10 times a power of ten at least that is 10
    axis = theme.count_axis(maximum)
    assert axis["dtick"] == step and axis["tickformat"] == ",d" and axis["range"][0] == 0


def test_labels_from_documents_are_escaped():
    assert theme.text("<b>x</b>") == "&lt;b&gt;x&lt;/b&gt;" and theme.text(None) == "unknown"
