"""Ticket references and trackers' words: what names a ticket in an action, and what a Jira or GitHub
status means, as the ``tracker:`` section of the configuration says.

A reference is canonical text, the same whichever way it was written, so that an action and a tracker
export meet on equality (one join, whatever their sizes):

- a Jira key, upper-cased: ``PAY-123`` (also found inside ``https://jira.example.com/browse/PAY-123``);
- a GitHub issue or pull request, as ``owner/repo#812`` in lower case, from its URL (any host, so GitHub
  Enterprise too; issues and pull requests share their numbers), or written ``owner/repo#812``;
- a bare number, ``#812``: from ``PR#812``, ``PR #812``, ``issue #812``, ``GH#812`` anywhere, or a
  plain ``#812`` in the ticket column. It names ``tracker.github.default_repo`` when one is configured,
  else the repository of the loaded GitHub exports when they all come from one (resolved at loading).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

STATUSES = ("todo", "in_progress", "blocked", "done", "cancelled")
JIRA_COLUMNS = ("key", "summary", "status", "status_category", "resolution", "created", "updated", "resolved",
                "status_category_changed")
GITHUB_STATES = {"issue": ("open", "closed", "not_planned", "duplicate"),
                 "pull_request": ("open", "merged", "closed")}

GITHUB_URL = re.compile(r"https?://[^\s/]{1,253}/([A-Za-z0-9-]{1,39})/([A-Za-z0-9_.-]{1,100})/(?:issues|pulls?)/"
                        r"([0-9]{1,12})(?![0-9])")
_SHORTHAND = re.compile(r"(?<![\w./-])([A-Za-z0-9-]{1,39})/([A-Za-z0-9_.-]{1,100})#([0-9]{1,12})(?![\w])")
_PREFIXED = re.compile(r"(?<![\w&])(?:PR|pull request|issue|GH)\s?#([0-9]{1,12})(?![\w])", re.I)
_BARE = re.compile(r"(?<![\w&#/])#([0-9]{1,12})(?![\w])")
_REPO = re.compile(r"^([A-Za-z0-9-]{1,39})/([A-Za-z0-9_.-]{1,100})$")


@dataclass(frozen=True)
class TrackerSettings:
    """The ``tracker:`` section as lookups. Words are folded (case, accents, spacing) like every
    vocabulary; of two words folding alike, the later one wins, so a team's file overrides the defaults."""

    key_pattern: re.Pattern
    default_repo: str | None = None
    status: dict[str, str] = field(default_factory=dict)
    jira_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)  # meaning -> folded header names
    jira_labels: dict[str, str] = field(default_factory=dict)  # meaning -> its first header name, as written
    jira_category: dict[str, str] = field(default_factory=dict)
    jira_resolution: dict[str, str] = field(default_factory=dict)
    jira_utc_offset: float = 0.0
    github: dict[str, dict[str, str]] = field(default_factory=dict)
    github_labels: dict[str, str] = field(default_factory=dict)


def build_settings(raw: dict, source: str, fold, timezones: dict[str, float]) -> TrackerSettings:
    """The lookups of the ``tracker:`` mapping; ValueError names the setting that is wrong."""
    raw = raw or {}
    try:
        pattern = re.compile(raw.get("key_pattern") or r"$^")
    except re.error as exc:
        raise ValueError(f"{source}: tracker.key_pattern is not a valid regular expression: {exc}") from None
    jira, github = raw.get("jira") or {}, raw.get("github") or {}
    repo = str(github.get("default_repo") or "").strip()
    if repo and not _REPO.match(repo):
        raise ValueError(f"{source}: tracker.github.default_repo '{repo}' is not owner/repo")
    zone = str(jira.get("timezone") or "UTC")
    if fold(zone) not in timezones:
        raise ValueError(f"{source}: tracker.jira.timezone '{zone}' is not in the timezones table")
    columns = {k: [str(n) for n in (jira.get("columns") or {}).get(k) or []] for k in JIRA_COLUMNS}
    states = {}
    for kind, names in GITHUB_STATES.items():
        given = {fold(str(k)).replace(" ", "_"): v for k, v in (github.get(kind) or {}).items()}
        states[kind] = {name: _status(given.get(name), f"tracker.github.{kind}.{name}", source) for name in names}
    return TrackerSettings(
        key_pattern=pattern, default_repo=repo.lower() or None,
        status=_words(raw.get("status"), "tracker.status", source, fold),
        jira_columns={k: tuple(fold(n) for n in names) for k, names in columns.items()},
        jira_labels={k: names[0] if names else k for k, names in columns.items()},
        jira_category=_words(jira.get("status_category"), "tracker.jira.status_category", source, fold),
        jira_resolution=_words(jira.get("resolution"), "tracker.jira.resolution", source, fold),
        jira_utc_offset=timezones[fold(zone)], github=states,
        github_labels=_words(github.get("labels"), "tracker.github.labels", source, fold))


def _words(mapping, where: str, source: str, fold) -> dict[str, str]:
    out = {}
    for word, status in (mapping or {}).items():
        out[fold(str(word))] = _status(status, f"{where} '{word}'", source)
    return out


def _status(value, where: str, source: str) -> str:
    if value not in STATUSES:
        raise ValueError(f"{source}: {where} maps to '{value}', which is not a status "
                         f"({', '.join(STATUSES)})")
    return value


def github_ref(url: str) -> str | None:
    """``owner/repo#N`` of an issue or pull request URL, or None."""
    m = GITHUB_URL.search(url or "")
    return f"{m[1]}/{m[2]}#{m[3]}".lower() if m else None


def action_refs(ticket: str | None, description: str | None, settings: TrackerSettings) -> list[str]:
    """The tickets an action names, in its ticket column or its description, in order, each once."""
    found: dict[str, None] = {}
    for text, column in ((ticket, True), (description, False)):
        if not text:
            continue
        found.update((m[0].upper(), None) for m in settings.key_pattern.finditer(text) if m[0])
        found.update((f"{m[1]}/{m[2]}#{m[3]}".lower(), None) for m in GITHUB_URL.finditer(text))
        found.update((f"{m[1]}/{m[2]}#{m[3]}".lower(), None) for m in _SHORTHAND.finditer(text))
        bare = [m[1] for m in _PREFIXED.finditer(text)] + ([m[1] for m in _BARE.finditer(text)] if column else [])
        prefix = f"{settings.default_repo}#" if settings.default_repo else "#"
        found.update((prefix + str(int(n)), None) for n in bare)
    return list(found)
