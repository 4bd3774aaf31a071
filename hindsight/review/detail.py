"""The pack's detail tables: the quarterly trends split into tables a person reads (human headers, one
precision per kind), the cause categories, and the actions of the quarter's incidents. Each table is
{"id", "caption", "headers", "rows", "note", "row_header"}; every cell is text."""

from __future__ import annotations

import pandas as pd

from hindsight import theme
from hindsight.review import text


def quarter_cell(row, small_column: str | None = "small_sample") -> str:
    """The quarter's label, '(partial)' when not over on the as-of date, '*' on a small sample."""
    label = row["quarter"] + (" (partial)" if row["partial"] else "")
    return label + (" *" if small_column and row[small_column] else "")


def _table(table_id: str, caption: str, headers: list[str], rows: list[list[str]], note: str = "",
           row_header: bool = True) -> dict:
    return {"id": table_id, "caption": caption, "headers": headers, "rows": rows, "note": note,
            "row_header": row_header}


def trend_tables(trend: pd.DataFrame, small_sample: int) -> list[dict]:
    """Four tables of the quarters shown: incidents and time to resolve; actions and recurrence;
    post-mortems and learning; the change of each metric from the quarter before."""
    small = f"* fewer than {small_sample} incidents in the quarter: a small sample, not to be read as a trend."
    rows = [r for _, r in trend.iterrows()]
    incidents = _table("trend-incidents", "Incidents and time to resolve",
                       ["Quarter", "Incidents", "P1", "P2", "P3", "P4", "Time to resolve, median (min)",
                        "p90 (min)", "n resolved"],
                       [[quarter_cell(r), *(text.count(r[c]) for c in ("incidents", "p1", "p2", "p3", "p4")),
                         text.minutes(r["resolve_median"]), text.minutes(r["resolve_p90"]), text.count(r["resolve_n"])]
                        for r in rows], small)
    acting = _table("trend-actions", "Actions and recurrence",
                    ["Quarter", "Actions", "Completed", "Closed on time", "Incidents", "Recurring", "Recurrence rate"],
                    [[quarter_cell(r), text.count(r["actions"]), text.pct(r["completion_rate"]),
                      text.pct(r["on_time_rate"]), text.count(r["incidents"]), text.count(r["recurring"]),
                      text.pct(r["recurrence_rate"])] for r in rows],
                    "Actions of the quarter's incidents, cancelled ones left out; closed on time among those already "
                    "due. " + small)
    learning = _table("trend-postmortems", "Post-mortems and learning",
                      ["Quarter", "Post-mortems written", "Time to post-mortem, median (days)", "Within the SLA",
                       "With reader data", "Learning dissemination"],
                      [[quarter_cell(r), text.count(r["postmortem_n"]), text.days(r["postmortem_days_median"]),
                        text.pct(r["postmortem_within_sla_rate"]),
                        f"{text.count(r['dissemination_n'])} of {text.count(r['incidents'])}",
                        text.pct(r["dissemination_rate"])] for r in rows],
                      "Learning dissemination is measured on the post-mortems with reader data only. " + small)
    changes = _table("trend-changes", "Change from the previous quarter",
                     ["Quarter", "Incidents", "Closed on time (pp)", "Completed (pp)", "Recurrence rate (pp)",
                      "Time to post-mortem (days)", "Dissemination (pp)", "Time to resolve, median (min)"],
                     [[quarter_cell(r, "change_small_sample"), _signed(r["incidents_change"]),
                       _points(r["on_time_rate_change"]), _points(r["completion_rate_change"]),
                       _points(r["recurrence_rate_change"]), _signed(r["postmortem_days_median_change"], ".1f"),
                       _points(r["dissemination_rate_change"]), _signed(r["resolve_median_change"])] for r in rows],
                     "Rates change in percentage points (pp). * this quarter or the one before has fewer than "
                     f"{small_sample} incidents: a small sample, not a trend.")
    return [incidents, acting, learning, changes]


def _signed(value, spec: str = ",.0f") -> str:
    return text.MISSING if text.missing(value) else format(float(value), "+" + spec)


def _points(change) -> str:
    """A change of a share in percentage points, whole: the precision of the percentages."""
    return text.MISSING if text.missing(change) else f"{float(change) * 100:+.0f}"


def pareto_table(pareto: pd.DataFrame) -> dict:
    return _table("pareto", "Cause categories of the quarter's incidents",
                  ["Cause category", "Incidents", "Share", "Cumulative share"],
                  [[text.plain(r.cause), text.count(r.incidents), text.pct(r.share), text.pct(r.cumulative_share)]
                   for r in pareto.itertuples(index=False)],
                  "Each incident counted once, by its primary cause category; most frequent first.")


def swatches(categories) -> dict[str, str]:
    """Each category's fixed colour, for the key beside a table."""
    return {text.plain(c): theme.cause_color(c) for c in categories}


def causes_table(causes: pd.DataFrame, trend: pd.DataFrame, order: list[str]) -> dict:
    """Incidents per quarter (the rows of ``trend``) and cause category (columns, in ``order``)."""
    wide = causes.pivot_table(index="quarter", columns="cause", values="incidents", aggfunc="sum", fill_value=0)
    wide = wide.reindex(index=trend["quarter"], columns=[c for c in order if c in wide.columns], fill_value=0)
    labels = [quarter_cell(r, None) for _, r in trend.iterrows()]
    return _table("causes-by-quarter", "Incidents per quarter by cause category",
                  ["Quarter", *[text.plain(c) for c in wide.columns]],
                  [[label, *(text.count(v) for v in values)] for label, values in zip(labels, wide.to_numpy())],
                  "Each incident counted once, by its primary cause category.")


def actions_table(summary: pd.DataFrame) -> dict:
    """The actions of the quarter's incidents, as of the as-of date (analytics.actions.summary)."""
    r = summary.iloc[0]
    return _table("quarter-actions", "Actions of the quarter's incidents",
                  ["Actions", "Done", "Completed", "Due", "Closed on time", "On-time rate", "Overdue", "Blocked"],
                  [[text.count(r["actions"]), text.count(r["done"]), text.pct(r["completion_rate"]),
                    text.count(r["due"]), text.count(r["on_time"]), text.pct(r["on_time_rate"]),
                    text.count(r["overdue"]), text.count(r["blocked"])]],
                  "Cancelled actions left out; closed on time among the actions already due; overdue: open and "
                  "past the due date.", row_header=False)
