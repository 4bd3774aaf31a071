"""The organisation a demo corpus describes, grown with the count so that a large corpus looks like a
real organisation's, not the same 23 services failing every week.

What stays constant is the density of the committed corpus (300 post-mortems, 23 services, 862 days):
about 5.5 post-mortems per service a year, so that about the same share of incidents recur (an earlier
incident on the same service and cause within 180 days: 39% at 300). Up to BASE_COUNT post-mortems,
the corpus is the nine teams of wording.yaml from RANGE_START to RANGE_END. Above it, the span grows
first, up to MAX_SPAN_GROWTH times (about 9.4 years), then the number of services: teams named after
wording.yaml's more_teams domains join until there are enough."""

from __future__ import annotations

import random
from datetime import timedelta

from hindsight.demo.model import RANGE_END, RANGE_START, Organisation
from hindsight.demo.wording import MORE_TEAMS, TEAMS

BASE_COUNT = 300
MAX_SPAN_GROWTH = 4
BASE_SERVICES = sum(len(team["services"]) for team in TEAMS.values())


def organisation_for(count: int) -> Organisation:
    growth = max(1.0, count / BASE_COUNT)
    span_growth = min(growth, MAX_SPAN_GROWTH)
    days = round((RANGE_END - RANGE_START).days * span_growth)
    return Organisation(teams=_teams(round(BASE_SERVICES * growth / span_growth)),
                        first_day=RANGE_END - timedelta(days=days))


def _teams(services: int) -> dict[str, dict]:
    """The nine teams, then more until they run at least this many services."""
    teams = dict(TEAMS)
    people = [member for team in TEAMS.values() for member in team["members"]]
    k, running = 0, BASE_SERVICES
    while running < services:
        domain = MORE_TEAMS[k % len(MORE_TEAMS)]
        suffix = f"-{k // len(MORE_TEAMS) + 1}" if k >= len(MORE_TEAMS) else ""
        name = domain["name"] + suffix
        teams[name] = {"services": [service + suffix for service in domain["services"]],
                       "providers": domain["providers"], "members": _members(random.Random(name), people)}
        k, running = k + 1, running + len(domain["services"])
    return teams


def _members(rng: random.Random, people: list) -> list[list[str]]:
    """4 to 8 people with first names (and handles) from the nine teams, and other last names. Drawn from
    a generator of the team's own, so the organisation is the same whatever the corpus's seed."""
    last_names = [name.split(" ", 1)[1] for name, _ in people]
    return [[f"{name.split(' ', 1)[0]} {rng.choice(last_names)}", handle]
            for name, handle in rng.sample(people, rng.randint(4, 8))]
