"""What the review acts on: the patterns that recurred in the quarter, the practice guide's four escalation
points, and the decisions needed (open actions past their due date, by owner). Each is shaped from an
analytics table into what the template prints: titles and dates, never ids."""

from __future__ import annotations

import pandas as pd

from hindsight.review import text

# The guide's "Points d'Escalade": situation -> action, in its order.
RULES = {
    "management": ("Escalate to management", "An action blocked for more than {blocked_days} days",
                   "Action", "Blocked since"),
    "architecture review": ("Architecture review", "A pattern of similar incidents: {pattern_incidents} or more "
                            "on one service with one cause within {pattern_window_days} days",
                            "Service / cause", "First incident"),
    "cross-team": ("Cross-team escalation", "A cause involving an external process, with actions still open",
                   "Post-mortem", "Incident"),  # the subject is the evidence: no column of its own
    "block deployments": ("Block deployments", "Corrective actions not implemented: high-priority actions "
                          "past their due date", "Service", "Oldest due"),
}


def _first(table: pd.DataFrame, limit: int | None) -> pd.DataFrame:
    return table if limit is None else table.head(limit)


def _recurrence_note(row) -> str:
    """Whether the earlier incident's actions were done before this one came back."""
    if text.missing(row.group):
        return ""
    before = text.plain(row.previous_title) if not text.missing(row.previous_title) else text.plain(row.previous_id)
    n = 0 if text.missing(row.previous_actions) else int(row.previous_actions)
    done = 0 if text.missing(row.previous_actions_done) else int(row.previous_actions_done)
    if row.group == "all actions done":
        return f"came back after “{before}”, all {text.plural(n, 'action')} of which were done"
    if row.group == "actions still open":
        return f"came back after “{before}” with {done} of {text.plural(n, 'action')} done"
    if row.group == "no actions":
        return f"came back after “{before}”, which had no corrective action"
    return f"linked to {before}, whose post-mortem is not loaded"


def recurred(patterns: pd.DataFrame, members: pd.DataFrame, limit: int | None = None) -> list[dict]:
    """The active patterns, largest first: service, cause, span, and each incident by title and date,
    those of the quarter marked, with the state of the earlier incident's actions. With ``limit``, whole
    patterns while their incidents number ``limit`` or fewer (at least the largest pattern)."""
    by_pattern: dict = {}
    for r in members.itertuples(index=False):  # one pass: a mask per pattern was 1.7 s for 358 patterns
        by_pattern.setdefault(r.pattern_id, []).append(r)
    out, listed = [], 0
    for p in patterns.itertuples(index=False):
        rows = by_pattern.get(p.pattern_id, [])
        if limit is not None and out and listed + len(rows) > limit:
            break
        listed += len(rows)
        out.append({
            "service": text.plain(p.service), "cause": text.plain(p.primary_cause_category),
            "incidents": int(p.incidents), "first": text.day(p.first_date), "last": text.day(p.last_date),
            "in_quarter": sum(bool(r.in_period) for r in rows),
            "members": [{"date": text.day(r.incident_date), "title": text.plain(r.title),
                         "in_quarter": bool(r.in_period), "note": _recurrence_note(r)} for r in rows],
        })
    return out


def escalate(listing: pd.DataFrame, settings, limit: int | None = None) -> list[dict]:
    """The four rules of the guide, in its order, each with how many items it has (``total``) and its first
    ``limit`` items (possibly none): subject, owner, since, evidence (post-mortems, "2026-01-26 Title")
    and why. ``listing``: ``escalations.listing``, so the reasons read as on the Escalations page."""
    out = []
    for rule, (action, situation, subject, since) in RULES.items():
        items = listing[listing["rule"] == rule]
        out.append({
            "action": action, "situation": situation.format(**vars(settings)) if "{" in situation else situation,
            "subject_header": subject, "since_header": since, "evidence": rule != "cross-team",
            "total": len(items), "items": [{
                "subject": text.plain(r.subject), "owner": text.plain(r.owner), "since": text.day(r.since),
                "evidence": [text.plain(title) for title in r.evidence_titles],
                "why": text.plain(r.why),
            } for r in _first(items, limit).itertuples(index=False)],
        })
    return out


def decisions(overdue: pd.DataFrame, per_owner: int | None = None) -> list[dict]:
    """Open actions past their due date by owner (no owner: the post-mortem's team), the owner with the
    most first, then the longest overdue; each owner's actions, the longest overdue first, the first
    ``per_owner`` of them listed and the others counted (``more``)."""
    if overdue.empty:
        return []
    table = overdue.assign(who=[o if isinstance(o, str) and o else f"no owner ({text.plain(t)})"
                                for o, t in zip(overdue["owner"], overdue["team"])])
    out = []
    for who, group in table.groupby("who", sort=False):
        group = group.sort_values(["days_overdue", "action_id"], ascending=[False, True], kind="stable")
        out.append({
            "owner": who, "count": len(group), "longest": int(group["days_overdue"].iloc[0]),
            "high": int((group["priority"] == "high").sum()),
            "more": len(group) - len(_first(group, per_owner)),
            "actions": [{"action": text.plain(r.description), "incident": text.plain(r.title),
                         "due": text.day(r.due_date), "days": text.count(r.days_overdue),
                         "priority": text.word(text.PRIORITY_WORDS, r.priority),
                         "status": text.word(text.STATUS_WORDS, r.status)}
                        for r in _first(group, per_owner).itertuples(index=False)],
        })
    return sorted(out, key=lambda o: (-o["count"], -o["longest"], o["owner"]))
