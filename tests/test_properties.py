"""Property-based tests (hypothesis) of every field reader in pipeline.values, of the YAML reader, and
of whole JSON, YAML and CSV files: any input gives a value or the documented ValueError (never
another exception), in bounded time, and well-formed values round-trip.

The profiles are tests/conftest.py's: the default is deterministic and quick (200 examples a test),
HYPOTHESIS_PROFILE=fuzz explores 20 times more, at random. Whole Markdown, HTML, Word and tracker
documents are tests/test_document_properties.py's.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import assert_loaded_or_rejected, examples
from pipeline import values, yamlio
from hindsight.config import read_config
from pipeline.config import build
from pipeline.parse import parse_file
from pipeline.values import (find_date, parse_bool, parse_date, parse_duration, parse_list, parse_number,
                             parse_position, parse_timestamp)

# Characters that steer the readers into their patterns: digits, separators, units, months, signs.
SHARP = "0123456789 /.-:,;()hHmMdDjJsSpPtTZz+~≈€k'\u00a0\u202f\néèûa"
MONTH_WORDS = ["Jan", "janvier", "févr.", "Sep", "sept.", "août", "décembre", "May", "er", "th", "le", "pm", "am",
               "min", "heures", "jours", "PT", "k", "N/A", "TBD"]
sharp_text = st.text(alphabet=SHARP, max_size=120)
# Around the length limit (MAX_VALUE_CHARS = 300): read below it, refused above it.
near_limit = st.text(alphabet=SHARP, min_size=295, max_size=305)
word_soup = st.lists(st.one_of(st.sampled_from(MONTH_WORDS), st.integers(0, 100_000).map(str),
                               st.sampled_from([" ", ", ", "/", "-", ":", "."])), max_size=30).map("".join)
any_text = st.one_of(st.text(max_size=120), sharp_text, word_soup, near_limit)
scalars = st.one_of(any_text, st.none(), st.booleans(), st.integers(), st.floats(),
                    st.integers(min_value=-10**400, max_value=10**400))
raw_values = st.one_of(scalars, st.lists(scalars, max_size=5), st.dictionaries(st.text(max_size=5), scalars,
                                                                                max_size=3))
days = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
references = st.dates(min_value=date(2, 1, 1), max_value=date(9998, 12, 31))


def _value_error_or(check, fn, *args):
    """fn(*args) either returns a value that passes ``check``, or raises ValueError."""
    try:
        result = fn(*args)
    except ValueError:
        return
    assert check(result), result


# ---------------------------------------------------------------- any input: a value or ValueError


@given(raw_values, st.one_of(st.none(), references))
def test_parse_date_returns_a_date_or_raises_value_error(raw, reference):
    _value_error_or(lambda d: d is None or isinstance(d, date), parse_date, raw, reference)


@given(raw_values, st.one_of(st.none(), references), st.one_of(st.none(), st.floats(-14, 14)))
def test_parse_timestamp_returns_naive_utc_or_raises_value_error(raw, day, offset):
    _value_error_or(lambda t: t is None or (isinstance(t, datetime) and t.tzinfo is None),
                    parse_timestamp, raw, day, offset)


@given(raw_values)
def test_parse_duration_returns_finite_minutes_or_raises_value_error(raw):
    _value_error_or(lambda m: m is None or (isinstance(m, float) and m == m and abs(m) != float("inf")),
                    parse_duration, raw)


@given(raw_values)
def test_parse_number_returns_a_bigint_count_or_raises_value_error(raw):
    _value_error_or(lambda n: n is None or (type(n) is int and values.BIGINT[0] <= n <= values.BIGINT[1]),
                    parse_number, raw)


@given(raw_values)
def test_parse_number_returns_a_finite_amount_or_raises_value_error(raw):
    _value_error_or(lambda n: n is None or (isinstance(n, float) and n == n and abs(n) != float("inf")),
                    parse_number, raw, False)


@given(raw_values)
def test_parse_position_returns_an_int32_or_raises_value_error(raw):
    _value_error_or(lambda n: n is None or (type(n) is int and 0 <= n <= values.INT32_MAX), parse_position, raw)


@given(raw_values)
def test_parse_bool_returns_a_bool_or_raises_value_error(raw):
    _value_error_or(lambda b: b is None or isinstance(b, bool), parse_bool, raw)


@given(raw_values)
def test_parse_list_never_raises_and_gives_non_empty_strings(raw):
    items = parse_list(raw)
    assert all(isinstance(x, str) and x and x == x.strip() for x in items)


@given(st.one_of(any_text, st.text(max_size=5000)))
def test_find_date_never_raises(text):
    found = find_date(text)
    assert found is None or isinstance(found, date)


# ---------------------------------------------------------------- well-formed values round-trip


@given(days)
def test_iso_date_round_trips(day):
    assert parse_date(day.isoformat()) == day


@given(days)
def test_day_first_numeric_date_round_trips(day):
    # DD/MM/YYYY always reads back: day first, unless the first number cannot be a month... it can.
    assert parse_date(f"{day.day:02d}/{day.month:02d}/{day.year:04d}") == day
    assert parse_date(f"{day.day}.{day.month}.{day.year:04d}") == day


@given(days.filter(lambda d: d.day > 12))
def test_month_first_date_is_read_when_the_day_can_only_be_second(day):
    assert parse_date(f"{day.month:02d}/{day.day:02d}/{day.year:04d}") == day


FRENCH = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre"]
ENGLISH = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
modern = st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31))


@given(modern)
def test_named_month_dates_round_trip_in_french_and_english(day):
    assert parse_date(f"{day.day} {FRENCH[day.month - 1]} {day.year}") == day
    assert parse_date(f"{ENGLISH[day.month - 1]} {day.day}, {day.year}") == day
    assert find_date(f"Panne du {day.day} {FRENCH[day.month - 1]} {day.year} (API)") == day


@given(modern, st.sampled_from(["Post-mortem {} api", "incident_{}.md", "{}-outage.json"]))
def test_find_date_finds_an_iso_date_anywhere(day, template):
    assert find_date(template.format(day.isoformat())) == day


@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
       st.integers(-14 * 60, 14 * 60))
def test_iso_timestamp_with_an_offset_round_trips_to_utc(moment, offset_minutes):
    aware = moment.replace(tzinfo=timezone(timedelta(minutes=offset_minutes)))
    expected = moment - timedelta(minutes=offset_minutes)
    assert parse_timestamp(aware.isoformat()) == expected


@given(st.integers(0, 10_000), st.integers(0, 59))
def test_durations_round_trip(hours, minutes):
    total = hours * 60 + minutes
    assert parse_duration(f"{hours}h {minutes}m") == total
    assert parse_duration(f"PT{hours}H{minutes}M") == total
    assert parse_duration(total) == total


@given(st.integers(0, values.BIGINT[1]))
def test_counts_round_trip_in_every_grouping(n):
    assert parse_number(str(n)) == n
    assert parse_number(f"{n:,}") == n
    assert parse_number(f"{n:,}".replace(",", " ")) == n
    assert parse_number(f"~{n:,} (estimate)".replace(",", "\u202f")) == n


@given(st.integers(values.BIGINT[1] + 1, 10**290))
def test_counts_beyond_bigint_are_refused(n):
    for raw in (n, str(n)):
        try:
            parse_number(raw)
        except ValueError as exc:
            assert "too large" in str(exc)
        else:
            raise AssertionError(f"{raw!r} was accepted")


@given(st.integers(0, values.INT32_MAX))
def test_positions_round_trip(n):
    assert parse_position(str(n)) == n


list_item = st.text(alphabet="abcXYZé@._ 019", min_size=1, max_size=16).map(str.strip).filter(bool)


@given(st.lists(list_item, max_size=8))
def test_lists_round_trip_through_text(items):
    assert parse_list(", ".join(items)) == items
    assert parse_list(items) == items


# ---------------------------------------------------------------- the YAML reader


@given(st.one_of(st.text(max_size=400), st.text(alphabet="&*[]{}:-!|>'\"#\n ab1", max_size=400)))
def test_yaml_reader_returns_a_value_or_raises_yaml_error(text):
    for loader in {yamlio.Loader, yamlio.PythonLoader}:
        try:
            yamlio.load_all(text, loader=loader)
        except yamlio.YamlError as exc:
            assert exc.line is None or exc.line >= 1


# Printable text: PyYAML's dumper itself does not round-trip control characters or NEL/LS/PS breaks.
printable = st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc", "Zl", "Zp"]), max_size=30)
json_like = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-2**63, 2**63 - 1), st.floats(allow_nan=False), printable),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(printable, inner, max_size=4)),
    max_leaves=10)


@given(json_like)
def test_yaml_round_trips_what_safe_dump_writes(data):
    text = yaml.safe_dump(data, allow_unicode=True)
    for loader in {yamlio.Loader, yamlio.PythonLoader}:
        assert yamlio.load(text, loader=loader) == data


# ---------------------------------------------------------------- whole files: loaded or rejected with a reason

CONFIG = build(read_config())
document_text = st.one_of(st.text(max_size=2000), st.text(alphabet="{}[]\":,0123456789-abc\n &*:", max_size=2000),
                          json_like.map(json.dumps), json_like.map(lambda d: yaml.safe_dump(d, allow_unicode=True)))


@settings(max_examples=examples(100))
@given(st.sampled_from(["pm.json", "pm.yaml", "pm.csv"]), document_text)
def test_any_structured_or_csv_file_is_loaded_or_rejected_with_a_reason(name, text):
    assert_loaded_or_rejected(parse_file(name, text.encode("utf-8", "surrogatepass"), CONFIG))
