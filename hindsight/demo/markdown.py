"""A demo post-mortem as Markdown in the practice guide's template (English or French), and its
optional YAML front matter."""

from __future__ import annotations

import random
from datetime import date

import yaml

from hindsight.demo.formatting import big_int, duration_md, iso_ts
from hindsight.demo.model import Action, PostMortem
from hindsight.demo.wording import MARKDOWN, PRIORITY_MARKDOWN, PRIORITY_P, SEVERITY_SPELLINGS, STATUS_MARKDOWN

ACTION_TABLE = ["| Action | Owner | Deadline | Priority | Status | PR/Ticket |",
                "|--------|-------|----------|----------|--------|-----------|"]


class Variety:
    """rng stand-in for rendering: each list of spellings is used in full before repeating at random,
    so that every variant shows up somewhere in the corpus."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: dict[tuple, set] = {}

    def random(self) -> float:
        return self.rng.random()

    def choice(self, options):
        used = self.used.setdefault(tuple(options), set())
        for o in options:
            if o not in used:
                used.add(o)
                return o
        return self.rng.choice(options)


def render_markdown(rng: Variety, pm: PostMortem) -> str:
    label = MARKDOWN[pm.lang]
    slash = pm.lang == "fr" and rng.random() < 0.25  # a quarter of French files write dates DD/MM/YYYY

    def day(d: date) -> str:
        return d.strftime("%d/%m/%Y") if slash else d.isoformat()

    lines = _header(rng, pm, label, day)
    lines += _impact_table(rng, pm, label)
    lines += _timeline_table(pm, label)
    lines += _root_cause(pm, label)
    lines += [label["went_well"], "", *[f"- {x}" for x in pm.went_well], ""]
    lines += [label["improve"], "", *[f"- {x}" for x in pm.improve], ""]
    lines += _action_table(rng, pm, label, day)
    lessons = [label["lesson"].format(n=i, title=t, text=x) for i, (t, x) in enumerate(pm.lessons, 1)]
    lines += [label["lessons"], "", *lessons, ""]
    return "\n".join(lines)


def _header(rng: Variety, pm: PostMortem, label: dict, day) -> list[str]:
    lines = [f"# Post-Mortem: {pm.title}", "", f"**{label['incident_date']}**: {day(pm.date)}",
             f"**{label['author']}**: {pm.author}"]
    if pm.pm_date is not None:
        lines.append(f"**{label['postmortem_date']}**: {day(pm.pm_date)}")
    severity = pm.severity if rng.random() < 0.75 else rng.choice(SEVERITY_SPELLINGS[pm.lang][pm.severity])
    lines += [f"**Participants**: {', '.join(pm.participants)}", f"**{label['team']}**: {pm.team}",
              f"**Service**: {pm.service}", f"**{label['severity']}**: {severity}",
              f"**{label['cause_category']}**: {pm.cause}", ""]
    return lines + [label["summary"], "", pm.summary, ""]


def _impact_table(rng: Variety, pm: PostMortem, label: dict) -> list[str]:
    def na() -> str:
        return rng.choice(["N/A", "N/A", "-"])

    impact, lang = pm.impact, pm.lang
    lines = ["## Impact", "", *label["impact_table"], f"| {label['duration']} | {duration_md(pm.duration, rng)} |"]
    u = impact.users_affected
    users = na() if u is None else (("~" if u >= 1000 and rng.random() < 0.5 else "") + big_int(u, lang))
    lines.append(f"| {label['users_affected']} | {users} |")
    f = impact.failed_requests
    lines.append(f"| {label['failed_requests']} | {na() if f is None else big_int(f, lang) if rng.random() < 0.4 else f} |")
    lost = impact.lost_transactions
    lines.append(f"| {label['lost_transactions']} | {na() if lost is None else lost} |")
    c = impact.estimated_cost
    if c is None:
        cost = na()
    elif lang == "fr":
        cost = rng.choice([f"{c}€", f"{big_int(c, 'fr')} €"])
    else:
        cost = rng.choice([f"€{c:,}", f"{c}€", f"{c} EUR"])
    return lines + [f"| {label['estimated_cost']} | {cost} |", ""]


def _timeline_table(pm: PostMortem, label: dict) -> list[str]:
    lines = ["## Timeline (UTC)", "", *label["timeline_table"]]
    events = list(pm.timeline)
    if pm.planted_timeline:  # the identification row swapped with a later one
        i = next(k for k, e in enumerate(events) if e[2] == "identify")
        j = next(k for k in range(i + 1, len(events)) if events[k][0] > events[i][0])
        events[i], events[j] = events[j], events[i]
    for at, event, _ in events:
        ts = at.strftime("%H:%M") if at.date() == pm.date else at.strftime("%Y-%m-%d %H:%M")
        lines.append(f"| {ts} | {event} |")
    return lines + [""]


def _root_cause(pm: PostMortem, label: dict) -> list[str]:
    lines = [label["root_cause"], "", label["what_happened"], "", pm.root_cause, "", label["why_it_happened"], "",
             "**5 Whys Analysis**:", ""]
    for i, (question, answer) in enumerate(pm.whys, 1):
        lines += [label["why"].format(n=i, question=question), f"   → {answer}", ""]
    return lines


def _action_table(rng: Variety, pm: PostMortem, label: dict, day) -> list[str]:
    headings = label["actions"]  # English has two; French one
    heading = headings[1] if len(headings) > 1 and rng.random() < 0.3 else headings[0]
    rows = [_action_row(rng, pm, j, action, label, day) for j, action in enumerate(pm.actions)]
    return [heading, "", *ACTION_TABLE, *rows, ""]


def _action_row(rng: Variety, pm: PostMortem, j: int, action: Action, label: dict, day) -> str:
    shown = pm.md_status_override
    due = action.due_raw or day(action.due)
    if rng.random() < 0.1:
        priority = rng.choice(PRIORITY_P[action.priority])
    else:
        priority = PRIORITY_MARKDOWN[pm.lang if rng.random() < 0.85 else "en"][action.priority]
    status = rng.choice(STATUS_MARKDOWN[pm.lang][shown.get(j, action.status)])
    # Teams date what they close or block in the status cell; the pipeline reads it.
    if j not in shown and action.status == "done" and action.completed_at:
        status += f" ({day(action.completed_at)})"
    elif j not in shown and action.status == "blocked" and action.blocked_since:
        status += f" ({label['blocked_since']} {day(action.blocked_since)})"
    return f"| {action.description} | {action.owner} | {due} | {priority} | {status} | {action.ticket or '-'} |"


def front_matter(rng: random.Random, pm: PostMortem) -> str:
    fm: dict = {"id": pm.id, "team": pm.team, "service": pm.service, "severity": pm.severity,
                "cause_category": pm.causes if len(pm.causes) > 1 else pm.cause, "tags": pm.tags,
                "readers": pm.readers}
    if pm.recurrence_of:
        fm["recurrence_of"] = pm.recurrence_of
    fm["near_miss"] = pm.near_miss
    fm["customer_impact"] = pm.impact.customer_impact
    if rng.random() < 0.6:
        for key, step in (("started_at", "start"), ("detected_at", "detect"), ("acknowledged_at", "ack"),
                          ("mitigated_at", "mitigate"), ("resolved_at", "resolve")):
            fm[key] = iso_ts(getattr(pm.times, step))
    body = yaml.safe_dump(fm, sort_keys=False, allow_unicode=True, default_flow_style=None)
    return "---\n" + body + "---\n\n"
