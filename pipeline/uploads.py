"""Ingesting uploaded files (the dashboard's Import page): saved next to the database, then the same run as
`hindsight ingest`, with an outcome for each upload a person can read.

A file uploaded again under the same name replaces what it loaded before; the same content again, under
its name or another, is "already loaded, unchanged"; a type Hindsight does not read is refused by name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.config import Config
from pipeline.errors import StoreFailed, describe_os_error
from pipeline.ingest import RunResult, run
from pipeline.formats import FORMATS

LOADED, UNCHANGED, REJECTED = "loaded", "already loaded, unchanged", "rejected"
REFUSED, NOT_READ = "refused: not a type Hindsight reads", "not read"
TYPES = sorted(FORMATS)  # ".csv", ".docx", ...: what `hindsight ingest` reads


@dataclass
class Upload:
    name: str         # the file as saved (uploads/<name>)
    uploaded_as: str  # as the browser named it
    outcome: str      # LOADED, UNCHANGED, REJECTED, REFUSED or NOT_READ


@dataclass
class Uploaded:
    uploads: list[Upload]
    run: RunResult | None  # None when every file was refused

    def count(self, outcome: str) -> int:
        return sum(u.outcome == outcome for u in self.uploads)


def safe_name(name: str) -> str:
    """An uploaded file's name as a plain file name: its last path component, no leading dots, only
    letters, digits, spaces, dots, dashes and underscores (others become '_'); 'upload' if nothing is left."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[^\w.\- ]", "_", base)
    base = re.sub(r"\s+", " ", base).strip().lstrip(".").strip()
    return base[:200] or "upload"


def readable(name: str) -> bool:
    return Path(safe_name(name)).suffix.casefold() in FORMATS


def save_uploads(files: list[tuple[str, bytes]], folder: Path) -> dict[Path, str]:
    """Write each (name, content) to folder/safe_name(name), replacing a file of that name; returns the
    saved paths (resolved, in upload order; of two files with the same safe name the last one wins) with
    the name each was uploaded as."""
    folder.mkdir(parents=True, exist_ok=True)
    saved: dict[Path, str] = {}
    for name, content in files:
        path = (folder / safe_name(name)).resolve()
        tmp = path.with_name(f".{path.name}.part")
        try:
            tmp.write_bytes(content)
            tmp.replace(path)  # a reader never sees half a file
        finally:
            tmp.unlink(missing_ok=True)
        saved.pop(path, None)
        saved[path] = name
    return saved


def ingest_uploads(files: list[tuple[str, bytes]], db: str | Path, cfg: Config) -> Uploaded:
    """Save the readable uploads under <database folder>/uploads/ and ingest them. Raises what
    pipeline.ingest.run raises (pipeline.errors.IngestFailed), and StoreFailed when they cannot be saved."""
    refused = [Upload(safe_name(name), name, REFUSED) for name, _ in files if not readable(name)]
    wanted = [(name, content) for name, content in files if readable(name)]
    if not wanted:
        return Uploaded(refused, None)
    folder = Path(db).parent / "uploads"
    try:
        saved = save_uploads(wanted, folder)
    except OSError as exc:
        raise StoreFailed(f"the uploads could not be saved: {describe_os_error(exc)}", folder) from exc
    result = run(list(saved), db, cfg, workers=1)
    outcome = {**{p: LOADED for p in result.loaded}, **{p: UNCHANGED for p in result.unchanged},
               **{p: UNCHANGED for p in result.copies}, **{p: REJECTED for p in result.rejected}}
    uploads = [Upload(path.name, name, outcome.get(str(path), NOT_READ)) for path, name in saved.items()]
    return Uploaded(uploads + refused, result)
