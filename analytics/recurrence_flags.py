"""The recurrence flags of every loaded post-mortem (analytics/recurrence.py says what "recurs" means),
with what the patterns and the action effectiveness read of them that depends on no filter (its run of
implicit recurrences, the previous incident's actions): their SQL, and the table the ingest writes them to
once per database version.

Kept apart from analytics/recurrence.py, and free of pandas, so the ingest can write them without the
import cost of the analytics modules (analytics/stored.py says when readers use the table)."""

from __future__ import annotations

import duckdb

from analytics import stored

ORDER = "incident_date, started_at NULLS LAST, postmortem_id"
# Each row also holds its post-mortem's columns that the filters (analytics/filters.py) and the recurrence
# order read, and its title (a pattern's members are listed by title), so that a reader keeps rows without
# a join: like analytics/action_facts.py.
POSTMORTEM_COLUMNS = ("incident_date", "started_at", "team", "severity", "service", "primary_cause_category",
                      "title")
# The flags proper, what other modules read (analytics/recurrence.py every_flag)
FLAGS = ("postmortem_id", "recurs", "explicit", "previous_id", "days_since_previous", "implicit_previous",
         "linked_ids")

# One row per loaded post-mortem, over every post-mortem: a filter changes which incidents are looked at,
# never whether one of them recurs. Linear in the corpus: in the order above, the latest earlier incident
# of the same service and cause is the one just before in that pair's order (lag), since an older one is
# further away in days.
EVERY_FLAG = f"""
    WITH positioned AS (
        SELECT postmortem_id, {', '.join(POSTMORTEM_COLUMNS)}, row_number() OVER (ORDER BY {ORDER}) - 1 AS position
        FROM postmortems
    ),
    ordered AS (  -- the dated ones, in the same order
        SELECT postmortem_id, incident_date, service, primary_cause_category, position AS seq
        FROM positioned WHERE incident_date IS NOT NULL
    ),
    implicit AS (
        SELECT postmortem_id,
               CASE WHEN service IS NOT NULL AND primary_cause_category IS NOT NULL
                     AND date_diff('day', lag(incident_date) OVER same_pair, incident_date) <= $window
                    THEN lag(postmortem_id) OVER same_pair END AS implicit_previous
        FROM ordered
        WINDOW same_pair AS (PARTITION BY service, primary_cause_category ORDER BY seq)
    ),
    links AS (
        SELECT link.postmortem_id, link.recurrence_of,
               row_number() OVER (PARTITION BY link.postmortem_id
                                  ORDER BY target.incident_date DESC NULLS LAST, target.started_at DESC NULLS LAST,
                                           link.recurrence_of DESC) AS latest_first
        FROM (SELECT DISTINCT postmortem_id, recurrence_of FROM recurrence_links
              WHERE recurrence_of <> postmortem_id) link
        LEFT JOIN postmortems target ON target.postmortem_id = link.recurrence_of
        LEFT JOIN ordered source_order ON source_order.postmortem_id = link.postmortem_id
        LEFT JOIN ordered target_order ON target_order.postmortem_id = link.recurrence_of
        -- a link to a later incident is a data error (warned at ingest): ignored
        WHERE NOT coalesce(target_order.seq > source_order.seq, FALSE)
    ),
    linked AS (
        SELECT postmortem_id, list(recurrence_of ORDER BY latest_first) AS linked_ids,
               arg_min(recurrence_of, latest_first) AS linked_previous
        FROM links GROUP BY postmortem_id
    ),
    flagged AS (
        SELECT p.*,
               (linked.linked_previous IS NOT NULL OR implicit.implicit_previous IS NOT NULL) AS recurs,
               (linked.linked_previous IS NOT NULL) AS explicit,
               coalesce(linked.linked_previous, implicit.implicit_previous) AS previous_id,
               implicit.implicit_previous, coalesce(linked.linked_ids, []) AS linked_ids
        FROM positioned p
        LEFT JOIN linked USING (postmortem_id)
        LEFT JOIN implicit USING (postmortem_id)
    ),
    -- runs of implicit recurrences: the incidents of a pattern when every incident is kept. The latest
    -- incident starting a run before (or at) this one in its pair's order is where its run starts; a run
    -- is a stretch of that order, so its incidents' ranks in it are consecutive (a window per run sorted
    -- 63k small partitions: 440 ms at 100k post-mortems, where grouping takes 40)
    runs AS (
        SELECT *, max(CASE WHEN implicit_previous IS NULL THEN position END) OVER same_pair AS run,
               row_number() OVER same_pair AS pair_rank
        FROM flagged
        WINDOW same_pair AS (PARTITION BY service, primary_cause_category ORDER BY position ROWS UNBOUNDED PRECEDING)
    ),
    run_sizes AS (SELECT run, min(pair_rank) AS first_rank, count(*) AS run_size FROM runs GROUP BY run),
    -- the explicit links between loaded incidents, by position (they join runs into patterns), and the
    -- runs they reach at either end
    link_ends AS (
        SELECT links.postmortem_id, target.position AS target, target.run AS target_run
        FROM links JOIN runs target ON target.postmortem_id = links.recurrence_of
    ),
    linked_positions AS (
        SELECT postmortem_id, list(target ORDER BY target) AS linked_positions FROM link_ends GROUP BY postmortem_id
    ),
    linked_runs AS (
        SELECT target_run AS run FROM link_ends
        UNION SELECT run FROM runs WHERE postmortem_id IN (SELECT postmortem_id FROM link_ends)
    ),
    -- what the previous incident's actions were when this one came back (analytics/recurrence.py
    -- action_effectiveness_detail): cancelled ones left out; done by this one's date, or with no date known
    previous_actions AS (
        SELECT runs.postmortem_id,
               count(*) FILTER (WHERE action.status IS DISTINCT FROM 'cancelled') AS actions,
               count(*) FILTER (WHERE action.status = 'done' AND (action.completed_at IS NULL
                     OR runs.incident_date IS NULL OR action.completed_at::DATE <= runs.incident_date)) AS done_before
        FROM runs JOIN actions action ON action.postmortem_id = runs.previous_id
        GROUP BY runs.postmortem_id
    )
    SELECT runs.postmortem_id, {', '.join(f'runs.{c}' for c in POSTMORTEM_COLUMNS)},
           runs.recurs, runs.explicit, runs.previous_id,
           date_diff('day', previous.incident_date, runs.incident_date) AS days_since_previous,
           runs.implicit_previous, runs.linked_ids,
           runs.position, runs.run,
           runs.pair_rank - run_sizes.first_rank AS run_index, run_sizes.run_size,
           coalesce(linked_positions.linked_positions, []) AS linked_positions,
           runs.run IN (SELECT run FROM linked_runs) AS run_linked,
           previous.incident_date AS previous_date, previous.title AS previous_title,
           CASE WHEN runs.recurs THEN coalesce(previous_actions.actions, 0) END AS previous_actions,
           CASE WHEN runs.recurs THEN coalesce(previous_actions.done_before, 0) END AS previous_actions_done,
           CASE WHEN NOT runs.recurs THEN NULL
                WHEN coalesce(previous_actions.actions, 0) = 0 AND previous.postmortem_id IS NULL
                    THEN 'previous not loaded'
                WHEN coalesce(previous_actions.actions, 0) = 0 THEN 'no actions'
                WHEN previous_actions.done_before = previous_actions.actions THEN 'all actions done'
                ELSE 'actions still open' END AS action_group
    FROM runs
    JOIN run_sizes USING (run)
    LEFT JOIN previous_actions USING (postmortem_id)
    LEFT JOIN linked_positions USING (postmortem_id)
    LEFT JOIN postmortems previous ON previous.postmortem_id = runs.previous_id"""

STORED = "recurrence_flags"  # EVERY_FLAG as the last ingest wrote it, for the window of its configuration
STAMP_KEY = "recurrence_flags"  # schema_info: "<window>/v<COLUMNS>@<run_id>" of the run that wrote it
# The version of EVERY_FLAG's columns, in the stamp: a table an older release wrote ("<window>@<run_id>",
# without the run and action columns) is not read, but computed again, until the next ingest rewrites it;
# an older release reading this one's table finds a stamp it does not know, and computes its own.
COLUMNS = 2


def _setting(window: int) -> str:
    return f"{int(window)}/v{COLUMNS}"


def stored_current(con: duckdb.DuckDBPyConnection, window: int, run_id: int | None = None) -> bool:
    """Whether the file holds EVERY_FLAG for this window as of run ``run_id``, by default its last ingest."""
    return stored.current(con, STAMP_KEY, _setting(window), run_id)


def store(con: duckdb.DuckDBPyConnection, window: int, run_id: int, rows_changed: bool = True) -> None:
    """Write EVERY_FLAG for ``window`` into the table STORED, stamped with run ``run_id`` (analytics/stored.py)."""
    stored.write(con, STORED, EVERY_FLAG, {"window": int(window)}, STAMP_KEY, _setting(window), run_id, rows_changed)
