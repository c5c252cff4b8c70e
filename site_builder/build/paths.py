"""What a path read from a record may be, and the digest every record keeps of a file."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path


def safe_relative(rel: str) -> bool:
    """A path relative to an output folder that stays inside it: no `..`, `.` or empty part, not
    absolute, no control character (records and journals are read through this)."""
    return (isinstance(rel, str) and rel != "" and not rel.startswith("/") and "\\" not in rel
            and not any(ord(c) < 32 or c == "\x7f" for c in rel)
            and all(part not in ("", ".", "..") for part in rel.split("/")))


def dir_prefix(path: str | Path) -> str:
    """A folder as an absolute path string ending with a separator (for prefix tests)."""
    return os.path.join(os.path.abspath(path), "")


def sha256_of_file(path: str | Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()
