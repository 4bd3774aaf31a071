"""One file's bytes to a ParsedFile: pure, so files can be parsed in parallel."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import yaml

from pipeline import markdown, tabular
from pipeline.config import Config
from pipeline.model import ParsedFile, Problem, Rejected
from pipeline.records import POSTMORTEM_KEYS, build_postmortem, canonical
from pipeline.text import decode

FORMATS = {".md": "markdown", ".markdown": "markdown", ".txt": "markdown", ".json": "json",
           ".yaml": "yaml", ".yml": "yaml", ".csv": "csv"}


def format_of(path: str | Path) -> str | None:
    return FORMATS.get(Path(path).suffix.casefold())


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fallback_id(source_path: str, n: int | None = None) -> str:
    """Stable id for a post-mortem that names none: the file name plus a hash of its last three path
    parts, so two files of one name in different folders differ, while the same corpus checked out or
    copied elsewhere keeps its ids (a hash of the absolute path would not)."""
    path = Path(source_path)
    stem = re.sub(r"[^A-Za-z0-9]+", "-", path.stem).strip("-").lower()[:60] or "pm"
    digest = hashlib.sha1("/".join(path.parts[-3:]).encode()).hexdigest()[:6]
    return f"{stem}-{digest}" + (f"-{n}" if n else "")


def parse_file(source_path: str, data: bytes, cfg: Config) -> ParsedFile:
    fmt = format_of(source_path) or "unknown"
    parsed = ParsedFile(source_path=source_path, source_format=fmt, content_sha256=sha256(data))
    try:
        if fmt == "markdown":
            markdown.check_size(len(data), cfg)  # before decoding a file too large to read
        text, problems = decode(data)
        parsed.problems += problems
        if not text.strip():
            raise Rejected("the file is empty", 1)
        if fmt == "markdown":
            _markdown(parsed, text, cfg)
        elif fmt in ("json", "yaml"):
            _structured(parsed, text, fmt, cfg)
        elif fmt == "csv":
            _csv(parsed, text, cfg)
        else:
            raise Rejected(f"unsupported file type '{Path(source_path).suffix}'")
        if not (parsed.postmortems or parsed.action_rows or parsed.tracker_updates or parsed.incidents):
            if not any(p.level == "error" for p in parsed.problems):
                raise Rejected("no post-mortem, action or incident found")
            parsed.rejected = True
    except Rejected as exc:
        parsed.rejected = True
        parsed.problems.append(Problem("error", str(exc), exc.line))
    except UnicodeError as exc:
        parsed.rejected = True
        parsed.problems.append(Problem("error", str(exc), None))
    except Exception as exc:  # a parser bug must reject one file, not stop the batch
        parsed.rejected = True
        parsed.problems.append(Problem("error", f"could not be parsed ({type(exc).__name__}: {exc})", None))
    if parsed.rejected:
        parsed.postmortems, parsed.action_rows, parsed.tracker_updates, parsed.incidents = [], [], [], []
    return parsed


def _add(parsed: ParsedFile, record: dict, cfg: Config, n: int | None, lines=None, utc_offset=None,
         prefix: str = "", line: int | None = None, heading: str | None = None) -> None:
    has_identity = any(record.get(k) not in (None, "", []) for k in ("id", "title", "incident_date"))
    if not has_identity:
        parsed.problems.append(Problem("error", f"{prefix}post-mortem with no id, no title and no incident date; "
                                       "skipped", line))
        return
    pm, problems = build_postmortem(record, cfg, fallback_id=fallback_id(parsed.source_path, n),
                                    file_name=Path(parsed.source_path).name, lines=lines, utc_offset=utc_offset,
                                    heading=heading)
    if any(p.postmortem_id == pm.postmortem_id for p in parsed.postmortems):
        parsed.problems.append(Problem("error", f"{prefix}duplicate post-mortem id '{pm.postmortem_id}' in this "
                                       "file; skipped", line))
        return
    for p in problems:
        p.message = prefix + p.message
        p.line = p.line or line
    parsed.problems += problems
    parsed.postmortems.append(pm)


def _markdown(parsed: ParsedFile, text: str, cfg: Config) -> None:
    docs, updates, problems = markdown.parse_markdown(text, cfg)
    parsed.problems += problems
    parsed.tracker_updates = updates
    for n, doc in enumerate(docs, start=1):
        record = dict(doc.record)
        front = record.pop("__front__", None)
        if front:
            front_record, unknown = canonical(front, cfg, POSTMORTEM_KEYS)
            if unknown:
                parsed.problems.append(Problem("warning", "front matter: unknown key(s) "
                                               f"{', '.join(unknown)} ignored", 1))
            record.update({k: v for k, v in front_record.items() if v not in (None, "")})
        prefix = f"post-mortem {n}: " if len(docs) > 1 else ""
        _add(parsed, record, cfg, n if len(docs) > 1 else None, doc.lines, doc.utc_offset, prefix, doc.line,
             doc.heading)


def _structured(parsed: ParsedFile, text: str, fmt: str, cfg: Config) -> None:
    if fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise Rejected(f"not valid JSON: {exc.msg} (column {exc.colno})", exc.lineno) from None
    else:
        try:
            docs = [d for d in yaml.safe_load_all(text) if d is not None]
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise Rejected(f"not valid YAML: {getattr(exc, 'problem', None) or exc}",
                           mark.line + 1 if mark else None) from None
        data = docs[0] if len(docs) == 1 else docs
    if isinstance(data, dict) and isinstance(data.get("postmortems"), list):
        data = data["postmortems"]
    items = data if isinstance(data, list) else [data]
    if not items or not all(isinstance(x, dict) for x in items):
        kind = type(data).__name__ if not isinstance(data, list) else "a list of " + ", ".join(
            sorted({type(x).__name__ for x in items})) or "nothing"
        raise Rejected(f"expected a post-mortem object (a mapping of keys) or a list of them, found {kind}", 1)
    for n, item in enumerate(items, start=1):
        record, unknown = canonical(item, cfg, POSTMORTEM_KEYS)
        label = record.get("id") or record.get("title") or f"#{n}"
        prefix = f"post-mortem {n} ({label}): " if len(items) > 1 else ""
        if unknown:
            parsed.problems.append(Problem("warning", f"{prefix}unknown key(s) {', '.join(unknown)} ignored",
                                           _line_of(text, unknown[0])))
        _add(parsed, record, cfg, n if len(items) > 1 else None, prefix=prefix,
             line=(_line_of(text, str(record.get("id"))) if record.get("id") else None) or (1 if len(items) == 1 else None))


def _line_of(text: str, needle: str) -> int | None:
    if not needle:
        return None
    i = text.find(needle)
    return text.count("\n", 0, i) + 1 if i >= 0 else None


def _csv(parsed: ParsedFile, text: str, cfg: Config) -> None:
    header, rows = tabular.read_csv(text)
    kind = tabular.csv_kind(cfg, header)
    if kind == "incidents":
        parsed.incidents = tabular.incident_rows(cfg, rows, parsed.problems)
    elif kind == "actions":
        parsed.action_rows = tabular.action_rows(cfg, rows, parsed.problems)
    else:
        for n, (record, unknown, line) in enumerate(tabular.postmortem_rows(cfg, rows), start=1):
            if unknown and n == 1:
                parsed.problems.append(Problem("warning", f"unknown column(s) {', '.join(unknown)} ignored", 1))
            _add(parsed, record, cfg, n, prefix=f"row {line}: ", line=line)

