"""Finding files (issue 9 §6, issue 11 §4): symbolic links never crash or leak a walk, and a re-ingest skips
a file by its recorded size and modification time without reading it."""

from __future__ import annotations

import os

import pytest

from conftest import query, scalar, write

PM = """
    # Post-Mortem: {title}

    **Incident date**: 2025-03-04
    **Team**: payments
"""


def pm(folder, name, title):
    return write(folder, name, PM.format(title=title))


def titles(db):
    return sorted(t for (t,) in query(db, "SELECT title FROM postmortems"))


def test_a_symbolic_link_loop_is_skipped_with_a_warning(cli, db, exports):
    pm(exports, "good.md", "Good one")
    os.symlink(exports / "b.md", exports / "a.md")  # a.md -> b.md -> a.md
    os.symlink(exports / "a.md", exports / "b.md")
    os.symlink(exports / "self.md", exports / "self.md")
    code, out, err = cli("ingest", exports, "--db", db, "--verbose")
    # before: Path.resolve raised RuntimeError ("Symlink loop") out of discovery, a traceback
    assert code == 0, out + err
    assert titles(db) == ["Good one"]
    assert f"WARNING {exports / 'a.md'}: a symbolic link loop; skipped" in out.splitlines()
    assert f"WARNING {exports / 'self.md'}: a symbolic link loop; skipped" in out.splitlines()
    assert "1 file(s) loaded, 0 unchanged, 0 rejected (of 1 found)" in out
    assert scalar(db, "SELECT count(*) FROM ingest_errors WHERE message LIKE '%symbolic link loop%'") == 3


def test_a_folder_link_back_up_the_tree_is_walked_once(cli, db, exports):
    pm(exports, "sub/deeper/one.md", "One")
    os.symlink("../..", exports / "sub" / "deeper" / "up")  # back to exports: a cycle for a walk that follows it
    os.symlink(exports / "sub", exports / "also-sub")         # the same folder under another name
    code, out, err = cli("ingest", exports, "--db", db, "--verbose")
    assert code == 0, out + err
    assert titles(db) == ["One"]
    assert "1 file(s) loaded, 0 unchanged, 0 rejected (of 1 found)" in out
    assert query(db, "SELECT source_path FROM postmortems") == [(str(exports / "sub" / "deeper" / "one.md"),)]


def test_a_link_to_a_file_outside_the_folder_is_not_followed(cli, db, exports, tmp_path):
    outside = pm(tmp_path / "private", "secret.md", "Not for this corpus")
    pm(exports, "inside.md", "Inside")
    os.symlink(outside, exports / "leak.md")
    os.symlink(tmp_path / "private", exports / "leak-folder")
    code, out, err = cli("ingest", exports, "--db", db, "--verbose")
    assert code == 0, out + err
    # before: the link was followed and the outside file stored under its own path
    assert titles(db) == ["Inside"]
    lines = out.splitlines()
    assert (f"WARNING {exports / 'leak.md'}: a symbolic link to {outside}, outside the folders given; not followed "
            "(--follow-links follows it)") in lines
    assert any(line.startswith(f"WARNING {exports / 'leak-folder'}: a symbolic link to {tmp_path / 'private'}")
               for line in lines)


def test_follow_links_reads_what_links_lead_to(cli, db, exports, tmp_path):
    outside = pm(tmp_path / "private", "secret.md", "Followed on purpose")
    pm(tmp_path / "elsewhere", "more.md", "From a linked folder")
    pm(exports, "inside.md", "Inside")
    os.symlink(outside, exports / "leak.md")
    os.symlink(tmp_path / "elsewhere", exports / "linked")
    code, out, err = cli("ingest", exports, "--db", db, "--follow-links")
    assert code == 0, out + err
    assert titles(db) == ["Followed on purpose", "From a linked folder", "Inside"]
    # stored under the real path, as any file
    assert scalar(db, "SELECT source_path FROM postmortems WHERE title = 'Followed on purpose'") == str(outside)


def test_a_link_inside_the_folder_reads_its_file_once(cli, db, exports):
    real = pm(exports, "2025/outage.md", "Outage")
    os.symlink(real, exports / "latest.md")
    code, out, err = cli("ingest", exports, "--db", db, "--verbose")
    assert code == 0, out + err
    assert "1 file(s) loaded, 0 unchanged, 0 rejected (of 1 found)" in out
    assert "symbolic link" not in out


def test_a_broken_link_is_a_warning(cli, db, exports):
    pm(exports, "good.md", "Good one")
    os.symlink(exports / "gone.md", exports / "dangling.md")
    code, out, err = cli("ingest", exports, "--db", db, "--verbose")
    assert code == 0, out + err
    assert f"WARNING {exports / 'dangling.md'}: a broken symbolic link; skipped" in out.splitlines()


def test_a_path_given_as_a_link_loop_is_a_usage_error(cli, db, tmp_path):
    os.symlink(tmp_path / "loop", tmp_path / "loop")
    code, out, err = cli("ingest", tmp_path / "loop", "--db", db)
    assert code == 2
    assert err.strip() == f"hindsight: error: {tmp_path / 'loop'}: a symbolic link loop"
    assert not db.exists()


# ---------------------------------------------------------------- size and time, not contents


def test_size_and_time_are_recorded_and_spare_a_read(cli, db, exports):
    path = pm(exports, "pm.md", "First title")
    assert cli("ingest", exports, "--db", db)[0] == 0
    st = path.stat()
    assert query(db, "SELECT size, mtime_ns FROM source_files") == [(st.st_size, st.st_mtime_ns)]

    # The same size and time: the run takes the file for unchanged without opening it, so a change that
    # restores both (as `touch -r` can) goes unseen, as with make or rsync.
    path.write_text(path.read_text(encoding="utf-8").replace("First title", "Other title"), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size
    code, out, _ = cli("ingest", exports, "--db", db)
    assert code == 0 and "0 file(s) loaded, 1 unchanged" in out
    assert titles(db) == ["First title"]

    # Another time: the file is read, hashed and loaded again.
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    code, out, _ = cli("ingest", exports, "--db", db)
    assert code == 0 and "1 file(s) loaded, 0 unchanged" in out
    assert titles(db) == ["Other title"]


def test_an_unchanged_rerun_starts_no_worker(cli, db, exports, monkeypatch):
    for n in range(70):  # over the threshold where a run parses in worker processes
        pm(exports, f"pm-{n:02}.md", f"Incident {n}")
    code, out, err = cli("ingest", exports, "--db", db, "--workers", "2")
    assert code == 0, out + err

    from pipeline import workers

    def refuse(*args, **kwargs):
        raise AssertionError("an unchanged run started a worker")

    monkeypatch.setattr(workers.Worker, "__init__", refuse)
    monkeypatch.setattr(workers, "read_chunk", refuse)
    code, out, err = cli("ingest", exports, "--db", db, "--workers", "2")
    assert code == 0, out + err
    assert "0 file(s) loaded, 70 unchanged, 0 rejected (of 70 found)" in out


@pytest.mark.parametrize("workers", ["1", "2"])
def test_progress_counts_every_file_read(db, exports, workers):
    """The bar's total is the files to read; it reaches it, one chunk of files at a time."""
    from hindsight.config import read_config
    from pipeline.config import build
    from pipeline.ingest import run

    for n in range(80):
        pm(exports, f"pm-{n:02}.md", f"Incident {n}")
    bars = []

    class Bar:
        def __init__(self, total):
            self.total, self.done, self.closed = total, 0, False
            bars.append(self)

        def update(self, n):
            self.done += n

        def close(self):
            self.closed = True

    run([exports], db, build(read_config()), workers=int(workers), progress_factory=Bar)
    assert [(b.total, b.done, b.closed) for b in bars] == [(80, 80, True)]
    pm(exports, "pm-00.md", "Incident zero, edited")
    run([exports], db, build(read_config()), workers=int(workers), progress_factory=Bar)
    assert [(b.total, b.done) for b in bars[1:]] == [(1, 1)]  # only what is read again
