"""The documents bench/fuzz.py feeds the parser: the repository's real inputs (the demo corpus, the seed,
the mybinder reports, the examples, some of them also written as HTML pages and Word documents), each
mutated one way. Document ``i`` of seed ``s`` is always the same bytes: it is made from random.Random
seeded with "s:i", so a worker makes it from its number and a finding is reproduced from two numbers.
"""

from __future__ import annotations

import html
import io
import json
import random
import re
import string
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import docx
import pyromark

ROOT = Path(__file__).resolve().parent.parent
SOURCE_FOLDERS = [ROOT / "data" / "demo", ROOT / "tests" / "fixtures" / "seed",
                  ROOT / "tests" / "fixtures" / "mybinder-incident-reports", ROOT / "tests" / "fixtures" / "markdown-cases"]
EXAMPLES = ["confluence-postmortem.html", "postmortem-queue-backlog.docx", "jira-export.csv", "github-issues.json",
            "github-pulls.json", "postmortem-checkout-timeouts.md"]
EXTENSIONS = {".md": "markdown", ".txt": "markdown", ".json": "json", ".yaml": "yaml", ".csv": "csv",
              ".html": "html", ".docx": "docx"}
DERIVED = 24  # Markdown post-mortems also written as an HTML page and as a Word document, for variety
MB = 1_000_000


@dataclass(frozen=True)
class Source:
    name: str   # path relative to the repository
    data: bytes

    @property
    def fmt(self) -> str:
        return EXTENSIONS[Path(self.name).suffix]


def load_sources() -> list[Source]:
    found = [Source(str(p.relative_to(ROOT)), p.read_bytes()) for folder in SOURCE_FOLDERS
             for p in sorted(folder.rglob("*")) if p.is_file() and p.suffix in EXTENSIONS]
    found += [Source(f"examples/{name}", (ROOT / "examples" / name).read_bytes()) for name in EXAMPLES]
    markdown = [s for s in found if s.name.startswith("data/demo/markdown/")][:DERIVED]
    for s in markdown:
        text = s.data.decode("utf-8")
        found.append(Source(s.name[:-3] + ".html", as_html(text).encode("utf-8")))
        found.append(Source(s.name[:-3] + ".docx", as_docx(text)))
    return found


# ---------------------------------------------------------------- derived sources


def as_html(markdown: str) -> str:
    """A Markdown post-mortem as a plain page, the way a wiki or an editor exports it."""
    body = pyromark.html(markdown, options=pyromark.Options.ENABLE_TABLES)
    title = next((line[2:] for line in markdown.splitlines() if line.startswith("# ")), "Post-mortem")
    return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>\n'
            f"<body><main>\n{body}</main></body></html>\n")


_TABLE_RULE = re.compile(r"^\|?[\s:|-]+\|?$")


def as_docx(markdown: str) -> bytes:
    """A Markdown post-mortem as a Word document: headings by style, bold labels, tables, lists."""
    document, table = docx.Document(), []
    for line in markdown.splitlines() + [""]:
        if line.startswith("|"):
            if not _TABLE_RULE.match(line):
                table.append([c.strip() for c in line.strip().strip("|").split("|")])
            continue
        if table:
            _add_table(document, table)
            table = []
        _add_line(document, line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _add_table(document, rows: list[list[str]]) -> None:
    grid = document.add_table(rows=len(rows), cols=max(map(len, rows)))
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            grid.cell(r, c).text = cell


def _add_line(document, line: str) -> None:
    heading = re.match(r"^(#{1,3})\s+(.*)", line)
    label = re.match(r"^\*\*(.+?)\*\*:?\s*(.*)", line)
    if heading:
        document.add_heading(heading[2], len(heading[1]) - 1)
    elif line.startswith(("- ", "* ")):
        document.add_paragraph(line[2:], style="List Bullet")
    elif re.match(r"^\d+\.\s", line):
        document.add_paragraph(line.split(" ", 1)[1], style="List Number")
    elif label:
        paragraph = document.add_paragraph()
        paragraph.add_run(label[1] + ":").bold = True
        paragraph.add_run(" " + label[2])
    elif line.strip():
        document.add_paragraph(line)


# ---------------------------------------------------------------- helpers


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def on_text(source: Source, change) -> bytes:
    """``change(text) -> text`` applied to a text file, or to a Word document's word/document.xml."""
    if source.fmt != "docx":
        return change(source.data.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")
    members = unzip(source.data)
    members["word/document.xml"] = change(members["word/document.xml"].decode("utf-8")).encode("utf-8")
    return rezip(members)


def insert_at(rng: random.Random, text: str, piece: str) -> str:
    at = rng.randrange(len(text) + 1)
    return text[:at] + piece + text[at:]


def after_a_line(rng: random.Random, text: str, piece: str) -> str:
    """``piece`` as lines of their own, after a random line."""
    lines = text.split("\n")
    at = rng.randrange(len(lines) + 1)
    return "\n".join(lines[:at] + ["", piece, ""] + lines[at:])


def into_a_text_run(rng: random.Random, xml: str, piece: str) -> str:
    """``piece`` inside a random <w:t> of a Word document's XML (escaped: the XML stays well formed)."""
    runs = [m.end() for m in re.finditer(r"<w:t(?: [^>]*)?>", xml)]
    at = rng.choice(runs) if runs else xml.rfind("</w:body>")
    return xml[:at] + html.escape(piece, quote=False) + xml[at:]


def into_json_value(rng: random.Random, text: str, value) -> str:
    """``value`` set at a random key of a random object of a JSON document (the text unchanged when it
    is not JSON)."""
    try:
        data = json.loads(text)
    except ValueError:
        return text
    objects = list(_objects(data))
    if not objects:
        return json.dumps(value)
    target = rng.choice(objects)
    target[rng.choice(sorted(target) or ["title"])] = value
    return json.dumps(data, ensure_ascii=rng.random() < 0.5, indent=rng.choice([None, 2]))


def _objects(data):
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            yield value
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


def words(rng: random.Random, n: int) -> str:
    return " ".join("".join(rng.choices(string.ascii_lowercase, k=rng.randint(1, 9))) for _ in range(n))


# ---------------------------------------------------------------- mutations
# Each takes (rng, source) and gives the mutated bytes. The costly ones (megabytes) are weighted low so a
# run of 10,000 documents stays within minutes on two cores; each still appears about a hundred times.


def byte_flips(rng, s):
    data = bytearray(s.data)
    for _ in range(rng.choice([1, 3, 20, 200])):
        if data:
            data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


def truncation(rng, s):
    return s.data[:rng.randrange(len(s.data) + 1)]


HUGE = ["9" * 12, "99999999999", "1" + "0" * 30, "1" + "0" * 400, "9" * 5000, "-" + "9" * 40, "1e999", "-1e999",
        "NaN", "Infinity", "0x7fffffffffffffff", "1_000_000", "18446744073709551616", "-0", "1.5", "1e-999"]


def huge_numbers(rng, s):
    def change(text):
        runs = list(re.finditer(r"\d+", text))
        for m in sorted(rng.sample(runs, min(len(runs), rng.choice([1, 5, 50]))), key=lambda m: -m.start()):
            text = text[:m.start()] + rng.choice(HUGE) + text[m.end():]
        return text
    if s.fmt == "json" and rng.random() < 0.5:
        return into_json_value(rng, s.data.decode("utf-8"), rng.choice(
            [10 ** 30, -(10 ** 400), 2 ** 63, 99999999999, 1e308, 1.5, True, None, [], {}])).encode("utf-8")
    return on_text(s, change)


BAD_DATES = ["2024-02-30", "2023-02-29", "0000-00-00", "9999-99-99", "2024-13-45", "99999-01-01", "0001-01-01",
             "31/02/2024", "2024-04-31T25:61:61Z", "2024-04-12T14:20:31+99:00", "1/janv./2024", "-2024-01-01",
             "2024-W53-8", "30 février 2024", "Feb 30, 2024 25:00", "2024-02-30 10:00", "00:99", "24h60"]


def impossible_dates(rng, s):
    def change(text):
        for _ in range(rng.choice([1, 3, 30])):
            text = re.sub(r"\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}", lambda m: rng.choice(BAD_DATES), text, count=1)
        return text
    return on_text(s, change)


# the UTF-8 bytes of a lone surrogate (ED A0 80), which no UTF-8 reader accepts, as surrogateescape spells them
LONE_SURROGATE = "\udced\udca0\udc80"
ODD = ["\u202e", "\u202d", "\u200f", "\u061c", "\u200b", "\u200d", "\ufeff", "\u2060", "\x00", "\x1b[31m",
       "\u0301" * 50, "\U0001f4a5", LONE_SURROGATE, "\udcff", "\r", "\u2028", "\u0085", "\x0c", "é", "Ã©", "\\", "\t"]


def odd_characters(rng, s):
    def change(text):
        for _ in range(rng.choice([1, 10, 200])):
            piece = rng.choice(ODD)
            if s.fmt == "docx":  # XML holds no control characters nor surrogates: the run stays readable
                piece = piece if piece.isprintable() and piece != LONE_SURROGATE else "\u200b"
            text = insert_at(rng, text, piece)
        return text
    return on_text(s, change)


def encodings(rng, s):
    if s.fmt == "docx":
        return byte_flips(rng, s)
    text = s.data.decode("utf-8", "replace")
    how = rng.choice(["utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252", "mac_roman", "bom", "crlf", "cr"])
    if how == "bom":
        return b"\xef\xbb\xbf" + s.data
    if how in ("crlf", "cr"):
        return text.replace("\n", "\r\n" if how == "crlf" else "\r").encode("utf-8")
    return text.encode(how, "replace")


def deep_nesting(rng, s):
    depth = rng.choice([100, 1_000, 50_000])
    if s.fmt == "json":
        return into_json_value(rng, s.data.decode("utf-8"), "X").replace(
            '"X"', "[" * depth + "1" + "]" * depth, 1).encode("utf-8")
    if s.fmt == "yaml":
        return (s.data.decode("utf-8") + "\nextra: " + "[" * depth + "1" + "]" * depth + "\n").encode("utf-8")
    if s.fmt in ("html", "docx"):
        tag = "<div><p>" if s.fmt == "html" else ""
        if s.fmt == "docx":  # Word: tables inside tables
            return on_text(s, lambda x: x.replace("<w:body>", "<w:body>" + "<w:tbl><w:tr><w:tc>" * min(depth, 5000)
                                                  + "<w:p/>" + "</w:tc></w:tr></w:tbl>" * min(depth, 5000), 1))
        return on_text(s, lambda x: insert_at(rng, x, tag * depth))
    piece = rng.choice(["> " * depth + "x", "\n".join("  " * i + "- x" for i in range(min(depth, 2000))),
                        "[" * depth + "x" + "](y)" * depth, "*" * depth + "x" + "*" * depth])
    return on_text(s, lambda x: after_a_line(rng, x, piece))


def _alias_bomb(levels: int, width: int) -> str:
    lines = ["a0: &a0 [lol]"]
    for n in range(1, levels):
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * width) + "]")
    return "\n".join(lines) + f"\nlessons: *a{levels - 1}\n"


def alias_bomb(rng, s):
    bomb = _alias_bomb(rng.choice([9, 12]), rng.choice([9, 10]))
    if s.fmt == "yaml":
        return (s.data.decode("utf-8") + "\n" + bomb).encode("utf-8")
    if s.fmt == "markdown":
        return ("---\ntitle: Bomb\n" + bomb + "---\n" + s.data.decode("utf-8", "replace")).encode("utf-8")
    return on_text(s, lambda x: after_a_line(rng, x, bomb))


def wide_table(rng, s):
    cols = rng.choice([1_000, 10_000])
    cell = rng.choice(["x", "1", "2024-02-30", "**Team**: a", ""])
    if s.fmt == "csv":
        lines = s.data.decode("utf-8").split("\n")
        return "\n".join(line + ("," + cell) * cols for line in lines[:50]).encode("utf-8")
    if s.fmt == "docx":
        row = "<w:tr>" + f"<w:tc><w:p><w:r><w:t>{cell}</w:t></w:r></w:p></w:tc>" * cols + "</w:tr>"
        return on_text(s, lambda x: x.replace("<w:body>", "<w:body><w:tbl>" + row * 3 + "</w:tbl>", 1))
    if s.fmt == "html":
        row = "<tr>" + f"<td>{cell}</td>" * cols + "</tr>"
        return on_text(s, lambda x: insert_at(rng, x, "<table>" + row * 3 + "</table>"))
    if s.fmt in ("json", "yaml"):
        return on_text(s, lambda x: into_json_value(rng, x, {f"c{i}": cell for i in range(cols)})
                       if s.fmt == "json" else x + "\nwide: {" + ", ".join(f"c{i}: x" for i in range(cols)) + "}\n")
    table = "|" + "a|" * cols + "\n|" + "-|" * cols + "\n" + ("|" + (cell + "|") * cols + "\n") * 3
    return on_text(s, lambda x: after_a_line(rng, x, "## Timeline\n\n" + table))


def long_line(rng, s):
    size = rng.choice([1, 2, 5]) * MB // rng.choice([1, 2])
    unit = rng.choice(["a", " ", "*", "_", "[", "|", "<", "`", "1", "é", "**Team**: ", "- Why ", "x" * 7 + " ",
                       "![](data:image/png;base64,"])
    piece = unit * (size // len(unit.encode("utf-8")))
    if s.fmt == "json":
        return into_json_value(rng, s.data.decode("utf-8"), piece).encode("utf-8")
    if s.fmt == "docx":
        return on_text(s, lambda x: into_a_text_run(rng, x, piece))
    return on_text(s, lambda x: insert_at(rng, x, piece))


def repetition(rng, s):
    """The document over and over: many post-mortems, or one very long one, to a few megabytes."""
    if s.fmt == "docx":
        return on_text(s, lambda x: x.replace("</w:body>", re.search(r"<w:body>(.*)</w:body>", x, re.S)[1]
                                              * rng.choice([10, 100]) + "</w:body>", 1))
    return s.data * max(1, rng.choice([2, 4]) * MB // max(1, len(s.data)))


def splice(rng, s):
    """Half of the document, then garbage or another line order."""
    text_change = rng.choice([
        lambda x: "\n".join(rng.sample(x.split("\n"), len(x.split("\n")))),
        lambda x: x[:len(x) // 2] + words(rng, 50) + x[len(x) // 2:],
        lambda x: x.replace(":", "", rng.randint(1, 20)),
        lambda x: x.replace("|", "", rng.randint(1, 20)),
        lambda x: re.sub(r"^(#+)", lambda m: "#" * rng.randint(1, 7), x, flags=re.M),
        lambda x: "",
        lambda x: " \n\t" * rng.randint(1, 100)])
    return on_text(s, text_change)


# (mutation, weight): the cheap ones often, the megabyte ones about 1 in 80 documents each
MUTATIONS = [(byte_flips, 16), (truncation, 12), (huge_numbers, 14), (impossible_dates, 14), (odd_characters, 14),
             (encodings, 6), (deep_nesting, 4), (alias_bomb, 5), (splice, 8), (wide_table, 2), (long_line, 2),
             (repetition, 1)]


def document(sources: list[Source], seed: int, i: int) -> tuple[str, str, bytes]:
    """Document ``i``: (its file name, the mutation's name, its bytes)."""
    rng = random.Random(f"{seed}:{i}")
    source = rng.choice(sources)
    mutation = rng.choices([m for m, _ in MUTATIONS], [w for _, w in MUTATIONS])[0]
    data = mutation(rng, source)
    suffix = Path(source.name).suffix
    return f"{i:05d}-{mutation.__name__}-{Path(source.name).stem[:40]}{suffix}", mutation.__name__, data
