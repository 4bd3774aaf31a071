"""Word post-mortems (.docx) through the real CLI: the example examples/make_docx.py writes, headings
by style in other languages, Google Docs' "Download → Microsoft Word" habits."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import docx
from docx.enum.style import WD_STYLE_TYPE

from conftest import ROOT, example_script, ingest as run_ingest, query, scalar

EXAMPLE = ROOT / "examples" / "postmortem-queue-backlog.docx"


def ingest(cli, db, *args, code=0):
    return run_ingest(cli, db, *args, code=code, verbose=True)
def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_committed_example_is_what_the_script_writes():
    assert _members(EXAMPLE.read_bytes()) == _members(example_script("make_docx.py").build()), (
        "examples/postmortem-queue-backlog.docx is out of date: run .venv/bin/python examples/make_docx.py")


def test_example_docx_loads_every_part_of_the_template(cli, db):
    out = ingest(cli, db, EXAMPLE)
    assert "0 warning(s), 0 error(s)" in out
    assert query(db, "SELECT title, incident_date, postmortem_date, author, team, service, severity, "
                     "primary_cause_category, participants FROM postmortems") == [(
        "Order queue backlog after the consumer v3.8 deploy", date(2024, 6, 18), date(2024, 6, 20), "Priya Nair",
        "fulfilment", "order-queue", "P2", "process", ["Priya Nair", "Marco Rossi", "Aiko Tanaka"])]
    # Timeline 07:45 -> alert 08:10 (25 min) -> ack 08:14 (29) -> rollback 08:55 (70) -> resolved 10:00 (135),
    # which is the Impact table's 2h 15m.
    assert query(db, "SELECT minutes_to_detect, minutes_to_acknowledge, minutes_to_mitigate, minutes_to_resolve, "
                     "users_affected, lost_transactions, estimated_cost FROM postmortems") == [
        (25.0, 29.0, 70.0, 135.0, 5000, None, 4000.0)]
    assert query(db, "SELECT position, owner, due_date, priority, status, ticket FROM actions ORDER BY position") == [
        (1, "@marco", date(2024, 6, 25), "high", "done", "FUL-231"),
        (2, "@aiko", date(2024, 7, 5), "medium", "in_progress", "FUL-232"),
        (3, "@priya", date(2024, 7, 19), "medium", "todo", None)]
    assert query(db, "SELECT position, question FROM whys ORDER BY position") == [
        (1, "Why were orders confirmed two hours late?"), (2, "Why did the backlog build up?"),
        (3, "Why was that message retried forever?")]
    assert dict(query(db, "SELECT kind, count(*) FROM learnings GROUP BY kind")) == {
        "went_well": 2, "to_improve": 2, "lesson": 2}


def _localized(path) -> None:
    """A French Word document: styles named "Titre", "Titre 1", "Titre 2" with no outline level (as
    some editors write them), a metadata table instead of label lines, bold through the "Strong" style."""
    document = docx.Document()
    styles = document.styles
    title = styles.add_style("Titre", WD_STYLE_TYPE.PARAGRAPH)
    level1 = styles.add_style("Titre 1", WD_STYLE_TYPE.PARAGRAPH)
    level2 = styles.add_style("Titre 2", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("Post-Mortem : Réplication MySQL en retard", style=title)
    table = document.add_table(rows=4, cols=2)
    for r, (label, value) in enumerate([("Date de l'incident", "09/04/2024"), ("Équipe", "données"),
                                        ("Sévérité", "Majeur"), ("Participants", "Léa Petit")]):
        table.cell(r, 0).text, table.cell(r, 1).text = label, value
    table.cell(3, 1).paragraphs[0].style = "List Bullet"
    table.cell(3, 1).add_paragraph("Noé Roux", style="List Bullet")  # one name a bullet
    document.add_paragraph("Résumé Exécutif", style=level1)
    document.add_paragraph("Le réplica a pris 40 minutes de retard pendant une migration.")
    document.add_paragraph("Chronologie", style=level1)
    document.add_paragraph("Déroulé", style=level2)
    document.add_paragraph("Toutes les heures sont en CEST.")
    timeline = document.add_table(rows=3, cols=2)
    for r, row in enumerate([("Heure", "Événement"), ("14:00", "Début de la migration de la table orders"),
                             ("14:40", "Incident résolu : réplica rattrapé")]):
        timeline.cell(r, 0).text, timeline.cell(r, 1).text = row
    document.add_paragraph("Leçons Apprises", style=level1)
    p = document.add_paragraph(style="List Bullet")
    p.add_run("Migrer par lots").style = "Strong"
    p.add_run(" : une migration géante bloque la réplication")
    document.save(path)


def test_localized_heading_styles_and_a_metadata_table(cli, db, exports):
    path = exports / "replication.docx"
    _localized(path)
    ingest(cli, db, path)
    # "Titre 2" is a subsection: what follows stays in the Chronologie section, whose times are in
    # CEST (UTC+2): 14:00 is 12:00 UTC.
    assert query(db, "SELECT title, incident_date, team, severity, participants, started_at, minutes_to_resolve, "
                     "summary FROM postmortems") == [(
        "Réplication MySQL en retard", date(2024, 4, 9), "données", "P1", ["Léa Petit", "Noé Roux"],
        datetime(2024, 4, 9, 12, 0), 40.0, "Le réplica a pris 40 minutes de retard pendant une migration.")]
    assert query(db, "SELECT text FROM learnings") == [("Migrer par lots : une migration géante bloque la réplication",)]


def _google_docs_word_export(path) -> None:
    """What Google Docs' "Download → Microsoft Word" writes that Word itself rarely does: links as
    HYPERLINK fields, text inside content controls, a table of contents, tracked insertions."""
    document = docx.Document()
    document.add_heading("Post-Mortem: CDN certificate expired", 0)
    toc = docx.oxml.parse_xml(
        '<w:sdt xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:sdtPr><w:docPartObj>'
        '<w:docPartGallery w:val="Table of Contents"/></w:docPartObj></w:sdtPr><w:sdtContent><w:p><w:r>'
        '<w:t>Summary ........ 1</w:t></w:r></w:p></w:sdtContent></w:sdt>')
    document.element.body.insert(1, toc)
    p = document.add_paragraph()
    p.add_run("Incident date:").bold = True
    date_control = docx.oxml.parse_xml(
        '<w:sdt xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:sdtPr><w:date/>'
        '</w:sdtPr><w:sdtContent><w:r><w:t xml:space="preserve"> 2024-05-06</w:t></w:r></w:sdtContent></w:sdt>')
    p._p.append(date_control)
    document.add_heading("Summary", 1)
    summary = document.add_paragraph("The certificate of cdn.example.com expired at 00:00.")
    summary._p.append(docx.oxml.parse_xml(
        '<w:ins xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:id="1" w:author="Ana" '
        'w:date="2024-05-07T10:00:00Z"><w:r><w:t xml:space="preserve"> Renewal was manual.</w:t></w:r></w:ins>'))
    document.add_heading("Action Items", 1)
    item = document.add_paragraph("Automate renewal ", style="List Bullet")
    for xml in ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>',
                '<w:r><w:instrText xml:space="preserve"> HYPERLINK "https://www.google.com/url?q=https://'
                'tracker.example.com/CDN-9&amp;sa=D" </w:instrText></w:r>',
                '<w:r><w:fldChar w:fldCharType="separate"/></w:r>', '<w:r><w:t>CDN-9</w:t></w:r>',
                '<w:r><w:fldChar w:fldCharType="end"/></w:r>'):
        item._p.append(docx.oxml.parse_xml(
            xml.replace("<w:r>", '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">', 1)))
    document.save(path)


def test_google_docs_word_export_fields_content_controls_and_insertions(cli, db, exports):
    path = exports / "cdn.docx"
    _google_docs_word_export(path)
    ingest(cli, db, path)
    assert query(db, "SELECT title, incident_date, summary FROM postmortems") == [(
        "CDN certificate expired", date(2024, 5, 6),
        "The certificate of cdn.example.com expired at 00:00. Renewal was manual.")]
    assert query(db, "SELECT description, ticket FROM actions") == [
        ("Automate renewal CDN-9", "https://tracker.example.com/CDN-9")]
    assert scalar(db, "SELECT count(*) FROM postmortems WHERE summary LIKE '%....%'") == 0  # no table of contents


def test_bold_runs_stay_bold_in_the_markdown_the_document_is_read_as(exports):
    # Bold changes no row (labels are known by their words), but the Markdown keeps what the page
    # says: a run in Word's "Strong" character style and one with direct bold are bold; others not.
    from hindsight.config import read_config
    from pipeline.config import build
    from pipeline.word_doc import convert

    document = docx.Document()
    document.add_heading("Post-Mortem: Bold", 0)
    document.add_heading("Lessons Learned", 1)
    p = document.add_paragraph(style="List Bullet")
    p.add_run("Batch migrations").style = "Strong"
    p.add_run(": one huge migration stalls replication, ")
    p.add_run("always").bold = True
    path = exports / "bold.docx"
    document.save(path)
    markdown = convert(path.read_bytes(), build(read_config())).markdown
    assert "- **Batch migrations**: one huge migration stalls replication, **always**" in markdown.splitlines()
