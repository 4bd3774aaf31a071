"""analytics.base.frame_with_lists: a query's rows as ``frame`` gives them, with its LIST columns as Python
lists (the escalation listing's evidence, evidence titles and action ids), read through Arrow."""

from __future__ import annotations

import datetime as dt

import duckdb

from analytics.base import frame, frame_with_lists

SQL = """SELECT * FROM (VALUES
    (1, 'a', DATE '2026-01-26', ['PM-1', 'PM-2'], ['x']),
    (2, NULL, NULL, [], NULL),
    (3, 'c', DATE '2026-02-01', ['PM-3', NULL], ['y', 'z'])) t(n, word, day, ids, other)
    ORDER BY n"""


def test_lists_are_python_lists_and_the_rest_is_as_frame_gives_it(tmp_path):
    con = duckdb.connect(str(tmp_path / "t.duckdb"))
    table = frame_with_lists(con, SQL, lists=("ids", "other"))
    assert list(table.columns) == ["n", "word", "day", "ids", "other"]
    assert table["ids"].tolist() == [["PM-1", "PM-2"], [], ["PM-3", None]]
    assert table["other"].tolist() == [["x"], None, ["y", "z"]]
    assert all(type(v) is list for v in table["ids"])
    # the other columns as pyarrow gives them; dates as dates, not timestamps as .df() has them
    assert table["n"].tolist() == [1, 2, 3]
    assert table["word"].tolist() == ["a", None, "c"]
    assert table["day"].tolist() == [dt.date(2026, 1, 26), None, dt.date(2026, 2, 1)]
    assert frame(con, SQL)["day"].tolist()[0] == dt.datetime(2026, 1, 26)

def test_parameters_are_bound(tmp_path):
    con = duckdb.connect(str(tmp_path / "t.duckdb"))
    table = frame_with_lists(con, "SELECT $word AS word, [$word, $word] AS pair", {"word": "it's"}, lists=("pair",))
    assert table.to_dict("records") == [{"word": "it's", "pair": ["it's", "it's"]}]


def test_a_column_a_file_predates_reads_as_null(tmp_path):
    # analytics.base.column_or_null, on a file as db.connect_readonly opens it (attached as "hindsight"): a
    # column the table has is read as it is; one it lacks, as a NULL of the asked type named like it
    from analytics.base import column_or_null
    from analytics.db import connect_readonly

    path = tmp_path / "old.duckdb"
    writer = duckdb.connect(str(path))
    writer.execute("CREATE TABLE actions (action_id VARCHAR, status VARCHAR)")
    writer.close()
    con = connect_readonly(path)
    assert column_or_null(con, "actions", "status") == "status"
    assert column_or_null(con, "actions", "blocked_by") == "NULL::VARCHAR AS blocked_by"
    assert column_or_null(con, "actions", "blocked_since", "TIMESTAMP") == "NULL::TIMESTAMP AS blocked_since"
    assert column_or_null(con, "postmortems", "status") == "NULL::VARCHAR AS status"  # no such table either
