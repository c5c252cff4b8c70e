"""The last build stage: before the new output replaces the old one, check what visitors rely on.

No address published by an earlier build is missing (printed QR codes live for years). Every product has its provenance page and both QR images, every business, brand and recall
its page; every address the stages published is there; every internal link of the site resolves
(links.py); Datasette answers on the new database. Any failure stops the build, so a broken site
is never published.
"""
from __future__ import annotations

import asyncio
import functools
import logging
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from .. import urls
from ..database.build import METADATA_NAME
from ..errors import BuildError
from . import fingerprint, links, outputs, permanence
from .files import Files

log = logging.getLogger(__name__)

def check_output(ctx) -> None:
    """Raise PermanenceError for a dropped address; BuildError listing every missing page,
    missing QR image and broken link."""
    site = Path(ctx.site_dir)
    files = ctx.files
    addresses = ctx.addresses + gs1_addresses(site, files)
    permanence.check_and_record(addresses, ctx)
    families = outputs.FILED + (outputs.PDF_FAMILIES if ctx.pdf else ())
    problems = missing_pages(ctx.db_path, site, files, families)
    problems += unpublished(addresses, site, files)
    problems += links.check_site(site, files, addresses)
    problems += datasette_check(ctx)
    if problems:
        shown = "\n".join(f"  - {p}" for p in problems[:30])
        more = f"\n  ……另有 {len(problems) - 30} 处" if len(problems) > 30 else ""
        raise BuildError(f"构建后的检查发现 {len(problems)} 个问题，新输出未发布：\n{shown}{more}")


def gs1_addresses(site: Path, files: Files) -> list[str]:
    """The GS1 Digital Link pages the QR stage produced in this build (/01/<gtin>/, /01/<gtin>/10/<batch>/);
    pages left over in the stage from the previous output do not count."""
    root = site / urls.output_path(urls.gs1_digital_link("x")).split("/")[0]
    prefix = os.path.join(os.path.abspath(site), "")
    return sorted("/" + p[len(prefix):-len("index.html")]
                  for p in files.produced_under(root) if p.endswith(f"{os.sep}index.html"))


def missing_pages(db_path: Path, site: Path, files: Files | None = None,
                  families: tuple[outputs.Family, ...] = outputs.FILED) -> list[str]:
    """Every output the declaration (outputs.py) says the site holds but the disk does not: each
    record's page, QR images, label and poster print pages and GS1 page, and the whole-site pages
    and files (during a build: among the files it produced, written or kept from the previous
    output); `families` adds the PDFs of a build with --pdf."""
    files = files or Files()
    present = produced(files)
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    root = os.path.join(os.path.abspath(site), "")
    try:
        problems = []
        for family in families:
            if family.key is not None:
                for (value,) in conn.execute(family.keys_sql()):
                    address = family.address_of(value)
                    if not present(root + urls.output_path(address)):
                        problems.append(f"{family.table} {value}：缺少{family.called} {address}")
            for address in family.addresses:
                if not present(root + urls.output_path(address)):
                    problems.append(f"缺少{family.called} {address}")
        return problems
    finally:
        conn.close()


def broken_links(site: Path, pages: list[Path], files: Files | None = None) -> list[str]:
    """Internal links in `pages` whose target file does not exist (Datasette paths excepted)."""
    files = files or Files()
    checker = links.Checker(site, files.present, lambda path: True)
    for page in pages:
        checker.check(os.path.abspath(page))
    return checker.problems


def unpublished(addresses: list[str], site: Path, files: Files) -> list[str]:
    """Addresses the stages say they published whose page the build did not produce: links to
    them are not read again in later builds (links.py), so each must be there."""
    root = os.path.join(os.path.abspath(site), "")
    present = produced(files)
    return [f"缺少页面 {a}" for a in sorted(set(addresses)) if not present(root + urls.output_path(a))]


def produced(files: Files):
    """Whether a path (an absolute string) is part of the output: during a build, among the
    files it produced (the commit finds each staged one on disk, or fails, and the previous
    output's were verified when the build began: build/manifest.py); outside a build, on disk.
    The produced set is asked directly: was_produced, which makes each path absolute first, was
    0.5 s of a rebuild at 10,000 businesses."""
    return files.produced.__contains__ if files.stage else files.present


#: The state record's section saying which code Datasette last answered with (on the database
#: and metadata the output holds).
DATASETTE_SECTION = "datasette"


def datasette_check(ctx) -> list[str]:
    """`datasette_problems` on the new database, unless it is needless: registry.db and its
    metadata are the previous output's, unchanged (kept by this build and found intact), and
    Datasette, its plugins, templates and our code are the ones that answered on them then
    (about 1 s saved in a rebuild that changed neither). When the pipeline started the check
    right after the database stage (`start_datasette_check`), its answer is collected here."""
    check = ctx.datasette_check or start_datasette_check(ctx)
    ctx.datasette_check = None
    problems = check.join()
    if check.code is None:
        ctx.records.carry(DATASETTE_SECTION)
    elif not problems and ctx.records is not None:
        ctx.records.put(DATASETTE_SECTION, check.code.encode())
    return problems


@dataclass
class DatasetteCheck:
    """Datasette's answer on a build's registry.db: `code` is the fingerprint it answers with
    (None when the check is needless), `process` asks it (a forked process, site/parallel.py)."""

    code: str | None
    process: object = None

    def join(self) -> list[str]:
        """The problems Datasette found (waits for its process; may be called again)."""
        return [] if self.process is None else self.process.join()


def start_datasette_check(ctx) -> DatasetteCheck:
    """Decide whether Datasette must answer on this build's database and, if so, ask it in a
    forked process (the pipeline starts it once registry.db is made, so that importing Datasette
    and its answer, 2 s of a rebuild, run beside the site stage)."""
    files, records = ctx.files, ctx.records
    paths = [ctx.stage_dir / "registry.db", ctx.stage_dir / METADATA_NAME]
    code = fingerprint.of("site_builder.serve.live", __name__)
    if (records is not None and records.get(DATASETTE_SECTION) == code.encode()
            and all(files.was_produced(p) and files.intact(p) and not files.current(p).is_relative_to(ctx.stage_dir)
                    for p in paths)):
        log.info("Datasette 检查从略：registry.db 与元数据未变，上次构建已由同样的 Datasette 打开。"
                 "Datasette check skipped: the database and metadata it answered on last time are unchanged.")
        return DatasetteCheck(None)
    from ..site.parallel import Background

    return DatasetteCheck(code, Background(files, functools.partial(datasette_problems, ctx.db_path,
                                                                    files.current(paths[1]))))


def datasette_problems(db_path: Path, metadata_path: Path) -> list[str]:
    """Datasette, configured as `zuofang serve` runs it, answers with the registry's tables."""
    from ..serve.live import datasette_app

    async def ask():
        response = await datasette_app(db_path.parent, db_path, metadata_path).client.get("/registry.json")
        return response.status_code, response.json() if response.status_code == 200 else None

    status, body = asyncio.run(ask())
    if status != 200:
        return [f"Datasette 无法打开 registry.db（HTTP {status}）"]
    tables = {t["name"] for t in body.get("tables", [])}
    return [f"Datasette 中缺少数据表 {f.table}" for f in outputs.PAGE_FAMILIES
            if f.table not in tables]
