"""One file's bytes to a ParsedFile: pure, so files can be parsed in parallel."""

from __future__ import annotations

import bisect
import hashlib
import json
import logging
import re
from pathlib import Path

from pipeline import html_doc, markdown, tabular, trackers, word_doc, yamlio
from pipeline.config import Config
from pipeline.formats import FORMATS, format_of, sha256  # noqa: F401  (FORMATS: read here by callers)
from pipeline.model import ParsedFile, Problem, Rejected
from pipeline.records import POSTMORTEM_KEYS, build_postmortem, canonical
from pipeline.text import decode
from pipeline.to_markdown import Converted
from pipeline.values import is_blank

FORMAT_NAMES = {"markdown": "Markdown", "json": "JSON", "yaml": "YAML", "csv": "CSV"}
log = logging.getLogger(__name__)


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
        text, problems = decode(data) if fmt != "docx" else ("", [])
        parsed.problems += problems
        if fmt == "docx":  # a zip archive: never decoded as text
            _converted(parsed, word_doc.convert(data, cfg), cfg)
        elif not text.strip():
            raise Rejected("the file is empty", 1)
        elif fmt == "html":
            _converted(parsed, html_doc.convert(text, cfg), cfg)
        elif fmt == "markdown":
            _markdown(parsed, text, cfg)
        elif fmt in ("json", "yaml"):
            _structured(parsed, text, fmt, cfg)
        elif fmt == "csv":
            _csv(parsed, text, cfg)
        else:
            raise Rejected(f"unsupported file type '{Path(source_path).suffix}'")
        if not (parsed.postmortems or parsed.action_rows or parsed.tracker_updates or parsed.incidents
                or parsed.ticket_statuses):
            if not any(p.level == "error" for p in parsed.problems):
                raise Rejected("no post-mortem, action or incident found")
            parsed.rejected = True
    except Rejected as exc:
        parsed.rejected = True
        parsed.problems.append(Problem("error", str(exc), exc.line))
    except UnicodeError as exc:
        parsed.rejected = True
        parsed.problems.append(Problem("error", str(exc), None))
    except Exception:  # a parser bug must reject one file, not stop the batch, nor show a traceback
        log.debug("internal error while parsing %s", source_path, exc_info=True)
        parsed.rejected = True
        parsed.problems.append(Problem("error", "could not be read: internal error while parsing this "
                                       f"{FORMAT_NAMES.get(fmt, fmt)} file; please report it", None))
    if parsed.rejected:
        parsed.postmortems, parsed.action_rows, parsed.tracker_updates, parsed.incidents = [], [], [], []
        parsed.ticket_statuses = []
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
    if pm.postmortem_id in parsed.ids:
        parsed.problems.append(Problem("error", f"{prefix}duplicate post-mortem id '{pm.postmortem_id}' in this "
                                       "file; skipped", line))
        return
    for p in problems:
        p.message = prefix + p.message
        p.line = p.line or line
    parsed.problems += problems
    parsed.postmortems.append(pm)
    parsed.ids.add(pm.postmortem_id)


def _converted(parsed: ParsedFile, converted: Converted, cfg: Config) -> None:
    """An HTML or Word document, converted to template Markdown: read as Markdown, with every
    problem's line taken back to the line of the source file (None where the format has no lines)."""
    start = len(parsed.problems)
    try:
        _markdown(parsed, converted.markdown, cfg, converted.fallback)
    except Rejected as exc:
        raise Rejected(str(exc), converted.source_line(exc.line)) from None
    finally:
        for problem in parsed.problems[start:]:
            problem.line = converted.source_line(problem.line)


def _markdown(parsed: ParsedFile, text: str, cfg: Config, fallback: dict | None = None) -> None:
    """``fallback`` holds values used only where the document gives none (a Confluence page's
    last-modified date for the post-mortem date): the document, then its front matter, win."""
    docs, updates, problems = markdown.parse_markdown(text, cfg)
    parsed.problems += problems
    parsed.tracker_updates = updates
    for n, doc in enumerate(docs, start=1):
        record, lines = dict(doc.record), doc.lines
        front = record.pop("__front__", None)
        if front:
            front_record, unknown = canonical(front, cfg, POSTMORTEM_KEYS)
            # The front matter as read keeps its lines; a copy of it (as markdown.py passes it) does not.
            key_lines = yamlio.key_lines(front) or yamlio.key_lines(markdown.split_front_matter(text)[0])
            if unknown:
                parsed.problems.append(Problem("warning", "front matter: unknown key(s) "
                                               f"{', '.join(unknown)} ignored", key_lines.get(unknown[0], 1)))
            given = {k: v for k, v in front_record.items() if v not in (None, "")}
            record.update(given)
            # The front matter's values win, and so do their lines, for warnings about them.
            front_lines = canonical(key_lines, cfg, POSTMORTEM_KEYS)[0]
            lines = {**(lines or {}), **{k: v for k, v in front_lines.items() if k in given}}
        for key, value in (fallback or {}).items():
            if is_blank(record.get(key)):
                record[key] = value
        prefix = f"post-mortem {n}: " if len(docs) > 1 else ""
        _add(parsed, record, cfg, n if len(docs) > 1 else None, lines, doc.utc_offset, prefix, doc.line,
             doc.heading)


def _structured(parsed: ParsedFile, text: str, fmt: str, cfg: Config) -> None:
    data = _read_json(text) if fmt == "json" else _read_yaml(text)
    if fmt == "json" and trackers.is_github_export(data):
        parsed.source_format = "github"
        parsed.ticket_statuses = trackers.github_statuses(data, cfg, parsed.problems, _KeyFinder(text).line_of)
        return
    if isinstance(data, dict) and isinstance(data.get("postmortems"), list):
        data = data["postmortems"]
    items = data if isinstance(data, list) else [data]
    if not items or not all(isinstance(x, dict) for x in items):
        kind = type(data).__name__ if not isinstance(data, list) else "a list of " + ", ".join(
            sorted({type(x).__name__ for x in items})) or "nothing"
        raise Rejected(f"expected a post-mortem object (a mapping of keys) or a list of them, found {kind}", 1)
    where = _KeyFinder(text) if fmt == "json" else None
    for n, item in enumerate(items, start=1):
        record, unknown = canonical(item, cfg, POSTMORTEM_KEYS)
        raw_lines = where.lines_of(item) if where else yamlio.key_lines(item)
        lines = canonical(raw_lines, cfg, POSTMORTEM_KEYS)[0]
        if fmt == "yaml" and isinstance(item.get("actions"), list):
            lines["action_lines"] = [getattr(a, "line", None) or lines.get("actions") for a in item["actions"]]
        label = record.get("id") or record.get("title") or f"#{n}"
        prefix = f"post-mortem {n} ({label}): " if len(items) > 1 else ""
        if unknown:
            parsed.problems.append(Problem("warning", f"{prefix}unknown key(s) {', '.join(unknown)} ignored",
                                           raw_lines.get(unknown[0])))
        _add(parsed, record, cfg, n if len(items) > 1 else None, lines=lines, prefix=prefix,
             line=lines.get("id") or getattr(item, "line", None) or (1 if len(items) == 1 else None))


# Integers longer than any count stay text (int() of 4,300+ digits raises), so the field reader
# refuses them with a warning like any other bad value.
def _json_int(digits: str) -> int | str:
    return int(digits) if len(digits) <= yamlio.MAX_INT_CHARS else digits


def _read_json(text: str):
    try:
        data = json.loads(text, parse_int=_json_int)
    except json.JSONDecodeError as exc:
        raise Rejected(f"not valid JSON: {exc.msg} (column {exc.colno})", exc.lineno) from None
    except RecursionError:
        raise Rejected(f"not accepted: nested more than {yamlio.MAX_DEPTH} levels deep", None) from None
    if _depth_exceeds(data, yamlio.MAX_DEPTH):
        raise Rejected(f"not accepted: nested more than {yamlio.MAX_DEPTH} levels deep", None)
    return data


def _depth_exceeds(data, limit: int) -> bool:
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return False


def _read_yaml(text: str):
    try:
        docs = [d for d in yamlio.load_all(text) if d is not None]
    except yamlio.YamlError as exc:
        raise Rejected(str(exc), exc.line) from None
    return docs[0] if len(docs) == 1 else docs


class _KeyFinder:
    """Lines of a JSON record's keys, found in the text (json keeps no positions). Records are
    searched in order, each from where the previous one's keys ended, through a line index, so
    a file of many records costs one pass."""

    WINDOW = 1 << 16  # how far past a record's start its keys are looked for

    def __init__(self, text: str):
        self.text, self.cursor = text, 0
        self.newlines = [m.start() for m in re.finditer("\n", text)]

    def lines_of(self, item: dict) -> dict[str, int]:
        lines, start = {}, self.cursor
        for key in item:
            i = self.text.find(json.dumps(str(key), ensure_ascii=False), start, start + self.WINDOW)
            if i >= 0:
                lines[str(key)] = bisect.bisect_left(self.newlines, i) + 1
                self.cursor = max(self.cursor, i + 1)
        return lines

    def line_of(self, item: dict) -> int | None:
        """The line of the record's first key found."""
        return min(self.lines_of(item).values(), default=None)


def _csv(parsed: ParsedFile, text: str, cfg: Config) -> None:
    if delimiter := trackers.jira_delimiter(text, cfg):
        parsed.source_format = "jira"
        parsed.ticket_statuses = trackers.jira_statuses(text, delimiter, cfg, parsed.problems)
        return
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

