"""Every internal link of the site resolves: read in the pages a build wrote, remembered for the rest.

A first build at 10,000 businesses has some 120,000 pages; a rebuild after one change writes a
handful. Reading every page again on every build cost 28 s, so the soundness stage reads only
the pages this build changed (Files.changed) and answers for the others from what it remembers
of them, in the "links" section of the state record:

- A link to a permanent address that the site published (a /p/, /w/, /01/ … page in
  ctx.addresses) is not remembered: the next build cannot drop that address (permanence.py fails
  it) and every published address must be on disk (soundness.py), so it still resolves.
- Every other target (static files, editorial and handbook pages, QR images, sheets, photos …)
  is remembered with the pages linking to it, or as MANY when more than MAX_LINKERS pages do.

An unchanged page can only lose a link target that the build stopped producing. Those targets are
looked up in the record: the pages it names are read and checked again; a target linked from MANY
pages, a record that is missing, untrusted or made by other code means reading every page, as a
first build does. So no page is published with a broken link, whatever changed. Targets are
checked against what the build produced (Files.produced; the commit then checks every produced
file on disk, build/manifest.py), not with a stat per link.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from .. import urls
from . import cores, fingerprint, permanence

SECTION = "links"  # of the state record (state.py)
#: A target linked from more pages than this is remembered as MANY (nav, footer, stylesheet).
MAX_LINKERS = 16
MANY = "*"

#: href/src/action attribute values; enough for pages we render ourselves (always quoted).
LINK = re.compile(rb'\s(?:href|src|action)="([^"]*)"')
SKIP = ("#", "mailto:", "tel:", "data:", "javascript:")
#: Below this many pages per worker, forking costs more than it saves.
MIN_PAGES_PER_WORKER = 2000


def code() -> str:
    """What the record's meaning depends on: this module, permanence and the addresses."""
    return fingerprint.of(__name__)


class Checker:
    """Checks the links of pages under `site` against `present(path)`, reading each where
    `locate(path)` says; remembers, for the next build, the targets that are not
    `stable(address)` and the pages linking to each."""

    def __init__(self, site: str | Path, present, stable, locate=os.fspath):
        self.root = os.path.join(os.path.abspath(site), "")
        self.present, self.stable, self.locate = present, stable, locate
        self.found: dict[str, bool] = {}        # target path -> present
        self.absolute: dict[bytes, str | None] = {}  # a link as written -> its path (None: not ours)
        self.linkers: dict[str, set[str] | str] = {}
        self.problems: list[str] = []

    def check(self, page: str) -> None:
        """Read `page` (an absolute path under the site) and check its links."""
        rel = page[len(self.root):]
        address = "/" + rel
        with open(self.locate(page), "rb") as f:  # a kept page is read from the previous output
            text = f.read()
        targets = set()
        for raw in LINK.findall(text):
            path = self.absolute.get(raw, False)
            if path is False:
                path, same_everywhere = self._path(address, raw.decode("utf-8"))
                if same_everywhere:
                    self.absolute[raw] = path
            if path is None:
                continue
            if path not in self.found:
                self.found[path] = _target_present(self.present, self.root + path.lstrip("/"), path.endswith("/"))
            if not self.found[path]:
                self.problems.append(f"{address}：链接 {raw.decode('utf-8').replace('&amp;', '&')} 指向不存在的文件")
            targets.add(path)
        for path in targets:
            if not self.stable(path):
                self._remember(path, (rel,))

    def _path(self, address: str, url: str) -> tuple[str | None, bool]:
        """The site path a link points to (None for other hosts, anchors and Datasette), and
        whether it is the same from every page (an absolute link)."""
        url = url.replace("&amp;", "&")
        if url.startswith("/") and not url.startswith("//") and "/." not in url:
            path, same_everywhere = unquote(url.partition("#")[0].partition("?")[0]), True
        else:
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or url.startswith(SKIP):
                return None, True
            path, same_everywhere = unquote(urlsplit(urljoin(address, url)).path), False
        return (None if path.startswith(urls.datasette_home()) else path), same_everywhere

    def _remember(self, path: str, pages) -> None:
        known = self.linkers.get(path)
        if known == MANY:
            return
        known = set(pages) if known is None else known | set(pages)
        self.linkers[path] = MANY if len(known) > MAX_LINKERS else known

    def merge(self, problems: list[str], linkers: dict) -> None:
        self.problems += problems
        for path, pages in linkers.items():
            if pages == MANY:
                self.linkers[path] = MANY
            else:
                self._remember(path, pages)


def _target_present(present, target: str, folder: bool) -> bool:
    """A link's file: the folder's index.html, else the file itself."""
    index = os.path.join(target, "index.html")
    if folder or present(index):
        return present(index)
    return present(target)


def check_pages(checker: Checker, pages: list[str]) -> None:
    """`checker.check` every page, on every core when there are many (forked workers inherit the
    build's files; each sends back its problems and what it remembers)."""
    n = min(cores.workers(), max(1, len(pages) // MIN_PAGES_PER_WORKER))
    if n < 2:
        for page in pages:
            checker.check(page)
        return
    _WORK[:] = [checker, pages, n]  # forked workers inherit it (the build's files are large)
    try:
        with multiprocessing.get_context("fork").Pool(n) as pool:
            results = pool.map(_check_share, range(n))
    finally:
        _WORK.clear()
    for problems, linkers in results:
        checker.merge(problems, linkers)
    # Problems in page order, as one process finds them.
    order = {"/" + p[len(checker.root):]: i for i, p in enumerate(pages)}
    checker.problems.sort(key=lambda p: order.get(p.split("：", 1)[0], -1))


_WORK: list = []


def _check_share(k: int):
    checker, pages, n = _WORK
    for page in pages[k::n]:
        checker.check(page)
    return checker.problems, checker.linkers


def read_record(records) -> dict | None:
    """The previous build's targets and their linkers, or None (absent, untrusted, other code)."""
    record = records.previous_json(SECTION) if records is not None else None
    if not isinstance(record, dict) or record.get("code") != code() or not isinstance(record.get("targets"), dict):
        return None
    return {path: (MANY if pages == MANY else set(pages)) for path, pages in record["targets"].items()}


def write_record(records, linkers: dict) -> None:
    records.put_json(SECTION, {"code": code(), "targets": {
        path: (MANY if pages == MANY else sorted(pages)) for path, pages in sorted(linkers.items())}})


def check_site(site: str | Path, files, addresses: list[str]) -> list[str]:
    """Problems with the internal links of the site the build produced under `site`: the pages
    it changed are read, the others answered for from the record (see the module's docstring)."""
    root = os.path.join(os.path.abspath(site), "")
    published = {a for a in addresses if permanence.is_permanent(a)}
    # Targets are absolute path strings: the produced set is asked directly (soundness.produced).
    checker = Checker(site, files.produced.__contains__ if files.stage else files.present, published.__contains__,
                      files.current)
    pages = sorted(p for p in files.produced if p.startswith(root) and p.endswith(".html"))
    previous = read_record(files.records)
    if previous is None:
        check_pages(checker, pages)
    else:
        produced = set(pages)
        changed = {p for p in files.changed if p in produced}
        again = _pages_to_check_again(checker, previous, root, produced, changed)
        check_pages(checker, sorted(changed | again) if again is not None else pages)
        if again is not None:
            read = changed | again
            for path, linkers in previous.items():  # what the unread pages link to, as remembered
                if linkers == MANY:
                    checker.merge([], {path: MANY})
                else:
                    kept = {rel for rel in linkers if root + rel in produced and root + rel not in read}
                    if kept:
                        checker.merge([], {path: kept})
    if files.records is not None:
        write_record(files.records, checker.linkers)
    return checker.problems


def _pages_to_check_again(checker: Checker, previous: dict, root: str, produced: set[str],
                          changed: set[str]) -> set[str] | None:
    """The unchanged pages linking to a remembered target that is gone now; None when one such
    target was linked from MANY pages (then every page is read)."""
    again = set()
    for path, linkers in previous.items():
        if _target_present(checker.present, root + path.lstrip("/"), path.endswith("/")):
            continue
        if linkers == MANY:
            return None
        again |= {root + rel for rel in linkers if root + rel in produced and root + rel not in changed}
    return again
