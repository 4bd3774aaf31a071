"""Value readers remember their answers for text (pipeline/values.py `remembered`) and the configuration
remembers headings and vocabulary words (Config.answers): the same answer the second time, arguments part
of the key, refusals not remembered, and a bound on what is kept."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from hindsight.config import read_config
from pipeline import values
from pipeline.config import build
from pipeline.values import is_blank, parse_date, parse_duration, parse_timestamp


def test_the_reference_day_and_the_zone_are_part_of_what_is_remembered():
    assert parse_timestamp("10:15", date(2024, 1, 2)) == datetime(2024, 1, 2, 10, 15)
    assert parse_timestamp("10:15", date(2024, 1, 3)) == datetime(2024, 1, 3, 10, 15)
    assert parse_timestamp("2024-01-01 10:00", None, 2) == datetime(2024, 1, 1, 8, 0)
    assert parse_timestamp("2024-01-01 10:00") == datetime(2024, 1, 1, 10, 0)
    assert parse_timestamp("2024-01-01 10:00", utc_offset_hours=-1) == datetime(2024, 1, 1, 11, 0)
    # "01/20" has no year: the one that puts it closest after the reference.
    assert parse_date("01/20", date(2023, 12, 30)) == date(2024, 1, 20)
    assert parse_date("01/20", date(2024, 1, 5)) == date(2024, 1, 20)
    assert parse_date("01/20", date(2021, 12, 1)) == date(2022, 1, 20)


def test_a_refusal_is_made_again_each_time_not_remembered():
    for _ in range(2):
        with pytest.raises(ValueError, match="'someday' is not a date"):
            parse_date("someday")
        with pytest.raises(ValueError, match="is a time of day but the incident date is unknown"):
            parse_timestamp("10:15")
    assert parse_timestamp("10:15", date(2024, 5, 1)) == datetime(2024, 5, 1, 10, 15)


def test_values_that_are_not_text_are_read_each_time():
    assert parse_duration(90) == 90.0
    assert parse_duration(90.5) == 90.5
    assert parse_duration("1h 30m") == 90.0
    assert parse_date(datetime(2024, 1, 2, 3, 4)) == date(2024, 1, 2)


def test_answers_stay_right_when_what_is_kept_is_emptied(monkeypatch):
    monkeypatch.setattr(values, "_REMEMBERED", 10)
    cache = next(cell.cell_contents for cell in parse_date.__closure__ if isinstance(cell.cell_contents, dict))
    for day in range(1, 29):  # 28 answers through a cache of 10: emptied and refilled
        assert parse_date(f"2023-02-{day:02d}") == date(2023, 2, day)
        assert len(cache) <= 10
    assert parse_date("2023-02-03") == date(2023, 2, 3)


def test_blank_words_and_long_texts():
    assert is_blank("  N/A  ") and is_blank("Non applicable") and is_blank("") and is_blank(None)
    assert is_blank(float("nan"))
    assert not is_blank("n/a " + "x" * 20) and not is_blank("Disk full") and not is_blank(0)


def test_the_configuration_remembers_headings_and_words_by_their_vocabulary():
    cfg = build(read_config())
    assert cfg.section_of("Timeline (UTC)") == cfg.section_of("Timeline") == "timeline"
    assert cfg.normalize("status", "✅ Done") == "done"
    assert cfg.normalize("priority", "High") == "high"
    assert cfg.normalize("status", "High") is None  # the word is known, but not in this vocabulary
    assert cfg.normalize("status", "✅ Done") == "done"
    assert ("status", "✅ Done") in cfg.answers
