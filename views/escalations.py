"""Escalations: what management has to act on, by the template's escalation points. One section per rule
(management, architecture review, cross-team, block deployments), each row saying why and since when, with
the post-mortems in evidence, which open on the Post-mortems page.

Every row comes from analytics.escalations; document text (action descriptions, titles) appears only inside
dataframes, and the evidence ids only as selectbox options."""

import streamlit as st

from analytics import escalations
from analytics.filters import Filters
from analytics.settings import Settings
from dashboard import data, ui
from hindsight import review

POSTMORTEMS_PAGE = "views/postmortems.py"
COLUMN_CONFIG = {"Since": st.column_config.DateColumn(format="YYYY-MM-DD"),
                 "Due": st.column_config.DateColumn(format="YYYY-MM-DD"),
                 "Subject": st.column_config.TextColumn(width="medium"),
                 "Ticket link": st.column_config.LinkColumn(display_text="open"),
                 "Evidence (post-mortems)": st.column_config.ListColumn(width="large")}


def _count(n: int, word: str) -> str:
    return f"{ui.num(n)} {word}{'' if n == 1 else 's'}"


def _listing(values) -> str:
    return ", ".join(str(v) for v in values) or "none"


def rules(settings: Settings) -> list[tuple[str, str, str]]:
    """(rule, name, explanation) of each escalation point, in the order of analytics.escalations.RULES."""
    return [
        ("management", "Management",
         "Template: \"Action bloquée > 2 semaines → Escalade au management\". An action blocked for more than "
         f"{settings.blocked_days} days (since the start of its current blocking) goes to management."),
        ("architecture review", "Architecture review",
         "Template: \"Pattern d'incidents similaires → Review architecturale\". "
         f"{settings.pattern_incidents} or more incidents on one service with the same primary cause category "
         f"within {settings.pattern_window_days} days, the last of them no more than {settings.pattern_window_days} "
         "days ago, call for an architecture review."),
        ("cross-team", "Cross-team",
         "Template: \"Cause impliquant processus externe → Escalade cross-team\". A cause category in "
         f"({_listing(settings.external_categories)}) or a tag in ({_listing(settings.external_tags)}), with an "
         "action still open or no action at all, is escalated to the other team(s) involved."),
        ("block deployments", "Block deployments",
         "Template: \"Actions non implémentées → Bloquer les deployments\". A service with high-priority actions "
         "past their due date and not done has its deployments blocked until they are."),
    ]


def _display(rows, totals=None):
    """The escalation rows as a manager reads them: words, not codes or ids; a dash for what is not known.
    The ticket link and "Blocked by" columns show only when some row of the rule has one: by ``totals`` (the
    whole rule's, escalations.RULE_TOTALS: the first rows of a long list are shown with the whole list's
    columns), else by ``rows``."""
    out = rows[["rule", "subject", "why", "since", "owner", "team", "priority", "due_date", "ticket",
                "blocked_by", "evidence_titles"]].copy()
    out["priority"] = [", ".join(ui.word(p) for p in v.split(", ")) if isinstance(v, str) else "–"
                       for v in out["priority"]]
    links = rows["ticket"].map(review.text.ticket_link)
    if totals is None:
        shown = {"Ticket link": links.notna().any(), "Blocked by": rows["blocked_by"].notna().any()}
    else:
        shown = {"Ticket link": bool(totals["rule_links"]), "Blocked by": bool(totals["rule_blockers"])}
    for column in ("subject", "owner", "team", "ticket", "blocked_by"):
        out[column] = out[column].map(ui.cell)
    out.insert(out.columns.get_loc("ticket") + 1, "link", links)
    out = out.rename(columns={"rule": "Rule", "subject": "Subject", "why": "Why", "since": "Since",
                              "owner": "Owner", "team": "Team", "priority": "Priority", "due_date": "Due",
                              "ticket": "Ticket", "link": "Ticket link", "blocked_by": "Blocked by",
                              "evidence_titles": "Evidence (post-mortems)"})
    return out.drop(columns=[name for name, any_row in shown.items() if not any_row])


def _totals(rows) -> dict:
    """The whole rule's RULE_TOTALS, from its first row shown (each row carries them); none for an empty rule."""
    if rows.empty:
        return {"rule_rows": 0, "rule_evidence": 0, "rule_links": False, "rule_blockers": False}
    return rows.iloc[0][escalations.RULE_TOTALS].to_dict()


def _every(filters: Filters, settings: Settings, rule: str | None = None):
    """Every row (of ``rule``), fetched when a CSV button is pressed: the page holds each rule's first rows."""
    table = escalations.listing(data.connection(), filters, settings)
    return table if rule is None else table[table["rule"] == rule]


def _open(pid: str) -> None:
    """Button callback: remember which post-mortem to open, and keep the sidebar filters across the switch.

    st.switch_page sends no widget state, so Streamlit drops the sidebar widgets' values on the page change;
    writing each filter value back under its key (Streamlit's documented way to keep a widget's value when
    it is cleaned up) carries it to the Post-mortems page."""
    for key in [k for k in st.session_state if str(k).startswith("flt_")]:
        st.session_state[key] = st.session_state[key]
    st.session_state["pm_open"] = pid


def tiles_and_whole_list(filters: Filters, settings: Settings, table, shown_rules) -> None:
    """``table``: each rule's first rows, with their rule's totals (escalations.listing with a limit)."""
    total = 0
    for col, (rule, name, _) in zip(st.columns(len(shown_rules)), shown_rules):
        totals = _totals(table[table["rule"] == rule])
        total += int(totals["rule_rows"])
        col.metric(name, ui.num(totals["rule_rows"]), border=True, help=f"Rows escalated under the rule '{rule}'.")
        col.caption(f"n = {_count(totals['rule_rows'], 'escalation')}, "
                    f"{_count(totals['rule_evidence'], 'post-mortem')} in evidence")
    if table.empty:
        st.caption("Nothing to escalate in this selection on the as-of date.")
        return

    def whole_list(rows) -> str:
        return _display(rows).assign(**{
            "Evidence (post-mortems)": lambda d: d["Evidence (post-mortems)"].map("; ".join)}).to_csv(index=False)

    # a long list is fetched and written when the button is pressed: at 100k post-mortems, 14k rows
    st.download_button("Download the whole list (CSV)",
                       whole_list(table).encode("utf-8") if len(table) == total
                       else lambda: whole_list(_every(filters, settings)),
                       file_name=f"hindsight-escalations-{filters.as_of}.csv", mime="text/csv",
                       key="dl-escalations-all", on_click="ignore")


def rule_section(filters: Filters, settings: Settings, table, rule: str, name: str, explanation: str) -> None:
    st.header(name)
    st.caption(explanation)
    # the rule's first rows (escalations.listing with a limit), worded for display; the whole rule's on a
    # click of its CSV button: at 100k post-mortems a rule holds 8,000 rows
    first = table[table["rule"] == rule]
    totals = _totals(first)
    total = int(totals["rule_rows"])
    ui.table(_display(first, totals).drop(columns="Rule"), f"{name}: what to escalate", key=f"dl-esc-{ui.slug(rule)}",
             empty="Nothing to escalate under this rule.", column_config=COLUMN_CONFIG, total=total,
             every=lambda: _display(_every(filters, settings, rule), totals).drop(columns="Rule"))
    if first.empty:
        return
    cut = "" if len(first) == total else " (the picker lists those of the rows shown)"
    st.caption(f"n = {_count(total, 'row')}, the oldest first. Evidence: the post-mortems a row rests on; "
               f"pick one to open it{cut}.")
    ids = escalations.evidence_ids(first)
    titles = {pid: name for pids, names in zip(first["evidence"], first["evidence_titles"])
              for pid, name in zip(pids, names)}
    left, right = st.columns([2, 1], vertical_alignment="bottom")
    pick = left.selectbox(f"Evidence ({_count(len(ids), 'post-mortem')})", ids, key=f"esc-pick-{ui.slug(rule)}",
                          format_func=lambda pid: titles.get(pid, pid))
    if right.button("Open on the Post-mortems page", key=f"esc-open-{ui.slug(rule)}", on_click=_open, args=(pick,),
                    disabled=not pick):
        st.switch_page(POSTMORTEMS_PAGE, query_params={"pm": pick})


filters = st.session_state["filters"]
settings = data.current_settings()
st.title("Escalations")
st.caption(f"As of {filters.as_of}. For management: the template's escalation points that fire on the as-of date, "
           "over the post-mortems these filters keep. Each row says why, since when and who owns it; its "
           "evidence opens on the Post-mortems page.")
table = data.query(escalations.listing, filters, settings=settings, limit=ui.ROWS_SHOWN)
shown_rules = rules(settings)
tiles_and_whole_list(filters, settings, table, shown_rules)
for rule, name, explanation in shown_rules:
    rule_section(filters, settings, table, rule, name, explanation)
