"""The shared sidebar filters, kept across pages and mirrored in the URL so a view can be shared."""

from __future__ import annotations

from datetime import date

import streamlit as st

from analytics import catalog
from analytics.filters import DIMENSIONS, Filters
from dashboard import data

OWN = {dimension.name for dimension in DIMENSIONS} | {"from", "to", "as_of"}


def _parse_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def sidebar() -> Filters:
    """Draw the filters; the first run of a session takes them from the query parameters."""
    options = data.query(catalog.choices)
    qp = st.query_params
    state = st.session_state
    if "_filters_loaded" not in state:
        for dimension in DIMENSIONS:
            state[f"flt_{dimension.name}"] = [v for v in qp.get_all(dimension.name) if v in options[dimension.field]]
        state["flt_from"] = _parse_date(qp.get("from"))
        state["flt_to"] = _parse_date(qp.get("to"))
        state["flt_as_of"] = _parse_date(qp.get("as_of")) or date.today()
        state["_filters_loaded"] = True

    sb = st.sidebar
    sb.header("Filters")
    chosen = {}
    for dimension in DIMENSIONS:
        chosen[dimension.field] = tuple(sb.multiselect(dimension.label, options[dimension.field],
                                                       key=f"flt_{dimension.name}", placeholder="All",
                                                       persist_state="session"))
    date_from = sb.date_input("Incidents from", key="flt_from", format="YYYY-MM-DD", persist_state="session")
    date_to = sb.date_input("Incidents to", key="flt_to", format="YYYY-MM-DD", persist_state="session")
    as_of = sb.date_input("As of", key="flt_as_of", format="YYYY-MM-DD", persist_state="session",
                          help="The day treated as today: overdue actions, ages, open actions.")

    params = {dimension.name: list(chosen[dimension.field]) for dimension in DIMENSIONS if chosen[dimension.field]}
    for name, value in (("from", date_from), ("to", date_to)):
        if value:
            params[name] = value.isoformat()
    if as_of and as_of != date.today():
        params["as_of"] = as_of.isoformat()
    # Rewrite only the filters' own parameters: pages keep theirs (e.g. ?pm=<id>).
    wanted = {k: (v if isinstance(v, list) else [v]) for k, v in params.items()}
    if {k: qp.get_all(k) for k in qp.keys() if k in OWN} != wanted:
        for k in OWN - wanted.keys():
            if k in qp:
                del qp[k]
        for k, v in wanted.items():
            qp[k] = v
    return Filters(date_from=date_from or None, date_to=date_to or None, as_of=as_of or date.today(), **chosen)
