"""Markdown post-mortems in the template's shape, and "Actions Post-Mortem Tracker" documents.

A real Markdown parser (markdown-it-py) reads the structure, so tables, lists and
code fences are what they look like, and every block keeps its line number for
messages. What the headings, labels and columns mean comes from the configuration.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt

from pipeline import yamlio
from pipeline.config import Config, fold
from pipeline.model import Problem, Rejected, TrackerUpdate
from pipeline.values import is_blank, parse_date

_MD = MarkdownIt("commonmark").enable("table")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_BOLD_LABEL = re.compile(r"^\s*(?:[-*+]\s+)?(?:\*\*|__)(?P<label>[^*_\n]{1,80}?)\s*(?::\s*(?:\*\*|__)|(?:\*\*|__)\s*:)\s*(?P<value>.*?)\s*$")
_PLAIN_LABEL = re.compile(r"^\s*(?:[-*+]\s+)(?P<label>[^:\n|]{1,60}?)\s*:\s*(?P<value>.*?)\s*$")
_WHY_ARROW = re.compile(r"\s*(?:→|->|=>|⇒)\s*")


@dataclass
class Block:
    kind: str            # heading | paragraph | table | list | fence
    line: int            # 1-based line in the file
    text: str = ""
    level: int = 0
    rows: list = field(default_factory=list)    # table: [(cells, line)]; list: [(text, line, links)]
    info: str = ""


def _plain(inline) -> tuple[str, list[str]]:
    """Text of an inline token without Markdown marks, and the link targets in it."""
    parts, links = [], []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "link_open":
            links.append(child.attrs.get("href", ""))
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts).strip(), links


def blocks(text: str, offset: int = 0) -> list[Block]:
    tokens = _MD.parse(text)
    out: list[Block] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        line = (tok.map[0] + 1 + offset) if tok.map else offset + 1
        if tok.type == "heading_open":
            out.append(Block("heading", line, _plain(tokens[i + 1])[0], level=int(tok.tag[1])))
            i += 3
            continue
        if tok.type == "paragraph_open" and tok.level == 0:
            content, links = _plain(tokens[i + 1])
            out.append(Block("paragraph", line, content, rows=links))
            i += 3
            continue
        if tok.type in ("fence", "code_block"):
            out.append(Block("fence", line, tok.content, info=(tok.info or "").strip().casefold()))
        elif tok.type == "table_open":
            rows = []
            while tokens[i].type != "table_close":
                if tokens[i].type == "tr_open":
                    row_line = tokens[i].map[0] + 1 + offset if tokens[i].map else line
                    cells = []
                    i += 1
                    while tokens[i].type != "tr_close":
                        if tokens[i].type == "inline":
                            cells.append(_plain(tokens[i])[0])
                        i += 1
                    rows.append((cells, row_line))
                i += 1
            out.append(Block("table", line, rows=rows))
        elif tok.type in ("bullet_list_open", "ordered_list_open") and tok.level == 0:
            close = tok.type.replace("_open", "_close")
            items = []  # code fences quoted inside an item are evidence, not the item's text
            i += 1
            while not (tokens[i].type == close and tokens[i].level == 0):
                t = tokens[i]
                if t.type == "list_item_open" and t.level == 1:
                    items.append(["", (t.map[0] + 1 + offset) if t.map else line, []])
                elif t.type == "inline" and items:
                    content, links = _plain(t)
                    items[-1][0] = (items[-1][0] + "\n" + content).strip()
                    items[-1][2].extend(links)
                i += 1
            out.append(Block("list", line, rows=[tuple(x) for x in items], info=tok.type[0]))
        i += 1
    return out


def split_front_matter(text: str) -> tuple[dict | None, str, int, list[Problem]]:
    """Front matter as a dict, the body, how many lines the front matter took, problems."""
    m = _FRONT_MATTER.match(text)
    if not m:
        return None, text, 0, []
    used = m.group(0).count("\n")
    try:
        data = yamlio.load(m.group(1) or "", first_line=2) or {}
    except yamlio.YamlError as exc:
        return None, text[m.end():], used, [Problem("warning", f"front matter is {exc}; ignored", exc.line or 1)]
    if not isinstance(data, dict):
        return None, text[m.end():], used, [Problem("warning", "front matter is not a mapping of keys; ignored", 1)]
    return data, text[m.end():], used, []


def _heading_key(cfg: Config, heading: str) -> str | None:
    key = fold(heading)
    if key in cfg.section_labels:
        return cfg.section_labels[key]
    bare = fold(re.sub(r"\(.*?\)", "", heading))
    if bare in cfg.section_labels:
        return cfg.section_labels[bare]
    head = fold(re.split(r"[:(\-–—]", heading)[0])
    return cfg.section_labels.get(head)


def _label_lines(cfg: Config, lines: list[str], start: int, end: int) -> list[tuple[str, str, int]]:
    """(canonical field, value, line) for each `**Label**: value` or `- Label: value` line."""
    found = []
    for n in range(start, min(end, len(lines))):
        m = _BOLD_LABEL.match(lines[n]) or _PLAIN_LABEL.match(lines[n])
        if not m:
            continue
        name = cfg.field_labels.get(fold(m["label"]))
        if name:
            value = re.sub(r"^(?:\*\*|__)|(?:\*\*|__)$", "", m["value"]).strip()
            found.append((name, value, n + 1))
    return found


def _timezone(cfg: Config, *texts: str) -> float | None:
    zones = cfg.timezones
    for text in texts:
        for word in re.findall(r"\b[A-Z]{1,4}\b", text or ""):
            if fold(word) in zones:
                return zones[fold(word)]
    return None


def _table_dicts(cfg: Config, block: Block) -> list[tuple[dict, int]]:
    if not block.rows:
        return []
    header = [cfg.field_labels.get(fold(h), fold(h)) for h in block.rows[0][0]]
    out = []
    for cells, line in block.rows[1:]:
        if not any(c.strip() for c in cells):
            continue
        out.append(({h: c for h, c in zip(header, cells)}, line))
    return out


def _why(text: str) -> tuple[str | None, str] | None:
    parts = _WHY_ARROW.split(text, maxsplit=1)
    if len(parts) == 2:
        return parts[0].strip() or None, parts[1].strip()
    if re.match(r"^(pourquoi|why)\b", text, re.I):
        q, _, a = text.partition("\n")
        return q.strip(), a.strip()
    return None


@dataclass
class MarkdownDocument:
    record: dict
    lines: dict
    utc_offset: float | None
    line: int


def parse_markdown(text: str, cfg: Config) -> tuple[list[MarkdownDocument], list[TrackerUpdate], list[Problem]]:
    """Post-mortems and tracker rows found in one Markdown text.

    A text with neither at its top level is searched for fenced ```markdown blocks, the way a
    template or a wiki page quotes its examples. Raises Rejected when nothing is found."""
    front, body, fm_lines, problems = split_front_matter(text)
    docs, updates = _parse_body(body, cfg, fm_lines, problems)
    if not docs and not updates:
        for block in blocks(body, fm_lines):
            if block.kind == "fence" and block.info in ("markdown", "md"):
                inner_docs, inner_updates = _parse_body(block.text, cfg, block.line, problems)
                docs += inner_docs
                updates += inner_updates
    if not docs and not updates:
        raise Rejected("not a post-mortem: no title line like '# Post-Mortem: <title>' (or one matching "
                       "markdown.title_patterns in the configuration) and no '### Incident: <title> - <date>' "
                       "tracker table", 1 + fm_lines)
    if front:
        if len(docs) == 1:
            for key, value in front.items():
                docs[0].record.setdefault("__front__", {})[key] = value
        elif docs:
            problems.append(Problem("warning", "front matter ignored: the file holds several post-mortems", 1))
    return docs, updates, problems


def _parse_body(body: str, cfg: Config, offset: int, problems: list[Problem]):
    bl = blocks(body, offset)
    src = body.split("\n")
    # Split into documents at each title line.
    starts = []
    for idx, b in enumerate(bl):
        if b.kind == "heading" and b.level == 1:
            for pattern in cfg.title_patterns:
                if m := pattern.match("# " + b.text):
                    starts.append((idx, m))
                    break
    docs = []
    for n, (idx, m) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(bl)
        end_line = bl[end].line - 1 if end < len(bl) else len(src) + offset
        docs.append(_document(cfg, bl[idx:end], m, src, offset, end_line, problems))
    updates = _tracker(cfg, bl, src, offset, problems)
    return docs, updates


def _document(cfg: Config, bl: list[Block], title_match, src, offset, end_line, problems) -> MarkdownDocument:
    record: dict = {}
    lines: dict = {"title": bl[0].line}
    groups = title_match.groupdict()
    record["title"] = (groups.get("title") or "").strip() or None
    if groups.get("date"):
        record["incident_date"] = groups["date"]
        lines["incident_date"] = bl[0].line

    # Which section each block belongs to.
    sections: list[tuple[str | None, Block, Block]] = []
    current, heading = None, bl[0]
    for b in bl[1:]:
        if b.kind == "heading":
            key = _heading_key(cfg, b.text)
            if b.level <= 2:
                current, heading = key, b
            elif key is not None:
                # A deeper heading that names a section ("### What went well" under
                # "## Lessons learnt") switches to it; others only group items.
                current, heading = key, b
            continue
        sections.append((current, heading, b))

    # Metadata label lines: before the first section, and in sections the template does not name.
    first_section = next((b.line for b in bl[1:] if b.kind == "heading" and b.level <= 2), end_line + 1)
    spans = [(bl[0].line, first_section - 1)]
    label_sections = {None, "impact"}
    for key, head, b in sections:
        if key in label_sections and b.kind in ("paragraph", "list"):
            spans.append((b.line - 1, b.line + b.text.count("\n") + len(b.rows) * 3))
    seen_spans = set()
    for a, z in spans:
        for name, value, line in _label_lines(cfg, src, a - offset, z - offset):
            if (name, line) in seen_spans:
                continue
            seen_spans.add((name, line))
            if name not in record or not record[name]:
                record[name], lines[name] = value, line

    text_of: dict[str, list[str]] = {}
    timeline_heads = cfg.markdown.get("timeline_headings", False)
    timeline: list[dict] = []
    actions: list[dict] = []
    action_lines: list[int] = []
    whys: list = []
    lists: dict[str, list[str]] = {}
    tz_texts: list[str] = []
    for key, head, b in sections:
        if key is None:
            continue
        lines.setdefault(key if key != "impact" else "impact", b.line)
        if key == "impact" and b.kind == "table":
            for cells, line in b.rows[1:]:
                if len(cells) >= 2:
                    name = cfg.field_labels.get(fold(cells[0]))
                    if name and not record.get(name):
                        record[name], lines[name] = cells[1], line
        elif key == "timeline":
            tz_texts.append(head.text)
            if b.kind == "table":
                for row, line in _table_dicts(cfg, b):
                    timeline.append({"at": row.get("at"), "event": row.get("event", ""), "line": line})
            elif b.kind == "paragraph":
                tz_texts.append(b.text)
        elif key == "actions":
            if b.kind == "table":
                for row, line in _table_dicts(cfg, b):
                    actions.append(row)
                    action_lines.append(line)
            elif b.kind == "list":
                for item_text, line, links in b.rows:
                    ticket = next((u for u in links if u), None)
                    actions.append({"description": item_text.replace("\n", " "), "ticket": ticket})
                    action_lines.append(line)
        elif key == "root_cause":
            if b.kind == "list":
                for item_text, line, _ in b.rows:
                    why = _why(item_text)
                    if why:
                        whys.append({"question": why[0], "answer": why[1]})
                    else:
                        text_of.setdefault(key, []).append(item_text)
            elif b.kind == "paragraph" and not re.match(r"^\s*(5\s*whys|```)", b.text, re.I):
                text_of.setdefault(key, []).append(b.text)
        elif key in ("lessons", "went_well", "to_improve"):
            if b.kind == "list":
                lists.setdefault(key, []).extend(t.replace("\n", " ") for t, _, _ in b.rows)
            elif b.kind == "paragraph":
                lists.setdefault(key, []).append(b.text.replace("\n", " "))
        elif key == "summary" and b.kind in ("paragraph", "list"):
            text_of.setdefault(key, []).append(b.text or "\n".join(t for t, _, _ in b.rows))

    if timeline_heads:
        timeline += _heading_timeline(cfg, bl)
        for key, head, b in sections:
            if key == "timeline" and b.kind == "paragraph":
                tz_texts.append(b.text)
    for key in ("summary", "root_cause"):
        if text_of.get(key) and not record.get(key):
            record[key] = "\n\n".join(text_of[key])
    for key, items in lists.items():
        record[key] = items
    if timeline:
        record["timeline"] = timeline
    if actions:
        record["actions"] = actions
        lines["action_lines"] = action_lines
    if whys:
        record["whys"] = whys
    return MarkdownDocument(record, lines, _timezone(cfg, *tz_texts), bl[0].line)


def _heading_timeline(cfg: Config, bl: list[Block]) -> list[dict]:
    """Timelines written as "### 2019-02-20 10:12" headings, each followed by what happened."""
    events, current, in_timeline = [], None, False
    for b in bl[1:]:
        if b.kind == "heading":
            if b.level <= 2:
                in_timeline = _heading_key(cfg, b.text) == "timeline"
                current = None
                continue
            if in_timeline and re.search(r"\d{1,2}[:h]\d{2}|\d{4}-\d{2}-\d{2}", b.text):
                # "### 07:35 - Node limit increased": the words after the time name the event.
                named = re.split(r"\s+[-–—:]\s+(?=[^\d\s])", b.text, maxsplit=1)
                current = {"at": b.text, "event": named[1] if len(named) == 2 else "", "line": b.line}
                events.append(current)
            continue
        if current is not None and not current["event"] and b.kind in ("paragraph", "list"):
            current["event"] = (b.text or " ".join(t for t, _, _ in b.rows)).replace("\n", " ")[:500]
    return events


def _tracker(cfg: Config, bl: list[Block], src, offset, problems) -> list[TrackerUpdate]:
    """Rows of every "### Incident: Title - date" table, dated by the review date that follows."""
    updates: list[TrackerUpdate] = []
    open_blocks: list[list[TrackerUpdate]] = []
    current: tuple[str, object, int] | None = None
    for b in bl:
        if b.kind == "heading":
            m = cfg.tracker_incident.match(b.text) if cfg.tracker_incident else None
            if m:
                try:
                    day = parse_date(m["date"])
                except ValueError as exc:
                    problems.append(Problem("warning", f"tracker incident date: {exc}", b.line))
                    day = None
                current = (m["title"].strip(), day, b.line)
                open_blocks.append([])
            elif b.level <= 2 and _heading_key(cfg, b.text) != "tracker":
                current = None
            continue
        if b.kind == "table" and current is not None:
            title, day, _ = current
            for row, line in _table_dicts(cfg, b):
                pos = re.sub(r"\D", "", row.get("position", "") or "")
                due = None
                try:
                    due = parse_date(row.get("due"), day) if day else None
                except ValueError as exc:
                    problems.append(Problem("warning", f"tracker due date: {exc}; left empty", line))
                status_raw = row.get("status")
                status = cfg.normalize("status", status_raw) if status_raw else None
                if status_raw and status is None and status_raw.strip() not in ("-", ""):
                    problems.append(Problem("warning", f"tracker: unknown status '{status_raw}'; row ignored", line))
                open_blocks[-1].append(TrackerUpdate(
                    incident_title=title, incident_date=day, position=int(pos) if pos else None,
                    description=row.get("description") or None, status=status, owner=row.get("owner") or None,
                    due_date=due, ticket=None if is_blank(row.get("ticket")) else row["ticket"].strip(), reviewed_on=None, line=line))
        elif b.kind in ("paragraph", "list") and open_blocks:
            a = b.line - 1 - offset
            for name, value, line in _label_lines_review(cfg, src, a, a + b.text.count("\n") + 1 + len(b.rows) * 2):
                try:
                    reviewed = parse_date(value)
                except ValueError as exc:
                    problems.append(Problem("warning", f"tracker review date: {exc}", line))
                    continue
                for pending in open_blocks:
                    for u in pending:
                        u.reviewed_on = reviewed
                    updates += pending
                open_blocks = []
                break
    for pending in open_blocks:
        for u in pending:
            problems.append(Problem("warning", f"tracker row for '{u.incident_title}' has no review date "
                                    "(\"Last review\" / \"Dernière review\"); ignored", u.line))
    return updates


def _label_lines_review(cfg: Config, src, start, end):
    for n in range(max(start, 0), min(end, len(src))):
        m = _BOLD_LABEL.match(src[n]) or _PLAIN_LABEL.match(src[n])
        if m and fold(m["label"]) in cfg.tracker_review_labels:
            yield "review", m["value"], n + 1
