"""The shared sidebar filters, kept across pages and mirrored in the URL so a view can be shared."""

from __future__ import annotations

from datetime import date

import streamlit as st

from analytics.filters import Filters
from dashboard import data

MULTI = (("team", "teams", "Team"), ("severity", "severities", "Severity"), ("service", "services", "Service"),
         ("cause", "cause_categories", "Cause category"))


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
        chosen[key] = tuple(sb.multiselect(label, options[key], key=f"flt_{param}", placeholder="All"))
    date_from = sb.date_input("Incidents from", key="flt_from", format="YYYY-MM-DD")
    date_to = sb.date_input("Incidents to", key="flt_to", format="YYYY-MM-DD")
    as_of = sb.date_input("As of", key="flt_as_of", format="YYYY-MM-DD",
                          help="The day treated as today: overdue actions, ages, open actions.")

    params = {param: list(chosen[key]) for param, key, _ in MULTI if chosen[key]}
    for name, value in (("from", date_from), ("to", date_to)):
        if value:
            params[name] = value.isoformat()
    if as_of and as_of != date.today():
        params["as_of"] = as_of.isoformat()
    if dict(qp.to_dict()) != {k: (v[-1] if isinstance(v, list) else v) for k, v in params.items()} \
            or any(isinstance(v, list) and qp.get_all(k) != v for k, v in params.items()):
        qp.from_dict(params)
    return Filters(date_from=date_from or None, date_to=date_to or None, as_of=as_of or date.today(), **chosen)
