"""Shared fixtures: real files in tmp_path, a real DuckDB file, the real CLI."""

from __future__ import annotations

import builtins
import gc
import io
import os
import re
import textwrap
import time
import zipfile
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, settings

from hindsight.cli import cli as hindsight_cli

ROOT = Path(__file__).resolve().parent.parent
# Vendored inputs (tests/fixtures/README.md): the practice guide exactly as shipped, mojibake included,
# and the mybinder.org reports with their licence. Nothing outside the clone is read.
FIXTURES = ROOT / "tests" / "fixtures"
SEED = FIXTURES / "seed" / "000_dfd7598b3d6ce04a.txt"
MYBINDER = FIXTURES / "mybinder-incident-reports"


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


def run_cli(*args) -> tuple[int, str, str]:
    """Run `hindsight ARGS...` in-process with click's CliRunner; returns (exit code, stdout, stderr)
    (CliRunner keeps stderr apart since click 8.2). An exception the command does not handle fails the
    test: a user would have seen a traceback."""
    result = CliRunner(catch_exceptions=False).invoke(hindsight_cli, [str(a) for a in args], prog_name="hindsight")
    return result.exit_code, result.stdout, result.stderr


def ingest(cli, db, *args, code: int = 0, verbose: bool = False) -> str:
    """`hindsight ingest ARGS --db DB` through the ``cli`` fixture: asserts the exit code (0 unless said)
    and returns what it printed; ``verbose`` lists every warning too."""
    result, out, err = cli("ingest", *args, "--db", db, *(["--verbose"] if verbose else []))
    assert result == code, out + err
    return out


@pytest.fixture
def cli(monkeypatch):
    """run_cli, without a $HINDSIGHT_DB from the environment."""
    monkeypatch.delenv("HINDSIGHT_DB", raising=False)
    return run_cli


# Hypothesis profiles for every property test (tests/test_properties.py, tests/test_document_properties.py).
# The default is deterministic and quick, so the suite stays fast and green for the same code;
# HYPOTHESIS_PROFILE=fuzz explores 20 times more, at random. A deadline per example catches a quadratic
# path; 2 s is generous on two busy cores.
DEFAULT_EXAMPLES = 200
settings.register_profile("default", max_examples=DEFAULT_EXAMPLES, deadline=timedelta(seconds=2),
                          derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("fuzz", max_examples=20 * DEFAULT_EXAMPLES, deadline=timedelta(seconds=2),
                          database=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def examples(n: int) -> int:
    """n examples under the default profile, as many times more as the loaded profile gives (a test
    whose examples are costly asks for fewer than the profile's default, still scaled by the fuzz run)."""
    return max(1, n * settings.default.max_examples // DEFAULT_EXAMPLES)


def cpu_time(function, *args):
    """(result, CPU seconds) of function(*args), with the objects the suite already holds frozen out of
    the garbage collector. A bound on parsing is about the parser's own cost: in a full run the heap
    holds every earlier test's objects, and each collection the parse triggers walks them all (a 0.6 s
    parse once took 7.6 s in CI that way, and never again on its rerun)."""
    gc.collect()
    gc.freeze()
    try:
        started = time.process_time()
        result = function(*args)
        return result, time.process_time() - started
    finally:
        gc.unfreeze()


# Exception classes a message must never name: Python's own, and those of the libraries that read files.
EXCEPTION_NAMES = re.compile(r"\b(?:%s)\b|Traceback" % "|".join(sorted(
    {name for name, obj in vars(builtins).items()
     if isinstance(obj, type) and issubclass(obj, BaseException) and not name.endswith("Warning")}
    | {"BadZipFile", "LargeZipFile", "XMLSyntaxError", "ParserError", "PackageNotFoundError", "YAMLError",
       "ScannerError", "ParserError", "ConstructorError", "ComposerError", "JSONDecodeError", "Rejected"})))


def assert_loaded_or_rejected(parsed) -> None:
    """A parsed file either gave records, or was rejected with a reason: an error with a message that
    names no exception class (and no parser bug: the "internal error" parse_file reports for one)."""
    errors = [p for p in parsed.problems if p.level == "error"]
    if parsed.rejected:
        assert errors and all(p.message.strip() for p in errors), parsed.problems
    else:
        assert (parsed.postmortems or parsed.action_rows or parsed.incidents or parsed.tracker_updates
                or parsed.ticket_statuses), parsed.problems
    for problem in parsed.problems:
        assert "internal error" not in problem.message, parsed.problems
        assert not EXCEPTION_NAMES.search(problem.message), problem


def zip_of(members: dict[str, bytes]) -> bytes:
    """A zip archive (a .docx is one) holding these members."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


DEMO = ROOT / "data" / "demo"
DEMO_CONFIG = ROOT / "examples" / "demo.yaml"
AS_OF = "2026-11-15"  # the demo corpus's "today"


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """The bundled demo corpus, ingested once per test session through the real CLI."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    code, out, err = run_cli("ingest", DEMO, "--db", path, "--config", DEMO_CONFIG, "--quiet")
    assert code == 1, out + err  # the five planted malformed files
    return path


@pytest.fixture
def app(monkeypatch, demo_db):
    """AppTest of the real app.py on the demo database; caches cleared so tests do not leak."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()
    st.cache_resource.clear()
    monkeypatch.setenv("HINDSIGHT_DB", str(demo_db))
    monkeypatch.setenv("HINDSIGHT_CONFIG", str(DEMO_CONFIG))

    def make(page: str | None = None, **query) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.query_params["as_of"] = AS_OF
        for key, value in query.items():
            at.query_params[key] = value
        if page:  # AppTest resolves a page from the pages the first run registered
            at.run()
            at.switch_page(page)
        return at

    return make


@pytest.fixture
def empty_app(monkeypatch, tmp_path):
    """AppTest of app.py with no database at all."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()
    st.cache_resource.clear()
    monkeypatch.setenv("HINDSIGHT_DB", str(tmp_path / "missing.duckdb"))
    monkeypatch.delenv("HINDSIGHT_CONFIG", raising=False)

    def make(page: str | None = None) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        if page:
            at.run()
            at.switch_page(page)
        return at

    return make


def captions(at) -> list[str]:
    return [c.value for c in at.caption]


@pytest.fixture
def downloads(monkeypatch):
    """What a page hands to st.download_button, by file name (AppTest keeps no media files)."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        if filename:
            files[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    return files


def chart(at, key: str) -> dict:
    """The Plotly figure (as JSON) of the AppTest chart with this key."""
    import json

    found = [c for c in at.get("plotly_chart") if key in c.proto.id]
    assert len(found) == 1, key
    return json.loads(found[0].proto.spec)


def values(array) -> list:
    """A trace's array: Plotly writes numeric arrays as {"dtype", "bdata"} (base64)."""
    import base64

    import numpy as np

    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


@pytest.fixture
def load_records(cli, db, exports):
    """Write post-mortem records as exports/pms.json, ingest them with the real CLI, and return a
    read-only connection to the database (closed after the test)."""
    import json

    from analytics.db import connect_readonly

    opened = []

    def load(records):
        (exports / "pms.json").write_text(json.dumps(records), encoding="utf-8")
        code, out, err = cli("ingest", exports, "--db", db)
        assert code == 0, out + err
        opened.append(connect_readonly(db))
        return opened[-1]

    yield load
    for connection in opened:
        connection.close()


def example_script(name: str):
    """A script of examples/ (e.g. make_docx.py) as a module, to call what it defines."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(Path(name).stem, ROOT / "examples" / name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
