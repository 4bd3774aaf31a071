"""Tests for the synthetic demo corpus (hindsight/demo/)."""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from hindsight.demo import write_demo_corpus

EXPECTED_MALFORMED = {
    "json/malformed-truncated.json",
    "json/malformed-no-identity.json",
    "yaml/malformed-plain-string.yaml",
    "markdown/platform/malformed-notes.md",
    "csv/malformed-export.csv",
}
FIRST_DAY, LAST_DAY = date(2024, 7, 1), date(2026, 11, 10)
TODAY = date(2026, 11, 15)
ID_RE = re.compile(r"^PM-20\d\d-\d{3,}$")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus")
    summary = write_demo_corpus(out)
    return out, summary


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _is_malformed(p: Path) -> bool:
    return "malformed" in p.name


def _text(p: Path) -> str:
    return p.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")


def _structured(root: Path) -> list[dict]:
    recs: list[dict] = []
    for p in sorted(root.glob("json/*.json")):
        if not _is_malformed(p):
            d = json.loads(p.read_text(encoding="utf-8"))
            recs += d if isinstance(d, list) else [d]
    for p in sorted(root.glob("yaml/*.yaml")):
        if not _is_malformed(p):
            d = yaml.safe_load(p.read_text(encoding="utf-8"))
            recs += d if isinstance(d, list) else [d]
    return recs


def _csv_rows(p: Path) -> list[dict]:
    with p.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _md_files(root: Path) -> list[Path]:
    return [p for p in sorted(root.glob("markdown/*/*.md")) if not _is_malformed(p)]


def _as_date(v) -> date:
    if isinstance(v, date):
        return v
    v = str(v)
    m = re.fullmatch(r"(\d\d)/(\d\d)/(\d{4})", v)
    if m:
        return date(int(m[3]), int(m[2]), int(m[1]))
    return date.fromisoformat(v)


def test_deterministic_and_seed_sensitive(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    sa = write_demo_corpus(a, count=300, seed=42)
    sb = write_demo_corpus(b, count=300, seed=42)
    write_demo_corpus(c, count=300, seed=7)
    fa, fb, fc = _files(a), _files(b), _files(c)
    assert sa == sb
    assert sorted(fa) == sorted(fb)
    for rel in fa:
        assert fa[rel] == fb[rel], rel
    assert fa != fc
    # a second run into the same folder overwrites, and removes nothing else
    (a / "keep-me.txt").write_text("x")
    write_demo_corpus(a, count=300, seed=42)
    assert (a / "keep-me.txt").exists()
    assert {k: v for k, v in _files(a).items() if k != "keep-me.txt"} == fa


def test_small_corpus_still_complete(tmp_path):
    s = write_demo_corpus(tmp_path / "small", count=40, seed=3)
    assert s["postmortems"] == 40
    assert sum(s["postmortems_by_format"].values()) == 40
    assert all(n > 0 for n in s["postmortems_by_format"].values())
    tiny = write_demo_corpus(tmp_path / "tiny", count=1, seed=1)
    assert tiny["postmortems"] == 1 and len(tiny["malformed"]) == 5


def test_postmortem_count(corpus):
    root, summary = corpus
    assert summary["postmortems"] == 300
    n_md = len(_md_files(root))
    n_struct = len(_structured(root))
    n_csv = len(_csv_rows(root / "csv/postmortems.csv"))
    assert n_md + n_struct + n_csv == 300
    by = summary["postmortems_by_format"]
    assert by["markdown"] + by["markdown_frontmatter"] == n_md
    assert by["json"] + by["yaml"] == n_struct
    assert by["csv"] == n_csv
    # roughly the requested mix
    assert 150 <= by["markdown"] <= 180
    assert 35 <= by["json"] <= 55


def test_every_format_present(corpus):
    root, summary = corpus
    md = _md_files(root)
    with_fm = [p for p in md if _text(p).startswith("---\n")]
    assert with_fm and len(with_fm) < len(md)
    assert any(isinstance(json.loads(p.read_text("utf-8")), list)
               for p in root.glob("json/*.json") if not _is_malformed(p))
    assert any(isinstance(json.loads(p.read_text("utf-8")), dict)
               for p in root.glob("json/*.json") if not _is_malformed(p))
    assert [p for p in root.glob("yaml/*.yaml") if not _is_malformed(p)]
    assert (root / "csv/postmortems.csv").is_file() and (root / "csv/actions.csv").is_file()
    assert 4 <= len(list(root.glob("trackers/*.md"))) <= 8
    assert (root / "incidents/incidents.csv").is_file()
    for key in ("markdown", "markdown_frontmatter", "json", "yaml", "csv", "tracker", "incidents"):
        assert summary["files"][key] > 0, key


def test_exactly_five_malformed(corpus):
    root, summary = corpus
    found = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and _is_malformed(p)}
    assert found == EXPECTED_MALFORMED
    assert set(summary["malformed"]) == EXPECTED_MALFORMED and len(summary["malformed"]) == 5
    with pytest.raises(json.JSONDecodeError):
        json.loads((root / "json/malformed-truncated.json").read_text("utf-8"))
    assert isinstance(yaml.safe_load((root / "yaml/malformed-plain-string.yaml").read_text("utf-8")), str)
    no_id = json.loads((root / "json/malformed-no-identity.json").read_text("utf-8"))
    assert not {"id", "title", "incident_date"} & set(no_id)
    assert "# " not in (root / "markdown/platform/malformed-notes.md").read_text("utf-8")


def test_json_and_yaml_parse(corpus):
    root, _ = corpus
    for p in root.glob("json/*.json"):
        if not _is_malformed(p):
            assert isinstance(json.loads(p.read_text("utf-8")), (dict, list)), p
    for p in root.glob("yaml/*.yaml"):
        if not _is_malformed(p):
            assert isinstance(yaml.safe_load(p.read_text("utf-8")), (dict, list)), p


def test_dates_in_range_and_ids(corpus):
    root, _ = corpus
    recs = _structured(root) + _csv_rows(root / "csv/postmortems.csv")
    for r in recs:
        d = _as_date(r["incident_date"])
        assert FIRST_DAY <= d <= LAST_DAY, r["id"]
        assert ID_RE.match(r["id"]), r["id"]
        assert r["id"].startswith(f"PM-{d.year}-")
        if r.get("postmortem_date"):
            assert d < _as_date(r["postmortem_date"]) <= TODAY
    md_dates = []
    for p in _md_files(root):
        m = re.search(r"^\*\*(?:Incident date|Date de l'incident)\*\*: (\S+)$", _text(p), re.M)
        assert m, p
        md_dates.append(_as_date(m[1]))
    assert all(FIRST_DAY <= d <= LAST_DAY for d in md_dates)
    # spread over more than two years
    all_dates = md_dates + [_as_date(r["incident_date"]) for r in recs]
    assert (max(all_dates) - min(all_dates)).days > 730
    fm_ids = [re.search(r"^id: (\S+)$", _text(p), re.M)[1] for p in _md_files(root) if _text(p).startswith("---")]
    ids = [r["id"] for r in recs] + fm_ids
    assert len(ids) == len(set(ids))
    # about five recent incidents still waiting for their post-mortem (checked where it is visible)
    no_pm = [r for r in recs if not r.get("postmortem_date")]
    assert all(_as_date(r["incident_date"]) >= date(2026, 10, 1) for r in no_pm)


def test_teams_services_and_people(corpus):
    root, _ = corpus
    teams = {p.name for p in (root / "markdown").iterdir() if p.is_dir()}
    assert len(teams) >= 9
    recs = _structured(root)
    csv_teams = {r["team"] for r in _csv_rows(root / "csv/postmortems.csv")}
    assert len({r["team"] for r in recs} | csv_teams) >= 9
    assert teams >= {"payments", "checkout", "identity", "search", "platform", "data", "mobile", "notifications", "infra"}
    by_team: dict[str, set] = {}
    for r in recs:
        by_team.setdefault(r["team"], set()).add(r["service"])
    assert all(1 <= len(s) <= 3 for s in by_team.values())
    for r in recs:
        assert r["author"] in r["participants"]
        assert r["readers"]


def test_mojibake_bom_crlf(corpus):
    root, _ = corpus
    raw = {p: p.read_bytes() for p in _md_files(root)}
    texts = {p: b.decode("utf-8-sig") for p, b in raw.items()}
    assert sum("√©" in t for t in texts.values()) == 3
    assert sum("Ã©" in t for t in texts.values()) == 1
    assert any("√âquipe" in t for t in texts.values())
    assert sum(b.startswith(b"\xef\xbb\xbf") for b in raw.values()) == 5
    assert sum(b"\r\n" in b for b in raw.values()) == 5


def test_tracker_titles_match_markdown(corpus):
    root, summary = corpus
    titles = {}
    for p in _md_files(root):
        t = _text(p)
        title = re.search(r"^# Post-Mortem: (.+)$", t, re.M)[1]
        d = _as_date(re.search(r"^\*\*(?:Incident date|Date de l'incident)\*\*: (\S+)$", t, re.M)[1])
        titles.setdefault(title, []).append((d, t))
    trackers = sorted(root.glob("trackers/*.md"))
    assert [p.relative_to(root).as_posix() for p in trackers] == sorted(summary["trackers"])
    for p in trackers:
        t = p.read_text("utf-8")
        assert t.startswith("## Actions Post-Mortem Tracker")
        refs = re.findall(r"^### Incident: (.+) - (\d{4}-\d\d-\d\d)$", t, re.M)
        assert 2 <= len(refs) <= 4
        review = re.search(r"^\*\*(?:Dernière review|Last review)\*\*: (\S+)$", t, re.M)[1]
        for title, d in refs:
            matches = [body for dd, body in titles.get(title, []) if dd == date.fromisoformat(d)]
            assert len(matches) == 1, (p, title, d)
            pm = re.search(r"^\*\*(?:Post-mortem date|Date du post-mortem)\*\*: (\S+)$", matches[0], re.M)[1]
            assert _as_date(pm) < date.fromisoformat(review)
        for due in re.findall(r"^\| \d+ \| .+? \| @\w+ \| (\S+) \|", t, re.M):
            assert re.fullmatch(r"\d\d/\d\d", due)


def test_markdown_shape(corpus):
    root, _ = corpus
    md = [_text(p) for p in _md_files(root)]
    fr = [t for t in md if "## Résumé Exécutif" in t]
    en = [t for t in md if "## Executive Summary" in t]
    assert 0.3 <= len(fr) / len(md) <= 0.5 and en
    for t in fr + en:
        assert len(re.findall(r"^\d\. \*\*(?:Why|Pourquoi)\*\* .+\?$", t, re.M)) == 5
        assert t.count("   → ") == 5
        rows = re.findall(r"^\| (\d\d:\d\d|\d{4}-\d\d-\d\d \d\d:\d\d) \| ", t, re.M)
        assert 5 <= len(rows) <= 9
        assert "PM-20" not in t.split("# Post-Mortem:")[1][:400]  # the id lives in front matter only
    body = "\n".join(md)
    for word in ("SEV", "Sev-", "Majeur", "✅ Terminé", "⛔ Blocked", "Abandonné", "Haute", " min |",
                 "Action Items", "Corrective Actions", "N/A"):
        assert word in body, word
    assert re.search(r"^\| (?:Duration|Durée) \| \d+d \d+h \d+m \|$", body, re.M)  # a multi-day incident
    assert re.search(r"^\| \d{4}-\d\d-\d\d \d\d:\d\d \| ", body, re.M)  # an incident crossing midnight
    assert re.search(r"^\*\*Date de l'incident\*\*: \d\d/\d\d/\d{4}$", body, re.M)


def test_planted_partial_problems(corpus):
    root, summary = corpus
    planted = summary["planted"]
    assert set(planted) == {"bad_due_date", "unknown_status", "timeline_out_of_order", "detected_before_start"}
    assert "| next sprint |" in _text(root / planted["bad_due_date"]["path"])
    y = yaml.safe_load((root / planted["unknown_status"]["path"]).read_text("utf-8"))
    rec = next(r for r in (y if isinstance(y, list) else [y]) if r["id"] == planted["unknown_status"]["id"])
    assert any(a["status"] == "parked" for a in rec["actions"])
    j = json.loads((root / planted["detected_before_start"]["path"]).read_text("utf-8"))
    rec = next(r for r in (j if isinstance(j, list) else [j]) if r["id"] == planted["detected_before_start"]["id"])
    assert rec["detected_at"] < rec["started_at"]
    t = _text(root / planted["timeline_out_of_order"]["path"])
    times = re.findall(r"^\| (\d\d:\d\d|\d{4}-\d\d-\d\d \d\d:\d\d) \| ", t, re.M)
    keys = [x if len(x) > 5 else "0000-00-00 " + x for x in times]
    assert keys != sorted(keys)
    # nothing else is planted: every other structured record has detected_at >= started_at
    for r in _structured(root):
        if r["id"] != planted["detected_before_start"]["id"]:
            assert r["started_at"] <= r["detected_at"] < r["acknowledged_at"] < r["mitigated_at"] < r["resolved_at"]


def test_actions(corpus):
    root, _ = corpus
    acts = [a for r in _structured(root) for a in r["actions"]]
    acts += _csv_rows(root / "csv/actions.csv")
    assert all(2 <= len(r["actions"]) <= 6 for r in _structured(root))
    blocked = [a for a in acts if a.get("blocked_since")]
    assert blocked and any((TODAY - _as_date(a["blocked_since"])).days > 14 for a in blocked)
    overdue_high = [a for a in acts if a["priority"] == "high" and a["status"] in ("todo", "in_progress", "blocked")
                    and a["due"] != "next sprint" and _as_date(a["due"]) < TODAY]
    assert overdue_high
    done = [a for a in acts if a.get("completed_at")]
    late = [a for a in done if _as_date(a["completed_at"]) > _as_date(a["due"])]
    assert done and late and len(late) < len(done) / 2
    csv_ids = {r["id"] for r in _csv_rows(root / "csv/postmortems.csv")}
    assert {a["postmortem_id"] for a in _csv_rows(root / "csv/actions.csv")} == csv_ids


def test_recurrences_and_incident_list(corpus):
    root, summary = corpus
    recs = _structured(root)
    front = [yaml.safe_load(_text(p).split("---\n")[1]) for p in _md_files(root) if _text(p).startswith("---")]
    ids = {r["id"] for r in recs} | {r["id"] for r in _csv_rows(root / "csv/postmortems.csv")}
    ids |= {f["id"] for f in front}
    links = [(r["id"], x) for r in recs + front for x in r.get("recurrence_of", [])]
    assert len(links) >= 4
    assert all(target in ids and target < src for src, target in links)
    known = {}
    for r in recs + _csv_rows(root / "csv/postmortems.csv"):
        cause = r["cause_category"]
        cause = cause[0] if isinstance(cause, list) else cause.split(";")[0]
        known[r["id"]] = (r["service"], cause, _as_date(r["incident_date"]))
    for p in _md_files(root):
        t = _text(p)
        if t.startswith("---"):
            f = yaml.safe_load(t.split("---\n")[1])
            cause = f["cause_category"][0] if isinstance(f["cause_category"], list) else f["cause_category"]
            d = re.search(r"^\*\*(?:Incident date|Date de l'incident)\*\*: (\S+)$", t, re.M)[1]
            known[f["id"]] = (f["service"], cause, _as_date(d))
    checked = 0
    for src, target in links:
        if src in known and target in known:
            (s1, c1, d1), (s2, c2, d2) = known[src], known[target]
            assert (s1, c1) == (s2, c2) and 0 <= (d1 - d2).days <= 90
            checked += 1
    assert checked == len(links)
    rows = _csv_rows(root / "incidents/incidents.csv")
    with_pm = [r for r in rows if r["postmortem_id"]]
    assert {r["postmortem_id"] for r in with_pm} == ids
    without = [r for r in rows if not r["postmortem_id"]]
    assert 35 <= len(without) <= 45
    needed = [r for r in without if r["severity"] == "P1" or r["customer_impact"] == "true"
              or (r["severity"] == "P2" and r["resolved_at"] > r["started_at"]
                  and (date.fromisoformat(r["resolved_at"][:10]) > date.fromisoformat(r["started_at"][:10])
                       or int(r["resolved_at"][11:13]) * 60 + int(r["resolved_at"][14:16])
                       - int(r["started_at"][11:13]) * 60 - int(r["started_at"][14:16]) > 30))]
    assert 6 <= len(needed) <= 8
    assert {r["incident_id"] for r in needed} == set(summary["missing_postmortems"])
