"""The last build stage: before the new output replaces the old one, check what visitors rely on.

No address published by an earlier build is missing (printed QR codes live for years). Every product has its provenance page and both QR images, every business, brand and recall
its page; every internal link in the pages this build wrote resolves; Datasette answers on the
new database. Any failure stops the build, so a broken site is never published.
"""
from __future__ import annotations

import asyncio
import os
import re
import sqlite3
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from .. import urls
from ..database.build import METADATA_NAME
from ..errors import BuildError
from . import outputs, permanence
from .files import Files

#: href/src/action attribute values; enough for pages we render ourselves (always quoted).
LINK = re.compile(r'\s(?:href|src|action)="([^"]*)"')
SKIP = ("#", "mailto:", "tel:", "data:", "javascript:")



def check_output(ctx) -> None:
    """Raise PermanenceError for a dropped address; BuildError listing every missing page,
    missing QR image and broken link."""
    site = Path(ctx.site_dir)
    files = ctx.files
    permanence.check_and_record(ctx.addresses + gs1_addresses(site, files), ctx)
    families = outputs.FILED + (outputs.PDF_FAMILIES if ctx.pdf else ())
    problems = missing_pages(ctx.db_path, site, files, families)
    problems += broken_links(site, sorted(p for p in files.changed_files() if p.suffix == ".html"), files)
    problems += datasette_problems(ctx.db_path, files.current(ctx.stage_dir / METADATA_NAME))
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
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    root = os.path.join(os.path.abspath(site), "")
    try:
        problems = []
        for family in families:
            if family.key is not None:
                for (value,) in conn.execute(family.keys_sql()):
                    address = family.address_of(value)
                    if not files.present(root + urls.output_path(address)):
                        problems.append(f"{family.table} {value}：缺少{family.called} {address}")
            for address in family.addresses:
                if not files.present(root + urls.output_path(address)):
                    problems.append(f"缺少{family.called} {address}")
        return problems
    finally:
        conn.close()


def broken_links(site: Path, pages: list[Path], files: Files | None = None) -> list[str]:
    """Internal links in `pages` whose target file does not exist (Datasette paths excepted).

    A first build at 50,000 businesses checks 700,000 pages that mostly link to the same few
    addresses: each target is looked up once, and plain absolute links skip urljoin."""
    root = os.path.join(os.path.abspath(site), "")
    files = files or Files()
    found: dict[str, bool] = {}
    problems = []
    for page in pages:
        address = "/" + page.relative_to(site).as_posix()
        for url in LINK.findall(page.read_text(encoding="utf-8")):
            url = url.replace("&amp;", "&")
            if url.startswith("/") and not url.startswith("//") and "/." not in url:
                path = unquote(url.partition("#")[0].partition("?")[0])
            else:
                parts = urlsplit(url)
                if parts.scheme or parts.netloc or url.startswith(SKIP):
                    continue
                path = unquote(urlsplit(urljoin(address, url)).path)
            if path.startswith(urls.datasette_home()):
                continue
            if path not in found:
                found[path] = _target_present(files, root + path.lstrip("/"), path.endswith("/"))
            if not found[path]:
                problems.append(f"{address}：链接 {url} 指向不存在的文件")
    return problems


def _target_present(files: Files, target: str, folder: bool) -> bool:
    """A link's file: the folder's index.html, else the file itself."""
    index = os.path.join(target, "index.html")
    if folder or files.present(index):
        return files.present(index)
    return files.present(target)


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
