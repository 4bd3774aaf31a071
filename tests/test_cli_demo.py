"""`hindsight demo`: exit code, message, the files written, and what they load."""

from __future__ import annotations

import re

from conftest import scalar


def test_demo_writes_a_corpus_that_loads(cli, tmp_path, db):
    out = tmp_path / "corpus"
    code, stdout, err = cli("demo", "--out", out, "--count", "40", "--seed", "3")
    assert code == 0, err
    message = re.fullmatch(r"Wrote 40 post-mortems to (\S+) \((.+)\); 5 planted malformed file\(s\)\.\n", stdout)
    assert message and message[1] == str(out)
    counts = {kind: int(n) for n, kind in (part.split(" ") for part in message[2].split(", "))}
    # The message's counts are the files on disk (malformed files counted apart).
    on_disk = [p for p in out.rglob("*") if p.is_file() and "malformed" not in p.name]
    assert sum(counts.values()) == len(on_disk)
    assert counts["tracker"] == len(list(out.glob("trackers/*.md")))
    assert counts["csv"] == 2 and counts["incidents"] == 1

    code, stdout, err = cli("ingest", out, "--db", db)
    assert code == 1, stdout + err  # the five planted malformed files are rejected
    assert scalar(db, "SELECT count(*) FROM postmortems") == 40


def test_count_below_one_exits_2_and_writes_nothing(cli, tmp_path):
    out = tmp_path / "corpus"
    code, stdout, err = cli("demo", "--out", out, "--count", "0")
    assert code == 2
    assert err == "hindsight: error: --count must be at least 1\n"
    assert not out.exists()


def test_same_seed_same_bytes_other_seed_other_bytes(cli, tmp_path):
    def corpus(name: str, seed: str) -> dict:
        assert cli("demo", "--out", tmp_path / name, "--count", "25", "--seed", seed)[0] == 0
        return {p.relative_to(tmp_path / name): p.read_bytes() for p in (tmp_path / name).rglob("*") if p.is_file()}

    assert corpus("a", "5") == corpus("b", "5")
    assert corpus("a", "5") != corpus("c", "6")
