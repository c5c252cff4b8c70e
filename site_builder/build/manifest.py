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

from .paths import all_safe_relative, sha256_of_file

SECTION = "files"


#: An entry is its line of the section, as bytes: b"<path>\t<size>\t<mtime>\t<ctime>\t<inode>\t<sha256>\n"
#: (st_mtime_ns, st_ctime_ns, st_ino; the sha256 in hex). A rebuild holds one per file of the
#: previous output (791,000 at 50,000 businesses): as lines they are read without parsing a
#: number, written again without formatting one, and take 390 MB less than a tuple of five fields
#: each, keyed by path, did.
_DIGEST = 64


def line_of(rel: str, st: os.stat_result, digest: str) -> bytes:
    """The entry of the file at `rel` with stat `st` and sha256 `digest` (hex)."""
    return b"%s\t%d\t%d\t%d\t%d\t%s\n" % (rel.encode("utf-8"), st.st_size, st.st_mtime_ns, st.st_ctime_ns,
                                           st.st_ino, digest.encode("ascii"))


def read_line(rel: str, path: str, st: os.stat_result | None = None) -> bytes:
    """The entry of the file at `path` (listed as `rel`), its bytes read and digested now."""
    st = st or os.lstat(path)
    return line_of(rel, st, sha256_of_file(path))


def digest_of(line: bytes) -> str:
    """The sha256 (hex) an entry records."""
    return line[-_DIGEST - 1:-1].decode("ascii")


def same_stat(line: bytes, st: os.stat_result) -> bool:
    """The file's stat is the one the entry records (size, mtime, ctime, inode)."""
    return line.startswith(b"%d\t%d\t%d\t%d\t" % (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino),
                           line.index(b"\t") + 1)


def _size_of(line: bytes) -> int | None:
    """The size an entry records (None when it is not a number: never a file's size)."""
    field = line.split(b"\t", 2)[1]
    return int(field) if field.isdigit() else None


def refreshed(out: str, entries: dict[str, bytes], moved: set[str]) -> dict[str, bytes]:
    """The entries of the `moved` files with their stat as it is in `out` now (a rename changes
    a file's ctime), so that the next build believes them without reading them again."""
    root = os.path.join(out, "")
    fresh = {}
    for rel in moved:
        try:
            fresh[rel] = line_of(rel, os.lstat(root + rel), digest_of(entries[rel]))
        except OSError:
            pass
    return fresh


def encode(entries: dict[str, bytes]) -> bytes:
    return Listing(entries).encode()


class Listing:
    """The section for `entries`, in path order, kept so that the commit, which writes the list
    before moving the staged files and again with their stat after the move, changes only the
    moved files' lines (`restat`)."""

    def __init__(self, entries: dict[str, bytes]):
        # Sorting the paths alone, not (path, entry) pairs: the survey's entries come in no
        # order, and comparing pairs took 0.7 s.
        self.rels = sorted(entries)
        self.lines = [entries[rel] for rel in self.rels]

    def restat(self, fresh: dict[str, bytes]) -> None:
        """Take the lines of the paths in `fresh` (refreshed)."""
        for rel, line in fresh.items():
            i = bisect.bisect_left(self.rels, rel)
            if i < len(self.rels) and self.rels[i] == rel:
                self.lines[i] = line

    def encode(self) -> bytes:
        return b"".join(self.lines)


def decode(data: bytes | None) -> dict[str, bytes] | None:
    """The entries by path, or None when the section is not a list this code wrote (then
    nothing is verified and nothing removed on its word)."""
    if data is None:
        return None
    entries = {}
    try:
        lines = data.splitlines(keepends=True)
        for line in lines:
            # Five tabs, a digest of 64 characters and a newline: the numbers are compared as
            # they are written (same_stat), and one that is not a number never matches a stat.
            if line.count(b"\t") != 5 or len(line) - line.rindex(b"\t") != _DIGEST + 2 or line[-1:] != b"\n":
                return None
            entries[line[:line.index(b"\t")].decode("utf-8")] = line
    except ValueError:  # UnicodeDecodeError included
        return None
    return entries if all_safe_relative(list(entries)) and len(entries) == len(lines) else None


def verify(out: str, entries: dict[str, bytes]) -> tuple[dict[str, bytes], list[str]]:
    """Check every entry against the disk under `out`: the entries that hold (with their stat as
    it is now) and the files that are missing or changed."""
    held, damaged = {}, []
    root = os.path.join(out, "")
    for rel, line in entries.items():
        path = root + rel
        try:
            st = os.lstat(path)
        except OSError:
            damaged.append(rel)
            continue
        if not stat.S_ISREG(st.st_mode):
            damaged.append(rel)
        elif same_stat(line, st):
            held[rel] = line
        elif st.st_size == _size_of(line) and sha256_of_file(path) == digest_of(line):
            held[rel] = line_of(rel, st, digest_of(line))
        else:
            damaged.append(rel)
    return held, sorted(damaged)


def survey(produced: set[str], stage: str, base: str | None, held: dict[str, bytes],
           written: dict[str, bytes] | None = None) -> tuple[dict[str, bytes], set[str], list[str]]:
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
                entries[rel] = _believed(rel, record, st) or read_line(rel, p, st)
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
            entries[rel] = read_line(rel, base + rel, st)  # its bytes were compared when it was kept
        else:
            missing.append(rel)
    return entries, staged, sorted(missing)


#: A file's stat and digest as `written_record` packs them: 64 bytes where its entry takes about
#: 140 (the build holds one per file it wrote until the commit: 791,000 at 50,000 businesses).
_WRITTEN = struct.Struct("<4q32s")


def written_record(path: str, data: bytes, st: os.stat_result | None = None) -> bytes:
    """What the build knows of the file it just wrote at `path` with `data` (for `survey`);
    `st`: its stat, when the writer took it from the open file."""
    st = st or os.lstat(path)
    return _WRITTEN.pack(st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, hashlib.sha256(data).digest())


def _believed(rel: str, record: bytes | None, st: os.stat_result) -> bytes | None:
    """The entry of a file as it was written, if its stat is still the one seen then."""
    if record is None:
        return None
    size, mtime, ctime, inode, digest = _WRITTEN.unpack(record)
    if (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino) != (size, mtime, ctime, inode):
        return None
    return line_of(rel, st, digest.hex())


def _listed(stage: str) -> set[str]:
    """Every path in the stage folder (files, links and folders; `stage` ends with a separator)."""
    found = set()
    for dirpath, dirs, names in os.walk(stage):
        prefix = os.path.join(dirpath, "")
        found.update(prefix + name for name in names)
        found.update(prefix + name for name in dirs)
    return found
