"""Plain values that parsing produces and loading consumes.

They cross process boundaries (files are parsed in a worker pool), so they hold
only picklable builtins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass
class Problem:
    """Something wrong in an input file. ``error`` rejects the file; ``warning`` does not."""

    level: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{self.level}: {where}{self.message}"


class Rejected(Exception):
    """Raised by a parser when a file cannot be read as any post-mortem at all."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


@dataclass
class Action:
    position: int
    description: str
    owner: str | None = None
    due_date: date | None = None
    priority: str | None = None
    status: str | None = None
    ticket: str | None = None
    completed_at: datetime | None = None
    blocked_since: datetime | None = None
    blocked_by: str | None = None  # what the document says blocks it
    action_id: str | None = None
    tickets: list[str] = field(default_factory=list)  # the tickets it names (pipeline/tickets.py)


@dataclass
class TimelineEvent:
    position: int
    at: datetime | None
    kind: str | None
    event: str
    line: int | None = None


@dataclass
class PostMortem:
    postmortem_id: str
    title: str | None = None
    incident_date: date | None = None
    postmortem_date: date | None = None
    author: str | None = None
    participants: list[str] = field(default_factory=list)
    severity: str | None = None
    team: str | None = None
    service: str | None = None
    started_at: datetime | None = None
    detected_at: datetime | None = None
    acknowledged_at: datetime | None = None
    mitigated_at: datetime | None = None
    resolved_at: datetime | None = None
    minutes_to_detect: float | None = None
    minutes_to_acknowledge: float | None = None
    minutes_to_mitigate: float | None = None
    minutes_to_resolve: float | None = None
    users_affected: int | None = None
    failed_requests: int | None = None
    lost_transactions: int | None = None
    estimated_cost: float | None = None
    cost_currency: str | None = None  # ISO 4217 code, when the amount names its currency
    customer_impact: bool | None = None
    near_miss: bool | None = None
    causes: list[tuple[str, str]] = field(default_factory=list)  # (category, raw text)
    root_cause: str | None = None
    summary: str | None = None
    recurrence_of: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    readers: list[str] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    timeline: list[TimelineEvent] = field(default_factory=list)
    whys: list[tuple[str | None, str]] = field(default_factory=list)  # (question, answer)
    learnings: list[tuple[str, str]] = field(default_factory=list)  # (kind, text)
    language: str | None = None
    # True when the document gives a readers field, even an empty list: "nobody read it" is then known,
    # while a document without the field says nothing about its readers.
    readers_known: bool = False


@dataclass
class TrackerUpdate:
    """One row of an "Actions Post-Mortem Tracker": an action's status seen on a review date."""

    incident_title: str
    incident_date: date | None
    position: int | None
    description: str | None
    status: str | None
    owner: str | None
    due_date: date | None
    ticket: str | None
    reviewed_on: date | None
    line: int | None = None


@dataclass
class TicketStatus:
    """One row of a tracker export (a Jira CSV, a gh JSON): a ticket's status as its tracker has it.
    ``observed_at`` is the tracker's own time for that status; ``status`` is None for a word no
    mapping knows."""

    tracker: str  # "jira" or "github"
    ticket: str  # canonical reference (pipeline/tickets.py): "PAY-123", "owner/repo#812"
    status: str | None
    raw_status: str
    observed_at: datetime | None
    resolved_at: datetime | None = None
    title: str | None = None
    line: int | None = None


@dataclass
class ActionRow:
    """An action given apart from its post-mortem (a CSV of actions)."""

    postmortem_id: str
    action: Action
    line: int | None = None


@dataclass
class Incident:
    incident_id: str
    severity: str | None
    started_at: datetime | None
    resolved_at: datetime | None
    customer_impact: bool | None
    postmortem_id: str | None


@dataclass
class ParsedFile:
    """What one file held. ``rejected`` files contribute nothing but their problems."""

    source_path: str
    source_format: str
    content_sha256: str
    postmortems: list[PostMortem] = field(default_factory=list)
    action_rows: list[ActionRow] = field(default_factory=list)
    tracker_updates: list[TrackerUpdate] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    ticket_statuses: list[TicketStatus] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rejected: bool = False
    unchanged: bool = False
    # The ids of ``postmortems``, to refuse a second one of an id in one file: a CSV of 10,000 rows
    # compared each row with every earlier one (50 M comparisons, most of that file's parse time).
    ids: set[str] = field(default_factory=set, repr=False, compare=False)
