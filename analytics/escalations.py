"""The template's escalation points, evaluated on the as-of date:

- "Action bloquée > 2 semaines → Escalade au management" (rule ``management``);
- "Pattern d'incidents similaires → Review architecturale" (rule ``architecture review``);
- "Cause impliquant processus externe → Escalade cross-team" (rule ``cross-team``);
- "Actions non implémentées → Bloquer les deployments" (rule ``block deployments``).

Thresholds come from Settings (the configuration's ``analytics.escalation`` section). Only the
post-mortems the filters keep and whose incident happened by the as-of date are looked at; the action
rules reuse ``analytics.actions`` (done, cancelled, blocked and overdue mean the same thing there).
"""

from __future__ import annotations

import re

import duckdb
import pandas as pd

from analytics import actions
from analytics.base import column_or_null, frame, pm_cte, tuples
from analytics.filters import Filters
from analytics.settings import Settings

COLUMNS = ["rule", "subject", "since", "owner", "evidence", "detail"]
RULES = ("management", "architecture review", "cross-team", "block deployments")
# What Python's str.strip() removes: a title of only these reads as no title
_BLANK = "".join(c for c in map(chr, range(0x3001)) if c.isspace())


def _day(value) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def _items(value) -> list:
    """A list cell as a plain list; NULL is empty."""
    if isinstance(value, (list, tuple)):
        return list(value)
    if hasattr(value, "tolist") and not isinstance(value, str):
        return list(value.tolist())
    return []


def management(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings) -> list[dict]:
    """Actions blocked for more than settings.blocked_days days on the as-of date
    (as_of - blocked_since::DATE > blocked_days). A blocked action with no blocked_since is not raised:
    how long it has been blocked is unknown."""
    stuck = actions.blocked(con, f)
    stuck = stuck[stuck["days_blocked"].notna() & (stuck["days_blocked"] > settings.blocked_days)]
    # column by column: itertuples made a pandas Timestamp per row (8,000 rows at 100k)
    columns = [stuck[name].tolist() for name in ("action_id", "postmortem_id", "description", "owner", "team",
                                                  "days_blocked")]
    return [{
        "rule": "management", "subject": description, "since": since,
        "owner": owner if isinstance(owner, str) and owner else team,
        "evidence": [postmortem_id], "action_ids": [action_id],
        "detail": f"action {action_id} blocked for {int(days)} days (more than {settings.blocked_days})",
    } for (action_id, postmortem_id, description, owner, team, days), since
        in zip(zip(*columns), stuck["blocked_since"].to_numpy())]


def architecture_review(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings) -> list[dict]:
    """settings.pattern_incidents or more incidents on one service with one primary cause category
    within settings.pattern_window_days days (last incident date - first <= the window), in a window
    ending on or before the as-of date and no more than pattern_window_days before it (an old pattern
    that stopped is history, not an escalation). One row per service and cause, for its latest window:
    since = the window's first incident date, owner = the team of its latest incident, evidence = its
    incidents, oldest first. Incidents without a service or a cause category are left out."""
    cte, params = pm_cte(f)
    params.update(as_of=f.as_of, window=int(settings.pattern_window_days), k=int(settings.pattern_incidents))
    table = frame(con, f"""WITH {cte},
        numbered AS (
            -- incidents in time order within each service and cause (one window: a global numbering
            -- first cost a second sort of every incident)
            SELECT *, row_number() OVER (PARTITION BY service, primary_cause_category
                                         ORDER BY incident_date, started_at NULLS LAST, postmortem_id) AS pair_seq
            FROM pm WHERE incident_date <= $as_of AND service IS NOT NULL AND primary_cause_category IS NOT NULL
        ),
        windows AS (
            -- each incident's window: the same service and cause's incidents up to it (in the order) and no
            -- more than $window days before it; numbered in order, so the window starts at the smallest
            -- pair_seq of the days in range, and a same-day incident after it (a peer in the range) is not in it
            SELECT *, min(pair_seq) OVER (PARTITION BY service, primary_cause_category ORDER BY incident_date
                                          RANGE BETWEEN INTERVAL ($window) DAY PRECEDING AND CURRENT ROW) AS first_seq
            FROM numbered
        ),
        latest AS (
            SELECT service, primary_cause_category, team, incident_date AS last_date, pair_seq, first_seq,
                   pair_seq - first_seq + 1 AS n
            FROM windows WHERE pair_seq - first_seq + 1 >= $k
            QUALIFY row_number() OVER (PARTITION BY service, primary_cause_category ORDER BY pair_seq DESC) = 1
            -- a pattern is escalated while it is current: its last incident within the window of the as-of date
            AND date_diff('day', last_date, $as_of) <= $window
        )
        SELECT latest.service, latest.primary_cause_category AS cause, latest.team,
               min(member.incident_date) AS first_date, latest.last_date, latest.n,
               list(member.postmortem_id ORDER BY member.pair_seq) AS ids
        FROM latest JOIN numbered member
          ON member.service = latest.service AND member.primary_cause_category = latest.primary_cause_category
         AND member.pair_seq BETWEEN latest.first_seq AND latest.pair_seq
        GROUP BY ALL ORDER BY first_date, latest.service, cause""", params)
    rows = []
    for pattern in table.itertuples(index=False):
        spread = (pd.Timestamp(pattern.last_date) - pd.Timestamp(pattern.first_date)).days
        rows.append({
            "rule": "architecture review", "subject": f"{pattern.service} / {pattern.cause}", "since": pattern.first_date,
            "owner": pattern.team, "evidence": list(pattern.ids),
            "detail": f"{int(pattern.n)} incidents on {pattern.service} with cause {pattern.cause} from {_day(pattern.first_date)} to "
                      f"{_day(pattern.last_date)} ({spread} days; {settings.pattern_incidents} within "
                      f"{settings.pattern_window_days} days call for a review)",
        })
    return rows


def cross_team(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings) -> list[dict]:
    """Post-mortems whose causes (any position, not only the primary one) include a category of
    settings.external_categories, or whose tags include one of settings.external_tags (case ignored),
    and that have at least one open action on the as-of date (neither done by then nor cancelled) or
    no action at all."""
    base, params = actions.kept_actions(f, con)
    params.update(ext_cats=[str(c).strip().lower() for c in settings.external_categories] or [""],
                  ext_tags=[str(t).strip().lower() for t in settings.external_tags] or [""])
    table = frame(con, f"""{base},
        happened AS (SELECT * FROM pm WHERE incident_date IS NULL OR incident_date <= $as_of),
        external_causes AS (
            SELECT postmortem_id, list(DISTINCT lower(category) ORDER BY lower(category)) AS cats
            FROM causes WHERE list_contains($ext_cats::VARCHAR[], lower(category)) GROUP BY 1
        ),
        external_tags AS (
            SELECT postmortem_id, list(DISTINCT tag ORDER BY tag) AS tags
            FROM (SELECT postmortem_id, lower(trim(unnest(tags))) AS tag FROM happened)
            WHERE list_contains($ext_tags::VARCHAR[], tag) GROUP BY 1
        ),
        action_counts AS (SELECT postmortem_id, count(*) AS actions FROM actions GROUP BY 1),
        open_counts AS (SELECT postmortem_id, count(*) AS still_open FROM kept_actions WHERE {actions.OPEN} GROUP BY 1)
        SELECT happened.postmortem_id, happened.title, happened.incident_date, happened.team,
               external_causes.cats, external_tags.tags, coalesce(action_counts.actions, 0) AS actions,
               coalesce(open_counts.still_open, 0) AS still_open
        FROM happened LEFT JOIN external_causes USING (postmortem_id) LEFT JOIN external_tags USING (postmortem_id)
        LEFT JOIN action_counts USING (postmortem_id) LEFT JOIN open_counts USING (postmortem_id)
        WHERE (external_causes.cats IS NOT NULL OR external_tags.tags IS NOT NULL)
          AND (coalesce(action_counts.actions, 0) = 0 OR open_counts.still_open > 0)
        ORDER BY happened.incident_date, happened.postmortem_id""", params)
    rows = []
    for postmortem in table.itertuples(index=False):
        why = []
        if _items(postmortem.cats):
            why.append("cause category " + ", ".join(_items(postmortem.cats)))
        if _items(postmortem.tags):
            why.append("tag " + ", ".join(_items(postmortem.tags)))
        still_open = int(postmortem.still_open)
        state = (f"{still_open} open action{'s' if still_open != 1 else ''}" if postmortem.actions
                 else "no corrective action")
        title = postmortem.title if isinstance(postmortem.title, str) and postmortem.title else None
        rows.append({
            "rule": "cross-team", "subject": title or postmortem.postmortem_id,
            "since": postmortem.incident_date, "owner": postmortem.team, "evidence": [postmortem.postmortem_id],
            "detail": f"{'; '.join(why)}: another team is involved; {state}",
        })
    return rows


def block_deployments(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings) -> list[dict]:
    """Per service, the high-priority actions overdue on the as-of date (open, due_date < as_of):
    since = the oldest such due date, owner = the teams of their post-mortems, evidence = those
    post-mortems (oldest due first). Actions of post-mortems with no service are grouped under
    'unknown'."""
    base, params = actions.kept_actions(f, con)
    table = frame(con, f"""{base},
        late AS (
            SELECT *, coalesce(service, 'unknown') AS blocked_service,
                   row_number() OVER (PARTITION BY coalesce(service, 'unknown'), postmortem_id
                                      ORDER BY due_date, action_id) AS nth_of_its_postmortem
            FROM kept_actions WHERE {actions.OVERDUE} AND priority = 'high'
        )
        SELECT blocked_service AS service, min(due_date) AS since,
               string_agg(DISTINCT team, ', ' ORDER BY team) FILTER (WHERE team <> '') AS owner,
               list(postmortem_id ORDER BY due_date, action_id) FILTER (WHERE nth_of_its_postmortem = 1) AS evidence,
               list(action_id ORDER BY due_date, action_id) AS action_ids
        FROM late GROUP BY 1 ORDER BY 1""", params)
    rows = []
    for service in table.itertuples(index=False):
        n = len(service.action_ids)
        rows.append({
            "rule": "block deployments", "subject": service.service, "since": service.since, "owner": service.owner,
            "evidence": list(service.evidence), "action_ids": list(service.action_ids),
            "detail": f"{n} high-priority action{'s' if n != 1 else ''} overdue "
                      f"({', '.join(service.action_ids)}); oldest due {_day(service.since)}",
        })
    return rows


def evidence_ids(rows: pd.DataFrame) -> list[str]:
    """The post-mortems the escalation rows rest on, each once, in the order the rows name them."""
    seen: dict[str, None] = {}
    for ids in rows["evidence"]:
        for pid in _items(ids):
            seen.setdefault(str(pid), None)
    return list(seen)


def _table(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None) -> pd.DataFrame:
    """Every row to escalate, ordered, with ``action_ids``: the actions a row names (none for a pattern or a
    cross-team cause)."""
    settings = settings or Settings()
    rows = (management(con, f, settings) + architecture_review(con, f, settings)
            + cross_team(con, f, settings) + block_deployments(con, f, settings))
    if not rows:
        return pd.DataFrame(columns=COLUMNS + ["action_ids"])
    table = pd.DataFrame(rows, columns=COLUMNS + ["action_ids"])
    table["action_ids"] = table["action_ids"].map(_items)
    table["since"] = pd.to_datetime(table["since"]).dt.normalize()
    table["_rule"] = table["rule"].map(RULES.index)
    table = table.sort_values(["_rule", "since", "subject"], na_position="last", kind="stable")
    return table.drop(columns="_rule").reset_index(drop=True)


def escalations(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None = None) -> pd.DataFrame:
    """Everything to escalate on f.as_of: rule, subject, since (date), owner, evidence (list of
    post-mortem ids), detail (why). Ordered by rule (management, architecture review, cross-team,
    block deployments), then since (unknown last), then subject."""
    return _table(con, f, settings)[COLUMNS]


def reason(detail: str, action_ids: list[str]) -> str:
    """A rule's reason without the action ids it names (the subject and the other columns say which),
    capitalised: "Blocked for 20 days (more than 14)"."""
    for action_id in sorted(action_ids, key=len, reverse=True):
        detail = detail.replace(action_id, "")
    detail = re.sub(r"\baction\s+(?=blocked)", "", detail)
    detail = re.sub(r"\s*\((?:\s*,)*\s*\)", "", detail)
    return detail[0].upper() + detail[1:] if detail else detail


LISTING = ["rule", "subject", "why", "since", "owner", "team", "priority", "due_date", "ticket", "blocked_by",
           "evidence", "evidence_titles"]


def listing(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None = None) -> pd.DataFrame:
    """``escalations`` as a manager reads it: the reason in words (no action ids), and for the actions a row
    names their team(s), priorities, earliest due date and tickets (comma-joined; NULL for a row that names no
    action: its team is that of its evidence), with the evidence's titles ("2026-01-26 Title", the id where
    untitled), and what blocks them when their documents say ("Blocked by" / "Bloqué par"). Columns: rule,
    subject, why, since, owner, team, priority, due_date, ticket, blocked_by, evidence (ids), evidence_titles."""
    table = _table(con, f, settings)
    if table.empty:
        return pd.DataFrame(columns=LISTING)
    action_ids = sorted({a for ids in table["action_ids"] for a in ids}) or [""]
    pm_ids = sorted({p for ids in table["evidence"] for p in _items(ids)}) or [""]
    acts = frame(con, f"SELECT action_id, priority, due_date, ticket, {column_or_null(con, 'actions', 'blocked_by')} "
                      "FROM actions WHERE action_id IN (SELECT unnest($ids::VARCHAR[]))", {"ids": action_ids})
    # the evidence's titles are dated in SQL: a pandas Timestamp per row cost ~15 us, at 100k a quarter second
    evidence_rows = tuples(con, """
        SELECT postmortem_id, team,
               CASE WHEN incident_date IS NULL THEN name ELSE strftime(incident_date, '%Y-%m-%d') || ' ' || name END
        FROM (SELECT *, CASE WHEN title IS NULL OR trim(title, $blank) = '' THEN postmortem_id ELSE title END AS name
              FROM postmortems WHERE postmortem_id IN (SELECT unnest($ids::VARCHAR[])))""",
                         {"ids": pm_ids, "blank": _BLANK})
    teams = {pid: team for pid, team, _ in evidence_rows}
    titles = {pid: title for pid, _, title in evidence_rows}
    # plain dictionaries: a pandas lookup per cell costs ~50 us, and at 100k post-mortems a listing has
    # tens of thousands of cells
    ids = acts["action_id"].tolist()
    column = {name: dict(zip(ids, acts[name].tolist())) for name in ("priority", "ticket", "blocked_by")}
    column["due_date"] = dict(zip(ids, acts["due_date"].to_numpy()))  # numpy dates: no Timestamp per row

    def joined(lookup: dict, ids) -> str | None:
        if len(ids) == 1:  # most rows name one action or one post-mortem
            value = lookup.get(ids[0])
            return value if isinstance(value, str) and value else None
        seen = list(dict.fromkeys(str(v) for v in map(lookup.get, ids) if isinstance(v, str) and v))
        return ", ".join(seen) or None

    def earliest(ids) -> object:
        due = [column["due_date"].get(a) for a in ids]
        return min((d for d in due if pd.notna(d)), default=None)

    evidence = [_items(ids) for ids in table["evidence"]]
    out = table.assign(
        why=[reason(str(d), ids) for d, ids in zip(table["detail"], table["action_ids"])],
        team=[joined(teams, ids) for ids in evidence],
        priority=[joined(column["priority"], ids) for ids in table["action_ids"]],
        due_date=[earliest(ids) for ids in table["action_ids"]],
        ticket=[joined(column["ticket"], ids) for ids in table["action_ids"]],
        blocked_by=[joined(column["blocked_by"], ids) for ids in table["action_ids"]],
        evidence_titles=[[titles.get(p, p) for p in ids] for ids in evidence])
    out["due_date"] = pd.to_datetime(out["due_date"])
    return out[LISTING]
