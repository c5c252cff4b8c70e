"""The list of every file an output holds, with its bytes' digest: the "files" section of the state.

A rebuild keeps most of the previous output unread, so it must know that the previous output is
still what the previous build wrote: a deleted QR target, a defaced page or a garbage PNG would
otherwise stay through any number of rebuilds. Each entry records a file's size and sha256 and,
to avoid reading 600,000 files at 50,000 businesses, its inode, mtime and ctime as seen at the
commit (as git's index does): a file whose stat is the same is believed, one whose stat differs
is read again, and one whose bytes differ, or that is gone, is damaged. The ctime cannot be set
back by hand, so an edit with the mtime restored is still found.

The commit moves staged files in by rename, which changes their ctime: the next build reads
those once more (work in proportion to what the previous build changed) and records the new stat.
"""
from __future__ import annotations

import os
import stat
from typing import NamedTuple

from .paths import safe_relative, sha256_of_file

SECTION = "files"


class Entry(NamedTuple):
    """(A tuple: a rebuild reads 600,000 of them at 50,000 businesses, and a frozen dataclass
    took three times as long to make.)"""

    size: int
    mtime: int   # st_mtime_ns
    ctime: int   # st_ctime_ns
    inode: int
    digest: str  # sha256, hex

    def same_stat(self, st: os.stat_result) -> bool:
        return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino) == (self.size, self.mtime, self.ctime, self.inode)


def entry_of(path: str, st: os.stat_result | None = None, digest: str | None = None) -> Entry:
    st = st or os.lstat(path)
    return Entry(st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, digest or sha256_of_file(path))


def refreshed(out: str, entries: dict[str, Entry], moved: set[str]) -> dict[str, Entry]:
    """`entries` with the stat of the `moved` files as they are in `out` now (a rename changes a
    file's ctime), so that the next build believes them without reading them again."""
    root = os.path.join(out, "")
    fresh = dict(entries)
    for rel in moved:
        try:
            fresh[rel] = entry_of(root + rel, digest=entries[rel].digest)
        except OSError:
            pass
    return fresh


def encode(entries: dict[str, Entry]) -> bytes:
    lines = (f"{rel}\t{e.size}\t{e.mtime}\t{e.ctime}\t{e.inode}\t{e.digest}\n" for rel, e in sorted(entries.items()))
    return "".join(lines).encode("utf-8")


def decode(data: bytes | None) -> dict[str, Entry] | None:
    """The entries, or None when the section is not a list this code wrote (then nothing is
    verified and nothing removed on its word)."""
    if data is None:
        return None
    entries = {}
    try:
        for line in data.decode("utf-8").splitlines():
            rel, size, mtime, ctime, inode, digest = line.split("\t")
            if len(digest) != 64 or not safe_relative(rel):
                return None
            entries[rel] = Entry(int(size), int(mtime), int(ctime), int(inode), digest)
    except ValueError:
        return None
    return entries


def verify(out: str, entries: dict[str, Entry]) -> tuple[dict[str, Entry], list[str]]:
    """Check every entry against the disk under `out`: the entries that hold (with their stat as
    it is now) and the files that are missing or changed."""
    held, damaged = {}, []
    root = os.path.join(out, "")
    for rel, entry in entries.items():
        path = root + rel
        try:
            st = os.lstat(path)
        except OSError:
            damaged.append(rel)
            continue
        if not stat.S_ISREG(st.st_mode):
            damaged.append(rel)
        elif entry.same_stat(st):
            held[rel] = entry
        elif st.st_size == entry.size and sha256_of_file(path) == entry.digest:
            held[rel] = entry_of(path, st, entry.digest)
        else:
            damaged.append(rel)
    return held, sorted(damaged)


def survey(produced: set[str], stage: str, base: str | None,
           held: dict[str, Entry]) -> tuple[dict[str, Entry], set[str], list[str]]:
    """What the output will hold after the commit, read from the disk: each file this build
    produced, in the stage (read and digested now) or kept from the previous output (as verified
    when the build began, and unchanged since). Returns the entries, which of them are staged,
    and the files missing (or changed meanwhile)."""
    entries, staged, missing = {}, set(), []
    for p in produced:
        if not p.startswith(stage):
            continue
        rel = p[len(stage):]
        try:
            st = os.lstat(p)
            if stat.S_ISREG(st.st_mode):
                entries[rel] = entry_of(p, st)
                staged.add(rel)
                continue
            missing.append(rel)
            continue
        except FileNotFoundError:
            pass
        if base is None:
            missing.append(rel)
            continue
        try:
            st = os.lstat(base + rel)
        except OSError:
            missing.append(rel)
            continue
        entry = held.get(rel)
        if not stat.S_ISREG(st.st_mode):
            missing.append(rel)
        elif entry is None:
            entries[rel] = entry_of(base + rel, st)  # its bytes were compared when it was kept
        elif entry.same_stat(st):
            entries[rel] = entry
        elif sha256_of_file(base + rel) == entry.digest:
            entries[rel] = entry_of(base + rel, st, entry.digest)
        else:
            missing.append(rel)  # changed while the build ran
    return entries, staged, sorted(missing)
