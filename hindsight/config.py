"""The configuration file and the database's location, for every front end (command line, dashboard).

The file is Hindsight's shipped defaults (defaults.yaml) plus what a team's --config file adds: lists are
extended, mappings merged key by key, scalars replaced. It imports only pipeline.yamlio, the one YAML
reader that refuses aliases (a configuration is YAML like any export): each layer gets the merged
mapping from its caller, pipeline.config.build turning it into parsing vocabularies
and analytics' Settings.from_mapping into thresholds, so neither layer imports the other."""

from __future__ import annotations

import os
from pathlib import Path

from pipeline import yamlio

DEFAULTS_PATH = Path(__file__).with_name("defaults.yaml")
KNOWN_SECTIONS = {"ingest", "defaults", "teams", "aliases", "markdown", "vocabularies", "timeline_kinds", "timezones",
                  "analytics", "tracker"}
DEFAULT_DB = Path("data") / "hindsight.duckdb"


class ConfigError(ValueError):
    pass


def database_path(cli_value: str | None = None) -> Path:
    """--db, else $HINDSIGHT_DB, else data/hindsight.duckdb."""
    return Path(cli_value or os.environ.get("HINDSIGHT_DB") or DEFAULT_DB)


def read_config(path: str | Path | None = None) -> dict:
    """The shipped defaults, merged with the file at path when one is given."""
    raw = _read_yaml(DEFAULTS_PATH)
    if path is None:
        return raw
    extra = _read_yaml(Path(path))
    unknown = set(extra) - KNOWN_SECTIONS
    if unknown:
        raise ConfigError(f"{path}: unknown section(s) {', '.join(sorted(unknown))}; "
                          f"known: {', '.join(sorted(KNOWN_SECTIONS))}")
    return _merge(raw, extra)


def _merge(base, extra):
    if isinstance(base, dict) and isinstance(extra, dict):
        out = dict(base)
        for key, value in extra.items():
            out[key] = _merge(base[key], value) if key in base else value
        return out
    if isinstance(base, list) and isinstance(extra, list):
        return base + [v for v in extra if v not in base]
    return extra


def _read_yaml(path: Path) -> dict:
    try:
        data = yamlio.load(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except yamlio.YamlError as exc:
        where = f" line {exc.line}" if exc.line else ""
        raise ConfigError(f"{path}:{where}: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the configuration must be a mapping of sections, not {type(data).__name__}")
    return data
