"""Property-based tests (hypothesis) of whole documents in the formats tests/test_properties.py does not
cover: Markdown in the template's shape, HTML pages, Word documents, Jira CSV and gh JSON exports. For any
document, pipeline.parse.parse_file returns (never raises), in bounded CPU time, and the file is either
loaded (some record) or rejected with a reason: an error whose message names no exception class.

Each format is tried three ways: realistic documents filled with arbitrary text (so the text reaches the
field readers), arbitrary markup or bytes (so it reaches the format's own reader), and a small document
repeated up to about a megabyte (so a quadratic path shows as seconds). The profiles are conftest.py's
(HYPOTHESIS_PROFILE=fuzz for a longer run); bench/fuzz.py mutates the real corpora at a larger scale.
"""

from __future__ import annotations

import copy
import csv
import html
import io
import json
import zipfile

import docx
from docx.enum.style import WD_STYLE_TYPE
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from conftest import ROOT, assert_loaded_or_rejected, cpu_time, examples, zip_of
from hindsight.config import read_config
from pipeline.config import build
from pipeline.html_doc import MAX_CHARS
from pipeline.word_doc import MAX_PARAGRAPHS as WORD_MAX_PARAGRAPHS
from pipeline.parse import parse_file

CONFIG = build(read_config())
RAW = read_config()
LABELS = sorted({label for labels in RAW["aliases"]["fields"].values() for label in labels})
SECTIONS = sorted({name for names in RAW["aliases"]["sections"].values() for name in names})
# CPU seconds, not wall time: the suite shares two cores. No input of a megabyte or less may cost more.
CPU_BOUND = 2.0
# The deadline is the CPU bound below; a wall-clock one would fail on a busy machine.
quick = settings(max_examples=examples(60), deadline=None)
costly = settings(max_examples=examples(4), deadline=None)


def parsed_within_bound(name: str, data: bytes):
    parsed, elapsed = cpu_time(parse_file, name, data, CONFIG)
    assert elapsed < CPU_BOUND, f"{name}: {len(data):,} bytes took {elapsed:.2f} s of CPU"
    assert_loaded_or_rejected(parsed)
    return parsed


def encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # lone surrogates become bytes no UTF-8 reader accepts


def a_megabyte_of(unit: str) -> str:
    return unit * max(1, 1_000_000 // max(1, len(unit.encode("utf-8", "surrogatepass"))))


# Characters that steer parsers: Markdown and HTML syntax, separators, digits, bidi and zero-width marks, NUL.
SYNTAX = "|*_`[]()<>#-:!&;=\"'\\/.,~+0123456789 \t\n\r\x00\u202e\u200b\ufeff\u00a0éŒ€"
text = st.one_of(st.text(max_size=40), st.text(alphabet=SYNTAX, max_size=40))
line_text = text.map(lambda t: t.replace("\n", " ").replace("\r", " "))
# What XML (and so a Word document) can hold: no control characters but tab and newline, no surrogates.
xml_text = st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]) | st.sampled_from("\t\n"),
                   max_size=40)
labels = st.one_of(st.sampled_from(LABELS), line_text)
headings = st.one_of(st.sampled_from(SECTIONS), line_text)

# ---------------------------------------------------------------- Markdown


def _table(rows: list[list[str]]) -> str:
    width = max(map(len, rows))
    cells = [[c.replace("|", "\\|") for c in row] + [""] * (width - len(row)) for row in rows]
    head, *body = cells
    return "\n".join(["| " + " | ".join(head) + " |", "|" + "---|" * width]
                     + ["| " + " | ".join(r) + " |" for r in body])


table_rows = st.lists(st.lists(st.one_of(line_text, st.sampled_from(LABELS)), min_size=1, max_size=6),
                      min_size=1, max_size=6)
section_body = st.one_of(
    text,
    table_rows.map(_table),
    st.lists(line_text, min_size=1, max_size=5).map(lambda items: "\n".join(f"- {x}" for x in items)),
    st.lists(line_text, min_size=1, max_size=5).map(lambda items: "\n".join(f"{i}. {x}" for i, x in enumerate(
        items, 1))),
    st.tuples(labels, line_text).map(lambda lv: f"- **{lv[0]}**: {lv[1]}"),
)
front_matter = st.one_of(st.just(""), st.dictionaries(st.sampled_from(sorted(RAW["aliases"]["fields"])), line_text,
                                                      max_size=4).map(lambda d: "---\n" + "".join(
                                                          f"{k}: {json.dumps(v)}\n" for k, v in d.items()) + "---\n"),
                         text.map(lambda t: f"---\n{t}\n---\n"))
template_markdown = st.builds(
    lambda front, title, metadata, sections: front + f"# Post-Mortem: {title}\n\n"
    + "".join(f"**{label}**: {value}\n" for label, value in metadata)
    + "".join(f"\n## {heading}\n\n{body}\n" for heading, body in sections),
    front_matter, line_text, st.lists(st.tuples(labels, line_text), max_size=8),
    st.lists(st.tuples(headings, section_body), max_size=8))


@quick
@given(template_markdown)
def test_any_template_shaped_markdown_is_loaded_or_rejected_with_a_reason(document):
    parsed_within_bound("pm.md", encode(document))


@quick
@given(st.one_of(st.text(max_size=3000), st.text(alphabet=SYNTAX, max_size=3000)))
def test_any_markdown_text_is_loaded_or_rejected_with_a_reason(document):
    parsed_within_bound("pm.md", encode(document))


@costly
@given(template_markdown, section_body.filter(str.strip))
def test_a_megabyte_of_markdown_parses_in_bounded_time(document, repeated):
    parsed_within_bound("pm.md", encode(document + "\n" + a_megabyte_of(repeated + "\n\n")))


def test_the_markdown_template_strategy_reaches_the_field_readers():
    # Guards the strategy itself: a template document with plain values loads, with its label read.
    parsed = parsed_within_bound("pm.md", b"# Post-Mortem: Disk full\n\n**Team**: storage\n\n## Summary\n\nFull.\n")
    assert parsed.postmortems[0].team == "storage"


# ---------------------------------------------------------------- HTML

EXPORT_MARKERS = [("id", "main-content"), ("id", "title-text"), ("class", "page-title"), ("class", "page-body"),
                  ("class", "properties"), ("class", "title"), ("class", "lst-kix_a-1"), ("class", "c1"),
                  ("class", "breadcrumb-section"), ("class", "page-metadata"), ("id", "footer")]
TAGS = ["div", "p", "span", "b", "strong", "em", "a", "h1", "h2", "h3", "ul", "ol", "li", "table", "tr", "td",
        "th", "thead", "tbody", "br", "main", "article", "section", "blockquote", "pre", "code", "style", "script",
        "title", "img", "svg", "template", "u", "i", "sup", "hr", "xmp", "plaintext"]


def _element(parts) -> str:
    tag, marker, href, children, closed = parts
    attributes = f' {marker[0]}="{marker[1]}"' if marker else ""
    if tag == "a":
        attributes += f' href="{html.escape(href)}"'
    return f"<{tag}{attributes}>{''.join(children)}" + (f"</{tag}>" if closed else "")


markup = st.recursive(
    st.one_of(text.map(html.escape), text, st.sampled_from(["&nbsp;", "&#0;", "&#xD800;", "&amp", "<!--", "-->",
                                                            "<![CDATA[", "<?xml version='1.0'?>", "</p>",
                                                            "<!DOCTYPE html>", "&#x110000;", "\x00"])),
    lambda inner: st.tuples(st.sampled_from(TAGS), st.none() | st.sampled_from(EXPORT_MARKERS), text,
                            st.lists(inner, max_size=4), st.booleans()).map(_element),
    max_leaves=30)
escaped_or_raw = st.tuples(text, st.booleans()).map(lambda t: html.escape(t[0]) if t[1] else t[0])
html_page = st.builds(
    lambda title, metadata, sections: "<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
    f"<title>{title}</title></head><body><h1>Post-Mortem: {title}</h1>"
    + "".join(f"<p><strong>{label}</strong>: {value}</p>" for label, value in metadata)
    + "".join(f"<h2>{heading}</h2>{body}" for heading, body in sections) + "</body></html>",
    escaped_or_raw, st.lists(st.tuples(labels.map(html.escape), escaped_or_raw), max_size=8),
    st.lists(st.tuples(headings.map(html.escape), st.one_of(
        escaped_or_raw.map(lambda t: f"<p>{t}</p>"), markup,
        table_rows.map(lambda rows: "<table>" + "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows) + "</table>"),
        st.lists(escaped_or_raw, min_size=1, max_size=4).map(
            lambda items: "<ul>" + "".join(f"<li>{x}</li>" for x in items) + "</ul>"))), max_size=8))


@quick
@given(html_page)
def test_any_text_in_an_html_page_is_loaded_or_rejected_with_a_reason(page):
    parsed_within_bound("pm.html", encode(page))


@quick
@given(st.lists(markup, max_size=6).map("".join))
def test_any_markup_is_loaded_or_rejected_with_a_reason(page):
    parsed_within_bound("pm.html", encode(page))


@costly
@given(html_page, markup.filter(str.strip))
def test_a_megabyte_of_html_parses_in_bounded_time(page, repeated):
    parsed_within_bound("pm.html", encode(page.replace("</body>", a_megabyte_of(repeated) + "</body>")))


# ---------------------------------------------------------------- Word

STYLES = ["Title", "Heading 1", "Heading 2", "Heading 3", "List Bullet", "List Number", "Normal", "Quote",
          "Titre 1", "Überschrift 2", "Titre"]
BUILT_IN = set(STYLES[:8])


def _paragraph(document, style: str, runs) -> None:
    if style not in BUILT_IN and style not in [s.name for s in document.styles]:
        document.styles.add_style(style, WD_STYLE_TYPE.PARAGRAPH)
    paragraph = document.add_paragraph(style=style)
    for run_text, bold in runs:
        paragraph.add_run(run_text).bold = bold


def _word(parts) -> bytes:
    title, blocks = parts
    document = docx.Document()
    document.core_properties.title = title
    for block in blocks:
        if block[0] == "table":
            rows = block[1]
            table = document.add_table(rows=len(rows), cols=max(map(len, rows)))
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
        else:
            _paragraph(document, block[1], block[2])
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


word_labels = st.one_of(st.sampled_from(LABELS), xml_text)
word_document = st.tuples(
    xml_text.map(lambda t: t.replace("\n", " ")[:255]),
    st.lists(st.one_of(
        st.tuples(st.just("paragraph"), st.sampled_from(STYLES),
                  st.lists(st.tuples(st.one_of(xml_text, word_labels.map(lambda x: x + ":")), st.booleans()),
                           min_size=1, max_size=3)),
        st.tuples(st.just("table"), st.lists(st.lists(st.one_of(xml_text, word_labels), min_size=1, max_size=4),
                                             min_size=1, max_size=4))),
        max_size=10)).map(_word)


@settings(quick, max_examples=examples(30))
@given(word_document)
def test_any_word_document_is_loaded_or_rejected_with_a_reason(data):
    parsed_within_bound("pm.docx", data)


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


EXAMPLE_DOCX = _members((ROOT / "examples" / "postmortem-queue-backlog.docx").read_bytes())


def _damaged(parts) -> bytes:
    """The example document with one part replaced, cut short, or gone."""
    name, how, junk, cut = parts
    members = dict(EXAMPLE_DOCX)
    if how == "replace":
        members[name] = junk
    elif how == "cut":
        members[name] = members[name][:cut]
    else:
        del members[name]
    return zip_of(members)


zip_archive = st.dictionaries(st.one_of(st.sampled_from(sorted(EXAMPLE_DOCX)), st.text(min_size=1, max_size=20)),
                              st.binary(max_size=300), max_size=5).map(zip_of)
damaged_docx = st.tuples(st.sampled_from(sorted(EXAMPLE_DOCX)), st.sampled_from(["replace", "cut", "remove"]),
                         st.one_of(st.binary(max_size=300), text.map(encode)), st.integers(0, 5000)).map(_damaged)


@quick
@given(st.one_of(st.binary(max_size=2000), zip_archive, damaged_docx))
def test_any_bytes_as_a_docx_are_loaded_or_rejected_with_a_reason(data):
    parsed_within_bound("pm.docx", data)


@costly
@given(st.lists(st.one_of(xml_text, word_labels), min_size=1, max_size=4))
def test_a_megabyte_word_table_parses_in_bounded_time(row):
    document = docx.Document()
    document.add_heading("Post-Mortem: Wide", 0)
    table = document.add_table(rows=1, cols=len(row))
    for c, cell in enumerate(row):
        table.cell(0, c).text = cell
    # python-docx builds a table a cell at a time (quadratic): the row's XML is copied instead.
    tr = table._tbl.tr_lst[0]
    for _ in range(1_000_000 // len(etree.tostring(tr))):
        table._tbl.append(copy.deepcopy(tr))
    out = io.BytesIO()
    document.save(out)
    parsed_within_bound("pm.docx", out.getvalue())


# ---------------------------------------------------------------- Jira CSV

JIRA_HEADER = next(csv.reader(io.StringIO((ROOT / "examples" / "jira-export.csv").read_text(encoding="utf-8"))))
JIRA_WORDS = ["Done", "To Do", "In Progress", "Won't Do", "Duplicate", "PAY-1", "pay-2", "", "18/Apr/24 3:20 PM",
              "31/Feb/24 25:61 PM", "1/janv./2024 10:00", "2024-04-18T15:20:00Z", "0/Xyz/99999"]
jira_cell = st.one_of(st.sampled_from(JIRA_WORDS), text)


def _csv(header: list[str], rows: list[list[str]], delimiter: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


jira_export = st.builds(
    _csv, st.one_of(st.just(JIRA_HEADER), st.lists(st.sampled_from(JIRA_HEADER), min_size=1, max_size=12)),
    st.lists(st.lists(jira_cell, max_size=len(JIRA_HEADER) + 2), max_size=8), st.sampled_from([",", ";", "\t"]))


@quick
@given(jira_export)
def test_any_jira_export_is_loaded_or_rejected_with_a_reason(export):
    parsed_within_bound("jira.csv", encode(export))


@quick
@given(st.one_of(text, st.text(alphabet=SYNTAX, max_size=2000)))
def test_any_text_after_a_jira_header_is_loaded_or_rejected_with_a_reason(rest):
    parsed_within_bound("jira.csv", encode(",".join(JIRA_HEADER) + "\n" + rest))


@costly
@given(st.lists(jira_cell, min_size=len(JIRA_HEADER), max_size=len(JIRA_HEADER)))
def test_a_megabyte_of_jira_export_parses_in_bounded_time(row):
    line = _csv(JIRA_HEADER, [row], ",").split("\r\n", 1)[1]
    parsed_within_bound("jira.csv", encode(",".join(JIRA_HEADER) + "\n" + a_megabyte_of(line)))


# ---------------------------------------------------------------- gh JSON

json_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), text)
json_value = st.recursive(json_scalar, lambda inner: st.lists(inner, max_size=3)
                          | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
github_item = st.fixed_dictionaries(
    {"number": st.one_of(st.integers(), json_value), "state": st.one_of(
        st.sampled_from(["OPEN", "CLOSED", "MERGED", "open"]), json_value),
     "url": st.one_of(st.builds("https://github.com/{}/{}/{}/{}".format, text, text,
                                st.sampled_from(["issues", "pull"]), st.integers()),
                      st.just("https://github.com/acme/checkout/issues/1"), json_value)},
    optional={"title": json_value, "stateReason": st.one_of(st.sampled_from(["NOT_PLANNED", "COMPLETED"]), json_value),
              "labels": st.one_of(st.lists(st.fixed_dictionaries({"name": st.one_of(
                  st.sampled_from(["in progress", "blocked"]), text)})), json_value),
              "createdAt": st.one_of(st.sampled_from(["2024-04-12T14:20:31Z", "0001-01-01T00:00:00Z",
                                                      "2024-02-30T25:00:00Z"]), json_value),
              "updatedAt": json_value, "closedAt": json_value, "mergedAt": json_value, "isDraft": json_value})


@quick
@given(st.lists(github_item, min_size=1, max_size=6), st.booleans())
def test_any_gh_export_is_loaded_or_rejected_with_a_reason(items, indent):
    parsed_within_bound("gh.json", encode(json.dumps(items, indent=2 if indent else None)))


@costly
@given(github_item)
def test_a_megabyte_of_gh_export_parses_in_bounded_time(item):
    parsed_within_bound("gh.json", encode("[" + a_megabyte_of(json.dumps(item) + ",").rstrip(",") + "]"))


def test_an_html_page_of_markdown_marks_at_the_size_limit_parses_in_bounded_time():
    # Found by bench/fuzz.py: each of the 4.9 million marks was escaped by a regular expression's
    # replacement template, 6.9 s of CPU for the page (then rejected: escaped, it is 9.8 MB of Markdown).
    page = "<html><body><h1>Post-Mortem: Marks</h1><h2>Timeline</h2><p>{}</p></body></html>"
    for mark in "*&":
        parsed = parsed_within_bound("pm.html", page.format(mark * (MAX_CHARS - len(page))).encode())
        assert parsed.rejected and "markdown.max_file_mb" in parsed.problems[0].message, parsed.problems


def _long_word_document(paragraphs: int) -> bytes:
    """A title, then headings, text and bulleted and numbered items, in turn: ``paragraphs`` in all."""
    document = docx.Document()
    document.add_heading("Post-Mortem: Long", 0)
    styles = ["Heading 2", "Normal", "List Bullet", "List Number"]
    kinds = [document.add_paragraph(f"line {n} **x**", style=style)._p for n, style in enumerate(styles)]
    end = document.element.body[-1]  # the section properties close the body
    for n in range(paragraphs - 1 - len(kinds)):  # python-docx adds a styled paragraph in quadratic time
        end.addprevious(copy.deepcopy(kinds[n % len(kinds)]))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_word_document_of_thousands_of_paragraphs_parses_in_bounded_time():
    # Found by bench/fuzz.py: a 51 kB document of 5,000 paragraphs took 9 s of CPU (python-docx walked
    # every style of the document for each paragraph's style, and again for each style it is based on).
    parsed, elapsed = cpu_time(parse_file, "pm.docx", _long_word_document(WORD_MAX_PARAGRAPHS), CONFIG)
    assert elapsed < 5.0, f"{elapsed:.1f} s of CPU"  # the fuzz script's bound for any file
    assert_loaded_or_rejected(parsed)
    assert not parsed.rejected, parsed.problems


def test_a_word_document_over_the_paragraph_limit_is_rejected_naming_it():
    parsed = parsed_within_bound("pm.docx", _long_word_document(WORD_MAX_PARAGRAPHS + 1))
    assert parsed.rejected
    assert "more than 10,000 paragraphs" in parsed.problems[0].message, parsed.problems
