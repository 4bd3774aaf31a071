"""One writer per kind of file of the demo corpus: Markdown, JSON, YAML, CSV, trackers, the incident
list, and the planted malformed files. They share one Output (the folder, the generator, the file names
already used) and run in a fixed order, since each draws from the same seeded generator."""

from __future__ import annotations

import csv
import io
import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import yaml

from hindsight.demo.formatting import iso_ts
from hindsight.demo.markdown import Variety, front_matter, render_markdown
from hindsight.demo.model import RANGE_END, Action, Plan, PostMortem, Tracker
from hindsight.demo.records import (ACTION_COLUMNS, POSTMORTEM_COLUMNS, action_row, postmortem_row,
                                    structured_record)
from hindsight.demo.wording import STATUS_MARKDOWN, STATUS_TRACKER, TRACKER

FILE_KINDS = ("markdown", "markdown_frontmatter", "json", "yaml", "csv", "tracker", "incidents")
POSTMORTEM_FORMATS = ("markdown", "markdown_frontmatter", "json", "yaml", "csv")


@dataclass
class Output:
    root: Path
    rng: random.Random
    variety: Variety
    files: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FILE_KINDS, 0))
    by_format: dict[str, int] = field(default_factory=lambda: dict.fromkeys(POSTMORTEM_FORMATS, 0))
    used_paths: set[str] = field(default_factory=set)

    def unique(self, rel: str) -> str:
        """rel, or rel with -2, -3... before its extension when another file took it."""
        base, _, ext = rel.rpartition(".")
        n, candidate = 2, rel
        while candidate in self.used_paths:
            candidate = f"{base}-{n}.{ext}"
            n += 1
        self.used_paths.add(candidate)
        return candidate

    def write(self, rel: str, text: str, *, bom: bool = False, crlf: bool = False) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if crlf:
            text = text.replace("\n", "\r\n")
        data = text.encode("utf-8")
        path.write_bytes(b"\xef\xbb\xbf" + data if bom else data)


def _slug(pm: PostMortem) -> str:
    return f"{pm.date.isoformat()}-{pm.service}-{pm.kind}"


def _csv_text(header: list[str], rows: list[list]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def write_markdown(out: Output, plan: Plan) -> None:
    cp1252_done = False
    for pm in plan.postmortems:
        if pm.format not in ("markdown", "frontmatter"):
            continue
        pm.path = out.unique(f"markdown/{pm.team}/{_slug(pm)}.md")
        text = render_markdown(out.variety, pm)
        if pm.format == "frontmatter":
            text = front_matter(out.rng, pm) + text
        if not cp1252_done and _fits_cp1252(pm, text, plan):
            pm.encoding, cp1252_done = "cp1252", True
        if pm.encoding == "mac_roman":  # UTF-8 bytes read as Mac Roman: the practice guide's own mojibake
            text = text.encode("utf-8").decode("mac_roman")
        elif pm.encoding == "cp1252":
            text = text.encode("utf-8").decode("cp1252", errors="replace")
        out.write(pm.path, text, bom=pm.encoding == "bom", crlf=pm.encoding == "crlf")
        key = "markdown" if pm.format == "markdown" else "markdown_frontmatter"
        out.files[key] += 1
        out.by_format[key] += 1


def _fits_cp1252(pm: PostMortem, text: str, plan: Plan) -> bool:
    """A plain French file without another quirk whose UTF-8 bytes are all defined in cp1252."""
    if pm.encoding is not None or pm.format != "markdown" or pm.lang != "fr" or pm.id in plan.taken:
        return False
    try:
        text.encode("utf-8").decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def write_structured(out: Output, plan: Plan, fmt: str) -> None:
    """JSON or YAML: one post-mortem per file, or batches of 5 to 10 in a list."""
    group = [pm for pm in plan.postmortems if pm.format == fmt]
    i = batch_no = 0
    while i < len(group):
        remaining = len(group) - i
        if remaining >= 5 and i > 0 and (out.rng.random() < 0.3 or batch_no == 0):
            batch = group[i:i + min(out.rng.randint(5, 10), remaining)]
            batch_no += 1
            rel = out.unique(f"{fmt}/batch-{batch_no:02d}-{batch[0].date.strftime('%Y-%m')}.{fmt}")
        else:
            batch = group[i:i + 1]
            rel = out.unique(f"{fmt}/{_slug(batch[0])}.{fmt}")
        i += len(batch)
        _write_batch(out, fmt, rel, batch)


def _write_batch(out: Output, fmt: str, rel: str, batch: list[PostMortem]) -> None:
    records = []
    for pm in batch:
        pm.path = rel
        yaml_dates = fmt == "yaml" and out.rng.random() < 0.5
        records.append(structured_record(out.rng, pm, yaml_dates=yaml_dates))
    payload = records if len(batch) > 1 or rel.split("/")[-1].startswith("batch-") else records[0]
    if fmt == "json":
        text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    else:
        text = yaml.safe_dump(payload, sort_keys=False, allow_unicode=True, width=100)
    out.write(rel, text)
    out.files[fmt] += 1
    out.by_format[fmt] += len(batch)


def write_csv(out: Output, plan: Plan) -> None:
    """One post-mortem per row of csv/postmortems.csv, their actions in csv/actions.csv."""
    postmortems = [pm for pm in plan.postmortems if pm.format == "csv"]
    pm_rows, action_rows = [], []
    for pm in postmortems:
        pm.path = "csv/postmortems.csv"
        pm_rows.append(postmortem_row(pm))
        action_rows += [action_row(out.rng, pm, action) for action in pm.actions]
    out.write("csv/postmortems.csv", _csv_text(POSTMORTEM_COLUMNS, pm_rows))
    out.write("csv/actions.csv", _csv_text(ACTION_COLUMNS, action_rows))
    out.files["csv"] += 2
    out.by_format["csv"] += len(postmortems)


def write_trackers(out: Output, plan: Plan) -> list[str]:
    paths = []
    for tracker in plan.trackers:
        text = _tracker_text(out, tracker)
        rel = out.unique(f"trackers/{tracker.review.isoformat()}-{tracker.team}-tracker.md")
        out.write(rel, text)
        paths.append(rel)
        out.files["tracker"] += 1
    return paths


def _tracker_text(out: Output, tracker: Tracker) -> str:
    lines = ["## Actions Post-Mortem Tracker", ""]
    for pm in tracker.group:
        lines += [f"### Incident: {pm.title} - {pm.date.isoformat()}", "",
                  "| # | Action | Owner | Due | Status | PR/Ticket |", "|---|--------|-------|-----|--------|-----------|"]
        for j, action in enumerate(pm.actions, 1):
            lines.append(_tracker_row(out, tracker.lang, j, action, pm.tracker_status[j - 1]))
        lines.append("")
    label = TRACKER[tracker.lang]
    return "\n".join(lines + [f"**{label['last_review']}**: {tracker.review.isoformat()}",
                              f"**{label['next_review']}**: {(tracker.review + timedelta(days=7)).isoformat()}", ""])


def _tracker_row(out: Output, lang: str, j: int, action: Action, status: str) -> str:
    shown = STATUS_TRACKER[status]
    if out.rng.random() < 0.2:
        shown = out.variety.choice(STATUS_MARKDOWN[lang][status])
    return f"| {j} | {action.description} | {action.owner} | {action.due.strftime('%m/%d')} | {shown} | " \
           f"{action.ticket or '-'} |"


def write_incidents(out: Output, plan: Plan) -> list[str]:
    """incidents/incidents.csv: every incident with an id, plus short ones that need no post-mortem and a
    few that need one and have none; returns the ids of the latter."""
    rows = [(pm.times.start, pm.severity, pm.times.resolve, pm.impact.customer_impact, pm.id, False)
            for pm in plan.postmortems if pm.format != "markdown"]  # Markdown has no id to link
    rows += _incidents_without_postmortem(out.rng, plan)
    rows.sort(key=lambda x: (x[0], x[4]))
    per_year: dict[int, int] = {}
    table, missing = [], []
    for start, severity, end, customer_impact, pm_id, needs_pm in rows:
        per_year[start.year] = per_year.get(start.year, 0) + 1
        incident_id = f"INC-{start.year}-{per_year[start.year]:04d}"
        if needs_pm:
            missing.append(incident_id)
        table.append([incident_id, severity, iso_ts(start), iso_ts(end), str(customer_impact).lower(), pm_id])
    out.write("incidents/incidents.csv", _csv_text(
        ["incident_id", "severity", "started_at", "resolved_at", "customer_impact", "postmortem_id"], table))
    out.files["incidents"] += 1
    return missing


def _incidents_without_postmortem(rng: random.Random, plan: Plan) -> list[tuple]:
    first_day = plan.organisation.first_day
    span = (RANGE_END - first_day).days
    n_short = max(3, round(34 * plan.count / 300))
    n_missing = 7 if plan.count >= 100 else 3
    rows = []
    for i in range(n_short + n_missing):
        day = first_day + timedelta(days=rng.randint(0, span))
        start = datetime(day.year, day.month, day.day) + timedelta(minutes=rng.randint(0, 24 * 60 - 1))
        if i < n_short:
            severity, minutes, customer_impact = rng.choice(["P3", "P4", "P4"]), rng.randint(4, 28), False
        else:
            severity, minutes, customer_impact = _needs_postmortem(rng, (i - n_short) % 3)
        rows.append((start, severity, start + timedelta(minutes=minutes), customer_impact, "", i >= n_short))
    return rows


def _needs_postmortem(rng: random.Random, kind: int) -> tuple[str, int, bool]:
    """A P1, a P2 (longer than 30 minutes) or an incident with customer impact."""
    if kind == 0:
        return "P1", rng.randint(20, 240), True
    if kind == 1:
        return "P2", rng.randint(35, 300), rng.random() < 0.5
    return "P3", rng.randint(10, 90), True


def write_malformed(out: Output) -> list[str]:
    """Exactly five files the pipeline must reject, each for another reason."""
    bad = json.dumps({"id": "PM-2025-999", "title": "Truncated export", "incident_date": "2025-05-05",
                      "summary": "This export was cut in the middle of a string"}, indent=2)
    nobody = {"team": "search", "service": "search-api", "severity": "P3",
              "summary": "Someone started this post-mortem and never filled in the header.",
              "actions": [{"description": "Fill in the header", "owner": "@paul", "status": "todo"}]}
    files = {
        "json/malformed-truncated.json": bad[: len(bad) // 2 + 7],
        "yaml/malformed-plain-string.yaml": "just a reminder to write the post-mortem for the friday outage\n",
        "markdown/platform/malformed-notes.md": "random notes from the coffee machine\n\nneed to ask bob about the logs\n"
                                                "call the vendor on tuesday\nbring snacks to the retro\n",
        "csv/malformed-export.csv": _csv_text(["row_no", "colour", "weight_kg", "shipped_on"],
                                              [[1, "blue", "3.2", "2025-01-04"], [2, "red", "1.1", "2025-01-09"]]),
        "json/malformed-no-identity.json": json.dumps(nobody, ensure_ascii=False, indent=2) + "\n",
    }
    for rel, text in files.items():
        out.write(rel, text)
    return list(files)
