"""Every word of the demo corpus (wording.yaml, read once): teams, spellings, titles, per-cause texts,
timeline phrases and the Markdown template's labels, in English and French."""

from __future__ import annotations

from pathlib import Path

import yaml

# libyaml's safe loader when PyYAML has it: the same data, read several times faster
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
WORDING: dict = yaml.load(Path(__file__).with_name("wording.yaml").read_text(encoding="utf-8"), Loader=_LOADER)

TEAMS: dict[str, dict] = WORDING["teams"]
SEVERITY_SPELLINGS: dict = WORDING["severity_spellings"]
STATUS_MARKDOWN: dict = WORDING["status_spellings"]["markdown"]
STATUS_TRACKER: dict = WORDING["status_spellings"]["tracker"]
STATUS_STRUCTURED: dict = WORDING["status_spellings"]["structured"]
PRIORITY_MARKDOWN: dict = WORDING["priority_spellings"]["markdown"]
PRIORITY_P: dict = WORDING["priority_spellings"]["p"]
KINDS: dict = WORDING["kinds"]
NEAR_MISS_TITLES: list = WORDING["near_miss_titles"]
SYMPTOMS: dict = WORDING["symptoms"]
CAUSE_TEXT: dict = WORDING["causes"]
GENERAL: dict = WORDING["general"]
DETECT: dict = WORDING["detect"]
EXTRA_EVENTS: dict = WORDING["extra_events"]
PHRASES: dict = WORDING["phrases"]
MARKDOWN: dict = WORDING["markdown"]
TRACKER: dict = WORDING["tracker"]
MORE_TEAMS: list[dict] = WORDING["more_teams"]
