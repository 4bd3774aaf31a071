"""Plain renderings of metric tables for the CLI: text, CSV, JSON, Markdown.

Document text is data here: Markdown cells are escaped so a title can never
become a link or a table break."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd


@dataclass
class Section:
    title: str
    table: pd.DataFrame
    note: str = ""


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if not value.is_integer() else str(int(value))
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if hasattr(value, "tolist") and not isinstance(value, str):
        return _cell(value.tolist())
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value == value.normalize() else value.strftime("%Y-%m-%d %H:%M")
    if value is pd.NaT:
        return ""
    return str(value)


def change_text(change, unit: str) -> str:
    """A quarter-over-quarter change as the review reads it: a share's in percentage points ("-37 pp",
    never "%", which would read as a relative change), a duration's in days ("+2.5 d"); "" when unknown.
    The sign is an ASCII hyphen so that a reader (and Streamlit's arrow) sees a negative change."""
    if change is None or (isinstance(change, float) and math.isnan(change)):
        return ""
    if unit == "pp":
        return f"{change * 100:+.0f} pp"
    return f"{change:+.1f} d"


def quarter_label(quarter: str, partial: bool) -> str:
    """'2026-Q4 (partial)': a quarter still in progress is never shown as if complete."""
    return f"{quarter} (partial)" if partial else quarter


def _json_value(value):
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (pd.Timestamp, datetime, date)):
        return value.isoformat()
    if hasattr(value, "tolist"):
        return _json_value(value.tolist())
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    if hasattr(value, "item"):
        return value.item()
    return value


def as_text(sections: list[Section]) -> str:
    out = []
    for s in sections:
        out.append(s.title)
        out.append("=" * len(s.title))
        if s.note:
            out.append(s.note)
        if s.table.empty:
            out.append("(none)")
        else:
            shown = s.table.apply(lambda col: col.map(_cell))
            out.append(shown.to_string(index=False))
        out.append("")
    return "\n".join(out)


def as_csv(sections: list[Section]) -> str:
    if len(sections) == 1:
        return sections[0].table.apply(lambda col: col.map(_cell)).to_csv(index=False)
    parts = []
    for s in sections:
        parts.append(f"# {s.title}")
        parts.append(s.table.apply(lambda col: col.map(_cell)).to_csv(index=False))
    return "\n".join(parts)


def as_json(sections: list[Section]) -> str:
    data = {s.title: [{k: _json_value(v) for k, v in row.items()} for row in s.table.to_dict("records")]
            for s in sections}
    return json.dumps(data, indent=2, ensure_ascii=False)


def _md_escape(text: str) -> str:
    for char in "\\|*_`[]<>#":
        text = text.replace(char, "\\" + char)
    return text.replace("\n", " ")


def as_markdown(sections: list[Section]) -> str:
    out = []
    for s in sections:
        out.append(f"## {_md_escape(s.title)}\n")
        if s.note:
            out.append(_md_escape(s.note) + "\n")
        if s.table.empty:
            out.append("(none)\n")
            continue
        cols = list(s.table.columns)
        out.append("| " + " | ".join(_md_escape(str(c)) for c in cols) + " |")
        out.append("|" + "|".join("---" for _ in cols) + "|")
        for row in s.table.itertuples(index=False):
            out.append("| " + " | ".join(_md_escape(_cell(v)) for v in row) + " |")
        out.append("")
    return "\n".join(out)


FORMATS = {"table": as_text, "csv": as_csv, "json": as_json, "md": as_markdown}
