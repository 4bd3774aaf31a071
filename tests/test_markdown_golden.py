"""Every Markdown file the project ships reads to exactly the records it read to before.

tests/fixtures/markdown-golden.jsonl holds, one line per file, what `parse_file` made of it (post-mortems,
tracker rows, problems with their lines, rejection) when the reader was last changed on purpose. It was
first written by the markdown-it-py reader, so the reader that replaced it is held to the same output on
the demo corpus, the seed, the mybinder reports and the GFM/inline cases of tests/fixtures/markdown-cases.
A change of behaviour made on purpose rewrites the lines of the files it changes, and its commit says so:

    .venv/bin/python tests/test_markdown_golden.py      # rewrite the golden file from the current reader
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))

from hindsight.config import read_config  # noqa: E402
from pipeline.config import build  # noqa: E402
from pipeline.parse import parse_file  # noqa: E402

GOLDEN = ROOT / "tests" / "fixtures" / "markdown-golden.jsonl"
FIXTURES = ROOT / "tests" / "fixtures"
# (name, folder, file glob, configuration): each Markdown file the project ships, read as it is meant to be.
CORPORA = [
    ("demo", ROOT / "data" / "demo", "**/*.md", ROOT / "examples" / "demo.yaml"),
    ("seed", FIXTURES / "seed", "*.txt", None),
    ("mybinder", FIXTURES / "mybinder-incident-reports", "[0-9]*.md", ROOT / "examples" / "mybinder.yaml"),
    ("mybinder-defaults", FIXTURES / "mybinder-incident-reports", "[0-9]*.md", None),
    ("cases", FIXTURES / "markdown-cases", "*.md", None),
]


def _plain(value):
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return value.isoformat()  # date, datetime


def snapshot(path: Path, folder: Path, cfg) -> dict:
    parsed = parse_file(str(path), path.read_bytes(), cfg)
    fields = dataclasses.asdict(parsed)
    del fields["ids"]  # the ids of the post-mortems listed, kept for the duplicate check
    out = _plain(fields)
    del out["source_path"]
    return out


def current() -> dict[str, dict]:
    """What the reader makes of every file now, keyed "corpus/relative path"."""
    found = {}
    for name, folder, pattern, config in CORPORA:
        cfg = build(read_config(config), str(config) if config else None)
        for path in sorted(folder.glob(pattern)):
            found[f"{name}/{path.relative_to(folder).as_posix()}"] = snapshot(path, folder, cfg)
    return found


def golden() -> dict[str, dict]:
    lines = GOLDEN.read_text(encoding="utf-8").splitlines()
    return {entry["file"]: entry["parsed"] for entry in map(json.loads, lines)}


@pytest.fixture(scope="module")
def now():
    return current()


def test_the_golden_file_covers_every_shipped_markdown_file(now):
    assert sorted(now) == sorted(golden())
    # the corpora are really there: a glob that matched nothing would make the comparison empty
    assert sum(k.startswith("demo/") for k in now) > 200 and sum(k.startswith("mybinder/") for k in now) == 23


@pytest.mark.parametrize("corpus", [c[0] for c in CORPORA])
def test_each_file_reads_to_its_golden_records(now, corpus):
    expected = golden()
    changed = [k for k in now if k.startswith(corpus + "/") and now[k] != expected.get(k)]
    if changed:  # show the first difference in full, name the others
        first = changed[0]
        assert now[first] == expected.get(first), f"{len(changed)} file(s) differ: {changed[:10]}"


if __name__ == "__main__":
    with GOLDEN.open("w", encoding="utf-8") as out:
        for key, parsed in sorted(current().items()):
            out.write(json.dumps({"file": key, "parsed": parsed}, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"wrote {GOLDEN.relative_to(ROOT)}")
