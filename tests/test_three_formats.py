"""One post-mortem written as Markdown, as an HTML page and as a Word document loads to the same rows,
in French and in English: the HTML and Word readers lose nothing the Markdown reader keeps.

The .docx is written here with python-docx, the page from a small HTML template; the Markdown is the
template's own shape. Only what depends on the file (path, format, hash, ids made from the path)
may differ."""

from __future__ import annotations

import html
import re
from datetime import date, datetime

import docx
import duckdb
import pytest

from conftest import example_script, query

# examples/make_docx.py writes Word the way the template is filled in: its helpers serve here too.
make_docx = example_script("make_docx.py")

EN = {
    "title": "Checkout API outage after the v4.2.0 release",
    "labels": [("Incident date", "2024-03-12"), ("Author", "Jane Doe"), ("Post-mortem date", "2024-03-15"),
               ("Participants", "Jane Doe, Raj Patel, Lena Schmidt"), ("Team", "payments"),
               ("Service", "checkout_api"), ("Severity", "SEV1"), ("Cause category", "code")],
    "sections": [
        ("Executive Summary", "p", "The release of v4.2.0 leaked database connections: with pool_size * 2 "
                                   "retries, the checkout API answered <5% of requests for one hour."),
        ("Impact", "table", [["Metric", "Value"], ["Duration", "1h 0m"], ["Users affected", "~1,200"],
                             ["Failed requests", "45 000"], ["Lost transactions", "320"],
                             ["Estimated cost", "2 500€"]]),
        ("Timeline (UTC)", "table", [["Time", "Event"], ["14:00", "Deploy of v4.2.0 | canary skipped"],
                                     ["14:12", "First alert: error rate above 5%"],
                                     ["14:15", "On-call engineer acknowledges the page"],
                                     ["14:40", "Rollback to v4.1.9"], ["15:00", "Incident resolved"]]),
        ("Root Cause", "p", "The retry code added in v4.2.0 opened a new connection on every retry [sic]."),
        ("Root Cause", "whys", [("Why did the checkout API fail?", "The database connection pool was exhausted"),
                                ("Why was the pool exhausted?", "Each retry opened a connection that was never closed")]),
        ("What Went Well", "ul", ["The alert fired twelve minutes after the deploy",
                                  "The rollback was quick and safe"]),
        ("What Can Be Improved", "ul", ["No alert on the saturation of the connection pool"]),
        ("Corrective Actions", "table", [
            ["Action", "Owner", "Deadline", "Priority", "Status", "PR/Ticket"],
            ["Close connections in the retry path", "@raj", "2024-03-14", "High", "✅ Done",
             ("PR#812", "https://github.com/acme/checkout/pull/812")],
            ["Add a pool saturation alert", "@lena", "2024-03-22", "Medium", "🔄 In Progress", "OPS-41"],
            ["Load test retries on staging", "@jane", "2024-04-05", "Low", "⏳ Todo", "-"]]),
        ("Lessons Learned", "ul", ["Unit tests do not show leaks that only appear under load"]),
    ],
}

FR = {
    "title": "Panne du paiement après la mise en production 4.2",
    "labels": [("Date de l'incident", "12/03/2024"), ("Auteur", "Chloé Martin"),
               ("Date du post-mortem", "14/03/2024"), ("Participants", "Chloé Martin, Hugo Bernard"),
               ("Équipe", "paiement"), ("Service", "api_paiement"), ("Sévérité", "P2"),
               ("Catégorie de cause", "configuration")],
    "sections": [
        ("Résumé Exécutif", "p", "La mise en production 4.2 a saturé le pool de connexions : le paiement "
                                 "a été indisponible pendant 45 minutes pour les clients *premium*."),
        ("Impact", "table", [["Métrique", "Valeur"], ["Durée", "0h 45m"], ["Utilisateurs affectés", "800"],
                             ["Requêtes en erreur", "12 000"], ["Coût estimé", "1 500€"]]),
        ("Timeline", "table", [["Heure", "Événement"], ["09:00", "Déploiement de la version 4.2"],
                               ["09:10", "Première alerte : taux d'erreur > 5 %"],
                               ["09:30", "Rollback vers la version 4.1"], ["09:45", "Incident résolu"]]),
        ("Cause Racine", "p", "Le paramètre max_pool de la 4.2 valait 5 au lieu de 50."),
        ("Cause Racine", "whys", [("Pourquoi le paiement a-t-il échoué ?", "Le pool de connexions était saturé"),
                                  ("Pourquoi le pool était-il saturé ?", "Sa taille était passée de 50 à 5")]),
        ("Ce Qui a Bien Fonctionné", "ul", ["Le rollback a pris dix minutes"]),
        ("Ce Qui Peut Être Amélioré", "ul", ["Aucun test ne vérifie la configuration du pool",
                                            "L'alerte est arrivée tard"]),
        ("Actions Correctives", "table", [
            ["Action", "Responsable", "Échéance", "Priorité", "Statut", "PR/Ticket"],
            ["Tester la taille du pool en CI", "@hugo", "2024-03-20", "Haute", "🔄 En cours",
             ("PAY-77", "https://jira.example.com/browse/PAY-77")],
            ["Alerte sur la saturation du pool", "@chloe", "2024-03-29", "Moyenne", "⏳ À faire", "PAY-78"]]),
        ("Leçons Apprises", "ul", ["Une valeur de configuration se teste comme du code"]),
    ],
}


def _cell_text(cell) -> str:
    return cell[0] if isinstance(cell, tuple) else cell


def to_markdown(pm: dict) -> str:
    def cell(value):
        text, link = (value[0], value[1]) if isinstance(value, tuple) else (value, None)
        text = text.replace("|", "\\|")
        return f"[{text}]({link})" if link else text

    out = [f"# Post-Mortem: {pm['title']}", ""] + [f"**{k}**: {v}" for k, v in pm["labels"]]
    heading = None
    for name, kind, body in pm["sections"]:
        if name != heading:
            out += ["", f"## {name}"]
            heading = name
        out.append("")
        if kind == "p":
            out.append(body)
        elif kind == "ul":
            out += [f"- {item}" for item in body]
        elif kind == "whys":
            for n, (question, answer) in enumerate(body, start=1):
                first, rest = question.split(" ", 1)
                out += [f"{n}. **{first}** {rest}", f"   → {answer}", ""]
        elif kind == "table":
            out.append("| " + " | ".join(body[0]) + " |")
            out.append("|" + "---|" * len(body[0]))
            out += ["| " + " | ".join(cell(c) for c in row) + " |" for row in body[1:]]
    return "\n".join(out) + "\n"


def to_html(pm: dict) -> str:
    e = html.escape

    def cell(value, tag="td"):
        if isinstance(value, tuple):
            return f'<{tag}><a href="{e(value[1])}">{e(value[0])}</a></{tag}>'
        return f"<{tag}>{e(value)}</{tag}>"

    out = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{e(pm['title'])}</title></head><body>",
           f"<h1>{e(pm['title'])}</h1>"]
    out += [f"<p><strong>{e(k)}</strong>: {e(v)}</p>" for k, v in pm["labels"]]
    heading = None
    for name, kind, body in pm["sections"]:
        if name != heading:
            out.append(f"<h2>{e(name)}</h2>")
            heading = name
        if kind == "p":  # *word* is emphasis, as in the Markdown
            out.append("<p>" + re.sub(r"\*(\w+)\*", r"<em>\1</em>", e(body)) + "</p>")
        elif kind == "ul":
            out.append("<ul>" + "".join(f"<li>{e(i)}</li>" for i in body) + "</ul>")
        elif kind == "whys":
            items = []
            for question, answer in body:
                first, rest = question.split(" ", 1)
                items.append(f"<li><strong>{e(first)}</strong> {e(rest)}<br>→ {e(answer)}</li>")
            out.append("<ol>" + "".join(items) + "</ol>")
        elif kind == "table":
            head = "".join(cell(c, "th") for c in body[0])
            rows = "".join("<tr>" + "".join(cell(c) for c in row) + "</tr>" for row in body[1:])
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
    return "\n".join(out + ["</body></html>"]) + "\n"


def to_docx(pm: dict, path) -> None:
    document = docx.Document()
    document.add_heading(pm["title"], 0)
    for label, value in pm["labels"]:
        p = document.add_paragraph()
        p.add_run(label).bold = True
        p.add_run(f": {value}")
    heading = None
    for name, kind, body in pm["sections"]:
        if name != heading:
            document.add_heading(name, 1)
            heading = name
        if kind == "p":
            p = document.add_paragraph()
            for n, piece in enumerate(re.split(r"\*(\w+)\*", body)):
                p.add_run(piece).italic = n % 2 == 1
        elif kind == "ul":
            for item in body:
                document.add_paragraph(item, style="List Bullet")
        elif kind == "whys":
            make_docx.add_whys(document, body)
        elif kind == "table":
            table = document.add_table(rows=len(body), cols=len(body[0]))
            for r, row in enumerate(body):
                for c, value in enumerate(row):
                    if isinstance(value, tuple):
                        make_docx.hyperlink(table.cell(r, c).paragraphs[0], *value)
                    else:
                        table.cell(r, c).text = value
    document.save(path)


def rows_of(db, path) -> dict:
    """Every row the file produced, without the columns that depend on its path."""
    (pid,) = query(db, "SELECT postmortem_id FROM postmortems WHERE source_path = ?", [str(path)])[0]

    def table(name, exclude, order):
        return query(db, f"SELECT * EXCLUDE ({exclude}) FROM {name} WHERE postmortem_id = ? ORDER BY {order}",
                     [pid])

    con = duckdb.connect(str(db), read_only=True)
    try:
        cursor = con.execute("SELECT * EXCLUDE (postmortem_id, source_path, source_format, content_sha256, "
                             "ingested_at) FROM postmortems WHERE postmortem_id = ?", [pid])
        names = [d[0] for d in cursor.description]
        postmortem = [dict(zip(names, row)) for row in cursor.fetchall()]
    finally:
        con.close()
    return {
        "postmortem": postmortem,
        "actions": table("actions", "action_id, postmortem_id, source_path", "position"),
        "history": query(db, "SELECT h.status, h.observed_at, h.source = a.source_path FROM action_status_history h "
                             "JOIN actions a USING (action_id) WHERE a.postmortem_id = ? ORDER BY a.position",
                         [pid]),
        "timeline_events": table("timeline_events", "postmortem_id", "position"),
        "whys": table("whys", "postmortem_id", "position"),
        "learnings": table("learnings", "postmortem_id", "kind, position"),
        "causes": table("causes", "postmortem_id", "position"),
        "messages": query(db, "SELECT level, message FROM ingest_errors WHERE source_path = ? ORDER BY message",
                          [str(path)]),
    }


@pytest.fixture
def three(cli, db, exports):
    """The same post-mortem written three ways, each loaded into a database of its own (in one database
    the second and third would rightly be skipped as duplicates of the first)."""
    def load(pm: dict) -> dict:
        writers = {"md": lambda path: path.write_text(to_markdown(pm), encoding="utf-8"),
                   "html": lambda path: path.write_text(to_html(pm), encoding="utf-8"),
                   "docx": lambda path: to_docx(pm, path)}
        loaded = {}
        for ext, write in writers.items():
            path, target = exports / f"pm.{ext}", db.with_name(f"{ext}.duckdb")
            write(path)
            code, out, err = cli("ingest", path, "--db", target)
            assert code == 0, out + err
            assert "1 file(s) loaded" in out
            loaded[ext] = rows_of(target, path)
        return loaded

    return load


def test_english_postmortem_loads_the_same_from_markdown_html_and_word(three):
    loaded = three(EN)
    md = loaded["md"]
    # The Markdown rows are the reference; they are checked by hand first so that three empty loads
    # cannot pass: 3 actions, 5 timeline events, 2 whys, 2 + 1 + 1 learnings.
    assert [(a[0], a[1], a[6]) for a in md["actions"]] == [
        (1, "Close connections in the retry path", "PR#812"), (2, "Add a pool saturation alert", "OPS-41"),
        (3, "Load test retries on staging", None)]
    assert md["timeline_events"][0] == (1, datetime(2024, 3, 12, 14, 0), "start", "Deploy of v4.2.0 | canary skipped")
    assert len(md["timeline_events"]) == 5
    assert md["whys"][1] == (2, "Why was the pool exhausted?", "Each retry opened a connection that was never closed")
    assert len(md["learnings"]) == 4
    pm = md["postmortem"][0]
    assert (pm["title"], pm["incident_date"], pm["postmortem_date"]) == (EN["title"], date(2024, 3, 12),
                                                                       date(2024, 3, 15))
    assert (pm["service"], pm["users_affected"], pm["minutes_to_resolve"]) == ("checkout_api", 1200, 60.0)
    assert "pool_size * 2 retries, the checkout API answered <5% of requests" in pm["summary"]
    assert loaded["html"] == md
    assert loaded["docx"] == md


def test_french_postmortem_loads_the_same_from_markdown_html_and_word(three):
    loaded = three(FR)
    md = loaded["md"]
    # 12/03/2024 is day first; the two actions keep their tickets, the link's text for PAY-77.
    pm = md["postmortem"][0]
    assert (pm["incident_date"], pm["postmortem_date"], pm["team"]) == (date(2024, 3, 12), date(2024, 3, 14),
                                                                      "paiement")
    assert [(a[0], a[5], a[6]) for a in md["actions"]] == [(1, "in_progress", "PAY-77"), (2, "todo", "PAY-78")]
    assert [w[1] for w in md["whys"]] == ["Pourquoi le paiement a-t-il échoué ?", "Pourquoi le pool était-il saturé ?"]
    assert len(md["timeline_events"]) == 4 and len(md["learnings"]) == 4
    assert pm["summary"].endswith("pour les clients premium.")  # emphasis is formatting, not text
    assert loaded["html"] == md
    assert loaded["docx"] == md
