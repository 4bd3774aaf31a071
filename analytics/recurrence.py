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
import pandas as pd

from analytics.base import frame, pm_cte, quarter_expr
from analytics.filters import Filters
from analytics.settings import Settings

FLAG_COLUMNS = ["postmortem_id", "incident_date", "service", "primary_cause_category", "recurs", "explicit",
                "previous_id", "days_since_previous"]
PATTERN_COLUMNS = ["pattern_id", "incidents", "service", "primary_cause_category", "first_date", "last_date",
                   "postmortem_ids"]
GROUPS = ("all actions done", "actions still open", "no actions", "previous not loaded")
ORDER = "incident_date, started_at NULLS LAST, postmortem_id"


def _flags_cte(f: Filters, settings: Settings | None) -> tuple[str, dict]:
    """`WITH ..., flags AS (...)`: one row per kept post-mortem with recurs, explicit, previous_id,
    days_since_previous, and implicit_previous (the latest earlier match, whatever the explicit link)."""
    settings = settings or Settings()
    # Every post-mortem can be the earlier incident: a filter changes which incidents are looked
    # at, never whether one of them recurs.
    pool_where = "TRUE"
    kept_where, params = f.where("p")
    params["window"] = int(settings.recurrence_window_days)
    return f"""
        WITH pool AS (
            SELECT p.postmortem_id, p.incident_date, p.started_at, p.service, p.primary_cause_category,
                   p.team, p.title, coalesce({kept_where}, FALSE) AS kept
            FROM postmortems p WHERE {pool_where}
        ),
        ordered AS (
            SELECT *, row_number() OVER (ORDER BY {ORDER}) AS seq FROM pool WHERE incident_date IS NOT NULL
        ),
        implicit AS (
            SELECT a.postmortem_id, arg_max(b.postmortem_id, b.seq) AS prev_id
            FROM ordered a JOIN ordered b
              ON b.service = a.service AND b.primary_cause_category = a.primary_cause_category
             AND b.seq < a.seq AND date_diff('day', b.incident_date, a.incident_date) <= $window
            WHERE a.kept
            GROUP BY a.postmortem_id
        ),
        links AS (
            SELECT l.postmortem_id, l.recurrence_of,
                   row_number() OVER (PARTITION BY l.postmortem_id
                                      ORDER BY t.incident_date DESC NULLS LAST, t.started_at DESC NULLS LAST,
                                               l.recurrence_of DESC) AS rn
            FROM (SELECT DISTINCT postmortem_id, recurrence_of FROM recurrence_links
                  WHERE recurrence_of <> postmortem_id) l
            LEFT JOIN postmortems t ON t.postmortem_id = l.recurrence_of
            LEFT JOIN ordered src ON src.postmortem_id = l.postmortem_id
            LEFT JOIN ordered tgt ON tgt.postmortem_id = l.recurrence_of
            -- a link to a later incident is a data error (warned at ingest): ignored
            WHERE NOT coalesce(tgt.seq > src.seq, FALSE)
        ),
        flags AS (
            SELECT k.postmortem_id, k.incident_date, k.service, k.primary_cause_category,
                   (x.recurrence_of IS NOT NULL OR i.prev_id IS NOT NULL) AS recurs,
                   (x.recurrence_of IS NOT NULL) AS explicit,
                   coalesce(x.recurrence_of, i.prev_id) AS previous_id,
                   date_diff('day', prev.incident_date, k.incident_date) AS days_since_previous,
                   i.prev_id AS implicit_previous, k.started_at, k.team, k.title
            FROM pool k
            LEFT JOIN links x ON x.postmortem_id = k.postmortem_id AND x.rn = 1
            LEFT JOIN implicit i ON i.postmortem_id = k.postmortem_id
            LEFT JOIN postmortems prev ON prev.postmortem_id = coalesce(x.recurrence_of, i.prev_id)
            WHERE k.kept
        )""", params


def flags(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None = None) -> pd.DataFrame:
    """One row per kept post-mortem, oldest first: postmortem_id, incident_date, service,
    primary_cause_category, recurs, explicit, previous_id (the explicit link target, else the latest
    earlier matching incident), days_since_previous (NULL when the previous one is not loaded or has no
    date)."""
    cte, params = _flags_cte(f, settings)
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
    from analytics.quarterly import with_partial  # analytics.quarterly builds on this module

    settings = settings or Settings()
    label = _period(period, settings)
    cte, params = _flags_cte(f, settings)
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
    cte, params = _flags_cte(f, settings)
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
    cte, params = _flags_cte(f, settings)
    nodes = frame(con, f"""{cte}
        SELECT postmortem_id, incident_date, service, primary_cause_category, implicit_previous
        FROM flags ORDER BY {ORDER}""", params)
    explicit = frame(con, f"{cte} SELECT postmortem_id, recurrence_of FROM links", params)
    rank = {pid: i for i, pid in enumerate(nodes["postmortem_id"])}  # position in the order
    parent = {pid: pid for pid in rank}

    def root(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    edges = [(a, b) for a, b in zip(nodes["postmortem_id"], nodes["implicit_previous"]) if isinstance(b, str)]
    edges += list(zip(explicit["postmortem_id"], explicit["recurrence_of"]))
    for a, b in edges:
        if a in rank and b in rank:
            ra, rb = root(a), root(b)
            if ra != rb:
                parent[max(ra, rb, key=rank.get)] = min(ra, rb, key=rank.get)

    by_id = nodes.set_index("postmortem_id")
    groups: dict[str, list[str]] = {}
    for pid in nodes["postmortem_id"]:  # in order, so each group's list is oldest first
        groups.setdefault(root(pid), []).append(pid)
    rows = []
    for ids in groups.values():
        if len(ids) < settings.pattern_incidents:
            continue
        members = by_id.loc[ids]
        dates = members["incident_date"].dropna()
        rows.append({
            "incidents": len(ids),
            "service": _common_or_latest(members["service"]),
            "primary_cause_category": _common_or_latest(members["primary_cause_category"]),
            "first_date": dates.min() if len(dates) else pd.NaT,
            "last_date": dates.max() if len(dates) else pd.NaT,
            "postmortem_ids": ids,
        })
    if not rows:
        return pd.DataFrame(columns=PATTERN_COLUMNS)
    table = pd.DataFrame(rows).sort_values(["incidents", "last_date"], ascending=[False, False], kind="stable")
    table.insert(0, "pattern_id", range(1, len(table) + 1))
    return table.reset_index(drop=True)[PATTERN_COLUMNS]


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


def _common_or_latest(values: pd.Series):
    """The members' common value when the known ones agree, else the latest member's."""
    known = values.dropna().unique()
    if len(known) == 1:
        return known[0]
    last = values.iloc[-1]
    return None if pd.isna(last) else last


def pareto(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Primary cause categories of the kept incidents, most frequent first: cause ('unknown' for none),
    incidents, share = incidents / all kept incidents, cumulative_share (1.0 on the last row)."""
    cte, params = pm_cte(f)
    return frame(con, f"""WITH {cte},
        c AS (SELECT coalesce(primary_cause_category, 'unknown') AS cause, count(*) AS incidents
              FROM pm GROUP BY 1)
        SELECT cause, incidents, incidents / sum(incidents) OVER () AS share,
               sum(incidents) OVER (ORDER BY incidents DESC, cause = 'unknown', cause
                                    ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
                   / sum(incidents) OVER () AS cumulative_share
        FROM c ORDER BY incidents DESC, cause = 'unknown', cause""", params)


def cause_service_matrix(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Long format: cause (primary cause category), service, incidents; a missing value is 'unknown'.
    Only the pairs that occur; most frequent first."""
    cte, params = pm_cte(f)
    return frame(con, f"""WITH {cte}
        SELECT coalesce(primary_cause_category, 'unknown') AS cause, coalesce(service, 'unknown') AS service,
               count(*) AS incidents
        FROM pm GROUP BY 1, 2 ORDER BY incidents DESC, cause, service""", params)


def action_effectiveness_detail(con: duckdb.DuckDBPyConnection, f: Filters,
                                settings: Settings | None = None) -> pd.DataFrame:
    """One row per recurrence (a recurring kept incident and its previous_id), oldest first:
    postmortem_id, incident_date, previous_id, previous_date, actions (the previous incident's actions,
    cancelled ones left out), actions_done_before (done with completed_at on or before the recurrence's
    incident date; a done action with no known completion date counts as done), group."""
    cte, params = _flags_cte(f, settings)
    return frame(con, f"""{cte},
        r AS (SELECT * FROM flags WHERE recurs),
        a AS (
            SELECT r.postmortem_id,
                   count(x.action_id) FILTER (WHERE x.status IS DISTINCT FROM 'cancelled') AS actions,
                   count(x.action_id) FILTER (WHERE x.status = 'done' AND (x.completed_at IS NULL
                         OR r.incident_date IS NULL OR x.completed_at::DATE <= r.incident_date)) AS done_before
            FROM r LEFT JOIN actions x ON x.postmortem_id = r.previous_id
            GROUP BY r.postmortem_id
        )
        SELECT r.postmortem_id, r.incident_date, r.previous_id, prev.incident_date AS previous_date,
               a.actions, a.done_before AS actions_done_before,
               CASE WHEN a.actions = 0 AND prev.postmortem_id IS NULL THEN 'previous not loaded'
                    WHEN a.actions = 0 THEN 'no actions'
                    WHEN a.done_before = a.actions THEN 'all actions done'
                    ELSE 'actions still open' END AS "group"
        FROM r JOIN a USING (postmortem_id)
        LEFT JOIN postmortems prev ON prev.postmortem_id = r.previous_id
        ORDER BY r.incident_date, r.started_at NULLS LAST, r.postmortem_id""", params)


def action_effectiveness(con: duckdb.DuckDBPyConnection, f: Filters,
                         settings: Settings | None = None) -> pd.DataFrame:
    """One row per group, always in this order: "all actions done" (every non-cancelled action of the
    previous incident was done by the recurrence's date), "actions still open" (some were not),
    "no actions" (the previous incident had none, cancelled ones aside), "previous not loaded" (an
    explicit link to a post-mortem not in the database, with no action known for it). Columns: group,
    recurrences, share (of all recurrences; NULL with none)."""
    detail = action_effectiveness_detail(con, f, settings)
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
    start, upto = _up_to_end(f, start, end)
    pats = active_patterns(con, f, settings, start, upto.date_to)
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
                        "WHERE list_contains($ids, postmortem_id)", {"ids": ids})
    previous = titles.drop(columns="incident_date").rename(columns={"postmortem_id": "previous_id",
                                                                    "title": "previous_title"})
    table = table.merge(titles, on="postmortem_id", how="left").merge(previous, on="previous_id", how="left")
    day = pd.to_datetime(table["incident_date"]).dt.date
    table["in_period"] = day.le(upto.date_to) & (day.ge(start) if start is not None else True)
    return table[MEMBER_COLUMNS]
