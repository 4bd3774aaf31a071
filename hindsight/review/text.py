"""How the review pack writes a value: one precision per kind (shares as whole percentages, days to one
decimal, minutes whole), full dates, the words people use for statuses and rules, and a dash for what is
not known. No value leaves here as None, NaN, NaT or a snake_case code."""

from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd

from analytics.filters import Filters
from analytics.render import change_text

MISSING = "–"

STATUS_WORDS = {"done": "Done", "in_progress": "In progress", "todo": "To do", "blocked": "Blocked",
                "cancelled": "Cancelled", "unknown": "Unknown"}
PRIORITY_WORDS = {"high": "High", "medium": "Medium", "low": "Low"}
GROUP_WORDS = {"all actions done": "all its actions were done before it came back",
               "actions still open": "some of its actions were still open when it came back",
               "no actions": "it had no corrective action",
               "previous not loaded": "its post-mortem is not loaded"}


def missing(value) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        return bool(pd.isna(value)) if not isinstance(value, (list, tuple, str)) else False
    except (TypeError, ValueError):
        return False


def pct(value) -> str:
    """A share as a whole percentage; one that rounds to 0% or 100% without being either reads "<1%" or ">99%":
    5 post-mortems of 100,000 missing a field are not "0%" missing, nor are 3 open actions of 1,000 "100%" done."""
    if missing(value):
        return MISSING
    share = float(value)
    shown = f"{share:.0%}"
    if shown == "0%" and share > 0:
        return "<1%"
    if shown == "100%" and share < 1:
        return ">99%"
    return shown


def days(value) -> str:
    return MISSING if missing(value) else f"{float(value):.1f}"


def minutes(value) -> str:
    return MISSING if missing(value) else f"{float(value):,.0f}"


def count(value) -> str:
    return MISSING if missing(value) else f"{int(value):,}"


def day(value) -> str:
    """A full date, 2026-09-30."""
    if missing(value):
        return MISSING
    if isinstance(value, (datetime, pd.Timestamp)):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    return str(pd.Timestamp(value).date())


def change(value, unit: str) -> str:
    """A share's change in percentage points ("-26 pp"), a duration's in days ("+1.0 days")."""
    shown = change_text(None if missing(value) else float(value), unit)
    if not shown:
        return MISSING
    return shown.removesuffix(" d") + " days" if unit != "pp" else shown


def word(table: dict, value) -> str:
    if missing(value) or value == "":
        return table.get("unknown", MISSING)
    return table.get(str(value), str(value).replace("_", " ").capitalize())


def plain(value) -> str:
    """Document text as written, or a dash."""
    return MISSING if missing(value) or str(value).strip() == "" else str(value)


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def filters(f: Filters) -> str:
    """The filters in words, for the pack's header."""
    parts = []
    for label, values in (("team", f.teams), ("severity", f.severities), ("service", f.services),
                          ("cause category", f.cause_categories)):
        if values:
            parts.append(f"{label} {', '.join(values)}")
    if f.date_from or f.date_to:
        parts.append(f"incidents {'from ' + day(f.date_from) if f.date_from else ''}"
                     f"{' ' if f.date_from and f.date_to else ''}{'to ' + day(f.date_to) if f.date_to else ''}")
    return "; ".join(parts) if parts else "none (every team, severity, service and cause)"


def ticket_link(ticket) -> str | None:
    """The ticket as a link target when it is a web address (http or https), else None: a ticket such as
    JIRA-123 stays text, and no other scheme (javascript:, file:) ever becomes a link."""
    if missing(ticket):
        return None
    text = str(ticket).strip()
    return text if text.lower().startswith(("http://", "https://")) and " " not in text else None
