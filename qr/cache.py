"""Remembers what each QR, sheet and poster file was made from, so a rebuild skips unchanged ones.

Making a QR matrix (mask choice) and a PDF (font subsetting) are the slow parts of the
stage. A file whose inputs are unchanged is already in the previous output with the right
bytes: the stage only records it (site_builder/build/files.py keeps it).
The key of a file hashes its inputs plus a fingerprint of the code and libraries that
draw it, so a change to either remakes it. The record is the "qr" section of the output's
state record (site_builder/state.py).

The record also lists each product's GS1 pages, so that a rebuild that redoes a few products
(qr/scope.py) can keep the rest of the previous build's files without listing or reading them.
"""
from __future__ import annotations

import hashlib
import json
import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from site_builder.build.files import Files
from site_builder.build import fingerprint as code_fingerprint

if TYPE_CHECKING:
    from .scope import Scope

SECTION = "qr"  # of the state record
def fingerprint(font_path: Path | None) -> str:
    """Hash of what draws the files: the drawing code and libraries, and the font."""
    digest = hashlib.sha256(code_fingerprint.of_stage("qr drawing").encode())
    if font_path is not None and font_path.is_file():
        stat = font_path.stat()
        digest.update(f"{font_path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def inputs(site_url: str, demo: bool, release_date: date, pdf: bool = False) -> str:
    """Hash of what a complete run's files depend on besides the rows and the `fingerprint`:
    the whole stage's code (what is read and how pages are made, the addresses), the facts
    every file shows, and whether the PDFs are made (a run with the other choice makes other files)."""
    digest = hashlib.sha256(code_fingerprint.of_stage("qr").encode())
    digest.update(json.dumps([site_url, demo, release_date.isoformat(), pdf]).encode())
    return digest.hexdigest()


def key(*parts) -> str:
    """A stable key for the inputs of one file (any JSON-able values)."""
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()[:32]


class Cache:
    """The record of one site folder: file (relative to site/) -> [key, size], and the GS1 pages
    (relative to site/) of each product that owns some. `inputs` digests what a complete run's
    files depend on besides the rows (see `inputs`): a rebuild with the same may keep the files
    of the rows that did not change without looking at them (qr/scope.py)."""

    def __init__(self, files: Files, site_dir: Path, fingerprint: str, keep_others: bool, inputs: str | None = None):
        self.files = files
        self.site_dir = Path(site_dir)
        self.records = files.records_for(self.site_dir.parent)
        self.fingerprint = fingerprint
        old = self._read()
        same = old.get("fingerprint") == fingerprint
        self._old = old.get("files", {}) if same else {}
        self._old_pages: dict[str, list[str]] = old.get("pages", {})  # GS1 pages: not drawn
        #: True when the previous record lists every file of a complete run made from the same inputs.
        self.continues = same and inputs is not None and old.get("inputs") == inputs and not keep_others
        # A run for one workshop keeps what it did not touch, but cannot vouch for the whole.
        self.inputs = None if keep_others else inputs
        self._new: dict[str, list] = dict(self._old) if keep_others else {}
        self._pages: dict[str, list[str]] = dict(self._old_pages) if keep_others else {}
        # Written by this very code (`inputs` covers it), so the same content has the same bytes.
        self._previous = old if inputs is not None and old.get("inputs") == inputs else None

    def _read(self) -> dict:
        record = self.records.previous_json(SECTION)
        return record if isinstance(record, dict) else {}

    def keep(self, scope: Scope) -> int:
        """Keep every file of the previous record but `scope`'s (qr/scope.py), unseen: the previous
        output holds them as recorded (see `continues`). Returns how many files were kept."""
        if not self.continues:
            raise RuntimeError("the previous QR record does not vouch for its files")
        drop = scope.files()
        self._new = {rel: entry for rel, entry in self._old.items() if rel not in drop}
        self._pages = {code: rels for code, rels in self._old_pages.items() if code not in scope.gs1}
        # Spelt as Files.record spells `site_dir / rel`, so that the build's record matches.
        root = str(self.site_dir) if self.site_dir.is_absolute() else os.path.abspath(self.site_dir)
        prefix = os.path.join(root, "")
        kept = [prefix + rel for rel in self._new]
        kept += [prefix + rel for rels in self._pages.values() for rel in rels]
        self.files.record_many(kept)
        return len(kept)

    def fresh(self, rel: str, file_key: str) -> bool:
        """True when `rel` exists, was made from `file_key` and still has its size (then it is kept)."""
        entry = self._old.get(rel)
        target = self.site_dir / rel
        if entry is None or entry[0] != file_key:
            return False
        try:
            if self.files.current(target).stat().st_size != entry[1]:
                return False
        except FileNotFoundError:
            return False
        self.files.record(target)
        self._new[rel] = entry
        return True

    def made(self, rel: str, file_key: str, content: bytes | str) -> bool:
        """Write `content` (if its bytes changed) and remember its key; True when written."""
        data = content.encode("utf-8") if isinstance(content, str) else content
        self._new[rel] = [file_key, len(data)]
        return self.files.write_if_changed(self.site_dir / rel, data)

    def pages(self, code: str, rels: list[str]) -> None:
        """Remember the GS1 pages product `code` owns (written by the caller)."""
        self._pages[code] = rels

    def save(self) -> None:
        record = {"fingerprint": self.fingerprint, "inputs": self.inputs, "files": self._new, "pages": self._pages}
        if record == self._previous:
            self.records.carry(SECTION)  # unchanged: comparing costs a fifth of writing
            return
        # Compact, so that the C encoder writes it: at 10,000 businesses it holds 110,000 paths.
        self.records.put_json(SECTION, record)
