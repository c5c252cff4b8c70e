"""Writes files only when their bytes change, never in place, and remembers what a build wrote.

The build stage dir starts as a hard-link clone of the previous output, so writing into
an existing file would also change the published copy. Writing a new file and renaming
it over the old one breaks the link and keeps the earlier build untouched. Tools that write
in place (Pelican, mkdocs) must render into a temporary folder that `sync_tree` copies over.

Every file a build produces is recorded (`produced`), so the build can remove what the
previous output held and this build no longer makes (`prune`).
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

_produced: set[Path] = set()
_changed: set[Path] = set()


def write_if_changed(path: str | Path, content: bytes | str) -> bool:
    """Write `content` to `path` unless it already holds exactly that; True when written."""
    path = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    record(path)
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    _changed.add(path.absolute())
    return True


def sha256_of(path: str | Path) -> str:
    """Hex sha256 of a file's bytes: how kept outputs are checked against what a build recorded."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def record(path: str | Path) -> None:
    """Note a file this build produced by other means (e.g. a database renamed into place)."""
    _produced.add(Path(path).absolute())


def sync_tree(src: str | Path, dst: str | Path) -> int:
    """Copy every file under `src` to the same place under `dst`, writing only changed ones."""
    src, dst = Path(src), Path(dst)
    written = 0
    for path in sorted(src.rglob("*")):
        if path.is_file():
            written += write_if_changed(dst / path.relative_to(src), path.read_bytes())
    return written


def start_build() -> None:
    """Forget what an earlier build in this process produced."""
    _produced.clear()
    _changed.clear()


def produced(path: str | Path) -> bool:
    """True when this build wrote or kept `path` (a file merely left over from the previous output is not)."""
    return Path(path).absolute() in _produced


def changed_files() -> set[Path]:
    """Files whose bytes this build changed or created."""
    return set(_changed)


def prune(root: str | Path) -> list[Path]:
    """Remove files under `root` that this build did not produce; returns what was removed."""
    root = Path(root)
    removed = []
    for path in sorted(root.rglob("*")):
        if (path.is_file() or path.is_symlink()) and path.absolute() not in _produced:
            path.unlink()
            removed.append(path)
    for folder in sorted((p for p in root.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    return removed
