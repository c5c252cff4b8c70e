"""Published addresses are permanent: each build records them, and a build that would drop one fails.

Checked by the build's last stage (soundness), once every stage has written its pages, so GS1
Digital Link addresses (/01/…) are held to it as well as registry pages.

A QR code printed on a package lives for years. The record (site/data/addresses.txt, sorted, one
address per line) is public, so anyone can audit that nothing disappeared. A product or business
that is withdrawn or revoked keeps its page; only deleting its row would drop its address, and
that stops the build before anything is replaced (build.py's staged output stays unpublished).
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from .. import urls
from . import outputs
from ..errors import PermanenceError

RECORD = "data/addresses.txt"  # under the site root: /data/addresses.txt

#: Address families that must never disappear once published (registry pages, QR targets): the
#: permanent families of the output declaration.
PERMANENT_PREFIXES = outputs.PERMANENT_PREFIXES


def is_permanent(address: str) -> bool:
    return address.startswith(PERMANENT_PREFIXES)


def read_record(site_dir: Path) -> list[str]:
    """The addresses a build recorded under `site_dir` (empty when there is no record)."""
    path = Path(site_dir) / RECORD
    if not path.is_file():
        return []
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line]


def published_pages(site_dir: Path) -> list[str]:
    """Permanent addresses found as pages in a built site: for an output made before the record
    existed, so that the first recorded build cannot drop a page unnoticed."""
    site_dir = Path(site_dir)
    found = []
    for prefix in PERMANENT_PREFIXES:
        folder = site_dir / urls.output_path(prefix).rsplit("/", 1)[0]
        if (folder / "index.html").is_file():
            found.append(prefix)  # /brands/, /recalls/ are pages too
        if folder.is_dir():
            found += [f"{prefix}{page.parent.name}/" for page in folder.glob("*/index.html")]
    return sorted(found)


def dropped_addresses(previous: list[str], current: list[str]) -> list[str]:
    """Permanent addresses in `previous` that `current` no longer has, sorted."""
    now = set(current)
    return sorted(a for a in set(previous) if is_permanent(a) and a not in now)


def check_and_record(addresses: list[str], ctx) -> None:
    """Fail with PermanenceError if a previously published address is missing; else record them all.

    The previous record is believed only when it is as the previous build wrote it (Files.intact);
    otherwise the pages found on disk stand in for it."""
    previous = []
    if ctx.previous_dir:
        if ctx.files.intact(Path(ctx.site_dir) / RECORD):
            previous = read_record(ctx.previous_dir / "site")
        previous = previous or published_pages(ctx.previous_dir / "site")
    dropped = dropped_addresses(previous, addresses)
    if dropped:
        raise PermanenceError(dropped)
    text = "".join(f"{a}\n" for a in sorted(set(addresses)))
    ctx.files.write_if_changed(Path(ctx.site_dir) / RECORD, text)


def registry_addresses(db_path: str | Path) -> list[str]:
    """The registry pages registry.db implies (/p/, /w/, /brands/, /recalls/, /regions/), sorted.

    For callers that do not collect the addresses they wrote; the site stage passes its own."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return sorted(family.address_of(key) for family in outputs.PAGE_FAMILIES
                      for (key,) in conn.execute(family.keys_sql()))
    finally:
        conn.close()
