"""One post-mortem's blocks to a record: metadata label lines, then one handler per template section.

A section is what a heading names (through aliases.sections in the configuration). Each kind of
section has a small handler, registered in SECTIONS, that reads the blocks under it into the record;
sections the table does not name are read for label lines only ("**Team**: payments").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from pipeline.config import Config, fold
from pipeline.markdown_blocks import Block
from pipeline.values import parse_timestamp

# "**Label**: value", "**Label:** value", "- Label: value". Only the label is matched by a pattern; the
# value is the rest of the line, so a line of 40,000 spaces costs one pass, not a backtracking search.
_BOLD_LABEL = re.compile(r"\s*+(?:[-*+]\s++)?(?:\*\*|__)(?P<label>[^*_\n]{1,80}?)\s*+"
                         r"(?::\s*+(?:\*\*|__)|(?:\*\*|__)\s*+:)")
_PLAIN_LABEL = re.compile(r"\s*+[-*+]\s++(?P<label>[^:\n|]{1,60}?)\s*+:")
_BOLD_EDGES = re.compile(r"^(?:\*\*|__)|(?:\*\*|__)$")
_WHY_ARROW = re.compile(r"→|->|=>|⇒")
_ZONE = re.compile(r"\b[A-Z]{1,4}\b")
_CLOCK = re.compile(r"\d{1,2}[:h]\d{2}|\d{4}-\d{2}-\d{2}")
# The post-mortem's fields that hold a date or a time, whose label may go without a colon.
DATE_FIELDS = {"incident_date", "postmortem_date", "started_at", "detected_at", "acknowledged_at",
               "mitigated_at", "resolved_at"}
# The first character of every label line (bulleted or bold), as the patterns above and dated_label want it.
_LABEL_STARTS = frozenset("-*+_")
_LABEL_WORDS = 6  # "- Date de clôture de l'incident 2024-01-15": labels are a few words
# "### 07:35 - Node limit increased": the words after the time name the event. The look-behind makes
# each run of spaces a candidate once, so a long run cannot make the search quadratic.
_EVENT_NAME = re.compile(r"(?<!\s)\s+[-–—:]\s+(?=[^\d\s])")


def label_of(line: str) -> tuple[str, str] | None:
    """(label, value) of a label line, or None."""
    m = _BOLD_LABEL.match(line) or _PLAIN_LABEL.match(line)
    if m is None:
        return None
    return m["label"], _BOLD_EDGES.sub("", line[m.end():].strip()).strip()


def dated_label(line: str, known) -> tuple[str, str] | None:
    """(label, value) of "- Fault occurs 2020-02-12 11:45": a bulleted or bold label that ``known(label)``
    accepts, followed without a colon by a date or a time, or None."""
    text = line.strip()
    if not text.startswith(("- ", "* ", "+ ", "**", "__")):
        return None
    words = text.lstrip("-*+ ").replace("**", "").replace("__", "").split(None, _LABEL_WORDS)
    for k in range(1, len(words)):
        if known(" ".join(words[:k])) and _is_date_or_time(" ".join(words[k:])):
            return " ".join(words[:k]), " ".join(words[k:])
    return None


def _is_date_or_time(text: str) -> bool:
    if not text[:1].isalnum():  # a date starts with its day, year or month
        return False
    try:
        return parse_timestamp(text, date.min) is not None  # any day: only the form is checked here
    except (ValueError, OverflowError):
        return False


def label_lines(cfg: Config, lines: list[str], start: int, end: int, offset: int) -> list[tuple[str, str, int]]:
    """(canonical field, value, file line) for each label line among lines[start:end] naming a known
    field; ``lines`` start at file line ``offset`` + 1. A date or time field's label may also be
    followed by its value without a colon ("- Fault occurs 2020-02-12 11:45")."""
    def dated_field(label: str) -> bool:
        return cfg.field_labels.get(fold(label)) in DATE_FIELDS

    found = []
    for n in range(max(start, 0), min(end, len(lines))):
        if lines[n].lstrip()[:1] not in _LABEL_STARTS:  # most lines: one test, not three patterns
            continue
        pair = label_of(lines[n])
        name = cfg.field_labels.get(fold(pair[0])) if pair else None
        if name is None:
            pair = dated_label(lines[n], dated_field)
            name = cfg.field_labels.get(fold(pair[0])) if pair else None
        if name:
            found.append((name, pair[1], n + 1 + offset))
    return found


def table_dicts(cfg: Config, block: Block) -> list[tuple[dict, int]]:
    """Rows of a table as {canonical column: cell}, with their lines; blank rows skipped."""
    if not block.rows:
        return []
    header = [cfg.field_labels.get(fold(h), fold(h)) for h in block.rows[0][0]]
    return [({h: c for h, c in zip(header, cells)}, line) for cells, line in block.rows[1:]
            if any(c.strip() for c in cells)]


def _why(text: str) -> tuple[str | None, str] | None:
    arrow = _WHY_ARROW.search(text)
    if arrow:
        return text[:arrow.start()].strip() or None, text[arrow.end():].strip()
    if re.match(r"(?:pourquoi|why)\b", text, re.I):
        q, _, a = text.partition("\n")
        return q.strip(), a.strip()
    return None


def _timezone(cfg: Config, texts: list[str]) -> float | None:
    zones = cfg.timezones
    for text in texts:
        for word in _ZONE.findall(text or ""):
            if fold(word) in zones:
                return zones[fold(word)]
    return None


@dataclass
class Reading:
    """What the section handlers gather for one post-mortem."""

    cfg: Config
    record: dict
    lines: dict
    text_of: dict[str, list[str]] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    timeline: list[dict] = field(default_factory=list)
    actions: list[dict] = field(default_factory=list)
    action_lines: list[int] = field(default_factory=list)
    whys: list[dict] = field(default_factory=list)
    tz_texts: list[str] = field(default_factory=list)


def _impact(doc: Reading, key: str, head: Block, b: Block) -> None:
    """The Impact table: "| Duration | 1h |" rows name fields."""
    if b.kind != "table":
        return
    for cells, line in b.rows[1:]:
        if len(cells) >= 2:
            name = doc.cfg.field_labels.get(fold(cells[0]))
            if name and not doc.record.get(name):
                doc.record[name], doc.lines[name] = cells[1], line


def _timeline(doc: Reading, key: str, head: Block, b: Block) -> None:
    doc.tz_texts.append(head.text)
    if b.kind == "table":
        for row, line in table_dicts(doc.cfg, b):
            doc.timeline.append({"at": row.get("at"), "event": row.get("event", ""), "line": line})
    elif b.kind == "paragraph":
        doc.tz_texts.append(b.text)


def _actions(doc: Reading, key: str, head: Block, b: Block) -> None:
    if b.kind == "table":
        for row, line in table_dicts(doc.cfg, b):
            doc.actions.append(row)
            doc.action_lines.append(line)
    elif b.kind == "list":
        for item_text, line, links in b.rows:
            ticket = next((u for u in links if u), None)
            doc.actions.append({"description": item_text.replace("\n", " "), "ticket": ticket})
            doc.action_lines.append(line)


def _root_cause(doc: Reading, key: str, head: Block, b: Block) -> None:
    """Root cause text, and the 5 whys written as "Why ...? → because ..." items."""
    if b.kind == "list":
        for item_text, line, _ in b.rows:
            why = _why(item_text)
            if why:
                doc.whys.append({"question": why[0], "answer": why[1]})
            else:
                doc.text_of.setdefault(key, []).append(item_text)
    elif b.kind == "paragraph" and not re.match(r"\s*(?:5\s*whys|```)", b.text, re.I):
        doc.text_of.setdefault(key, []).append(b.text)


def _learnings(doc: Reading, key: str, head: Block, b: Block) -> None:
    if b.kind == "list":
        doc.lists.setdefault(key, []).extend(t.replace("\n", " ") for t, _, _ in b.rows)
    elif b.kind == "paragraph":
        doc.lists.setdefault(key, []).append(b.text.replace("\n", " "))


def _summary(doc: Reading, key: str, head: Block, b: Block) -> None:
    if b.kind in ("paragraph", "list"):
        doc.text_of.setdefault(key, []).append(b.text or "\n".join(t for t, _, _ in b.rows))


# Section key (aliases.sections) -> handler(reading, key, section heading, block).
SECTIONS = {
    "impact": _impact, "timeline": _timeline, "actions": _actions, "root_cause": _root_cause,
    "lessons": _learnings, "went_well": _learnings, "to_improve": _learnings, "summary": _summary,
}
# Sections whose paragraphs and lists are also read for label lines, as the template's header is.
LABEL_SECTIONS = {None, "impact"}


def sections(cfg: Config, bl: list[Block]) -> list[tuple[str | None, Block, Block]]:
    """(section key, its heading, block) for each block after the title."""
    out: list[tuple[str | None, Block, Block]] = []
    current, heading = None, bl[0]
    for b in bl[1:]:
        if b.kind == "heading":
            key = cfg.section_of(b.text)
            # A deeper heading that names a section ("### What went well" under "## Lessons learnt")
            # switches to it; others only group items.
            if b.level <= 2 or key is not None:
                current, heading = key, b
            continue
        out.append((current, heading, b))
    return out


def heading_timeline(cfg: Config, bl: list[Block]) -> list[dict]:
    """Timelines written as "### 2019-02-20 10:12" headings, each followed by what happened."""
    events, current, in_timeline = [], None, False
    for b in bl[1:]:
        if b.kind == "heading":
            if b.level <= 2:
                in_timeline = cfg.section_of(b.text) == "timeline"
                current = None
                continue
            if in_timeline and _CLOCK.search(b.text):
                named = _EVENT_NAME.split(b.text, maxsplit=1)
                current = {"at": b.text, "event": named[1] if len(named) == 2 else "", "line": b.line}
                events.append(current)
            continue
        if current is not None and not current["event"] and b.kind in ("paragraph", "list"):
            current["event"] = (b.text or " ".join(t for t, _, _ in b.rows)).replace("\n", " ")[:500]
    return events


def read_sections(doc: Reading, parts: list[tuple[str | None, Block, Block]]) -> None:
    for key, head, b in parts:
        if key is None:
            continue
        doc.lines.setdefault(key, b.line)
        handler = SECTIONS.get(key)
        if handler is not None:
            handler(doc, key, head, b)


def finish(doc: Reading, bl: list[Block], parts) -> None:
    """Move what the handlers gathered into the record."""
    if doc.cfg.markdown.get("timeline_headings", False):
        doc.timeline += heading_timeline(doc.cfg, bl)
        doc.tz_texts += [b.text for key, _, b in parts if key == "timeline" and b.kind == "paragraph"]
    for key in ("summary", "root_cause"):
        if doc.text_of.get(key) and not doc.record.get(key):
            doc.record[key] = "\n\n".join(doc.text_of[key])
    doc.record.update(doc.lists)
    if doc.timeline:
        doc.record["timeline"] = doc.timeline
    if doc.actions:
        doc.record["actions"] = doc.actions
        doc.lines["action_lines"] = doc.action_lines
    if doc.whys:
        doc.record["whys"] = doc.whys


def utc_offset(doc: Reading) -> float | None:
    return _timezone(doc.cfg, doc.tz_texts)

