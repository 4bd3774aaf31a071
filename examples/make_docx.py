"""Writes examples/postmortem-queue-backlog.docx: an English post-mortem as a Word document, the way a
team fills the template in Word (Title style, bold labels, Heading 1 sections, tables, numbered and
bulleted lists, a hyperlink to the ticket).

    .venv/bin/python examples/make_docx.py [OUT]

The output is the same bytes on every run (fixed dates in the package), so the committed file can be
checked against this script."""

from __future__ import annotations

import io
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import docx
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

OUT = Path(__file__).with_name("postmortem-queue-backlog.docx")

LABELS = [("Incident date", "2024-06-18"), ("Author", "Priya Nair"), ("Post-mortem date", "2024-06-20"),
          ("Participants", "Priya Nair, Marco Rossi, Aiko Tanaka"), ("Team", "fulfilment"),
          ("Service", "order-queue"), ("Severity", "SEV2"), ("Cause category", "process")]
IMPACT = [("Metric", "Value"), ("Duration", "2h 15m"), ("Users affected", "~5,000"),
          ("Failed requests", "0"), ("Lost transactions", "N/A"), ("Estimated cost", "4 000€")]
TIMELINE = [("Time", "Event"), ("07:45", "Deploy of consumer v3.8 with a new retry policy"),
            ("08:10", "Alert: order queue depth above 50,000"), ("08:14", "On-call acknowledges the alert"),
            ("08:40", "Root cause identified: poison message retried forever"),
            ("08:55", "Rollback to consumer v3.7"), ("10:00", "Incident resolved, backlog drained")]
WHYS = [("Why were orders confirmed two hours late?", "The order queue held a backlog of 60,000 messages"),
        ("Why did the backlog build up?", "Every consumer was busy retrying one malformed message"),
        ("Why was that message retried forever?", "The new retry policy had no maximum and no dead-letter queue")]
ACTIONS = [("Action", "Owner", "Deadline", "Priority", "Status", "PR/Ticket"),
           ("Cap retries and add a dead-letter queue", "@marco", "2024-06-25", "High", "Done",
            ("FUL-231", "https://tracker.example.com/browse/FUL-231")),
           ("Alert on the age of the oldest message", "@aiko", "2024-07-05", "Medium", "In progress", "FUL-232"),
           ("Add poison messages to the consumer test suite", "@priya", "2024-07-19", "Medium", "Todo", "-")]


def build() -> bytes:
    document = docx.Document()
    props = document.core_properties
    props.title, props.author, props.last_modified_by = "Post-mortem: order queue backlog", "Priya Nair", "Priya Nair"
    props.created = props.modified = datetime(2024, 6, 20, 9, 0)
    document.add_heading("Post-Mortem: Order queue backlog after the consumer v3.8 deploy", 0)
    for label, value in LABELS:
        p = document.add_paragraph()
        p.add_run(f"{label}:").bold = True
        p.add_run(f" {value}")
    document.add_heading("Executive Summary", 1)
    document.add_paragraph("A retry policy without a limit let one malformed message occupy every consumer "
                           "of the order queue. Orders were confirmed up to two hours late; none was lost.")
    document.add_heading("Impact", 1)
    _table(document, IMPACT)
    document.add_heading("Timeline (UTC)", 1)
    _table(document, TIMELINE)
    document.add_heading("Root Cause", 1)
    document.add_paragraph("Consumer v3.8 retried failed messages immediately and without limit. A message "
                           "with a malformed address failed on every attempt and was put back first in line.")
    p = document.add_paragraph()
    p.add_run("5 Whys Analysis").bold = True
    p.add_run(":")
    add_whys(document, WHYS)
    _bullets(document, "What Went Well", ["The queue-depth alert fired 25 minutes after the deploy",
                                          "Rolling back the consumer was one command"])
    _bullets(document, "What Can Be Improved", ["Nothing alerts on the age of the oldest message",
                                                "The consumer tests never send a malformed message"])
    document.add_heading("Corrective Actions", 1)
    _table(document, ACTIONS)
    _bullets(document, "Lessons Learned", ["A retry without a limit is an outage waiting for its message",
                                           "Queue depth says how much, message age says how late"])
    out = io.BytesIO()
    document.save(out)
    return _fixed_dates(out.getvalue())


def _table(document, rows) -> None:
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            paragraph = table.cell(r, c).paragraphs[0]
            if isinstance(value, tuple):
                hyperlink(paragraph, *value)
            else:
                paragraph.add_run(value).bold = r == 0


def add_whys(document, whys) -> None:
    """The template's 5 whys: numbered, "Why" in bold, the answer after a line break and an arrow."""
    for question, answer in whys:
        first, rest = question.split(" ", 1)
        p = document.add_paragraph(style="List Number")
        p.add_run(first).bold = True
        p.add_run(" " + rest).add_break()
        p.add_run(f"→ {answer}")


def _bullets(document, heading: str, items: list[str]) -> None:
    document.add_heading(heading, 1)
    for item in items:
        document.add_paragraph(item, style="List Bullet")


def hyperlink(paragraph, text: str, url: str) -> None:
    """A w:hyperlink to an external target, as Word writes one (python-docx has no call for it)."""
    rel_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel_id)
    run = OxmlElement("w:r")
    text_el = OxmlElement("w:t")
    text_el.text = text
    run.append(text_el)
    link.append(run)
    paragraph._p.append(link)


def _fixed_dates(data: bytes) -> bytes:
    """The same archive with every member dated 1980-01-01, so two runs write the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(zipfile.ZipInfo(info.filename, (1980, 1, 1, 0, 0, 0)), src.read(info.filename),
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    out.write_bytes(build())
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
