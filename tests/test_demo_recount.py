"""The whole-demo numbers the page tests assert (tests/test_page_*.py), recounted here from the raw tables
with SQL and Python of this file's own, written from the definitions in docs/metrics.md and without
calling analytics/: so none of those numbers is only a snapshot of the code's own output. As of
2026-11-15, the demo's "today"."""

from __future__ import annotations

from datetime import date

import numpy as np
import yaml

from conftest import AS_OF, DEMO_CONFIG, query

TODAY = date.fromisoformat(AS_OF)
# Actions of the post-mortems whose incident happened by the as-of date. A status outside the vocabulary is
# stored NULL and is open: neither done nor cancelled.
ACTIONS = """
    SELECT a.*, p.team, p.service, p.incident_date,
           coalesce(a.status = 'done' AND (a.completed_at IS NULL OR a.completed_at::DATE <= $1), FALSE) AS is_done,
           coalesce(a.status = 'cancelled', FALSE) AS is_cancelled
    FROM actions a JOIN postmortems p USING (postmortem_id)
    WHERE p.incident_date IS NULL OR p.incident_date <= $1"""


def test_action_tiles(demo_db):
    """tests/test_page_actions.py: 85% (905 of 1,064), 68% on time (701 of 1,036 due), 135 overdue, 29 blocked."""
    [row] = query(demo_db, f"""WITH a AS ({ACTIONS})
        SELECT count(*) FILTER (WHERE NOT is_cancelled),
               count(*) FILTER (WHERE is_done),
               count(*) FILTER (WHERE NOT is_cancelled AND due_date <= $1),
               count(*) FILTER (WHERE NOT is_cancelled AND due_date <= $1 AND is_done
                                AND completed_at::DATE <= due_date),
               count(*) FILTER (WHERE NOT is_cancelled AND NOT is_done AND due_date < $1),
               count(*) FILTER (WHERE status = 'blocked')
        FROM a""", [TODAY])
    assert row == (1064, 905, 1036, 701, 135, 29)
    assert (round(905 / 1064, 2), round(701 / 1036, 2)) == (0.85, 0.68)


def test_the_parked_action_is_open_and_overdue(demo_db):
    """The one demo action with a status outside the vocabulary ("parked", in
    yaml/2026-08-31-config-service-outage.yaml): due 2026-09-18, so 12 + 31 + 15 = 58 days overdue."""
    assert query(demo_db, "SELECT action_id, status, due_date FROM actions WHERE status IS NULL") == [
        ("PM-2026-080-A6", None, date(2026, 9, 18))]


def test_escalation_counts(demo_db):
    """tests/test_page_escalations.py: 26 management, 14 cross-team, 15 block deployments."""
    [management] = query(demo_db, f"""WITH a AS ({ACTIONS})
        SELECT count(*) FROM a WHERE status = 'blocked' AND date_diff('day', blocked_since::DATE, $1) > 14""",
                         [TODAY])[0]
    assert management == 26
    [services] = query(demo_db, f"""WITH a AS ({ACTIONS})
        SELECT count(DISTINCT coalesce(service, 'unknown')) FROM a
        WHERE priority = 'high' AND NOT is_cancelled AND NOT is_done AND due_date < $1""", [TODAY])[0]
    assert services == 15
    [cross_team] = query(demo_db, f"""WITH a AS ({ACTIONS}),
        outside AS (
            SELECT postmortem_id FROM causes WHERE lower(category) = 'external'
            UNION SELECT postmortem_id FROM postmortems, unnest(tags) t(tag)
                  WHERE lower(trim(tag)) IN ('external', 'cross-team')
        )
        SELECT count(*) FROM postmortems p
        WHERE p.postmortem_id IN (SELECT postmortem_id FROM outside) AND p.incident_date <= $1
          AND (NOT EXISTS (SELECT 1 FROM actions x WHERE x.postmortem_id = p.postmortem_id)
               OR EXISTS (SELECT 1 FROM a WHERE a.postmortem_id = p.postmortem_id
                          AND NOT is_done AND NOT is_cancelled))""", [TODAY])[0]
    assert cross_team == 14


def test_time_to_postmortem(demo_db):
    """tests/test_page_timeliness.py: median 5 days over n = 295 written post-mortems, p90 24.6."""
    days = [d for (d,) in query(demo_db, """
        SELECT postmortem_date - incident_date FROM postmortems
        WHERE incident_date IS NOT NULL AND postmortem_date <= $1 AND postmortem_date >= incident_date""",
                                 [TODAY])]
    assert len(days) == 295
    assert np.median(days) == 5
    assert round(float(np.percentile(days, 90)), 1) == 24.6  # linear interpolation, as quantile_cont


def test_incidents_per_quarter(demo_db):
    """tests/test_page_quarterly.py: 2024-Q3 to 2026-Q4, 24 incidents first and 14 in 2026-Q4 so far."""
    counts = query(demo_db, """
        SELECT year(incident_date) || '-Q' || quarter(incident_date) AS q, count(*) FROM postmortems
        WHERE incident_date <= $1 GROUP BY 1 ORDER BY 1""", [TODAY])
    assert counts[0] == ("2024-Q3", 24) and counts[-1] == ("2026-Q4", 14) and len(counts) == 10
    assert min(n for _, n in counts) >= 5  # no quarter of the whole demo is a small sample


def test_overview_on_time_and_dissemination(demo_db):
    """tests/test_page_overview.py: actions of 2026-Q3's incidents due by the as-of date, 50 of 100 on time;
    2026-Q2's 78 of 103. Learning dissemination over the post-mortems that give readers."""
    def on_time(first, last):
        return query(demo_db, f"""WITH a AS ({ACTIONS})
            SELECT count(*) FILTER (WHERE is_done AND completed_at::DATE <= due_date), count(*) FROM a
            WHERE incident_date BETWEEN $2 AND $3 AND NOT is_cancelled AND due_date <= $1""",
                     [TODAY, first, last])[0]

    assert on_time(date(2026, 7, 1), date(2026, 9, 30)) == (50, 100)
    assert on_time(date(2026, 4, 1), date(2026, 6, 30)) == (78, 103)
    # Dissemination: pooled reads of the owning team's members over their member slots. Counting the 165
    # Markdown post-mortems without a readers field as unread gives 0.265; leaving them out, 0.594.
    teams = {k.lower(): {m.lower() for m in v} for k, v in yaml.safe_load(DEMO_CONFIG.read_text())["teams"].items()}
    readers: dict[str, set] = {}
    for pid, reader in query(demo_db, "SELECT postmortem_id, reader FROM readers"):
        readers.setdefault(pid, set()).add(reader.strip().lstrip("@").lower())
    reads = slots = known_reads = known_slots = known = 0
    for pid, team in query(demo_db, "SELECT postmortem_id, lower(trim(team)) FROM postmortems"):
        members = teams[team]
        reads += len(readers.get(pid, set()) & members)
        slots += len(members)
        if pid in readers:  # every demo document that gives readers names at least one
            known += 1
            known_reads += len(readers[pid] & members)
            known_slots += len(members)
    assert (round(reads / slots, 3), round(known_reads / known_slots, 3), known) == (0.265, 0.594, 135)
    assert query(demo_db, "SELECT count(*) FILTER (WHERE readers_known) FROM postmortems") == [(135,)]
