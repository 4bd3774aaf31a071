"""The "Actions Post-Mortem Tracker": "### Incident: Title - date" tables, dated by the review that follows."""

from __future__ import annotations

import re

from pipeline.config import Config, fold
from pipeline.markdown_blocks import Block
from pipeline.markdown_sections import dated_label, label_of, table_dicts
from pipeline.model import Problem, TrackerUpdate
from pipeline.values import is_blank, parse_date, parse_position


def _date(raw, problems: list[Problem], what: str, line: int, reference=None, suffix: str = ""):
    try:
        return parse_date(raw, reference)
    except ValueError as exc:
        problems.append(Problem("warning", f"tracker {what}: {exc}{suffix}", line))
        return None


def _position(raw, problems: list[Problem], line: int) -> int | None:
    """The row's action number ("#3", "3."), or None with a warning when the database could not hold it:
    the row is then matched by its description."""
    try:
        return parse_position(re.sub(r"\D", "", raw or ""))
    except ValueError as exc:
        problems.append(Problem("warning", f"tracker: {exc}; the row is matched by its description", line))
        return None


def _update(cfg: Config, incident: tuple, row: dict, line: int, problems: list[Problem]) -> TrackerUpdate:
    title, day, _ = incident
    position = _position(row.get("position"), problems, line)
    due = _date(row.get("due"), problems, "due date", line, day, "; left empty") if day else None
    status_raw = row.get("status")
    status = cfg.normalize("status", status_raw) if status_raw else None
    if status_raw and status is None and status_raw.strip() not in ("-", ""):
        problems.append(Problem("warning", f"tracker: unknown status '{status_raw}'; row ignored", line))
    ticket = row.get("ticket")
    return TrackerUpdate(
        incident_title=title, incident_date=day, position=position,
        description=row.get("description") or None, status=status, owner=row.get("owner") or None,
        due_date=due, ticket=None if is_blank(ticket) else ticket.strip(), reviewed_on=None, line=line)


def _review_date(cfg: Config, b: Block, src: list[str], offset: int, problems: list[Problem]):
    """The date of the first readable "**Last review**: 2024-01-22" line in this block, or None."""
    def review(label: str) -> bool:
        return fold(label) in cfg.tracker_review_labels

    for n in range(max(b.line - 1 - offset, 0), min(b.end - offset, len(src))):
        pair = label_of(src[n])
        if not (pair and review(pair[0])):
            pair = dated_label(src[n], review)  # "**Last review** 2024-01-22"
        if pair:
            reviewed = _date(pair[1], problems, "review date", n + 1 + offset)
            if reviewed is not None:
                return reviewed
    return None


def tracker_updates(cfg: Config, bl: list[Block], src: list[str], offset: int,
                    problems: list[Problem]) -> list[TrackerUpdate]:
    """Rows of every "### Incident: Title - date" table, dated by the review date that follows."""
    updates: list[TrackerUpdate] = []
    waiting: list[TrackerUpdate] = []   # rows read since the last review date
    incident: tuple | None = None       # (title, date, line) of the table being read
    reviewing = False                   # an incident was named since the last review date
    for b in bl:
        if b.kind == "heading":
            m = cfg.tracker_incident.match(b.text) if cfg.tracker_incident else None
            if m:
                incident = (m["title"].strip(), _date(m["date"], problems, "incident date", b.line), b.line)
                reviewing = True
            elif b.level <= 2 and cfg.section_of(b.text) != "tracker":
                incident = None
        elif b.kind == "table" and incident is not None:
            waiting += [_update(cfg, incident, row, line, problems) for row, line in table_dicts(cfg, b)]
        elif b.kind in ("paragraph", "list") and reviewing:
            reviewed = _review_date(cfg, b, src, offset, problems)
            if reviewed is not None:
                for update in waiting:
                    update.reviewed_on = reviewed
                updates += waiting
                waiting, reviewing = [], False
    for update in waiting:
        problems.append(Problem("warning", f"tracker row for '{update.incident_title}' has no review date "
                                "(\"Last review\" / \"Dernière review\"); ignored", update.line))
    return updates
