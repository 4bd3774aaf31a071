"""Import page through AppTest: real uploads (AppTest drives st.file_uploader), saved under
<database folder>/uploads/ and ingested by the real pipeline, on an empty database and on a copy of the demo."""

import json
import shutil

import pytest

from conftest import AS_OF, DEMO_CONFIG, ROOT, captions, query, scalar

PAGE = "views/import.py"


def postmortem(pid: str, title: str, **extra) -> bytes:
    doc = {"id": pid, "title": title, "incident_date": "2026-11-10", "severity": "P3", "team": "payments",
           "service": "checkout-api", "cause_category": "code", "summary": "A small incident.",
           "actions": [{"description": "Fix it", "owner": "@alice", "due": "2026-11-30", "status": "todo"}]}
    doc.update(extra)
    return json.dumps(doc).encode("utf-8")


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def table(at, title: str):
    under = False
    for node in at.main:
        if node.type == "subheader":
            under = node.value == title
        elif under and node.type == "dataframe":
            return node.value
    raise AssertionError(f"no table under {title!r}")


def upload(at, *files):
    """Put (name, bytes) files in the uploader, then press Ingest."""
    at.file_uploader(key="import-files").set_value([(name, data, "application/octet-stream") for name, data in files])
    at.run()
    assert not at.button(key="import-run").disabled
    at.button(key="import-run").click().run()
    assert not at.exception
    return at


@pytest.fixture
def on_db(monkeypatch):
    """AppTest of app.py on the database file given (made or not), as the fixtures build it."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    def make(db, config=None, page=PAGE):
        st.cache_data.clear()
        st.cache_resource.clear()
        monkeypatch.setenv("HINDSIGHT_DB", str(db))
        if config:
            monkeypatch.setenv("HINDSIGHT_CONFIG", str(config))
        else:
            monkeypatch.delenv("HINDSIGHT_CONFIG", raising=False)
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.query_params["as_of"] = AS_OF
        at.run()
        at.switch_page(page)
        return at.run()

    return make


def test_empty_database_shows_the_uploader(empty_app):
    at = empty_app(page=PAGE).run()
    assert not at.exception
    assert at.title[0].value == "Import"
    assert captions(at)[0].startswith("No post-mortem is loaded yet.")
    uploader = at.file_uploader(key="import-files")
    assert uploader.accept_multiple_files
    # no type filter: the uploader would refuse other files with a red mark only; the page says it in words
    assert not uploader.allowed_type
    assert any("Up to 50 MB per file and 50 MB per batch" in c for c in captions(at))
    assert at.button(key="import-run").disabled  # nothing chosen yet
    assert not at.sidebar.multiselect  # no filters without data


def test_upload_into_an_empty_database(on_db, tmp_path):
    db = tmp_path / "fresh" / "hindsight.duckdb"
    at = on_db(db)
    assert captions(at)[0].startswith("No post-mortem is loaded yet.")
    upload(at, ("first.json", postmortem("PM-UP-1", "Checkout down")), ("notes.md", b"just some notes\n"))
    assert db.exists() and scalar(db, "SELECT count(*) FROM postmortems") == 1
    assert (tmp_path / "fresh" / "uploads" / "first.json").read_bytes() == postmortem("PM-UP-1", "Checkout down")
    assert scalar(db, "SELECT source_path FROM postmortems") == str(tmp_path / "fresh" / "uploads" / "first.json")
    assert metrics(at)["Loaded"] == "1" and metrics(at)["Rejected"] == "1" and metrics(at)["Unchanged"] == "0"
    assert metrics(at)["Post-mortems loaded"] == "1" and metrics(at)["Actions loaded"] == "1"
    files = table(at, "Files")
    assert dict(zip(files["File"], files["Outcome"])) == {"first.json": "loaded", "notes.md": "rejected"}
    problems = table(at, "Problems")
    rejected = problems[problems["File"] == "notes.md"].iloc[0]
    assert rejected["Level"] == "error" and rejected["Line"] == 1 and "not a post-mortem" in rejected["Message"]
    assert any("other pages show the new data on their next rerun" in c for c in captions(at))
    # the page reran on the new database: the sidebar filters are there now
    assert at.sidebar.multiselect(key="flt_team").options == ["payments"]
    assert captions(at)[0].startswith("As of 2026-11-15.")


def test_same_name_replaces_its_rows(on_db, tmp_path):
    db = tmp_path / "hindsight.duckdb"
    at = on_db(db)
    upload(at, ("pm.json", postmortem("PM-UP-2", "First version")))
    upload(at, ("pm.json", postmortem("PM-UP-2", "First version")))
    assert metrics(at)["Unchanged"] == "1" and metrics(at)["Loaded"] == "0"
    upload(at, ("pm.json", postmortem("PM-UP-2", "Second version", severity="P1")))
    assert metrics(at)["Loaded"] == "1"
    assert query(db, "SELECT postmortem_id, title, severity FROM postmortems") == [("PM-UP-2", "Second version",
                                                                                     "P1")]
    assert scalar(db, "SELECT count(*) FROM actions") == 1
    assert sorted(p.name for p in (tmp_path / "uploads").iterdir()) == ["pm.json"]


def test_file_names_are_sanitised(on_db, tmp_path):
    db = tmp_path / "data" / "hindsight.duckdb"
    at = on_db(db)
    upload(at, ("../../evil.json", postmortem("PM-UP-3", "Path")), (".hidden.json", postmortem("PM-UP-4", "Dot")),
           ("a\\b:c*?.json", postmortem("PM-UP-5", "Odd")))
    saved = sorted(p.name for p in (tmp_path / "data" / "uploads").iterdir())
    assert saved == ["b_c__.json", "evil.json", "hidden.json"]
    assert not (tmp_path / "evil.json").exists() and not list(tmp_path.glob("*.json"))
    files = table(at, "Files")
    assert dict(zip(files["Uploaded as"], files["File"]))["../../evil.json"] == "evil.json"
    assert set(files["Outcome"]) == {"loaded"}
    assert scalar(db, "SELECT count(*) FROM postmortems") == 3


def test_a_batch_over_the_limit_is_refused(on_db, tmp_path):
    db = tmp_path / "hindsight.duckdb"
    at = on_db(db)
    big = b"x" * (26 * 1024 * 1024)
    at.file_uploader(key="import-files").set_value([("a.csv", big, "text/csv"), ("b.csv", big, "text/csv")])
    at.run()
    assert not at.exception
    assert "more than the 50 MB one batch may hold" in at.error[0].value
    assert at.button(key="import-run").disabled
    assert not db.exists() and not (tmp_path / "uploads").exists()


def test_on_the_demo_the_other_pages_see_the_new_data(on_db, demo_db, tmp_path):
    db = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_db, db)
    at = on_db(db, DEMO_CONFIG, page="views/postmortems.py")
    assert len(at.dataframe[0].value) == 300
    at.switch_page(PAGE).run()
    assert not at.exception
    assert captions(at)[0].startswith("As of 2026-11-15. Upload post-mortem exports")
    upload(at, ("new.json", postmortem("PM-UP-9", "Brand new incident")))
    assert metrics(at)["Loaded"] == "1"
    at.switch_page("views/postmortems.py").run()
    assert not at.exception
    rows = at.dataframe[0].value
    assert len(rows) == 301 and rows.iloc[0]["Id"] == "PM-UP-9"


def test_query_params_set_the_filters(app):
    at = app(page=PAGE, team=["payments"], as_of="2026-10-01").run()
    assert not at.exception
    assert at.sidebar.multiselect(key="flt_team").value == ["payments"]
    assert captions(at)[0].startswith("As of 2026-10-01.")
    assert at.file_uploader(key="import-files")


def test_upload_a_confluence_page_and_a_word_document(on_db, tmp_path):
    db = tmp_path / "hindsight.duckdb"
    at = on_db(db)
    upload(at, ("confluence-postmortem.html", (ROOT / "examples" / "confluence-postmortem.html").read_bytes()),
           ("queue.docx", (ROOT / "examples" / "postmortem-queue-backlog.docx").read_bytes()))
    assert metrics(at)["Loaded"] == "2" and metrics(at)["Rejected"] == "0"
    assert query(db, "SELECT title, source_format FROM postmortems ORDER BY title") == [
        ("Order queue backlog after the consumer v3.8 deploy", "docx"), ("Saturation du cache de sessions", "html")]


def test_a_refused_type_is_said_in_words(on_db, tmp_path):
    db = tmp_path / "hindsight.duckdb"
    at = on_db(db)
    at.file_uploader(key="import-files").set_value([("report.pdf", b"%PDF-1.7", "application/pdf"),
                                                    ("first.json", postmortem("PM-UP-20", "Kept"), "text/plain")])
    at.run()
    assert not at.exception
    assert at.warning[0].value.startswith("1 file(s) are not of a type Hindsight reads, so they will not be ingested")
    assert ".md" in at.warning[0].value and ".docx" in at.warning[0].value
    assert [t.value for t in at.text] == ["report.pdf"]
    at.button(key="import-run").click().run()
    assert not at.exception
    files = table(at, "Files")
    assert dict(zip(files["Uploaded as"], files["Outcome"])) == {"first.json": "loaded",
                                                                  "report.pdf": "refused: not a type Hindsight reads"}
    assert sorted(p.name for p in (tmp_path / "uploads").iterdir()) == ["first.json"]


def test_the_same_content_again_is_already_loaded(on_db, tmp_path):
    db = tmp_path / "hindsight.duckdb"
    at = on_db(db)
    upload(at, ("pm.json", postmortem("PM-UP-21", "Once")))
    # the same file again, as a browser renames a second download
    upload(at, ("pm (1).json", postmortem("PM-UP-21", "Once")))
    files = table(at, "Files")
    # before: "loaded", with 1 file loaded and 0 post-mortems
    assert dict(zip(files["Uploaded as"], files["Outcome"])) == {"pm (1).json": "already loaded, unchanged"}
    assert metrics(at)["Loaded"] == "0" and metrics(at)["Unchanged"] == "1"
    upload(at, ("pm.json", postmortem("PM-UP-21", "Once")))
    assert dict(zip(table(at, "Files")["Uploaded as"], table(at, "Files")["Outcome"])) == {
        "pm.json": "already loaded, unchanged"}
    assert scalar(db, "SELECT count(*) FROM postmortems") == 1


def test_a_huge_integer_is_a_warning_not_a_traceback(on_db, tmp_path):
    db = tmp_path / "hindsight.duckdb"
    at = on_db(db)
    huge = postmortem("PM-UP-22", "Huge").replace(b'"severity"', b'"users_affected": ' + b"9" * 40 + b', "severity"')
    upload(at, ("huge.json", huge))
    assert metrics(at)["Loaded"] == "1"
    problems = table(at, "Problems")
    assert problems["Message"].str.startswith("users affected: ").any()
    assert scalar(db, "SELECT users_affected FROM postmortems") is None


def test_a_failed_run_says_why_in_one_line(on_db, tmp_path):
    """The run cannot write the database (here: the file is not a DuckDB database): the page says so in the
    command line's words, with no traceback and no server path (before: duckdb's exception, with the paths)."""
    db = tmp_path / "hindsight.duckdb"
    db.write_bytes(b"not a database")
    at = on_db(db)
    at.file_uploader(key="import-files").set_value([("pm.json", postmortem("PM-UP-23", "Lost"), "text/plain")])
    at.run()
    at.button(key="import-run").click().run()
    assert not at.exception
    assert at.error[0].value == "Nothing was ingested:"
    assert [t.value for t in at.text] == ["not a DuckDB database file (is it the right --db?); it is unchanged"]
    assert str(tmp_path) not in " ".join(e.value for e in at.error) + " ".join(t.value for t in at.text)
    assert db.read_bytes() == b"not a database"
