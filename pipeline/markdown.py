"""Markdown post-mortems in the template's shape, and "Actions Post-Mortem Tracker" documents.

A real Markdown parser reads the structure (pipeline/markdown_blocks.py), so tables, lists and code
fences are what they look like, and every block keeps its line number for messages. What the
headings, labels and columns mean comes from the configuration: the metadata label lines and one
handler per template section are in pipeline/markdown_sections.py, the tracker in markdown_tracker.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline import yamlio
from pipeline.config import Config
from pipeline.markdown_blocks import Block, blocks
from pipeline.markdown_sections import (LABEL_SECTIONS, Reading, finish, label_lines, read_sections, sections,
                                        utc_offset)
from pipeline.markdown_tracker import tracker_updates
from pipeline.model import Problem, Rejected, TrackerUpdate
from pipeline.records import canonical
from pipeline.values import is_blank

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)


@dataclass
class MarkdownDocument:
    record: dict
    lines: dict
    utc_offset: float | None
    line: int
    heading: str | None = None  # the title heading's text, whose date may date the incident


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


def check_size(size: int, cfg: Config) -> None:
    """Reject a Markdown file over markdown.max_file_mb before any of it is read."""
    if size > cfg.max_markdown_bytes:
        raise Rejected(f"the file is {size / 1e6:.1f} MB, over the {cfg.max_markdown_bytes / 1e6:g} MB a Markdown "
                       "post-mortem may be (markdown.max_file_mb in the configuration)")


def cut_long_lines(text: str, cfg: Config, problems: list[Problem]) -> str:
    """Lines over markdown.max_line_chars cut to that length, each with a warning naming it (ten at most;
    then one for the rest): a line of megabytes is a pasted blob, never a field worth its cost."""
    limit = cfg.max_line_chars
    if len(text) <= limit:
        return text
    lines = text.split("\n")
    if max(map(len, lines)) <= limit:
        return text
    cut = 0
    for n, line in enumerate(lines):
        if len(line) > limit:
            cut += 1
            if cut <= 10:
                problems.append(Problem("warning", f"line of {len(line):,} characters: only its first {limit:,} "
                                        "were read (markdown.max_line_chars)", n + 1))
            lines[n] = line[:limit]
    if cut > 10:
        problems.append(Problem("warning", f"{cut - 10} more line(s) over {limit:,} characters cut the same way"))
    return "\n".join(lines)


def parse_markdown(text: str, cfg: Config) -> tuple[list[MarkdownDocument], list[TrackerUpdate], list[Problem]]:
    """Post-mortems and tracker rows found in one Markdown text.

    Post-mortems start at the title lines markdown.title_patterns match (the template's "# Post-Mortem:
    <title>"); a text with none at its top level is searched for fenced ```markdown blocks, the way a
    template or a wiki page quotes its examples. Failing both, any Markdown with a title is one
    post-mortem: a front-matter ``title``, or its first "# heading". Raises Rejected when there is no
    title at all, or when the text is over markdown.max_file_mb; lines over markdown.max_line_chars
    are cut, with a warning."""
    check_size(len(text) if text.isascii() else len(text.encode("utf-8")), cfg)
    problems: list[Problem] = []
    text = cut_long_lines(text, cfg, problems)
    front, body, fm_lines, front_problems = split_front_matter(text)
    problems += front_problems
    docs, updates, bl, last_line = _read(body, cfg, fm_lines, problems)
    if not docs and not updates:
        for block in bl:
            if block.kind == "fence" and block.info in ("markdown", "md"):
                inner_docs, inner_updates, _, _ = _read(block.text, cfg, block.line, problems)
                docs += inner_docs
                updates += inner_updates
    if not docs and not updates:
        docs = _titled(body, cfg, fm_lines, bl, front, last_line)
    if not docs and not updates:
        raise Rejected("not a post-mortem: no title line (a '# Title' heading, or a 'title' in the front "
                       "matter) and no '### Incident: <title> - <date>' tracker table", 1 + fm_lines)
    if front:
        if len(docs) == 1:
            docs[0].record["__front__"] = dict(front)
        elif docs:
            problems.append(Problem("warning", "front matter ignored: the file holds several post-mortems", 1))
    return docs, updates, problems


def _read(body: str, cfg: Config, offset: int, problems: list[Problem]):
    """The post-mortems (one per title line) and tracker rows of a Markdown text, its blocks, and its last
    line read (the line before the one where reading stopped, when the text holds too many elements)."""
    bl, stopped = blocks(body, offset)
    src = body.split("\n")
    last_line = len(src) + offset
    if stopped is not None:
        problems.append(Problem("warning", "too many Markdown elements to read them all; the rest of the "
                                "file from this line on was not read", stopped))
        last_line = stopped - 1
    starts = _titles(cfg, bl)
    docs = []
    for n, (idx, m) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(bl)
        end_line = bl[end].line - 1 if end < len(bl) else last_line
        docs.append(_document(cfg, bl[idx:end], m.groupdict(), src, offset, end_line))
    return docs, tracker_updates(cfg, bl, src, offset, problems), bl, last_line


def _titled(body: str, cfg: Config, offset: int, bl: list[Block], front: dict | None,
            last_line: int) -> list[MarkdownDocument]:
    """Any Markdown with a title, as one post-mortem: from its first level-1 heading on (the front
    matter's title, if any, wins over the heading's later), or from the top when only the front
    matter gives the title. ``last_line`` is the last line _read read."""
    src = body.split("\n")
    first = next((i for i, b in enumerate(bl) if b.kind == "heading" and b.level == 1), None)
    if first is not None:
        return [_document(cfg, bl[first:], {"title": bl[first].text}, src, offset, last_line)]
    title = canonical(front, cfg, {"title"})[0].get("title") if front else None
    if is_blank(title) or isinstance(title, (dict, list)):
        return []
    # the title is on the front matter's lines, which start the file
    heading = Block("heading", 1, 1, text=str(title).strip(), level=1)
    doc = _document(cfg, [heading, *bl], {"title": heading.text}, src, offset, last_line)
    doc.heading = None  # the front matter's title is the title, not a heading of the body
    return [doc]


def _titles(cfg: Config, bl: list[Block]) -> list[tuple[int, re.Match]]:
    """Where each post-mortem starts: the level-1 headings a configured title pattern matches."""
    starts = []
    for idx, b in enumerate(bl):
        if b.kind == "heading" and b.level == 1:
            for pattern in cfg.title_patterns:
                if m := pattern.match("# " + b.text):
                    starts.append((idx, m))
                    break
    return starts


def _document(cfg: Config, bl: list[Block], title: dict, src: list[str], offset: int,
              end_line: int) -> MarkdownDocument:
    doc = Reading(cfg, {"title": (title.get("title") or "").strip() or None}, {"title": bl[0].line})
    if title.get("date"):
        doc.record["incident_date"] = title["date"]
        doc.lines["incident_date"] = bl[0].line
    parts = sections(cfg, bl)
    _read_labels(doc, bl, parts, src, offset, end_line)
    read_sections(doc, parts)
    finish(doc, bl, parts)
    return MarkdownDocument(doc.record, doc.lines, utc_offset(doc), bl[0].line, bl[0].text)


def _read_labels(doc: Reading, bl: list[Block], parts, src: list[str], offset: int, end_line: int) -> None:
    """Metadata label lines: before the first section, and in the paragraphs and lists of sections
    that are not read otherwise. The first value of a field wins. Each line is read once: the blocks
    before the first section are within its span already (reading them twice cost seconds on a file
    of a hundred thousand paragraphs)."""
    first_section = next((b.line for b in bl[1:] if b.kind == "heading" and b.level <= 2), end_line + 1)
    spans = [(bl[0].line, min(first_section - 1, end_line))]
    spans += [(b.line - 1, b.end) for key, _, b in parts
              if key in LABEL_SECTIONS and b.kind in ("paragraph", "list") and b.line > first_section]
    seen = set()
    for a, z in spans:
        for name, value, line in label_lines(doc.cfg, src, a - offset, z - offset, offset):
            if (name, line) in seen:
                continue
            seen.add((name, line))
            if not doc.record.get(name):
                doc.record[name], doc.lines[name] = value, line
