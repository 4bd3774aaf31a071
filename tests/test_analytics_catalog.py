"""The post-mortem list's search box (analytics.catalog.postmortems): what a person types is matched
literally, so % and _ are characters, not wildcards (issue 9 §9)."""

from datetime import date

import pytest

from analytics import catalog
from analytics.filters import Filters

RECORDS = [
    {"id": "PM-1", "title": "Disk 100% full", "incident_date": "2025-01-10"},
    {"id": "PM-2", "title": "Disk 100 GB free", "incident_date": "2025-01-11"},
    {"id": "PM-3", "title": "Job max_workers too low", "incident_date": "2025-01-12"},
    {"id": "PM-4", "title": "Job maxXworkers typo", "incident_date": "2025-01-13"},
    {"id": "PM-5", "title": r"Path C:\tmp filled", "incident_date": "2025-01-14"},
]


@pytest.mark.parametrize("search, expected", [
    # Before: "100%" was "100" then any text, so PM-2 matched too; "max_workers" matched PM-4's "maxXworkers".
    ("100%", ["PM-1"]),
    ("max_workers", ["PM-3"]),
    ("%", ["PM-1"]),
    ("_", ["PM-3"]),
    ("\\", ["PM-5"]),
    ("disk", ["PM-2", "PM-1"]),  # still case-insensitive, newest first
    ("", ["PM-5", "PM-4", "PM-3", "PM-2", "PM-1"]),
])
def test_search_matches_percent_and_underscore_literally(load_records, search, expected):
    con = load_records(RECORDS)
    found = catalog.postmortems(con, Filters(as_of=date(2025, 2, 1)), search=search)
    assert found["postmortem_id"].tolist() == expected


def test_filter_choices_are_each_dimensions_distinct_values_sorted(load_records):
    con = load_records([
        {"id": "C-1", "title": "a", "incident_date": "2025-01-10", "team": "payments", "severity": "P2",
         "service": "api"},
        {"id": "C-2", "title": "b", "incident_date": "2025-01-11", "team": "Identity", "severity": "P1"},
        {"id": "C-3", "title": "c", "incident_date": "2025-01-12", "team": "payments", "service": "web"},
        {"id": "C-4", "title": "d", "incident_date": "2025-01-13"},
    ])
    # each value once, in byte order (capitals first), no empty entry for C-4's missing values; no post-mortem
    # names a cause category, so its list is empty
    assert catalog.choices(con) == {"teams": ["Identity", "payments"], "severities": ["P1", "P2"],
                                    "services": ["api", "web"], "cause_categories": []}
