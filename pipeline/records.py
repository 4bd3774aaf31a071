"""From a record with canonical keys (however it was written) to a PostMortem.

JSON, YAML, CSV rows, Markdown bodies and front matter all end here, so every
format is normalised by the same code and warns the same way.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from pipeline.config import Config, fold
from pipeline.model import Action, PostMortem, Problem, TimelineEvent
from pipeline.tickets import action_refs
from pipeline.values import (blocked_reason, find_date, is_blank, parse_bool, parse_currency, parse_date,
                             parse_duration, parse_list, parse_number, parse_timestamp)

PHASES = ("detect", "acknowledge", "mitigate", "resolve")
POSTMORTEM_KEYS = {
    "id", "title", "incident_date", "postmortem_date", "author", "participants", "severity", "team",
    "service", "started_at", "detected_at", "acknowledged_at", "mitigated_at", "resolved_at",
    "time_to_detect", "time_to_acknowledge", "time_to_mitigate", "time_to_resolve", "users_affected",
    "failed_requests", "lost_transactions", "estimated_cost", "customer_impact", "near_miss",
    "cause_category", "root_cause", "summary", "recurrence_of", "tags", "readers", "actions",
    "timeline", "whys", "lessons", "went_well", "to_improve", "language",
}
ACTION_KEYS = {"description", "owner", "due", "priority", "status", "ticket", "completed_at",
               "blocked_since", "blocked_by", "position", "action_id"}
# A post-mortem's timeline or action list is read up to this many entries: real ones hold tens, and a
# pasted log of 50,000 rows would cost seconds to normalise for nothing a reader can use.
MAX_ENTRIES = 5_000
_NAMES_A_DAY = re.compile(r"\d{4}|[a-z]{3}", re.I)  # a year or a month name, not a bare time of day
# Tolerance before an explicit duration and the timestamps are said to disagree.
DISAGREE_MINUTES = 2.0


class Recorder:
    """Collects warnings for one file, each with the line of the field when it is known."""

    def __init__(self, lines: dict | None = None, prefix: str = ""):
        self.problems: list[Problem] = []
        self.lines = lines or {}
        self.prefix = prefix

    def warn(self, message: str, key: str | None = None, line: int | None = None) -> None:
        self.problems.append(Problem("warning", self.prefix + message, line or self.lines.get(key)))


def canonical(record: dict, cfg: Config, known: set[str]) -> tuple[dict, list[str]]:
    """Rename a record's keys to canonical names through the configured aliases."""
    out, unknown = {}, []
    for key, value in record.items():
        name = cfg.field_labels.get(fold(str(key)), str(key))
        if name not in known:
            name = fold(str(key)).replace(" ", "_")
        if name in known:
            if name not in out or is_blank(out[name]):
                out[name] = value
        else:
            unknown.append(str(key))
    return out, unknown


def _read(rec: Recorder, key: str, raw, parser, what: str):
    try:
        return parser(raw)
    except ValueError as exc:
        rec.warn(f"{what}: {exc}; left empty", key)
        return None


def _given(raw) -> bool:
    """The field is there, even as an empty list; absent, null or a blank cell is not given."""
    return isinstance(raw, (list, tuple)) or not is_blank(raw)


def _text(raw) -> str | None:
    if is_blank(raw):
        return None
    if isinstance(raw, (list, tuple)):
        raw = "\n".join(str(x) for x in raw)
    text = str(raw).strip()
    return text or None


def vocabulary_word(cfg: Config, vocabulary: str, raw, warn, what: str | None = None) -> str | None:
    """A raw word ("✅ Done", "Sévérité haute") as its vocabulary's canonical value; an unknown word is
    left empty with a warning, through ``warn(message)``. The one place words are normalised."""
    if is_blank(raw):
        return None
    value = cfg.normalize(vocabulary, raw)
    if value is None:
        warn(f"unknown {what or vocabulary.replace('_', ' ')} '{raw}'; left empty "
             f"(add it to vocabularies.{vocabulary})")
    return value


def _items(rec: Recorder, raw, key: str, single=(str,)) -> list:
    """A field that holds a list: a list as given, one text (or one of ``single``) as a list of one;
    anything else (a number, a yes/no) is not a list: warned about and ignored, the rest loads."""
    if raw is None or raw == "" or raw == []:
        return []
    if isinstance(raw, (list, tuple)):
        return list(raw)
    if isinstance(raw, single):
        return [raw]
    rec.warn(f"{key.replace('_', ' ')} should be a list, not '{raw}'; ignored", key)
    return []


def _list_of_text(rec: Recorder, raw, key: str) -> list[str]:
    """Participants, tags...: a list, or text separated by commas, semicolons or line breaks."""
    if isinstance(raw, (bool, int, float, dict)):
        rec.warn(f"{key.replace('_', ' ')} should be a list or text, not '{raw}'; ignored", key)
        return []
    return parse_list(raw)


FRENCH = set("le la les des est une pour dans pas sur du au aux été était sont avec qui que ont cette".split())
ENGLISH = set("the and was is to of for in not on were with which that have this by".split())


def detect_language(*texts: str | None) -> str | None:
    words = re.findall(r"[a-zéèàêç]+", " ".join(t for t in texts if t).casefold())
    fr = sum(w in FRENCH for w in words)
    en = sum(w in ENGLISH for w in words)
    if fr == en == 0:
        return None
    return "fr" if fr > en else "en"


def classify_event(cfg: Config, text: str) -> str | None:
    key = fold(text)
    for kind, words in cfg.timeline_kinds:
        if words.search(key):
            return kind
    return None


def _action_fields(raw, position: int, rec: Recorder, line: int | None) -> dict | None:
    if isinstance(raw, (bool, int, float)):
        rec.warn(f"action {position} should be a description or a mapping of fields, not '{raw}'; skipped",
                 line=line)
        return None
    return raw if isinstance(raw, dict) else {"description": raw}


def build_action(cfg: Config, raw: dict, position: int, incident_date: date | None, rec: Recorder,
                 line: int | None = None) -> Action | None:
    fields = _action_fields(raw, position, rec, line)
    if fields is None:
        return None
    raw, unknown = canonical(fields, cfg, ACTION_KEYS)
    where = f"action {position}"
    description = _text(raw.get("description"))
    if description is None:
        rec.warn(f"{where} has no description; skipped", line=line)
        return None
    if unknown:
        rec.warn(f"{where}: unknown field(s) {', '.join(unknown)} ignored", line=line)

    def warn(message: str) -> None:
        rec.warn(f"{where}: {message}", line=line)

    def when(key, parser):
        try:
            return parser(raw.get(key))
        except ValueError as exc:
            rec.warn(f"{where} {key}: {exc}; left empty", line=line)
            return None

    status = vocabulary_word(cfg, "status", raw.get("status"), warn)
    priority = vocabulary_word(cfg, "priority", raw.get("priority"), warn)
    # "✅ Done (2024-01-19)", "⛔ Bloqué depuis le 12/03/2024": the date the status took effect.
    status_date = find_date(str(raw.get("status"))) if status in ("done", "blocked") else None
    if status_date and status == "done" and is_blank(raw.get("completed_at")):
        raw["completed_at"] = status_date
    if status_date and status == "blocked" and is_blank(raw.get("blocked_since")):
        raw["blocked_since"] = status_date
    due_date = when("due", lambda v: parse_date(v, incident_date))
    _check_due(due_date, incident_date, rec, where, line)
    ticket = _text(raw.get("ticket"))
    blocked_by = _text(raw.get("blocked_by"))
    if blocked_by is None and status == "blocked":  # "⛔ Bloqué par l'équipe réseau"
        blocked_by = blocked_reason(str(raw.get("status")))
    return Action(
        position=position,
        description=description,
        owner=_text(raw.get("owner")),
        due_date=due_date,
        priority=priority,
        status=status,
        ticket=ticket,
        completed_at=when("completed_at", lambda v: parse_timestamp(v, incident_date)),
        blocked_since=when("blocked_since", lambda v: parse_timestamp(v, incident_date)),
        blocked_by=blocked_by,
        action_id=_text(raw.get("action_id")),
        tickets=action_refs(ticket, description, cfg.tracker) if cfg.tracker else [],
    )


def _check_due(due: date | None, incident_date: date | None, rec: Recorder, where: str, line) -> None:
    """A due date before the incident is most likely a wrong year or a day/month swap; kept as written
    (it drives overdue and escalations), but said."""
    if due and incident_date and due < incident_date:
        rec.warn(f"{where}: due date {due} is before the incident date {incident_date}; kept as written "
                 "(check the year and the day/month order)", line=line)


def _check_timezone_crossing(pm: PostMortem, raw_start, utc_offset: float | None, rec: Recorder) -> None:
    """Times are stored in UTC. When the zone the document writes them in puts the start on another day
    in UTC (20:00 PST on 31 March is 04:00 UTC on 1 April), the incident may change month or quarter
    depending on which date one reads: say so, naming both."""
    offset, written = utc_offset, raw_start
    if isinstance(written, str) and re.match(r"^\d{4}-\d\d-\d\d[T ]", written.strip()):
        try:
            written = datetime.fromisoformat(written.strip().replace("Z", "+00:00"))
        except ValueError:
            written = None
    if isinstance(written, datetime) and written.utcoffset() is not None:  # a zone in the value wins
        offset = written.utcoffset().total_seconds() / 3600
    if not offset or pm.started_at is None:
        return
    local = pm.started_at + timedelta(hours=offset)
    if local.date() != pm.started_at.date():
        rec.warn(f"the incident starts at {local:%Y-%m-%d %H:%M} (UTC{offset:+g}) as written, which is "
                 f"{pm.started_at:%Y-%m-%d %H:%M} UTC: on {pm.started_at.date()} in UTC, not {local.date()}; "
                 f"times are stored in UTC and the incident date is {pm.incident_date}", "started_at")


def build_postmortem(record: dict, cfg: Config, *, fallback_id: str, file_name: str,
                     lines: dict | None = None, utc_offset: float | None = None, heading: str | None = None,
                     ) -> tuple[PostMortem, list[Problem]]:
    """Normalise one record. Never raises for bad values: they become warnings.

    ``heading`` is the document's title heading when the title was given elsewhere (a front matter):
    a date in it dates the incident when nothing better does, as a date in the title would."""
    rec = Recorder(lines)
    r = dict(record)
    for key, value in cfg.defaults.items():
        if is_blank(r.get(key)):
            r[key] = value
    pm = PostMortem(postmortem_id=_text(r.get("id")) or fallback_id)
    _identity(pm, r, cfg, rec)
    _timeline_and_phases(pm, r, cfg, rec, (pm.title or "", heading or "", file_name), utc_offset)
    _impact(pm, r, rec)
    _causes(pm, r, cfg, rec)
    _actions(pm, r, cfg, rec)
    _learnings(pm, r, rec)
    pm.language = _text(r.get("language")) or detect_language(pm.summary, pm.root_cause, pm.title,
                                                              *(t for _, t in pm.learnings))
    _consistency(pm, rec)
    return pm, rec.problems


def _identity(pm: PostMortem, r: dict, cfg: Config, rec: Recorder) -> None:
    """Who and what: title, people, team, service, severity, and the two dates written as such."""
    pm.title = _text(r.get("title"))
    pm.author = _text(r.get("author"))
    pm.participants = _list_of_text(rec, r.get("participants"), "participants")
    pm.team = _text(r.get("team"))
    pm.service = _text(r.get("service"))
    pm.severity = vocabulary_word(cfg, "severity", r.get("severity"), lambda m: rec.warn(m, "severity"))
    pm.incident_date = _read(rec, "incident_date", r.get("incident_date"), parse_date, "incident date")
    pm.postmortem_date = _read(rec, "postmortem_date", r.get("postmortem_date"), parse_date, "post-mortem date")


def _timeline_and_phases(pm: PostMortem, r: dict, cfg: Config, rec: Recorder, names: tuple[str, ...],
                         utc_offset: float | None) -> None:
    """The timeline, the incident date when only the rest of the document gives it, the phase
    timestamps (explicit ones win over the timeline's events) and the minutes to each phase."""
    def stamp(key):
        return _read(rec, key, r.get(key), lambda v: parse_timestamp(v, pm.incident_date, utc_offset),
                     key.replace("_", " "))

    explicit = {k: stamp(k) for k in ("started_at", "detected_at", "acknowledged_at", "mitigated_at", "resolved_at")}
    pm.timeline = _timeline(cfg, rec, r.get("timeline"), pm.incident_date, utc_offset)
    if pm.incident_date is None:
        _incident_date_elsewhere(pm, explicit, names, rec)
        if pm.incident_date is not None and any(e.at is None for e in pm.timeline):
            pm.timeline = _timeline(cfg, Recorder(), r.get("timeline"), pm.incident_date, utc_offset)
    by_kind: dict[str, datetime] = {}
    for event in pm.timeline:
        if event.at is not None and event.kind and event.kind not in by_kind:
            by_kind[event.kind] = event.at
            rec.lines.setdefault(_phase_col(event.kind) if event.kind in PHASES else "started_at", event.line)
    first_at = min((e.at for e in pm.timeline if e.at), default=None)
    # A timeline begins when the incident does: its first event is the start, whatever its words.
    pm.started_at = explicit["started_at"] or first_at
    for phase in PHASES:
        col = _phase_col(phase)
        setattr(pm, col, explicit[col] or by_kind.get(phase))
    _check_timezone_crossing(pm, r.get("started_at") if explicit["started_at"] else None, utc_offset, rec)
    _durations(pm, r, rec)


def _incident_date_elsewhere(pm: PostMortem, explicit: dict, names: tuple[str, ...], rec: Recorder) -> None:
    """The incident date from the start or detection time, the first timed event, or a date written
    in the names (title, title heading, file name), in that order."""
    first_event = next((e.at for e in pm.timeline if e.at), None)
    for candidate in (explicit["started_at"], explicit["detected_at"], first_event):
        if candidate is not None:
            pm.incident_date = candidate.date()
            return
    pm.incident_date = next((day for day in map(find_date, names) if day), None)
    if pm.incident_date is None:
        rec.warn("no incident date found (not in the metadata, timestamps, title or file name)", "incident_date")


def _impact(pm: PostMortem, r: dict, rec: Recorder) -> None:
    for key, what in (("users_affected", "users affected"), ("failed_requests", "failed requests"),
                      ("lost_transactions", "lost transactions")):
        setattr(pm, key, _read(rec, key, r.get(key), parse_number, what))
    pm.estimated_cost = _read(rec, "estimated_cost", r.get("estimated_cost"),
                              lambda v: parse_number(v, integer=False), "estimated cost")
    if pm.estimated_cost is not None:
        pm.cost_currency = parse_currency(r.get("estimated_cost"))
    pm.customer_impact = _read(rec, "customer_impact", r.get("customer_impact"), parse_bool, "customer impact")
    pm.near_miss = _read(rec, "near_miss", r.get("near_miss"), parse_bool, "near miss")


def _causes(pm: PostMortem, r: dict, cfg: Config, rec: Recorder) -> None:
    """Cause categories (kept as written when outside the taxonomy), the root cause and summary texts,
    and the links to other post-mortems."""
    for raw in _list_of_text(rec, r.get("cause_category"), "cause_category"):
        category = cfg.normalize("cause_category", raw)
        if category is None:
            rec.warn(f"unknown cause category '{raw}'; kept as written but outside the taxonomy "
                     "(add it to vocabularies.cause_category)", "cause_category")
        pm.causes.append((category, raw))
    pm.root_cause = _text(r.get("root_cause"))
    pm.summary = _text(r.get("summary"))
    pm.recurrence_of = _list_of_text(rec, r.get("recurrence_of"), "recurrence_of")
    pm.tags = _list_of_text(rec, r.get("tags"), "tags")
    pm.readers = _list_of_text(rec, r.get("readers"), "readers")
    pm.readers_known = _given(r.get("readers"))


def _actions(pm: PostMortem, r: dict, cfg: Config, rec: Recorder) -> None:
    actions = r.get("actions") or []
    if not isinstance(actions, list):
        rec.warn("actions should be a list; ignored", "actions")
        actions = []
    action_lines = rec.lines.get("action_lines", [])
    for i, raw in enumerate(_at_most(rec, actions, "actions"), start=1):
        line = action_lines[i - 1] if i - 1 < len(action_lines) else rec.lines.get("actions")
        action = build_action(cfg, raw, i, pm.incident_date, rec, line)
        if action:
            pm.actions.append(action)


def _learnings(pm: PostMortem, r: dict, rec: Recorder) -> None:
    """The 5 whys, and what went well, what to improve and the lessons."""
    for raw in _items(rec, r.get("whys"), "whys", single=(str, dict)):
        if isinstance(raw, dict):
            q, a = _text(raw.get("question") or raw.get("why")), _text(raw.get("answer") or raw.get("because"))
        else:
            # "Why was the pool saturated? → the export ran 50k queries", as the template writes them
            q, _, a = (_text(raw) or "").partition("→")
            q, a = (q.strip() or None, a.strip()) if a else (None, q.strip())
        if a or q:
            pm.whys.append((q, a or ""))
    for kind, key in (("lesson", "lessons"), ("went_well", "went_well"), ("to_improve", "to_improve")):
        pm.learnings.extend((kind, t) for t in (_text(x) for x in _items(rec, r.get(key), key)) if t)


def _at_most(rec: Recorder, entries: list, key: str) -> list:
    if len(entries) > MAX_ENTRIES:
        rec.warn(f"{key} has {len(entries):,} entries; only the first {MAX_ENTRIES:,} were read", key)
        return entries[:MAX_ENTRIES]
    return entries


def _phase_col(phase: str) -> str:
    return {"detect": "detected_at", "acknowledge": "acknowledged_at", "mitigate": "mitigated_at",
            "resolve": "resolved_at"}[phase]


def _durations(pm: PostMortem, r: dict, rec: Recorder) -> None:
    """minutes_to_X: the explicit duration wins; otherwise the gap from started_at."""
    for phase in PHASES:
        at = getattr(pm, _phase_col(phase))
        key = f"time_to_{phase}"
        explicit = _read(rec, key, r.get(key), parse_duration, key.replace("_", " "))
        measured = None
        if at is not None and pm.started_at is not None:
            measured = (at - pm.started_at).total_seconds() / 60
            if measured < 0:
                rec.warn(f"{phase} time {at:%Y-%m-%d %H:%M} is before the start {pm.started_at:%Y-%m-%d %H:%M}; "
                         f"minutes to {phase} left empty", _phase_col(phase))
                measured = None
        if explicit is not None and measured is not None and abs(explicit - measured) > DISAGREE_MINUTES:
            rec.warn(f"{key.replace('_', ' ')} is given as {explicit:g} min but the timestamps say "
                     f"{measured:g} min; keeping the explicit {explicit:g} min", key)
        setattr(pm, f"minutes_to_{phase}", explicit if explicit is not None else measured)


def _timeline(cfg: Config, rec: Recorder, raw, incident_date: date | None, utc_offset) -> list[TimelineEvent]:
    if not raw:
        return []
    if not isinstance(raw, list):
        rec.warn("timeline should be a list of {at, event}; ignored", "timeline")
        return []
    events, day, previous = [], incident_date, None
    for i, item in enumerate(_at_most(rec, raw, "timeline"), start=1):
        if isinstance(item, dict):
            at_raw, text, line = item.get("at") or item.get("time"), _text(item.get("event")) or "", item.get("line")
            line = line if type(line) is int else None  # set by the Markdown reader; a JSON "line" is not ours
        else:
            at_raw, text, line = None, _text(item) or "", None
        at = None
        if not is_blank(at_raw):
            try:
                at = parse_timestamp(at_raw, day, utc_offset)
            except ValueError as exc:
                rec.warn(f"timeline event {i}: {exc}; kept without a time", line=line or rec.lines.get("timeline"))
        if at is not None:
            # A bare time after a full timestamp is on that timestamp's day.
            if _NAMES_A_DAY.search(str(at_raw)):
                day = (at + timedelta(hours=utc_offset or 0)).date()
            if previous is not None and at < previous:
                rec.warn(f"timeline out of order: event {i} ({at:%Y-%m-%d %H:%M}) is before the event above it "
                         f"({previous:%Y-%m-%d %H:%M})", line=line or rec.lines.get("timeline"))
            previous = at
        events.append(TimelineEvent(position=i, at=at, kind=classify_event(cfg, text), event=text, line=line))
    return events


EXPECTED = {"severity": "severity", "team": "team", "service": "service", "causes": "cause category",
            "postmortem_date": "post-mortem date", "started_at": "start time"}


def _consistency(pm: PostMortem, rec: Recorder) -> None:
    missing = [label for attr, label in EXPECTED.items() if not getattr(pm, attr)]
    if missing:
        rec.warn(f"missing {', '.join(missing)}: left empty (give them in the document, front matter, or the "
                 "configuration's defaults)", "title")
    first = next((e.at for e in pm.timeline if e.at), None)
    if first and pm.incident_date and abs((first.date() - pm.incident_date).days) > 2:
        rec.warn(f"the timeline starts on {first:%Y-%m-%d}, far from the incident date {pm.incident_date}; "
                 "check which is right", "incident_date")
    if pm.incident_date and pm.postmortem_date and pm.postmortem_date < pm.incident_date:
        rec.warn(f"post-mortem date {pm.postmortem_date} is before the incident date {pm.incident_date}",
                 "postmortem_date")
    if pm.title is None:
        rec.warn("no title", "title")
