"""Writes files only when their bytes change, never in place, and remembers what a build wrote.

A build works in a staging folder beside OUT_DIR that starts EMPTY and receives only the files
whose bytes this build changed. The previous output (the "base") is read, never written, until
every stage has succeeded; then `commit` moves the staged files into OUT_DIR and removes what
this build no longer makes. A failed build only removes its staging folder.

Why not a hard-link clone of the previous output, swapped in whole: measured at 50,000
businesses on the 2-core machine (about 600,000 files), cloning took 58 s and removing the old
tree 65 s, so a rebuild after one changed record cost two minutes before any work began.

Readers of what a build has so far (a kept page, the previous search index's record) ask
`current(path)`: the staged copy when this build wrote one, else the previous output's. Every
file a build produces, written or kept, is recorded (`record`); the list is saved as OUT_DIR's
manifest, and the next commit removes what it listed and the new build did not produce.

Publishing the stage (commit, journal, the record of every file and its bytes) is output.py's
job; this module only writes. It refuses a path that leaves the tree it writes into, so that no
key from the data (a batch of "..") can ever make a page land outside its folder or on another.

Outside a build (`start_build()` without a stage: library calls, tests), files are written
where the path says, as a new file renamed over the old one.
"""
from __future__ import annotations

import hashlib
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ZuofangError
from .state import FolderRecord, StateRecord


class UnsafeWrite(ZuofangError):
    """A file would be written outside the folder it belongs to (a `..` from the data, a link)."""


@dataclass
class _Build:
    stage: str | None = None   # absolute, ending with a separator
    base: str | None = None    # the previous OUT_DIR, same form; None on a first build
    produced: set[str] = field(default_factory=set)
    changed: set[str] = field(default_factory=set)
    #: The build's state record (state.py): what the previous build left, what this one writes.
    records: StateRecord | None = None
    forked: dict = field(default_factory=dict)  # in a forked worker: the sections before the fork
    #: The previous output's files that match what its record says (manifest.verify), by path
    #: relative to OUT_DIR: only these may be kept unread.
    verified: dict = field(default_factory=dict)


_state = _Build()


def safe_relative(rel: str) -> bool:
    """A path relative to an output folder that stays inside it: no `..`, `.` or empty part, not
    absolute, no control character (records and journals are read through this)."""
    return (isinstance(rel, str) and rel != "" and not rel.startswith("/") and "\\" not in rel
            and not any(ord(c) < 32 or c == "\x7f" for c in rel)
            and all(part not in ("", ".", "..") for part in rel.split("/")))


def _dir_prefix(path: str | Path) -> str:
    return os.path.join(os.path.abspath(path), "")


def _abs(path: str | Path) -> str:
    text = os.fspath(path)
    return text if os.path.isabs(text) else os.path.abspath(text)


def start_build(stage: str | Path | None = None, base: str | Path | None = None,
                records: StateRecord | None = None) -> None:
    """Forget what an earlier build in this process produced; with `stage`, write there and
    read what it lacks from `base` (the previous output), with `records` the build's state."""
    global _state
    _state = _Build(_dir_prefix(stage) if stage else None,
                    _dir_prefix(base) if stage and base and os.path.isdir(base) else None,
                    records=records)


def end_build() -> None:
    """The build is over (committed or discarded): later writes in this process are not part of
    it. What it produced and changed stays readable (`changed_files`)."""
    _state.stage = _state.base = _state.records = None
    _state.verified = {}


def keep_verified(entries: dict) -> None:
    """The previous output's files found intact (output.py checks them before a build)."""
    _state.verified = entries


def verified_entries() -> dict:
    return _state.verified


def intact(path: str | Path) -> bool:
    """During a build: the previous output's copy of `path` (a stage path) is as its build left it.
    Outside a build nothing is checked (library calls read what they are given)."""
    p = _abs(path)
    if _state.stage is None or not p.startswith(_state.stage):
        return _state.stage is None
    return p[len(_state.stage):] in _state.verified


def produced_paths() -> set[str]:
    """Every file this build produced (written or kept), as absolute path strings."""
    return _state.produced


def build_records() -> StateRecord | None:
    """The state record of the build under way, if one is."""
    return _state.records


def records_for(folder: str | Path) -> StateRecord:
    """The state record a stage reads and writes: the build's, or outside a build the record of
    `folder` (the output folder the stage writes into), saved in place."""
    return _state.records if _state.records is not None else FolderRecord(folder)


def _current(p: str) -> str:
    s = _state
    if s.base is not None and p.startswith(s.stage) and not os.path.lexists(p):
        return s.base + p[len(s.stage):]
    return p


def current(path: str | Path) -> Path:
    """Where `path` can be read now: the staged copy if this build wrote one, else the previous output's."""
    return Path(_current(_abs(path)))


def write_if_changed(path: str | Path, content: bytes | str) -> bool:
    """Write `content` to `path` unless it already holds exactly that; True when written."""
    p = _abs(path)
    if _state.base is not None and p.startswith(_state.base):
        raise RuntimeError(f"{p}: a build must not write into the output it replaces; write into its stage")
    _check_inside(os.fspath(path), p)
    data = content.encode("utf-8") if isinstance(content, str) else content
    _state.produced.add(p)
    source = _current(p)
    try:
        if os.stat(source).st_size == len(data):
            with open(source, "rb") as f:
                if f.read() == data:
                    return False
    except FileNotFoundError:
        pass
    in_stage = _state.stage is not None and p.startswith(_state.stage)
    _write(p, data, create=in_stage and not os.path.lexists(p))
    _state.changed.add(p)
    return True


def _check_inside(given: str, p: str) -> None:
    """The second line of defence behind the validator's address rules: a path that climbs out
    (`…/10/../index.html`) or, during a build, lies outside the stage is refused, never written."""
    if any(part in (".", "..") for part in given.split(os.sep)):
        raise UnsafeWrite(f"拒绝写入 {p}：路径中含有“..”等成分，会写到它所属的文件夹之外。"
                         "请检查数据中用作地址的编号或批次。Refused: the path leaves its folder.")
    if _state.stage is not None and not p.startswith(_state.stage):
        raise UnsafeWrite(f"拒绝写入 {p}：不在本次构建的暂存文件夹 {_state.stage} 之内。Refused: outside the build.")


def _write(p: str, data: bytes, create: bool) -> None:
    """A file new to the stage is created where it goes (nothing else can see it until the
    commit); any other file is replaced by a renamed new one, so that no reader ever sees it
    half written and no hard link to it is written through."""
    os.makedirs(os.path.dirname(p), exist_ok=True)
    if create:
        with open(p, "xb") as f:
            f.write(data)
        return
    tmp = os.path.join(os.path.dirname(p), f".{os.path.basename(p)}.tmp{os.getpid()}")
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, p)


def sha256_of(path: str | Path) -> str:
    """Hex sha256 of a file's bytes (as it is now: see `current`)."""
    p = _current(_abs(path))
    if _hashes is not None:
        stat = os.stat(p)
        key = (p, stat.st_ino, stat.st_size, stat.st_mtime_ns)
        if key not in _hashes:
            _hashes[key] = sha256_of_file(p)
        return _hashes[key]
    return sha256_of_file(p)


def sha256_of_file(p: str) -> str:
    with open(p, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


#: While a build runs, file path and identity -> sha256: validation, the database and the
#: downloads each ask for the registry files' digests (150 MB at 50,000 businesses).
_hashes: dict | None = None


@contextmanager
def hashes_remembered():
    """Within this block a file's sha256 is computed once (the registry files do not change
    while one build reads them)."""
    global _hashes
    _hashes = {}
    try:
        yield
    finally:
        _hashes = None


def record(path: str | Path) -> None:
    """Note a file this build produced by other means, or kept from the previous output."""
    _state.produced.add(_abs(path))


def record_many(paths) -> None:
    """`record` for many absolute path strings at once (a rebuild keeps 100,000s of pages)."""
    _state.produced.update(paths)


def present(path: str | Path) -> bool:
    """True when `path` is part of the output and on disk: during a staged build, a file the
    build produced (written, or kept from the previous output) that is there now, in the stage
    or in the previous output; otherwise a file on disk."""
    p = _abs(path)
    if _state.stage is not None and p.startswith(_state.stage):
        return p in _state.produced and os.path.isfile(_current(p))
    return os.path.isfile(p)


def sync_tree(src: str | Path, dst: str | Path) -> int:
    """Copy every file under `src` to the same place under `dst`, writing only changed ones."""
    src, dst = Path(src), Path(dst)
    written = 0
    for path in sorted(src.rglob("*")):
        if path.is_file():
            written += write_if_changed(dst / path.relative_to(src), path.read_bytes())
    return written


def produced(path: str | Path) -> bool:
    """True when this build wrote or kept `path` (a file merely left over from the previous output is not)."""
    return _abs(path) in _state.produced


def produced_under(folder: str | Path) -> list[str]:
    """The files this build produced under `folder`, as sorted absolute path strings (there can
    be 100,000s: GS1 pages)."""
    p = _dir_prefix(folder)
    return sorted(f for f in _state.produced if f.startswith(p))


def worker_started() -> None:
    """In a forked worker process: from here on, note only what this worker produces (files and
    state-record sections)."""
    _state.produced, _state.changed = set(), set()
    if _state.records is not None:
        _state.forked = dict(_state.records.new)


def worker_result() -> tuple[set[str], set[str], dict[str, bytes]]:
    """What a worker produced and changed, and the record sections it wrote, for `merge`."""
    sections = {}
    if _state.records is not None:
        before = _state.forked
        sections = {k: v for k, v in _state.records.new.items() if before.get(k) is not v}
    return _state.produced, _state.changed, sections


def merge(produced_paths: set[str], changed_paths: set[str], sections: dict[str, bytes] | None = None) -> None:
    """Add what a worker process produced and changed, and the sections it wrote, to this build."""
    _state.produced |= produced_paths
    _state.changed |= changed_paths
    if sections and _state.records is not None:
        _state.records.new.update(sections)


def changed_files() -> set[Path]:
    """Files whose bytes this build changed or created."""
    return {Path(p) for p in _state.changed}


def prune(root: str | Path) -> list[Path]:
    """Remove files under `root` that this build did not produce; returns what was removed.
    (For output written outside a staged build; a staged build's `commit` does this itself.)"""
    root = Path(root)
    removed = []
    for path in sorted(root.rglob("*")):
        if (path.is_file() or path.is_symlink()) and str(path.absolute()) not in _state.produced:
            path.unlink()
            removed.append(path)
    for folder in sorted((p for p in root.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    return removed
