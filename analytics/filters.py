"""The shared filters (sidebar, CLI flags), turned into a parameterised WHERE clause."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Dimension:
    """A filter on a post-mortem column: the Filters field holding the kept values, the column, the short
    name of the dashboard's URL parameter (the command line's option has the same name) and its label."""
    field: str
    column: str
    name: str
    label: str


DIMENSIONS = (
    Dimension("teams", "team", "team", "Team"),
    Dimension("severities", "severity", "severity", "Severity"),
    Dimension("services", "service", "service", "Service"),
    Dimension("cause_categories", "primary_cause_category", "cause", "Cause category"),
)


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
        for dimension in DIMENSIONS:
            values = getattr(self, dimension.field)
            if values:
                clauses.append(f"list_contains($f_{dimension.field}, {alias}.{dimension.column})")
                params[f"f_{dimension.field}"] = list(values)
        if self.date_from:
            clauses.append(f"{alias}.incident_date >= $f_from")
            params["f_from"] = self.date_from
        if self.date_to:
            clauses.append(f"{alias}.incident_date <= $f_to")
            params["f_to"] = self.date_to
        return " AND ".join(clauses), params
