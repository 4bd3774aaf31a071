"""A demo post-mortem as a JSON/YAML object and as CSV rows."""

from __future__ import annotations

import random
from datetime import timedelta

from hindsight.demo.formatting import duration_structured, iso_ts
from hindsight.demo.model import Action, PostMortem
from hindsight.demo.wording import PHRASES, PRIORITY_MARKDOWN, SEVERITY_SPELLINGS, STATUS_STRUCTURED

IMPACT_FIELDS = ("users_affected", "failed_requests", "lost_transactions", "estimated_cost")
POSTMORTEM_COLUMNS = ["id", "title", "incident_date", "postmortem_date", "author", "severity", "team", "service",
                      "started_at", "detected_at", "acknowledged_at", "mitigated_at", "resolved_at", "users_affected",
                      "failed_requests", "lost_transactions", "estimated_cost", "customer_impact", "near_miss",
                      "cause_category", "root_cause", "summary", "tags", "readers"]
ACTION_COLUMNS = ["postmortem_id", "description", "owner", "due", "priority", "status", "ticket", "completed_at",
                  "blocked_since"]


def structured_status(rng: random.Random, status: str) -> str:
    return rng.choice(STATUS_STRUCTURED[status]) if rng.random() < 0.1 else status


def structured_record(rng: random.Random, pm: PostMortem, yaml_dates: bool = False) -> dict:
    """The JSON/YAML object; YAML may hold real dates (yaml_dates) where JSON holds ISO strings."""
    def day(d):
        return d if yaml_dates else d.isoformat()

    record = _identity(rng, pm, day)
    record.update(_times(rng, pm))
    record.update({k: getattr(pm.impact, k) for k in IMPACT_FIELDS if getattr(pm.impact, k) is not None})
    record["customer_impact"] = pm.impact.customer_impact
    record["near_miss"] = pm.near_miss
    record["cause_category"] = pm.causes if len(pm.causes) > 1 else pm.cause
    record["root_cause"] = pm.root_cause
    record["summary"] = pm.summary
    if pm.recurrence_of:
        record["recurrence_of"] = pm.recurrence_of
    record["tags"] = pm.tags
    record["readers"] = pm.readers
    record["actions"] = [_action(rng, pm, j, action, day) for j, action in enumerate(pm.actions)]
    record["timeline"] = [{"at": iso_ts(at), "event": event} for at, event, _ in pm.timeline]
    record["whys"] = [PHRASES[pm.lang]["why"].format(question=q, answer=a) for q, a in pm.whys]
    record["lessons"] = [f"{title}: {text}" for title, text in pm.lessons]
    return record


def _identity(rng: random.Random, pm: PostMortem, day) -> dict:
    record: dict = {"id": pm.id, "title": pm.title, "incident_date": day(pm.date)}
    if pm.pm_date is not None:
        record["postmortem_date"] = day(pm.pm_date)
    record["author"] = pm.author
    record["participants"] = pm.participants
    record["severity"] = pm.severity if rng.random() < 0.92 else rng.choice(SEVERITY_SPELLINGS["en"][pm.severity])
    record["team"] = pm.team
    record["service"] = pm.service
    return record


def _times(rng: random.Random, pm: PostMortem) -> dict:
    t = pm.times
    detected = t.start - timedelta(minutes=7) if pm.planted_detect else t.detect
    record = {"started_at": iso_ts(t.start), "detected_at": iso_ts(detected), "acknowledged_at": iso_ts(t.ack),
              "mitigated_at": iso_ts(t.mitigate), "resolved_at": iso_ts(t.resolve)}
    if not pm.planted_detect and rng.random() < 0.35:  # also as durations from the start
        for key, step in (("time_to_detect", "detect"), ("time_to_acknowledge", "ack"),
                          ("time_to_mitigate", "mitigate"), ("time_to_resolve", "resolve")):
            record[key] = duration_structured(getattr(pm.timing, step), rng)
    return record


def _action(rng: random.Random, pm: PostMortem, j: int, action: Action, day) -> dict:
    record = {"description": action.description, "owner": action.owner, "due": action.due_raw or day(action.due),
              "priority": action.priority if rng.random() < 0.9 else PRIORITY_MARKDOWN["en"][action.priority],
              "status": "parked" if pm.planted_status == j else structured_status(rng, action.status)}
    if action.ticket:
        record["ticket"] = action.ticket
    if action.completed_at:
        record["completed_at"] = day(action.completed_at)
    if action.blocked_since:
        record["blocked_since"] = day(action.blocked_since)
    return record


def _blank(value):
    return "" if value is None else value


def postmortem_row(pm: PostMortem) -> list:
    t, impact = pm.times, pm.impact
    return [pm.id, pm.title, pm.date.isoformat(), pm.pm_date.isoformat() if pm.pm_date else "", pm.author,
            pm.severity, pm.team, pm.service, iso_ts(t.start), iso_ts(t.detect), iso_ts(t.ack), iso_ts(t.mitigate),
            iso_ts(t.resolve), _blank(impact.users_affected), _blank(impact.failed_requests),
            _blank(impact.lost_transactions), _blank(impact.estimated_cost), str(impact.customer_impact).lower(),
            str(pm.near_miss).lower(), ";".join(pm.causes), pm.root_cause, pm.summary, ";".join(pm.tags),
            ";".join(pm.readers)]


def action_row(rng: random.Random, pm: PostMortem, action: Action) -> list:
    return [pm.id, action.description, action.owner, action.due.isoformat(), action.priority,
            structured_status(rng, action.status), _blank(action.ticket),
            action.completed_at.isoformat() if action.completed_at else "",
            action.blocked_since.isoformat() if action.blocked_since else ""]
