"""CSV exports: post-mortem rows, action rows, incidents lists, told apart by the header."""

from datetime import date, datetime

from conftest import ingest, query, scalar, write

POSTMORTEMS = """
id,title,incident_date,postmortem_date,severity,team,service,cause_category,tags,participants,time_to_resolve,users_affected
PM-501,DNS resolution failures,2024-07-01,2024-07-03,SEV2,platform,dns,environment;external,dns;network,Ana Ruiz;Ben Cole,1h 30m,5000
PM-502,Expired TLS certificate,15/07/2024,19/07/2024,Sev-1,security,edge,process,tls,Cyd Lo,45 min,~1200
"""

ACTIONS = """
postmortem_id,description,owner,due,priority,status,ticket
PM-501,Add a second DNS provider,@ana,2024-07-20,High,In progress,NET-12
PM-501,Alert on resolver error rate,@ben,2024-07-10,Medium,Done,NET-13
PM-502,Automate certificate renewal,@cyd,30/07/2024,P0,À faire,SEC-7
"""

INCIDENTS = """
incident_id,severity,started_at,resolved_at,customer_impact,postmortem_id
INC-1,Sev-1,2024-07-01T08:00:00Z,2024-07-01T09:30:00Z,yes,PM-501
INC-2,P3,2024-07-05T16:00:00+02:00,2024-07-05T16:20:00+02:00,no,
"""


def test_postmortem_rows(cli, db, exports):
    ingest(cli, db, write(exports, "postmortems.csv", POSTMORTEMS))
    assert query(db, "SELECT postmortem_id, title, incident_date, postmortem_date, days_to_postmortem, severity, "
                     "team, service, minutes_to_resolve, users_affected, source_format "
                     "FROM postmortems ORDER BY postmortem_id") == [
        ("PM-501", "DNS resolution failures", date(2024, 7, 1), date(2024, 7, 3), 2, "P2", "platform", "dns",
         90.0, 5000, "csv"),
        ("PM-502", "Expired TLS certificate", date(2024, 7, 15), date(2024, 7, 19), 4, "P1", "security", "edge",
         45.0, 1200, "csv"),
    ]


def test_postmortem_rows_semicolon_lists(cli, db, exports):
    ingest(cli, db, write(exports, "postmortems.csv", POSTMORTEMS))
    assert query(db, "SELECT participants, tags, primary_cause_category FROM postmortems WHERE "
                     "postmortem_id = 'PM-501'") == [(["Ana Ruiz", "Ben Cole"], ["dns", "network"], "environment")]
    assert query(db, "SELECT position, category, is_primary FROM causes WHERE postmortem_id = 'PM-501' "
                     "ORDER BY position") == [(1, "environment", True), (2, "external", False)]


def test_actions_csv_attaches_to_postmortems_from_another_file(cli, db, exports):
    write(exports, "postmortems.csv", POSTMORTEMS)
    write(exports, "actions.csv", ACTIONS)
    out = ingest(cli, db, exports)
    assert "2 post-mortem(s), 3 action(s)" in out
    assert query(db, "SELECT a.action_id, p.title, a.position, a.description, a.owner, a.due_date, a.priority, "
                     "a.status, a.ticket FROM actions a JOIN postmortems p USING (postmortem_id) "
                     "ORDER BY a.action_id") == [
        ("PM-501-A1", "DNS resolution failures", 1, "Add a second DNS provider", "@ana", date(2024, 7, 20),
         "high", "in_progress", "NET-12"),
        ("PM-501-A2", "DNS resolution failures", 2, "Alert on resolver error rate", "@ben", date(2024, 7, 10),
         "medium", "done", "NET-13"),
        ("PM-502-A1", "Expired TLS certificate", 1, "Automate certificate renewal", "@cyd", date(2024, 7, 30),
         "high", "todo", "SEC-7"),
    ]


def test_actions_csv_before_its_postmortem_is_linked_later(cli, db, exports):
    actions = write(exports, "actions.csv", ACTIONS)
    ingest(cli, db, actions)
    assert scalar(db, "SELECT count(*) FROM actions") == 3
    assert scalar(db, "SELECT count(*) FROM postmortems") == 0
    ingest(cli, db, write(exports, "postmortems.csv", POSTMORTEMS))
    assert query(db, "SELECT p.postmortem_id, count(*) FROM actions a JOIN postmortems p USING (postmortem_id) "
                     "GROUP BY 1 ORDER BY 1") == [("PM-501", 2), ("PM-502", 1)]


def test_actions_csv_for_a_markdown_postmortem(cli, db, exports):
    write(exports, "dns.md", """
        ---
        id: PM-601
        ---
        # Post-Mortem: Resolver crash

        **Incident date**: 2024-08-01
        """)
    write(exports, "actions.csv", "postmortem_id,description,owner,status\nPM-601,Upgrade the resolver,@ana,✅\n")
    ingest(cli, db, exports)
    assert query(db, "SELECT action_id, postmortem_id, description, owner, status FROM actions") == [
        ("PM-601-A1", "PM-601", "Upgrade the resolver", "@ana", "done")]


def test_incidents_list(cli, db, exports):
    out = ingest(cli, db, write(exports, "incidents.csv", INCIDENTS))
    assert "2 incident(s)" in out
    assert query(db, "SELECT incident_id, severity, started_at, resolved_at, customer_impact, postmortem_id "
                     "FROM incidents ORDER BY incident_id") == [
        ("INC-1", "P1", datetime(2024, 7, 1, 8, 0), datetime(2024, 7, 1, 9, 30), True, "PM-501"),
        ("INC-2", "P3", datetime(2024, 7, 5, 14, 0), datetime(2024, 7, 5, 14, 20), False, None),
    ]
    assert scalar(db, "SELECT count(*) FROM postmortems") == 0


def test_semicolon_separated_csv(cli, db, exports):
    text = "id;title;incident_date;severity;team\nPM-701;Login loop;2024-09-02;P2;identity\n"
    ingest(cli, db, write(exports, "export.csv", text))
    assert query(db, "SELECT postmortem_id, title, incident_date, severity, team FROM postmortems") == [
        ("PM-701", "Login loop", date(2024, 9, 2), "P2", "identity")]


def test_csv_with_unknown_header_is_rejected(cli, db, exports):
    bad = write(exports, "budget.csv", "quarter,amount,currency\nQ1,1200,EUR\n")
    write(exports, "incidents.csv", INCIDENTS)
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 1
    rejected = [line for line in out.splitlines() if line.startswith("REJECTED")]
    assert len(rejected) == 1 and str(bad) in rejected[0], out
    assert "1 file(s) loaded, 0 unchanged, 1 rejected" in out
    assert scalar(db, "SELECT count(*) FROM incidents") == 2
    assert query(db, "SELECT level FROM ingest_errors WHERE source_path = ?", [str(bad)]) == [("error",)]
    assert query(db, "SELECT status FROM source_files WHERE source_path = ?", [str(bad)]) == [("rejected",)]


def test_csv_with_bom_and_crlf(cli, db, exports):
    text = "\ufeff" + INCIDENTS.lstrip("\n").replace("\n", "\r\n")
    path = exports / "incidents.csv"
    path.write_bytes(text.encode("utf-8"))
    ingest(cli, db, path)
    assert query(db, "SELECT incident_id, severity, postmortem_id FROM incidents ORDER BY incident_id") == [
        ("INC-1", "P1", "PM-501"), ("INC-2", "P3", None)]
