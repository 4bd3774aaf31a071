"""Where the dashboard gets its numbers: analytics functions, called with the reader's connection and
cached per database version: ``data.query(actions.summary, filters)``.

An ingest swaps a new database file in; its (inode, mtime, size) is part of every cache key,
so the next rerun after an ingest queries the new file, with no restart."""

from __future__ import annotations

import argparse
import os
import sys
import threading
from pathlib import Path
from typing import Callable, Concatenate, ParamSpec, TypeVar

import duckdb
import pandas as pd
import streamlit as st

from analytics import catalog
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
        return bool(query(catalog.counts).iloc[0]["postmortems"])
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


Params = ParamSpec("Params")
Result = TypeVar("Result")


@st.cache_resource(show_spinner=False, max_entries=512, ttl=3600)
def _cached(name: str, _func: Callable, db: str, db_version: tuple | None, config: str | None, args: tuple,
            kwargs: tuple):
    """``_func`` is not hashed (the leading underscore): ``name``, its module and qualified name, keys it.

    One result for every session of the process, handed out as a copy (``_copy``), not pickled: at 100k
    post-mortems st.cache_data's pickling of a 36k-row table of actions alone took 240 ms on every hit;
    a copy takes 7 ms. The result is shared by every session: nothing may change it in place, which the
    copies guarantee."""
    return _func(connection(), *args, **dict(kwargs))


def _copy(value):
    """A copy of a cached result that a page may change freely: tables copied (their arrays; the Python
    objects of a text column are shared, strings being immutable, and so are the lists of a list column,
    which no page changes), dictionaries, lists and tuples of them likewise; anything else (numbers,
    dates, strings) is immutable."""
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return value.copy()
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_copy(item) for item in value)
    return value


def query(func: Callable[Concatenate[duckdb.DuckDBPyConnection, Params], Result], *args: Params.args,
          **kwargs: Params.kwargs) -> Result:
    """``func(connection, *args, **kwargs)`` for an analytics function, cached on the database version,
    the configuration file and the arguments (Filters and Settings are part of the key by value). Pass the
    configured settings explicitly where the function takes them: ``settings=data.current_settings()``."""
    return _copy(_cached(f"{func.__module__}.{func.__qualname__}", func, str(db_path()), version(), config_path(),
                         args, tuple(sorted(kwargs.items()))))
