"""Single-value readers (pipeline.values): durations, dates, numbers, timestamps."""

import re
from datetime import date, datetime

import pytest

from conftest import cpu_time
from pipeline import values
from pipeline.values import (find_date, parse_bool, parse_date, parse_duration, parse_number, parse_position,
                             parse_timestamp)


# --- durations (minutes) -------------------------------------------------------------------

@pytest.mark.parametrize("raw, minutes", [
    ("1h 20m", 80.0),
    ("0h 16m", 16.0),
    ("1d 5h 47m", 1787.0),           # 1440 + 300 + 47
    ("45 min", 45.0),
    ("PT1H20M", 80.0),
    ("1h20", 80.0),
    ("7h (during support hours 10:00-17:00)", 420.0),
    (90, 90.0),
    (12.5, 12.5),
    ("90", 90.0),
])
def test_duration_forms_are_read_as_minutes(raw, minutes):
    assert parse_duration(raw) == minutes


@pytest.mark.parametrize("raw", [None, "", "N/A", "-"])
def test_duration_absent_is_none(raw):
    assert parse_duration(raw) is None


@pytest.mark.parametrize("raw", ["soon", "about an hour", "PT"])
def test_duration_bad_text_raises_value_error(raw):
    with pytest.raises(ValueError):
        parse_duration(raw)


# --- dates -----------------------------------------------------------------------------------

def test_date_iso():
    assert parse_date("2024-01-15") == date(2024, 1, 15)


def test_date_day_first_slashes():
    assert parse_date("15/01/2024") == date(2024, 1, 15)


def test_date_ambiguous_slashes_read_day_first():
    assert parse_date("03/04/2024") == date(2024, 4, 3)


def test_date_named_month():
    assert parse_date("Sep 27 2017") == date(2017, 9, 27)


def test_date_yearless_takes_reference_year():
    assert parse_date("01/20", date(2024, 1, 15)) == date(2024, 1, 20)


def test_date_yearless_rolls_over_to_next_year():
    # Reviewed in late December: "01/05" is the coming January.
    assert parse_date("01/05", date(2024, 12, 20)) == date(2025, 1, 5)


def test_date_yearless_without_reference_raises():
    with pytest.raises(ValueError):
        parse_date("01/20")


@pytest.mark.parametrize("raw", ["31/02/2024", "2024-13-01", "next tuesday"])
def test_date_bad_text_raises_value_error(raw):
    with pytest.raises(ValueError):
        parse_date(raw)


@pytest.mark.parametrize("raw", [None, "", "N/A", "TBD"])
def test_date_absent_is_none(raw):
    assert parse_date(raw) is None


# --- numbers ---------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, value", [
    ("~1,200", 1200),
    ("1 200", 1200),
    ("12000 (estimate)", 12000),
    ("45 000", 45000),
    (320, 320),
])
def test_counts(raw, value):
    assert parse_number(raw) == value


def test_amount_with_space_and_euro_sign():
    assert parse_number("2 500€", integer=False) == 2500.0


def test_amount_with_k_suffix():
    assert parse_number("€3.5k", integer=False) == 3500.0


@pytest.mark.parametrize("raw", ["N/A", "", None, "-"])
def test_number_not_applicable_is_none(raw):
    assert parse_number(raw) is None


def test_number_bad_text_raises_value_error():
    with pytest.raises(ValueError):
        parse_number("many")


# --- timestamps (stored as naive UTC) --------------------------------------------------------

def test_timestamp_with_positive_offset_is_two_hours_earlier():
    assert parse_timestamp("2024-03-10T10:15:00+02:00") == datetime(2024, 3, 10, 8, 15)


def test_timestamp_with_offset_can_change_the_day():
    assert parse_timestamp("2024-03-10T00:30:00+02:00") == datetime(2024, 3, 9, 22, 30)


def test_timestamp_with_negative_offset():
    assert parse_timestamp("2024-03-10T20:00:00-05:00") == datetime(2024, 3, 11, 1, 0)


def test_timestamp_zulu():
    assert parse_timestamp("2024-03-10T10:15:00Z") == datetime(2024, 3, 10, 10, 15)


def test_timestamp_without_zone_is_taken_as_utc():
    assert parse_timestamp("2024-03-10 23:50") == datetime(2024, 3, 10, 23, 50)


def test_time_of_day_on_the_incident_date():
    assert parse_timestamp("10:15", date(2024, 3, 10)) == datetime(2024, 3, 10, 10, 15)


def test_time_of_day_in_a_stated_zone_is_converted():
    assert parse_timestamp("10:15", date(2024, 3, 10), 1) == datetime(2024, 3, 10, 9, 15)


def test_time_of_day_without_a_date_raises():
    with pytest.raises(ValueError):
        parse_timestamp("10:15")


def test_timestamp_garbage_raises():
    with pytest.raises(ValueError):
        parse_timestamp("after lunch")


# --- dates with month names, read by dateutil (English and French) --------------------------

@pytest.mark.parametrize("raw, expected", [
    ("Jan 15, 2024", date(2024, 1, 15)),
    ("January 15th, 2024", date(2024, 1, 15)),
    ("15th January 2024", date(2024, 1, 15)),
    ("15 janvier 2024", date(2024, 1, 15)),
    ("1er février 2024", date(2024, 2, 1)),
    ("27 sept. 2017", date(2017, 9, 27)),
    ("3 août 2023", date(2023, 8, 3)),
    ("15 déc. 2024", date(2024, 12, 15)),
    ("le 15 janvier 2024 (estimé)", date(2024, 1, 15)),
])
def test_date_named_months_in_english_and_french(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["31 février 2024", "January 2024", "Jan 15", "15 brumaire 2024"])
def test_date_named_month_without_a_whole_real_date_raises(raw):
    # No default is filled in from today: a day, a month and a four-digit year, or a warning.
    with pytest.raises(ValueError):
        parse_date(raw)


@pytest.mark.parametrize("raw, expected", [
    ("12/31/2024", date(2024, 12, 31)),   # the day can only be second: month first
    ("31/12/2024", date(2024, 12, 31)),
    ("15-01-2024", date(2024, 1, 15)),
    ("03.04.24", date(2024, 4, 3)),
])
def test_date_numeric_forms_keep_the_day_first_rule(raw, expected):
    assert parse_date(raw) == expected


def test_timestamp_with_a_named_month_and_a_time():
    assert parse_timestamp("Sep 27 2017 13:06") == datetime(2017, 9, 27, 13, 6)
    assert parse_timestamp("15 janvier 2024 14h05") == datetime(2024, 1, 15, 14, 5)


def test_timestamp_that_leaves_the_calendar_in_utc_is_a_value_error():
    # 00:30 on 1 January of year 1 at UTC+01:00 is before year 1 in UTC.
    with pytest.raises(ValueError, match="out of range"):
        parse_timestamp("0001-01-01T00:30:00+01:00")


@pytest.mark.parametrize("text", [
    "Post-mortem: API down on 2024-01-15",
    "Panne API du 15/01/2024",
    "Checkout outage - Jan 15, 2024",
    "Panne du 15 janvier 2024",
    "2024-01-15-api-down.md",
    "panne-api-15-01-2024.md",
    "panne-api-15.01.2024.md",
    "Checkout outage Jan 15, 2024.md",
    "checkout_outage_jan_15_2024.md",
    "panne-15-janvier-2024.md",
])
def test_find_date_in_titles_and_file_names(text):
    assert find_date(text) == date(2024, 1, 15)


@pytest.mark.parametrize("text", ["pm-12-05-24.md", "5 services down in March 2024", "no date at all",
                                  "31 février 2024"])
def test_find_date_finds_nothing_rather_than_guessing(text):
    assert find_date(text) is None


# --- ranges: what the database can hold ------------------------------------------------------

BIGINT_MAX = 9_223_372_036_854_775_807  # 2**63 - 1


@pytest.mark.parametrize("raw", [10**30, "1" + "0" * 400, BIGINT_MAX + 1, "9223372036854775808",
                                 float("inf"), 1e30, 10**5000], ids=lambda v: f"{type(v).__name__}-{len(repr(v)) if not isinstance(v, int) else v.bit_length()}")
def test_count_beyond_bigint_is_a_value_error(raw):
    with pytest.raises(ValueError, match="too large|too long"):
        parse_number(raw)


def test_count_at_the_bigint_limit_is_kept_exactly():
    assert parse_number(BIGINT_MAX) == BIGINT_MAX
    assert parse_number(str(BIGINT_MAX)) == BIGINT_MAX


@pytest.mark.parametrize("raw", ["1" + "0" * 400, float("inf"), 10**400])
def test_amount_must_be_finite(raw):
    with pytest.raises(ValueError, match="too large|too long"):
        parse_number(raw, integer=False)


@pytest.mark.parametrize("raw", [10**400, 1e305, float("inf")])
def test_duration_must_be_finite(raw):
    with pytest.raises(ValueError):
        parse_duration(raw)


@pytest.mark.parametrize("raw, expected", [("3", 3), (" 12 ", 12), ("2147483647", 2_147_483_647), ("", None)])
def test_position(raw, expected):
    assert parse_position(raw) == expected


@pytest.mark.parametrize("raw", ["99999999999", "2147483648", "-1", "2.5", "²", "٣", "first"])
def test_position_outside_integer_or_not_a_whole_number_is_a_value_error(raw):
    with pytest.raises(ValueError, match="not a position"):
        parse_position(raw)


# --- bounded: long values are refused, quickly --------------------------------------------------

READERS = [parse_date, parse_timestamp, parse_duration, parse_number, parse_bool, parse_position]
# Issue 9's quadratic inputs (6.7 s, 5.5 s and 20.8 s before), and more of the same kind, at 1 MB.
MEGABYTE_INPUTS = {
    "digit, spaces, bang": "1" + " " * 1_000_000 + "!",
    "open parentheses": "(" * 1_000_000,
    "accented letters": "é" * 1_000_000,
    "digits then a letter": "1" * 1_000_000 + "x",
    "digit-space pairs": "1 " * 500_000,
    "month names": "Jan " * 250_000,
    "clock-like": "1:1" * 333_333,
}


@pytest.mark.parametrize("reader", READERS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("name", MEGABYTE_INPUTS)
def test_a_megabyte_value_is_refused_in_under_two_seconds(reader, name):
    def refused():
        with pytest.raises(ValueError, match="too long"):
            reader(MEGABYTE_INPUTS[name])
    _, elapsed = cpu_time(refused)
    assert elapsed < 2  # generous: quadratic patterns took minutes here


def test_a_value_at_the_length_limit_is_still_read():
    assert parse_date("2024-01-15".ljust(values.MAX_VALUE_CHARS)) == date(2024, 1, 15)


@pytest.mark.parametrize("name", MEGABYTE_INPUTS)
def test_find_date_on_a_megabyte_title_is_fast(name):
    found, elapsed = cpu_time(find_date, MEGABYTE_INPUTS[name])
    assert found is None
    assert elapsed < 2


PATTERNS = {name: p for name, p in vars(values).items() if isinstance(p, re.Pattern)}


@pytest.mark.parametrize("pattern", sorted(PATTERNS))
@pytest.mark.parametrize("name", MEGABYTE_INPUTS)
def test_every_pattern_is_linear_even_past_the_length_limit(pattern, name):
    # The length limit bounds the work; the patterns must not need it. A quarter of each 1 MB input
    # (256 KB) is searched in full by each pattern of pipeline.values: a linear pattern takes well
    # under a second, a quadratic one ((256k)² steps) takes hours.
    _, elapsed = cpu_time(PATTERNS[pattern].search, MEGABYTE_INPUTS[name][:2**18])
    assert elapsed < 2
