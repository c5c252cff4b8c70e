"""Writes files only when their bytes change, never in place.

The build stage dir starts as a hard-link clone of the previous output, so writing into
an existing file would also change the published copy. Writing a new file and renaming
it over the old one breaks the link and keeps the earlier build untouched.
"""
from __future__ import annotations

import os
from pathlib import Path


def write_if_changed(path: str | Path, content: bytes | str) -> bool:
    """Write `content` to `path` unless it already holds exactly that; True when written."""
    path = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return True
