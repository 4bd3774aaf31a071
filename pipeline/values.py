"""Reading single values: dates, timestamps, durations, counts, booleans, lists.

Each reader returns the value, or None when the text is empty or a known
"not applicable" word. Text that is present but unreadable raises ValueError
with a message meant for a person; callers turn it into a warning.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

NOT_APPLICABLE = {"", "-", "--", "—", "n/a", "na", "n.a.", "none", "null", "nan", "aucun", "aucune",
                  "néant", "neant", "tbd", "?", "unknown", "inconnu", "non applicable"}

MONTHS = {
    "jan": 1, "janv": 1, "janvier": 1, "january": 1, "feb": 2, "fev": 2, "févr": 2, "février": 2,
    "fevrier": 2, "february": 2, "mar": 3, "mars": 3, "march": 3, "apr": 4, "avr": 4, "avril": 4,
    "april": 4, "may": 5, "mai": 5, "jun": 6, "juin": 6, "june": 6, "jul": 7, "juil": 7,
    "juillet": 7, "july": 7, "aug": 8, "aou": 8, "août": 8, "aout": 8, "august": 8, "sep": 9,
    "sept": 9, "september": 9, "septembre": 9, "oct": 10, "october": 10, "octobre": 10, "nov": 11,
    "november": 11, "novembre": 11, "dec": 12, "déc": 12, "december": 12, "décembre": 12,
    "decembre": 12,
}


def is_blank(raw) -> bool:
    if raw is None:
        return True
    if isinstance(raw, float) and raw != raw:  # NaN from a CSV reader
        return True
    return isinstance(raw, str) and raw.strip().casefold() in NOT_APPLICABLE


_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_NUM_DATE = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})\b")
_YEARLESS = re.compile(r"^(\d{1,2})/(\d{1,2})$")
_NAMED = re.compile(r"(?:(\d{1,2})(?:st|nd|rd|th|er)?\s+([a-zéû]+)\.?,?\s+(\d{4}))|(?:([a-zéû]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4}))", re.I)
_TIME = re.compile(r"(?<![\d:])(\d{1,2})[:h](\d{2})(?::(\d{2})(?:\.\d+)?)?(?![\d])")


def _mkdate(y: int, m: int, d: int, raw) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        raise ValueError(f"'{raw}' is not a real date") from None


def parse_date(raw, reference: date | None = None) -> date | None:
    """ISO 8601, DD/MM/YYYY (MM/DD/YYYY when the day can only be second), named months,
    and tracker dates without a year ("01/20", month first as in the template's tracker),
    which take the year that puts them closest after ``reference``."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if is_blank(raw):
        return None
    text = str(raw).strip()
    if m := _ISO_DATE.search(text):
        return _mkdate(int(m[1]), int(m[2]), int(m[3]), raw)
    if m := _NUM_DATE.search(text):
        a, b, y = int(m[1]), int(m[2]), int(m[3])
        y = y + 2000 if y < 100 else y
        day, month = (b, a) if a <= 12 < b else (a, b)
        return _mkdate(y, month, day, raw)
    if m := _YEARLESS.match(text):
        if reference is None:
            raise ValueError(f"'{raw}' has no year and there is no incident date to take it from")
        month, day = int(m[1]), int(m[2])
        if month > 12 >= day:
            month, day = day, month
        candidate = _mkdate(reference.year, month, day, raw)
        if candidate < reference - timedelta(days=60):
            candidate = _mkdate(reference.year + 1, month, day, raw)
        return candidate
    if m := _NAMED.search(text):
        if m[1]:
            day, name, year = int(m[1]), m[2], int(m[3])
        else:
            name, day, year = m[4], int(m[5]), int(m[6])
        month = MONTHS.get(name.casefold().rstrip("."))
        if month:
            return _mkdate(year, month, day, raw)
    raise ValueError(f"'{raw}' is not a date (expected YYYY-MM-DD or DD/MM/YYYY)")


def find_date(text: str) -> date | None:
    """The first date written anywhere in a title or a file name, or None."""
    for pattern in (_ISO_DATE, _NUM_DATE, _NAMED):
        if m := pattern.search(text):
            try:
                return parse_date(m[0])
            except ValueError:
                continue
    return None


def to_utc(dt: datetime, utc_offset_hours: float | None) -> datetime:
    """Naive UTC. Aware values are converted; naive ones are taken in the given zone."""
    if dt.tzinfo is not None:
        return dt.astimezone(timezone.utc).replace(tzinfo=None)
    if utc_offset_hours:
        return dt - timedelta(hours=utc_offset_hours)
    return dt


def parse_timestamp(raw, day: date | None = None, utc_offset_hours: float | None = None) -> datetime | None:
    """Full timestamps (ISO 8601 with or without zone, "2025-03-04 23:50", "Sep 27 2017 13:06"),
    or a bare time of day ("10:15", "4:19") on ``day``. Returned as naive UTC."""
    if isinstance(raw, datetime):
        return to_utc(raw, utc_offset_hours)
    if isinstance(raw, date):
        return datetime.combine(raw, time())
    if is_blank(raw):
        return None
    text = str(raw).strip()
    iso = text.replace("Z", "+00:00") if re.match(r"^\d{4}-\d\d-\d\d[T ]", text) else None
    if iso:
        try:
            return to_utc(datetime.fromisoformat(iso), utc_offset_hours)
        except ValueError:
            pass
    clock = _TIME.search(text)
    try:
        on = parse_date(text, day)
    except ValueError:
        on = None
    if on is None and clock is None:
        raise ValueError(f"'{raw}' is not a time or timestamp")
    if on is None:
        if day is None:
            raise ValueError(f"'{raw}' is a time of day but the incident date is unknown")
        on = day
    hh, mm = (int(clock[1]), int(clock[2])) if clock else (0, 0)
    if clock and hh < 12 and re.match(r"\s*pm\b", text[clock.end():], re.I):
        hh += 12
    elif clock and hh == 12 and re.match(r"\s*am\b", text[clock.end():], re.I):
        hh = 0
    ss = int(clock[3]) if clock and clock[3] else 0
    if hh > 23 or mm > 59 or ss > 59:
        raise ValueError(f"'{raw}' is not a valid time of day")
    return to_utc(datetime.combine(on, time(hh, mm, ss)), utc_offset_hours)


_ISO_DURATION = re.compile(r"^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$", re.I)
_DURATION_PART = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(days?|jours?|j|d|hours?|heures?|hrs?|h|minutes?|mins?|mn|m|seconds?|secondes?|secs?|s)(?![a-z])",
    re.I)
_UNIT_MINUTES = {"d": 1440, "j": 1440, "h": 60, "m": 1, "s": 1 / 60}


def parse_duration(raw) -> float | None:
    """Minutes, from "1h 20m", "0h 16m", "1d 5h 47m", "45 min", "PT1H20M", "1h20",
    "7h (during support hours 10:00-17:00)" or a bare number of minutes."""
    if is_blank(raw):
        return None
    if isinstance(raw, bool):
        raise ValueError(f"'{raw}' is not a duration")
    if isinstance(raw, (int, float)):
        return float(raw)
    text = re.sub(r"\(.*?\)", " ", str(raw)).strip().lstrip("~≈")
    if re.fullmatch(r"\d+(?:[.,]\d+)?", text):
        return float(text.replace(",", "."))
    if m := _ISO_DURATION.match(text):
        if any(m.groups()):
            d, h, mi, s = (float(g) if g else 0.0 for g in m.groups())
            return d * 1440 + h * 60 + mi + s / 60
    if m := re.fullmatch(r"(\d+)\s*h\s*(\d{1,2})", text, re.I):  # "1h20"
        return int(m[1]) * 60 + int(m[2])
    if m := re.fullmatch(r"(\d+):(\d{2})(?::(\d{2}))?", text):  # "1:20" as h:mm
        return int(m[1]) * 60 + int(m[2]) + (int(m[3]) / 60 if m[3] else 0)
    parts = _DURATION_PART.findall(text)
    if not parts:
        raise ValueError(f"'{raw}' is not a duration (expected e.g. '1h 20m', '45 min' or 'PT1H20M')")
    total = 0.0
    for number, unit in parts:
        total += float(number.replace(",", ".")) * _UNIT_MINUTES[unit[0].casefold()]
    return total


def parse_number(raw, integer: bool = True):
    """Counts and amounts: "~1,200", "1 200", "2 500€", "€3.5k", "12000 (estimate)"."""
    if is_blank(raw):
        return None
    if isinstance(raw, bool):
        raise ValueError(f"'{raw}' is not a number")
    if isinstance(raw, (int, float)):
        return int(raw) if integer else float(raw)
    text = re.sub(r"\(.*?\)", " ", str(raw)).casefold()
    m = re.search(r"(\d[\d\s\u202f\u00a0,.']*)\s*(k|m)?\b", text)
    if not m:
        raise ValueError(f"'{raw}' is not a number")
    digits = re.sub(r"[\s\u202f\u00a0']", "", m[1])
    if re.fullmatch(r"\d{1,3}([,.]\d{3})+", digits):
        digits = re.sub(r"[,.]", "", digits)
    else:
        digits = digits.replace(",", ".")
    try:
        value = float(digits.rstrip("."))
    except ValueError:
        raise ValueError(f"'{raw}' is not a number") from None
    value *= {"k": 1_000, "m": 1_000_000}.get(m[2] or "", 1)
    return int(round(value)) if integer else value


TRUE = {"true", "yes", "y", "oui", "o", "1", "x", "✅", "✔", "vrai"}
FALSE = {"false", "no", "n", "non", "0", "faux", "❌"}


def parse_bool(raw) -> bool | None:
    if isinstance(raw, bool):
        return raw
    if is_blank(raw):
        return None
    if isinstance(raw, (int, float)):
        return bool(raw)
    key = str(raw).strip().casefold()
    if key in TRUE:
        return True
    if key in FALSE:
        return False
    raise ValueError(f"'{raw}' is not yes or no")


def parse_list(raw) -> list[str]:
    """Lists given as YAML/JSON lists or as text separated by commas, semicolons or newlines."""
    if is_blank(raw):
        return []
    if isinstance(raw, (list, tuple)):
        items = [str(x).strip() for x in raw if not is_blank(x)]
    else:
        items = [x.strip() for x in re.split(r"[;,\n]", str(raw))]
    return [x.strip("- ").strip() for x in items if x.strip("- ").strip()]
