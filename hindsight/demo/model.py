"""What a demo corpus is made of: its calendar, the distributions it draws from, and the plan of every
post-mortem (what happened, what it says, and how its file is written)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

REF_TODAY = date(2026, 11, 15)
RANGE_START = date(2024, 7, 1)
RANGE_END = date(2026, 11, 10)

SEVERITIES = ["P1", "P2", "P3", "P4"]
SEVERITY_WEIGHTS = [8, 25, 40, 27]
CAUSES = ["process", "people", "tools", "environment", "monitoring", "code", "external"]
CAUSE_WEIGHTS = [11, 7, 10, 13, 20, 29, 10]
PRIORITIES = ["high", "medium", "low"]
PRIORITY_WEIGHTS = [30, 45, 25]
KIND_WEIGHTS = {"latency": 28, "outage": 16, "errors": 26, "degradation": 14, "data-inconsistency": 7, "backlog": 9}


@dataclass
class Timing:
    """Minutes from the start of the incident to each step."""
    detect: int
    ack: int
    identify: int
    mitigate: int
    resolve: int


@dataclass
class Times:
    start: datetime
    detect: datetime
    ack: datetime
    identify: datetime
    mitigate: datetime
    resolve: datetime


@dataclass
class Impact:
    customer_impact: bool
    users_affected: int | None
    failed_requests: int | None
    lost_transactions: int | None
    estimated_cost: int | None


@dataclass(eq=False)
class Action:
    description: str
    owner: str
    due: date
    priority: str
    status: str
    ticket: str | None = None
    completed_at: date | None = None
    blocked_since: date | None = None
    due_raw: str | None = None  # planted: a due date no parser can read


@dataclass(eq=False)
class PostMortem:
    """One planned post-mortem. Drawn first: the incident (date, team, service, cause, severity, timing);
    then its content; then the quirks of its file (format, encoding, planted problems)."""
    date: date
    team: str
    service: str
    cause: str
    cluster: int | None = None        # recurrence clusters: the same service and cause within 90 days
    recent_no_pm: bool = False        # a recent incident still waiting for its post-mortem
    start_min: int = 0                # minutes after midnight
    severity: str = ""
    near_miss: bool = False
    lang: str = "en"
    timing: Timing | None = None
    id: str = ""
    format: str = ""                  # markdown, frontmatter, json, yaml or csv
    recurrence_of: list[str] = field(default_factory=list)
    # content
    provider: str = ""
    version: str = ""
    kind: str = ""
    title: str = ""
    times: Times | None = None
    pm_date: date | None = None
    author: str = ""
    participants: list[str] = field(default_factory=list)
    readers: list[str] = field(default_factory=list)
    impact: Impact | None = None
    short: str = ""                   # the cause in a few words
    root_cause: str = ""
    summary: str = ""
    whys: list[tuple[str, str]] = field(default_factory=list)
    lessons: list = field(default_factory=list)
    went_well: list[str] = field(default_factory=list)
    improve: list[str] = field(default_factory=list)
    causes: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    timeline: list[tuple[datetime, str, str]] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    # how the file is written
    encoding: str | None = None       # mac_roman, cp1252, bom or crlf
    planted_status: int | None = None  # index of the action given an unknown status
    planted_timeline: bool = False    # two timeline rows swapped
    planted_detect: bool = False      # detected before it started
    tracker_status: list[str] = field(default_factory=list)
    md_status_override: dict[int, str] = field(default_factory=dict)  # status shown in Markdown, by action
    path: str = ""

    @property
    def duration(self) -> int:
        return self.timing.resolve


@dataclass
class Tracker:
    team: str
    group: list[PostMortem]
    review: date
    lang: str


@dataclass(frozen=True)
class Organisation:
    teams: dict[str, dict]            # name: services, providers, members
    first_day: date                   # incidents happen from first_day to RANGE_END


@dataclass
class Plan:
    count: int
    organisation: Organisation
    postmortems: list[PostMortem]
    trackers: list[Tracker]
    planted: dict[str, PostMortem]
    taken: set[str]                   # ids whose files already carry a quirk
