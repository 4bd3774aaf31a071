"""Import: upload export files; they are saved next to the database and go through the same pipeline as
`hindsight ingest`. A file uploaded again under the same name replaces what it loaded before.

Works on an empty database too (the ingest creates it). File names and problem messages come from the
uploads, so they appear only inside dataframes."""

import re
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import data, ui
from hindsight.config import read_config
from pipeline import ingest, store
from pipeline.config import build
from pipeline.parse import FORMATS

TYPES = sorted(suffix.lstrip(".") for suffix in FORMATS)  # what `hindsight ingest` reads
MAX_FILE_MB = 50   # the server's limit per file (.streamlit/config.toml, server.maxUploadSize)
MAX_BATCH_MB = 50  # what one ingest may hold in total
MB = 1024 * 1024
REPORT = "import-report"


def safe_name(name: str) -> str:
    """An uploaded file's name as a plain file name: its last path component, no leading dots, only
    letters, digits, spaces, dots, dashes and underscores (others become '_'); 'upload' if nothing is left."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[^\w.\- ]", "_", base)
    base = re.sub(r"\s+", " ", base).strip().lstrip(".").strip()
    return base[:200] or "upload"


def save_uploads(files: list[tuple[str, bytes]], folder: Path) -> dict[Path, str]:
    """Write each (name, content) to folder/safe_name(name), replacing a file of that name; returns the
    saved paths (resolved, in upload order; of two files with the same safe name the last one wins) with
    the name each was uploaded as."""
    folder.mkdir(parents=True, exist_ok=True)
    saved: dict[Path, str] = {}
    for name, content in files:
        path = (folder / safe_name(name)).resolve()
        tmp = path.with_name(f".{path.name}.part")
        tmp.write_bytes(content)
        tmp.replace(path)  # a reader never sees half a file
        saved.pop(path, None)
        saved[path] = name
    return saved


def ingest_uploads(files: list[tuple[str, bytes]], db: Path, config: str | None) -> dict:
    """Save the uploads under <database folder>/uploads/ and ingest them; returns the report to show."""
    saved = save_uploads(files, Path(db).parent / "uploads")
    result = ingest.run(list(saved), db, build(read_config(config), config), workers=1)
    outcome = {**{p: "loaded" for p in result.loaded}, **{p: "unchanged" for p in result.unchanged},
               **{p: "rejected" for p in result.rejected}}
    rows = [{"File": path.name, "Uploaded as": name, "Outcome": outcome.get(str(path), "not read")}
            for path, name in saved.items()]
    problems = [{"File": Path(path).name, "Line": problem.line, "Level": problem.level, "Message": problem.message}
                for path, problem in result.problems]
    return {"files": pd.DataFrame(rows, columns=["File", "Uploaded as", "Outcome"]),
            "problems": pd.DataFrame(problems, columns=["File", "Line", "Level", "Message"]).astype(
                {"Line": "Int64"}),
            "loaded": len(result.loaded), "unchanged": len(result.unchanged), "rejected": len(result.rejected),
            "postmortems": result.postmortems, "actions": result.actions, "incidents": result.incidents,
            "tracker_updates": result.tracker_updates, "run_id": result.run_id}


f = st.session_state.get("filters") if data.has_data() else None
db = data.db_path()
st.title("Import")
st.caption((f"As of {f.as_of}. " if f else "No post-mortem is loaded yet. ")
           + "Upload post-mortem exports (Markdown, HTML pages, Word documents, JSON, YAML, CSV, trackers): they "
           "go through the same pipeline "
           "as `hindsight ingest`, into the dashboard's database.")

uploads = st.file_uploader(
    "Export files", type=TYPES, accept_multiple_files=True, key="import-files", max_upload_size=MAX_FILE_MB,
    help="Markdown post-mortems and trackers (.md, .markdown, .txt), Confluence, Google Docs or Notion pages "
         "(.html, .htm), Word documents (.docx), JSON, YAML (.json, .yaml, .yml) and CSV (post-mortems, actions "
         "or an incidents list); Jira's CSV export and gh's JSON, for the status of the actions that name their "
         "tickets.")
st.caption(f"Up to {MAX_FILE_MB} MB per file and {MAX_BATCH_MB} MB per batch. Files are saved under "
           f"`{db.parent / 'uploads'}`: a file uploaded again under the same name replaces the rows it loaded "
           "the first time (unchanged content is skipped).")

uploads = uploads or []
total = sum(u.size for u in uploads)
too_big = total > MAX_BATCH_MB * MB
if too_big:
    st.error(f"These {len(uploads)} files hold {total / MB:.1f} MB, more than the {MAX_BATCH_MB} MB one batch may "
             "hold. Upload them in smaller batches, or ingest the folder from a terminal with `hindsight ingest`.")
if st.button("Ingest", key="import-run", type="primary", disabled=not uploads or too_big):
    try:
        with st.spinner(f"Ingesting {len(uploads)} file(s)…"):
            report = ingest_uploads([(u.name, u.getvalue()) for u in uploads], db, data.config_path())
    except (ValueError, ingest.UsageError, store.WriterBusy, OSError) as exc:  # ValueError: the configuration
        st.session_state.pop(REPORT, None)
        st.error("Nothing was ingested:")
        st.text(str(exc))  # may name an uploaded file: plain text
    else:
        st.session_state[REPORT] = report
        st.rerun()  # the sidebar filters and the other pages now see the new database version

report = st.session_state.get(REPORT)
if report is None:
    if not uploads:
        st.caption("Choose files above, then Ingest.")
    st.stop()

# --- the last ingest ---------------------------------------------------------------------------------
st.header("Last ingest")
n_files = len(report["files"])
tiles = st.columns(5)
tiles[0].metric("Loaded", ui.num(report["loaded"]), border=True, help="Files read and loaded.")
tiles[0].caption(f"files, n = {ui.num(n_files)} in the batch")
tiles[1].metric("Unchanged", ui.num(report["unchanged"]), border=True,
                help="Files already loaded with the same content: skipped.")
tiles[1].caption(f"files, n = {ui.num(n_files)} in the batch")
tiles[2].metric("Rejected", ui.num(report["rejected"]), border=True,
                help="Files that could not be read as post-mortems: nothing of them was loaded (see the problems).")
tiles[2].caption(f"files, n = {ui.num(n_files)} in the batch")
tiles[3].metric("Post-mortems loaded", ui.num(report["postmortems"]), border=True)
tiles[3].caption(f"from {ui.num(report['loaded'])} loaded file{'' if report['loaded'] == 1 else 's'}")
tiles[4].metric("Actions loaded", ui.num(report["actions"]), border=True)
tiles[4].caption(f"plus {ui.num(report['tracker_updates'])} tracker updates, {ui.num(report['incidents'])} incidents")
ui.table(report["files"], "Files", key="dl-import-files")
ui.table(report["problems"], "Problems", key="dl-import-problems",
         empty="No problem: every file was read cleanly.",
         column_config={"Line": st.column_config.NumberColumn(width="small"),
                        "Level": st.column_config.TextColumn(width="small"),
                        "Message": st.column_config.TextColumn(width="large")})
if not report["problems"].empty:
    st.caption("An error rejects a file (or skips one record of it); a warning leaves a value empty and loads the "
               "rest. Fix the file and upload it again under the same name.")
st.caption(f"Ingest run {report['run_id']}. The other pages show the new data on their next rerun (open one, or "
           "change a filter): their numbers are cached on the database version, which this ingest changed.")
