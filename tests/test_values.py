"""Single-value readers (pipeline.values): durations, dates, numbers, timestamps."""

from datetime import date, datetime

import pytest

from pipeline.values import parse_date, parse_duration, parse_number, parse_timestamp


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
