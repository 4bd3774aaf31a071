"""Configuration, as the parsers use it: lookups built from the configuration mapping
(hindsight.config.read_config: the shipped defaults plus a team's file).

Every vocabulary (severities, statuses, labels, section headings) is data, so a
team whose template differs maps it there without code.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from pipeline.tickets import TrackerSettings, build_settings


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Case-, accent- and spacing-insensitive key used for every vocabulary lookup.

    Cached: the same few hundred labels, headings and vocabulary words are folded in every file."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\s_]+", " ", text).strip(" :*`\t")


def without_parentheses(text: str, replacement: str = " ") -> str:
    r"""``re.sub(r"\(.*?\)", replacement, text)`` in one pass: the pattern retries every "(" of a line
    that has no ")", which is quadratic on a line of "(((("."""
    if "(" not in text:
        return text
    out, i, close, newline = [], 0, -1, -1
    while (start := text.find("(", i)) >= 0:
        if close <= start:
            close = text.find(")", start + 1)
            if close < 0:
                break
        if newline <= start:
            newline = text.find("\n", start + 1)
            newline = len(text) if newline < 0 else newline
        if newline < close:  # "." stops at a line end: no "(" of this line is closed
            out.append(text[i:newline + 1])
            i = newline + 1
            continue
        out.append(text[i:start] + replacement)
        i = close + 1
    out.append(text[i:])
    return "".join(out)


@dataclass
class Config:
    raw: dict
    source: str = "defaults"
    # derived lookups
    field_labels: dict[str, str] = field(default_factory=dict)
    section_labels: dict[str, str] = field(default_factory=dict)
    vocab: dict[str, dict[str, str]] = field(default_factory=dict)
    timeline_kinds: list[tuple[str, re.Pattern]] = field(default_factory=list)  # any of the kind's words
    title_patterns: list[re.Pattern] = field(default_factory=list)
    tracker_incident: re.Pattern | None = None
    tracker_review_labels: set[str] = field(default_factory=set)
    # bounds on what reaches the Markdown parser (markdown.max_file_mb, markdown.max_line_chars)
    max_markdown_bytes: int = 5_000_000
    max_line_chars: int = 10_000
    tracker: TrackerSettings | None = None  # the tracker: section (Jira and GitHub exports), pipeline/tickets.py
    # Answers of section_of and normalize, by their arguments: every file repeats the same headings and
    # words. Filled as files are read; each worker process has its own.
    answers: dict = field(default_factory=dict, repr=False, compare=False)

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
        key = ("section", heading)
        if key not in self.answers:
            self._remember(key, self._section_of(heading))
        return self.answers[key]

    def _remember(self, key: tuple, value) -> None:
        if len(self.answers) >= 1 << 16:  # a corpus of unique words cannot grow it without bound
            self.answers.clear()
        self.answers[key] = value

    def _section_of(self, heading: str) -> str | None:
        for text in (heading, without_parentheses(heading, ""), re.split(r"[:(\-–—]", heading)[0]):
            if fold(text) in self.section_labels:
                return self.section_labels[fold(text)]
        return None

    def normalize(self, vocabulary: str, word) -> str | None:
        """Map a raw word onto its vocabulary's canonical value, or None when unknown."""
        if word is None:
            return None
        key = (vocabulary, str(word))
        if key not in self.answers:
            self._remember(key, self._normalize(vocabulary, word))
        return self.answers[key]

    def _normalize(self, vocabulary: str, word) -> str | None:
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
        words = without_parentheses(key)
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
    cfg.timeline_kinds = [(kind, re.compile("|".join(re.escape(fold(w)) for w in words)))
                          for kind, words in kinds.items() if words]
    md = raw.get("markdown") or {}
    try:
        cfg.title_patterns = [re.compile(p, re.IGNORECASE) for p in md.get("title_patterns") or []]
        cfg.tracker_incident = re.compile(md.get("tracker_incident_pattern") or r"$^", re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"{cfg.source}: markdown pattern is not a valid regular expression: {exc}") from None
    cfg.tracker_review_labels = {fold(x) for x in md.get("tracker_review_labels") or []}
    cfg.max_markdown_bytes = int(_positive(md, "max_file_mb", 5, cfg.source) * 1_000_000)
    cfg.max_line_chars = int(_positive(md, "max_line_chars", 10_000, cfg.source))
    cfg.tracker = build_settings(raw.get("tracker") or {}, cfg.source, fold, cfg.timezones)
    return cfg


def _positive(section: dict, key: str, default: float, source: str) -> float:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ValueError(f"{source}: markdown.{key} must be a positive number, not {value!r}")
    return value
