"""Small shared pieces of SQL and the way every metric runs a query."""

from __future__ import annotations

import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from typing import TYPE_CHECKING, Callable, TypeVar

import duckdb

if TYPE_CHECKING:  # pandas is imported by .df(), when a frame is asked for: the ingest never is
    import pandas as pd

from analytics.filters import Filters

# A connection from db.connect_readonly is an in-memory database with the file attached as "hindsight":
# its own catalog, "memory", can hold tables derived from the file for as long as the connection lives.
MEMORY = "memory"
# frame_with_lists takes Arrow from an execute() result on purpose (see there): its copy is known, not news
warnings.filterwarnings("ignore", message="Arrow output on a DB-API result makes an extra copy", category=UserWarning)
T = TypeVar("T")
_materialising = threading.Lock()


@contextmanager
def _cursor(con: duckdb.DuckDBPyConnection):
    """A cursor of its own (connections are shared between dashboard sessions), reading the file."""
    cur = con.cursor()
    try:
        # A cursor starts in the default catalog; db.connect_readonly attaches the file as "hindsight".
        try:
            cur.execute("USE hindsight")
        except duckdb.CatalogException:
            pass  # a connection opened on the file itself reads it by default
        yield cur
    finally:
        cur.close()


def frame(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> pd.DataFrame:
    """Run one query on its own cursor."""
    with _cursor(con) as cur:
        return cur.execute(sql, params or {}).df()


def frame_with_lists(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None,
                     lists: tuple[str, ...] = ()) -> "pd.DataFrame":
    """``frame``, with the LIST columns named in ``lists`` as Python lists. ``.df()`` makes a numpy array of
    every list cell, which a caller then turns into a list: at 100,000 post-mortems the escalation listing's
    27,000 cells cost ~90 ms that way (cProfile), and the listing is ~50 ms faster through Arrow (a new
    connection, median of 10 runs). The other columns are as pyarrow's
    ``to_pandas`` gives them, not always as ``.df()`` does: strings as objects and NULL as None alike, but a
    DATE as a ``datetime.date`` object and an integer column with a NULL as floats; a caller sets the types it
    shows."""
    with _cursor(con) as cur:
        # con.sql() would give Arrow without a copy, but binds a long query twice (~30 ms more than execute());
        # the copy of a result of this size costs less. DuckDB warns of the copy: filtered at the top of this module
        table = cur.execute(sql, params or {}).to_arrow_table()
    out = table.drop_columns(list(lists)).to_pandas()
    for name in lists:
        out[name] = table.column(name).to_pylist()
    return out[table.column_names]


def tuples(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> list[tuple]:
    """Run one query on its own cursor; its rows as tuples, for a lookup that needs no DataFrame."""
    with _cursor(con) as cur:
        return cur.execute(sql, params or {}).fetchall()


def together(*calls: Callable[[], T]) -> list[T]:
    """``[call() for call in calls]``, the calls run at once, each in a thread of its own; the first
    exception raised is raised here. A metric made of several queries waits for the slowest instead of
    their sum: DuckDB releases the GIL while it runs a query, and each analytics function takes a cursor of
    its own. A pool per use, not a shared one, so that calls which call ``together`` cannot wait on each
    other for a thread."""
    if len(calls) < 2:
        return [call() for call in calls]
    with ThreadPoolExecutor(max_workers=len(calls), thread_name_prefix="hindsight-query") as pool:
        futures = [pool.submit(call) for call in calls]
        return [future.result() for future in futures]


def column_or_null(con: duckdb.DuckDBPyConnection, table: str, column: str, kind: str = "VARCHAR") -> str:
    """``column``, or a NULL of its type named like it when the file predates it: a database written by an
    older release stays readable (read-only, it cannot be upgraded) until its next ingest adds the column."""
    with _cursor(con) as cur:
        found = cur.execute("SELECT count(*) FROM information_schema.columns WHERE table_name = $t AND "
                            "column_name = $c", {"t": table, "c": column}).fetchone()[0]
    return column if found else f"NULL::{kind} AS {column}"


def materialised(con: duckdb.DuckDBPyConnection, name: str, sql: str, params: dict) -> str | None:
    """The result of ``sql``, computed once per connection into the table ``memory.main.<name>``; its
    qualified name. ``name`` must say everything the result depends on besides the file (e.g. a setting's
    value). None when the connection has no in-memory catalog to hold it (a connection opened on the file
    itself): the caller then inlines ``sql``.

    Why a table of the reader's connection rather than one written at ingest: the result depends on
    analytics settings read from the configuration, which the dashboard and the CLI may set differently
    on the same file; and a reader connection lives exactly as long as one version of the file
    (dashboard/data.connection opens a new one when an ingest swaps the file), so the table can never be
    stale."""
    with _cursor(con) as cur:
        known = cur.execute("SELECT database_name, table_name FROM duckdb_tables() WHERE database_name = $db "
                            "AND schema_name = 'main' AND table_name = $name", {"db": MEMORY, "name": name}).fetchall()
        if known:
            return f"{MEMORY}.main.{name}"
        if not cur.execute("SELECT count(*) FROM duckdb_databases() WHERE database_name = $db AND NOT readonly",
                           {"db": MEMORY}).fetchone()[0]:
            return None
        with _materialising:  # one session computes it; the others wait, then read it
            cur.execute(f"CREATE TABLE IF NOT EXISTS {MEMORY}.main.{name} AS {sql}", params)
    return f"{MEMORY}.main.{name}"


def pm_cte(f: Filters, name: str = "pm") -> tuple[str, dict]:
    """`WITH pm AS (...)`: the post-mortems the filters keep."""
    where, params = f.where("p")
    return f"{name} AS (SELECT * FROM postmortems p WHERE {where})", params


def duration_stats(column: str) -> str:
    """n, median, p90 and max of a skewed duration: never a lone mean. The median and the p90 come from one
    aggregate, which DuckDB computes once (the same expression twice) instead of two that each sort the
    values: ``median`` is ``quantile_cont`` at 0.5, interpolated alike, so the values are the same."""
    quantiles = f"quantile_cont({column}, [0.5, 0.9])"
    return f"count({column}) AS n, {quantiles}[1] AS median, {quantiles}[2] AS p90, max({column}) AS max"


def business_days(start: str, end: str) -> str:
    """Weekdays from ``start`` (included) to ``end`` (excluded), both DATE: Friday to next Monday is 1; 0 when
    ``end`` is not after ``start``. Arithmetic, not a calendar walked row by row: with ``offset`` the
    weekday of ``start`` (Monday 0) and ``weekdays_before(x) = 5 * (x // 7) + least(x % 7, 5)`` the weekdays
    in the first x days of a Monday-started calendar, the answer is
    ``weekdays_before(offset + days) - weekdays_before(offset)``."""
    offset = f"(isodow({start}) - 1)"
    days = f"greatest(date_diff('day', {start}, {end}), 0)"

    def weekdays_before(x: str) -> str:
        return f"(5 * (({x}) // 7) + least(({x}) % 7, 5))"

    return f"({weekdays_before(f'{offset} + {days}')} - {weekdays_before(offset)})"
