"""Remembers what each QR, sheet and poster file was made from, so a rebuild skips unchanged ones.

Making a QR matrix (mask choice) and a PDF (font subsetting) are the slow parts of the
stage. A file whose inputs are unchanged is already in the previous output with the right
bytes: the stage only records it (site_builder/files.py keeps it).
The key of a file hashes its inputs plus a fingerprint of the code and libraries that
draw it, so a change to either remakes it. The record lives beside site/ (not published).
"""
from __future__ import annotations

import hashlib
import json
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from site_builder import files

NAME = ".qr-cache.json"
_DRAWING_MODULES = ("codes.py", "labels.py", "posters.py", "pdfdoc.py", "fonts.py")
_LIBRARIES = ("qrcode", "fpdf2", "Pillow", "fonttools")


def fingerprint(font_path: Path | None) -> str:
    """Hash of what draws the files: this package's drawing code, library versions, the font."""
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for name in _DRAWING_MODULES:
        digest.update((here / name).read_bytes())
    for library in _LIBRARIES:
        try:
            digest.update(f"{library}={version(library)}".encode())
        except PackageNotFoundError:
            digest.update(library.encode())
    if font_path is not None and font_path.is_file():
        stat = font_path.stat()
        digest.update(f"{font_path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def key(*parts) -> str:
    """A stable key for the inputs of one file (any JSON-able values)."""
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()[:32]


class Cache:
    """The record of one site folder: file (relative to site/) -> [key, size]."""

    def __init__(self, site_dir: Path, fingerprint: str, keep_others: bool):
        self.site_dir = Path(site_dir)
        self.path = self.site_dir.parent / NAME
        self.fingerprint = fingerprint
        old = self._read()
        self._old = old.get("files", {}) if old.get("fingerprint") == fingerprint else {}
        # A run for one workshop keeps what it did not touch; a full run starts afresh.
        self._new: dict[str, list] = dict(self._old) if keep_others else {}

    def _read(self) -> dict:
        try:
            return json.loads(files.current(self.path).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}

    def fresh(self, rel: str, file_key: str) -> bool:
        """True when `rel` exists, was made from `file_key` and still has its size (then it is kept)."""
        entry = self._old.get(rel)
        target = self.site_dir / rel
        if entry is None or entry[0] != file_key:
            return False
        try:
            if files.current(target).stat().st_size != entry[1]:
                return False
        except FileNotFoundError:
            return False
        files.record(target)
        self._new[rel] = entry
        return True

    def made(self, rel: str, file_key: str, content: bytes | str) -> bool:
        """Write `content` (if its bytes changed) and remember its key; True when written."""
        data = content.encode("utf-8") if isinstance(content, str) else content
        self._new[rel] = [file_key, len(data)]
        return files.write_if_changed(self.site_dir / rel, data)

    def save(self) -> None:
        record = {"fingerprint": self.fingerprint, "files": dict(sorted(self._new.items()))}
        files.write_if_changed(self.path, json.dumps(record, ensure_ascii=False, indent=0, sort_keys=True) + "\n")
