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

import duckdb
import pandas as pd

from analytics import actions
from analytics.base import frame, pm_cte
from analytics.filters import Filters
from analytics.settings import Settings

COLUMNS = ["rule", "subject", "since", "owner", "evidence", "detail"]
RULES = ("management", "architecture review", "cross-team", "block deployments")


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
    rows = []
    stuck = actions.blocked(con, f)
    stuck = stuck[stuck["days_blocked"].notna() & (stuck["days_blocked"] > settings.blocked_days)]
    for r in stuck.itertuples(index=False):
        rows.append({
            "rule": "management", "subject": r.description, "since": r.blocked_since,
            "owner": r.owner if isinstance(r.owner, str) and r.owner else r.team,
            "evidence": [r.postmortem_id],
            "detail": f"action {r.action_id} blocked for {int(r.days_blocked)} days "
                      f"(more than {settings.blocked_days})",
        })
    return rows


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
        o AS (
            SELECT *, row_number() OVER (ORDER BY incident_date, started_at NULLS LAST, postmortem_id) AS seq
            FROM pm WHERE incident_date <= $as_of AND service IS NOT NULL AND primary_cause_category IS NOT NULL
        ),
        w AS (
            SELECT a.seq, a.service, a.primary_cause_category AS cause, a.team, a.incident_date AS last_date,
                   min(b.incident_date) AS first_date, count(*) AS n,
                   list(b.postmortem_id ORDER BY b.seq) AS ids
            FROM o a JOIN o b
              ON b.service = a.service AND b.primary_cause_category = a.primary_cause_category
             AND b.seq <= a.seq AND date_diff('day', b.incident_date, a.incident_date) <= $window
            GROUP BY a.seq, a.service, a.primary_cause_category, a.team, a.incident_date
        )
        SELECT service, cause, team, first_date, last_date, n, ids FROM w WHERE n >= $k
        QUALIFY row_number() OVER (PARTITION BY service, cause ORDER BY seq DESC) = 1
        -- a pattern is escalated while it is current: its last incident within the window of the as-of date
        AND date_diff('day', last_date, $as_of) <= $window""", params)
    rows = []
    for r in table.itertuples(index=False):
        spread = (pd.Timestamp(r.last_date) - pd.Timestamp(r.first_date)).days
        rows.append({
            "rule": "architecture review", "subject": f"{r.service} / {r.cause}", "since": r.first_date,
            "owner": r.team, "evidence": list(r.ids),
            "detail": f"{int(r.n)} incidents on {r.service} with cause {r.cause} from {_day(r.first_date)} to "
                      f"{_day(r.last_date)} ({spread} days; {settings.pattern_incidents} within "
                      f"{settings.pattern_window_days} days call for a review)",
        })
    return rows


def cross_team(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings) -> list[dict]:
    """Post-mortems whose causes (any position, not only the primary one) include a category of
    settings.external_categories, or whose tags include one of settings.external_tags (case ignored),
    and that have at least one open action on the as-of date (neither done by then nor cancelled) or
    no action at all."""
    cte, params = pm_cte(f)
    params.update(as_of=f.as_of,
                  ext_cats=[str(c).strip().lower() for c in settings.external_categories] or [""],
                  ext_tags=[str(t).strip().lower() for t in settings.external_tags] or [""])
    table = frame(con, f"""WITH {cte},
        k AS (SELECT * FROM pm WHERE incident_date IS NULL OR incident_date <= $as_of),
        c AS (SELECT postmortem_id, list(DISTINCT lower(category) ORDER BY lower(category)) AS cats
              FROM causes WHERE list_contains($ext_cats::VARCHAR[], lower(category)) GROUP BY 1),
        t AS (SELECT postmortem_id, list(DISTINCT tag ORDER BY tag) AS tags
              FROM (SELECT postmortem_id, lower(trim(unnest(tags))) AS tag FROM k)
              WHERE list_contains($ext_tags::VARCHAR[], tag) GROUP BY 1),
        n AS (SELECT postmortem_id, count(*) AS actions FROM actions GROUP BY 1)
        SELECT k.postmortem_id, k.title, k.incident_date, k.team, c.cats, t.tags,
               coalesce(n.actions, 0) AS actions
        FROM k LEFT JOIN c USING (postmortem_id) LEFT JOIN t USING (postmortem_id)
        LEFT JOIN n USING (postmortem_id)
        WHERE c.cats IS NOT NULL OR t.tags IS NOT NULL""", params)
    if table.empty:
        return []
    open_now = actions.open_actions(con, f)["postmortem_id"].value_counts()
    rows = []
    for r in table.itertuples(index=False):
        still_open = int(open_now.get(r.postmortem_id, 0))
        if r.actions and not still_open:
            continue
        why = []
        if _items(r.cats):
            why.append("cause category " + ", ".join(_items(r.cats)))
        if _items(r.tags):
            why.append("tag " + ", ".join(_items(r.tags)))
        state = (f"{still_open} open action{'s' if still_open != 1 else ''}" if r.actions
                 else "no corrective action")
        rows.append({
            "rule": "cross-team", "subject": r.title if isinstance(r.title, str) and r.title else r.postmortem_id,
            "since": r.incident_date, "owner": r.team, "evidence": [r.postmortem_id],
            "detail": f"{'; '.join(why)}: another team is involved; {state}",
        })
    return rows


def block_deployments(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings) -> list[dict]:
    """Per service, the high-priority actions overdue on the as-of date (open, due_date < as_of):
    since = the oldest such due date, owner = the teams of their post-mortems, evidence = those
    post-mortems (oldest due first). Actions of post-mortems with no service are grouped under
    'unknown'."""
    late = actions.overdue(con, f)
    late = late[late["priority"] == "high"].copy()
    if late.empty:
        return []
    late["service"] = late["service"].fillna("unknown")
    late = late.sort_values(["due_date", "action_id"], kind="stable")
    rows = []
    for service, group in late.groupby("service", sort=True):
        teams = sorted({t for t in group["team"] if isinstance(t, str) and t})
        n = len(group)
        rows.append({
            "rule": "block deployments", "subject": service, "since": group["due_date"].min(),
            "owner": ", ".join(teams) or None,
            "evidence": list(dict.fromkeys(group["postmortem_id"])),
            "detail": f"{n} high-priority action{'s' if n != 1 else ''} overdue "
                      f"({', '.join(group['action_id'])}); oldest due {_day(group['due_date'].min())}",
        })
    return rows


def escalations(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None = None) -> pd.DataFrame:
    """Everything to escalate on f.as_of: rule, subject, since (date), owner, evidence (list of
    post-mortem ids), detail (why). Ordered by rule (management, architecture review, cross-team,
    block deployments), then since (unknown last), then subject."""
    settings = settings or Settings()
    rows = (management(con, f, settings) + architecture_review(con, f, settings)
            + cross_team(con, f, settings) + block_deployments(con, f, settings))
    if not rows:
        return pd.DataFrame(columns=COLUMNS)
    table = pd.DataFrame(rows, columns=COLUMNS)
    table["since"] = pd.to_datetime(table["since"]).dt.normalize()
    table["_rule"] = table["rule"].map(RULES.index)
    table = table.sort_values(["_rule", "since", "subject"], na_position="last", kind="stable")
    return table.drop(columns="_rule").reset_index(drop=True)
