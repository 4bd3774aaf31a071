"""Reading single values: dates, timestamps, durations, counts, booleans, lists.

Each reader returns the value, or None when the text is empty or a known
"not applicable" word. Text that is present but unreadable raises ValueError
with a message meant for a person; callers turn it into a warning.

Every reader refuses a value longer than MAX_VALUE_CHARS before looking at it, and
every pattern below is linear (bounded or possessive repeats, no scan that restarts
at each position), so no value can make parsing slow. Numbers are range-checked for
the database: a count fits BIGINT, a position INTEGER, an amount or duration is finite.
"""

from __future__ import annotations

import functools
import math
import re
from datetime import date, datetime, time, timedelta, timezone

from dateutil import parser as dateutil_parser

NOT_APPLICABLE = {"", "-", "--", "—", "n/a", "na", "n.a.", "none", "null", "nan", "aucun", "aucune",
                  "néant", "neant", "tbd", "?", "unknown", "inconnu", "non applicable"}

# A date, a count or a duration fits in far fewer characters; a longer value is a paste gone wrong.
MAX_VALUE_CHARS = 300
# find_date looks for a date in the first characters of a title or file name only.
MAX_SEARCH_CHARS = 1000
BIGINT = (-2**63, 2**63 - 1)
_REMEMBERED = 1 << 16  # answers a value reader keeps: a few MB at most
# Case-folding never shortens a text, so a longer one is none of NOT_APPLICABLE.
_LONGEST_NOT_APPLICABLE = max(map(len, NOT_APPLICABLE))
INT32_MAX = 2**31 - 1


def is_blank(raw) -> bool:
    if raw is None:
        return True
    if raw.__class__ is str:  # most values: a longer text is not worth case-folding
        text = raw.strip()
        return len(text) <= _LONGEST_NOT_APPLICABLE and text.casefold() in NOT_APPLICABLE
    if isinstance(raw, float) and raw != raw:  # NaN from a CSV reader
        return True
    return isinstance(raw, str) and raw.strip().casefold() in NOT_APPLICABLE


def remembered(reader):
    """A value reader that remembers its answers for text: a corpus writes the same dates, times and
    durations thousands of times ("2024-03-01", "10:15", "1h 20m"), each read once here. Answers are
    immutable (dates, numbers, None); a refusal (ValueError) is not remembered, so its message is made
    again. Other values (numbers, lists) are read every time."""
    cache: dict = {}

    @functools.wraps(reader)
    def read(raw, *args, **options):
        if raw.__class__ is not str:
            return reader(raw, *args, **options)
        key = (raw, args, tuple(options.items()))
        try:
            return cache[key]
        except KeyError:
            pass
        value = reader(raw, *args, **options)
        if len(cache) >= _REMEMBERED:
            cache.clear()
        cache[key] = value
        return value

    return read


def _quoted(raw) -> str:
    """The value as messages show it: quoted, and cut when long."""
    if isinstance(raw, int) and not isinstance(raw, bool) and abs(raw) >= 10**60:
        return f"a number of about {int(abs(raw).bit_length() * 0.30103) + 1} digits"
    text = str(raw)
    return f"'{text}'" if len(text) <= 80 else f"'{text[:77]}…' ({len(text):,} characters)"


def _bounded(raw, what: str) -> str:
    text = str(raw).strip()
    if len(text) > MAX_VALUE_CHARS:
        raise ValueError(f"{_quoted(text)} is too long for {what} (at most {MAX_VALUE_CHARS} characters); "
                         "not read")
    return text


class _DateWords(dateutil_parser.parserinfo):
    """dateutil's words, plus the French month names and "1er"; only whole dates are accepted."""

    MONTHS = [("Jan", "January", "janv", "janvier"),
              ("Feb", "February", "fev", "fév", "fevr", "févr", "fevrier", "février"),
              ("Mar", "March", "mars"),
              ("Apr", "April", "avr", "avril"),
              ("May", "mai"),
              ("Jun", "June", "juin"),
              ("Jul", "July", "juil", "juillet"),
              ("Aug", "August", "aou", "aoû", "aout", "août"),
              ("Sep", "Sept", "September", "septembre"),
              ("Oct", "October", "octobre"),
              ("Nov", "November", "novembre"),
              ("Dec", "December", "déc", "decembre", "décembre")]
    JUMP = [*dateutil_parser.parserinfo.JUMP, "er"]

    def validate(self, res) -> bool:
        # A day, a month and a four-digit year, or no date: dateutil would fill gaps from today.
        return (super().validate(res) and None not in (res.year, res.month, res.day)
                and res.century_specified)


_DATEUTIL = dateutil_parser.parser(_DateWords(dayfirst=True))
_DEFAULT = datetime(2000, 1, 1)  # never used for a field (validate asks for all three)


def month_of(word: str) -> int | None:
    """1..12 for a month's name or abbreviation in English or French ("Jan", "janv", "févr"), else None."""
    return _DATEUTIL.info.month(word)


_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
# DD/MM/YYYY, DD.MM.YY, and DD-MM-YYYY (a four-digit year only: "12-05-24" is more often an id).
_NUM_DATE = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})\b|(?<!\d)(\d{1,2})-(\d{1,2})-(\d{4})(?!\d)")
_YEARLESS = re.compile(r"^(\d{1,2})/(\d{1,2})$")
# "15 janvier 2024", "1er févr. 2024", "Jan 15, 2024", "Sep 27 2017": located here, read by dateutil.
_NAMED = re.compile(r"(?<!\d)\d{1,2}(?:st|nd|rd|th|er)?\s{1,3}(?P<m1>[^\W\d_]{3,9})\.?,?\s{1,3}\d{4}(?!\d)"
                    r"|(?<![^\W\d_])(?P<m2>[^\W\d_]{3,9})\.?\s{1,3}\d{1,2}(?:st|nd|rd|th)?,?\s{1,3}\d{4}(?!\d)",
                    re.I)


def _mkdate(y: int, m: int, d: int, raw) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        raise ValueError(f"{_quoted(raw)} is not a real date") from None


@functools.lru_cache(maxsize=4096)
def _named_date(span: str) -> date:
    """A date written with a month name, as located by _NAMED; ValueError when it is not one."""
    try:
        return _DATEUTIL.parse(span, default=_DEFAULT).date()
    except (ValueError, OverflowError):
        raise ValueError(f"'{span}' is not a real date") from None


def _named_dates(text: str):
    for m in _NAMED.finditer(text):
        if _DATEUTIL.info.month(m["m1"] or m["m2"]):
            yield m[0]


@remembered
def parse_date(raw, reference: date | None = None) -> date | None:
    """ISO 8601, DD/MM/YYYY (MM/DD/YYYY when the day can only be second), named months in English
    or French, and tracker dates without a year ("01/20", month first as in the template's tracker),
    which take the year that puts them closest after ``reference``."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if is_blank(raw):
        return None
    text = _bounded(raw, "a date")
    if len(text) == 10 and text[4] == text[7] == "-":
        try:  # the common case, without a regular expression
            return date.fromisoformat(text)
        except ValueError:
            pass
    if m := _ISO_DATE.search(text):
        return _mkdate(int(m[1]), int(m[2]), int(m[3]), raw)
    if m := _NUM_DATE.search(text):
        a, b, year = m.groups()[:3] if m[1] else m.groups()[3:]
        a, b, y = int(a), int(b), int(year) + (2000 if len(year) == 2 else 0)
        day, month = (b, a) if a <= 12 < b else (a, b)
        return _mkdate(y, month, day, raw)
    if m := _YEARLESS.match(text):
        return _yearless(int(m[1]), int(m[2]), reference, raw)
    if span := next(_named_dates(text), None):
        return _named_date(span)
    raise ValueError(f"{_quoted(raw)} is not a date (expected YYYY-MM-DD or DD/MM/YYYY)")


def _yearless(month: int, day: int, reference: date | None, raw) -> date:
    if reference is None:
        raise ValueError(f"{_quoted(raw)} has no year and there is no incident date to take it from")
    if month > 12 >= day:
        month, day = day, month
    candidate = _mkdate(reference.year, month, day, raw)
    if candidate < reference - timedelta(days=60):
        candidate = _mkdate(reference.year + 1, month, day, raw)
    return candidate


def find_date(text: str) -> date | None:
    """The first date written in a title or a file name (its first MAX_SEARCH_CHARS), or None."""
    text = text[:MAX_SEARCH_CHARS]
    for pattern in (_ISO_DATE, _NUM_DATE):
        if m := pattern.search(text):
            try:
                return parse_date(m[0])
            except ValueError:
                pass
    for span in _named_dates(text.replace("_", " ").replace("-", " ")):  # "outage_jan_15_2024.md"
        try:
            return _named_date(span)
        except ValueError:
            pass
    return None


def to_utc(dt: datetime, utc_offset_hours: float | None) -> datetime:
    """Naive UTC. Aware values are converted; naive ones are taken in the given zone."""
    try:
        if dt.tzinfo is not None:
            return dt.astimezone(timezone.utc).replace(tzinfo=None)
        if utc_offset_hours:
            return dt - timedelta(hours=utc_offset_hours)
    except OverflowError:  # the first or last hours of year 1 or 9999
        raise ValueError(f"'{dt.isoformat()}' is out of range once converted to UTC") from None
    return dt


_ISO_STAMP = re.compile(r"\d{4}-\d\d-\d\d[T ]")
_TIME = re.compile(r"(?<![\d:])(\d{1,2})[:h](\d{2})(?::(\d{2})(?:\.\d+)?)?(?![\d])")
_PM, _AM = re.compile(r"\s{0,3}pm\b", re.I), re.compile(r"\s{0,3}am\b", re.I)


@remembered
def parse_timestamp(raw, day: date | None = None, utc_offset_hours: float | None = None) -> datetime | None:
    """Full timestamps (ISO 8601 with or without zone, "2025-03-04 23:50", "Sep 27 2017 13:06"),
    or a bare time of day ("10:15", "4:19") on ``day``. Returned as naive UTC."""
    if isinstance(raw, datetime):
        return to_utc(raw, utc_offset_hours)
    if isinstance(raw, date):
        return datetime.combine(raw, time())
    if is_blank(raw):
        return None
    text = _bounded(raw, "a timestamp")
    if _ISO_STAMP.match(text):
        try:
            stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            stamp = None
        if stamp is not None:
            return to_utc(stamp, utc_offset_hours)
    clock = _TIME.search(text)
    try:
        on = parse_date(text, day)
    except ValueError:
        on = None
    if on is None and clock is None:
        raise ValueError(f"{_quoted(raw)} is not a time or timestamp")
    if on is None:
        if day is None:
            raise ValueError(f"{_quoted(raw)} is a time of day but the incident date is unknown")
        on = day
    return to_utc(datetime.combine(on, _time_of_day(clock, text, raw)), utc_offset_hours)


def _time_of_day(clock: re.Match | None, text: str, raw) -> time:
    if clock is None:
        return time()
    hh, mm, ss = int(clock[1]), int(clock[2]), int(clock[3] or 0)
    if hh < 12 and _PM.match(text, clock.end()):
        hh += 12
    elif hh == 12 and _AM.match(text, clock.end()):
        hh = 0
    if hh > 23 or mm > 59 or ss > 59:
        raise ValueError(f"{_quoted(raw)} is not a valid time of day")
    return time(hh, mm, ss)


# Text in parentheses is a comment ("7h (during support hours)"); [^()]* stops at the next
# parenthesis, so a run of "(((" costs one step each instead of a scan to the end.
_PARENS = re.compile(r"\([^()]*\)")
_ISO_DURATION = re.compile(r"^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$", re.I)
# (?<!\d): a part starts at the first digit of a number, never again inside it; possessive repeats
# (++, *+): what follows a number cannot be a digit, so giving digits back would only waste steps.
_DURATION_PART = re.compile(
    r"(?<!\d)(\d++(?:[.,]\d++)?+)\s*+(days?|jours?|j|d|hours?|heures?|hrs?|h|minutes?|mins?|mn|m|seconds?|secondes?|secs?|s)(?![a-z])",
    re.I)
_UNIT_MINUTES = {"d": 1440, "j": 1440, "h": 60, "m": 1, "s": 1 / 60}


@remembered
def parse_duration(raw) -> float | None:
    """Minutes, from "1h 20m", "0h 16m", "1d 5h 47m", "45 min", "PT1H20M", "1h20",
    "7h (during support hours 10:00-17:00)" or a bare number of minutes."""
    if is_blank(raw):
        return None
    if isinstance(raw, bool):
        raise ValueError(f"'{raw}' is not a duration")
    if isinstance(raw, (int, float)):
        minutes = float(raw) if abs(raw) < 1e300 else math.inf
    else:
        minutes = _duration_text(_bounded(raw, "a duration"), raw)
    if not math.isfinite(minutes):
        raise ValueError(f"{_quoted(raw)} is too large for a duration")
    return minutes


def _duration_text(text: str, raw) -> float:
    text = _PARENS.sub(" ", text).strip().lstrip("~≈")
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
        raise ValueError(f"{_quoted(raw)} is not a duration (expected e.g. '1h 20m', '45 min' or 'PT1H20M')")
    return sum(float(number.replace(",", ".")) * _UNIT_MINUTES[unit[0].casefold()] for number, unit in parts)


# A number starts at a digit that does not continue one, takes digits and separators (a space
# only between digits) without giving them back, then an optional k/m multiplier.
_NUMBER = re.compile(r"(?<![\d,.'])(?<!\d\s)(\d(?:[\d,.']|\s(?=\d))*+)\s*([km])?(?!\w)")


def parse_number(raw, integer: bool = True):
    """Counts and amounts: "~1,200", "1 200", "2 500€", "€3.5k", "12000 (estimate)".
    A count must fit the database's BIGINT and an amount be finite, or ValueError."""
    if is_blank(raw):
        return None
    if isinstance(raw, bool):
        raise ValueError(f"'{raw}' is not a number")
    if isinstance(raw, (int, float)):
        value = raw
    else:
        value = _number_text(_bounded(raw, "a number"), raw, integer)
    if not integer or isinstance(value, float):
        value = float(value) if abs(value) < 1e300 else math.inf  # float() of a huge int would raise
        if not math.isfinite(value):
            raise ValueError(f"{_quoted(raw)} is too large for a number")
        if not integer:
            return value
        value = int(round(value))
    if not BIGINT[0] <= value <= BIGINT[1]:
        raise ValueError(f"{_quoted(raw)} is too large for a count (at most {BIGINT[1]:,})")
    return value


def _number_text(text: str, raw, integer: bool) -> int | float:
    m = _NUMBER.search(_PARENS.sub(" ", text).casefold())
    if not m:
        raise ValueError(f"{_quoted(raw)} is not a number")
    digits = re.sub(r"[\s']", "", m[1])
    if re.fullmatch(r"\d{1,3}(?:[,.]\d{3})+", digits):
        digits = re.sub(r"[,.]", "", digits)
    else:
        digits = digits.replace(",", ".").rstrip(".")
    scale = {"k": 1_000, "m": 1_000_000}.get(m[2] or "", 1)
    if integer and digits.isdigit():
        return int(digits) * scale  # exact, however many digits
    try:
        return float(digits) * scale
    except ValueError:
        raise ValueError(f"{_quoted(raw)} is not a number") from None


def parse_position(raw) -> int | None:
    """An action's position in its list: a whole number the database's INTEGER holds."""
    if is_blank(raw):
        return None
    text = _bounded(raw, "a position")
    if not (text.isascii() and text.isdigit()) or len(text) > 10 or int(text) > INT32_MAX:
        raise ValueError(f"{_quoted(raw)} is not a position (a whole number from 0 to {INT32_MAX:,})")
    return int(text)


TRUE = {"true", "yes", "y", "oui", "o", "1", "x", "✅", "✔", "vrai"}
FALSE = {"false", "no", "n", "non", "0", "faux", "❌"}


def parse_bool(raw) -> bool | None:
    if isinstance(raw, bool):
        return raw
    if is_blank(raw):
        return None
    if isinstance(raw, (int, float)):
        return bool(raw)
    key = _bounded(raw, "yes or no").casefold()
    if key in TRUE:
        return True
    if key in FALSE:
        return False
    raise ValueError(f"{_quoted(raw)} is not yes or no")


def parse_list(raw) -> list[str]:
    """Lists given as YAML/JSON lists or as text separated by commas, semicolons or newlines.
    Never raises: any text is a list of its parts (one linear split)."""
    if is_blank(raw):
        return []
    if isinstance(raw, (list, tuple)):
        items = [str(x).strip() for x in raw if not is_blank(x)]
    else:
        items = [x.strip() for x in re.split(r"[;,\n]", str(raw))]
    return [x.strip("- ").strip() for x in items if x.strip("- ").strip()]


# The currencies an amount names, by symbol or word; a three-letter code is taken as written when it is
# one of these (a bare "k" or "USD-ish" word is not a currency).
_CURRENCY_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY", "₹": "INR", "₣": "CHF"}
_CURRENCY_CODES = {"EUR", "USD", "GBP", "CHF", "CAD", "AUD", "NZD", "JPY", "CNY", "INR", "SEK", "NOK", "DKK",
                   "PLN", "CZK", "BRL", "MXN", "SGD", "HKD", "ZAR"}
_CURRENCY_WORDS = {"euro": "EUR", "euros": "EUR", "dollar": "USD", "dollars": "USD", "pound": "GBP",
                   "pounds": "GBP", "livres": "GBP", "francs": "CHF", "yen": "JPY"}
_CURRENCY_WORD = re.compile(r"[A-Za-z]+")


def parse_currency(raw) -> str | None:
    """The ISO 4217 code an amount names: "5300€", "€3.5k", "USD 1,200", "1 200 euros" → EUR, EUR, USD,
    EUR; None for a bare number or an unknown word. "US$"/"CA$" name their dollar."""
    if is_blank(raw) or isinstance(raw, (bool, int, float)):
        return None
    text = _bounded(raw, "an amount")
    for word in _CURRENCY_WORD.findall(text):
        if word.upper() in _CURRENCY_CODES and (word.isupper() or len(text.split()) > 1):
            return word.upper()
        if word.casefold() in _CURRENCY_WORDS:
            return _CURRENCY_WORDS[word.casefold()]
    if "CA$" in text or "C$" in text:
        return "CAD"
    if "A$" in text:
        return "AUD"
    return next((code for symbol, code in _CURRENCY_SYMBOLS.items() if symbol in text), None)


_BLOCKED_BY = re.compile(r"(?:blocked|bloqu[ée]e?s?)\s+(?:by|par)\s+(\S.*)", re.I)


def blocked_reason(status_text: str) -> str | None:
    """What a status cell says blocks the action: "⛔ Blocked by the network team" → "the network team",
    "Bloqué par la validation juridique (depuis le 12/03)" → "la validation juridique (depuis le 12/03)"."""
    if not status_text or len(status_text) > MAX_VALUE_CHARS:  # a long cell was warned about as a status
        return None
    m = _BLOCKED_BY.search(status_text)
    return (m[1].strip() or None) if m else None
