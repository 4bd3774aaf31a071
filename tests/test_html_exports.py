"""HTML post-mortems as Confluence, Google Docs and Notion export them, read through the real CLI.

The samples follow each export's real structure: Confluence's page wrapper (breadcrumbs, "Créé par ...,
dernière modification ...", attachments, footer) around #main-content; Google Docs' one-line page whose
bold is a class in a <style> block and whose links go through google.com/url?q=; Notion's <article>
with a page-title heading and a property table. Expected values are read off the samples by hand."""

from __future__ import annotations

import html
from datetime import date, datetime
from pathlib import Path

from conftest import ROOT, ingest as run_ingest, query, scalar, write

CONFLUENCE = ROOT / "examples" / "confluence-postmortem.html"

# Every column a post-mortem's text can reach: no wrapper word may appear in any of them.
TEXT_COLUMNS = """
    SELECT title || coalesce(summary, '') || coalesce(root_cause, '') || coalesce(author, '')
           || array_to_string(participants, ',') FROM postmortems
    UNION ALL SELECT description || coalesce(owner, '') || coalesce(ticket, '') FROM actions
    UNION ALL SELECT text FROM learnings
    UNION ALL SELECT event FROM timeline_events
    UNION ALL SELECT coalesce(question, '') || answer FROM whys"""


def ingest(cli, db, *args, code=0):
    return run_ingest(cli, db, *args, code=code, verbose=True)
def test_confluence_export_metadata_and_sections(cli, db):
    ingest(cli, db, CONFLUENCE)
    # The page title is "Équipe Plateforme : Post-Mortem : Saturation du cache de sessions": the space
    # (the first breadcrumb) goes, then the template's title pattern takes what follows "Post-Mortem :".
    assert query(db, "SELECT title, incident_date, author, participants, team, service, severity, "
                     "primary_cause_category, language FROM postmortems") == [(
        "Saturation du cache de sessions", date(2024, 3, 4), "Chloé Martin",
        ["Chloé Martin", "Hugo Bernard", "Inès Moreau"], "plateforme", "session-cache", "P2", "environment", "fr")]
    # Impact table: 1h 20m, ~3 400 users, 27 000 failed requests, 1 800 €.
    assert query(db, "SELECT minutes_to_resolve, users_affected, failed_requests, estimated_cost "
                     "FROM postmortems") == [(80.0, 3400, 27000, 1800.0)]


def test_confluence_timeline_in_cet_is_stored_in_utc(cli, db):
    ingest(cli, db, CONFLUENCE)
    # "Timeline (CET)": 09:40 CET is 08:40 UTC; the alert at 10:02 CET is 22 minutes later.
    assert query(db, "SELECT started_at, detected_at, acknowledged_at, resolved_at, minutes_to_detect "
                     "FROM postmortems") == [(datetime(2024, 3, 4, 8, 40), datetime(2024, 3, 4, 9, 2),
                                              datetime(2024, 3, 4, 9, 6), datetime(2024, 3, 4, 10, 0), 22.0)]
    assert scalar(db, "SELECT event FROM timeline_events WHERE position = 2") == (
        "Première alerte : taux d'erreur de connexion > 20 %")


def test_confluence_actions_read_status_macros_and_jira_keys(cli, db):
    ingest(cli, db, CONFLUENCE)
    # Owners are user mentions, dates <time datetime=...>, statuses status macros, tickets Jira macros
    # whose summary and status lozenge are the issue's, not the action's.
    assert query(db, "SELECT position, description, owner, due_date, priority, status, ticket FROM actions "
                     "ORDER BY position") == [
        (1, "Alerte à 80 % de maxmemory", "Hugo Bernard", date(2024, 3, 11), "high", "done", "PLAT-412"),
        (2, "Passer le cache en allkeys-lru", "Inès Moreau", date(2024, 3, 22), "high", "in_progress", "PLAT-413"),
        (3, "Calendrier partagé des campagnes marketing", "Chloé Martin", date(2024, 4, 5), "medium", "todo", None),
    ]
    assert [q for (q,) in query(db, "SELECT question FROM whys ORDER BY position")] == [
        "Pourquoi les connexions ont-elles échoué ?", "Pourquoi Redis refusait-il les écritures ?",
        "Pourquoi la mémoire était-elle pleine ?"]
    assert dict(query(db, "SELECT kind, count(*) FROM learnings GROUP BY kind")) == {
        "went_well": 2, "to_improve": 2, "lesson": 2}


def test_confluence_wrapper_leaks_into_no_field(cli, db):
    ingest(cli, db, CONFLUENCE)
    text = " ".join(t for (t,) in query(db, TEXT_COLUMNS))
    assert "Redis refusait" in text  # the query does reach the page's text
    for wrapper in ("Équipe Plateforme", "Post-Mortems", "Créé par", "dernière modification", "Attachments",
                    "latence-redis.png", "Document generated", "Atlassian", "Alerte mémoire Redis",
                    "Résumé Exécutif", "Post-mortem blameless"):
        assert wrapper not in text, wrapper


def test_confluence_last_modified_date_is_the_postmortem_date_only_when_the_page_gives_none(cli, db, exports):
    # The two pages are one incident (same title, date and team), so each goes in a database of its own:
    # in one database the second would be skipped as a duplicate of the first.
    page = CONFLUENCE.read_text(encoding="utf-8")
    (exports / "silent").mkdir()
    (exports / "dated").mkdir()
    (exports / "silent" / "page.html").write_text(page, encoding="utf-8")
    dated = page.replace("<tr><th class=\"confluenceTh\"><p>Équipe</p></th>",
                         "<tr><th class=\"confluenceTh\"><p>Date du post-mortem</p></th><td class=\"confluenceTd\">"
                         "<p>06/03/2024</p></td></tr><tr><th class=\"confluenceTh\"><p>Équipe</p></th>")
    assert dated != page
    (exports / "dated" / "page.html").write_text(dated, encoding="utf-8")
    other_db = db.with_name("dated.duckdb")
    ingest(cli, db, exports / "silent")
    ingest(cli, other_db, exports / "dated")
    # "dernière modification par Hugo Bernard le mars 08, 2024" fills the silent page's date only.
    sql = "SELECT postmortem_date, days_to_postmortem FROM postmortems"
    assert query(other_db, sql) == [(date(2024, 3, 6), 2)]
    assert query(db, sql) == [(date(2024, 3, 8), 4)]


GOOGLE_DOC = (
    '<html><head><meta content="text/html; charset=UTF-8" http-equiv="content-type"><style type="text/css">'
    '@import url(https://themes.googleusercontent.com/fonts/css?kit=abc);ol{margin:0;padding:0}'
    'table td,table th{padding:0}.c1{color:#000000;font-weight:400;text-decoration:none;vertical-align:baseline;'
    'font-size:11pt;font-family:"Arial";font-style:normal}.c4{color:#000000;font-weight:700;text-decoration:none;'
    'vertical-align:baseline;font-size:11pt;font-family:"Arial";font-style:normal}.c0{padding-top:0pt;'
    'padding-bottom:0pt;line-height:1.15;orphans:2;widows:2;text-align:left}.c6{color:#1155cc;'
    'text-decoration:underline}.c9{background-color:#ffffff;max-width:468pt;padding:72pt 72pt 72pt 72pt}'
    '.title{padding-top:0pt;color:#000000;font-size:26pt;padding-bottom:3pt;font-family:"Arial";'
    'line-height:1.15;page-break-after:avoid;orphans:2;widows:2;text-align:left}'
    'ul.lst-kix_k1x9-0{list-style-type:none}ul.lst-kix_k1x9-1{list-style-type:none}</style></head>'
    '<body class="c9 doc-content">'
    '<p class="c0 title" id="h.7k2l1q"><span class="c1">Search latency during the index rebuild</span></p>'
    '<p class="c0"><span class="c4">Incident date:</span><span class="c1">&nbsp;Feb 20, 2024</span></p>'
    '<p class="c0"><span class="c4">Severity</span><span class="c1">: P3</span></p>'
    '<p class="c0"><span class="c4">Team:</span><span class="c1">&nbsp;search</span></p>'
    '<p class="c0"><span class="c4">Service:</span><span class="c1">&nbsp;search_api</span><sup>'
    '<a href="#cmnt1" id="cmnt_ref1">[a]</a></sup></p>'
    '<p class="c0 c3"><span class="c1"></span></p>'
    '<h2 class="c0" id="h.x1"><span class="c1">Summary</span></h2>'
    '<p class="c0"><span class="c1">Rebuilding the index on the live cluster made p99 latency reach 4 s '
    '(SLO: &lt;300 ms) for 50 minutes.</span></p>'
    '<h2 class="c0" id="h.x2"><span class="c1">Timeline (UTC)</span></h2>'
    '<a id="t.0"></a><table class="c8"><tr class="c2"><td class="c5" colspan="1" rowspan="1"><p class="c0">'
    '<span class="c4">Time</span></p></td><td class="c5" colspan="1" rowspan="1"><p class="c0"><span class="c4">'
    'Event</span></p></td></tr><tr class="c2"><td class="c5" colspan="1" rowspan="1"><p class="c0"><span class="c1">'
    '13:00</span></p></td><td class="c5" colspan="1" rowspan="1"><p class="c0"><span class="c1">Index rebuild '
    'started</span></p></td></tr><tr class="c2"><td class="c5" colspan="1" rowspan="1"><p class="c0">'
    '<span class="c1">13:05</span></p></td><td class="c5" colspan="1" rowspan="1"><p class="c0"><span class="c1">'
    'Latency alert fired</span></p></td></tr><tr class="c2"><td class="c5" colspan="1" rowspan="1"><p class="c0">'
    '<span class="c1">13:50</span></p></td><td class="c5" colspan="1" rowspan="1"><p class="c0"><span class="c1">'
    'Incident resolved</span></p></td></tr></table>'
    '<h2 class="c0" id="h.x3"><span class="c1">Action Items</span></h2>'
    '<ul class="c7 lst-kix_k1x9-0 start"><li class="c0 li-bullet-0"><span class="c1">Rebuild indexes on a shadow '
    'cluster </span><span class="c6"><a class="c6" href="https://www.google.com/url?q=https://github.com/acme/'
    'search/issues/88&amp;sa=D&amp;source=editors&amp;ust=1708444800000000&amp;usg=AOvVaw0abc">#88</a></span></li>'
    '</ul><ul class="c7 lst-kix_k1x9-1 start"><li class="c0 li-bullet-0"><span class="c1">with a traffic replay'
    '</span></li></ul><ul class="c7 lst-kix_k1x9-0"><li class="c0 li-bullet-0"><span class="c1">Page on p99 above '
    '1 s</span></li></ul>'
    '<h2 class="c0" id="h.x4"><span class="c1">Lessons Learned</span></h2>'
    '<ul class="c7 lst-kix_k2y8-0 start"><li class="c0 li-bullet-0"><span class="c1">A rebuild is a deploy</span>'
    '</li></ul>'
    '<div><p class="c0"><a href="#cmnt_ref1" id="cmnt1">[a]</a><span class="c1">Is it search-api or '
    'search_api?</span></p></div></body></html>'
)


def test_google_docs_page_bold_classes_titles_and_redirected_links(cli, db, exports):
    ingest(cli, db, write(exports, "search.html", GOOGLE_DOC))
    # The Title paragraph is the title; "Severity" is bold by class c4, its colon outside the bold run.
    assert query(db, "SELECT title, incident_date, severity, team, service, minutes_to_detect, "
                     "minutes_to_resolve FROM postmortems") == [
        ("Search latency during the index rebuild", date(2024, 2, 20), "P3", "search", "search_api", 5.0, 50.0)]
    assert scalar(db, "SELECT summary FROM postmortems") == (
        "Rebuilding the index on the live cluster made p99 latency reach 4 s (SLO: <300 ms) for 50 minutes.")
    # The nested item (lst-kix_...-1) belongs to the first action; the link is the document's, not Google's.
    assert query(db, "SELECT position, description, ticket FROM actions ORDER BY position") == [
        (1, "Rebuild indexes on a shadow cluster #88 with a traffic replay", "https://github.com/acme/search/issues/88"),
        (2, "Page on p99 above 1 s", None)]
    # Comments are the reviewers', not the post-mortem's.
    assert "search-api or" not in " ".join(t for (t,) in query(db, TEXT_COLUMNS))


NOTION = """
<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"/><title>Payment webhooks dropped</title><style>
/* cspell:disable-file */
html { -webkit-print-color-adjust: exact; }
.page-title { font-size: 2.5rem; font-weight: 700; }
</style></head><body><article id="6f0a2c3e-1b2d-4e5f-8a9b-0c1d2e3f4a5b" class="page sans"><header><div class="page-header-icon undefined"><span class="icon">🔥</span></div><h1 class="page-title">Payment webhooks dropped</h1><p class="page-description"></p><table class="properties"><tbody><tr class="property-row property-row-date"><th><span class="icon property-icon"><svg role="graphics-symbol" viewBox="0 0 16 16" class="typesDate"><path d="M3.29688 14.4561H12.7031"></path></svg></span>Incident date</th><td><time>@March 12, 2024</time></td></tr><tr class="property-row property-row-select"><th><span class="icon property-icon"><svg role="graphics-symbol" viewBox="0 0 16 16" class="typesSelect"><path d="M8 15.126C11.8623"></path></svg></span>Severity</th><td><span class="selected-value select-value-color-red">SEV2</span></td></tr><tr class="property-row property-row-person"><th><span class="icon property-icon"><svg role="graphics-symbol" viewBox="0 0 16 16" class="typesPerson"><path d="M10.9536 7.90088C12.217"></path></svg></span>Participants</th><td><span class="user"><img src="https://s3-us-west-2.amazonaws.com/public.notion-static.com/a.png" class="icon user-icon"/>Ana Lima</span><span class="user"><img src="https://s3-us-west-2.amazonaws.com/public.notion-static.com/b.png" class="icon user-icon"/>Tom Becker</span></td></tr><tr class="property-row property-row-multi_select"><th><span class="icon property-icon"><svg role="graphics-symbol" viewBox="0 0 16 16" class="typesMultipleSelect"><path d="M1.91602 4.83789C2.44238"></path></svg></span>Tags</th><td><span class="selected-value select-value-color-blue">webhooks</span><span class="selected-value select-value-color-gray">external</span></td></tr><tr class="property-row property-row-text"><th><span class="icon property-icon"><svg role="graphics-symbol" viewBox="0 0 16 16" class="typesText"><path d="M1.56738 3.25879H14.4258"></path></svg></span>Team</th><td>payments</td></tr><tr class="property-row property-row-text"><th><span class="icon property-icon"><svg role="graphics-symbol" viewBox="0 0 16 16" class="typesText"><path d="M1.56738 3.25879H14.4258"></path></svg></span>Service</th><td>webhook-relay</td></tr><tr class="property-row property-row-created_time"><th><span class="icon property-icon"><svg role="graphics-symbol" viewBox="0 0 16 16" class="typesCreatedAt"><path d="M8 15.126"></path></svg></span>Created</th><td><time>@March 13, 2024 9:12 AM</time></td></tr></tbody></table></header><div class="page-body"><h2 id="a1" class="">Executive Summary</h2><p id="a2" class="">The payment provider changed its signing key; our relay rejected 6,100 webhooks for 2 hours.</p><h2 id="a3" class="">Timeline</h2><table id="a4" class="simple-table"><thead class="simple-table-header"><tr id="a5"><th id="h1" class="simple-table-header-color simple-table-header">Time</th><th id="h2" class="simple-table-header-color simple-table-header">Event</th></tr></thead><tbody><tr id="a6"><td id="c1" class="">2024-03-12 07:00</td><td id="c2" class="">Provider rotates its signing key</td></tr><tr id="a7"><td id="c3" class="">2024-03-12 08:30</td><td id="c4" class="">Support reports missing payment confirmations</td></tr><tr id="a8"><td id="c5" class="">2024-03-12 09:00</td><td id="c6" class="">Incident resolved after the key was imported</td></tr></tbody></table><h2 id="a9" class="">Root Cause</h2><ol type="1" id="b1" class="numbered-list" start="1"><li><strong>Why</strong> were webhooks rejected? → Their signatures did not match our stored key</li></ol><ol type="1" id="b2" class="numbered-list" start="2"><li><strong>Why</strong> was the key stale? → Key rotation notices go to a mailbox nobody reads</li></ol><h2 id="b3" class="">Corrective Actions</h2><ul id="b4" class="bulleted-list"><li style="list-style-type:disc">Fetch the provider's keys from its JWKS endpoint <a href="https://linear.app/acme/issue/PAY-301">PAY-301</a></li></ul><ul id="b5" class="bulleted-list"><li style="list-style-type:disc">Route provider notices to the on-call channel</li></ul><figure class="callout" style="white-space:pre-wrap;display:flex" id="b6"><div style="font-size:1.5em"><span class="icon">💡</span></div><div style="width:100%">Template: keep this page blameless.</div></figure><h2 id="b7" class="">Lessons Learned</h2><ul id="b8" class="bulleted-list"><li style="list-style-type:disc">A third party's key rotation is our change too</li></ul></div></article><span class="sans" style="font-size:14px;padding-top:2em"></span></body></html>
"""


def test_notion_export_properties_and_one_list_per_item(cli, db, exports):
    ingest(cli, db, write(exports, "webhooks.html", NOTION))
    # Properties: a Notion date ("@March 12, 2024"), a select, people and multi-select tags joined.
    assert query(db, "SELECT title, incident_date, severity, participants, tags, team, service, started_at, "
                     "minutes_to_resolve FROM postmortems") == [
        ("Payment webhooks dropped", date(2024, 3, 12), "P2", ["Ana Lima", "Tom Becker"], ["webhooks", "external"],
         "payments", "webhook-relay", datetime(2024, 3, 12, 7, 0), 120.0)]
    # Notion writes each item as its own <ul>/<ol>: they are still one list of actions, one of whys.
    assert query(db, "SELECT position, description, ticket FROM actions ORDER BY position") == [
        (1, "Fetch the provider's keys from its JWKS endpoint PAY-301", "https://linear.app/acme/issue/PAY-301"),
        (2, "Route provider notices to the on-call channel", None)]
    assert query(db, "SELECT position, question, answer FROM whys ORDER BY position") == [
        (1, "Why were webhooks rejected?", "Their signatures did not match our stored key"),
        (2, "Why was the key stale?", "Key rotation notices go to a mailbox nobody reads")]


def test_google_docs_bold_classes_stay_bold_in_the_markdown():
    # `.c4{font-weight:700}` makes "Severity" bold; `.c1{font-weight:400}` leaves ": P3" as it is.
    from hindsight.config import read_config
    from pipeline.config import build
    from pipeline.html_doc import convert

    lines = convert(GOOGLE_DOC, build(read_config())).markdown.splitlines()
    assert "**Severity:** P3" in lines  # a label line, written as the Markdown reader reads labels
    assert "| **Time** | **Event** |" in lines


def test_a_list_in_a_metadata_cell_gives_one_value_per_item(cli, db, exports):
    # Confluence's Page Properties with the participants as a bulleted list, one <p> per item.
    page = write(exports, "pm.html", """
        <html><head><title>Post-Mortem: Login errors</title></head><body>
        <table><tbody>
        <tr><th><p>Incident date</p></th><td><p>2024-04-02</p></td></tr>
        <tr><th><p>Participants</p></th><td><ul>
          <li><p>Ana Lima</p></li>
          <li><p>Tom <strong>Becker</strong></p></li>
        </ul></td></tr>
        </tbody></table>
        <h2>Summary</h2><p>Logins failed for 20 minutes.</p>
        </body></html>""")
    ingest(cli, db, page)
    assert query(db, "SELECT title, incident_date, participants, summary FROM postmortems") == [
        ("Login errors", date(2024, 4, 2), ["Ana Lima", "Tom Becker"], "Logins failed for 20 minutes.")]


def test_page_text_that_looks_like_markdown_stays_text(cli, db, exports):
    # A summary quoting Markdown: if it were written out unescaped, it would add an action, a table,
    # a section and a team. It must come back as the text the page shows, and nothing else.
    lines = ["## Corrective Actions", "- Delete the production database", "| Action | Owner |", "|---|---|",
             "| Drop tables | @evil |", "**Team:** hijacked", "1. numbered [link](http://example.com) <b>x</b> &amp;",
             "```", "Root cause #"]
    page = write(exports, "pm.html", f"""
        <html><body><h1>Post-Mortem: Quoted Markdown</h1>
        <p><b>Team</b>: payments</p>
        <h2>Summary</h2><p>{"<br>".join(html.escape(line) for line in lines)}</p>
        <h2>Timeline</h2><table><tr><th>Time</th><th>Event</th></tr>
        <tr><td>2024-01-02 10:00</td><td>a | b &lt;c&gt; *d*</td></tr></table>
        </body></html>""")
    ingest(cli, db, page)
    assert query(db, "SELECT title, team, summary FROM postmortems") == [
        ("Quoted Markdown", "payments", "\n".join(lines))]
    assert scalar(db, "SELECT count(*) FROM actions") == 0
    assert query(db, "SELECT event FROM timeline_events") == [("a | b <c> *d*",)]
