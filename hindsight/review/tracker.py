"""Open actions in the practice guide's "Actions Post-Mortem Tracker" form: as Markdown (the Actions
page's download, which the ingester reads back) and as rows for the review pack's HTML table."""

from __future__ import annotations

from datetime import date

import pandas as pd

from analytics.render import _cell
from hindsight.review import text


def _or_dash(value) -> str:
    return "-" if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "" else str(value)


def _missing(value) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))


def _by_incident(open_actions: pd.DataFrame):
    """(postmortem_id, title, incident_date) and the rows (itertuples) of each, in order of first appearance,
    as ``groupby([...], sort=False, dropna=False)`` gives them (a missing id or title as NaN, a missing date
    as NaT), in one pass: a groupby builds a frame per group, 33 s for 37k open actions at 100k."""
    groups: dict[tuple, tuple[tuple, list]] = {}
    keys = zip(open_actions["postmortem_id"], open_actions["title"], open_actions["incident_date"])
    for (pid, title, day), row in zip(keys, open_actions.itertuples(index=False)):
        key = (None if _missing(pid) else pid, None if _missing(title) else title, None if _missing(day) else day)
        if key not in groups:
            groups[key] = ((float("nan") if key[0] is None else pid, float("nan") if key[1] is None else title,
                            pd.NaT if key[2] is None else pd.Timestamp(day)), [])
        groups[key][1].append(row)
    return groups.values()


def tracker_markdown(open_actions: pd.DataFrame, review_date: date) -> str:
    """Open actions in the template's "Actions Post-Mortem Tracker" form."""
    lines = ["## Actions Post-Mortem Tracker", ""]
    for (pid, title, day), group in _by_incident(open_actions):
        lines.append(f"### Incident: {title or pid} - {_cell(day)}")
        lines.append("")
        lines.append("| # | Action | Owner | Due | Status | PR/Ticket |")
        lines.append("|---|--------|-------|-----|--------|-----------|")
        for row in group:
            # A full date and the status in words: the reader takes both back (its vocabulary has them).
            due = row.due_date.strftime("%Y-%m-%d") if pd.notna(row.due_date) else "-"
            status = text.word(text.STATUS_WORDS, row.status) if row.status else None
            cells = [str(row.position), row.description, *(_or_dash(v) for v in (row.owner, due, status,
                                                                                     row.ticket))]
            lines.append("| " + " | ".join(str(c).replace("|", "\\|").replace("\n", " ") for c in cells) + " |")
        lines.append("")
    lines.append(f"**Last review**: {review_date.isoformat()}")
    return "\n".join(lines)


def tracker_groups(open_actions: pd.DataFrame, limit: int | None = None) -> list[dict]:
    """One group per incident, oldest first: heading "Incident: <title> - <date>" and its rows
    (# | Action | Owner | Due | Status | PR/Ticket) as text, an overdue action marked late and a web ticket
    given as a link target. With ``limit``, whole incidents while their actions number ``limit`` or fewer
    (the first incident's first ``limit`` when it alone has more): a printed pack cannot hold the 30,000 open
    actions of a large organisation."""
    groups, rows_kept = [], 0
    if limit is not None:  # the rows are in incident order: the groups kept lie in the first limit + 1 rows
        open_actions = open_actions.head(limit + 1)
    for (pid, title, day), group in _by_incident(open_actions):
        if limit is not None and rows_kept + len(group) > limit:
            if groups:
                break
            group = group[:limit]
        rows_kept += len(group)
        rows = [{
            "position": text.count(r.position), "action": text.plain(r.description), "owner": text.plain(r.owner),
            "due": text.day(r.due_date), "late": bool(r.overdue),
            "status": text.word(text.STATUS_WORDS, r.status), "ticket": text.plain(r.ticket),
            "ticket_url": text.ticket_link(r.ticket),
        } for r in group]
        groups.append({"heading": f"Incident: {text.plain(title) if not text.missing(title) else pid} - "
                                  f"{text.day(day)}", "rows": rows})
    return groups
