"""The shared sidebar filters, kept across pages and mirrored in the URL so a view can be shared."""

from __future__ import annotations

from datetime import date

import streamlit as st

from analytics.filters import Filters
from dashboard import data

MULTI = (("team", "teams", "Team"), ("severity", "severities", "Severity"), ("service", "services", "Service"),
         ("cause", "cause_categories", "Cause category"))


OWN = {param for param, _, _ in MULTI} | {"from", "to", "as_of"}


def _parse_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def sidebar() -> Filters:
    """Draw the filters; the first run of a session takes them from the query parameters."""
    options = data.get("analytics.catalog:choices")
    qp = st.query_params
    state = st.session_state
    if "_filters_loaded" not in state:
        for param, key, _ in MULTI:
            state[f"flt_{param}"] = [v for v in qp.get_all(param) if v in options[key]]
        state["flt_from"] = _parse_date(qp.get("from"))
        state["flt_to"] = _parse_date(qp.get("to"))
        state["flt_as_of"] = _parse_date(qp.get("as_of")) or date.today()
        state["_filters_loaded"] = True

    sb = st.sidebar
    sb.header("Filters")
    chosen = {}
    for param, key, label in MULTI:
        chosen[key] = tuple(sb.multiselect(label, options[key], key=f"flt_{param}", placeholder="All",
                                              persist_state="session"))
    date_from = sb.date_input("Incidents from", key="flt_from", format="YYYY-MM-DD", persist_state="session")
    date_to = sb.date_input("Incidents to", key="flt_to", format="YYYY-MM-DD", persist_state="session")
    as_of = sb.date_input("As of", key="flt_as_of", format="YYYY-MM-DD", persist_state="session",
                          help="The day treated as today: overdue actions, ages, open actions.")

    params = {param: list(chosen[key]) for param, key, _ in MULTI if chosen[key]}
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
