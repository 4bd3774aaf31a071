"""What each demo post-mortem says: its title, times, people, impact, texts, timeline and actions.

Every draw comes from the corpus's one seeded generator, in a fixed order: changing the order of the
calls below changes every file after the first post-mortem."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from hindsight.demo.formatting import add_business_days, duration_md, fill
from hindsight.demo.model import (CAUSES, KIND_WEIGHTS, PRIORITIES, PRIORITY_WEIGHTS, REF_TODAY, Action, Impact,
                                  PostMortem, Times)
from hindsight.demo.wording import CAUSE_TEXT, DETECT, EXTRA_EVENTS, GENERAL, KINDS, NEAR_MISS_TITLES, PHRASES, SYMPTOMS

# (customer impact probability, users affected range, estimated cost range) by severity
IMPACT_BY_SEVERITY = {"P1": (0.92, (5000, 80000), (5000, 80000)), "P2": (0.7, (500, 12000), (800, 15000)),
                      "P3": (0.4, (50, 2500), (100, 3000)), "P4": (0.15, (0, 300), (0, 500))}
TRANSACTION_TEAMS = ("payments", "checkout")  # the teams that count lost transactions


def fill_content(rng: random.Random, pm: PostMortem, team: dict) -> None:
    """team: the post-mortem's team in the organisation (services, providers, members)."""
    pm.provider = rng.choice(team["providers"])
    pm.version = f"v{rng.randint(1, 5)}.{rng.randint(0, 12)}.{rng.randint(0, 9)}"
    _title(rng, pm)
    pm.times = _times(pm)
    pm.pm_date = _postmortem_date(rng, pm)
    _people(rng, pm, team["members"])
    pm.impact = _impact(rng, pm)
    _texts(rng, pm)
    pm.timeline = _timeline(rng, pm)
    pm.actions = _actions(rng, pm, team["members"])


def _title(rng: random.Random, pm: PostMortem) -> None:
    if pm.near_miss:
        pm.kind = "near-miss"
        pm.title = rng.choice(NEAR_MISS_TITLES)[pm.lang].format(service=pm.service)
    else:
        pm.kind = rng.choices(list(KINDS), [KIND_WEIGHTS[k] for k in KINDS])[0]
        pm.title = KINDS[pm.kind][pm.lang].format(service=pm.service)


def _times(pm: PostMortem) -> Times:
    start = datetime(pm.date.year, pm.date.month, pm.date.day) + timedelta(minutes=pm.start_min)
    steps = ("detect", "ack", "identify", "mitigate", "resolve")
    return Times(start=start, **{k: start + timedelta(minutes=getattr(pm.timing, k)) for k in steps})


def _postmortem_date(rng: random.Random, pm: PostMortem) -> date | None:
    if pm.recent_no_pm:
        return None
    if rng.random() < 0.15:
        written = pm.date + timedelta(days=rng.randint(10, 40))
    else:
        written = add_business_days(pm.date, rng.randint(1, 5))
    return min(written, REF_TODAY)


def _people(rng: random.Random, pm: PostMortem, members: list) -> None:
    author = rng.choice(members)
    others = rng.sample([m for m in members if m != author], rng.randint(1, min(3, len(members) - 1)))
    pm.author = author[0]
    pm.participants = [author[0]] + [m[0] for m in others]
    handles = ["@" + m[1] for m in members]
    pm.readers = sorted(rng.sample(handles, rng.randint(1, len(handles))), key=handles.index)


def _impact(rng: random.Random, pm: PostMortem) -> Impact:
    if pm.near_miss:
        return Impact(False, 0, 0, None, rng.choice([None, 0]))
    chance, (lo, hi), (cost_lo, cost_hi) = IMPACT_BY_SEVERITY[pm.severity]
    customer_impact = rng.random() < chance
    users = round(rng.randint(lo, hi), -1) if customer_impact else rng.randint(0, 40)
    failed = users * rng.randint(1, 6) + rng.randint(0, 99)
    lost = int(users * rng.uniform(0.02, 0.3)) if pm.team in TRANSACTION_TEAMS else None
    cost = round(rng.randint(cost_lo, cost_hi), -1)
    # Real exports leave some of these blank.
    if rng.random() < 0.15:
        users = None
    if rng.random() < 0.2:
        failed = None
    if rng.random() < 0.25:
        cost = None
    return Impact(customer_impact, users, failed, lost, cost)


def _texts(rng: random.Random, pm: PostMortem) -> None:
    lang, text = pm.lang, CAUSE_TEXT[pm.cause]
    pm.short = fill(rng.choice(text["short"][lang]), pm)
    follow = " " + fill(text["follow"][lang], pm) if rng.random() < 0.8 else ""
    pm.root_cause = PHRASES[lang]["root_cause"].format(short=pm.short) + follow
    pm.summary = _summary(pm)
    pm.whys = [(fill(q, pm), fill(a, pm)) for q, a in text["whys"][lang]]
    pm.lessons = rng.sample(text["lessons"][lang] + GENERAL["lessons"][lang], rng.randint(2, 3))
    pm.went_well = rng.sample(GENERAL["went_well"][lang], rng.randint(2, 4))
    improve = [fill(x, pm) for x in text["improve"][lang] + GENERAL["improve"][lang]]
    pm.improve = rng.sample(improve, rng.randint(2, 4))
    secondary = [c for c in CAUSES if c != pm.cause]
    pm.causes = [pm.cause] + ([rng.choice(secondary)] if rng.random() < 0.2 else [])
    pm.tags = [pm.cause, pm.service] + rng.sample(text["tags"], rng.randint(1, min(2, len(text["tags"]))))
    if pm.near_miss:
        pm.tags.append("near-miss")


def _summary(pm: PostMortem) -> str:
    say = PHRASES[pm.lang]
    when = pm.date.strftime(say["date"])
    duration = duration_md(pm.duration, random.Random(0))  # the summary always spells it one way
    if pm.near_miss:
        return say["summary_near_miss"].format(date=when, service=pm.service, short=pm.short, duration=duration)
    mitigation = say["rollback"] if pm.cause == "code" else fill(CAUSE_TEXT[pm.cause]["mitigation"][pm.lang], pm)
    return say["summary"].format(date=when, service=pm.service, symptom=SYMPTOMS[pm.kind][pm.lang],
                                 duration=duration, short=pm.short, mitigation=mitigation)


def _timeline(rng: random.Random, pm: PostMortem) -> list[tuple[datetime, str, str]]:
    say, t, lang = PHRASES[pm.lang], pm.times, pm.lang
    events = [(t.start, _start_event(rng, pm), "start")]
    events.append((t.detect, fill(rng.choice(DETECT[lang]), pm), "detect"))
    if rng.random() < 0.9:
        events.append((t.ack, say["acknowledge"], "acknowledge"))
    events.append((t.identify, say["identify"].format(short=pm.short), "identify"))
    if pm.cause == "code" and rng.random() < 0.75:
        mitigated = say["rollback_done"]
    else:
        mitigated = say["mitigate"].format(mitigation=fill(CAUSE_TEXT[pm.cause]["mitigation"][lang], pm))
    events.append((t.mitigate, mitigated, "mitigate"))
    events.append((t.resolve, say["resolve"], "resolve"))
    for event in rng.sample(EXTRA_EVENTS[lang], rng.choice([0, 1, 1, 2, 3])):
        span = int((t.mitigate - t.ack).total_seconds() // 60)
        events.append((t.ack + timedelta(minutes=rng.randint(0, max(0, span))), fill(event, pm), "other"))
    events.sort(key=lambda e: e[0])
    return events


def _start_event(rng: random.Random, pm: PostMortem) -> str:
    say = PHRASES[pm.lang]
    if pm.cause in ("code", "tools"):
        return say["deploy"].format(version=pm.version)
    if pm.cause in ("process", "people"):
        return say["change"].format(change=f"CHG-{rng.randint(1000, 9999)}")
    if pm.cause == "external":
        return say["start_external"].format(provider=pm.provider)
    return say["start"].format(service=pm.service)


def _actions(rng: random.Random, pm: PostMortem, members: list) -> list[Action]:
    structured = pm.format in ("json", "yaml", "csv")
    age = (REF_TODAY - pm.date).days
    pool = [fill(a, pm) for a in CAUSE_TEXT[pm.cause]["actions"][pm.lang] + GENERAL["actions"][pm.lang]]
    return [_action(rng, pm, text, members, age, structured) for text in rng.sample(pool, rng.randint(2, 6))]


def _action(rng: random.Random, pm: PostMortem, text: str, members: list, age: int, structured: bool) -> Action:
    due = pm.date + timedelta(days=rng.randint(7, 45))
    owner = "@" + rng.choice(members)[1]
    priority = rng.choices(PRIORITIES, PRIORITY_WEIGHTS)[0]
    action = Action(text, owner, due, priority, _action_status(rng, age, structured))
    if rng.random() < 0.65:
        action.ticket = rng.choice([f"JIRA-{rng.randint(100, 4999)}", f"PR#{rng.randint(10, 2999)}",
                                    f"OPS-{rng.randint(10, 999)}"])
    if action.status == "done":
        action.completed_at = _completed(rng, pm, due)
    elif action.status == "blocked":
        action.blocked_since = min(pm.date + timedelta(days=rng.randint(2, 20)), REF_TODAY - timedelta(days=1))
    return action


def _completed(rng: random.Random, pm: PostMortem, due: date) -> date:
    """When a done action was closed: mostly by its due date, sometimes late (a late rate to measure)."""
    lo = pm.pm_date or pm.date + timedelta(days=1)
    if due < lo:
        closed = lo + timedelta(days=rng.randint(0, 10))
    elif due < REF_TODAY and rng.random() < 0.15:
        closed = due + timedelta(days=rng.randint(1, 30))
    else:
        closed = lo + timedelta(days=rng.randint(0, (due - lo).days))
    return max(pm.date + timedelta(days=1), min(closed, REF_TODAY))


def _action_status(rng: random.Random, age: int, structured: bool) -> str:
    """Older incidents have more actions done. Markdown cannot say since when an action is blocked, so
    blocked actions are rare there."""
    if age < 45:
        opts = [("todo", 40), ("in_progress", 35), ("done", 15), ("blocked", 12 if structured else 2), ("cancelled", 2)]
    elif age < 120:
        opts = [("done", 60), ("in_progress", 15), ("todo", 10), ("blocked", 9 if structured else 1), ("cancelled", 5)]
    else:
        opts = [("done", 85), ("cancelled", 7), ("in_progress", 3), ("todo", 3), ("blocked", 5 if structured else 0.5)]
    return rng.choices([o[0] for o in opts], [o[1] for o in opts])[0]
