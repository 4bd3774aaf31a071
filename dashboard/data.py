"""Where the dashboard gets its numbers: analytics functions, cached per database version.

An ingest swaps a new database file in; its (inode, mtime, size) is part of every cache key,
so the next rerun after an ingest queries the new file, with no restart."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import threading
from pathlib import Path

import pandas as pd
import streamlit as st

from analytics.db import connect_readonly, db_version
from analytics.settings import Settings
from hindsight.config import database_path, read_config

_lock = threading.Lock()
_connections: dict[str, tuple[tuple, object]] = {}


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--db")
    parser.add_argument("--config")
    args, _ = parser.parse_known_args(sys.argv[1:])
    return args


def db_path() -> Path:
    """`streamlit run app.py -- --db FILE`, else $HINDSIGHT_DB, else data/hindsight.duckdb."""
    return database_path(_args().db)


def config_path() -> str | None:
    return _args().config or os.environ.get("HINDSIGHT_CONFIG")


def version() -> tuple | None:
    return db_version(db_path())


def has_data() -> bool:
    """True when the database exists and holds at least one post-mortem."""
    if version() is None:
        return False
    try:
        return bool(get("analytics.catalog:counts").iloc[0]["postmortems"])
    except Exception:  # an unreadable or foreign file: the empty state explains what to do
        return False


def connection():
    path = str(db_path())
    current = db_version(path)
    with _lock:
        held = _connections.get(path)
        if held and held[0] == current:
            return held[1]
        con = connect_readonly(path)
        # The replaced connection is left to the garbage collector: another session may still be
        # reading from a cursor of it.
        _connections[path] = (current, con)
        return con


@st.cache_resource(show_spinner=False)
def settings(config: str | None) -> Settings:
    return Settings.from_mapping(read_config(config))


def current_settings() -> Settings:
    return settings(config_path())


@st.cache_data(show_spinner=False, max_entries=512, ttl=3600)
def _cached(name: str, db: str, db_version: tuple | None, config: str | None, args: tuple, kwargs: tuple):
    module_name, func_name = name.split(":")
    func = getattr(importlib.import_module(module_name), func_name)
    return func(connection(), *args, **dict(kwargs))


def get(name: str, *args, with_settings: bool = False, **kwargs) -> pd.DataFrame:
    """Call ``module:function`` (an analytics function) with the connection, cached on the database
    version and the arguments. Pass ``with_settings=True`` to add the configured Settings."""
    if with_settings:
        kwargs["settings"] = current_settings()
    return _cached(name, str(db_path()), version(), config_path(), args, tuple(sorted(kwargs.items())))
