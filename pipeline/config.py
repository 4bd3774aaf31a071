"""Configuration, as the parsers use it: lookups built from the configuration mapping
(hindsight.config.read_config: the shipped defaults plus a team's file).

Every vocabulary (severities, statuses, labels, section headings) is data, so a
team whose template differs maps it there without code.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from pipeline.tickets import TrackerSettings, build_settings


def fold(text: str) -> str:
    """Case-, accent- and spacing-insensitive key used for every vocabulary lookup."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\s_]+", " ", text).strip(" :*`\t")


@dataclass
class Config:
    raw: dict
    source: str = "defaults"
    # derived lookups
    field_labels: dict[str, str] = field(default_factory=dict)
    section_labels: dict[str, str] = field(default_factory=dict)
    vocab: dict[str, dict[str, str]] = field(default_factory=dict)
    timeline_kinds: list[tuple[str, list[str]]] = field(default_factory=list)
    title_patterns: list[re.Pattern] = field(default_factory=list)
    tracker_incident: re.Pattern | None = None
    tracker_review_labels: set[str] = field(default_factory=set)
    tracker: TrackerSettings | None = None  # the tracker: section (Jira and GitHub exports), pipeline/tickets.py

    @property
    def defaults(self) -> dict:
        return self.raw.get("defaults") or {}

    @property
    def excludes(self) -> list[str]:
        return list((self.raw.get("ingest") or {}).get("exclude") or [])

    @property
    def markdown(self) -> dict:
        return self.raw.get("markdown") or {}

    @property
    def timezones(self) -> dict[str, float]:
        return {fold(k): float(v) for k, v in (self.raw.get("timezones") or {}).items()}

    def section_of(self, heading: str) -> str | None:
        """The template section a heading names: as written, without a parenthesis ("Timeline (UTC)"),
        or its words before a colon or dash ("Root cause - the pool")."""
        for text in (heading, re.sub(r"\(.*?\)", "", heading), re.split(r"[:(\-–—]", heading)[0]):
            if fold(text) in self.section_labels:
                return self.section_labels[fold(text)]
        return None

    def normalize(self, vocabulary: str, word) -> str | None:
        """Map a raw word onto its vocabulary's canonical value, or None when unknown."""
        if word is None:
            return None
        table = self.vocab[vocabulary]
        key = fold(str(word))
        if not key:
            return None
        if key in table:
            return table[key]
        compact = re.sub(r"[\s\-.]+", "", key)
        if compact in table:
            return table[compact]
        # "✅ Done", "🔄 En cours (PR ouverte)": try the words, then each symbol.
        words = re.sub(r"\(.*?\)", " ", key)
        words = re.sub(r"[^\w\s'/-]", " ", words).strip()
        words = re.sub(r"\s+", " ", words)
        if words in table:
            return table[words]
        for char in key:
            if not char.isalnum() and not char.isspace() and char in table:
                return table[char]
        first = words.split(" ")[0] if words else ""
        return table.get(first)


def build(raw: dict, source: str | None = None) -> Config:
    """The parsers' lookups from a configuration mapping; source (the file it came from) names it in
    messages and in ingest_runs. A pattern that is not a regular expression raises ValueError."""
    cfg = Config(raw=raw, source=source or "defaults")
    aliases = raw.get("aliases") or {}
    for canonical, labels in (aliases.get("fields") or {}).items():
        cfg.field_labels.setdefault(fold(canonical), canonical)
        for label in labels or []:
            cfg.field_labels.setdefault(fold(label), canonical)
    for canonical, labels in (aliases.get("sections") or {}).items():
        for label in [canonical, *(labels or [])]:
            cfg.section_labels.setdefault(fold(label), canonical)
    for name, mapping in (raw.get("vocabularies") or {}).items():
        table: dict[str, str] = {}
        for canonical, words in (mapping or {}).items():
            for word in [canonical, *(words or [])]:
                key = fold(str(word))
                table.setdefault(key, canonical)
                table.setdefault(re.sub(r"[\s\-.]+", "", key), canonical)
        cfg.vocab[name] = table
    kinds = raw.get("timeline_kinds") or {}
    cfg.timeline_kinds = [(kind, [fold(w) for w in words]) for kind, words in kinds.items()]
    md = raw.get("markdown") or {}
    try:
        cfg.title_patterns = [re.compile(p, re.IGNORECASE) for p in md.get("title_patterns") or []]
        cfg.tracker_incident = re.compile(md.get("tracker_incident_pattern") or r"$^", re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"{cfg.source}: markdown pattern is not a valid regular expression: {exc}") from None
    cfg.tracker_review_labels = {fold(x) for x in md.get("tracker_review_labels") or []}
    cfg.tracker = build_settings(raw.get("tracker") or {}, cfg.source, fold, cfg.timezones)
    return cfg
