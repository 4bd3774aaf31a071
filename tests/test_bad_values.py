"""Values the database cannot hold (issue 9 §2, §5): through the real CLI, a bad value is a warning
naming the field and its line, the value is left empty, and the rest of the file and of the batch
loads. Before, one such value aborted the whole run or rejected the whole file."""

from __future__ import annotations

import json

import pytest

from conftest import query, scalar, write

OTHER = {"id": "PM-OK", "title": "Disque plein", "incident_date": "2024-02-01", "severity": "P3"}
HUGE = "1" + "0" * 400


def _ingest(cli, db, exports):
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    assert "Traceback" not in out + err
    return out


def _warnings(db, path):
    return query(db, "SELECT line, message FROM ingest_errors WHERE source_path = ? AND level = 'warning' "
                     "ORDER BY line, message", [str(path.resolve())])


def _pm_json(**fields) -> str:
    # One key per line, so each field's line is its position: "{" is line 1, "id" line 2, ...
    record = {"id": "PM-1", "title": "Cache saturé", "incident_date": "2024-05-02", **fields}
    return json.dumps(record, indent=0)


@pytest.mark.parametrize("raw, shown", [
    pytest.param("1000000000000000000000000000000", "'1000000000000000000000000000000' is too large for a count",
                 id="bare-31-digits"),
    pytest.param('"' + HUGE + '"', "is too long for a number (at most 300 characters)", id="string-401-digits"),
    pytest.param(HUGE, "is too long for a number (at most 300 characters)", id="bare-401-digits"),
    pytest.param("1" + "0" * 5000, "is too long for a number", id="bare-5001-digits"),  # past int()'s limit
    pytest.param("1e400", "'inf' is too large for a number", id="float-overflow"),
])
def test_count_out_of_range_in_json_is_a_warning_and_the_batch_loads(cli, db, exports, raw, shown):
    write(exports, "other.json", json.dumps(OTHER))
    pm = exports / "pm.json"
    pm.write_text(_pm_json(users_affected="@@").replace('"@@"', raw), encoding="utf-8")
    _ingest(cli, db, exports)
    (line, message), = [w for w in _warnings(db, pm) if w[1].startswith("users affected")]
    assert line == 5  # {, id, title, incident_date, users_affected
    assert shown in message and message.endswith("; left empty")
    assert query(db, "SELECT postmortem_id, title, users_affected FROM postmortems ORDER BY 1") == [
        ("PM-1", "Cache saturé", None), ("PM-OK", "Disque plein", None)]


def test_cost_that_overflows_is_a_warning(cli, db, exports):
    pm = exports / "pm.json"
    pm.write_text(_pm_json(estimated_cost="@@", failed_requests=12).replace('"@@"', "1e400"), encoding="utf-8")
    _ingest(cli, db, exports)
    assert (5, "estimated cost: 'inf' is too large for a number; left empty") in _warnings(db, pm)
    assert query(db, "SELECT estimated_cost, failed_requests FROM postmortems") == [(None, 12)]


def test_count_out_of_range_in_yaml_is_a_warning_with_its_line(cli, db, exports):
    pm = write(exports, "pm.yaml", f"""
        id: PM-1
        title: Cache saturé
        incident_date: 2024-05-02
        lost_transactions: {HUGE}
        users_affected: 99999999999999999999
    """)
    _ingest(cli, db, exports)
    warnings = _warnings(db, pm)
    # Messages quote a long value's first 77 characters only.
    assert (4, f"lost transactions: '{HUGE[:77]}…' (401 characters) is too long for a number "
               "(at most 300 characters); not read; left empty") in warnings
    assert (5, "users affected: '99999999999999999999' is too large for a count (at most 9,223,372,036,854,775,807); "
               "left empty") in warnings
    assert query(db, "SELECT title, lost_transactions, users_affected FROM postmortems") == [
        ("Cache saturé", None, None)]


ACTIONS_CSV = """\
postmortem_id,description,owner,status,position
PM-1,Augmenter le cache,@ops,todo,1
PM-1,Ajouter une alerte,@dev,todo,99999999999
PM-1,Documenter,@dev,todo,3
"""


def test_csv_action_position_beyond_integer_takes_the_next_free_position(cli, db, exports):
    write(exports, "pm.json", _pm_json())
    actions = write(exports, "actions.csv", ACTIONS_CSV)
    write(exports, "other.json", json.dumps(OTHER))
    _ingest(cli, db, exports)
    assert _warnings(db, actions) == [
        (3, "position: '99999999999' is not a position (a whole number from 0 to 2,147,483,647); "
            "the action takes the next free position")]
    # The bad row follows position 1, the highest so far, so it takes 2; the next row says 3.
    assert query(db, "SELECT action_id, position, description FROM actions ORDER BY action_id") == [
        ("PM-1-A1", 1, "Augmenter le cache"), ("PM-1-A2", 2, "Ajouter une alerte"), ("PM-1-A3", 3, "Documenter")]
    assert scalar(db, "SELECT count(*) FROM postmortems") == 2


def test_deeply_nested_json_is_rejected_and_the_rest_loads(cli, db, exports):
    write(exports, "other.json", json.dumps(OTHER))
    deep = exports / "deep.json"
    deep.write_text('{"id": "PM-DEEP", "tags": ' + "[" * 5000 + "]" * 5000 + "}", encoding="utf-8")
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 1, out + err
    assert query(db, "SELECT message FROM ingest_errors WHERE source_path = ? AND level = 'error'",
                 [str(deep.resolve())]) == [("not accepted: nested more than 50 levels deep",)]
    assert query(db, "SELECT postmortem_id FROM postmortems") == [("PM-OK",)]


def test_a_parser_bug_rejects_one_file_with_a_plain_message(cli, db, exports, monkeypatch):
    # Fault injection: a reader that crashes stands for any bug still hidden in a parser.
    import pipeline.tabular

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(pipeline.tabular, "csv_kind", crash)
    write(exports, "other.json", json.dumps(OTHER))
    bad = write(exports, "actions.csv", ACTIONS_CSV)
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 1, out + err
    message = "could not be read: internal error while parsing this CSV file; please report it"
    assert query(db, "SELECT line, message FROM ingest_errors WHERE source_path = ?", [str(bad.resolve())]) == [
        (None, message)]
    assert f"REJECTED {bad.resolve()}: {message}" in out
    assert "RuntimeError" not in out + err and "boom" not in out + err and "Traceback" not in out + err
    assert query(db, "SELECT postmortem_id FROM postmortems") == [("PM-OK",)]
