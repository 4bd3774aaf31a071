"""Bytes to clean text: BOM, CRLF, legacy encodings and mojibake.

Exports pass through Word, wikis and Windows tools; the seed file itself is UTF-8
that was read as Mac Roman and saved again. ftfy knows those round trips far
better than a hand-made table would.
"""

from __future__ import annotations

import ftfy
from ftfy.badness import is_bad

from pipeline.model import Problem


def decode(data: bytes) -> tuple[str, list[Problem]]:
    problems: list[Problem] = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
        return _clean(text, problems)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        text = data.decode("cp1252", errors="replace")
        problems.append(Problem("warning", "not valid UTF-8; read as Windows-1252 (cp1252)", line))
    return _clean(text, problems)


def _clean(text: str, problems: list[Problem]) -> tuple[str, list[Problem]]:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise UnicodeError("the file holds NUL bytes: it is binary, not text")
    if not text.isascii() and is_bad(text):
        fixed = ftfy.fix_encoding(text)
        if fixed != text:
            first = next((i for i, (a, b) in enumerate(zip(text, fixed)) if a != b), 0)
            line = text[:first].count("\n") + 1
            problems.append(Problem("warning", "text was mojibake (UTF-8 decoded with a legacy encoding such "
                                    "as Mac Roman or cp1252); repaired", line))
            text = fixed
    return text, problems
