"""Recurrence: which incidents recur, how often, in which patterns; causes by Pareto and by service;
whether the actions of the previous incident were done before it came back.

An incident **recurs** when it has an explicit ``recurrence_of`` link (the author's statement: it counts
even when the linked post-mortem is not loaded), or an earlier incident within
``settings.recurrence_window_days`` days shares its service and primary cause category.

"Earlier" is the order (incident_date, started_at NULLS LAST, postmortem_id), so of two incidents on the
same day the one that started first (else the smaller id) is the earlier. Detection runs over every
post-mortem the non-date filters keep (team, severity, service, cause category); the date range then only
chooses which rows are reported, so an incident just after ``date_from`` still recurs on an earlier one
before it. Incidents with no service, no primary cause category or no incident date can only recur by
an explicit link. A link of a post-mortem to itself is ignored, and so is a link to an incident that
comes later in that same order (a data error, warned at ingest): the rule holds whatever the order in
which the files were loaded.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import NamedTuple

import duckdb
import numpy as np
import pandas as pd

from analytics import recurrence_flags
from analytics.base import _cursor, frame, materialised, pm_cte
from analytics.filters import Filters
from analytics.quarters import quarter_expr, with_partial
from analytics.settings import Settings

FLAG_COLUMNS = ["postmortem_id", "incident_date", "service", "primary_cause_category", "recurs", "explicit",
                "previous_id", "days_since_previous"]
PATTERN_COLUMNS = ["pattern_id", "incidents", "service", "primary_cause_category", "first_date", "last_date",
                   "postmortem_ids"]
GROUPS = ("all actions done", "actions still open", "no actions", "previous not loaded")
ORDER = recurrence_flags.ORDER


def every_flag(con: duckdb.DuckDBPyConnection, settings: Settings | None = None) -> tuple[str, dict]:
    """A FROM item with one row per loaded post-mortem: postmortem_id, recurs, explicit, previous_id,
    days_since_previous, implicit_previous (the latest earlier match within the window, whatever the
    explicit link) and linked_ids (its valid explicit links, the latest first); with its parameters."""
    rows, params = flag_rows(con, settings)
    return f"(SELECT {', '.join(recurrence_flags.FLAGS)} FROM {rows} recurrence)", params


def flag_rows(con: duckdb.DuckDBPyConnection, settings: Settings | None = None) -> tuple[str, dict]:
    """A FROM item with every column of recurrence_flags.EVERY_FLAG, one row per loaded post-mortem; with its
    parameters. The table the last ingest wrote (recurrence_flags.store) when it used this recurrence
    window; else computed once per connection and window (analytics.base.materialised): a file written
    before the table existed, or a configuration with another window than the ingest's."""
    window = int((settings or Settings()).recurrence_window_days)
    if recurrence_flags.stored_current(con, window):
        return recurrence_flags.STORED, {}
    params = {"window": window}
    table = materialised(con, f"recurrence_flags_{window}_days".replace("-", "minus_"), recurrence_flags.EVERY_FLAG,
                         params)
    return (table, {}) if table else (f"({recurrence_flags.EVERY_FLAG})", params)


def _flags_cte(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None) -> tuple[str, dict]:
    """`WITH flags AS (...)`: flag_rows of the post-mortems the filters keep (their own columns in it)."""
    rows, params = flag_rows(con, settings)
    kept_where, kept_params = f.where("recurrence")
    return f"""
        WITH flags AS (SELECT * FROM {rows} recurrence WHERE {kept_where})""", params | kept_params


def flags(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None = None) -> pd.DataFrame:
    """One row per kept post-mortem, oldest first: postmortem_id, incident_date, service,
    primary_cause_category, recurs, explicit, previous_id (the explicit link target, else the latest
    earlier matching incident), days_since_previous (NULL when the previous one is not loaded or has no
    date)."""
    cte, params = _flags_cte(con, f, settings)
    return frame(con, f"{cte} SELECT {', '.join(FLAG_COLUMNS)} FROM flags ORDER BY {ORDER}", params)


def _period(period: str, settings: Settings) -> str:
    if period == "quarter":
        return quarter_expr("incident_date", settings.fiscal_year_start_month)
    if period == "month":
        return "strftime(incident_date, '%Y-%m')"
    raise ValueError(f"period must be 'quarter' or 'month', not {period!r}")


def rate_by_period(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None = None,
                   period: str = "quarter") -> pd.DataFrame:
    """Per quarter ('2025-Q1', fiscal with settings.fiscal_year_start_month) or month ('2025-01') of the
    incident date: period, incidents, recurring, recurrence_rate = recurring / incidents, small_sample
    (incidents < settings.small_sample), partial (the period is not over on f.as_of). Incidents with no
    date are in no period."""
    settings = settings or Settings()
    label = _period(period, settings)
    cte, params = _flags_cte(con, f, settings)
    params["small"] = int(settings.small_sample)
    table = frame(con, f"""{cte}
        SELECT {label} AS period, count(*) AS incidents, count(*) FILTER (WHERE recurs) AS recurring,
               count(*) FILTER (WHERE recurs) / count(*) AS recurrence_rate,
               count(*) < $small AS small_sample
        FROM flags WHERE incident_date IS NOT NULL GROUP BY 1 ORDER BY 1""", params)
    if period == "month":  # a month is partial until its last day
        return table.assign(partial=[(pd.Period(m, "M").end_time.date() > f.as_of) for m in table["period"]])
    return with_partial(table, f.as_of, settings.fiscal_year_start_month, column="period")


def overall(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None = None) -> pd.DataFrame:
    """One row: incidents (kept post-mortems), recurring, recurrence_rate (NULL with no incident)."""
    cte, params = _flags_cte(con, f, settings)
    return frame(con, f"""{cte}
        SELECT count(*) AS incidents, count(*) FILTER (WHERE recurs) AS recurring,
               count(*) FILTER (WHERE recurs) / nullif(count(*), 0) AS recurrence_rate
        FROM flags""", params)


def patterns(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None = None) -> pd.DataFrame:
    """Groups of settings.pattern_incidents or more kept incidents linked to each other, directly or
    through others (connected components). Two kept incidents are linked by an explicit recurrence link
    between them, or when one is the latest earlier incident of the same service and primary cause within
    the recurrence window of the other. Columns: pattern_id (1.., largest pattern first, then the most
    recent), incidents, service, primary_cause_category (the members' common value, else the latest
    incident's), first_date, last_date, postmortem_ids (oldest first)."""
    nodes = _chains(con, f, settings or Settings())
    with _cursor(con) as cur:
        return _with_ids(_find_patterns(cur, nodes, None), _member_ids(cur, nodes))


class _Nodes(NamedTuple):
    """The SQL of the incidents that can be in a pattern (_chains), and what the queries on them read."""
    rows: str  # flag_rows' FROM item
    rows_params: dict  # its parameters
    sql: str
    params: dict
    k: int  # settings.pattern_incidents


def _chains(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings) -> _Nodes:
    """The kept incidents that can be in a pattern (position, incident_date), each with its chain: the
    position of the first incident of its run of implicit recurrences that the filters keep whole. A kept
    incident whose implicit previous is kept continues that incident's chain; any other starts one. The
    ingest wrote each incident's run over every post-mortem (recurrence_flags: run, run_index, run_size):
    a chain is a stretch of consecutive kept incidents of one run. Only the incidents of a run of
    settings.pattern_incidents or more, or of a run that explicit links reach (run_linked): the others
    cannot be in a pattern. Integers and dates only: a temporary table of strings costs 10 times more."""
    rows, rows_params = flag_rows(con, settings)
    kept_where, kept_params = f.where("recurrence")
    k = int(settings.pattern_incidents)
    return _Nodes(rows, rows_params, f"""
        WITH islands AS (  -- constant along consecutive run_index values: a stretch no dropped incident breaks
            SELECT position, incident_date, run, run_linked,
                   run_index - row_number() OVER (PARTITION BY run ORDER BY position) AS island
            FROM {rows} recurrence WHERE {kept_where} AND (run_size >= $k OR run_linked)
        ),
        chains AS (SELECT run, island, min(position) AS chain, count(*) AS size FROM islands GROUP BY run, island)
        SELECT islands.position, islands.incident_date, chains.chain, chains.chain AS component
        FROM islands JOIN chains USING (run, island)
        WHERE chains.size >= $k OR islands.run_linked""", rows_params | kept_params | {"k": k}, k)


def _find_patterns(cur: duckdb.DuckDBPyConnection, nodes: _Nodes, start: date | None) -> pd.DataFrame:
    """The patterns of ``nodes``, those with an incident on or after ``start`` when given, numbered 1.. in
    that order, without their postmortem_ids (_with_ids). Left in the cursor's temporary tables for
    _members and _member_ids: pattern_nodes (the incidents, each with its component) and found_patterns."""
    cur.execute(f"CREATE OR REPLACE TEMP TABLE pattern_nodes AS {nodes.sql}", nodes.params)
    roots = _join_chains(cur.execute(f"""
        SELECT DISTINCT source.chain, target.chain
        FROM (SELECT position, unnest(linked_positions) AS linked FROM {nodes.rows} recurrence
              WHERE len(linked_positions) > 0) link
        JOIN pattern_nodes source USING (position)
        JOIN pattern_nodes target ON target.position = link.linked
        WHERE source.chain <> target.chain""", nodes.rows_params).fetchall())
    if roots:  # chains joined by explicit links: a component is named by its smallest chain
        cur.execute("UPDATE pattern_nodes SET component = joined.root FROM (SELECT unnest($chains) AS chain, "
                    "unnest($roots) AS root) joined WHERE pattern_nodes.chain = joined.chain",
                    {"chains": list(roots), "roots": list(roots.values())})
    active = "WHERE last_date >= $start" if start is not None else ""
    cur.execute(f"""CREATE OR REPLACE TEMP TABLE found_patterns AS
        WITH grouped AS (
            SELECT component, count(*) AS incidents, {_common_or_latest("service")},
                   {_common_or_latest("primary_cause_category")},
                   min(recurrence.incident_date) AS first_date, max(recurrence.incident_date) AS last_date
            FROM pattern_nodes JOIN {nodes.rows} recurrence USING (position)
            GROUP BY component HAVING count(*) >= $k
        )
        SELECT row_number() OVER (ORDER BY incidents DESC, last_date DESC NULLS LAST, component) AS pattern_id, *
        FROM grouped {active}""", nodes.rows_params | {"k": nodes.k} | ({"start": start} if start is not None else {}))
    return cur.execute(f"SELECT {', '.join(PATTERN_COLUMNS[:-1])} FROM found_patterns ORDER BY pattern_id").df()


def _with_ids(table: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """The patterns of _find_patterns with their postmortem_ids, from ``members``: pattern_id and
    postmortem_id of each of their incidents, by pattern then oldest first."""
    if table.empty:
        return pd.DataFrame(columns=PATTERN_COLUMNS)
    # slices of one list: np.split costs 6 µs a part, 50 ms for the 8k patterns of 100k post-mortems
    bounds = [0, *(np.flatnonzero(np.diff(members["pattern_id"].to_numpy())) + 1).tolist(), len(members)]
    ids = members["postmortem_id"].tolist()
    return table.assign(first_date=table["first_date"].astype("datetime64[ns]"),
                        last_date=table["last_date"].astype("datetime64[ns]"),
                        postmortem_ids=[ids[a:b] for a, b in zip(bounds, bounds[1:])])


def _member_ids(cur: duckdb.DuckDBPyConnection, nodes: _Nodes) -> pd.DataFrame:
    """pattern_id and postmortem_id of the incidents of the patterns _find_patterns just found on this
    cursor, by pattern then oldest first."""
    return cur.execute(f"""
        SELECT found.pattern_id, recurrence.postmortem_id
        FROM pattern_nodes JOIN found_patterns found USING (component) JOIN {nodes.rows} recurrence USING (position)
        ORDER BY found.pattern_id, position""", nodes.rows_params).df()


def _join_chains(edges: list[tuple[int, int]]) -> dict[int, int]:
    """chain -> its component, for the chains that explicit links join: named by the smallest chain in it
    (union-find over the few chains that links join)."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = root(int(a)), root(int(b))
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {chain: root(chain) for chain in list(parent)}


def _common_or_latest(column: str) -> str:
    """Per pattern: the members' common value when the known ones agree, else the latest member's."""
    return (f"CASE WHEN min(recurrence.{column}) = max(recurrence.{column}) THEN max(recurrence.{column}) "
            f"ELSE arg_max_null(recurrence.{column}, position) END AS {column}")


def active_patterns(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None = None,
                    start: date | None = None, end: date | None = None) -> pd.DataFrame:
    """The patterns active from ``start`` to ``end`` (a quarter, for the review): the patterns of the
    incidents the filters keep up to ``end``, earlier ones included whatever the filters' date range, with
    at least one incident from ``start`` to ``end``. A pattern is the whole group: its incidents before
    ``start`` belong to it, those after ``end`` had not happened yet. ``start`` and ``end`` default to the
    filters' date range, ``end`` to the as-of date at the latest. Same columns as ``patterns``, pattern_id
    renumbered 1.. in the same order (largest first, then the most recent)."""
    start, upto = _up_to_end(f, start, end)
    nodes = _chains(con, upto, settings or Settings())
    with _cursor(con) as cur:
        return _with_ids(_find_patterns(cur, nodes, start), _member_ids(cur, nodes))


def _up_to_end(f: Filters, start: date | None, end: date | None) -> tuple[date | None, Filters]:
    """The period's start, and the filters keeping every incident up to the period's end."""
    start = start if start is not None else f.date_from
    end = min(end if end is not None else (f.date_to or f.as_of), f.as_of)
    return start, dataclasses.replace(f, date_from=None, date_to=end)


def pareto(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Primary cause categories of the kept incidents, most frequent first: cause ('unknown' for none),
    incidents, share = incidents / all kept incidents, cumulative_share (1.0 on the last row)."""
    cte, params = pm_cte(f)
    return frame(con, f"""WITH {cte},
        cause_counts AS (SELECT coalesce(primary_cause_category, 'unknown') AS cause, count(*) AS incidents
                         FROM pm GROUP BY 1)
        SELECT cause, incidents, incidents / sum(incidents) OVER () AS share,
               sum(incidents) OVER (ORDER BY incidents DESC, cause = 'unknown', cause
                                    ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
                   / sum(incidents) OVER () AS cumulative_share
        FROM cause_counts ORDER BY incidents DESC, cause = 'unknown', cause""", params)


def cause_service_matrix(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Long format: cause (primary cause category), service, incidents; a missing value is 'unknown'.
    Only the pairs that occur; most frequent first."""
    cte, params = pm_cte(f)
    return frame(con, f"""WITH {cte}
        SELECT coalesce(primary_cause_category, 'unknown') AS cause, coalesce(service, 'unknown') AS service,
               count(*) AS incidents
        FROM pm GROUP BY 1, 2 ORDER BY incidents DESC, cause, service""", params)


def cause_service_grid(matrix: pd.DataFrame, cause_order) -> pd.DataFrame:
    """cause_service_matrix as a grid: one row per cause, in ``cause_order`` (the Pareto's) and then any
    other; one column per service, the busiest first; NaN where no incident."""
    grid = matrix.pivot_table(index="cause", columns="service", values="incidents", aggfunc="sum")
    known = set(cause_order)
    rows = [c for c in cause_order if c in grid.index] + [c for c in grid.index if c not in known]
    columns = grid.sum().sort_values(ascending=False, kind="stable").index
    return grid.loc[rows, columns]


def action_effectiveness_detail(con: duckdb.DuckDBPyConnection, f: Filters,
                                settings: Settings | None = None, limit: int | None = None) -> pd.DataFrame:
    """One row per recurrence (a recurring kept incident and its previous_id), oldest first (the first
    ``limit``; as many as ``action_effectiveness``'s recurrences): postmortem_id, incident_date, previous_id,
    previous_date, actions (the previous incident's actions, cancelled ones left out), actions_done_before
    (done with completed_at on or before the recurrence's incident date; a done action with no known
    completion date counts as done), group."""
    cte, params = _flags_cte(con, f, settings)
    limited = ""
    if limit is not None:  # a page shows the first rows of a list that at 100k post-mortems holds 56,000
        limited, params = "LIMIT $limit", params | {"limit": int(limit)}
    # the counts and the group are those of recurrence_flags (analytics/recurrence_flags.py), which the
    # ingest wrote for every recurrence: they depend on no filter
    return frame(con, f"""{cte}
        SELECT postmortem_id, incident_date, previous_id, previous_date, previous_actions AS actions,
               previous_actions_done AS actions_done_before, action_group AS "group"
        FROM flags WHERE recurs ORDER BY position {limited}""", params)


def action_effectiveness(con: duckdb.DuckDBPyConnection, f: Filters,
                         settings: Settings | None = None) -> pd.DataFrame:
    """One row per group, always in this order: "all actions done" (every non-cancelled action of the
    previous incident was done by the recurrence's date), "actions still open" (some were not),
    "no actions" (the previous incident had none, cancelled ones aside), "previous not loaded" (an
    explicit link to a post-mortem not in the database, with no action known for it). Columns: group,
    recurrences, share (of all recurrences; NULL with none). The rows of ``action_effectiveness_detail``
    counted by group, in SQL (the page lists only the first of them)."""
    cte, params = _flags_cte(con, f, settings)
    with _cursor(con) as cur:
        counts = dict(cur.execute(f"""{cte}
            SELECT action_group, count(*) FROM flags WHERE recurs AND action_group IS NOT NULL GROUP BY 1""",
                                  params).fetchall())
    return _groups(counts)


def effectiveness_groups(detail: pd.DataFrame) -> pd.DataFrame:
    """action_effectiveness from an action_effectiveness_detail already at hand (all its rows)."""
    return _groups(detail["group"].value_counts().to_dict())


def _groups(counts: dict) -> pd.DataFrame:
    """action_effectiveness's table from the recurrences counted by group."""
    total = int(sum(counts.values()))
    return pd.DataFrame({
        "group": list(GROUPS),
        "recurrences": [int(counts.get(g, 0)) for g in GROUPS],
        "share": [counts.get(g, 0) / total if total else float("nan") for g in GROUPS],
    })


MEMBER_COLUMNS = ["pattern_id", "postmortem_id", "title", "incident_date", "in_period", "previous_id",
                  "previous_title", "previous_actions", "previous_actions_done", "group"]


def pattern_members(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None = None,
                    start: date | None = None, end: date | None = None) -> pd.DataFrame:
    """The incidents of each pattern active from ``start`` to ``end`` (``active_patterns``), by pattern
    then oldest first: pattern_id, postmortem_id, title, incident_date, in_period (dated from start to
    end), and for an incident that recurs on an earlier one, whether that one's actions were done before
    it came back (``action_effectiveness_detail``): previous_id, previous_title, previous_actions,
    previous_actions_done, group; these are NULL for an incident that does not recur."""
    return patterns_and_members(con, f, settings, start, end)["members"]


def patterns_and_members(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None = None,
                         start: date | None = None, end: date | None = None,
                         limit: int | None = None) -> dict[str, pd.DataFrame | int]:
    """{"patterns": active_patterns(...), "members": pattern_members(...), "count": how many patterns} of the
    same arguments, the patterns found once for both (a page and the review pack show the two). With
    ``limit``, the first ``limit`` patterns and their members only, "count" still all of them: at 100k
    post-mortems a page lists the first 1,000 of 8,000 patterns, whose members are 7,000 of 32,000."""
    start, upto = _up_to_end(f, start, end)
    nodes = _chains(con, upto, settings or Settings())
    with _cursor(con) as cur:
        found = _find_patterns(cur, nodes, start)
        count = len(found)
        if limit is not None:
            found = found.head(int(limit))
        members = _members(cur, nodes, found, start, upto, limit)
    return {"patterns": _with_ids(found, members), "members": members, "count": count}


def _members(cur: duckdb.DuckDBPyConnection, nodes: _Nodes, pats: pd.DataFrame, start: date | None,
             upto: Filters, limit: int | None = None) -> pd.DataFrame:
    """pattern_members of the patterns _find_patterns just found on this cursor (``pats``), of the first
    ``limit`` when given (pattern_id numbers them in order)."""
    if pats.empty:
        return pd.DataFrame(columns=MEMBER_COLUMNS)
    day = "recurrence.incident_date"
    within = f"{day} <= $to" + (f" AND {day} >= $start" if start is not None else "")
    first = "WHERE found.pattern_id <= $limit" if limit is not None else ""
    table = cur.execute(f"""
        SELECT found.pattern_id, recurrence.postmortem_id, recurrence.title, {day},
               coalesce({within}, FALSE) AS in_period, recurrence.previous_id, recurrence.previous_title,
               recurrence.previous_actions::DOUBLE AS previous_actions,
               recurrence.previous_actions_done::DOUBLE AS previous_actions_done, recurrence.action_group AS "group"
        FROM pattern_nodes JOIN found_patterns found USING (component) JOIN {nodes.rows} recurrence USING (position)
        {first} ORDER BY found.pattern_id, position""",
                        nodes.rows_params | {"to": upto.date_to} | ({"start": start} if start is not None else {})
                        | ({"limit": int(limit)} if limit is not None else {})).df()
    # counts, NaN for a member that does not recur: integers when every member recurs
    if not table["previous_actions"].isna().any():
        table = table.astype({"previous_actions": "int64", "previous_actions_done": "int64"})
    return table


def with_titles(patterns: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """``patterns`` with ``titles``: its incidents as people name them, "2026-01-26 Title" oldest first (the
    id where a post-mortem has no title), from ``pattern_members`` of the same filters."""
    named = member_names(members)
    return patterns.assign(titles=[[named.get(pid, pid) for pid in ids] for ids in patterns["postmortem_ids"]])


def member_names(members: pd.DataFrame) -> dict[str, str]:
    """postmortem_id -> "2026-01-26 Title" for the rows of ``pattern_members`` (the id where a post-mortem has
    no title, no date where it has none); the dates written by numpy in one call: pandas' strftime makes an
    object per date, and a page names its patterns' members on every rerun."""
    days = members["incident_date"]
    if not pd.api.types.is_datetime64_any_dtype(days):
        days = pd.to_datetime(days)
    known = days.notna().tolist()
    written = np.datetime_as_string(days.to_numpy().astype("datetime64[D]"), unit="D").tolist()
    return {pid: (f"{day} " if dated else "") + (title if isinstance(title, str) and title.strip() else pid)
            for pid, title, day, dated in zip(members["postmortem_id"].tolist(), members["title"].tolist(),
                                               written, known)}
