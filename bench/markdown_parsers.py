"""Markdown parsing speed: the three candidate parsers side by side, and the whole reader.

    .venv/bin/hindsight demo --out /tmp/demo5k --count 5000      # a corpus, once
    .venv/bin/python bench/markdown_parsers.py /tmp/demo5k [--repeat 3] [--profile]

On the same Markdown files, already decoded to text and held in memory:

- parser only: markdown-it-py (the reader before), markdown-it-pyrs and pyromark, each producing what a
  reader needs (tokens, a tree, or events with their source ranges); a candidate not installed is skipped;
- the reader: `pipeline.parse.parse_file` (decode, front matter, Markdown, records) on the file's bytes,
  as a parse worker runs it.

`--profile` prints where a cold `parse_file` pass spends its time (cProfile, grouped by library and
module). Times are CPU time of this one process (best of --repeat), so other work on a shared machine
skews them less than wall-clock time would. Results are printed, not asserted: docs/ingestion.md keeps
the last numbers.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import time
from pathlib import Path

from pipeline.config import load_config
from pipeline.parse import parse_file
from pipeline.text import decode


def _candidates() -> dict:
    """Each candidate parser as text -> what a reader would walk."""
    out = {}
    try:
        from markdown_it import MarkdownIt

        py = MarkdownIt("commonmark").enable("table")
        out["markdown-it-py"] = py.parse
    except ImportError:
        pass
    try:
        from markdown_it_pyrs import MarkdownIt as RsMarkdownIt

        rs = RsMarkdownIt("commonmark").enable("table")
        out["markdown-it-pyrs"] = rs.tree
    except ImportError:
        pass
    try:
        import pyromark

        pm = pyromark.Markdown(options=pyromark.Options.ENABLE_TABLES)
        out["pyromark"] = lambda text: tuple(pm.events_with_range(text, merge_text=True))
    except ImportError:
        pass
    return out


def _each(fn, items) -> None:
    for item in items:
        fn(item)


def _best_of(repeat: int, fn) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best


def _group(filename: str) -> str:
    for marker, name in (("markdown_it_pyrs", "markdown-it-pyrs"), ("markdown_it", "markdown-it-py"),
                         ("pyromark", "pyromark"), ("ftfy", "ftfy"), ("yaml", "PyYAML"),
                         ("pipeline/", None), ("/re/", "re"), ("unicodedata", "unicodedata")):
        if marker in filename:
            return name or "pipeline/" + filename.split("pipeline/")[-1]
    return "other"


def profile(files: list[tuple[str, bytes]], cfg) -> None:
    """Own time of a cold parse_file pass, grouped by library (pipeline by module)."""
    profiler = cProfile.Profile()
    profiler.enable()
    for name, data in files:
        parse_file(name, data, cfg)
    profiler.disable()
    stats = pstats.Stats(profiler)
    groups: dict[str, float] = {}
    for (filename, _, function), (_, _, own, _, _) in stats.stats.items():
        key = _group(filename)
        if filename == "~":  # C functions: name them by what they are
            key = "builtins: " + function.split(" of ")[-1].strip("<>'")[:40]
        groups[key] = groups.get(key, 0.0) + own
    total = sum(groups.values())
    print(f"\nprofile of one cold parse_file pass ({total:.2f} s under cProfile), own time by group:")
    for key, own in sorted(groups.items(), key=lambda kv: -kv[1])[:18]:
        print(f"  {key:<40} {own:7.2f} s  {100 * own / total:5.1f} %")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path, help="a folder of Markdown files (e.g. from `hindsight demo`)")
    parser.add_argument("--config", help="configuration file (default: the shipped defaults)")
    parser.add_argument("--repeat", type=int, default=3, help="best of N timings (default 3)")
    parser.add_argument("--profile", action="store_true", help="also profile a cold parse_file pass")
    args = parser.parse_args()

    paths = sorted(p for p in args.corpus.rglob("*") if p.suffix in (".md", ".markdown") and p.is_file())
    files = [(str(p), p.read_bytes()) for p in paths]
    texts = [decode(data)[0] for _, data in files]
    size = sum(len(d) for _, d in files) / 1e6
    print(f"{len(files)} Markdown files, {size:.1f} MB, from {args.corpus}")
    cfg = load_config(args.config)

    if args.profile:  # first, while nothing is warm
        profile(files, cfg)
        print()
    # Results are dropped as they come: keeping millions of parsed objects alive would make the garbage
    # collector's passes, not the parsers, the thing measured.
    for name, parse in _candidates().items():
        elapsed = _best_of(args.repeat, lambda: _each(parse, texts))
        print(f"parser only  {name:<18} {len(texts) / elapsed:9.0f} files/s  ({elapsed:.2f} s)")
    elapsed = _best_of(args.repeat, lambda: _each(lambda f: parse_file(f[0], f[1], cfg), files))
    print(f"whole reader parse_file          {len(files) / elapsed:9.0f} files/s  ({elapsed:.2f} s)")


if __name__ == "__main__":
    main()
