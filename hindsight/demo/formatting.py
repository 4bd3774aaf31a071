"""How the demo corpus spells values: timestamps, durations, large numbers, business days, placeholders."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta


def iso_ts(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def duration_md(minutes: int, rng: random.Random) -> str:
    """A duration as the template's tables write it: "1d 5h 47m", "1h 20m", "45 min" or "0h 45m"."""
    d, rem = divmod(minutes, 1440)
    h, m = divmod(rem, 60)
    if d:
        return f"{d}d {h}h {m}m"
    if h == 0:
        return rng.choice([f"{m} min", f"0h {m}m"])
    return f"{h}h {m}m"


def duration_structured(minutes: int, rng: random.Random):
    """A JSON/YAML duration: a plain number of minutes, ISO 8601 ("PT1H20M") or words ("1h 20m")."""
    r = rng.random()
    if r < 0.3:
        return minutes
    d, rem = divmod(minutes, 1440)
    h, m = divmod(rem, 60)
    if r < 0.55:
        s = "P" + (f"{d}D" if d else "") + "T" + (f"{h}H" if h else "") + (f"{m}M" if m or not (h or d) else "")
        return s if not s.endswith("T") else s[:-1]
    if d:
        return f"{d}d {h}h {m}m"
    if h == 0:
        return f"{m} min"
    return f"{h}h {m}m"


def big_int(n: int, lang: str) -> str:
    """12,345 in English, 12 345 in French."""
    if n < 1000:
        return str(n)
    s = f"{n:,}"
    return s.replace(",", " ") if lang == "fr" else s


def add_business_days(d: date, n: int) -> date:
    while n > 0:
        d += timedelta(days=1)
        if d.weekday() < 5:
            n -= 1
    return d


def fill(text: str, pm) -> str:
    """A wording entry with the post-mortem's service, version, provider and team filled in."""
    return text.format(service=pm.service, version=pm.version, provider=pm.provider, team=pm.team)
