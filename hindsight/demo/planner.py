"""The plan of a demo corpus: which incidents happen, in which file format each post-mortem is written,
and which files carry a quirk a parser must cope with (planted problems, encodings, tracker updates).

Everything is drawn from the one seeded generator, in a fixed order: the committed corpus (data/demo) is
byte-identical for the same count and seed only while these calls stay in this order."""

from __future__ import annotations

import math
import random
from collections import Counter
from datetime import date, timedelta

from hindsight.demo.content import fill_content
from hindsight.demo.model import (CAUSE_WEIGHTS, CAUSES, RANGE_END, REF_TODAY, SEVERITIES, SEVERITY_WEIGHTS,
                                  Organisation, Plan, PostMortem, Timing, Tracker)
from hindsight.demo.organisation import organisation_for

MARKDOWN_FORMATS = ("markdown", "frontmatter")
LINKABLE = ("json", "yaml", "frontmatter")  # formats that carry an id, so recurrence_of can point at them


def plan_corpus(rng: random.Random, count: int) -> Plan:
    organisation = organisation_for(count)
    postmortems = _skeletons(rng, count, organisation)
    _assign_formats(rng, postmortems)
    _link_clusters(rng, postmortems)
    _force_long_incidents(rng, postmortems)
    for pm in postmortems:
        fill_content(rng, pm, organisation.teams[pm.team])
    plan = Plan(count, organisation, postmortems, trackers=[], planted={}, taken=set())
    _plant_problems(rng, plan)
    _plan_trackers(rng, plan)
    _mark_encodings(rng, plan)
    return plan


# ---------------------------------------------------------------- incidents


def _skeletons(rng: random.Random, count: int, organisation: Organisation) -> list[PostMortem]:
    teams, first_day = organisation.teams, organisation.first_day
    names = list(teams)
    postmortems = _clusters(rng, count, organisation)
    for _ in range(5 if count >= 50 else count // 10):  # recent, still waiting for their post-mortem
        team = rng.choice(names)
        postmortems.append(PostMortem(date=date(2026, 10, 1) + timedelta(days=rng.randint(0, 40)), team=team,
                                      service=rng.choice(teams[team]["services"]),
                                      cause=rng.choices(CAUSES, CAUSE_WEIGHTS)[0], recent_no_pm=True))
    span = (RANGE_END - first_day).days
    while len(postmortems) < count:
        team = rng.choice(names)
        postmortems.append(PostMortem(date=first_day + timedelta(days=rng.randint(0, span)), team=team,
                                      service=rng.choice(teams[team]["services"]),
                                      cause=rng.choices(CAUSES, CAUSE_WEIGHTS)[0]))
    for pm in postmortems:
        _draw_incident(rng, pm)
    postmortems.sort(key=lambda pm: (pm.date, pm.start_min, pm.service))
    per_year: Counter = Counter()
    for pm in postmortems:
        per_year[pm.date.year] += 1
        pm.id = f"PM-{pm.date.year}-{per_year[pm.date.year]:03d}"
    return postmortems


def _clusters(rng: random.Random, count: int, organisation: Organisation) -> list[PostMortem]:
    """A few services with 3 to 5 incidents of one cause within 90 days: recurrences to find."""
    n_clusters = min(8, count // 45) or (1 if count >= 12 else 0)
    all_services = [(team, service) for team, about in organisation.teams.items() for service in about["services"]]
    first_day = organisation.first_day
    postmortems = []
    for cluster, (team, service) in enumerate(rng.sample(all_services, n_clusters)):
        cause = rng.choice(["code", "monitoring", "environment", "code", "tools", "external"])
        size = rng.randint(3, 5)
        anchor = first_day + timedelta(days=rng.randint(0, (date(2026, 8, 1) - first_day).days))
        offsets = sorted(rng.sample(range(0, 88), size))
        for offset in offsets:
            postmortems.append(PostMortem(date=anchor + timedelta(days=offset - offsets[0]), team=team,
                                          service=service, cause=cause, cluster=cluster))
    return postmortems


def _draw_incident(rng: random.Random, pm: PostMortem) -> None:
    pm.start_min = rng.randint(8 * 60, 19 * 60) if rng.random() < 0.7 else rng.randint(0, 24 * 60 - 1)
    pm.severity = rng.choices(SEVERITIES, SEVERITY_WEIGHTS)[0]
    pm.near_miss = pm.severity in ("P3", "P4") and rng.random() < 0.1
    pm.lang = "fr" if rng.random() < 0.4 else "en"
    pm.timing = _timing(rng)


def _timing(rng: random.Random) -> Timing:
    """Skewed durations: most incidents last under an hour or two, one in ten lasts many hours."""
    if rng.random() < 0.9:
        total = int(min(720, max(15, rng.lognormvariate(math.log(50), 0.7))))
    else:
        total = int(min(4300, max(180, rng.lognormvariate(math.log(600), 0.9))))
    if rng.random() < 0.92:
        ttd = int(min(15, max(1, rng.lognormvariate(math.log(5), 0.6))))
    else:
        ttd = rng.randint(16, 90)
    ttd = max(1, min(ttd, int(total * 0.4)))
    tta = rng.randint(1, 6)
    if total - ttd - tta < 4:
        total = ttd + tta + rng.randint(5, 20)
    ack = ttd + tta
    identify = ack + max(1, int((total - ack) * rng.uniform(0.2, 0.5)))
    mitigate = identify + max(1, int((total - identify) * rng.uniform(0.3, 0.8)))
    return Timing(detect=ttd, ack=ack, identify=identify, mitigate=min(mitigate, total - 1), resolve=total)


def _force_long_incidents(rng: random.Random, postmortems: list[PostMortem]) -> None:
    """Three plain Markdown incidents cross midnight (full timestamps in the timeline), one lasts days."""
    candidates = [pm for pm in postmortems if pm.format == "markdown" and not pm.recent_no_pm]
    forced = rng.sample(candidates, min(4, len(candidates)))
    for pm in forced[:3]:
        pm.start_min = 23 * 60 + rng.randint(15, 55)
        if pm.timing.resolve < 40:
            pm.timing = Timing(detect=4, ack=7, identify=20, mitigate=38, resolve=40 + rng.randint(5, 90))
    for pm in forced[3:]:
        if pm.timing.resolve < 1440:
            total = rng.randint(1500, 4000)
            pm.timing = Timing(detect=rng.randint(2, 15), ack=18, identify=rng.randint(60, 600),
                               mitigate=total - rng.randint(30, 300), resolve=total)


# ---------------------------------------------------------------- formats


def _assign_formats(rng: random.Random, postmortems: list[PostMortem]) -> None:
    n = len(postmortems)
    counts = {"json": round(n * 0.15), "yaml": round(n * 0.10), "csv": round(n * 0.10), "frontmatter": round(n * 0.10)}
    if n >= 10:
        counts = {k: max(1, v) for k, v in counts.items()}
    labels = ["markdown"] * (n - sum(counts.values()))
    for label, k in counts.items():
        labels += [label] * k
    rng.shuffle(labels)
    for pm, label in zip(postmortems, labels):
        pm.format = label


def _link_clusters(rng: random.Random, postmortems: list[PostMortem]) -> None:
    """Every second cluster is written only in formats with an id, and its incidents say what they recur on."""
    clusters: dict[int, list[PostMortem]] = {}
    for pm in postmortems:
        if pm.cluster is not None:
            clusters.setdefault(pm.cluster, []).append(pm)
    donors = [pm for pm in postmortems if pm.cluster is None and pm.format in LINKABLE]
    for cluster, members in clusters.items():
        if cluster % 2:
            continue
        for member in members:
            if member.format not in LINKABLE and donors:
                donor = donors.pop(rng.randrange(len(donors)))
                member.format, donor.format = donor.format, member.format
    for members in clusters.values():
        first = members[0]
        for k, member in enumerate(members[1:], start=1):
            if member.format not in LINKABLE:
                continue
            target = first if rng.random() < 0.7 else members[k - 1]
            if target.format in LINKABLE + ("csv",) and (first.cluster % 2 == 0 or rng.random() < 0.6):
                member.recurrence_of = [target.id]


# ---------------------------------------------------------------- quirks


def _pick(rng: random.Random, plan: Plan, candidates: list[PostMortem]) -> PostMortem | None:
    """One candidate whose file has no quirk yet; it is taken."""
    candidates = [pm for pm in candidates if pm.id not in plan.taken]
    if not candidates:
        return None
    chosen = rng.choice(candidates)
    plan.taken.add(chosen.id)
    return chosen


def _plant_problems(rng: random.Random, plan: Plan) -> None:
    """One file per partial problem the pipeline must report while loading the rest of the file."""
    postmortems = plan.postmortems
    front = [pm for pm in postmortems if pm.format == "frontmatter"]
    chosen = _pick(rng, plan, [pm for pm in front if pm.lang == "en"] or front)
    if chosen:
        chosen.actions[0].due_raw = "next sprint"
        plan.planted["bad_due_date"] = chosen
    chosen = _pick(rng, plan, [pm for pm in postmortems if pm.format == "yaml"])
    if chosen:
        chosen.planted_status = len(chosen.actions) - 1
        plan.planted["unknown_status"] = chosen
    plain = [pm for pm in postmortems if pm.format == "markdown"]
    _show_blocked_in_markdown(rng, plan, plain)
    french = [pm for pm in plain if pm.lang == "fr" and pm.id not in plan.taken]
    for pm in rng.sample(french, min(3, len(french))):
        pm.encoding = "mac_roman"
        plan.taken.add(pm.id)
    chosen = _pick(rng, plan, [pm for pm in plain if not pm.encoding and pm.times.resolve.date() == pm.date])
    if chosen:
        chosen.planted_timeline = True
        plan.planted["timeline_out_of_order"] = chosen
    chosen = _pick(rng, plan, [pm for pm in postmortems if pm.format == "json"])
    if chosen:
        chosen.planted_detect = True
        plan.planted["detected_before_start"] = chosen


def _show_blocked_in_markdown(rng: random.Random, plan: Plan, plain: list[PostMortem]) -> None:
    """Blocked actions are rare in Markdown (it cannot say since when); each language shows the word once."""
    for lang in ("en", "fr"):
        candidates = [pm for pm in plain if pm.lang == lang and pm.id not in plan.taken]
        if candidates and not any(a.status == "blocked" for pm in candidates for a in pm.actions):
            chosen = _pick(rng, plan, candidates)
            action = chosen.actions[-1]
            action.status, action.completed_at = "blocked", None
            action.blocked_since = min(chosen.date + timedelta(days=rng.randint(2, 20)), REF_TODAY - timedelta(days=1))
        elif candidates:
            plan.taken.update(pm.id for pm in candidates if any(a.status == "blocked" for a in pm.actions))


def _plan_trackers(rng: random.Random, plan: Plan) -> None:
    """Tracker documents that update the actions of 2 to 4 Markdown post-mortems of one team. Planned
    before the Markdown is written: a post-mortem shows an earlier status than its tracker."""
    by_team = _tracker_candidates(plan)
    teams = [team for team in plan.organisation.teams if len(by_team.get(team, [])) >= 2]
    rng.shuffle(teams)
    wanted = 6 if plan.count >= 100 else 4
    for i in range(len(teams) * 3):
        if len(plan.trackers) == wanted:
            break
        team = teams[i % len(teams)]
        candidates = [pm for pm in by_team[team] if pm.id not in plan.taken]
        k = rng.randint(2, 4)
        if len(candidates) < k:
            continue
        group = _tracker_group(rng, candidates, k, recent=i % 2 == 0)
        plan.taken.update(pm.id for pm in group)
        review = min(max(pm.pm_date for pm in group) + timedelta(days=rng.randint(2, 14)), REF_TODAY)
        plan.trackers.append(Tracker(team, group, review, rng.choice(["fr", "en"])))
        for pm in group:
            _tracker_statuses(rng, pm, review)


def _tracker_candidates(plan: Plan) -> dict[str, list[PostMortem]]:
    """Markdown post-mortems a tracker can name unambiguously (title and date), written a while ago."""
    markdown = [pm for pm in plan.postmortems if pm.format in MARKDOWN_FORMATS]
    seen = Counter((pm.title, pm.date) for pm in markdown)
    by_team: dict[str, list[PostMortem]] = {}
    for pm in markdown:
        if (pm.pm_date is not None and pm.id not in plan.taken and seen[(pm.title, pm.date)] == 1
                and pm.pm_date < REF_TODAY - timedelta(days=3)):
            by_team.setdefault(pm.team, []).append(pm)
    return by_team


def _tracker_group(rng: random.Random, candidates: list[PostMortem], k: int, recent: bool) -> list[PostMortem]:
    """k consecutive post-mortems, close in time when possible; every second tracker a recent one."""
    starts = list(range(len(candidates) - k + 1))
    recent_starts = [j for j in starts if candidates[j].date >= REF_TODAY - timedelta(days=200)]
    if recent and recent_starts:
        starts = recent_starts
    tight = [j for j in starts if (candidates[j + k - 1].date - candidates[j].date).days <= 60]
    first = rng.choice(tight or starts)
    return candidates[first:first + k]


def _tracker_statuses(rng: random.Random, pm: PostMortem, review: date) -> None:
    """The tracker shows each action's status as of the review date; the post-mortem (written earlier)
    shows that status or an earlier one."""
    pm.tracker_status, shown = [], {}
    for j, action in enumerate(pm.actions):
        status = action.status
        if status == "done" and action.completed_at > review:
            status = "in_progress"
        elif status == "blocked" and action.blocked_since > review:
            status = "in_progress"
        pm.tracker_status.append(status)
        if status == "done" and rng.random() < 0.6:
            shown[j] = rng.choice(["todo", "in_progress"])
        elif status == "in_progress" and rng.random() < 0.5:
            shown[j] = "todo"
        else:
            shown[j] = status
    pm.md_status_override = shown


def _mark_encodings(rng: random.Random, plan: Plan) -> None:
    """Five Markdown files get a byte order mark and five Windows line ends. (One cp1252 mojibake is
    chosen while writing: the first French file whose UTF-8 bytes all exist in cp1252.)"""
    rest = [pm for pm in plan.postmortems
            if pm.format in MARKDOWN_FORMATS and not pm.encoding and pm.id not in plan.taken]
    for k, pm in enumerate(rng.sample(rest, min(10, len(rest)))):
        pm.encoding = "bom" if k % 2 == 0 else "crlf"
