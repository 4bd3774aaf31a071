"""Bytes to clean text: BOM, CRLF, legacy encodings and mojibake.

Exports pass through Word, wikis and Windows tools; the seed file itself is UTF-8
that was read as Mac Roman and saved again. ftfy knows those round trips far
better than a hand-made table would.
"""

from __future__ import annotations

import re

import ftfy
import ftfy.bad_codecs  # noqa: F401  (registers the sloppy-windows-* codecs named below)
from ftfy.chardata import CHARMAP_ENCODINGS

from pipeline.model import Problem

# UTF-8 lead bytes whose Mac Roman look-alikes are everyday punctuation (’ “ ” ‘ « » … and a no-break
# space): clean French like "l’été" would look like mojibake. They lead Armenian and IPA letters, which
# no post-mortem here is written in.
_MACROMAN_EVERYDAY = {0xC7, 0xC8, 0xC9, 0xCA, 0xD2, 0xD3, 0xD4, 0xD5}


def _mojibake_signature() -> re.Pattern:
    """A multi-byte UTF-8 sequence read one byte per character, as each encoding ftfy repairs would read
    it: a lead byte's character followed by as many continuation bytes' characters as it announces
    ("Ã©", "â€™", "√©", "‚Äô", "ðŸ”¥"). One such sequence is enough to send a text to ftfy, so the
    pattern can stay strict where clean text resembles it: a 3-byte sequence does not start with a
    no-break space, or French "été\u00a0»" (é, no-break space, ») would look like one."""
    def chars(first: int, last: int, encoding: str, skip=()) -> str:
        return re.escape(bytes(b for b in range(first, last + 1) if b not in skip).decode(encoding))

    sequences, every_lead = [], set()
    for encoding in CHARMAP_ENCODINGS:
        skip = _MACROMAN_EVERYDAY if encoding == "macroman" else ()
        cont, cont_first = chars(0x80, 0xBF, encoding), chars(0x80, 0xBF, encoding, skip={0xA0})
        sequences += [f"[{chars(0xC2, 0xDF, encoding, skip)}][{cont}]",
                      f"[{chars(0xE0, 0xEF, encoding)}][{cont_first}][{cont}]",
                      f"[{chars(0xF0, 0xF4, encoding)}][{cont}]{{3}}"]
        every_lead.update(bytes(b for b in range(0xC2, 0xF5) if b not in skip).decode(encoding))
    # the look-ahead lets the search skip, in one test, the characters that cannot start a sequence
    return re.compile(f"(?=[{re.escape(''.join(sorted(every_lead)))}])(?:{'|'.join(sequences)})")


MOJIBAKE = _mojibake_signature()


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
    # ftfy's own check reads the whole text against a large pattern; most files are clean, so it only
    # runs where a mojibake pair is seen (20 times cheaper on the demo corpus).
    if not text.isascii() and MOJIBAKE.search(text):
        fixed = ftfy.fix_encoding(text)
        if fixed != text:
            first = next((i for i, (a, b) in enumerate(zip(text, fixed)) if a != b), 0)
            line = text[:first].count("\n") + 1
            problems.append(Problem("warning", "text was mojibake (UTF-8 decoded with a legacy encoding such "
                                    "as Mac Roman or cp1252); repaired", line))
            text = fixed
    return text, problems
