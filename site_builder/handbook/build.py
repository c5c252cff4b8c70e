"""Builds the mkdocs-material handbook into the site's /handbook/ folder.

The sources (mkdocs.yml and docs/) ship inside the package, in src/ beside this module, so an
installed zuofang can build the handbook without the repository. Generated pages (data
dictionary, grade/status meanings, the import guide's tables) are written into a temporary copy
of those sources, never into the package; the CLI reference is generated into the sources
themselves (cli_reference.py: the build never imports the CLI). mkdocs writes every file, and a build's staging
folder must receive only files whose bytes changed (build/files.py), so mkdocs renders into a
temporary folder that `files.sync_tree` copies over (only where the bytes changed).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from contextlib import contextmanager
from datetime import datetime, time, timezone
from html import escape
from importlib.metadata import version
from pathlib import Path

from .. import urls
from ..build import fingerprint
from ..build.files import Files
from ..build.paths import safe_relative
from ..build.state import StateRecord
from ..errors import HandbookError
from ..importers import aliases as import_aliases
from ..importers import review as import_review
from ..registry.package import Package
from . import dictionary, metrics_page
from . import terms as handbook_vocabulary

log = logging.getLogger(__name__)

SOURCE_DIR = Path(__file__).with_name("src")
#: A hand-written page names the place for a generated section with this line.
MEANINGS_MARKER = "<!-- zuofang:meanings -->"
#: The import guide's generated sections: the alias table and the review file's reason codes.
IMPORT_PAGE = "import.md"
IMPORT_MARKERS = {"<!-- zuofang:import-aliases -->": lambda: import_aliases.markdown_tables(),
                  "<!-- zuofang:import-review-codes -->": lambda: import_review.markdown_codes()}
DICTIONARY_ENTRY = "dictionary/index.md"
#: The programmes guide's generated section: every metric's meaning and query.
PROGRAMMES_PAGE = "programmes.md"
PROGRAMMES_MARKERS = {"<!-- zuofang:metrics -->": metrics_page.markdown}


def handbook_url(package: Package) -> str:
    return urls.absolute(package.site_url, urls.handbook())


#: Distributions whose version changes the built pages besides those this code imports (mkdocs
#: loads the theme and extensions by name).
RENDERERS = ("mkdocs-material", "pymdown-extensions", "Markdown", "Pygments", "jieba")
SECTION = "handbook"  # of the state record: the inputs digest and the files it made


def inputs_digest(package: Package) -> str:
    """A digest of everything the handbook is made from: its sources, the code that generates
    pages, the package descriptor (schemas, release date, site URL), the CLI reference and the
    renderers' versions. Records (rows) are not among them: new data alone changes nothing here."""
    # The code and its sources (src/ lies beside this module: fingerprint.of digests it).
    h = hashlib.sha256(fingerprint.of_stage("handbook").encode())
    h.update(json.dumps(package.descriptor, sort_keys=True, ensure_ascii=False).encode())
    h.update(" ".join(f"{d}={version(d)}" for d in RENDERERS).encode())
    return h.hexdigest()[:20]


def prepare_sources(package: Package, work_dir: Path) -> Path:
    """Copy the sources to `work_dir`, add the generated pages; returns the mkdocs.yml to build."""
    shutil.copytree(SOURCE_DIR, work_dir, dirs_exist_ok=True)
    docs = work_dir / "docs"
    tables = dictionary.write_pages(package, docs)
    meanings = docs / "meanings.md"
    source = meanings.read_text(encoding="utf-8")
    if MEANINGS_MARKER not in source:
        raise HandbookError(f"{SOURCE_DIR / 'docs' / 'meanings.md'}：缺少标记行 {MEANINGS_MARKER}，无法插入由表结构生成的取值说明。")
    marker = handbook_vocabulary.VOCABULARY_MARKER
    if marker not in source:
        raise HandbookError(f"{SOURCE_DIR / 'docs' / 'meanings.md'}：缺少标记行 {marker}，无法插入由用语表生成的状态说明。")
    source = source.replace(marker, handbook_vocabulary.vocabulary_section())
    meanings.write_text(source.replace(MEANINGS_MARKER, dictionary.meanings_section(package)), encoding="utf-8")
    guide = docs / IMPORT_PAGE
    text = guide.read_text(encoding="utf-8")
    for marker, section in IMPORT_MARKERS.items():
        if marker not in text:
            raise HandbookError(f"{SOURCE_DIR / 'docs' / IMPORT_PAGE}：缺少标记行 {marker}，无法插入导入说明中生成的表格。")
        text = text.replace(marker, section())
    guide.write_text(text, encoding="utf-8")
    guide = docs / PROGRAMMES_PAGE
    text = guide.read_text(encoding="utf-8")
    for marker, section in PROGRAMMES_MARKERS.items():
        if marker not in text:
            raise HandbookError(f"{SOURCE_DIR / 'docs' / PROGRAMMES_PAGE}：缺少标记行 {marker}，无法插入指标的统计口径。")
        text = text.replace(marker, section())
    guide.write_text(text, encoding="utf-8")

    import yaml  # with mkdocs, only when the handbook is made again

    config_path = work_dir / "mkdocs.yml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config["nav"] = _expand_dictionary(config["nav"], package, tables)
    _use_jieba_user_dict(config, work_dir / "jieba_user.txt")
    config["site_url"] = handbook_url(package)
    config["copyright"] = _copyright(package)
    config.setdefault("extra", {})["zuofang_demo"] = package.is_demo
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return config_path


def _use_jieba_user_dict(config: dict, path: Path) -> None:
    """Point the search plugin at the user dictionary by absolute path (material resolves it from
    the working directory). Its entries have frequency 0, which makes jieba split compounds such
    as 小作坊 and 行政区划, so that 作坊 and 区划 are words of their own in the search index
    (the browser matches word prefixes only)."""
    for i, plugin in enumerate(config.get("plugins", [])):
        name = plugin if isinstance(plugin, str) else next(iter(plugin))
        if name == "search":
            options = {} if isinstance(plugin, str) else dict(plugin[name] or {})
            options["jieba_dict_user"] = str(path)
            config["plugins"][i] = {"search": options}


def _expand_dictionary(nav: list, package: Package, pages: list[str]) -> list:
    """Replace the nav entry for dictionary/index.md by a section: the index, then one page per table."""
    out = []
    for item in nav:
        (title, target), = item.items() if isinstance(item, dict) else ((None, item),)
        if isinstance(target, list):
            out.append({title: _expand_dictionary(target, package, pages)})
        elif target == DICTIONARY_ENTRY:
            section = [pages[0]] + [
                {f"{t} {package.resources[t].get('title', '').split(' ')[0]}": dictionary.page_name(t)}
                for t in dictionary.tables(package)
            ]
            out.append({title: section})
        else:
            out.append(item)
    return out


def _copyright(package: Package) -> str:
    """The footer line: who publishes the data and under which licence (from the package).
    mkdocs pastes it into every page as HTML, so the descriptor's words are escaped: a title
    cannot become a tag or a link."""
    sources = "、".join(escape(s["title"]) for s in package.links("sources") if s["title"])
    licences = "、".join(escape(str(entry["name"])) for entry in package.descriptor.get("licenses") or []
                        if isinstance(entry, dict) and entry.get("name"))
    parts = [p for p in (f"数据来源：{sources}" if sources else "", f"许可：{licences}" if licences else "") if p]
    if package.is_demo:
        parts.insert(0, "演示数据（虚构）")
    return "　·　".join(parts) or "Zuofang"


@contextmanager
def _source_date(package: Package):
    """mkdocs dates the sitemap and its gzip header from SOURCE_DATE_EPOCH when set: use the
    package's release date so two builds of the same data are byte-identical."""
    epoch = int(datetime.combine(package.release_date, time(), tzinfo=timezone.utc).timestamp())
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        if before is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


def render(config_path: Path, site_dir: Path) -> None:
    """Run mkdocs --strict: a warning (broken link, page missing from the nav) fails the build."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    try:
        config = load_config(str(config_path), site_dir=str(site_dir), strict=True)
        # jieba (imported by the search plugin while loading the config) logs its dictionary
        # loading at DEBUG to stderr on every build; only its warnings matter.
        logging.getLogger("jieba").setLevel(logging.WARNING)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            mkdocs_build(config)
        finally:
            config.plugins.on_shutdown()
    except (Abort, ConfigurationError) as exc:
        raise HandbookError(
            f"手册构建失败（mkdocs --strict）：{exc}。请按上面 mkdocs 的警告修改 "
            f"{SOURCE_DIR} 中的页面或 mkdocs.yml（例如失效的链接、未列入导航的页面）。"
        ) from exc


#: Search languages the worker loads (lunr.<lang>.min.js); mkdocs-material copies all 30.
SEARCH_LANGUAGES = ("zh",)


def _drop_unused_assets(site: Path) -> None:
    """Leave out what no page loads: source maps and other languages' search files (2 of 3.4 MB).
    The search worker imports lunr.stemmer.support and lunr.<lang> for each configured language."""
    lunr = site / "assets" / "javascripts" / "lunr"
    keep = {f"lunr.{lang}.min.js" for lang in SEARCH_LANGUAGES} | {"lunr.stemmer.support.min.js"}
    for path in sorted(site.rglob("*.map")) + sorted(lunr.glob("*.js")) + sorted(lunr.glob("min/*.js")):
        if path.name not in keep:
            path.unlink()


def build_handbook(package: Package, dest_dir: str | Path, force: bool = False, files: Files | None = None) -> int:
    """Build the handbook into `dest_dir` (the site's handbook/ folder); returns files written.

    When the previous build (its state record, in `files`) made the handbook from the same
    inputs, its files are kept as they are (recorded as produced) and mkdocs is not run, unless
    `force`. Outside a build (no state record) it is always built."""
    dest_dir = Path(dest_dir)
    files = files or Files()
    records = files.records if files.records is not None else StateRecord()
    digest = inputs_digest(package)
    before = records.previous_json(SECTION)
    if not force and isinstance(before, dict) and before.get("inputs") == digest \
            and isinstance(before.get("files"), list) and all(safe_relative(f) for f in before["files"]):
        for rel in before["files"]:
            files.record(dest_dir / rel)
        records.carry(SECTION)
        log.info("handbook: inputs unchanged, %s kept", dest_dir)
        return 0
    with tempfile.TemporaryDirectory(prefix="zuofang-handbook-") as tmp:
        config_path = prepare_sources(package, Path(tmp) / "src")
        site = Path(tmp) / "site"
        with _source_date(package):
            render(config_path, site)
        _drop_unused_assets(site)
        written = files.sync_tree(site, dest_dir)
        made = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    records.put_json(SECTION, {"inputs": digest, "files": made})
    log.info("handbook: %d files written to %s", written, dest_dir)
    return written

