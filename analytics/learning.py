"""Learning dissemination: the share of the owning team's members who read the post-mortem.

Team members are configuration (the `teams:` section, Settings.teams), not data: they are passed to the
query as bound lists, never written into the SQL. Names match case-insensitively, surrounding spaces
and a leading "@" ignored, so "@Alice" in the configuration is "alice" in the readers table. Teams match
the post-mortem's team the same way (case and spaces ignored).

Only post-mortems whose team has a non-empty member list are measured; the others (no team, or a team
the configuration does not list) are left out, because their denominator is unknown. So are those
without reader data (the document has no readers field, ``readers_known`` false): nobody knows who read
them, which is not the same as nobody read them. A readers field given empty is known: nobody read it.
Readers outside the team are not counted (the metric is about the owning team), and participants count
only if they are also listed as readers."""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics.base import frame, pm_cte
from analytics.filters import Filters
from analytics.quarters import quarter_expr
from analytics.settings import Settings


def _person(value) -> str:
    """As the SQL below normalises a reader: spaces and a leading "@" dropped, lower case."""
    return str(value).strip().lstrip("@").strip().lower()


def _members(settings: Settings) -> dict:
    """Bound parameters: two parallel lists (team, member), normalised and deduplicated."""
    pairs = sorted({(str(team).strip().lower(), _person(m)) for team, members in (settings.teams or {}).items()
                    for m in (members or []) if _person(m) and str(team).strip()})
    return {"m_team": [t for t, _ in pairs], "m_member": [m for _, m in pairs]}


def _readers_known(con: duckdb.DuckDBPyConnection) -> str:
    """The readers_known column; on a file written before it existed (not ingested since, so not
    upgraded yet), the same guess the upgrade makes: a post-mortem with a reader gave the field."""
    has = frame(con, "SELECT count(*) AS n FROM duckdb_columns() WHERE table_name = 'postmortems' "
                     "AND column_name = 'readers_known' AND database_name = current_database()").iloc[0]["n"]
    return "pm.readers_known" if has else "pm.postmortem_id IN (SELECT postmortem_id FROM readers)"


def _base(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None) -> tuple[str, dict]:
    """`kept`: one row per kept post-mortem with members (NULL when its team has no member list),
    readers_in_team, readers_known, measured (both known) and quarter."""
    settings = settings or Settings()
    known = _readers_known(con)
    cte, params = pm_cte(f)
    params.update(_members(settings))
    quarter = quarter_expr("pm.incident_date", settings.fiscal_year_start_month)
    return f"""
        WITH {cte},
        team_member AS (SELECT unnest($m_team::VARCHAR[]) AS team_key, unnest($m_member::VARCHAR[]) AS member),
        team_size AS (SELECT team_key, count(*) AS members FROM team_member GROUP BY 1),
        -- the readers of the kept post-mortems of a configured team only: the others are never measured, and
        -- at 100,000 post-mortems normalising every reader's name was most of the query
        measured_pm AS (
            SELECT pm.postmortem_id, team_size.team_key
            FROM pm JOIN team_size ON team_size.team_key = lower(trim(pm.team))
        ),
        team_reads AS (
            SELECT measured_pm.postmortem_id, measured_pm.team_key,
                   count(DISTINCT team_member.member) AS readers_in_team
            FROM readers JOIN measured_pm USING (postmortem_id)
            JOIN team_member ON team_member.team_key = measured_pm.team_key
                            AND team_member.member = lower(trim(ltrim(trim(readers.reader), '@')))
            GROUP BY 1, 2
        ),
        kept AS (
            SELECT pm.postmortem_id, pm.title, pm.team, team_size.members,
                   coalesce({known}, FALSE) AS readers_known,
                   CASE WHEN pm.incident_date IS NOT NULL THEN {quarter} END AS quarter,
                   coalesce(team_reads.readers_in_team, 0) AS readers_in_team,
                   team_size.members IS NOT NULL AND coalesce({known}, FALSE) AS measured
            FROM pm LEFT JOIN team_size ON team_size.team_key = lower(trim(pm.team))
            LEFT JOIN team_reads ON team_reads.postmortem_id = pm.postmortem_id
                                AND team_reads.team_key = team_size.team_key
        )""", params


STATS = """
    count(*) FILTER (WHERE measured) AS postmortems,
    coalesce(sum(readers_in_team) FILTER (WHERE measured), 0)::BIGINT AS member_reads,
    coalesce(sum(members) FILTER (WHERE measured), 0)::BIGINT AS member_slots,
    sum(readers_in_team) FILTER (WHERE measured) / nullif(sum(members) FILTER (WHERE measured), 0)
        AS dissemination_rate,
    median(readers_in_team / members) FILTER (WHERE measured) AS median_share,
    count(*) FILTER (WHERE members IS NOT NULL AND NOT readers_known) AS no_reader_data,
    count(*) FILTER (WHERE members IS NULL) AS excluded,
    count(*) AS total"""


def summary(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None = None) -> pd.DataFrame:
    """One row: postmortems (measured: a configured team and reader data), member_reads, member_slots,
    dissemination_rate (pooled: member_reads / member_slots), median_share (of the per-post-mortem
    shares), no_reader_data (a configured team but no readers field), excluded (kept post-mortems whose
    team has no member list) and total (every kept post-mortem: postmortems + no_reader_data + excluded)."""
    base, params = _base(con, f, settings)
    return frame(con, f"{base} SELECT {STATS} FROM kept", params)


def by_quarter(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None = None) -> pd.DataFrame:
    """The summary's columns per quarter of the incident date (fiscal with
    settings.fiscal_year_start_month); post-mortems with no incident date are in no quarter."""
    base, params = _base(con, f, settings)
    return frame(con, f"{base} SELECT quarter, {STATS} FROM kept WHERE quarter IS NOT NULL GROUP BY 1 ORDER BY 1",
                 params)
