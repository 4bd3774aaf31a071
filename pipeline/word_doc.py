"""Word post-mortems (.docx): written in Word, or downloaded from Google Docs as "Microsoft Word".

python-docx reads the package; this module reads what the template needs from it: headings by
paragraph style (the style's outline level, so "Titre 1" or "Überschrift 1" count as well as
"Heading 1"), the Title style, bulleted and numbered paragraphs, tables, bold runs and hyperlinks.
pipeline.to_markdown writes them as template Markdown. A .docx has no lines: problems carry none.
"""

from __future__ import annotations

import io
import re
import zipfile

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run as DocxRun
from lxml import etree

from pipeline.config import Config
from pipeline.model import Rejected
from pipeline.to_markdown import Block, Converted, Run, plain, render, unwrap_link

MAX_BYTES = 50_000_000           # a post-mortem with screenshots is a few MB
MAX_UNPACKED = 200_000_000       # what the archive may expand to: a guard against zip bombs
MAX_TEXT_PART = 20_000_000       # word/document.xml, the part that is read: a post-mortem's is < 1 MB
# A post-mortem holds a few hundred paragraphs (table cells included); reading one costs python-docx
# about a quarter of a millisecond, so this bounds a document to a few seconds.
MAX_PARAGRAPHS = 10_000

# Style names of headings where the style has no outline level, in the languages Word ships.
_HEADING_NAME = re.compile(r"^(?:heading|titre|titulo|título|titolo|überschrift|kop|rubrik|nagłówek|"
                           r"otsikko|overskrift|cabeçalho)\s*(\d)$", re.I)
_TITLE_NAMES = {"title", "titre", "titel", "titulo", "título", "titolo", "tytuł", "otsikko"}
_HYPERLINK_FIELD = re.compile(r'HYPERLINK\s+"([^"]+)"')

# Compiled with their namespaces: elements python-docx has no class for (w:sdt, w:ins) have no
# prefix map of their own.
_NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
_RUNS = etree.XPath("./w:r | ./w:hyperlink | ./w:ins/w:r | ./w:smartTag/w:r | ./w:sdt/w:sdtContent/w:r | "
                    "./w:fldSimple/w:r", namespaces=_NS)
_LINK_RUNS = etree.XPath("./w:r", namespaces=_NS)
# A run's text as python-docx reads it (CT_R.text), compiled once: python-docx compiles it for each run.
_RUN_TEXT = etree.XPath("./w:br | ./w:cr | ./w:noBreakHyphen | ./w:ptab | ./w:t | ./w:tab", namespaces=_NS)
_PARAGRAPHS = etree.XPath("count(.//w:p)", namespaces=_NS)
_INSTRUCTION = etree.XPath("string(./w:instrText)", namespaces=_NS)
_FIELD_END = etree.XPath("boolean(./w:fldChar[@w:fldCharType='end'])", namespaces=_NS)
_TOC = etree.XPath("boolean(./w:sdtPr/w:docPartObj/w:docPartGallery[starts-with(@w:val, 'Table of Contents')])",
                   namespaces=_NS)
_NUM_ID = etree.XPath("string(./w:numId/@w:val)", namespaces=_NS)
_NUM_LEVEL = etree.XPath("string(./w:ilvl/@w:val)", namespaces=_NS)
_ABSTRACT = etree.XPath("string(./w:num[@w:numId=$num]/w:abstractNumId/@w:val)", namespaces=_NS)
_NUM_FORMAT = etree.XPath("string(./w:abstractNum[@w:abstractNumId=$abstract]/w:lvl[@w:ilvl=$level]"
                          "/w:numFmt/@w:val)", namespaces=_NS)


def convert(data: bytes, cfg: Config) -> Converted:
    """The document as template Markdown. Raises Rejected for what is not a readable .docx."""
    document = _open(data)
    if _PARAGRAPHS(document.element.body) > MAX_PARAGRAPHS:
        raise Rejected(f"the document holds more than {MAX_PARAGRAPHS:,} paragraphs; a post-mortem is far "
                       "smaller", None)
    reader = _Reader(document)
    for item in reader.body(document.element.body):
        reader.add(item)
    title = reader.take_title(cfg) or (document.core_properties.title or "").strip() or None
    if not any(plain(b.runs).strip() or b.rows for b in reader.blocks) and title is None:
        raise Rejected("the document holds no text", None)
    if title is None:
        raise Rejected("no title: no paragraph in the Title style or a Heading 1 style, and no title in "
                       "the document properties", None)
    return render(title, None, reader.blocks, cfg)


def _open(data: bytes):
    if not data:
        raise Rejected("the file is empty", None)
    if len(data) > MAX_BYTES:
        raise Rejected(f"the document is {len(data) / 1e6:.0f} MB; Hindsight reads .docx files up to "
                       f"{MAX_BYTES / 1e6:.0f} MB", None)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = {i.filename: i.file_size for i in archive.infolist()}
    except zipfile.BadZipFile:
        raise Rejected("not a Word document: a .docx is a zip archive and this file is not one "
                       "(a .doc from old Word versions must be saved again as .docx)", None) from None
    if "word/document.xml" not in names:
        raise Rejected("not a Word document: the zip archive has no word/document.xml", None)
    if sum(names.values()) > MAX_UNPACKED:
        raise Rejected(f"the archive expands to {sum(names.values()) / 1e6:.0f} MB; Hindsight reads "
                       f".docx files that expand to at most {MAX_UNPACKED / 1e6:.0f} MB", None)
    if names["word/document.xml"] > MAX_TEXT_PART:
        raise Rejected(f"the document's text (word/document.xml) is {names['word/document.xml'] / 1e6:.0f} MB; "
                       f"Hindsight reads up to {MAX_TEXT_PART / 1e6:.0f} MB of it", None)
    try:
        return docx.Document(io.BytesIO(data))
    except etree.XMLSyntaxError as exc:
        raise Rejected(f"the Word document is damaged: its XML is not well-formed ({exc.msg})", None) from None
    except ValueError as exc:  # python-docx: "file ... is not a Word file, content type is '...'"
        kind = re.search(r"content type is '([^']+)'", str(exc))
        raise Rejected("not a Word document: its main part is "
                       + (f"'{kind.group(1)}' (a macro-enabled .docm or a template?)" if kind else "unreadable"),
                       None) from None
    except (KeyError, PackageNotFoundError, zipfile.BadZipFile) as exc:
        reason = exc.args[0] if exc.args else "a part is missing"
        raise Rejected(f"the Word document is damaged: {reason}", None) from None


class _Reader:
    def __init__(self, document):
        self.document = document
        self.blocks: list[Block] = []
        self.titles: list[int] = []   # positions of Title-style paragraphs in blocks
        self.numbering = document.part.numbering_part.element if _has_numbering(document) else None
        self.style_bold: dict[str | None, bool] = {}
        self.chains: dict[str | None, tuple] = {}

    def body(self, parent):
        """Paragraphs and tables in order, including those inside content controls (a table of
        contents is one: it is left out)."""
        for el in parent.iterchildren():
            if el.tag == qn("w:p"):
                yield Paragraph(el, self.document.part)
            elif el.tag == qn("w:tbl"):
                yield Table(el, self.document.part)
            elif el.tag == qn("w:sdt") and not _TOC(el):
                content = el.find(qn("w:sdtContent"))
                if content is not None:
                    yield from self.body(content)

    def add(self, item) -> None:
        if isinstance(item, Table):
            self.blocks.append(self.table(item))
            return
        runs = self.runs(item)
        if not plain(runs).strip():
            return
        chain = self.chain(item)
        if _is_title(chain):
            self.titles.append(len(self.blocks))
            self.blocks.append(Block("heading", runs, level=0))
            return
        level = _heading_level(item, chain)
        if level:
            self.blocks.append(Block("heading", runs, level=level))
            return
        numbered = self.list_of(item, chain)
        if numbered is not None:
            depth, ordered = numbered
            self.blocks.append(Block("item", runs, level=depth, ordered=ordered))
        else:
            self.blocks.append(Block("paragraph", runs))

    def take_title(self, cfg: Config) -> str | None:
        """The Title paragraph's text, else the first level-1 heading that names no section."""
        position = self.titles[0] if self.titles else next(
            (n for n, b in enumerate(self.blocks) if b.kind == "heading" and b.level == 1
             and cfg.section_of(plain(b.runs).strip()) is None), None)
        if position is None:
            return None
        title = re.sub(r"\s+", " ", plain(self.blocks.pop(position).runs)).strip()
        for n in self.titles[1:]:  # a subtitle in the Title style is text, not a heading
            self.blocks[n - 1].kind = "paragraph"
        return title or None

    def runs(self, paragraph: Paragraph) -> list[Run]:
        """Text runs with bold and link, including tracked insertions, content controls and
        HYPERLINK fields (how pasted links are often stored)."""
        runs: list[Run] = []
        field_link = None
        for el in _RUNS(paragraph._p):
            if el.tag == qn("w:hyperlink"):
                href = self.link(el.get(qn("r:id")))
                runs += [Run(_text(x), self.bold(DocxRun(x, paragraph)), href) for x in _LINK_RUNS(el)]
                continue
            if m := _HYPERLINK_FIELD.search(_INSTRUCTION(el)):
                field_link = unwrap_link(m.group(1))
            if _FIELD_END(el):
                field_link = None
            text = _text(el)
            if text:
                runs.append(Run(text, self.bold(DocxRun(el, paragraph)), field_link))
        return runs

    def chain(self, paragraph: Paragraph) -> tuple:
        """The paragraph's style and the styles it is based on, nearest first, looked up once per style
        id: python-docx walks every style of the document for each lookup (9 s for 5,000 paragraphs)."""
        style_id = paragraph._p.style
        if style_id not in self.chains:
            self.chains[style_id] = tuple(_styles(paragraph.style))
        return self.chains[style_id]

    def bold(self, run: DocxRun) -> bool:
        """Bold set on the run, else by its character style (Word's "Strong")."""
        if run.bold is not None:
            return run.bold
        style_id = run._r.style
        if style_id not in self.style_bold:
            self.style_bold[style_id] = next((s.font.bold for s in _styles(run.style)
                                              if s.font.bold is not None), False)
        return self.style_bold[style_id]

    def link(self, rel_id: str | None) -> str | None:
        try:
            return unwrap_link(self.document.part.rels[rel_id].target_ref) if rel_id else None
        except KeyError:
            return None

    def list_of(self, paragraph: Paragraph, chain: tuple) -> tuple[int, bool] | None:
        """(depth, numbered) for a list paragraph, from its numbering or its style's."""
        num_pr = _p_pr(paragraph._p, chain, "w:numPr")
        if num_pr is None:
            return None
        num_id = _NUM_ID(num_pr)
        if num_id in ("", "0"):  # numId 0 takes a paragraph out of a list
            return None
        level = _NUM_LEVEL(num_pr) or "0"
        fmt = ""
        if self.numbering is not None:
            abstract = _ABSTRACT(self.numbering, num=num_id)
            fmt = _NUM_FORMAT(self.numbering, abstract=abstract, level=level)
        name = (chain[0].name or "") if chain else ""
        ordered = fmt not in ("bullet", "none") if fmt else "number" in name.casefold()
        return int(level) if level.isdigit() else 0, ordered

    def table(self, table: Table) -> Block:
        rows = []
        for row in table.rows:
            cells = []
            for cell in row.cells:
                runs: list[Run] = []
                for inner in self.body(cell._tc):
                    if isinstance(inner, Table):  # a table in a cell: its text, on the cell's line
                        runs += [Run(" " + " ".join(plain(c) for r in self.table(inner).rows for c in r))]
                    elif plain(runs).strip() and self.list_of(inner, self.chain(inner)) is not None:
                        runs += [Run(", "), *self.runs(inner)]  # a list in a cell: one value an item
                    else:
                        runs += [Run(" "), *self.runs(inner)]
                cells.append(runs)
            rows.append(cells)
        return Block("table", rows=rows)


def _has_numbering(document) -> bool:
    try:
        return document.part.numbering_part is not None
    except (KeyError, NotImplementedError):
        return False


def _text(r) -> str:
    return "".join(str(e) for e in _RUN_TEXT(r))


def _styles(style):
    """A style and the styles it is based on, nearest first."""
    seen = 0
    while style is not None and seen < 10:
        yield style
        style, seen = style.base_style, seen + 1


def _p_pr(p, chain: tuple, tag: str):
    """A paragraph property set on the paragraph itself, else on its style or the styles below."""
    own = p.pPr.find(qn(tag)) if p.pPr is not None else None
    if own is not None:
        return own
    for s in chain:
        found = s.element.pPr.find(qn(tag)) if s.element.pPr is not None else None
        if found is not None:
            return found
    return None


def _is_title(chain: tuple) -> bool:
    return bool(chain) and (chain[0].style_id == "Title" or (chain[0].name or "").casefold() in _TITLE_NAMES)


def _heading_level(paragraph: Paragraph, chain: tuple) -> int | None:
    """1 for Heading 1 ...: the outline level, which Word sets on heading styles in every language,
    else a heading style name ("Heading 2", "Titre 2")."""
    outline = _p_pr(paragraph._p, chain, "w:outlineLvl")
    if outline is not None:
        value = outline.get(qn("w:val"), "")
        if value.isdigit() and int(value) < 9:
            return int(value) + 1
    for s in chain:
        if m := _HEADING_NAME.match((s.name or "").strip()):
            return int(m.group(1))
    return None
