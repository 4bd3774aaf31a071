"""No Markdown file costs more than a few seconds: linear label patterns, long lines cut with a warning,
a size limit with a clear rejection, and a cap on the elements read (issue 9 §3 and §10).

Times are CPU seconds of this process, with generous bounds: they catch a quadratic blow-up (the label
pattern took 7.8 s on one line of 40,000 spaces; markdown-it-py over 8 s on a 1 MB line), not speed.
"""

from __future__ import annotations


import pytest

from conftest import ROOT, cpu_time, query, write
from hindsight.config import read_config
from pipeline.config import build
from pipeline.markdown_sections import label_of
from pipeline.parse import parse_file

def load_config(path=None):
    return build(read_config(path), str(path) if path else None)


HEADER = "# Post-Mortem: Hostile input\n\n**Incident date**: 2024-05-02\n**Team**: platform\n\n"


def parsed_within(text: str, seconds: float = 2.0, cfg=None):
    cfg = cfg or load_config()
    parsed, elapsed = cpu_time(parse_file, "hostile.md", text.encode("utf-8"), cfg)
    assert elapsed < seconds, f"{elapsed:.1f} s"
    return parsed


@pytest.mark.parametrize("line", [
    "**Team**: a" + " " * 200_000 + "b",
    "- Team: a" + " " * 200_000 + "b",
    "**Team**:" + " " * 200_000 + "x",
    "**Team**" + " " * 200_000 + "x",
    "- **Team" + " " * 200_000 + ":** x",
    "- Team" + " " * 200_000,
    "- " + "a:" * 100_000,
    "**" + " " * 200_000,
], ids=["bold-value-spaces", "bullet-value-spaces", "bold-colon-spaces", "bold-spaces-no-colon", "bold-label-spaces", "bullet-spaces", "many-colons",
        "open-bold"])
def test_label_patterns_are_linear(line):
    _, elapsed = cpu_time(label_of, line)
    assert elapsed < 1.0


def test_a_label_line_followed_by_spaces_reads_the_value(cli, db, exports):
    # 9,000 spaces: under the line limit, so the value after them is read, at no cost
    write(exports, "pm.md", HEADER.replace("**Team**: platform", "**Team**:" + " " * 9_000 + "platform"))
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    assert query(db, "SELECT team FROM postmortems") == [("platform",)]


ONE_MB = 1_000_000
HOSTILE_LINES = {  # one line of a megabyte each: markdown-it-py's link-label and emphasis scans
    "brackets": "[" * ONE_MB,
    "link-labels": "[a](" * (ONE_MB // 4),
    "emphasis": "*a _b " * (ONE_MB // 6),
    "backticks": "`a" * (ONE_MB // 2),
    "angle-brackets": "<a " * (ONE_MB // 3),
    "pipes": "|" * ONE_MB,
    "parentheses": "(" * ONE_MB,
}


@pytest.mark.parametrize("name", HOSTILE_LINES)
def test_a_megabyte_line_is_cut_with_a_warning_and_the_rest_loads(name):
    text = HEADER + "## Executive Summary\n\n" + HOSTILE_LINES[name] + "\n\n## Lessons Learned\n\n- Bound inputs\n"
    parsed = parsed_within(text)
    assert not parsed.rejected
    [pm] = parsed.postmortems
    assert (pm.title, pm.team, str(pm.incident_date)) == ("Hostile input", "platform", "2024-05-02")
    assert pm.learnings == [("lesson", "Bound inputs")]
    cut = [p for p in parsed.problems if "markdown.max_line_chars" in p.message]
    # line 8 of the file: the title, a blank, two label lines, a blank, the heading, a blank
    assert [(p.line, p.message) for p in cut] == [
        (8, f"line of {len(HOSTILE_LINES[name]):,} characters: only its first 10,000 were read "
            "(markdown.max_line_chars)")]


HOSTILE_DOCUMENTS = {  # a megabyte of lines each under the line limit
    "nested-quotes": (">" * 2_000 + "\n\n") * 499,
    "nested-lists": ("1. " * 650 + "\n\n") * 510,
    "code-spans": ("`a" * 1_000 + "\n\n") * 499,
    "emphasis-lines": "*a\n" * 166_000 + "b*\n" * 166_000,
    "nested-images": "![\n" * 125_000 + "a" + "](b)\n" * 125_000,
    "wide-table": "|" + "a|" * 4_000 + "\n|" + "-|" * 4_000 + "\n" + ("|" + "x|" * 4_000 + "\n") * 120,
    "long-timeline": "## Timeline\n\n| Time | Event |\n|---|---|\n" + "| 10:00 | Deploy |\n" * 52_000,
    "label-lines": "- Team: platform\n" * 58_000,
    # a paragraph is the costliest element: 1 MB of them took over 2 s (3.1 s of CPU when
    # tests/test_document_properties.py found it), 5 MB 6.6 s
    "paragraphs": "a\n\n" * 333_000,
    # runs of 9,000 spaces (under the line limit) where a pattern used to backtrack over them
    "label-values": ("**Service**: a" + " " * 9_000 + "b\n") * 100,
    "why-items": "## Root Cause\n\n" + ("- Why a" + " " * 9_000 + "b\n") * 100,
    "title-headings": ("# Post-Mortem: a" + " " * 9_000 + "b\n\n") * 100,
    "tracker-headings": "## Actions\n\n" + ("### Incident: a" + " " * 9_000 + "b - x\n\n") * 100,
}


@pytest.mark.parametrize("name", HOSTILE_DOCUMENTS)
def test_a_hostile_megabyte_parses_in_bounded_time(name):
    parsed = parsed_within(HEADER + HOSTILE_DOCUMENTS[name])
    assert not parsed.rejected, parsed.problems
    assert parsed.postmortems[0].title == "Hostile input"


def test_timeline_headings_with_long_runs_of_spaces_parse_in_bounded_time():
    # the mybinder configuration reads "### 10:00 - what happened" headings, split at the dash
    text = HEADER + "## Timeline\n\n" + ("### 10:00" + " " * 9_000 + "- x\n\nThe text\n\n") * 100
    parsed = parsed_within(text, cfg=load_config(ROOT / "examples" / "mybinder.yaml"))
    assert [e.event for e in parsed.postmortems[0].timeline][:2] == ["x", "x"]


def test_reading_stops_past_the_element_cap_with_a_warning_naming_the_line():
    parsed = parsed_within(HEADER + HOSTILE_DOCUMENTS["nested-quotes"])
    [stop] = [p for p in parsed.problems if "too many Markdown elements" in p.message]
    # Reading stops at the 200,000th event. The header is a dozen events; each quote line is 4,000 (2,000
    # quote starts, 2,000 ends), so the cap falls inside the 50th quote line (199,988 / 4,000 = 49.997).
    # Quote lines start at line 6, one every two lines: the 50th is line 6 + 2 * 49 = 104.
    assert stop.line == 104, stop


def test_label_lines_past_the_element_cap_are_not_read():
    # The label lines were read from every line of the file, the unread ones past the cap included
    # (and those before the first section twice): a label there was taken, and 5 MB cost 6.6 s.
    # 150,000 paragraphs are 450,000 events (start, text, end): past the cap, whatever it is (200,000).
    parsed = parsed_within(HEADER.replace("**Team**: platform\n", "") + "a\n\n" * 150_000 + "**Team**: late\n")
    assert any("too many Markdown elements" in p.message for p in parsed.problems)
    assert parsed.postmortems[0].team is None


def test_a_file_over_the_size_limit_is_rejected_naming_the_setting(cli, db, exports):
    write(exports, "good.md", HEADER)
    big = exports / "big.md"
    big.write_text(HEADER + ("Some words of a very long post-mortem.\n" * 160_000), encoding="utf-8")  # 6.2 MB
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 1
    assert f"REJECTED {big.resolve()}: the file is 6.2 MB, over the 5 MB a Markdown post-mortem may be " \
           "(markdown.max_file_mb in the configuration)" in out
    assert query(db, "SELECT count(*) FROM postmortems") == [(1,)]  # the rest of the batch loads


def test_the_size_limit_is_configurable(cli, db, exports, tmp_path):
    (exports / "big.md").write_text(HEADER + ("Some words.\n" * 500_000), encoding="utf-8")  # 6.1 MB
    config = write(tmp_path, "hindsight.yaml", "markdown:\n  max_file_mb: 10\n")
    code, out, err = cli("ingest", exports, "--db", db, "--config", config)
    assert code == 0, out + err
    assert query(db, "SELECT title FROM postmortems") == [("Hostile input",)]


@pytest.mark.parametrize("value", ["0", "-1", "'ten'", "true"])
def test_a_bad_bound_in_the_configuration_is_refused(value):
    raw = read_config()
    with pytest.raises(ValueError, match="markdown.max_line_chars must be a positive number"):
        build({**raw, "markdown": {**raw["markdown"], "max_line_chars": __import__("yaml").safe_load(value)}})


def test_the_shipped_examples_keep_the_default_bounds():
    for config in (None, ROOT / "examples" / "mybinder.yaml", ROOT / "examples" / "demo.yaml"):
        cfg = load_config(config)
        assert (cfg.max_markdown_bytes, cfg.max_line_chars) == (5_000_000, 10_000)
