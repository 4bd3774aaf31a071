"""CSV exports: post-mortem rows, action rows, or an incidents list, told apart by the header."""

from __future__ import annotations

import csv
import io

from pipeline.config import Config, fold
from pipeline.model import ActionRow, Incident, Problem, Rejected
from pipeline.records import ACTION_KEYS, POSTMORTEM_KEYS, Recorder, build_action, canonical, vocabulary_word
from pipeline.values import parse_bool, parse_position, parse_timestamp

def read_csv(text: str) -> tuple[list[str], list[tuple[dict, int]]]:
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader)
    except StopIteration:
        raise Rejected("empty CSV file", 1) from None
    except csv.Error as exc:
        raise Rejected(f"not a readable CSV: {exc}", 1) from None
    rows = []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            line = reader.line_num
            if len(cells) > len(header):
                raise Rejected(f"row has {len(cells)} cells but the header has {len(header)}", line)
            rows.append(({h: c for h, c in zip(header, cells)}, line))
    except csv.Error as exc:  # e.g. a cell over the csv module's field size limit
        raise Rejected(f"not a readable CSV: {exc}", reader.line_num) from None
    return [h.strip() for h in header], rows


def csv_kind(cfg: Config, header: list[str]) -> str:
    names = {cfg.field_labels.get(fold(h), fold(h).replace(" ", "_")) for h in header}
    raw = {fold(h).replace(" ", "_") for h in header}
    if "incident_id" in raw and ("started_at" in names or "severity" in names) and "title" not in names:
        return "incidents"
    if ("postmortem_id" in raw or "pm_id" in raw) and "description" in names and "title" not in names:
        return "actions"
    if "title" in names or "incident_date" in names:
        return "postmortems"
    raise Rejected("CSV header matches no known kind (columns: " + ", ".join(header) + "); expected post-mortem "
                   "columns (id, title, incident_date, ...), action columns (postmortem_id, description, owner, "
                   "due, status, ...) or an incidents list (incident_id, severity, started_at, resolved_at, ...)", 1)


def action_rows(cfg: Config, rows: list[tuple[dict, int]], problems: list[Problem]) -> list[ActionRow]:
    out, positions = [], {}
    for row, line in rows:
        keyed = {fold(k).replace(" ", "_"): v for k, v in row.items()}
        pm_id = (keyed.get("postmortem_id") or keyed.get("pm_id") or "").strip()
        if not pm_id:
            problems.append(Problem("error", "action row without a postmortem_id; skipped", line))
            continue
        fields = {k: v for k, v in row.items() if fold(k).replace(" ", "_") not in ("postmortem_id", "pm_id")}
        rec = Recorder()
        position = _position(canonical(fields, cfg, ACTION_KEYS)[0].get("position"), line, rec)
        position = positions.get(pm_id, 0) + 1 if position is None else position
        positions[pm_id] = max(position, positions.get(pm_id, 0))
        action = build_action(cfg, fields, position, None, rec, line)
        problems.extend(rec.problems)
        if action:
            out.append(ActionRow(pm_id, action, line))
    return out


def _position(raw, line: int, rec: Recorder) -> int | None:
    """The row's position, or None for the next free one (with a warning when one was given)."""
    try:
        return parse_position(raw)
    except ValueError as exc:
        rec.warn(f"position: {exc}; the action takes the next free position", line=line)
        return None


def incident_rows(cfg: Config, rows: list[tuple[dict, int]], problems: list[Problem]) -> list[Incident]:
    out = []
    for row, line in rows:
        r = {fold(k).replace(" ", "_"): v for k, v in row.items()}
        incident_id = (r.get("incident_id") or "").strip()
        if not incident_id:
            problems.append(Problem("error", "incident row without an incident_id; skipped", line))
            continue
        severity = vocabulary_word(cfg, "severity", r.get("severity"),
                                   lambda message: problems.append(Problem("warning", message, line)))
        values = {}
        for key, parser in (("started_at", parse_timestamp), ("resolved_at", parse_timestamp),
                            ("customer_impact", parse_bool)):
            try:
                values[key] = parser(r.get(key))
            except ValueError as exc:
                problems.append(Problem("warning", f"{key}: {exc}; left empty", line))
                values[key] = None
        pm = (r.get("postmortem_id") or "").strip() or None
        out.append(Incident(incident_id, severity, values["started_at"], values["resolved_at"],
                            values["customer_impact"], pm))
    return out


def postmortem_rows(cfg: Config, rows):
    for row, line in rows:
        record, unknown = canonical(row, cfg, POSTMORTEM_KEYS)
        yield record, unknown, line

