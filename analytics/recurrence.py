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

import duckdb
import numpy as np
import pandas as pd

from analytics import recurrence_flags
from analytics.base import frame, materialised, pm_cte
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
    explicit link) and linked_ids (its valid explicit links, the latest first); with its parameters.
    The table the last ingest wrote (store_flags) when it used this recurrence window; else computed
    once per connection and window (analytics.base.materialised): a file written before the table
    existed, or a configuration with another window than the ingest's."""
    window = int((settings or Settings()).recurrence_window_days)
    if recurrence_flags.stored_current(con, window):
        return recurrence_flags.STORED, {}
    params = {"window": window}
    table = materialised(con, f"recurrence_flags_{window}_days".replace("-", "minus_"), recurrence_flags.EVERY_FLAG,
                         params)
    return (table, {}) if table else (f"({recurrence_flags.EVERY_FLAG})", params)


def _flags_cte(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None) -> tuple[str, dict]:
    """`WITH flags AS (...)`: every_flag for the post-mortems the filters keep, with their incident_date,
    service, primary_cause_category and started_at."""
    source, params = every_flag(con, settings)
    kept_where, kept_params = f.where("p")
    return f"""
        WITH flags AS (
            SELECT p.postmortem_id, p.incident_date, p.service, p.primary_cause_category, p.started_at,
                   recurrence.* EXCLUDE (postmortem_id)
            FROM postmortems p JOIN {source} recurrence USING (postmortem_id)
            WHERE {kept_where}
        )""", params | kept_params


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
    settings = settings or Settings()
    nodes = _chains(con, f, settings)
    nodes["component"] = _join_chains(nodes)  # chains joined by explicit links
    size = nodes.groupby("component")["postmortem_id"].transform("size")
    members = nodes[size >= settings.pattern_incidents]
    if members.empty:
        return pd.DataFrame(columns=PATTERN_COLUMNS)
    # a component is named by its oldest incident: in that order, as the members are listed
    grouped = members.groupby("component", sort=True)
    latest = members.drop_duplicates("component", keep="last").set_index("component")
    ordered = members.sort_values(["component", "position"], kind="stable")
    ids = ordered["postmortem_id"].to_numpy(dtype=object)
    starts = np.flatnonzero(np.diff(ordered["component"].to_numpy())) + 1
    table = pd.DataFrame({
        "incidents": grouped.size().tolist(),
        "service": _common_or_latest(grouped, latest, "service"),
        "primary_cause_category": _common_or_latest(grouped, latest, "primary_cause_category"),
        "first_date": grouped["incident_date"].min().tolist(),
        "last_date": grouped["incident_date"].max().tolist(),
        "postmortem_ids": [part.tolist() for part in np.split(ids, starts)],
    })
    table = table.sort_values(["incidents", "last_date"], ascending=[False, False], kind="stable")
    table.insert(0, "pattern_id", range(1, len(table) + 1))
    return table.reset_index(drop=True)[PATTERN_COLUMNS]


def _chains(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings) -> pd.DataFrame:
    """The kept incidents that can be in a pattern, in order (position 0.. over every kept incident), each
    with its chain: the position of the first incident of its run of implicit recurrences. A kept incident
    whose implicit previous is kept continues that incident's chain, which is the same service and cause's
    one just before it; any other starts one. Only the incidents of a chain of settings.pattern_incidents
    or more, or that explicit links join to another chain (linked_chains: the chains the links of its
    incidents reach, on one of its rows): the others cannot be in a pattern, and a page need not fetch them."""
    cte, params = _flags_cte(con, f, settings)
    params["k"] = int(settings.pattern_incidents)
    return frame(con, f"""{cte},
        positioned AS (SELECT *, row_number() OVER (ORDER BY {ORDER}) - 1 AS position FROM flags),
        starting AS (
            SELECT positioned.*, kept_previous.postmortem_id IS NULL AS starts_chain
            FROM positioned LEFT JOIN flags kept_previous ON kept_previous.postmortem_id = positioned.implicit_previous
        ),
        chained AS (
            SELECT postmortem_id, incident_date, service, primary_cause_category, linked_ids, position,
                   max(CASE WHEN starts_chain THEN position END) OVER (
                       PARTITION BY service, primary_cause_category ORDER BY position ROWS UNBOUNDED PRECEDING)
                       AS chain
            FROM starting
        ),
        nodes AS (SELECT *, count(*) OVER (PARTITION BY chain) AS chain_size FROM chained),
        links AS (
            SELECT source.postmortem_id, list(target.chain ORDER BY target.chain) AS linked_chains
            FROM (SELECT postmortem_id, unnest(linked_ids) AS linked FROM nodes WHERE len(linked_ids) > 0) source
            JOIN nodes target ON target.postmortem_id = source.linked
            GROUP BY source.postmortem_id
        ),
        linked AS (
            SELECT DISTINCT unnest(list_append(linked_chains, nodes.chain)) AS chain
            FROM links JOIN nodes USING (postmortem_id)
        )
        SELECT postmortem_id, incident_date, service, primary_cause_category, position, chain,
               coalesce(links.linked_chains, []) AS linked_chains
        FROM nodes LEFT JOIN links USING (postmortem_id)
        WHERE chain_size >= $k OR chain IN (SELECT chain FROM linked)
        ORDER BY position""", params)


def _join_chains(nodes: pd.DataFrame) -> pd.Series:
    """Each node's component: its chain, merged with the chains its kept explicit links reach; named by the
    smallest position in it (union-find over the few chains that links join)."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    linking = nodes[nodes["linked_chains"].map(len) > 0]
    for chain, others in zip(linking["chain"], linking["linked_chains"]):
        for other in others:
            ra, rb = root(int(chain)), root(int(other))
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    roots = pd.Series({chain: root(chain) for chain in list(parent)}, dtype="int64")
    return nodes["chain"].map(roots).fillna(nodes["chain"]).astype("int64")


def _common_or_latest(grouped, latest: pd.DataFrame, column: str) -> list:
    """Per group: the members' common value when the known ones agree, else the latest member's."""
    known = grouped[column].nunique()
    value = grouped[column].first().where(known == 1, latest[column])
    return [None if pd.isna(v) else v for v in value]


def active_patterns(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None = None,
                    start: date | None = None, end: date | None = None) -> pd.DataFrame:
    """The patterns active from ``start`` to ``end`` (a quarter, for the review): the patterns of the
    incidents the filters keep up to ``end``, earlier ones included whatever the filters' date range, with
    at least one incident from ``start`` to ``end``. A pattern is the whole group: its incidents before
    ``start`` belong to it, those after ``end`` had not happened yet. ``start`` and ``end`` default to the
    filters' date range, ``end`` to the as-of date at the latest. Same columns as ``patterns``, pattern_id
    renumbered 1.. in the same order (largest first, then the most recent)."""
    start, upto = _up_to_end(f, start, end)
    table = patterns(con, upto, settings)
    if start is not None and not table.empty:
        table = table[pd.to_datetime(table["last_date"]).dt.date >= start].reset_index(drop=True)
    return table.assign(pattern_id=range(1, len(table) + 1))


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
                                settings: Settings | None = None) -> pd.DataFrame:
    """One row per recurrence (a recurring kept incident and its previous_id), oldest first:
    postmortem_id, incident_date, previous_id, previous_date, actions (the previous incident's actions,
    cancelled ones left out), actions_done_before (done with completed_at on or before the recurrence's
    incident date; a done action with no known completion date counts as done), group."""
    cte, params = _flags_cte(con, f, settings)
    return frame(con, f"""{cte},
        recurrence AS (SELECT * FROM flags WHERE recurs),
        previous_actions AS (
            SELECT recurrence.postmortem_id,
                   count(action.action_id) FILTER (WHERE action.status IS DISTINCT FROM 'cancelled') AS actions,
                   count(action.action_id) FILTER (WHERE action.status = 'done' AND (action.completed_at IS NULL
                         OR recurrence.incident_date IS NULL OR action.completed_at::DATE <= recurrence.incident_date))
                       AS done_before
            FROM recurrence LEFT JOIN actions action ON action.postmortem_id = recurrence.previous_id
            GROUP BY recurrence.postmortem_id
        )
        SELECT recurrence.postmortem_id, recurrence.incident_date, recurrence.previous_id,
               previous.incident_date AS previous_date,
               previous_actions.actions, previous_actions.done_before AS actions_done_before,
               CASE WHEN previous_actions.actions = 0 AND previous.postmortem_id IS NULL THEN 'previous not loaded'
                    WHEN previous_actions.actions = 0 THEN 'no actions'
                    WHEN previous_actions.done_before = previous_actions.actions THEN 'all actions done'
                    ELSE 'actions still open' END AS "group"
        FROM recurrence JOIN previous_actions USING (postmortem_id)
        LEFT JOIN postmortems previous ON previous.postmortem_id = recurrence.previous_id
        ORDER BY recurrence.incident_date, recurrence.started_at NULLS LAST, recurrence.postmortem_id""", params)


def action_effectiveness(con: duckdb.DuckDBPyConnection, f: Filters,
                         settings: Settings | None = None) -> pd.DataFrame:
    """One row per group, always in this order: "all actions done" (every non-cancelled action of the
    previous incident was done by the recurrence's date), "actions still open" (some were not),
    "no actions" (the previous incident had none, cancelled ones aside), "previous not loaded" (an
    explicit link to a post-mortem not in the database, with no action known for it). Columns: group,
    recurrences, share (of all recurrences; NULL with none)."""
    return effectiveness_groups(action_effectiveness_detail(con, f, settings))


def effectiveness_groups(detail: pd.DataFrame) -> pd.DataFrame:
    """action_effectiveness from an action_effectiveness_detail already at hand."""
    counts = detail["group"].value_counts()
    total = int(counts.sum())
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
                         start: date | None = None, end: date | None = None) -> dict[str, pd.DataFrame]:
    """{"patterns": active_patterns(...), "members": pattern_members(...)} of the same arguments, the
    patterns found once for both (a page and the review pack show the two)."""
    start, upto = _up_to_end(f, start, end)
    pats = active_patterns(con, f, settings, start, upto.date_to)
    return {"patterns": pats, "members": _members(con, pats, start, upto, settings)}


def _members(con: duckdb.DuckDBPyConnection, pats: pd.DataFrame, start: date | None, upto: Filters,
             settings: Settings | None) -> pd.DataFrame:
    members = [(p, pid) for p, ids in zip(pats["pattern_id"], pats["postmortem_ids"]) for pid in ids]
    if not members:
        return pd.DataFrame(columns=MEMBER_COLUMNS)
    table = pd.DataFrame(members, columns=["pattern_id", "postmortem_id"])
    detail = action_effectiveness_detail(con, upto, settings)[
        ["postmortem_id", "previous_id", "actions", "actions_done_before", "group"]].rename(columns={
            "actions": "previous_actions", "actions_done_before": "previous_actions_done"})
    table = table.merge(detail, on="postmortem_id", how="left")
    ids = sorted(set(table["postmortem_id"]) | set(table["previous_id"].dropna()))
    titles = frame(con, "SELECT postmortem_id, title, incident_date FROM postmortems "
                        "WHERE postmortem_id IN (SELECT unnest($ids::VARCHAR[]))", {"ids": ids})
    previous = titles.drop(columns="incident_date").rename(columns={"postmortem_id": "previous_id",
                                                                    "title": "previous_title"})
    table = table.merge(titles, on="postmortem_id", how="left").merge(previous, on="previous_id", how="left")
    day = pd.to_datetime(table["incident_date"]).dt.date
    table["in_period"] = day.le(upto.date_to) & (day.ge(start) if start is not None else True)
    return table[MEMBER_COLUMNS]


def with_titles(patterns: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """``patterns`` with ``titles``: its incidents as people name them, "2026-01-26 Title" oldest first (the
    id where a post-mortem has no title), from ``pattern_members`` of the same filters."""
    named = member_names(members)
    return patterns.assign(titles=[[named.get(pid, pid) for pid in ids] for ids in patterns["postmortem_ids"]])


def member_names(members: pd.DataFrame) -> dict[str, str]:
    """postmortem_id -> "2026-01-26 Title" for the rows of ``pattern_members`` (the id where a post-mortem has
    no title, no date where it has none); column-wise: at 100k post-mortems a pattern list has 32k members."""
    titles = members["title"].map(lambda t: t if isinstance(t, str) and t.strip() else None)
    names = titles.where(titles.notna(), members["postmortem_id"]).astype(object)
    days = pd.to_datetime(members["incident_date"]).dt.strftime("%Y-%m-%d")
    names = (days + " " + names).where(days.notna(), names)
    return dict(zip(members["postmortem_id"], names))
