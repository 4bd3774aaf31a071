"""Import: upload export files; they are saved next to the database and go through the same pipeline as
`hindsight ingest`. A file uploaded again under the same name replaces what it loaded before.

Works on an empty database too (the ingest creates it). File names and problem messages come from the
uploads, so they appear only inside dataframes."""

import logging
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import data, ui
from hindsight.config import read_config
from pipeline.config import build
from pipeline.errors import IngestFailed
from pipeline.uploads import LOADED, REFUSED, REJECTED, TYPES, UNCHANGED, Uploaded, ingest_uploads, readable

MAX_FILE_MB = 50   # the server's limit per file (.streamlit/config.toml, server.maxUploadSize)
MAX_BATCH_MB = 50  # what one ingest may hold in total
MB = 1024 * 1024
REPORT = "import-report"
log = logging.getLogger(__name__)


def report_of(uploaded: Uploaded) -> dict:
    """What the page shows of an ingest of uploads: its tables and counts."""
    result = uploaded.run
    rows = [{"File": u.name, "Uploaded as": u.uploaded_as, "Outcome": u.outcome} for u in uploaded.uploads]
    problems = [{"File": Path(path).name, "Line": problem.line, "Level": problem.level, "Message": problem.message}
                for path, problem in (result.problems if result else [])]
    return {"files": pd.DataFrame(rows, columns=["File", "Uploaded as", "Outcome"]),
            "problems": pd.DataFrame(problems, columns=["File", "Line", "Level", "Message"]).astype(
                {"Line": "Int64"}),
            "loaded": uploaded.count(LOADED), "unchanged": uploaded.count(UNCHANGED),
            "rejected": uploaded.count(REJECTED), "refused": uploaded.count(REFUSED),
            **{k: getattr(result, k, 0) for k in ("postmortems", "actions", "incidents", "tracker_updates")},
            "run_id": result.run_id if result else None}


def ingest(uploads, db: Path) -> None:
    """Ingest the uploads; keep the report for the rerun, or say in one line why nothing was ingested."""
    try:
        config = data.config_path()
        with st.spinner(f"Ingesting {len(uploads)} file(s)…"):
            uploaded = ingest_uploads([(u.name, u.getvalue()) for u in uploads], db, build(read_config(config), config))
    except IngestFailed as exc:  # the command line's line, without the server's path
        nothing_ingested(exc.reason)
    except ValueError as exc:  # the configuration
        nothing_ingested(str(exc))
    except Exception:  # a bug: said in words here, with the details in the server's log, not on the page
        log.exception("ingest of uploads failed")
        nothing_ingested("an internal error stopped the ingest; the database is unchanged (details are in the "
                         "server's log)")
    else:
        st.session_state[REPORT] = report_of(uploaded)
        st.rerun()  # the sidebar filters and the other pages now see the new database version


def nothing_ingested(reason: str) -> None:
    st.session_state.pop(REPORT, None)
    st.error("Nothing was ingested:")
    st.text(reason)  # may name an uploaded file: plain text


f = st.session_state.get("filters") if data.has_data() else None
db = data.db_path()
st.title("Import")
st.caption((f"As of {f.as_of}. " if f else "No post-mortem is loaded yet. ")
           + "Upload post-mortem exports (Markdown, HTML pages, Word documents, JSON, YAML, CSV, trackers): they "
           "go through the same pipeline "
           "as `hindsight ingest`, into the dashboard's database.")

# No type= filter: the uploader would refuse other files with a red mark only; the page says it in words.
uploads = st.file_uploader(
    "Export files", accept_multiple_files=True, key="import-files", max_upload_size=MAX_FILE_MB,
    help="Markdown post-mortems and trackers (.md, .markdown, .txt), Confluence, Google Docs or Notion pages "
         "(.html, .htm), Word documents (.docx), JSON, YAML (.json, .yaml, .yml) and CSV (post-mortems, actions "
         "or an incidents list); Jira's CSV export and gh's JSON, for the status of the actions that name their "
         "tickets.")
st.caption(f"Up to {MAX_FILE_MB} MB per file and {MAX_BATCH_MB} MB per batch. Files are saved under "
           f"`{db.parent / 'uploads'}`: a file uploaded again under the same name replaces the rows it loaded "
           "the first time (unchanged content is skipped).")

uploads = uploads or []
refused = [u.name for u in uploads if not readable(u.name)]
if refused:
    st.warning(f"{len(refused)} file(s) are not of a type Hindsight reads, so they will not be ingested (it reads "
               f"{', '.join(TYPES)}):")
    st.text("\n".join(refused))  # names from the upload: plain text
total = sum(u.size for u in uploads)
too_big = total > MAX_BATCH_MB * MB
if too_big:
    st.error(f"These {len(uploads)} files hold {total / MB:.1f} MB, more than the {MAX_BATCH_MB} MB one batch may "
             "hold. Upload them in smaller batches, or ingest the folder from a terminal with `hindsight ingest`.")
if st.button("Ingest", key="import-run", type="primary", disabled=not uploads or too_big):
    ingest(uploads, db)

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
                help="Files already loaded with the same content (under this name or another): skipped.")
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
if report["run_id"] is None:
    st.caption("Nothing was ingested: none of these files is of a type Hindsight reads.")
else:
    st.caption(f"Ingest run {report['run_id']}. The other pages show the new data on their next rerun (open one, "
               "or change a filter): their numbers are cached on the database version, which this ingest changed.")
