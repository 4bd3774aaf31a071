"""A file of many post-mortems costs in proportion to its rows. A 10,000-row CSV of post-mortems took 51 s
to parse at 100k (issue 11): each row's id was compared with every earlier row's, 50 M comparisons. The
check is a ratio of CPU times, not a time limit: 4x the rows must cost well under 16x (quadratic), whatever
the machine's speed or load."""

from __future__ import annotations

from conftest import cpu_time
from hindsight.config import read_config
from pipeline.config import build
from pipeline.parse import parse_file

HEADER = "id,title,incident_date,severity,team,service,cause_category\n"


def csv_of(rows: int) -> bytes:
    lines = [f"PM-{n:06d},Queue backlog on worker {n},2024-03-{n % 28 + 1:02d},SEV2,payments,api,capacity\n"
             for n in range(rows)]
    return (HEADER + "".join(lines)).encode()


def cpu_seconds(data: bytes, cfg) -> float:
    parsed, spent = cpu_time(parse_file, "postmortems.csv", data, cfg)
    assert not parsed.rejected and len(parsed.postmortems) == data.count(b"\n") - 1
    return spent


def test_four_times_the_rows_cost_about_four_times_the_time():
    cfg = build(read_config())
    cpu_seconds(csv_of(200), cfg)  # warm the caches and imports
    small = min(cpu_seconds(csv_of(1500), cfg) for _ in range(2))
    large = cpu_seconds(csv_of(6000), cfg)
    # Linear: about 4. Before the fix: about 12 on this machine (1.4 s of comparisons at 1,500 rows, 22 s at 6,000).
    assert large / small < 8, f"1,500 rows: {small:.2f} s, 6,000 rows: {large:.2f} s"


def test_a_second_row_with_an_id_already_in_the_file_is_refused_with_its_line():
    data = (HEADER + "PM-1,First,2024-03-01,SEV2,payments,api,capacity\n"
            "PM-2,Second,2024-03-02,SEV2,payments,api,capacity\n"
            "PM-1,Again,2024-03-03,SEV2,payments,api,capacity\n").encode()
    parsed = parse_file("postmortems.csv", data, build(read_config()))
    assert [pm.title for pm in parsed.postmortems] == ["First", "Second"]
    errors = [(p.line, p.message) for p in parsed.problems if p.level == "error"]
    assert errors == [(4, "row 4: duplicate post-mortem id 'PM-1' in this file; skipped")]
