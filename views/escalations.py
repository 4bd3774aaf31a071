"""Escalations: what management has to act on, by the template's escalation points. One section per rule
(management, architecture review, cross-team, block deployments), each row saying why and since when, with
the post-mortems in evidence, which open on the Post-mortems page.

Every row comes from analytics.escalations; document text (action descriptions, titles) appears only inside
dataframes, and the evidence ids only as selectbox options."""

import re

import streamlit as st

from dashboard import data, ui

POSTMORTEMS_PAGE = "views/postmortems.py"

f = st.session_state["filters"]
settings = data.current_settings()
st.title("Escalations")
st.caption(f"As of {f.as_of}. For management: the template's escalation points that fire on the as-of date, "
           "over the post-mortems these filters keep. Each row says why, since when and who owns it; its "
           "evidence opens on the Post-mortems page.")


def _count(n: int, word: str) -> str:
    return f"{ui.num(n)} {word}{'' if n == 1 else 's'}"


def _listing(values) -> str:
    return ", ".join(str(v) for v in values) or "none"


RULES = [
    ("management", "Management",
     "Template: \"Action bloquée > 2 semaines → Escalade au management\". An action blocked for more than "
     f"{settings.blocked_days} days (since the start of its current blocking) goes to management."),
    ("architecture review", "Architecture review",
     "Template: \"Pattern d'incidents similaires → Review architecturale\". "
     f"{settings.pattern_incidents} or more incidents on one service with the same primary cause category within "
     f"{settings.pattern_window_days} days, the last of them no more than {settings.pattern_window_days} days "
     "ago, call for an architecture review."),
    ("cross-team", "Cross-team",
     "Template: \"Cause impliquant processus externe → Escalade cross-team\". A cause category in "
     f"({_listing(settings.external_categories)}) or a tag in ({_listing(settings.external_tags)}), with an "
     "action still open or no action at all, is escalated to the other team(s) involved."),
    ("block deployments", "Block deployments",
     "Template: \"Actions non implémentées → Bloquer les deployments\". A service with high-priority actions "
     "past their due date and not done has its deployments blocked until they are."),
]

table = data.get("analytics.escalations:escalations", f, with_settings=True)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _display(rows):
    """The escalation rows as plain text cells (evidence ids joined), for the tables and the CSV."""
    out = rows[["rule", "subject", "detail", "since", "owner", "evidence"]].copy()
    out["evidence"] = [", ".join(map(str, ids)) if isinstance(ids, (list, tuple)) or hasattr(ids, "tolist")
                       else "" for ids in out["evidence"]]
    return out.rename(columns={"rule": "Rule", "subject": "Subject", "detail": "Why", "since": "Since",
                               "owner": "Owner", "evidence": "Evidence (post-mortems)"})


def _evidence(rows) -> list[str]:
    seen: dict[str, None] = {}
    for ids in rows["evidence"]:
        for pid in (list(ids) if ids is not None and not isinstance(ids, str) else []):
            seen.setdefault(str(pid), None)
    return list(seen)


def _open(pid: str) -> None:
    """Button callback: remember which post-mortem to open, and keep the sidebar filters across the switch.

    st.switch_page sends no widget state, so Streamlit drops the sidebar widgets' values on the page change;
    writing each filter value back under its key (Streamlit's documented way to keep a widget's value when
    it is cleaned up) carries it to the Post-mortems page."""
    for key in [k for k in st.session_state if str(k).startswith("flt_")]:
        st.session_state[key] = st.session_state[key]
    st.session_state["pm_open"] = pid


# --- tiles and the whole list ------------------------------------------------------------------------
tiles = st.columns(len(RULES))
for col, (rule, name, _) in zip(tiles, RULES):
    rows = table[table["rule"] == rule]
    col.metric(name, ui.num(len(rows)), border=True, help=f"Rows escalated under the rule '{rule}'.")
    col.caption(f"n = {_count(len(rows), 'escalation')}, {_count(len(_evidence(rows)), 'post-mortem')} in evidence")

if table.empty:
    st.caption("Nothing to escalate in this selection on the as-of date.")
else:
    whole = _display(table)
    st.download_button("Download the whole list (CSV)", whole.to_csv(index=False).encode("utf-8"),
                       file_name=f"hindsight-escalations-{f.as_of}.csv", mime="text/csv", key="dl-escalations-all",
                       on_click="ignore")

COLUMN_CONFIG = {"Since": st.column_config.DateColumn(format="YYYY-MM-DD"),
                 "Subject": st.column_config.TextColumn(width="medium"),
                 "Why": st.column_config.TextColumn(width="large"),
                 "Evidence (post-mortems)": st.column_config.TextColumn(width="medium")}

# --- one section per rule ----------------------------------------------------------------------------
for rule, name, explanation in RULES:
    st.header(name)
    st.caption(explanation)
    rows = table[table["rule"] == rule]
    ui.table(_display(rows).drop(columns="Rule"), f"{name}: what to escalate", key=f"dl-esc-{_slug(rule)}",
             empty="Nothing to escalate under this rule.", column_config=COLUMN_CONFIG)
    if rows.empty:
        continue
    st.caption(f"n = {_count(len(rows), 'row')}, the oldest first. Evidence: the post-mortems a row rests on; "
               "pick one to open it.")
    ids = _evidence(rows)
    left, right = st.columns([2, 1], vertical_alignment="bottom")
    pick = left.selectbox(f"Evidence ({_count(len(ids), 'post-mortem')})", ids, key=f"esc-pick-{_slug(rule)}")
    if right.button("Open on the Post-mortems page", key=f"esc-open-{_slug(rule)}", on_click=_open, args=(pick,),
                    disabled=not pick):
        st.switch_page(POSTMORTEMS_PAGE, query_params={"pm": pick})
