"""Tracker exports to ticket statuses: Jira's "Export > CSV (all fields)" and the JSON of
`gh issue list --json ...` / `gh pr list --json ...`. Pure parsing: rows in, TicketStatus records and
problems (with their lines) out; matching them to actions is pipeline/ticket_status.py's job."""

from __future__ import annotations

import csv
import functools
import io
import re
from datetime import datetime

from pipeline.config import Config, fold
from pipeline.model import Problem, Rejected, TicketStatus
from pipeline.tickets import github_ref
from pipeline.values import is_blank, month_of, parse_timestamp, to_utc

# Columns only Jira's export has: a header with two of them and no key column is a Jira export missing it.
JIRA_SIGNATURE = {"issue id", "issue type", "project key", "status category", "parent id", "issue key"}
_JIRA_DATE = re.compile(r"^(\d{1,2})/([^\W\d_]{3,5})\.?/(\d{2}|\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?"
                        r"(?:\s?([AaPp])\.?[Mm]\.?)?)?$")
_NO_DATE = "0001-01-01"  # Go's zero time, which some gh versions print for "never closed"
_fold = functools.lru_cache(maxsize=4096)(fold)  # a column of statuses repeats a handful of words


# ---------------------------------------------------------------- Jira


def jira_delimiter(text: str, cfg: Config) -> str | None:
    """The delimiter when the first line is a Jira export's header (its key column, or two columns only
    Jira writes), else None. Read from the header alone: a sniffer is misled by multi-line cells."""
    end = text.find("\n")
    first = text if end < 0 else text[:end]
    keys = set(cfg.tracker.jira_columns["key"])
    for delimiter in ",;\t":
        names = {fold(h) for h in next(csv.reader([first], delimiter=delimiter), [])}
        if names & keys or len(names & JIRA_SIGNATURE) >= 2:
            return delimiter
    return None


def jira_statuses(text: str, delimiter: str, cfg: Config, problems: list[Problem]) -> list[TicketStatus]:
    settings = cfg.tracker
    header, rows = _cells(text, delimiter)
    at = _columns(header, settings.jira_columns, settings.jira_labels)
    out = []
    for cells, line in rows:
        if any(c.strip() for c in cells[len(header):]):  # empty trailing cells are harmless
            problems.append(Problem("warning", f"row has {len(cells)} cells but the header has {len(header)}; "
                                    "skipped (its columns cannot be told apart)", line))
            continue
        row = {name: cells[i].strip() if i < len(cells) else "" for name, i in at.items()}
        ticket = _jira_row(row, line, cfg, problems)
        if ticket is not None:
            out.append(ticket)
    if not out:
        raise Rejected("no row of this Jira export could be read (see the warnings)" if rows
                       else "Jira export with no ticket row", None if rows else 1)
    return out


def _cells(text: str, delimiter: str) -> tuple[list[str], list[tuple[list[str], int]]]:
    """The header and each non-blank row's cells, with the line the row starts on (a quoted cell may
    hold newlines, as Jira's descriptions and comments do)."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = []
    try:
        header = [h.strip() for h in next(reader)]
        start = reader.line_num + 1
        for cells in reader:
            if any(c.strip() for c in cells):
                rows.append((cells, start))
            start = reader.line_num + 1
    except csv.Error as exc:  # e.g. a cell over the csv module's size limit
        raise Rejected(f"not a readable CSV: {exc}", reader.line_num) from None
    return header, rows


def _columns(header: list[str], names: dict[str, tuple[str, ...]], labels: dict[str, str]) -> dict[str, int]:
    """Each meaning's column: the first of that name (Jira repeats Labels, Watchers, Sprint, Comment,
    Attachment..., none of which is read)."""
    at: dict[str, int] = {}
    for i, name in enumerate(fold(h) for h in header):
        for meaning, wanted in names.items():
            if name in wanted:
                at.setdefault(meaning, i)
    for meaning in ("key", "status"):
        if meaning not in at:
            raise Rejected(f"a Jira export must have a '{labels[meaning]}' column, and this header has none; export with "
                           f"\"CSV (all fields)\", or add the column's name under tracker.jira.columns.{meaning}", 1)
    return at


def _jira_row(row: dict, line: int, cfg: Config, problems: list[Problem]) -> TicketStatus | None:
    settings = cfg.tracker
    key = row["key"].upper()
    if not key:
        problems.append(Problem("warning", "row without an issue key; skipped", line))
        return None
    when = {name: _jira_time(row.get(name), name, key, line, settings.jira_utc_offset, problems)
            for name in ("created", "updated", "resolved", "status_category_changed")}
    status = _jira_status(row, cfg)
    if status is None:
        problems.append(Problem("warning", f"{key}: unknown status '{row['status']}' (status category "
                                f"'{row.get('status_category', '')}'); kept without a status (map it under "
                                "tracker.status)", line))
    closed = status in ("done", "cancelled")
    observed = (when["resolved"] or when["status_category_changed"] if closed else None) or when["updated"] \
        or when["created"]
    resolution = row.get("resolution", "")
    raw = f"{row['status']} ({resolution})" if closed and resolution and resolution != row["status"] else row["status"]
    return TicketStatus("jira", key, status, raw, observed, when["resolved"], row.get("summary") or None, line)


def _jira_status(row: dict, cfg: Config) -> str | None:
    """tracker.status, then the Status Category, then vocabularies.status; a closed ticket whose
    resolution is mapped (Done as Won't Do) takes the resolution's status."""
    settings, word, category = cfg.tracker, row["status"], row.get("status_category", "")
    status = (settings.status.get(_fold(word)) or settings.jira_category.get(_fold(category))
              or cfg.normalize("status", word) or cfg.normalize("status", category))
    if status == "done":
        status = settings.jira_resolution.get(_fold(row.get("resolution", "")), status)
    return status


def _jira_time(raw, name: str, key: str, line: int, offset: float, problems: list[Problem]) -> datetime | None:
    if is_blank(raw):
        return None
    try:
        return jira_timestamp(raw, offset)
    except ValueError as exc:
        problems.append(Problem("warning", f"{key}: {name.replace('_', ' ')}: {exc}; left empty", line))
        return None


def jira_timestamp(raw: str, utc_offset: float = 0.0) -> datetime | None:
    """Jira's dates: its default "15/Jan/24 10:32 AM" (English or French month abbreviations, "15/janv./24
    10:32"), or whatever the date reader takes ("2024-01-15 10:32", "15/01/2024 10:32"). Naive UTC."""
    text = str(raw).strip()
    m = _JIRA_DATE.match(text)
    if m is None:
        return parse_timestamp(text, utc_offset_hours=utc_offset)
    month = month_of(m[2])
    if month is None:
        raise ValueError(f"'{text}' has an unknown month '{m[2]}'")
    year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
    hour, minute, second = int(m[4] or 0), int(m[5] or 0), int(m[6] or 0)
    if m[7] and m[7] in "pP" and hour < 12:
        hour += 12
    elif m[7] and m[7] in "aA" and hour == 12:
        hour = 0
    try:
        return to_utc(datetime(year, month, int(m[1]), hour, minute, second), utc_offset)
    except ValueError:
        raise ValueError(f"'{text}' is not a real date and time") from None


# ---------------------------------------------------------------- GitHub


def is_github_export(data) -> bool:
    """A list of objects that all have a number, and a state or a url: `gh issue list --json ...`."""
    return (isinstance(data, list) and bool(data) and all(isinstance(x, dict) for x in data)
            and all("number" in x and ("state" in x or "url" in x) for x in data))


def github_statuses(items: list[dict], cfg: Config, problems: list[Problem], line_of) -> list[TicketStatus]:
    """``line_of(item)`` is the line an item starts on (gh writes one line when piped: then 1)."""
    out = []
    for item in items:
        line = line_of(item)
        ticket = _github_item(item, line, cfg, problems)
        if ticket is not None:
            out.append(ticket)
    if not out:
        raise Rejected("gh export with no usable item: each needs number, state and url (gh issue list --state all "
                       "--json number,title,state,url,createdAt,closedAt,...)", 1)
    return out


def _github_item(item: dict, line: int | None, cfg: Config, problems: list[Problem]) -> TicketStatus | None:
    number = item.get("number")
    ticket = github_ref(str(item.get("url") or ""))
    if ticket is None:
        problems.append(Problem("warning", f"#{number}: no issue or pull request url (add url to --json); skipped",
                                line))
        return None
    state = str(item.get("state") or "").strip().upper()
    status = _github_status(item, state, cfg)
    if status is None:
        problems.append(Problem("warning", f"#{number}: unknown state '{item.get('state')}' (OPEN, CLOSED or "
                                "MERGED); kept without a status", line))
    when = {k: _github_time(item.get(k), k, number, line, problems)
            for k in ("createdAt", "updatedAt", "closedAt", "mergedAt")}
    closed = state in ("CLOSED", "MERGED")
    observed = ((when["mergedAt"] or when["closedAt"]) if closed else when["updatedAt"]) or when["updatedAt"] \
        or when["createdAt"]
    return TicketStatus("github", ticket, status, state + (f" ({item['stateReason']})" if item.get("stateReason")
                                                           else ""),
                        observed, (when["mergedAt"] or when["closedAt"]) if closed else None,
                        str(item.get("title") or "") or None, line)


def _github_status(item: dict, state: str, cfg: Config) -> str | None:
    settings = cfg.tracker
    pull = "/pull/" in str(item.get("url")) or state == "MERGED" or "mergedAt" in item
    states = settings.github["pull_request" if pull else "issue"]
    if state == "OPEN":
        labels = [_fold(str(x.get("name", "")) if isinstance(x, dict) else str(x)) for x in item.get("labels") or []]
        return next((settings.github_labels[x] for x in labels if x in settings.github_labels), states["open"])
    if state == "CLOSED" and not pull:
        reason = str(item.get("stateReason") or "").strip().lower()
        return states.get(reason if reason in ("not_planned", "duplicate") else "closed")
    return states.get(state.lower())


def _github_time(raw, name: str, number, line, problems: list[Problem]) -> datetime | None:
    if is_blank(raw) or str(raw).startswith(_NO_DATE):
        return None
    try:
        return parse_timestamp(raw)
    except ValueError as exc:
        problems.append(Problem("warning", f"#{number}: {name}: {exc}; left empty", line))
        return None
