"""Markdown text to a flat list of blocks: headings, paragraphs, tables, lists and code, each with its lines.

pyromark (Rust's pulldown-cmark) parses; it was chosen over markdown-it-py and markdown-it-pyrs on
speed, on correctness against the records the markdown-it-py reader made, and on staying linear on
hostile input (docs/ingestion.md has the numbers). Its events are walked once here into blocks; what
the blocks mean (sections, labels, tables) is pipeline/markdown.py's business.

Only what the template reader looks at becomes a block: top-level paragraphs and lists; headings, tables
and code anywhere except inside a top-level list, whose items take the text of everything they hold
(code excepted, which is evidence quoted, not the item's words).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate

import pyromark

from pipeline.model import Rejected

_MD = pyromark.Markdown(options=pyromark.Options.ENABLE_TABLES)
# A hostile text can hold a million elements in a few megabytes (a '>' is a whole block quote); reading
# stops there, so no document costs more than a few seconds. A real post-mortem holds a few hundred.
MAX_EVENTS = 200_000


@dataclass(slots=True)
class Block:
    kind: str            # heading | paragraph | table | list | fence
    line: int            # first line, 1-based in the file
    end: int             # last line
    text: str = ""
    level: int = 0
    rows: list = field(default_factory=list)    # table: [(cells, line)]; list: [(text, line, links)]
    links: list = field(default_factory=list)   # paragraph: link targets
    info: str = ""                              # fence: its info string, casefolded; list: "b" or "o"


class _Lines:
    """Byte offsets (pyromark's ranges) to 1-based line numbers."""

    def __init__(self, text: str, offset: int):
        lines = (text if text.isascii() else text.encode("utf-8")).split("\n" if text.isascii() else b"\n")
        # The offset just past each newline, summed in C (a Match object per newline cost a second a MB).
        self.starts = list(accumulate(map((1).__add__, map(len, lines[:-1]))))
        self.offset = offset

    def at(self, position: int) -> int:
        return bisect_right(self.starts, position) + 1 + self.offset


class _Walker:
    """Turns the event stream into blocks. One method per kind of start or end event (the tables below)."""

    def __init__(self, text: str, offset: int):
        self.lines = _Lines(text, offset)
        self.out: list[Block] = []
        self.stack: list[str] = []          # enclosing containers: "quote" | "list"
        self.parts: list[str] = []          # inline text since the last block boundary
        self.links: list[str] = []
        self.code: list[str] | None = None  # text of the code block being read
        self.table: Block | None = None
        self.row: list[str] | None = None
        self.top_list: Block | None = None  # the top-level list being read, which swallows what it holds
        self.item: list | None = None       # its current item: [units, line, links]
        self.pending: Block | None = None   # the paragraph, heading or code block being read
        self.last_line = offset + 1

    # -- inline text ---------------------------------------------------------------------------------
    def take(self) -> tuple[str, list[str] | tuple]:
        """The inline text read since the last take, and its links; the buffers are emptied in place
        (the event loop holds them)."""
        text = "".join(self.parts).strip()
        links = self.links[:] if self.links else ()
        self.parts.clear()
        self.links.clear()
        return text, links

    def to_item(self, text: str, links: list[str]) -> None:
        if self.item is not None:
            if text:
                self.item[0].append(text)
            self.item[2].extend(links)

    def boundary(self) -> None:
        """A block starts or ends: text read since the last one (a tight list item's) goes to the item."""
        if self.parts or self.links:
            text, links = self.take()
            if self.top_list is not None:
                self.to_item(text, links)

    # -- starts ----------------------------------------------------------------------------------------
    def start_paragraph(self, data, span) -> None:
        self.boundary()
        if not self.stack:
            self.pending = Block("paragraph", self.lines.at(span["start"]), 0)

    def start_heading(self, data, span) -> None:
        self.boundary()
        level = int(data["level"][1])
        if self.top_list is None:
            self.pending = Block("heading", self.lines.at(span["start"]), 0, level=level)

    def start_code(self, data, span) -> None:
        self.boundary()
        self.code = []
        if self.top_list is None:
            info = data["Fenced"].strip().casefold() if isinstance(data, dict) else ""
            self.pending = Block("fence", self.lines.at(span["start"]), 0, info=info)

    def start_quote(self, data, span) -> None:
        self.boundary()
        self.stack.append("quote")

    def start_list(self, data, span) -> None:
        self.boundary()
        if not self.stack:
            self.top_list = Block("list", self.lines.at(span["start"]), 0, info="b" if data is None else "o")
        self.stack.append("list")

    def start_item(self, data, span) -> None:
        self.boundary()
        if self.top_list is not None and len(self.stack) == 1:
            self.item = [[], self.lines.at(span["start"]), []]

    def start_table(self, data, span) -> None:
        self.boundary()
        if self.top_list is None:
            self.table = Block("table", self.lines.at(span["start"]), 0)

    def start_row(self, data, span) -> None:
        self.row = []
        if self.table is not None:
            self.table.rows.append((self.row, self.lines.at(span["start"])))

    def start_other_block(self, data, span) -> None:
        self.boundary()

    # -- ends ------------------------------------------------------------------------------------------
    def end_paragraph(self, span) -> None:
        text, links = self.take()
        if self.pending is not None:
            self.emit(self.pending, span, text=text, links=links)
        elif self.top_list is not None:
            self.to_item(text, links)

    def end_heading(self, span) -> None:
        text, links = self.take()
        if self.pending is not None:
            self.emit(self.pending, span, text=text)
        else:
            self.to_item(text, links)

    def end_code(self, span) -> None:
        text, self.code = "".join(self.code or ()), None
        if self.pending is not None:
            self.emit(self.pending, span, text=text)

    def end_container(self, span) -> None:
        self.boundary()
        self.stack.pop()
        if not self.stack and self.top_list is not None:
            self.emit(self.top_list, span)
            self.top_list = None

    def end_item(self, span) -> None:
        self.boundary()
        if self.item is not None and len(self.stack) == 1:
            units, line, links = self.item
            self.top_list.rows.append(("\n".join(units), line, links))
            self.item = None

    def end_cell(self, span) -> None:
        text, links = self.take()
        self.row.append(text)
        if self.top_list is not None:
            self.to_item(text, links)

    def end_table(self, span) -> None:
        if self.table is not None:
            width = len(self.table.rows[0][0]) if self.table.rows else 0
            for cells, _ in self.table.rows:  # GFM: short rows get empty cells, extra cells are dropped
                cells[width:] = []
                cells.extend([""] * (width - len(cells)))
            self.emit(self.table, span)
            self.table = None

    def end_other_block(self, span) -> None:
        self.boundary()

    def emit(self, block: Block, span, **values) -> None:
        for key, value in values.items():
            setattr(block, key, value)
        block.end = self.lines.at(max(span["end"] - 1, span["start"]))
        self.out.append(block)
        self.pending = None


_STARTS = {
    "Paragraph": _Walker.start_paragraph, "Heading": _Walker.start_heading, "CodeBlock": _Walker.start_code,
    "BlockQuote": _Walker.start_quote, "List": _Walker.start_list, "Item": _Walker.start_item,
    "Table": _Walker.start_table, "TableHead": _Walker.start_row, "TableRow": _Walker.start_row,
    "HtmlBlock": _Walker.start_other_block, "TableCell": None,
}
_ENDS = {
    "Paragraph": _Walker.end_paragraph, "Heading": _Walker.end_heading, "CodeBlock": _Walker.end_code,
    "BlockQuote": _Walker.end_container, "List": _Walker.end_container, "Item": _Walker.end_item,
    "TableCell": _Walker.end_cell, "Table": _Walker.end_table, "HtmlBlock": _Walker.end_other_block,
}


def blocks(text: str, offset: int = 0) -> tuple[list[Block], int | None]:
    """The blocks of a Markdown text, lines counted from ``offset``; and the line where reading stopped
    when the text holds more elements than MAX_EVENTS (None when it was read to the end)."""
    try:
        return _walk(text, offset)
    except BaseException as exc:
        # A panic in the Rust parser arrives as pyo3's PanicException, a BaseException: it must reject
        # this one file, not kill the parse worker and the batch with it.
        if type(exc).__name__ != "PanicException":
            raise
        raise Rejected("the Markdown parser could not read this file", offset + 1) from None


def _walk(text: str, offset: int) -> tuple[list[Block], int | None]:
    walker = _Walker(text, offset)
    parts, links, starts, ends = walker.parts, walker.links, _STARTS, _ENDS
    for count, (event, span) in enumerate(_MD.events_with_range(text, merge_text=True)):
        if event.__class__ is str:  # "SoftBreak", "HardBreak", "Rule"
            if event != "Rule":
                parts.append("\n")
            continue
        ((kind, value),) = event.items()
        if kind == "Text":
            (parts if walker.code is None else walker.code).append(value)
        elif kind == "End":
            handler = ends.get(value if value.__class__ is str else next(iter(value)))
            if handler is not None:
                handler(walker, span)
        elif kind == "Start":
            if value.__class__ is str:
                handler, data = starts.get(value), None
            else:
                ((name, data),) = value.items()
                if name == "Link":
                    links.append(data["dest_url"])
                    continue
                handler = starts.get(name)
            if handler is not None:
                handler(walker, data, span)
        elif kind == "Code":
            parts.append(value)
        if count >= MAX_EVENTS:
            return walker.out, walker.lines.at(span["start"])
    return walker.out, None
