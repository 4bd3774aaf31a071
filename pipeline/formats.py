"""The file types an ingest reads, by name: known without importing a parser (a run that finds nothing to
parse never loads them)."""

from __future__ import annotations

import hashlib
from pathlib import Path

FORMATS = {".md": "markdown", ".markdown": "markdown", ".txt": "markdown", ".json": "json",
           ".yaml": "yaml", ".yml": "yaml", ".csv": "csv", ".html": "html", ".htm": "html", ".docx": "docx"}


def format_of(path: str | Path) -> str | None:
    return FORMATS.get(Path(path).suffix.casefold())


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
