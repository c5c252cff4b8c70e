"""Skip rendering a page whose inputs did not change since the previous build.

Each record page's fingerprint is a hash of its template context (the rows it shows) salted
with the theme and this package's code; the previous build's fingerprints are kept beside the
site (OUT_DIR/.site-pages.tsv, not published). The stage folder starts as a hard-link clone of
the previous output, so a page whose fingerprint is unchanged is already there: it is recorded
as produced and not rendered again. Rebuilding after one record changes then renders only the
pages that show that record.
"""
from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

from .. import files
from ..package import Package

MANIFEST = ".site-pages.tsv"
_HERE = Path(__file__).parent


@lru_cache(maxsize=1)
def _code_digest() -> str:
    """Changes whenever a template, the CSS or this package's code changes."""
    h = hashlib.sha256()
    for path in sorted(_HERE.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".html", ".css", ".svg", ".atom", ".xml"):
            h.update(path.relative_to(_HERE).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def salt(package: Package) -> bytes:
    """What every page depends on besides its own rows: code, theme and the common context
    (release date, demo flag, site URL, licences …)."""
    from .render import common_context

    return json.dumps([_code_digest(), common_context(package)], sort_keys=True, default=str).encode()


class PageCache:
    """The previous build's fingerprints (read from the stage) and this build's (written back)."""

    def __init__(self, stage_dir: Path, package: Package):
        self.path = Path(stage_dir) / MANIFEST
        self.salt = salt(package)
        self.previous: dict[str, str] = {}
        self.current: dict[str, str] = {}
        try:
            for line in self.path.read_text(encoding="utf-8").splitlines():
                address, _, digest = line.partition("\t")
                self.previous[address] = digest
        except FileNotFoundError:
            pass

    def fingerprint(self, context: dict) -> str:
        data = json.dumps(context, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
        return hashlib.blake2b(self.salt + data.encode(), digest_size=16).hexdigest()

    def fresh(self, address: str, digest: str, path: str | Path) -> bool:
        """True when the page at `path` was rendered from exactly these inputs (it is then kept)."""
        self.current[address] = digest
        if self.previous.get(address) == digest and os.path.isfile(path):
            files.record(path)
            return True
        return False

    def save(self) -> None:
        files.write_if_changed(self.path, "".join(f"{a}\t{d}\n" for a, d in sorted(self.current.items())))
