"""Where the time goes when an HTML page or a Word document is read, stage by stage.

    .venv/bin/python bench/documents_bench.py [--repeat 200]

HTML pages and .docx files are read into blocks, written as template Markdown, and read by the
Markdown reader. The other design would walk the document straight into the reader's section
model: it would save the Markdown writing and the Markdown tokenizing, no more (the section logic
runs either way). This prints each stage's share, on the Confluence example, the Word example and a
1 MB page, so the choice can be checked; "Markdown read" is also what the same post-mortem costs as a
.md file. Results are printed, not asserted.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from pipeline import html_doc, markdown, word_doc
from hindsight.config import read_config
from pipeline.config import build
from pipeline.to_markdown import render

ROOT = Path(__file__).resolve().parent.parent


def timed(fn, repeat: int) -> float:
    """Median milliseconds of fn() over repeat runs."""
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t0) * 1000)
    return statistics.median(runs)


def stages(name: str, convert, repeat: int, cfg) -> None:
    converted = convert()
    whole = timed(convert, repeat)
    tokenize = timed(lambda: markdown.blocks(converted.markdown), repeat)
    read = timed(lambda: markdown.parse_markdown(converted.markdown, cfg), repeat)
    print(f"{name:<34} convert {whole:7.2f} ms   Markdown read {read:6.2f} ms (of which tokenize "
          f"{tokenize:6.2f} ms, {tokenize / (whole + read):4.0%} of all)")


def big_page(rows: int) -> str:
    """A Confluence-shaped page with a long timeline: about 1 MB for 8 000 rows."""
    page = (ROOT / "examples" / "confluence-postmortem.html").read_text(encoding="utf-8")
    extra = "".join(f"<tr><td><p>{10 + n // 60 % 10}:{n % 60:02d}</p></td><td><p>Event {n}: the replica "
                    f"lag grew again and the on-call engineer looked at it</p></td></tr>" for n in range(rows))
    return page.replace("</tbody></table></div><h1 id=\"PostMortem:Saturationducachedesessions-CauseRacine\">",
                        extra + "</tbody></table></div><h1 id=\"PostMortem:Saturationducachedesessions-CauseRacine\">")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    cfg = build(read_config())
    page = (ROOT / "examples" / "confluence-postmortem.html").read_text(encoding="utf-8")
    word = (ROOT / "examples" / "postmortem-queue-backlog.docx").read_bytes()
    big = big_page(8000)
    stages("Confluence example (14 kB)", lambda: html_doc.convert(page, cfg), args.repeat, cfg)
    stages("Word example (38 kB)", lambda: word_doc.convert(word, cfg), args.repeat, cfg)
    stages(f"Confluence page ({len(big) / 1e6:.1f} MB)", lambda: html_doc.convert(big, cfg), 5, cfg)

    # Inside convert: reading the page into blocks, then writing them as Markdown.
    title, line, body, _, _ = html_doc._page(html_doc.lxml_html.document_fromstring(page), cfg)
    reader = html_doc._Reader({})
    reader.container(body, 0)
    write = timed(lambda: render(title, line, reader.blocks, cfg), args.repeat)
    print(f"{'  of which writing the Markdown':<34} {write:7.2f} ms (Confluence example)")


if __name__ == "__main__":
    main()
