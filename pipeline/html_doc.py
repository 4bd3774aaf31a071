"""HTML post-mortems: Confluence page exports, Google Docs "Web page" downloads, Notion exports, any page.

lxml's HTML parser (libxml2) reads the page: it copes with the tag soup real exports hold and keeps
each element's source line, so a problem is reported on the line of the page where it stands. Each
export's wrapper is set aside before reading (Confluence's breadcrumbs, page metadata, attachments
and footer; Notion's page header), then headings, paragraphs, lists, tables, bold runs and links
become blocks that pipeline.to_markdown writes as template Markdown.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

from pipeline.config import Config
from pipeline.model import Rejected
from pipeline.to_markdown import Block, Converted, Run, render, unwrap_link
from pipeline.values import parse_date

MAX_CHARS = 5_000_000  # a post-mortem page is tens of kB (about 3 s a MB to read); beyond this, it is not one

_PARSER = lxml_html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, default_doctype=False)
_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*\?>")
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_CONTAINERS = {"div", "section", "article", "main", "header", "aside", "blockquote", "figure",
               "figcaption", "details", "summary", "center", "form", "fieldset", "address", "dl", "dt",
               "dd", "body", "html", "tbody", "thead", "tfoot", "tr", "td", "th", "caption", "colgroup",
               "hgroup", "search"}
_SKIPPED = {"script", "style", "noscript", "template", "svg", "math", "img", "picture", "video", "audio",
            "iframe", "object", "embed", "canvas", "map", "button", "input", "select", "textarea", "head",
            "title", "meta", "link", "nav", "footer", "hr", "col"}
_WRAPPER = ("breadcrumb-section", "page-metadata", "pageSection", "footer", "toc-macro", "expand-control",
            "confluence-embedded-file-wrapper", "page-header-icon", "page-cover-image", "comments-section")
_KIX_LEVEL = re.compile(r"\blst-kix_\w+-(\d+)\b")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def convert(text: str, cfg: Config) -> Converted:
    """The page as template Markdown. Raises Rejected for a page with no text or no title."""
    if len(text) > MAX_CHARS:
        raise Rejected(f"the page is {len(text) / 1e6:.0f} MB of HTML; Hindsight reads pages up to "
                       f"{MAX_CHARS / 1e6:.0f} MB (a post-mortem is far smaller)", None)
    try:
        # Zero-width spaces and soft hyphens (Google Docs leaves some) would split a label's words.
        root = lxml_html.document_fromstring(_XML_DECLARATION.sub("", text).translate(_INVISIBLE), parser=_PARSER)
    except (etree.ParserError, ValueError):
        raise Rejected("the HTML page holds no text", 1) from None
    bold_classes = _bold_classes(root)
    title, title_line, body, properties, fallback = _page(root, cfg)
    if title is None:
        if body is None or not _text(body).strip():
            raise Rejected("the HTML page holds no text", 1)
        raise Rejected("no title: the page has no <h1>, no <title> and no Confluence, Notion or Google Docs "
                       "title element", None)
    reader = _Reader(bold_classes)
    if properties is not None:
        reader.properties(properties)
    if body is not None:
        reader.container(body, 0)
    return render(title, title_line, reader.blocks, cfg, fallback)


def _text(el) -> str:
    return " ".join(el.itertext())


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class _Index:
    """One pass over the page: its elements by id, class and tag, in document order (a dozen XPath
    searches of the whole tree cost more than reading the page)."""

    def __init__(self, root):
        self.ids: dict[str, object] = {}
        self.classes: dict[str, list] = {}
        self.tags: dict[str, list] = {}
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            self.tags.setdefault(el.tag, []).append(el)
            if el.get("id"):
                self.ids.setdefault(el.get("id"), el)
            for name in (el.get("class") or "").split():
                self.classes.setdefault(name, []).append(el)

    def first(self, tag: str | None = None, cls: str | None = None):
        found = self.classes.get(cls, []) if cls else self.tags.get(tag, [])
        return next((el for el in found if tag is None or el.tag == tag), None)


def _page(root, cfg: Config):
    """(title, its line, the element holding the post-mortem, a property table or None, the
    Confluence page's fallback values)."""
    index = _Index(root)
    confluence, notion = index.ids.get("main-content"), index.first("h1", "page-title")
    if confluence is not None:
        title_el = index.ids.get("title-text", index.first("title"))
        found = (_confluence_title(index, title_el), title_el, confluence, None)
    elif notion is not None:
        found = (_clean(_text(notion)), notion, index.first(cls="page-body"), index.first("table", "properties"))
    else:
        title_el = index.first("p", "title")
        first_h1 = index.first("h1")
        if title_el is None and first_h1 is not None and cfg.section_of(_clean(_text(first_h1))) is None:
            title_el = first_h1
        if title_el is None or not _clean(_text(title_el)):
            title_el = index.first("title")
        body = index.first("main") if index.first("main") is not None else index.first("article")
        body = index.first("body") if body is None else body
        found = (_clean(_text(title_el)) if title_el is not None else None, title_el, body, None)
        if title_el is not None and title_el.tag != "title":
            title_el.drop_tree()
    fallback = _confluence_fallback(index)
    for name in _WRAPPER:
        for el in [index.ids.get(name), *index.classes.get(name, [])]:
            if el is not None and el.getparent() is not None:
                el.drop_tree()
    _drop_notes(index)
    title, title_el, body, props = found
    return title or None, getattr(title_el, "sourceline", None), body, props, fallback


def _confluence_title(index: _Index, el) -> str | None:
    """"Space : Page title" without the space, which the first breadcrumb names."""
    if el is None:
        return None
    title = _clean(_text(el))
    crumbs = index.ids.get("breadcrumbs")
    crumb = next(crumbs.iter("a"), None) if crumbs is not None else None
    space = _clean(_text(crumb)) if crumb is not None else ""
    if space and title.startswith(space + " : "):
        title = title[len(space) + 3:]
    return title or None


_MODIFIED = re.compile(r"(?:last modified|dernière modification)\b.*?\b(?:on|le)\s+(?P<date>.+?\d{4})", re.I | re.S)
_CREATED = re.compile(r"(?:created by|créée? par)\b.*?\b(?:on|le)\s+(?P<date>.+?\d{4})", re.I | re.S)


def _confluence_fallback(index: _Index) -> dict:
    """Confluence's "Created by X, last modified by Y on Mar 04, 2024": the date the page was last
    written, for a post-mortem that gives no post-mortem date of its own."""
    meta = index.first(cls="page-metadata")
    if meta is None:
        return {}
    text = _clean(_text(meta))
    m = _MODIFIED.search(text) or _CREATED.search(text)
    try:
        day = parse_date(m["date"]) if m else None
    except ValueError:
        day = None
    return {"postmortem_date": day.isoformat()} if day else {}


def _drop_notes(index: _Index) -> None:
    """Google Docs' comment and footnote markers, and the comments and footnotes listed at the end."""
    for a in index.tags.get("a", []):
        if not a.get("href", "").startswith(("#cmnt", "#ftnt")) or a.getparent() is None:
            continue
        if a.get("id", "").startswith(("cmnt_ref", "ftnt_ref")):
            note = a.getparent() if a.getparent().tag == "sup" else a
        else:  # the note itself, at the end: its whole div (or paragraph) goes
            note = next((p for p in a.iterancestors("div", "p")), a)
        if note.getparent() is not None:
            note.drop_tree()


_WEIGHT = re.compile(r"font-weight\s*:\s*([\w]+)", re.I)


def _weight(style: str | None) -> bool | None:
    """True for a bold font-weight, False for a normal one, None when the style does not say."""
    m = _WEIGHT.search(style or "")
    if not m:
        return None
    value = m.group(1).casefold()
    if value.isdigit():
        return int(value) >= 600
    return value in ("bold", "bolder")


def _bold_classes(root) -> dict[str, bool]:
    """Classes made bold or normal by the page's <style> rules: Google Docs writes bold as
    `<span class="c3">` with `.c3{font-weight:700}` in a style block."""
    classes: dict[str, bool] = {}
    for style in root.iter("style"):
        for selectors, declarations in re.findall(r"([^{}]+)\{([^{}]*)\}", style.text or ""):
            weight = _weight(declarations)
            if weight is None:
                continue
            for selector in selectors.split(","):
                if m := re.fullmatch(r"\s*\.([\w-]+)\s*", selector):
                    classes[m.group(1)] = weight
    return classes


class _Reader:
    """Walks the page's elements into blocks."""

    def __init__(self, bold_classes: dict[str, bool]):
        self.bold_classes = bold_classes
        self.blocks: list[Block] = []

    def is_bold(self, el, inherited: bool) -> bool:
        weight = _weight(el.get("style"))
        if weight is None:
            found = [self.bold_classes[c] for c in el.get("class", "").split() if c in self.bold_classes]
            weight = any(found) if found else None
        if weight is None and el.tag in ("b", "strong"):
            weight = True
        return inherited if weight is None else weight

    def container(self, el, depth: int) -> None:
        """Block children in order; inline content between them becomes paragraphs."""
        pending = _Pending(el.sourceline)
        pending.text(el.text)
        for child in el:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in _SKIPPED or not tag or _hidden(child):
                pending.text(child.tail)
                continue
            if tag in _HEADINGS or tag in _CONTAINERS or tag in ("p", "ul", "ol", "li", "table", "pre"):
                self.flush(pending)
                self.element(child, depth)
                pending = _Pending(child.sourceline)
            else:
                self.inline(child, pending.runs, False, None)
            pending.text(child.tail)
        self.flush(pending)

    def flush(self, pending: "_Pending") -> None:
        if "".join(r.text for r in pending.runs).strip():
            self.blocks.append(Block("paragraph", pending.runs, line=pending.line))

    def element(self, el, depth: int) -> None:
        tag = el.tag
        if tag in _HEADINGS:
            self.blocks.append(Block("heading", self.runs(el), level=_HEADINGS[tag], line=el.sourceline))
        elif tag in ("ul", "ol"):
            self.items(el, depth + _kix_level(el))
        elif tag == "li":  # an item outside any list
            self.item(el, depth, False)
        elif tag == "table":
            self.table(el)
        elif tag == "pre":
            self.blocks.append(Block("code", text="".join(el.itertext()), line=el.sourceline))
        else:
            self.container(el, depth)

    def items(self, el, depth: int) -> None:
        ordered = el.tag == "ol"
        for child in el:
            if child.tag == "li":
                self.item(child, depth, ordered)
            elif child.tag in ("ul", "ol"):
                self.items(child, depth + 1)

    def item(self, li, depth: int, ordered: bool) -> None:
        runs: list[Run] = []
        nested = []
        self.flatten(li, runs, nested, "\n")
        self.blocks.append(Block("item", runs, level=depth, ordered=ordered, line=li.sourceline))
        for sub in nested:
            self.items(sub, depth + 1)

    def flatten(self, el, runs: list[Run], nested: list | None, separator: str) -> None:
        """Everything inside an item or a cell as runs; blocks inside it start a new line (items) or
        are joined by a space (cells), the items of a list in a cell by commas ("Participants": a list
        of names). Lists inside an item are kept apart, to nest under it."""
        in_list = el.tag in ("ul", "ol")
        if el.text and not (in_list and not el.text.strip()):
            runs.append(Run(el.text, self.is_bold(el, False)))
        for child in el:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in ("ul", "ol") and nested is not None:
                nested.append(child)
            elif _hidden(child):
                pass
            elif tag == "li" and nested is None:
                _comma(runs)
                self.flatten(child, runs, nested, separator)
            elif tag and tag not in _SKIPPED and (tag in _CONTAINERS or tag in _HEADINGS or
                                                  tag in ("p", "li", "ul", "ol", "table", "pre")):
                runs.append(Run(separator))
                self.flatten(child, runs, nested, separator)
                runs.append(Run(separator))
            elif tag and tag not in _SKIPPED:
                self.inline(child, runs, False, None)
            if child.tail and not (in_list and not child.tail.strip()):
                runs.append(Run(child.tail))

    def runs(self, el) -> list[Run]:
        runs: list[Run] = []
        self.inline(el, runs, False, None)
        return runs

    def inline(self, el, runs: list[Run], bold: bool, href: str | None) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if not tag or tag in _SKIPPED or _hidden(el):
            return
        if tag == "br":
            runs.append(Run("\n"))
            return
        if "confluence-jim-macro" in el.get("class", "") and el.get("data-jira-key"):
            link = next((a for a in el.iter("a") if a.get("href")), None)
            runs.append(Run(el.get("data-jira-key"), bold, unwrap_link(link.get("href")) if link is not None else href))
            return
        bold = self.is_bold(el, bold)
        if tag == "a":
            href = unwrap_link(el.get("href")) or href
        text = el.text or ""
        if tag == "time":  # Confluence: <time datetime="2024-03-04">; Notion: "@March 12, 2024"
            stamp = el.get("datetime", "")
            if re.fullmatch(r"\d{4}-\d\d-\d\d", stamp):
                runs.append(Run(stamp, bold, href))
                return
            text = text.lstrip("@")
        if text:
            runs.append(Run(text, bold, href))
        for child in el:
            self.inline(child, runs, bold, href)
            if child.tail:
                runs.append(Run(child.tail, bold, href))

    def table(self, table) -> None:
        rows, lines = [], []
        for tr in _rows(table):
            cells = []
            for cell in (c for c in tr if c.tag in ("td", "th")):
                runs: list[Run] = []
                self.flatten(cell, runs, None, " ")
                cells.append(runs)
                span = cell.get("colspan", "1")
                cells.extend([] for _ in range(int(span) - 1 if span.isdigit() else 0))
            rows.append(cells)
            lines.append(tr.sourceline)
        if rows:
            self.blocks.append(Block("table", rows=rows, row_lines=lines, line=table.sourceline))

    def properties(self, table) -> None:
        """Notion's property table: each row a name (after its icon) and a value; the values of a
        multi-select or a people property are separate tags, joined by commas."""
        rows, lines = [], []
        for tr in _rows(table):
            name, value = tr.find("th"), tr.find("td")
            if name is None or value is None:
                continue
            tags = [el for el in value.iter() if {"selected-value", "user"} & set((el.get("class") or "").split())]
            text = ", ".join(_clean(_text(t)) for t in tags) if tags else _clean(_text(value)).lstrip("@")
            rows.append([[Run(_clean(_text(name)))], [Run(text)]])
            lines.append(tr.sourceline)
        if rows:
            self.blocks.append(Block("table", rows=rows, row_lines=lines, properties=True, line=table.sourceline))


def _comma(runs: list[Run]) -> None:
    """A comma after the text so far (none before the first item), with no space before it."""
    while runs and not runs[-1].text.strip():
        runs.pop()
    if runs:
        runs[-1] = Run(runs[-1].text.rstrip(), runs[-1].bold, runs[-1].href)
        runs.append(Run(", "))


class _Pending:
    """Inline content between two blocks, waiting to become a paragraph."""

    def __init__(self, line: int | None):
        self.line = line
        self.runs: list[Run] = []

    def text(self, text: str | None) -> None:
        if text:
            self.runs.append(Run(text))


def _rows(table):
    """A table's rows, without those of tables inside its cells."""
    for child in table:
        if child.tag == "tr":
            yield child
        elif child.tag in ("thead", "tbody", "tfoot"):
            yield from (tr for tr in child if tr.tag == "tr")


def _hidden(el) -> bool:
    style = el.get("style")
    return bool(style) and "none" in style and bool(re.search(r"display\s*:\s*none", style, re.I))


def _kix_level(el) -> int:
    """Google Docs writes nested lists flat, the level in the class: `lst-kix_abc123-1`."""
    m = _KIX_LEVEL.search(el.get("class", ""))
    return int(m.group(1)) if m else 0
