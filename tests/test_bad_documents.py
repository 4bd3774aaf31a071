"""Bad HTML pages and Word documents: each is rejected with its file, the line where the format has
lines, and a reason a person can act on; the good files beside it load. Problems found inside a page
are reported on the page's own lines, not on those of the Markdown it is read through."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest

from conftest import query, scalar, write, zip_of

GOOD_MD = """
    # Post-Mortem: Cache saturé

    **Date de l'incident**: 2024-05-02
    **Équipe**: platform

    ## Timeline

    | Heure | Événement |
    |-------|-----------|
    | 09:00 | Déploiement du cache |
    | 10:00 | Incident déclaré résolu |
"""

GOOD_HTML = """
    <html><head><title>Disque plein</title></head><body>
    <h1>Post-Mortem: Disque plein</h1>
    <p><b>Date de l'incident</b>: 2024-02-01</p>
    <h2>Actions Correctives</h2>
    <ul><li>Alerte sur l'espace disque</li></ul>
    </body></html>
"""


def _docx(build) -> bytes:
    document = docx.Document()
    build(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _with_member(data: bytes, name: str, content: bytes) -> bytes:
    """The same .docx with one part replaced."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {i.filename: archive.read(i.filename) for i in archive.infolist()}
    members[name] = content
    return zip_of(members)


def _without(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return zip_of({n: archive.read(n) for n in archive.namelist() if n != name})


def _untitled(document):
    document.add_paragraph("Timeline")
    document.add_paragraph("09:00 the cache filled up")


VALID = _docx(lambda d: d.add_heading("Post-Mortem: Cache", 0))
with zipfile.ZipFile(io.BytesIO(VALID)) as _archive:
    _CONTENT_TYPES = _archive.read("[Content_Types].xml")

REJECTED = [
    # (file name, content, expected line, phrases the reason must contain)
    pytest.param("notes.docx", b"Meeting notes, saved with the wrong extension\n", None,
                 ["not a Word document", "not one"], id="docx-not-a-zip"),
    pytest.param("archive.docx", zip_of({"notes.txt": b"hello"}), None,
                 ["not a Word document", "no word/document.xml"], id="docx-zip-without-document"),
    pytest.param("damaged.docx", _with_member(VALID, "word/document.xml", b"<w:document><w:body>"), None,
                 ["damaged", "not well-formed"], id="docx-broken-xml"),
    pytest.param("unpackaged.docx", _without(VALID, "[Content_Types].xml"), None,
                 ["the Word document is damaged", "[Content_Types].xml"], id="docx-without-content-types"),
    pytest.param("macros.docx", _with_member(VALID, "[Content_Types].xml", _CONTENT_TYPES.replace(
        b"officedocument.wordprocessingml.document.main", b"ms-word.document.macroEnabled.main")), None,
                 ["not a Word document", "macroEnabled", ".docm"], id="docx-that-is-a-docm"),
    pytest.param("empty.docx", b"", None, ["the file is empty"], id="docx-empty-file"),
    pytest.param("blank.docx", _docx(lambda d: None), None, ["the document holds no text"], id="docx-no-text"),
    pytest.param("untitled.docx", _docx(_untitled), None, ["no title", "Title style"], id="docx-no-title"),
    pytest.param("untitled.html", "<html><body>\n<h2>Timeline</h2>\n<p>09:00 the cache filled up</p>\n</body></html>",
                 None, ["no title", "<h1>", "<title>"], id="html-no-title"),
    pytest.param("empty.html", "<!DOCTYPE html>\n<html><head></head>\n<body>\n</body></html>\n", 1,
                 ["the HTML page holds no text"], id="html-empty-page"),
    pytest.param("blank.html", b"\n  \n", 1, ["the file is empty"], id="html-blank-file"),
    pytest.param("lunch.html", "<html>\n<head><title>Team lunch</title></head>\n<body><p>Pizza on Friday</p>"
                 "</body></html>", 2, ["not a post-mortem", "'Team lunch'", "no section or field"],
                 id="html-page-that-is-no-postmortem"),
]


@pytest.mark.parametrize("name, content, line, phrases", REJECTED)
def test_bad_document_is_rejected_with_its_reason_and_the_rest_loads(cli, db, exports, name, content, line,
                                                                     phrases):
    write(exports, "good.md", GOOD_MD)
    write(exports, "good.html", GOOD_HTML)
    bad = exports / name
    if isinstance(content, bytes):
        bad.write_bytes(content)
    else:
        bad.write_text(content, encoding="utf-8")

    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 1, out + err
    assert "2 file(s) loaded, 0 unchanged, 1 rejected (of 3 found)" in out
    rows = query(db, "SELECT line, message FROM ingest_errors WHERE source_path = ? AND level = 'error'",
                 [str(bad)])
    assert len(rows) == 1, rows
    assert rows[0][0] == line
    for phrase in phrases:
        assert phrase in rows[0][1]
    assert "Error" not in rows[0][1] and "Traceback" not in out + err  # no exception names for people
    where = f"{bad}:{line}" if line else str(bad)
    assert f"REJECTED {where}: {rows[0][1]}" in out.splitlines()
    assert sorted(t for (t,) in query(db, "SELECT title FROM postmortems")) == ["Cache saturé", "Disque plein"]
    assert scalar(db, "SELECT count(*) FROM actions") == 1


def test_oversized_page_is_rejected_before_it_is_parsed(cli, db, exports):
    write(exports, "good.md", GOOD_MD)
    big = exports / "huge.html"
    row = "<tr><td>09:00</td><td>" + "x" * 990 + "</td></tr>\n"  # 1 kB a row: 6 000 rows are 6 MB
    big.write_text("<html><body><h1>Post-Mortem: big</h1><table>" + row * 6_000 + "</table></body></html>",
                   encoding="utf-8")
    code, out, _ = cli("ingest", exports, "--db", db)
    assert code == 1
    (message,) = query(db, "SELECT message FROM ingest_errors WHERE source_path = ?", [str(big)])[0]
    assert message == "the page is 6 MB of HTML; Hindsight reads pages up to 5 MB (a post-mortem is far smaller)"
    assert query(db, "SELECT title FROM postmortems") == [("Cache saturé",)]


def test_docx_that_would_expand_past_the_limit_is_rejected_unread(cli, db, exports):
    # 209.5 MB of spaces deflate to about 200 kB: the archive is small, what it unpacks to is not. With
    # the 0.9 MB of python-docx's own template parts, it unpacks to 210.4 MB.
    bomb = _with_member(VALID, "word/media/padding.bin", b" " * 209_500_000)
    assert len(bomb) < 2_000_000
    path = exports / "bomb.docx"
    path.write_bytes(bomb)
    code, out, _ = cli("ingest", path, "--db", db)
    assert code == 1
    (message,) = query(db, "SELECT message FROM ingest_errors WHERE source_path = ?", [str(path)])[0]
    assert message == "the archive expands to 210 MB; Hindsight reads .docx files that expand to at most 200 MB"


def test_docx_whose_text_part_is_too_big_is_rejected_unread(cli, db, exports):
    # A 21 MB word/document.xml (of spaces: it deflates to almost nothing) in an otherwise valid package.
    with zipfile.ZipFile(io.BytesIO(VALID)) as archive:
        xml = archive.read("word/document.xml")
    padded = xml.replace(b"<w:body>", b"<w:body>" + b" " * 21_000_000, 1)
    path = exports / "long.docx"
    path.write_bytes(_with_member(VALID, "word/document.xml", padded))
    code, out, _ = cli("ingest", path, "--db", db)
    assert code == 1
    assert query(db, "SELECT message FROM ingest_errors WHERE source_path = ?", [str(path)]) == [
        ("the document's text (word/document.xml) is 21 MB; Hindsight reads up to 20 MB of it",)]


PAGE_WITH_PROBLEMS = """<!DOCTYPE html>
<html>
<head><title>Post-Mortem: Cache saturé</title></head>
<body>
<p><strong>Date de l'incident</strong>: 2024-05-02</p>
<p><strong>Date du post-mortem</strong>: bientôt</p>
<h2>Actions Correctives</h2>
<table>
  <tr><th>Action</th><th>Owner</th><th>Status</th></tr>
  <tr><td>Augmenter la taille du cache</td><td>@ops</td><td>Todo</td></tr>
  <tr><td>Ajouter une alerte</td><td>@dev</td><td>peut-être</td></tr>
</table>
</body>
</html>
"""


def test_problems_in_a_page_are_reported_on_the_page_lines(cli, db, exports):
    page = write(exports, "pm.html", PAGE_WITH_PROBLEMS)
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    lines = PAGE_WITH_PROBLEMS.split("\n")
    date_line = next(n for n, text in enumerate(lines, start=1) if "bientôt" in text)
    status_line = next(n for n, text in enumerate(lines, start=1) if "peut-être" in text)
    assert (date_line, status_line) == (6, 11)  # as counted in the page above
    warnings = query(db, "SELECT line, message FROM ingest_errors WHERE source_path = ? AND level = 'warning' "
                         "AND (message LIKE '%bientôt%' OR message LIKE '%peut-être%') ORDER BY line", [str(page)])
    assert warnings == [
        (6, "post-mortem date: 'bientôt' is not a date (expected YYYY-MM-DD or DD/MM/YYYY); left empty"),
        (11, "action 2: unknown status 'peut-être'; left empty (add it to vocabularies.status)")]


def test_problems_in_a_word_document_carry_no_line(cli, db, exports):
    def build(document):
        document.add_heading("Post-Mortem: Cache saturé", 0)
        p = document.add_paragraph()
        p.add_run("Date du post-mortem").bold = True
        p.add_run(": bientôt")

    path = exports / "pm.docx"
    path.write_bytes(_docx(build))
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    assert query(db, "SELECT line FROM ingest_errors WHERE message LIKE '%bientôt%'") == [(None,)]


def test_word_lock_file_beside_a_document_is_not_read(cli, db, exports):
    (exports / "pm.docx").write_bytes(_docx(lambda d: (d.add_heading("Post-Mortem: Cache", 0),
                                                       d.add_heading("Timeline", 1))))
    (exports / "~$pm.docx").write_bytes(b"\x0bJane Doe" + b"\x00" * 40)  # what Word leaves while it is open
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    assert "1 file(s) loaded, 0 unchanged, 0 rejected (of 1 found)" in out
