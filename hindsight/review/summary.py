"""The pack's opening: the practice guide's four effectiveness metrics for the quarter against the one before
(analytics.overview.effectiveness, the Overview tiles' basis), and what changed, said in words from those
numbers and the quarterly trends. Nothing is computed here but the wording."""

from __future__ import annotations

import pandas as pd

from hindsight.review import text


def _shown(value, unit: str) -> str:
    if text.missing(value):
        return text.MISSING
    return text.pct(value) if unit == "share" else f"{text.days(value)} days"


def _steady(change, unit: str) -> bool:
    """A change that rounds to nothing at the precision shown."""
    return round(float(change) * 100) == 0 if unit == "share" else round(float(change), 1) == 0


def verdict(change, unit: str, lower_is_better: bool) -> str:
    """'better', 'worse' or 'unchanged' at the precision shown; '' when there is nothing to compare."""
    if text.missing(change):
        return ""
    if _steady(change, unit):
        return "unchanged"
    return "better" if (float(change) < 0) == bool(lower_is_better) else "worse"


def _n(row) -> str:
    """n of the quarter; learning dissemination: post-mortems with reader data of all of them."""
    if not text.missing(row.n_total):
        return f"{text.count(row.n)} of {text.count(row.n_total)}"
    return text.count(row.n)


def metric_rows(tiles: pd.DataFrame) -> list[dict]:
    """One row per effectiveness metric: value, n, previous quarter's value and n, change (pp or days),
    verdict, and small (a change on a small sample: not to be read as a trend)."""
    rows = []
    for row in tiles.itertuples(index=False):
        moved = not text.missing(row.change)
        rows.append({
            "key": row.key, "metric": row.metric, "value": _shown(row.value, row.unit), "n": _n(row),
            "previous": _shown(row.previous, row.unit), "previous_n": text.count(row.previous_n),
            "change": text.change(row.change, row.change_unit),
            "verdict": verdict(row.change, row.unit, row.lower_is_better),
            "small": bool(row.small_sample) and moved, "definition": row.definition,
        })
    return rows


def _metric_sentence(row, quarter: str, previous: str) -> str:
    name = row.metric[0].upper() + row.metric[1:]
    now, before = _shown(row.value, row.unit), _shown(row.previous, row.unit)
    if text.missing(row.value):
        return f"{name}: nothing to measure in {quarter} (n = {text.count(row.n)})."
    if text.missing(row.previous):
        return f"{name}: {now} in {quarter}, nothing to compare with in {previous}."
    if _steady(row.change, row.unit):
        sentence = f"{name} held at {now} ({previous}: {before})."
    else:
        moved = "rose" if row.change > 0 else "fell"
        judged = verdict(row.change, row.unit, row.lower_is_better)
        sentence = (f"{name} {moved} from {before} to {now} "
                    f"({text.change(row.change, row.change_unit)}, {judged}).")
    if row.small_sample:
        sentence += f" Small sample (n = {_n(row)}, {text.count(row.previous_n)} before): not a trend."
    return sentence


def _incidents_sentence(now, before, quarter: str, previous: str) -> str:
    n = int(now["incidents"])
    if before is None:
        return f"{text.plural(n, 'incident')} in {quarter}, of which {int(now['p1'])} P1 and {int(now['p2'])} P2."
    diff = int(now["incidents_change"])
    if diff == 0:
        how = f"as many as in {previous}"
    else:
        how = f"{abs(diff):,} {'more' if diff > 0 else 'fewer'} than in {previous} ({int(before['incidents']):,})"
    return (f"{text.plural(n, 'incident')} in {quarter}, {how}; of which {int(now['p1'])} P1 and {int(now['p2'])} "
            f"P2 ({previous}: {int(before['p1'])} and {int(before['p2'])}).")


def _causes_sentence(causes: pd.DataFrame, quarter: str, previous: str) -> str | None:
    """The leading cause category of the quarter, and the one that grew the most."""
    now = causes[causes["quarter"] == quarter].set_index("cause")["incidents"]
    if now.empty:
        return None
    before = causes[causes["quarter"] == previous].set_index("cause")["incidents"]
    growth = now.sub(before, fill_value=0).sort_values(ascending=False, kind="stable")
    lead = now.sort_values(ascending=False, kind="stable").index[0]
    sentence = (f"Leading cause category: {lead} ({text.plural(int(now[lead]), 'incident')}; "
                f"{previous}: {int(before.get(lead, 0)):,}).")
    grew = growth.index[0]
    if growth.iloc[0] > 0 and grew != lead:
        sentence += (f" {grew[0].upper() + grew[1:]} grew the most: {int(now[grew]):,} incidents "
                     f"({previous}: {int(before.get(grew, 0)):,}).")
    return sentence


def what_changed(tiles: pd.DataFrame, trend: pd.DataFrame, causes: pd.DataFrame) -> list[str]:
    """The quarter-over-quarter moves in words: incidents and their severity, the four metrics (better or
    worse, small samples said), time to resolve, and the cause categories."""
    quarter, previous = tiles["quarter"].iloc[0], tiles["previous_quarter"].iloc[0]
    rows = trend.set_index("quarter")
    if quarter not in rows.index:
        return [f"No incident in {quarter} with these filters."]
    now = rows.loc[quarter]
    before = rows.loc[previous] if previous in rows.index else None
    out = [_incidents_sentence(now, before, quarter, previous)]
    out += [_metric_sentence(row, quarter, previous) for row in tiles.itertuples(index=False)]
    if not text.missing(now["resolve_median"]):
        known = before is not None and not text.missing(before["resolve_median"])
        out.append(f"Median time to resolve: {text.minutes(now['resolve_median'])} min "
                   f"(p90 {text.minutes(now['resolve_p90'])} min, n = {int(now['resolve_n']):,}); {previous}: "
                   f"{text.minutes(before['resolve_median']) + ' min' if known else 'not known'}.")
    cause = _causes_sentence(causes, quarter, previous)
    return out + ([cause] if cause else [])
