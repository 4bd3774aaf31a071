"""Open actions in the practice guide's "Actions Post-Mortem Tracker" form: as Markdown (the Actions
page's download, which the ingester reads back) and as rows for the review pack's HTML table."""

from __future__ import annotations

from datetime import date

import pandas as pd

from analytics.render import _cell
from hindsight.review import text


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


def tracker_groups(open_actions: pd.DataFrame) -> list[dict]:
    """One group per incident, oldest first: heading "Incident: <title> - <date>" and its rows
    (# | Action | Owner | Due | Status | PR/Ticket) as text, an overdue action marked late and a web ticket
    given as a link target."""
    groups = []
    for (pid, title, day), group in open_actions.groupby(["postmortem_id", "title", "incident_date"], sort=False,
                                                           dropna=False):
        rows = [{
            "position": text.count(r.position), "action": text.plain(r.description), "owner": text.plain(r.owner),
            "due": text.day(r.due_date), "late": bool(r.overdue),
            "status": text.word(text.STATUS_WORDS, r.status), "ticket": text.plain(r.ticket),
            "ticket_url": text.ticket_link(r.ticket),
        } for r in group.itertuples(index=False)]
        groups.append({"heading": f"Incident: {text.plain(title) if not text.missing(title) else pid} - "
                                  f"{text.day(day)}", "rows": rows})
    return groups
