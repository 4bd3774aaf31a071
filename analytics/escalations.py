"""The template's escalation points, evaluated on the as-of date:

- "Action bloquée > 2 semaines → Escalade au management" (rule ``management``);
- "Pattern d'incidents similaires → Review architecturale" (rule ``architecture review``);
- "Cause impliquant processus externe → Escalade cross-team" (rule ``cross-team``);
- "Actions non implémentées → Bloquer les deployments" (rule ``block deployments``).

Thresholds come from Settings (the configuration's ``analytics.escalation`` section). Only the
post-mortems the filters keep and whose incident happened by the as-of date are looked at; the action
rules reuse ``analytics.actions`` (done, cancelled, blocked and overdue mean the same thing there).

Each rule is one SELECT that yields its rows with their final columns (the words included), so that the
four run as one query, ordered in SQL: at 100,000 post-mortems the rows number ~14,000, and building
them row by row in Python cost more than the queries did (issue 11).
"""

from __future__ import annotations

import re
from typing import NamedTuple

import duckdb
import pandas as pd

from analytics import actions, tag_facts
from analytics.base import column_or_null, frame, frame_with_lists
from analytics.filters import Filters
from analytics.settings import Settings

COLUMNS = ["rule", "subject", "since", "owner", "evidence", "detail"]
RULES = ("management", "architecture review", "cross-team", "block deployments")
# What Python's str.strip() removes: a title of only these reads as no title
_BLANK = "".join(c for c in map(chr, range(0x3001)) if c.isspace())


class _Rule(NamedTuple):
    """One rule's SQL over the CTEs pm and kept_actions (actions.kept_actions): ``ctes`` (each followed by a
    comma) and a ``select`` yielding subject, since, owner, evidence, action_ids, detail, why (``reason`` of
    detail where SQL can tell it for sure, else NULL) and nth (the row's place in the rule's own order); and for
    ``listing``: teams (the evidence's, in its order), priorities, tickets and blockers (the named actions', in
    their order), due_date (the earliest of the named actions') and evidence_titles."""
    ctes: str
    select: str
    params: dict


class _Sources(NamedTuple):
    """What the rules read that depends on the file: ``blocked_by``, the actions' column or NULL in a file
    written before it existed; ``tags``, a FROM item of the post-mortems' tags (analytics/tag_facts.py)."""
    blocked_by: str
    tags: str


def _titled(postmortem_id: str, title: str, day: str) -> str:
    """SQL: a post-mortem as the listing names it, "2026-01-26 Title"; its id stands for a blank title, and an
    undated one is its title alone."""
    name = f"CASE WHEN {title} IS NULL OR trim({title}, $blank) = '' THEN {postmortem_id} ELSE {title} END"
    return f"CASE WHEN {day} IS NULL THEN {name} ELSE strftime({day}, '%Y-%m-%d') || ' ' || {name} END"


def _management(settings: Settings, src: _Sources) -> _Rule:
    """The SQL of ``management``."""
    return _Rule("", f"""
        SELECT description AS subject, blocked_since AS since,
               CASE WHEN owner <> '' THEN owner ELSE team END AS owner,
               [postmortem_id] AS evidence, [action_id] AS action_ids, 'action ' || action_id || tail AS detail,
               -- reason(): drops the id and the word "action" before "blocked"; sure when the id is found
               -- only there and the rest holds neither "action" nor a second parenthesis
               CASE WHEN strpos('action ' || action_id || tail, action_id) = 8 AND strpos(tail, action_id) = 0
                         AND tail NOT LIKE '%action%' AND tail NOT LIKE '%(%(%'
                    THEN 'Blocked' || substr(tail, 9) END AS why,
               row_number() OVER (ORDER BY days DESC, action_id) AS nth,
               [team] AS teams, [priority] AS priorities, [ticket] AS tickets, [{src.blocked_by}] AS blockers, due_date,
               [{_titled('postmortem_id', 'title', 'incident_date')}] AS evidence_titles
        -- days with thousands separators, as every count the pages show: "blocked for 1,020 days"
        FROM (SELECT *, ' blocked for ' || format('{{:,}}', days) || ' days (more than ' || $blocked_text || ')' AS tail
              FROM (SELECT *, date_diff('day', blocked_since::DATE, $as_of) AS days
                    FROM kept_actions WHERE status = 'blocked'))
        WHERE days > $blocked_days""", {"blocked_days": settings.blocked_days,
                                        "blocked_text": f"{settings.blocked_days:,}"})


def _architecture_review(settings: Settings, src: _Sources) -> _Rule:
    """The SQL of ``architecture_review``."""
    return _Rule(f"""
        numbered AS (
            -- incidents in time order within each service and cause (one window: a global numbering
            -- first cost a second sort of every incident). Only the last two windows before the as-of date
            -- matter: a current pattern ends within one window of it and starts within one window of its
            -- end; the incidents left out all come first in the order, so the numbers' differences hold
            SELECT *, row_number() OVER (PARTITION BY service, primary_cause_category
                                         ORDER BY incident_date, started_at NULLS LAST, postmortem_id) AS pair_seq
            FROM pm WHERE incident_date <= $as_of AND date_diff('day', incident_date, $as_of) <= 2 * $window
                      AND service IS NOT NULL AND primary_cause_category IS NOT NULL
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
        ),
        patterns AS (
            SELECT latest.service, latest.primary_cause_category AS cause, latest.team,
                   min(member.incident_date) AS first_date, latest.last_date, latest.n,
                   list(member.postmortem_id ORDER BY member.pair_seq) AS ids,
                   list(member.team ORDER BY member.pair_seq) AS teams,
                   list({_titled('member.postmortem_id', 'member.title', 'member.incident_date')} ORDER BY member.pair_seq)
                       AS titles
            FROM latest JOIN numbered member
              ON member.service = latest.service AND member.primary_cause_category = latest.primary_cause_category
             AND member.pair_seq BETWEEN latest.first_seq AND latest.pair_seq
            GROUP BY ALL
        ),""", """
        SELECT subject, since, owner, evidence, action_ids, detail,
               -- reason() changes nothing when no "action" and no second parenthesis can match its patterns
               CASE WHEN detail NOT LIKE '%action%' AND detail NOT LIKE '%(%(%' THEN detail END AS why, nth,
               teams, []::VARCHAR[] AS priorities, []::VARCHAR[] AS tickets, []::VARCHAR[] AS blockers,
               NULL::DATE AS due_date, titles AS evidence_titles
        FROM (SELECT service || ' / ' || cause AS subject, first_date AS since, team AS owner, ids AS evidence, teams,
                     titles,
                     []::VARCHAR[] AS action_ids,
                     n || ' incidents on ' || service || ' with cause ' || cause || ' from '
                       || strftime(first_date, '%Y-%m-%d') || ' to ' || strftime(last_date, '%Y-%m-%d') || ' ('
                       || date_diff('day', first_date, last_date) || ' days; ' || $k_text || ' within ' || $window_text
                       || ' days call for a review)' AS detail,
                     row_number() OVER (ORDER BY first_date, service, cause) AS nth
              FROM patterns)""", {
        "window": int(settings.pattern_window_days), "k": int(settings.pattern_incidents),
        "k_text": str(settings.pattern_incidents), "window_text": str(settings.pattern_window_days)})


def _cross_team(settings: Settings, src: _Sources) -> _Rule:
    """The SQL of ``cross_team``."""
    return _Rule(f"""
        external_causes AS (
            SELECT postmortem_id, list_sort(list_distinct(list(lower(category)))) AS cats
            FROM causes WHERE list_contains($ext_cats::VARCHAR[], lower(category)) GROUP BY 1
        ),
        external_tags AS (
            -- each external tag once, sorted
            SELECT postmortem_id, list_sort(list(tag)) AS ext_tags
            FROM {src.tags} WHERE list_contains($ext_tags::VARCHAR[], tag) GROUP BY 1
        ),
        candidates AS (
            -- the reasons worded only for the post-mortems that have one (a few thousand of 100,000)
            SELECT postmortem_id, title, incident_date, team,
                   concat_ws('; ', 'cause category ' || array_to_string(cats, ', '),
                             'tag ' || array_to_string(ext_tags, ', ')) AS reasons
            FROM pm LEFT JOIN external_causes USING (postmortem_id) LEFT JOIN external_tags USING (postmortem_id)
            WHERE (incident_date IS NULL OR incident_date <= $as_of) AND (cats IS NOT NULL OR ext_tags IS NOT NULL)
        ),
        -- the candidates' actions only (a few thousand post-mortems of 100,000), counted in one pass: every
        -- action of a candidate is in kept_actions, as its incident happened by the as-of date
        action_counts AS (
            SELECT postmortem_id, count(*) AS actions, count(*) FILTER (WHERE {actions.OPEN}) AS still_open
            FROM kept_actions WHERE postmortem_id IN (SELECT postmortem_id FROM candidates) GROUP BY 1
        ),
        involved AS (
            SELECT postmortem_id, title, incident_date, team, reasons,
                   CASE WHEN coalesce(action_counts.actions, 0) = 0 THEN 'no corrective action'
                        ELSE action_counts.still_open || ' open action'
                             || CASE WHEN action_counts.still_open <> 1 THEN 's' ELSE '' END END AS state
            FROM candidates LEFT JOIN action_counts USING (postmortem_id)
            WHERE coalesce(action_counts.actions, 0) = 0 OR action_counts.still_open > 0
        ),""", f"""
        SELECT CASE WHEN title <> '' THEN title ELSE postmortem_id END AS subject, incident_date AS since,
               team AS owner, [postmortem_id] AS evidence, []::VARCHAR[] AS action_ids,
               reasons || ': another team is involved; ' || state AS detail,
               -- reason() capitalises; its patterns can only match in the categories and tags named
               CASE WHEN reasons NOT LIKE '%action%' AND reasons NOT LIKE '%(%'
                    THEN upper(left(reasons, 1)) || substr(reasons, 2) || ': another team is involved; ' || state
                    END AS why,
               row_number() OVER (ORDER BY incident_date NULLS LAST, postmortem_id) AS nth,
               [team] AS teams, []::VARCHAR[] AS priorities, []::VARCHAR[] AS tickets, []::VARCHAR[] AS blockers,
               NULL::DATE AS due_date, [{_titled('postmortem_id', 'title', 'incident_date')}] AS evidence_titles
        FROM involved""", {
        "ext_cats": [str(c).strip().lower() for c in settings.external_categories] or [""],
        "ext_tags": [str(t).strip().lower() for t in settings.external_tags] or [""]})


def _block_deployments(settings: Settings, src: _Sources) -> _Rule:
    """The SQL of ``block_deployments``."""
    return _Rule(f"""
        late AS (
            SELECT *, coalesce(service, 'unknown') AS blocked_service
            FROM kept_actions WHERE {actions.OVERDUE} AND priority = 'high'
        ),
        blocking AS (
            -- lists sorted per service rather than ordered aggregates (those cost DuckDB a sort per group)
            SELECT blocked_service AS service, min(due_date) AS since,
                   nullif(array_to_string(list_sort(list_distinct(list(team) FILTER (WHERE team <> ''))), ', '), '')
                       AS owner,
                   list_sort(list({{'due': due_date, 'action': action_id, 'pm': postmortem_id,
                                    'team': team, 'ticket': ticket,
                                    'blocker': {src.blocked_by}, 'title': title, 'day': incident_date}})) AS late
            FROM late GROUP BY 1
        ),
        worded AS (
            -- each post-mortem cited once, at its first late action (a window numbering each post-mortem's
            -- actions cost more than the rest of the rule)
            SELECT service, since, owner,
                   list_transform(late, lambda x: x.pm) AS late_pms,
                   list_filter(late, lambda x, i: list_position(late_pms, x.pm) = i) AS cited,
                   list_transform(cited, lambda x: x.pm) AS evidence, list_transform(late, lambda x: x.action) AS action_ids,
                   list_transform(cited, lambda x: x.team) AS teams, list_transform(late, lambda x: x.ticket) AS tickets,
                   list_transform(late, lambda x: x.blocker) AS blockers,
                   list_transform(cited, lambda x: {_titled('x.pm', 'x.title', 'x.day')}) AS evidence_titles,
                   len(late) || ' high-priority action' || CASE WHEN len(late) <> 1 THEN 's' ELSE '' END || ' overdue' AS head,
                   '; oldest due ' || strftime(since, '%Y-%m-%d') AS tail
            FROM blocking
        ),""", """
        SELECT service AS subject, since, owner, evidence, action_ids,
               head || ' (' || array_to_string(action_ids, ', ') || ')' || tail AS detail,
               -- reason() removes the ids and then the parenthesis left empty; sure when each id is found
               -- only in its own place: not empty, no separator or parenthesis in it, not in the words around
               CASE WHEN list_bool_and(list_transform(action_ids, lambda a: a <> '' AND NOT regexp_matches(a, '[ ,()]')
                                                                   AND strpos(head || tail, a) = 0))
                    THEN head || tail END AS why,
               row_number() OVER (ORDER BY service) AS nth,
               -- every action named is high-priority: the rule picks only those
               teams, ['high'] AS priorities, tickets, blockers, since AS due_date, evidence_titles
        FROM worded""", {})


_RULES = {"management": _management, "architecture review": _architecture_review, "cross-team": _cross_team,
          "block deployments": _block_deployments}


def _sql(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings, rules=RULES) -> tuple[str, dict]:
    """``WITH ..., escalated AS (...)``: the rows of ``rules``, each with rule_no (its place in RULES) and rule."""
    # three rules read kept_actions: inlined, each reads the few columns and rows it needs
    base, params = actions.kept_actions(f, con, inline=True)
    params["blank"] = _BLANK
    # a file written before actions had blocked_by reads as if none were known
    blocked_by = "NULL::VARCHAR" if column_or_null(con, "actions", "blocked_by") != "blocked_by" else "blocked_by"
    src = _Sources(blocked_by, tag_facts.source(con) if "cross-team" in rules else "")
    ctes, selects = [], []
    for name in rules:
        rule = _RULES[name](settings, src)
        ctes.append(rule.ctes)
        selects.append(f"SELECT {RULES.index(name)} AS rule_no, '{name}' AS rule, * FROM ({rule.select})")
        params.update(rule.params)
    return f"{base},{''.join(ctes)} escalated AS ({' UNION ALL BY NAME '.join(selects)})", params


def _rows(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings, name: str) -> list[dict]:
    """One rule's rows as dictionaries, in its own order; ``action_ids`` for the rules that name actions."""
    keys = ["rule", "subject", "since", "owner", "evidence"] + (
        ["action_ids"] if name in ("management", "block deployments") else []) + ["detail"]
    sql, params = _sql(con, f, settings, (name,))
    table = frame(con, f"{sql} SELECT {', '.join(keys)} FROM escalated ORDER BY nth", params)
    columns = [[list(v) for v in table[k]] if k in ("evidence", "action_ids") else table[k].tolist() for k in keys]
    return [dict(zip(keys, values)) for values in zip(*columns)]


def management(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings) -> list[dict]:
    """Actions blocked for more than settings.blocked_days days on the as-of date
    (as_of - blocked_since::DATE > blocked_days). A blocked action with no blocked_since is not raised:
    how long it has been blocked is unknown. Owner: the action's, else its post-mortem's team."""
    return _rows(con, f, settings, "management")


def architecture_review(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings) -> list[dict]:
    """settings.pattern_incidents or more incidents on one service with one primary cause category
    within settings.pattern_window_days days (last incident date - first <= the window), in a window
    ending on or before the as-of date and no more than pattern_window_days before it (an old pattern
    that stopped is history, not an escalation). One row per service and cause, for its latest window:
    since = the window's first incident date, owner = the team of its latest incident, evidence = its
    incidents, oldest first. Incidents without a service or a cause category are left out."""
    return _rows(con, f, settings, "architecture review")


def cross_team(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings) -> list[dict]:
    """Post-mortems whose causes (any position, not only the primary one) include a category of
    settings.external_categories, or whose tags include one of settings.external_tags (case ignored),
    and that have at least one open action on the as-of date (neither done by then nor cancelled) or
    no action at all."""
    return _rows(con, f, settings, "cross-team")


def block_deployments(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings) -> list[dict]:
    """Per service, the high-priority actions overdue on the as-of date (open, due_date < as_of):
    since = the oldest such due date, owner = the teams of their post-mortems, evidence = those
    post-mortems (oldest due first). Actions of post-mortems with no service are grouped under
    'unknown'."""
    return _rows(con, f, settings, "block deployments")


def evidence_ids(rows: pd.DataFrame) -> list[str]:
    """The post-mortems the escalation rows rest on, each once, in the order the rows name them."""
    seen: dict[str, None] = {}
    for ids in rows["evidence"]:
        for pid in _items(ids):
            seen.setdefault(str(pid), None)
    return list(seen)


def _items(value) -> list:
    """A list cell as a plain list; NULL is empty."""
    if isinstance(value, (list, tuple)):
        return list(value)
    if hasattr(value, "tolist") and not isinstance(value, str):
        return list(value.tolist())
    return []


# every rule's rows, since a day (a blocked_since's time of day is dropped), in the order the page shows them: by
# rule, then since (unknown last), then subject (unknown last), then the rule's own order
_ORDERED = "ordered AS (SELECT * REPLACE (CAST(since AS DATE) AS since) FROM escalated)"
_ORDER = "ORDER BY rule_no, since NULLS LAST, subject NULLS LAST, nth"


def _frame(table: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The query's frame (``frame_with_lists``: lists as lists) as the page and the CLI have always had it:
    dates as datetime64[ns]."""
    if table.empty:
        return pd.DataFrame(columns=columns)
    for name in ("since", "due_date"):
        if name in table:
            table[name] = table[name].astype("datetime64[ns]")
    return table


def escalations(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None = None) -> pd.DataFrame:
    """Everything to escalate on f.as_of: rule, subject, since (date), owner, evidence (list of
    post-mortem ids), detail (why). Ordered by rule (management, architecture review, cross-team,
    block deployments), then since (unknown last), then subject."""
    sql, params = _sql(con, f, settings or Settings())
    return _frame(frame_with_lists(con, f"{sql}, {_ORDERED} SELECT {', '.join(COLUMNS)} FROM ordered {_ORDER}",
                                   params, ("evidence",)), COLUMNS)


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


def _joined(values) -> str | None:
    """The distinct non-empty values of a list, in their first order, comma-joined; None when there is none."""
    return ", ".join(dict.fromkeys(v for v in values if isinstance(v, str) and v)) or None


# the listing's team, priority, ticket and blocked_by: SQL gives a row's value when its list holds one distinct
# value at most (no order to keep; most rows name one action and one post-mortem), and the list otherwise, for
# _joined; and the action ids only where reason() is needed
_SEVERAL = {"team": "teams", "priority": "priorities", "ticket": "tickets", "blocked_by": "blockers"}
_DISTINCT = "list_distinct(list_filter({}, lambda v: v <> ''))"  # unordered: only its length and a lone value count
_LISTED = ", ".join(f"CASE WHEN len({_DISTINCT.format(many)}) <= 1 THEN {_DISTINCT.format(many)}[1] END AS {one}, "
                    f"CASE WHEN len({_DISTINCT.format(many)}) > 1 THEN {many} END AS {many}_"
                    for one, many in _SEVERAL.items()) + ", CASE WHEN why IS NULL THEN action_ids END AS action_ids"


_LISTS = ("evidence", "evidence_titles", "action_ids") + tuple(f"{many}_" for many in _SEVERAL.values())


# the whole rule's totals that the page shows beside its first rows (listing with a limit): its rows, the
# post-mortems in their evidence (each once), whether a row's ticket is a web link (the listing's ticket: the
# one ticket its actions name, as hindsight/review/text.py ticket_link reads it; several read as text) and
# whether a row says what blocks it
RULE_TOTALS = ["rule_rows", "rule_evidence", "rule_links", "rule_blockers"]
_WHITE = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in _BLANK) + "]"  # _BLANK as a regular expression's class


def _link(tickets: str) -> str:
    """SQL: whether the list ``tickets`` (the distinct ones a row names) reads as a web link on the page: one
    ticket, that hindsight/review/text.py ticket_link takes for a web address once Python's whitespace around
    it is stripped, with no space inside. One regular expression: a trim of that whitespace on every row cost
    30 ms at 100k."""
    web = f"{_WHITE}*[hH][tT][tT][pP][sS]?://[^ ]*{_WHITE}*"
    return f"(len({tickets}) = 1 AND regexp_full_match({tickets}[1], '{web}'))"


_TOTALS = f"""
    totals AS (
        SELECT rule_no, count(*) AS rule_rows, bool_or({_link(_DISTINCT.format('tickets'))})
                   AS rule_links,
               bool_or(len({_DISTINCT.format('blockers')}) >= 1) AS rule_blockers
        FROM ordered GROUP BY 1
    ),
    cited AS (
        SELECT rule_no, count(DISTINCT postmortem_id) AS rule_evidence
        FROM (SELECT rule_no, unnest(evidence) AS postmortem_id FROM ordered) GROUP BY 1
    ),
    placed AS (
        -- each row's place in its rule, sorted on the keys alone (a sort of the worded rows cost 50 ms at 100k)
        SELECT rule_no, nth, row_number() OVER (PARTITION BY rule_no ORDER BY since NULLS LAST, subject NULLS LAST, nth)
                   AS place
        FROM ordered
    ),
    first_rows AS (
        SELECT ordered.*, place, rule_rows, coalesce(rule_evidence, 0) AS rule_evidence, rule_links, rule_blockers
        FROM ordered JOIN placed USING (rule_no, nth) JOIN totals USING (rule_no) LEFT JOIN cited USING (rule_no)
        WHERE place <= $limit
    )"""


def listing(con: duckdb.DuckDBPyConnection, f: Filters, settings: Settings | None = None,
            limit: int | None = None) -> pd.DataFrame:
    """``escalations`` as a manager reads it: the reason in words (no action ids), and for the actions a row
    names their team(s), priorities, earliest due date and tickets (comma-joined; NULL for a row that names no
    action: its team is that of its evidence), with the evidence's titles ("2026-01-26 Title", the id where
    untitled), and what blocks them when their documents say ("Blocked by" / "Bloqué par"). Columns: rule,
    subject, why, since, owner, team, priority, due_date, ticket, blocked_by, evidence (ids), evidence_titles.

    With ``limit``: each rule's first ``limit`` rows only, what the Escalations page shows (at 100k
    post-mortems a rule holds 8,000 rows, and turning them all into a frame cost a fifth of the page), each
    with its whole rule's RULE_TOTALS."""
    sql, params = _sql(con, f, settings or Settings())
    columns = LISTING
    if limit is None:
        query = (f"{sql}, {_ORDERED} SELECT * EXCLUDE (action_ids, {', '.join(_SEVERAL.values())}), {_LISTED} "
                 f"FROM ordered {_ORDER}")
    else:
        params["limit"] = int(limit)
        columns = LISTING + RULE_TOTALS
        query = (f"{sql}, {_ORDERED}, {_TOTALS} SELECT * EXCLUDE (action_ids, {', '.join(_SEVERAL.values())}, place), "
                 f"{_LISTED} FROM first_rows ORDER BY rule_no, place")
    table = _frame(frame_with_lists(con, query, params, _LISTS), columns)
    if table.empty:
        return table
    for one, many in _SEVERAL.items():
        several = table[f"{many}_"].notna()
        if several.any():
            table.loc[several, one] = [_joined(values) for values in table.loc[several, f"{many}_"]]
    # the rows whose reason SQL could not be sure of (ids or names that look like the words around them)
    unsure = table["why"].isna()
    if unsure.any():
        table.loc[unsure, "why"] = [reason(d, ids) for d, ids in
                                    zip(table.loc[unsure, "detail"], table.loc[unsure, "action_ids"])]
    return table[columns]
