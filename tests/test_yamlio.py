"""Every YAML read goes through pipeline.yamlio: safe, no alias, bounded depth, dates left as text,
the C parser where PyYAML has it (same values as the pure-Python one), lines for every key."""

from __future__ import annotations

import time
import tracemalloc
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml

from conftest import DEMO, FIXTURES, ROOT, query, scalar, write
from pipeline import yamlio
from pipeline.markdown import _FRONT_MATTER


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """The billion-laughs shape of issue 9 §4: each level lists the previous one ``width`` times,
    so the last level expands to width**levels (9**9 = 387 million) strings."""
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    lines += [f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * width)}]" for n in range(1, levels)]
    return "\n".join(lines) + "\n"


LOADERS = [pytest.param(yamlio.PythonLoader, id="python")]
if getattr(yaml, "__with_libyaml__", False):
    LOADERS.append(pytest.param(yamlio.Loader, id="libyaml"))


@pytest.mark.parametrize("loader", LOADERS)
def test_alias_bomb_is_refused_before_anything_is_expanded(loader):
    bomb = alias_bomb()
    assert len(bomb) < 600  # issue 9 measured a 530-byte file growing a worker to 19.5 GB
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(yamlio.YamlError) as caught:
        yamlio.load(bomb, loader=loader)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert time.perf_counter() - started < 2
    assert peak < 20 * 2**20  # a few MB at most, far from gigabytes
    assert caught.value.line == 2  # the first alias: "*l0" on line 2
    assert str(caught.value) == "not accepted: it uses a YAML alias (*name); write the value out in full"


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("text, line", [
    ("base: &b {team: core}\npm:\n  <<: *b\n", 3),   # a merge key is an alias too
    ("a: &x [1]\nb: [2, *x]\n", 2),
    ("a: &x [*x]\n", 1),                              # a node that contains itself
])
def test_any_alias_is_refused_with_its_line(loader, text, line):
    with pytest.raises(yamlio.YamlError, match="YAML alias") as caught:
        yamlio.load(text, loader=loader)
    assert caught.value.line == line


def test_an_anchor_that_is_never_used_is_harmless():
    assert yamlio.load("team: &t core\n") == {"team": "core"}


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("text", ["[" * 51 + "]" * 51, "- " * 51 + "x", "".join(f"{' ' * 2 * n}k{n}:\n" for n in range(51)) + " " * 102 + "v"])
def test_nesting_deeper_than_the_limit_is_refused(loader, text):
    with pytest.raises(yamlio.YamlError, match="nested more than 50 levels deep"):
        yamlio.load(text, loader=loader)


@pytest.mark.parametrize("loader", LOADERS)
def test_nesting_at_the_limit_is_read(loader):
    assert yamlio.load("[" * 50 + "]" * 50, loader=loader) is not None


@pytest.mark.parametrize("loader", LOADERS)
def test_dates_and_timestamps_stay_text(loader):
    text = ("incident_date: 2024-02-30\nreal: 2024-01-15\nat: 2024-01-15 10:00:00+02:00\n"
            "clock: 10:15\nshort: 1:20\nhuge: " + "1" + "0" * 400 + "\ncount: 12\nhex: 0x1F\n")
    assert yamlio.load(text, loader=loader) == {
        "incident_date": "2024-02-30", "real": "2024-01-15", "at": "2024-01-15 10:00:00+02:00",
        # YAML 1.1 reads 10:15 as the integer 615 (base 60); the field readers decide instead.
        "clock": "10:15", "short": "1:20", "huge": "1" + "0" * 400, "count": 12, "hex": 31}


@pytest.mark.parametrize("loader", LOADERS)
def test_python_tags_are_refused_with_their_line(loader):
    with pytest.raises(yamlio.YamlError, match="could not determine a constructor") as caught:
        yamlio.load("a: 1\nb: !!python/object/apply:os.system [ls]\n", loader=loader)
    assert caught.value.line == 2


@pytest.mark.parametrize("loader", LOADERS)
def test_syntax_errors_and_bad_characters_carry_a_line(loader):
    with pytest.raises(yamlio.YamlError, match="not valid YAML") as caught:
        yamlio.load("a: 1\nb: [1, 2\nc: 3\n", loader=loader)
    assert caught.value.line in (3, 4)  # where each parser notices the bracket is never closed
    with pytest.raises(yamlio.YamlError, match=r"character U\+0007 is not allowed") as caught:
        yamlio.load("a: 1\nb: x\x07\n", loader=loader)
    assert caught.value.line == 2


def test_key_lines_count_from_the_given_first_line():
    data = yamlio.load("id: PM-1\nimpact:\n  users: 3\n", first_line=2)
    assert yamlio.key_lines(data) == {"id": 2, "impact": 3}
    assert yamlio.key_lines(data["impact"]) == {"users": 4}
    assert yamlio.key_lines({"plain": "dict"}) == {}


def _demo_yaml_texts() -> list[tuple[str, str]]:
    """Every YAML text of the repository: .yaml files (demo corpus, configuration, examples) and
    every Markdown front matter of the demo corpus and the fixtures."""
    found = []
    for path in sorted([*DEMO.rglob("*.y*ml"), *ROOT.glob("examples/*.yaml"), ROOT / "hindsight" / "defaults.yaml"]):
        found.append((str(path.relative_to(ROOT)), path.read_text(encoding="utf-8-sig")))
    for path in sorted([*DEMO.rglob("*.md"), *FIXTURES.rglob("*.md")]):
        if m := _FRONT_MATTER.match(path.read_text(encoding="utf-8-sig")):
            found.append((str(path.relative_to(ROOT)) + " (front matter)", m.group(1) or ""))
    return found


@pytest.mark.skipif(not getattr(yaml, "__with_libyaml__", False), reason="PyYAML built without libyaml")
def test_libyaml_and_pure_python_read_the_same_values_and_lines():
    texts = _demo_yaml_texts()
    assert sum("front matter" in name for name, _ in texts) >= 10 and len(texts) >= 20
    for name, text in texts:
        fast = yamlio.load_all(text, loader=yamlio.Loader)
        slow = yamlio.load_all(text, loader=yamlio.PythonLoader)
        assert fast == slow, name
        assert _lines(fast) == _lines(slow), name


def _lines(value):
    if isinstance(value, dict):
        return [yamlio.key_lines(value), {k: _lines(v) for k, v in value.items()}]
    if isinstance(value, list):
        return [_lines(v) for v in value]
    return None


# ---------------------------------------------------------------- through the real CLI

GOOD_MD = """
    # Post-Mortem: Cache saturé

    **Date de l'incident**: 2024-05-02
    **Sévérité**: P2
"""


def _rows(db, path, level):
    return query(db, "SELECT line, message FROM ingest_errors WHERE source_path = ? AND level = ? ORDER BY line",
                 [str(path.resolve()), level])


def test_alias_bomb_in_a_yaml_file_rejects_that_file_only(cli, db, exports):
    write(exports, "good.md", GOOD_MD)
    bomb = exports / "bomb.yaml"
    bomb.write_text("id: PM-BOMB\ntitle: Boom\n" + alias_bomb(), encoding="utf-8")
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 1, out + err
    assert _rows(db, bomb, "error") == [
        (4, "not accepted: it uses a YAML alias (*name); write the value out in full")]
    assert query(db, "SELECT title FROM postmortems") == [("Cache saturé",)]


def test_alias_bomb_in_front_matter_is_ignored_with_a_warning_and_the_body_loads(cli, db, exports):
    md = exports / "pm.md"
    md.write_text("---\nteam: core\n" + alias_bomb() + "---\n# Post-Mortem: Cache saturé\n\n"
                  "**Date de l'incident**: 2024-05-02\n", encoding="utf-8")
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    # Line 1 is the opening ---, "team" line 2, l0 line 3, the first alias (l1) line 4.
    assert (4, "front matter is not accepted: it uses a YAML alias (*name); write the value out in full; "
               "ignored") in _rows(db, md, "warning")
    assert query(db, "SELECT title, incident_date, team FROM postmortems") == [("Cache saturé", date(2024, 5, 2), None)]


def test_impossible_unquoted_date_in_a_yaml_file_is_a_warning_with_its_line(cli, db, exports):
    pm = write(exports, "pm.yaml", """
        id: PM-1
        title: Cache saturé
        incident_date: 2024-02-30
        started_at: 2024-03-01 10:00
        severity: P2
    """)
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    assert (3, "incident date: '2024-02-30' is not a real date; left empty") in _rows(db, pm, "warning")
    # The rest of the file loads; the incident date falls back on the start time.
    assert query(db, "SELECT postmortem_id, title, severity, incident_date FROM postmortems") == [
        ("PM-1", "Cache saturé", "P2", date(2024, 3, 1))]


def test_impossible_unquoted_date_in_front_matter_is_a_warning_with_its_line(cli, db, exports):
    md = exports / "pm.md"
    md.write_text("---\nid: PM-2\nincident_date: 2024-02-30\n---\n# Post-Mortem: Cache saturé\n\n"
                  "**Sévérité**: P2\n", encoding="utf-8")
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    # Line 1 is the opening ---, id line 2, incident_date line 3.
    assert (3, "incident date: '2024-02-30' is not a real date; left empty") in _rows(db, md, "warning")
    assert query(db, "SELECT postmortem_id, title, severity, incident_date FROM postmortems") == [
        ("PM-2", "Cache saturé", "P2", None)]


def test_unquoted_clock_times_in_a_yaml_timeline_are_read(cli, db, exports):
    # YAML 1.1 turns 10:15 into 615 (minutes in base 60); it used to be refused as "not a time".
    write(exports, "pm.yaml", """
        id: PM-3
        title: Cache saturé
        incident_date: 2024-05-02
        timeline:
          - {at: 10:15, event: Alerte latence}
          - {at: 10:40, event: Incident résolu}
    """)
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    assert query(db, "SELECT position, occurred_at FROM timeline_events ORDER BY position") == [
        (1, datetime(2024, 5, 2, 10, 15)), (2, datetime(2024, 5, 2, 10, 40))]


def test_deeply_nested_yaml_is_rejected_and_the_rest_loads(cli, db, exports):
    write(exports, "good.md", GOOD_MD)
    deep = exports / "deep.yaml"
    deep.write_text("id: PM-DEEP\ntags: " + "[" * 500 + "]" * 500 + "\n", encoding="utf-8")
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 1, out + err
    assert _rows(db, deep, "error") == [(2, "not accepted: nested more than 50 levels deep")]
    assert scalar(db, "SELECT count(*) FROM postmortems") == 1


def test_configuration_with_an_alias_is_refused_with_its_line(cli, db, exports, tmp_path):
    write(exports, "pm.md", GOOD_MD)
    config = tmp_path / "config.yaml"
    config.write_text("defaults: &d {team: core}\nteams:\n  core: *d\n", encoding="utf-8")
    code, out, err = cli("ingest", exports, "--db", db, "--config", config)
    assert code == 2
    assert f"{config}: line 3: not accepted: it uses a YAML alias" in err
    assert not db.exists()


def test_every_yaml_read_goes_through_yamlio():
    # A direct yaml.safe_load/yaml.load elsewhere would skip the alias and depth checks.
    # (hindsight/demo reads only its own packaged wording, never a user's file.)
    for path in [*ROOT.glob("pipeline/*.py"), *ROOT.glob("analytics/*.py"), *ROOT.glob("dashboard/*.py"),
                 *ROOT.glob("views/*.py"), *ROOT.glob("hindsight/*.py"), ROOT / "app.py"]:
        if path.name == "yamlio.py":
            continue
        text = Path(path).read_text(encoding="utf-8")
        assert "yaml.safe_load" not in text and "yaml.load(" not in text and "yaml.full_load" not in text, path


def test_a_yaml_file_over_the_size_limit_is_rejected_before_it_is_parsed(cli, db, exports):
    # Found by bench/fuzz.py: a 4 MB YAML batch took 4.3 s of CPU to read (libyaml builds about a
    # megabyte of nodes a second here); a post-mortem is a few kB, the demo's largest batch file 29 kB.
    write(exports, "good.md", GOOD_MD)
    entry = "- id: PM-{n}\n  title: Disk full {n}\n  summary: " + "x" * 200 + "\n"
    big = exports / "big.yaml"
    big.write_text("".join(entry.format(n=n) for n in range(yamlio.MAX_CHARS // len(entry) + 1)), encoding="utf-8")
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 1, out + err
    [(line, message)] = _rows(db, big, "error")
    assert line is None and "YAML is read up to 2 MB in one file" in message, message
    assert query(db, "SELECT title FROM postmortems") == [("Cache saturé",)]


def test_a_yaml_file_under_the_size_limit_loads():
    text = "title: " + "x" * (yamlio.MAX_CHARS - 20) + "\n"
    assert len(yamlio.load(text)["title"]) == yamlio.MAX_CHARS - 20
