"""The quarterly review pack: one self-contained HTML file (plotly.js inlined once, no network needed) that
a team lead brings to the review and prints. `hindsight report review` and the Quarterly trends page both
call ``write_review``.

Every number comes from an analytics call made here with the same filters and as-of date as the pages
and the CLI; the pack only arranges and words them. The page is a Jinja2 template with autoescape, so
document text (titles, owners, actions) is always shown as text."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import jinja2
from markupsafe import Markup
from plotly.offline import get_plotlyjs

from analytics import actions, escalations, overview, quarterly, quarters, recurrence
from analytics.base import together
from analytics.filters import Filters
from analytics.settings import Settings
from hindsight import __version__
from hindsight.review import charts, detail, findings, summary, text
from hindsight.review.tracker import tracker_groups

QUARTERS_SHOWN = 5
# A printed pack is read in a meeting: a large organisation's lists (30,000 open actions, 8,000 blocked
# ones) are cut, each saying how many it holds and where the whole list is (a page, a CLI report).
LISTED = 200  # rows of an escalation rule, of the open actions' tracker, incidents of the patterns
PER_OWNER = 5  # late actions listed under each owner in "Decisions needed"

_env = jinja2.Environment(loader=jinja2.PackageLoader("hindsight.review", "templates"), autoescape=True,
                          undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
_env.filters["thousands"] = text.count  # counts as everywhere in the pack: 33,714


class QuarterError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    """The reviewed quarter: its bounds, the one before it, and whether it was over on the as-of date."""
    quarter: str
    previous: str
    start: date
    end: date
    partial: bool
    as_of: date

    @property
    def label(self) -> str:
        return f"{self.quarter} (partial)" if self.partial else self.quarter


def period(f: Filters, settings: Settings, quarter: str | None) -> Period:
    """``quarter`` ('2025-Q3', '2025q3'), by default the last complete quarter on f.as_of."""
    fiscal = settings.fiscal_year_start_month
    quarter = quarter or quarters.last_complete_quarter(f.as_of, fiscal)
    try:
        start, end = quarters.quarter_bounds(quarter, fiscal)
    except ValueError as exc:
        raise QuarterError(str(exc)) from None
    quarter = "{}-Q{}".format(*quarters.parse_quarter(quarter))
    return Period(quarter, quarters.previous_quarter(quarter), start, end,
                  quarters.is_partial(quarter, f.as_of, fiscal), f.as_of)


def gather(con, f: Filters, settings: Settings, p: Period) -> dict:
    """Every analytics table the pack shows. ``upto``: the incidents up to the quarter's end (the trends,
    escalations and open actions as they stand on the as-of date); ``inside``: the quarter's incidents."""
    upto = dataclasses.replace(f, date_to=min(p.end, f.date_to or p.end))
    inside = dataclasses.replace(upto, date_from=max(p.start, f.date_from or p.start))
    window = dict(start=inside.date_from, end=inside.date_to)
    queries = {
        "tiles": lambda: overview.effectiveness(con, f, settings, quarter=p.quarter),
        "trend": lambda: quarterly.trends(con, upto, settings).tail(QUARTERS_SHOWN).reset_index(drop=True),
        "causes": lambda: quarterly.causes(con, upto, settings),
        "pareto": lambda: recurrence.pareto(con, inside),
        "patterns": lambda: recurrence.patterns_and_members(con, f, settings, **window),
        "escalations": lambda: escalations.listing(con, upto, settings),
        "overdue": lambda: actions.overdue(con, upto),
        "open": lambda: actions.open_actions(con, upto),
        "actions": lambda: actions.summary(con, inside),
    }
    data = dict(zip(queries, together(*queries.values())))  # at once: the pack waits for the slowest
    data.update(data.pop("patterns"))  # its "patterns" and "members"
    return data


def _cause_order(data: dict) -> list[str]:
    """Cause categories by the quarter's Pareto, then any other seen in the quarters shown."""
    shown = data["causes"][data["causes"]["quarter"].isin(data["trend"]["quarter"])]
    order = list(data["pareto"]["cause"])
    return order + sorted(set(shown["cause"]) - set(order))


def _figures(data: dict, order: list[str]) -> dict[str, Markup]:
    trend = data["trend"]
    if trend.empty:
        return {}
    shown = data["causes"][data["causes"]["quarter"].isin(trend["quarter"])]
    figures = {"severity": charts.severity(trend), "rates": charts.rates(trend),
               "time_to_postmortem": charts.time_to_postmortem(trend), "causes": charts.causes(shown, trend, order)}
    if not data["pareto"].empty:
        figures["pareto"] = charts.pareto(data["pareto"])
    return {name: charts.html(fig, f"chart-{name.replace('_', '-')}") for name, fig in figures.items()}


def context(data: dict, f: Filters, settings: Settings, p: Period) -> dict:
    """What the template prints: text and the charts' HTML, nothing else."""
    trend, order = data["trend"], _cause_order(data)
    tracker = tracker_groups(data["open"], LISTED)
    return {
        "period": p, "start": text.day(p.start), "end": text.day(p.end), "as_of": text.day(p.as_of),
        "filters": text.filters(f), "settings": settings, "version": __version__,
        "generated": f"{datetime.now():%Y-%m-%d %H:%M}",
        "metrics": summary.metric_rows(data["tiles"]),
        "changed": summary.what_changed(data["tiles"], trend, data["causes"]) if not trend.empty else [],
        "recurred": findings.recurred(data["patterns"], data["members"], LISTED),
        "patterns": len(data["patterns"]),
        "escalate": findings.escalate(data["escalations"], settings, LISTED),
        "decisions": findings.decisions(data["overdue"], PER_OWNER), "per_owner": PER_OWNER,
        "overdue": len(data["overdue"]),
        "trend_tables": detail.trend_tables(trend, settings.small_sample) if not trend.empty else [],
        "pareto": detail.pareto_table(data["pareto"]), "swatches": detail.swatches(order),
        "causes_table": detail.causes_table(data["causes"], trend, order) if not trend.empty else None,
        "actions": detail.actions_table(data["actions"]),
        "tracker": tracker, "tracker_listed": sum(len(g["rows"]) for g in tracker), "open": len(data["open"]),
        "charts": _figures(data, order), "plotly_js": Markup(get_plotlyjs()),
    }


def render(con, f: Filters, settings: Settings, quarter: str | None) -> str:
    """The pack for ``quarter`` (default: the last complete quarter) as HTML text."""
    p = period(f, settings, quarter)
    return _env.get_template("pack.html.j2").render(context(gather(con, f, settings, p), f, settings, p))


def write_review(con, f: Filters, settings: Settings, quarter: str | None, out: Path) -> Path:
    """Write the pack for ``quarter`` (default: the last complete quarter) to ``out``: the quarter's
    incidents and the quarters before it, measured as of f.as_of like every other view."""
    page = render(con, f, settings, quarter)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out
