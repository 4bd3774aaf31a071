"""Shared fixtures: real files in tmp_path, a real DuckDB file, the real CLI."""

from __future__ import annotations

import textwrap
from pathlib import Path

import duckdb
import pytest

from pipeline.cli import main

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seed" / "000_dfd7598b3d6ce04a.txt"
MYBINDER = SHARED / "corpora" / "mybinder-incident-reports"


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "hindsight.duckdb"


@pytest.fixture
def exports(tmp_path) -> Path:
    folder = tmp_path / "exports"
    folder.mkdir()
    return folder


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    """Write a dedented document into folder/name (sub-folders created)."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding=encoding)
    return path


def query(db: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def scalar(db: Path, sql: str, params=None):
    return query(db, sql, params)[0][0]


@pytest.fixture
def cli(capsys, monkeypatch):
    """Run `hindsight ARGS...` in-process; returns (exit code, stdout, stderr)."""
    monkeypatch.delenv("HINDSIGHT_DB", raising=False)

    def run(*args: str):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse usage errors
            code = exc.code
        out, err = capsys.readouterr()
        return code, out, err

    return run
