"""Finding the files an ingest reads: the paths given, folders walked with os.scandir.

Each file comes with its size and modification time (one stat, which scandir often has already), so a
re-ingest can skip an unchanged file without opening it. Paths are the real ones: the given folders are
resolved once, and only a symbolic link met on the way costs a resolution of its own.

Symbolic links: a link to a file inside the given folders is read under the file's own path (once, however
many links lead to it), and a link to a folder inside them adds nothing (the folder is walked anyway). A
link leading out of them is not followed unless ``follow_links`` (an export folder should not read
/etc/passwd because someone left a link in it); a link loop or a broken link is skipped. Each link skipped
is a warning on the link's path.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import re
import stat
from typing import NamedTuple

from pipeline.config import Config
from pipeline.errors import UsageError
from pipeline.model import Problem
from pipeline.formats import FORMATS


class Found(NamedTuple):
    path: str
    size: int
    mtime_ns: int


def discover(paths, cfg: Config, follow_links: bool = False) -> tuple[list[Found], list[tuple[str, Problem]]]:
    """Every supported file under the given paths, sorted by path, excluding the configured patterns (a file
    named explicitly is read whatever its name), and a warning for each link skipped on the way."""
    walk = _Walk(cfg, follow_links)
    roots = [_root(raw) for raw in paths]
    walk.inside = [real for real, st in roots if stat.S_ISDIR(st.st_mode)]
    for real, st in roots:
        if stat.S_ISDIR(st.st_mode):
            walk.folder(real, "", st)
        else:
            walk.found.setdefault(real, Found(real, st.st_size, st.st_mtime_ns))
    return [walk.found[path] for path in sorted(walk.found)], walk.problems


def _root(raw) -> tuple[str, os.stat_result]:
    try:
        real = os.path.realpath(raw, strict=True)
        return real, os.stat(real)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UsageError("a symbolic link loop", raw) from None
        raise UsageError("no such file or folder", raw) from None


class _Walk:
    def __init__(self, cfg: Config, follow_links: bool):
        # one pattern for all of them: fnmatch per name and pattern was a good part of a re-ingest
        self.excludes = re.compile("|".join(fnmatch.translate(p) for p in cfg.excludes) or r"(?!)")
        self.follow_links = follow_links
        self.inside: list[str] = []
        self.found: dict[str, Found] = {}
        self.problems: list[tuple[str, Problem]] = []
        self.walked: set[tuple[int, int]] = set()  # (device, inode) of each folder walked: a loop ends there

    def folder(self, real: str, relative: str, st: os.stat_result) -> None:
        """Walk a folder; ``relative`` is its path from the folder given, with a trailing separator. The order
        does not matter: what is found is sorted at the end."""
        if (st.st_dev, st.st_ino) in self.walked:
            self.warn(real, "a symbolic link loop: this folder is walked already; skipped")
            return
        self.walked.add((st.st_dev, st.st_ino))
        try:
            entries = list(os.scandir(real))
        except OSError as exc:
            self.warn(real, f"cannot be listed: {exc.strerror or exc}; skipped")
            return
        for entry in entries:
            name = entry.name
            if self.excludes.match(name):
                continue
            if entry.is_symlink():
                self.link(entry.path, relative + name)
            elif entry.is_dir(follow_symlinks=False):
                self.folder(entry.path, relative + name + os.sep, entry.stat(follow_symlinks=False))
            elif self.readable(name, relative + name) and entry.is_file(follow_symlinks=False):
                st = entry.stat(follow_symlinks=False)
                self.found[entry.path] = Found(entry.path, st.st_size, st.st_mtime_ns)

    def link(self, path: str, rel: str) -> None:
        wanted = self.readable(os.path.basename(path), rel)
        try:
            st = os.stat(path)
        except OSError as exc:
            if exc.errno == errno.ELOOP or wanted:
                self.warn(path, ("a symbolic link loop" if exc.errno == errno.ELOOP else "a broken symbolic link")
                          + "; skipped")
            return
        real = os.path.realpath(path)
        inside = any(real == root or real.startswith(root + os.sep) for root in self.inside)
        is_folder = stat.S_ISDIR(st.st_mode)
        if not is_folder and not (wanted and stat.S_ISREG(st.st_mode)):
            return  # a file this walk would not read anyway
        if not inside and not self.follow_links:
            self.warn(path, f"a symbolic link to {real}, outside the folders given; not followed "
                            "(--follow-links follows it)")
        elif not is_folder:
            self.found.setdefault(real, Found(real, st.st_size, st.st_mtime_ns))
        elif not inside:  # a folder inside is walked anyway, under its own path
            self.folder(real, rel, st)

    def excluded(self, name: str) -> bool:
        return self.excludes.match(name) is not None

    def readable(self, name: str, rel: str) -> bool:
        """A file name this walk reads: a supported type, not excluded by its path."""
        dot = name.rfind(".")
        return dot > 0 and name[dot:].casefold() in FORMATS and not self.excludes.match(rel)

    def warn(self, path: str, message: str) -> None:
        self.problems.append((path, Problem("warning", message)))
