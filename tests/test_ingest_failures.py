"""When the database cannot be written (issue 9 §7-8): a link as --db, a folder, a file that is not a DuckDB
database, a full disk, an I/O error. Each exits 2, "the run failed" (1 stays "some files rejected"), says
so in one line, leaves the database as it was and no temporary file behind.

The faults are real where this machine allows: a full disk is a 6 MB tmpfs (mounted when the tests run as
root, skipped otherwise), a file-size limit (RLIMIT_FSIZE, which any user can set on a child process) makes
the kernel refuse writes with EFBIG. An I/O error cannot be had for real without a failing device
(device-mapper's error target is not available in a container), so it is injected at the boundary our
code calls, os.fsync and the copy, in a real `hindsight ingest` subprocess: the handling is the same
whatever the errno.
"""

from __future__ import annotations

import os
import random
import resource
import signal
import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT, query, scalar, write

PM = """
    # Post-Mortem: {title}

    **Incident date**: 2025-03-04
    **Team**: payments
    **Severity**: P2
"""


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if ".tmp" in p.name)


def loaded_once(cli, exports, db):
    write(exports, "first.md", PM.format(title="First"))
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 0, out + err
    return db.read_bytes()


def env() -> dict:
    return {k: v for k, v in os.environ.items() if k != "HINDSIGHT_DB"}


# ---------------------------------------------------------------- --db as a link


def test_a_link_as_db_updates_its_target_and_stays_a_link(cli, exports, tmp_path):
    real = tmp_path / "store" / "real.duckdb"
    real.parent.mkdir()
    link = tmp_path / "link.duckdb"
    os.symlink(real, link)  # dangling until the first ingest creates the target
    write(exports, "first.md", PM.format(title="First"))
    assert cli("ingest", exports, "--db", link)[0] == 0
    write(exports, "second.md", PM.format(title="Second"))
    code, out, err = cli("ingest", exports, "--db", link)
    assert code == 0, out + err
    # before: the swap replaced the link with a regular file, and the target never saw the second run
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert sorted(t for (t,) in query(real, "SELECT title FROM postmortems")) == ["First", "Second"]
    assert (tmp_path / "store" / "real.duckdb.lock").exists() and not (tmp_path / "link.duckdb.lock").exists()


def test_two_names_of_one_database_share_one_lock(exports, tmp_path):
    import fcntl

    from pipeline import store
    from pipeline.errors import WriterBusy

    real = tmp_path / "real.duckdb"
    link = tmp_path / "link.duckdb"
    os.symlink(real, link)
    with open(tmp_path / "real.duckdb.lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(WriterBusy, match="another ingest"):
            with store.writer(link, wait_seconds=0.3):
                pass


# ---------------------------------------------------------------- not a database


def test_a_folder_as_db_is_a_usage_error(cli, exports, tmp_path):
    write(exports, "first.md", PM.format(title="First"))
    folder = tmp_path / "a-folder"
    folder.mkdir()
    code, out, err = cli("ingest", exports, "--db", folder)
    assert code == 2
    assert err == (f"hindsight: error: {folder}: is a folder; give the database file (for example "
                   f"{folder / 'hindsight.duckdb'})\n")
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("content", [b"", b"just some notes\n", b"\x00" * 4096])
def test_a_file_that_is_not_duckdb_exits_2_and_is_left_alone(cli, exports, tmp_path, content):
    write(exports, "first.md", PM.format(title="First"))
    notes = tmp_path / "notes.duckdb"
    notes.write_bytes(content)
    code, out, err = cli("ingest", exports, "--db", notes)
    # before: a traceback (duckdb.IOException) and exit 1, as if files had been rejected
    assert code == 2
    assert err == f"hindsight: error: {notes}: not a DuckDB database file (is it the right --db?); it is unchanged\n"
    assert notes.read_bytes() == content
    assert leftovers(tmp_path) == []


# ---------------------------------------------------------------- a full disk, a size limit, an I/O error


@pytest.fixture
def tiny_disk(tmp_path):
    """A 6 MB tmpfs, for a disk that fills up for real: room for a small database (2.6 MB: DuckDB's blocks)
    and the writer's copy of it, not for much more."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root; the RLIMIT_FSIZE test covers a refused write")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def bulky(exports, n: int) -> None:
    """n post-mortems with long summaries that do not compress: megabytes more in the database."""
    rng = random.Random(7)
    for i in range(n):
        summary = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz ") for _ in range(6000))
        write(exports, f"pm-{i:03}.md", PM.format(title=f"Incident {i}") + f"\n## Executive Summary\n\n{summary}\n")


def test_a_full_disk_exits_2_and_leaves_the_database_as_it_was(cli, exports, tiny_disk):
    db = tiny_disk / "hindsight.duckdb"
    before = loaded_once(cli, exports, db)
    bulky(exports, 300)
    code, out, err = cli("ingest", exports, "--db", db)
    assert code == 2, out + err
    assert err == f"hindsight: error: {db}: could not write the database: disk full (no space left on device); it is unchanged\n"
    assert db.read_bytes() == before
    assert leftovers(tiny_disk) == []
    assert scalar(db, "SELECT count(*) FROM postmortems") == 1


def _limit_file_size(limit: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails with EFBIG
    return apply


def test_a_refused_write_exits_2_and_leaves_the_database_as_it_was(cli, exports, tmp_path):
    db = tmp_path / "hindsight.duckdb"
    before = loaded_once(cli, exports, db)
    bulky(exports, 200)
    proc = subprocess.run([sys.executable, "-m", "hindsight", "ingest", str(exports), "--db", str(db)], cwd=ROOT,
                          env=env(), capture_output=True, text=True, timeout=600,
                          preexec_fn=_limit_file_size(len(before) + 512 * 1024))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr == (f"hindsight: error: {db}: could not write the database: file too large for this "
                           "system's limits; it is unchanged\n")
    assert db.read_bytes() == before
    assert leftovers(tmp_path) == []


EIO_AT = textwrap.dedent("""
    import errno, os, shutil, sys

    def fail(*args, **kwargs):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    if sys.argv[1] == "fsync":
        os.fsync = fail
    else:
        shutil.copyfile = fail
    sys.argv = ["hindsight", *sys.argv[2:]]
    from hindsight.cli import main
    main()
""")


@pytest.mark.parametrize("where", ["copy", "fsync"])
def test_an_io_error_exits_2_and_leaves_the_database_as_it_was(cli, exports, tmp_path, where):
    db = tmp_path / "hindsight.duckdb"
    before = loaded_once(cli, exports, db)
    write(exports, "second.md", PM.format(title="Second"))
    proc = subprocess.run([sys.executable, "-c", EIO_AT, where, "ingest", str(exports), "--db", str(db)], cwd=ROOT,
                          env=env(), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr == (f"hindsight: error: {db}: could not write the database: input/output error from the "
                           "disk (input/output error); it is unchanged\n")
    assert db.read_bytes() == before
    assert leftovers(tmp_path) == []
