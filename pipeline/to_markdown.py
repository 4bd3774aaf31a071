"""Blocks read from an HTML page or a Word document, written out as Markdown in the template's shape.

The HTML and Word readers only say what a document holds (headings, paragraphs, list items, tables,
bold runs, links); this module writes it as the Markdown the template describes, which the Markdown
reader then reads like any .md file. One reader of post-mortems, three ways in.

Document text is escaped: a `|`, `*`, `#` or `[...](...)` in a page becomes text, never structure.
The one exception is the value of a metadata label line (`**Team:** payments`) where the reader takes
labels: it reads those lines as written, so they are written unescaped, on one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from pipeline.config import Config, fold
from pipeline.model import Rejected
from pipeline.records import POSTMORTEM_KEYS


@dataclass
class Run:
    """A stretch of text with one formatting. A run of "\\n" is a line break."""

    text: str
    bold: bool = False
    href: str | None = None


@dataclass
class Block:
    kind: str                       # heading | paragraph | item | table | code
    runs: list[Run] = field(default_factory=list)
    level: int = 0                  # heading level (1-6); list depth for items (0 = top)
    ordered: bool = False           # items of a numbered list
    rows: list[list[list[Run]]] = field(default_factory=list)   # table: rows of cells of runs
    row_lines: list[int | None] = field(default_factory=list)
    properties: bool = False        # table: a page's property table (name | value), read as labels
    text: str = ""                  # code
    line: int | None = None         # line in the source file, where the format has lines


@dataclass
class Converted:
    """A document as template Markdown, with where each Markdown line came from."""

    markdown: str
    source_lines: list[int | None]  # source line of Markdown line n at index n - 1
    fallback: dict = field(default_factory=dict)  # values used only where the document gives none

    def source_line(self, line: int | None) -> int | None:
        if line is None or not 1 <= line <= len(self.source_lines):
            return None
        return self.source_lines[line - 1]


def field_of(cfg: Config, label: str) -> str | None:
    """The post-mortem field a metadata label names (`Date de l'incident` -> incident_date)."""
    name = cfg.field_labels.get(fold(label))
    return name if name in POSTMORTEM_KEYS else None


def unwrap_link(href: str | None) -> str | None:
    """An absolute link target, with Google's redirect (`google.com/url?q=REAL&sa=...`) removed.
    Anchors and relative links (other pages of an export) say nothing about a ticket: dropped."""
    if not href:
        return None
    href = href.strip()
    parts = urlsplit(href)
    if parts.netloc.endswith("google.com") and parts.path == "/url":
        target = parse_qs(parts.query).get("q") or parse_qs(parts.query).get("url")
        if target:
            href, parts = target[0], urlsplit(target[0])
    if parts.scheme.casefold() not in ("http", "https", "mailto", "ftp"):
        return None
    return href


def plain(runs: list[Run]) -> str:
    return "".join(r.text for r in runs)


def render(title: str, title_line: int | None, blocks: list[Block], cfg: Config,
           fallback: dict | None = None) -> Converted:
    writer = _Writer(cfg)
    writer.title(title, title_line)
    if blocks and blocks[0].kind == "heading" and fold(plain(blocks[0].runs)) == fold(title):
        blocks = blocks[1:]  # the title written again as the page's first heading
    levels = [b.level for b in blocks if b.kind == "heading"]
    shift = 2 - min(levels) if levels else 0
    for block in blocks:
        writer.block(block, shift)
    if not writer.recognised:
        raise Rejected(f"not a post-mortem: '{title}' has no section or field of the template (no heading "
                       "such as 'Timeline' or 'Root Cause', no label such as 'Incident date:'; "
                       "aliases in the configuration map other words)", title_line)
    return Converted("\n".join(writer.lines) + "\n", writer.sources, dict(fallback or {}))


# Characters that are Markdown syntax wherever they stand, each escaped by one table lookup in C (a
# regular expression's replacement template per mark cost 7 s on a page of 5 million marks); the rest
# only at the start of a line.
_INLINE_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|~&"})
_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+(?=[.)]))")
_SPACES = re.compile(r"\s+")


def escape(text: str) -> str:
    """Text that reads back as itself: Markdown's marks escaped, and those that count only at the
    start of a line ("# ", "- ", "1. ") or, in a heading, at its end (" #")."""
    text = text.translate(_INLINE_SPECIAL)
    text = re.sub(r"(\s)(#+)$", r"\1\\\2", text)
    m = _LINE_START.match(text)
    if m:
        if m.group(2).isdigit():   # "1. " or "1) " would open a numbered list
            end = m.end()
            text = text[:end] + "\\" + text[end:]
        else:
            text = text[:m.start(2)] + "\\" + text[m.start(2):]
    return text


def _lines(runs: list[Run]) -> list[list[Run]]:
    """Runs split at line breaks, with blank lines dropped."""
    out: list[list[Run]] = [[]]
    for run in runs:
        pieces = run.text.split("\n")
        for i, piece in enumerate(pieces):
            if i:
                out.append([])
            if piece:
                out[-1].append(Run(piece, run.bold, run.href))
    return [line for line in out if plain(line).strip()]


def _merge(runs: list[Run]) -> list[Run]:
    merged: list[Run] = []
    for run in runs:
        if merged and (merged[-1].bold, merged[-1].href) == (run.bold, run.href):
            merged[-1] = Run(merged[-1].text + run.text, run.bold, run.href)
        else:
            merged.append(Run(run.text, run.bold, run.href))
    return merged


def inline(runs: list[Run]) -> str:
    """One line of runs as escaped Markdown: bold where CommonMark would read it as bold, links."""
    runs = _merge(runs)
    out = ""
    for i, run in enumerate(runs):
        at_start = not out.strip()
        lead, core, trail = _split_space(_SPACES.sub(" ", run.text))
        if at_start:
            lead, out = "", ""
        piece = escape(core) if at_start else core.translate(_INLINE_SPECIAL)
        if run.href and core:
            piece = f"[{piece}](<{_safe_url(run.href)}>)"
        if run.bold and core:
            following = runs[i + 1].text[:1] if i + 1 < len(runs) else ""
            if _can_bold(out + lead, piece, trail or following):
                piece = f"**{piece}**"
        out += lead + piece + trail
    return out.strip()


def _split_space(text: str) -> tuple[str, str, str]:
    core = text.strip()
    if not core:
        return text, "", ""
    start = text.index(core[0])
    return text[:start], core, text[start + len(core):]


def _can_bold(before: str, piece: str, after: str) -> bool:
    """CommonMark's flanking rules for `**`: whether the marks would really make the text bold."""
    prev, nxt = before[-1:], after[:1]
    opens = not prev.isalnum() or piece[0].isalnum()
    closes = not nxt.isalnum() or piece[-1].isalnum()
    return opens and closes


def _safe_url(url: str) -> str:
    return _SPACES.sub("%20", url.strip()).replace("<", "%3C").replace(">", "%3E")


class _Writer:
    """Markdown lines, each with the source line it came from, and the section being written."""

    def __init__(self, cfg: Config):
        self.cfg = cfg
        self.lines: list[str] = []
        self.sources: list[int | None] = []
        self.section: str | None = None
        self.list_indents: list[int] = []
        self.list_ordered: bool | None = None
        self.recognised = False  # a template section or field was seen: this is a post-mortem

    def emit(self, text: str, source: int | None) -> None:
        for piece in text.split("\n"):
            self.lines.append(piece)
            self.sources.append(source)

    def gap(self) -> None:
        self.list_indents, self.list_ordered = [], None
        if self.lines and self.lines[-1] != "":
            self.emit("", None)

    def title(self, title: str, line: int | None) -> None:
        title = _SPACES.sub(" ", title).strip()
        written = escape(title)
        if any(p.match("# " + title) for p in self.cfg.title_patterns):
            self.recognised = True
        else:
            written = "Post-Mortem: " + written
        self.emit("# " + written, line)

    @property
    def in_labels(self) -> bool:
        """Where the Markdown reader takes metadata label lines: before any template section, and in
        sections it does not name or that hold metadata (Impact)."""
        return self.section in (None, "impact")

    def block(self, block: Block, shift: int) -> None:
        if block.kind == "item":
            self.item(block)
            return
        self.gap()
        if block.kind == "heading":
            self.heading(block, shift)
        elif block.kind == "paragraph":
            self.paragraph(block)
        elif block.kind == "table":
            self.table(block)
        elif block.kind == "code":
            self.code(block)

    def heading(self, block: Block, shift: int) -> None:
        text = _SPACES.sub(" ", plain(block.runs)).strip()
        if not text:
            return
        level = min(max(block.level + shift, 2), 6)
        key = self.cfg.section_of(text)
        if level <= 2 or key is not None:  # as the reader switches sections
            self.section = key
        self.recognised = self.recognised or key is not None
        self.emit("#" * level + " " + escape(text), block.line)

    def label(self, runs: list[Run]) -> str | None:
        """`**Label:** value` when the runs are a known metadata label and its value, in a place the
        reader takes labels from; else None."""
        if not self.in_labels:
            return None
        text = _SPACES.sub(" ", plain(runs)).strip()
        m = re.match(r"(?P<label>[^:]{1,80}?)\s*:\s*(?P<value>.*)$", text)
        if not m or not m["value"] or field_of(self.cfg, m["label"]) is None:
            return None
        self.recognised = True
        return f"**{m['label'].replace('*', '').replace('_', ' ').strip()}:** {m['value']}"

    def paragraph(self, block: Block) -> None:
        out = [self.label(line) or inline(line) for line in _lines(block.runs)]
        if out:
            self.emit("\n".join(out), block.line)

    def item(self, block: Block) -> None:
        lines = _lines(block.runs)
        if not lines:
            return
        depth = min(block.level, len(self.list_indents))
        if depth == 0 and self.list_ordered is not None and self.list_ordered != block.ordered:
            self.gap()
        if depth == 0 and not self.list_indents and self.lines and self.lines[-1] != "":
            self.gap()
        del self.list_indents[depth + 1:]
        indent = self.list_indents[depth - 1] if depth else 0
        marker = "1. " if block.ordered else "- "
        if len(self.list_indents) == depth:
            self.list_indents.append(indent + len(marker))
        else:
            self.list_indents[depth] = indent + len(marker)
        if depth == 0:
            self.list_ordered = block.ordered
        label = None if block.ordered else self.label(lines[0])
        first = label or inline(lines[0])
        rest = [" " * (indent + len(marker)) + inline(line) for line in lines[1:]]
        self.emit(" " * indent + marker + "\n".join([first, *rest]), block.line)

    def table(self, block: Block) -> None:
        rows = [[_SPACES.sub(" ", plain(cell)).strip() for cell in row] for row in block.rows]
        if self.in_labels and (block.properties or self._key_values(rows)):
            self.key_values(block, rows)
            return
        width = max((len(r) for r in block.rows), default=0)
        if not width:
            return
        for n, row in enumerate(block.rows):
            cells = [inline(_flat(cell)) for cell in row] + [""] * (width - len(row))
            self.emit("| " + " | ".join(cells) + " |", _at(block.row_lines, n, block.line))
            if n == 0:
                self.emit("|" + "---|" * width, _at(block.row_lines, n, block.line))

    def _key_values(self, rows: list[list[str]]) -> bool:
        """A two-column table naming post-mortem fields in its first column (Confluence's Page
        Properties, a metadata table at the top of a Google Doc)."""
        return (all(len(r) <= 2 for r in rows)
                and any(len(r) == 2 and field_of(self.cfg, r[0]) for r in rows))

    def key_values(self, block: Block, rows: list[list[str]]) -> None:
        out = []
        for n, row in enumerate(rows):
            if len(row) != 2 or not row[0] or not row[1]:
                continue
            line = self.label([Run(f"{row[0]}: {row[1]}")])
            out.append((line or inline([Run(f"{row[0]}: {row[1]}")]), _at(block.row_lines, n, block.line)))
        for text, source in out:
            self.emit(text, source)

    def code(self, block: Block) -> None:
        longest = max((len(m) for m in re.findall(r"`+", block.text)), default=0)
        fence = "`" * max(3, longest + 1)
        self.emit(fence, block.line)
        for n, text in enumerate(block.text.strip("\n").split("\n")):
            self.emit(text, block.line + n if block.line else None)
        self.emit(fence, None)


def _flat(runs: list[Run]) -> list[Run]:
    """A table cell on one line: its line breaks become spaces."""
    return [Run(r.text.replace("\n", " "), r.bold, r.href) for r in runs]


def _at(lines: list[int | None], n: int, default: int | None) -> int | None:
    return lines[n] if n < len(lines) and lines[n] is not None else default
