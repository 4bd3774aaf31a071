"""The analytics thresholds, read from the `analytics` and `teams` sections of a configuration mapping.

The caller reads the file (hindsight.config.read_config) and passes the mapping, so analytics imports
nothing but the database."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Settings:
    recurrence_window_days: int = 180
    postmortem_sla_business_days: int = 5
    fiscal_year_start_month: int = 1
    small_sample: int = 5
    cohort_days: tuple[int, ...] = (30, 60, 90)
    coverage_p2_minutes: float = 30
    blocked_days: int = 14
    pattern_incidents: int = 3
    pattern_window_days: int = 90
    external_categories: tuple[str, ...] = ("external",)
    external_tags: tuple[str, ...] = ("external", "cross-team")
    teams: dict = field(default_factory=dict, hash=False, compare=False)

    @classmethod
    def from_mapping(cls, raw: dict | None = None) -> "Settings":
        """Settings from a configuration mapping; a missing value keeps its default. A value out of
        range raises ValueError."""
        raw = raw or {}
        a = raw.get("analytics") or {}
        cov = a.get("coverage") or {}
        esc = a.get("escalation") or {}
        month = int(a.get("fiscal_year_start_month", 1))
        if not 1 <= month <= 12:
            raise ValueError(f"analytics.fiscal_year_start_month must be 1..12, not {month}")
        return cls(
            recurrence_window_days=int(a.get("recurrence_window_days", 180)),
            postmortem_sla_business_days=int(a.get("postmortem_sla_business_days", 5)),
            fiscal_year_start_month=month,
            small_sample=int(a.get("small_sample", 5)),
            cohort_days=tuple(int(x) for x in a.get("cohort_days", (30, 60, 90))),
            coverage_p2_minutes=float(cov.get("p2_minutes", 30)),
            blocked_days=int(esc.get("blocked_days", 14)),
            pattern_incidents=int(esc.get("pattern_incidents", 3)),
            pattern_window_days=int(esc.get("pattern_window_days", 90)),
            external_categories=tuple(esc.get("external_categories", ("external",))),
            external_tags=tuple(esc.get("external_tags", ("external", "cross-team"))),
            teams={str(k): [str(m) for m in (v or [])] for k, v in (raw.get("teams") or {}).items()},
        )
