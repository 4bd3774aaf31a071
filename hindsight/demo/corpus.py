"""Deterministic synthetic corpus of incident post-mortems (demo data and parser fixtures).

``write_demo_corpus(out, count=300, seed=42)`` writes, under ``out/``::

    markdown/<team>/YYYY-MM-DD-<service>-<kind>.md   template Markdown (some with YAML front matter)
    json/*.json          one post-mortem object per file, or a list of 5-10 ("batch-NN-YYYY-MM.json")
    yaml/*.yaml          same as json/
    csv/postmortems.csv  one post-mortem per row (list values joined with ";")
    csv/actions.csv      actions of the CSV post-mortems (postmortem_id column)
    trackers/*.md        "Actions Post-Mortem Tracker" documents updating Markdown actions
    incidents/incidents.csv   incident list (with and without post-mortem)

Everything comes from ``random.Random(seed)``; "today" is fixed at 2026-11-15, so the same
seed and count always give byte-identical files.

Spelling variants used in the Markdown files (what a parser has to normalise):

* severity: P1|SEV1|Sev-1|Critical|Critique -> P1; P2|SEV2|Sev-2|Major|Majeur -> P2;
  P3|SEV3|Sev-3|Minor|Mineur -> P3; P4|SEV4|Sev-4|Low|Faible -> P4
* status: "✅ Done", "✅ Terminé", "Fait", "Done" -> done; "🔄 In Progress", "🔄 En cours",
  "En cours", "In progress" -> in_progress; "⏳ Todo", "⏳ À faire", "À faire", "Todo" -> todo;
  "⛔ Blocked", "⛔ Bloqué", "Bloqué" -> blocked; "❌ Cancelled", "❌ Abandonné", "Abandonné"
  -> cancelled (JSON/YAML/CSV mostly use the canonical word, sometimes one of these)
* priority: High|Haute|P0|P1 -> high; Medium|Moyenne|P2 -> medium; Low|Basse|P3 -> low
* durations: "1h 20m", "45 min", "0h 16m", "1d 5h 47m" (JSON/YAML time_to_*: also "PT1H20M"
  or a plain number of minutes)
* dates: ISO, or DD/MM/YYYY in about a quarter of the French Markdown files; tracker "Due"
  columns are MM/DD.

JSON/YAML ``time_to_detect`` / ``time_to_acknowledge`` / ``time_to_mitigate`` / ``time_to_resolve``
(given in about a third of the records) are all measured from ``started_at``.

In Markdown, the paragraph under "What happened?" / "Qu'est-ce qui s'est passé ?" is the root
cause text.  JSON/YAML ``whys`` entries are "Question? → answer" strings, ``lessons`` are
"Title: text" strings.
"""

from __future__ import annotations

import random
from pathlib import Path

from hindsight.demo.markdown import Variety
from hindsight.demo.planner import plan_corpus
from hindsight.demo.writers import (Output, write_csv, write_incidents, write_malformed, write_markdown,
                                    write_structured, write_trackers)


def write_demo_corpus(out: Path, count: int = 300, seed: int = 42) -> dict:
    """Write a deterministic synthetic corpus into out/ and return a summary dict:
    {"postmortems": N, "files": {format: n}, "malformed": [relative paths]}

    Extra keys: "postmortems_by_format" {format: n}, "planted" (the partial problems:
    {kind: {"path": relpath, "id": id}}), "missing_postmortems" (incident ids that
    required a post-mortem and have none), "trackers" (relative paths).
    Files that exist are overwritten; nothing is removed.  Any count >= 1 works, but the full set
    of features (clusters, trackers, encodings, planted problems) needs a count of about 100 or more.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    rng = random.Random(seed)
    plan = plan_corpus(rng, count)
    output = Output(Path(out), rng, Variety(rng))
    # The writers draw from the same generator: this order is part of the corpus.
    write_markdown(output, plan)
    write_structured(output, plan, "json")
    write_structured(output, plan, "yaml")
    write_csv(output, plan)
    trackers = write_trackers(output, plan)
    missing = write_incidents(output, plan)
    malformed = write_malformed(output)
    return {
        "postmortems": len(plan.postmortems),
        "files": output.files,
        "malformed": malformed,
        "postmortems_by_format": output.by_format,
        "planted": {kind: {"path": pm.path, "id": pm.id} for kind, pm in plan.planted.items()},
        "missing_postmortems": missing,
        "trackers": trackers,
    }
