"""The list of every file an output holds, with its bytes' digest: the "files" section of the state.

A rebuild keeps most of the previous output unread, so it must know that the previous output is
still what the previous build wrote: a deleted QR target, a defaced page or a garbage PNG would
otherwise stay through any number of rebuilds. Each entry records a file's size and sha256 and,
to avoid reading 600,000 files at 50,000 businesses, its inode, mtime and ctime as seen at the
commit (as git's index does): a file whose stat is the same is believed, one whose stat differs
is read again, and one whose bytes differ, or that is gone, is damaged. The ctime cannot be set
back by hand, so an edit with the mtime restored is still found.

The commit moves staged files in by rename, which changes their ctime, so it records their stat
again once they are in place (`refreshed`): the next build believes them without reading them.
The same rule lists what the build itself wrote: the digest of the bytes written, believed while
the file's stat is the one seen right after writing it (build/files.py `written`).
"""
from __future__ import annotations

import bisect
import hashlib
import os
import stat
import struct
from typing import NamedTuple

from .paths import all_safe_relative, sha256_of_file

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
    return Listing(entries).encode()


class Listing:
    """The section's lines for `entries`, in path order, kept so that the commit, which writes the
    list before moving the staged files and again with their stat after the move, makes only the
    moved files' lines again (`restat`): 160,000 lines took 0.4 s at 10,000 businesses."""

    def __init__(self, entries: dict[str, Entry]):
        # Sorting the paths alone, not (path, entry) pairs: the survey's entries come in no
        # order, and comparing pairs took 0.7 s.
        self.rels = sorted(entries)
        self.lines = [_line(rel, entries[rel]) for rel in self.rels]

    def restat(self, fresh: dict[str, Entry], moved) -> None:
        """Make the lines of the `moved` paths again from `fresh` (refreshed)."""
        for rel in moved:
            i = bisect.bisect_left(self.rels, rel)
            if i < len(self.rels) and self.rels[i] == rel:
                self.lines[i] = _line(rel, fresh[rel])

    def encode(self) -> bytes:
        return b"".join(self.lines)


def _line(rel: str, e: Entry) -> bytes:
    # Bytes, not text: joining text and encoding it held the list twice more (240 MB at 50,000
    # businesses, in the build's peak).
    return f"{rel}\t{e[0]}\t{e[1]}\t{e[2]}\t{e[3]}\t{e[4]}\n".encode("utf-8")


def decode(data: bytes | None) -> dict[str, Entry] | None:
    """The entries, or None when the section is not a list this code wrote (then nothing is
    verified and nothing removed on its word)."""
    if data is None:
        return None
    entries = {}
    try:
        lines = data.decode("utf-8").split("\n")
        if lines[-1] == "":
            lines.pop()
        for line in lines:
            rel, size, mtime, ctime, inode, digest = line.split("\t")
            if len(digest) != 64:
                return None
            entries[rel] = Entry(int(size), int(mtime), int(ctime), int(inode), digest)
    except ValueError:
        return None
    return entries if all_safe_relative(list(entries)) and len(entries) == len(lines) else None


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


def survey(produced: set[str], stage: str, base: str | None, held: dict[str, Entry],
           written: dict[str, bytes] | None = None) -> tuple[dict[str, Entry], set[str], list[str]]:
    """What the output will hold after the commit, read from the disk: each file this build
    produced, in the stage (read and digested now, unless written as below) or kept from the previous output. Returns the
    entries, which of them are staged, and the files missing.

    A rebuild stages a few files and keeps 100,000s, so what the stage holds is listed once, by
    walking it (asking the stage for each kept file, a failed lstat each, was half of this
    survey), and a kept file the build began by verifying (`held`) is not looked at again: had
    it changed since, what OUT_DIR serves would be the same with or without this build, and the
    next build's verify finds it and restores it (its stat no longer matches the record).

    A staged file the build wrote (`written`, by absolute path: `written_record` of the bytes it
    wrote and its stat right after) is believed while its stat is the same, as the next build
    believes the record; one whose stat differs is read again. Such a file is known to be in
    the stage, so a first build, which writes them all, does not walk the stage at all (34 s at
    50,000 businesses, 791,000 files)."""
    entries, staged, missing = {}, set(), []
    written = written or {}
    in_stage = None
    for p in produced:
        if not p.startswith(stage):
            continue
        rel = p[len(stage):]
        entry = held.get(rel)
        record = written.get(p)
        if entry is not None and record is None:
            if in_stage is None:
                in_stage = _listed(stage)
            if p not in in_stage:
                entries[rel] = entry
                continue
        try:
            st = os.lstat(p)
        except OSError:  # not in the stage (or a folder of its path is not a folder there)
            st = None
        if st is not None:
            if stat.S_ISREG(st.st_mode):
                entries[rel] = _believed(record, st) or entry_of(p, st)
                staged.add(rel)
            else:
                missing.append(rel)
            continue
        if base is None:
            missing.append(rel)
            continue
        try:
            st = os.lstat(base + rel)
        except OSError:
            missing.append(rel)
            continue
        if stat.S_ISREG(st.st_mode):
            entries[rel] = entry_of(base + rel, st)  # its bytes were compared when it was kept
        else:
            missing.append(rel)
    return entries, staged, sorted(missing)


#: A file's stat and digest as `written_record` packs them: 64 bytes where an Entry took about
#: 350 (the build holds one per file it wrote until the commit: 791,000 at 50,000 businesses).
_WRITTEN = struct.Struct("<4q32s")


def written_record(path: str, data: bytes) -> bytes:
    """What the build knows of the file it just wrote at `path` with `data` (for `survey`)."""
    st = os.lstat(path)
    return _WRITTEN.pack(st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, hashlib.sha256(data).digest())


def _believed(record: bytes | None, st: os.stat_result) -> Entry | None:
    """The Entry of a file as it was written, if its stat is still the one seen then."""
    if record is None:
        return None
    size, mtime, ctime, inode, digest = _WRITTEN.unpack(record)
    entry = Entry(size, mtime, ctime, inode, digest.hex())
    return entry if entry.same_stat(st) else None


def _listed(stage: str) -> set[str]:
    """Every path in the stage folder (files, links and folders; `stage` ends with a separator)."""
    found = set()
    for dirpath, dirs, names in os.walk(stage):
        prefix = os.path.join(dirpath, "")
        found.update(prefix + name for name in names)
        found.update(prefix + name for name in dirs)
    return found
