"""Mojibake is repaired in every form an export picks it up; clean text is never touched.

A file is saved as mojibake when its UTF-8 bytes were read one byte per character (as Windows-1252,
Latin-1, Mac Roman...) and saved again as UTF-8. The reader looks for the character pairs that leaves
and only then asks ftfy to repair the text.
"""

from __future__ import annotations

import pytest

from conftest import query, write
from pipeline.text import MOJIBAKE, decode

FRENCH = ("L’équipe a dû arrêter le déploiement à 10h ; coût estimé\u00a0: 2\u202f500\u00a0€ — « Été » "
          "œuvre naïve, Noël… “ok” ‘oui’ 5\u00a0°C ½ 🔥 ✅ ça")
ENGLISH = "We’re “fine” — it’s 5 °C… a naïve café, déjà vu, 10 € and a 🚀"


def saved_as_mojibake(text: str, encoding: str, times: int = 1) -> bytes:
    """The bytes of a file whose UTF-8 was read as ``encoding`` and saved again as UTF-8."""
    for _ in range(times):
        text = text.encode("utf-8").decode(encoding)
    return text.encode("utf-8")


FORMS = [
    pytest.param("sloppy-windows-1252", 1, id="utf8-read-as-windows-1252"),   # "Ã©", "â€™"
    pytest.param("latin-1", 1, id="utf8-read-as-latin-1"),                    # "Ã©", "â\x80\x99"
    pytest.param("macroman", 1, id="utf8-read-as-mac-roman"),                 # "√©", "‚Äô" (the seed)
    pytest.param("sloppy-windows-1252", 2, id="read-as-windows-1252-twice"),  # "ÃƒÂ©"
    pytest.param("sloppy-windows-1250", 1, id="utf8-read-as-windows-1250"),   # "Ă©"
    pytest.param("sloppy-windows-1251", 1, id="utf8-read-as-windows-1251"),   # "Г©"
    pytest.param("iso-8859-2", 1, id="utf8-read-as-iso-8859-2"),
    pytest.param("cp437", 1, id="utf8-read-as-dos-cp437"),                    # "├⌐"
]


@pytest.mark.parametrize("text", [FRENCH, ENGLISH], ids=["french", "english"])
@pytest.mark.parametrize("encoding, times", FORMS)
def test_every_mojibake_form_is_repaired_with_a_warning(text, encoding, times):
    data = saved_as_mojibake(text, encoding, times)
    assert data.decode("utf-8") != text  # it really is mojibake
    repaired, problems = decode(data)
    assert repaired == text
    assert [p.message for p in problems] == [
        "text was mojibake (UTF-8 decoded with a legacy encoding such as Mac Roman or cp1252); repaired"]


@pytest.mark.parametrize("text", [
    FRENCH, ENGLISH,
    "Résumé\u00a0: l’incident « critique » a duré 1h ; l’équipe d’astreinte l’a créé à 9h — déjà réglé…",
    "Ça été créé, préféré, agréé ; « Élan » ; l’œil ; À côté ; naïveté ; Ünïcödé ; Łódź ; Δ ; Привет ; 日本語",
], ids=["french", "english", "french-typography", "accents-and-scripts"])
def test_clean_text_is_not_touched_nor_sent_to_ftfy(text):
    assert MOJIBAKE.search(text) is None  # the cheap check lets clean text through untouched
    assert decode(text.encode("utf-8")) == (text, [])


def test_a_mojibake_markdown_file_loads_repaired(cli, db, exports):
    doc = write(exports, "pm.md", """
        # Post-Mortem: Arrêt du cache à 10h

        **Date de l'incident**: 2024-05-02
        **Équipe**: plateforme

        ## Leçons Apprises

        - L’équipe d’astreinte a été prévenue trop tard
    """)
    doc.write_bytes(saved_as_mojibake(doc.read_text(encoding="utf-8"), "macroman"))
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    assert query(db, "SELECT title, team FROM postmortems") == [("Arrêt du cache à 10h", "plateforme")]
    assert query(db, "SELECT text FROM learnings") == [("L’équipe d’astreinte a été prévenue trop tard",)]
    assert query(db, "SELECT line, message FROM ingest_errors WHERE message LIKE '%mojibake%'") == [
        (1, "text was mojibake (UTF-8 decoded with a legacy encoding such as Mac Roman or cp1252); repaired")]
