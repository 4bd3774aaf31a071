"""The CLI reports: which metric tables each report shows. No metric is computed here."""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics import actions
from analytics.filters import Filters
from analytics.render import Section
from analytics.settings import Settings

KM_DAYS = (7, 14, 30, 60, 90)


def km_at(curve: pd.DataFrame, days=KM_DAYS) -> pd.DataFrame:
    """The Kaplan–Meier curve read at a few days (the last step at or before each)."""
    rows = []
    for d in days:
        upto = curve[curve["days"] <= d]
        rows.append({"days": d, "closed_share": float(upto["closed_share"].iloc[-1]) if len(upto) else None,
                     "at_risk": int(curve[curve["days"] >= d]["at_risk"].iloc[0]) if (curve["days"] >= d).any()
                     else 0})
    return pd.DataFrame(rows)


def actions_report(con, f: Filters, s: Settings) -> list[Section]:
    return [
        Section("Actions", actions.summary(con, f), f"as of {f.as_of}; cancelled actions excluded"),
        Section("By team", actions.rates_by(con, f, "team")),
        Section("By priority", actions.rates_by(con, f, "priority")),
        Section("By owner", actions.rates_by(con, f, "owner")),
        Section("Time to close (Kaplan-Meier, open actions censored)", km_at(actions.time_to_close(con, f))),
        Section("Cohort completion", actions.cohort_completion(con, f, s)),
        Section("Overdue", actions.overdue(con, f)),
        Section("Blocked", actions.blocked(con, f)),
    ]


def recurrence_report(con, f: Filters, s: Settings) -> list[Section]:
    from analytics import recurrence

    return [
        Section("Recurrence", recurrence.overall(con, f, s),
                f"window {s.recurrence_window_days} days, same service and primary cause, or an explicit link"),
        Section("Recurrence rate by quarter", recurrence.rate_by_period(con, f, s, "quarter")),
        Section("Patterns", recurrence.patterns(con, f, s)),
        Section("Cause categories (Pareto)", recurrence.pareto(con, f)),
        Section("Cause x service", recurrence.cause_service_matrix(con, f)),
        Section("Action effectiveness", recurrence.action_effectiveness(con, f, s)),
    ]


def escalations_report(con, f: Filters, s: Settings) -> list[Section]:
    from analytics import escalations

    table = escalations.escalations(con, f, s)
    if table.empty:
        return [Section("Escalations", table, f"as of {f.as_of}")]
    return [Section(f"Escalations: {rule}", group.reset_index(drop=True), f"as of {f.as_of}")
            for rule, group in table.groupby("rule", sort=False)]


def coverage_report(con, f: Filters, s: Settings) -> list[Section]:
    from analytics import coverage, timeliness

    return [
        Section("Post-mortem coverage", coverage.summary(con, f, s)),
        Section("Required post-mortems missing", coverage.missing(con, f, s)),
        Section("Time to post-mortem", timeliness.summary(con, f, s),
                f"SLA {s.postmortem_sla_business_days} business days"),
        Section("Time to post-mortem by severity", timeliness.summary(con, f, s, by="severity")),
        Section("Time to post-mortem by team", timeliness.summary(con, f, s, by="team")),
        Section("Waiting for their post-mortem", timeliness.waiting(con, f, s),
                f"overdue: past the SLA of {s.postmortem_sla_business_days} business days"),
    ]


def quarterly_report(con, f: Filters, s: Settings) -> list[Section]:
    from analytics import quarterly

    table = quarterly.trends(con, f, s)
    partial = table.loc[table["partial"], "quarter"].tolist() if not table.empty else []
    return [Section("Quarterly trends", table,
                    f"every quarter measured as of {f.as_of}; small_sample marks quarters with fewer than "
                    f"{s.small_sample} incidents; partial marks a quarter not over on the as-of date"
                    + (f" ({', '.join(partial)}: its numbers are so far)" if partial else "")
                    + "; dissemination_n counts the post-mortems with reader data")]


REPORTS = {
    "quarterly": quarterly_report,
    "actions": actions_report,
    "recurrence": recurrence_report,
    "escalations": escalations_report,
    "coverage": coverage_report,
}


def build(kind: str, con: duckdb.DuckDBPyConnection, f: Filters, s: Settings) -> list[Section]:
    return REPORTS[kind](con, f, s)
