"""The shared filters (sidebar, CLI flags), turned into a parameterised WHERE clause."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Filters:
    teams: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    cause_categories: tuple[str, ...] = ()
    date_from: date | None = None      # incident_date >= date_from
    date_to: date | None = None        # incident_date <= date_to
    as_of: date = field(default_factory=date.today)  # "now" for overdue, ages and censoring

    def where(self, alias: str = "p") -> tuple[str, dict]:
        """SQL condition on a postmortems row aliased ``alias``, and its named parameters.
        Values are always bound; only fixed column names are written into the SQL."""
        clauses, params = ["TRUE"], {}
        for name, column in (("teams", "team"), ("severities", "severity"), ("services", "service"),
                             ("cause_categories", "primary_cause_category")):
            values = getattr(self, name)
            if values:
                clauses.append(f"list_contains($f_{name}, {alias}.{column})")
                params[f"f_{name}"] = list(values)
        if self.date_from:
            clauses.append(f"{alias}.incident_date >= $f_from")
            params["f_from"] = self.date_from
        if self.date_to:
            clauses.append(f"{alias}.incident_date <= $f_to")
            params["f_to"] = self.date_to
        return " AND ".join(clauses), params
