"""Pelican's settings for this site, and one run of Pelican into a temporary folder, or none.

Measured on 2 cores: Pelican's default menu puts every page into every page (10 pages/s and
3.2 GB of output at 5,000 pages; 508 pages/s without it), so the menu is off and the registry pages come from our generator, not from Markdown files.
Pelican writes in place, so it writes into a fresh temporary folder that sync_tree
copies into the stage (only files whose bytes changed). Its feeds, archives and
category/tag/author pages are off: the site's feeds are written from registry.db.

A rebuild whose editorial inputs are what the previous build's were (`inputs()`: content/, and
the site's salt: code, theme, descriptor, common context) keeps the pages Pelican wrote then and
renders the registry pages without Pelican (`run_registry`): importing and running Pelican for
seven unchanged pages cost 1 s of every rebuild at 10,000 businesses.
"""
from __future__ import annotations

import hashlib
import locale
import logging
import tempfile
from dataclasses import asdict, dataclass
from importlib.metadata import version
from pathlib import Path

from ..registry.package import Package
from . import render
from .plugin import JOB_SETTING, Editorial, RegistryGenerator, SiteJob

CONTENT = Path(__file__).resolve().parents[2] / "content"

_OFF = {key: None for key in (
    "FEED_ALL_ATOM", "FEED_ALL_RSS", "FEED_ATOM", "FEED_RSS", "CATEGORY_FEED_ATOM", "CATEGORY_FEED_RSS",
    "TRANSLATION_FEED_ATOM", "TRANSLATION_FEED_RSS", "AUTHOR_FEED_ATOM", "AUTHOR_FEED_RSS",
    "TAG_FEED_ATOM", "TAG_FEED_RSS",
)}
_NOT_WRITTEN = {key: "" for key in (
    "CATEGORY_SAVE_AS", "CATEGORIES_SAVE_AS", "TAG_SAVE_AS", "TAGS_SAVE_AS", "AUTHOR_SAVE_AS",
    "AUTHORS_SAVE_AS", "ARCHIVES_SAVE_AS", "YEAR_ARCHIVE_SAVE_AS", "MONTH_ARCHIVE_SAVE_AS",
    "DAY_ARCHIVE_SAVE_AS", "DRAFT_SAVE_AS", "DRAFT_PAGE_SAVE_AS", "ARTICLE_LANG_SAVE_AS",
    "PAGE_LANG_SAVE_AS", "DRAFT_LANG_SAVE_AS", "DRAFT_PAGE_LANG_SAVE_AS",
)}


def settings(package: Package, content: Path, output: Path, job: SiteJob) -> dict:
    common = render.common_context(package)
    overrides = {
        "PATH": str(content), "OUTPUT_PATH": str(output), "THEME": str(render.THEME),
        "SITEURL": package.site_url, "SITENAME": common["site"]["name"], "RELATIVE_URLS": False,
        "TIMEZONE": "Asia/Shanghai", "DEFAULT_LANG": "zh", "LOCALE": ("C",),
        "DISPLAY_PAGES_ON_MENU": False, "DISPLAY_CATEGORIES_ON_MENU": False, "MENUITEMS": (),
        "DIRECT_TEMPLATES": [], "PAGINATED_TEMPLATES": {}, "TEMPLATE_PAGES": {},
        "PAGE_PATHS": ["pages"], "ARTICLE_PATHS": ["news"], "STATIC_PATHS": [], "THEME_STATIC_PATHS": [],
        "PAGE_URL": "{slug}/", "PAGE_SAVE_AS": "{slug}/index.html",
        "ARTICLE_URL": "news/{slug}/", "ARTICLE_SAVE_AS": "news/{slug}/index.html",
        "SLUGIFY_SOURCE": "basename", "READERS": {"rst": None, "htm": None, "html": None}, "DEFAULT_DATE": None, "DEFAULT_PAGINATION": False,
        # No cache that could leak from one build into the next.
        "CACHE_CONTENT": False, "LOAD_CONTENT_CACHE": False, "CACHE_PATH": str(output.parent / "cache"),
        "DELETE_OUTPUT_DIRECTORY": False, "OUTPUT_SOURCES": False, "TYPOGRIFY": False,
        "JINJA_ENVIRONMENT": {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True, "extensions": []},
        "JINJA_GLOBALS": {**render.helpers(), **common, "chrome": job.renderer.chrome, "og_tags": job.renderer.og_tags,
                          **job.renderer.macros},
        "JINJA_FILTERS": render.filters(),
        "PLUGINS": ["site_builder.site.plugin"], "PLUGIN_PATHS": [],
        JOB_SETTING: job,
        **_OFF, **_NOT_WRITTEN,
    }
    from pelican.settings import read_settings

    return read_settings(None, override=overrides)


def inputs(salt: str, content: Path | None = None) -> str:
    """What Pelican's pages are made from: every file under content/ (name and bytes), the site's
    salt (its code with the theme, the descriptor, the common context every page shows) and the
    versions of Pelican and of the Markdown it reads the pages with."""
    content = content or CONTENT
    h = hashlib.sha256(f"{salt}\0pelican {version('pelican')}\0markdown {version('markdown')}\0".encode())
    for path in sorted(p for p in content.rglob("*") if p.is_file()):
        h.update(path.relative_to(content).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


@dataclass
class PelicanOutput:
    """One Pelican run, as the next build may keep it: what it was made from (`inputs()`), the
    files it wrote (relative to the site folder) and the editorial pages and news it read."""

    inputs: str
    files: list[str]
    editorial: Editorial

    def to_json(self) -> dict:
        return {"inputs": self.inputs, "files": self.files, "pages": self.editorial.pages,
                "news": self.editorial.news}

    @classmethod
    def from_json(cls, value) -> "PelicanOutput | None":
        """None for anything but what to_json wrote."""
        if not isinstance(value, dict) or set(value) != {"inputs", "files", "pages", "news"}:
            return None
        if not (isinstance(value["inputs"], str) and all(isinstance(v, list) for k, v in value.items() if k != "inputs")
                and all(isinstance(f, str) for f in value["files"] + value["pages"])
                and all(isinstance(n, dict) for n in value["news"])):
            return None
        return cls(value["inputs"], value["files"], Editorial(value["pages"], value["news"]))


def run_pelican(package: Package, job: SiteJob, content: Path | None = None, made_from: str = "") -> PelicanOutput:
    """Run Pelican on `content` (default content/): the editorial pages and the registry
    generator; returns what it wrote, for the next build (`made_from`: its inputs())."""
    content = content or CONTENT
    from pelican import Pelican
    from pelican.log import console

    with tempfile.TemporaryDirectory(prefix="zuofang-pelican-") as tmp:
        out = Path(tmp) / "out"
        out.mkdir()
        quiet, console.quiet = console.quiet, True  # Pelican prints a "Done" line on every run
        # Pelican sets the process locale from LOCALE; give the rest of the build (and the CLI's
        # own output) back the locale it had.
        saved_locale = locale.setlocale(locale.LC_ALL)
        try:
            Pelican(settings(package, content, out, job)).run()
        finally:
            console.quiet = quiet
            locale.setlocale(locale.LC_ALL, saved_locale)
        written = job.files.sync_tree(out, job.site_dir)
        made = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
        logging.getLogger(__name__).info("pelican: %d editorial files changed", written)
        return PelicanOutput(made_from, made, job.editorial)


def run_registry(job: SiteJob, previous: PelicanOutput) -> None:
    """The registry pages without Pelican, keeping the editorial files the previous build's
    Pelican run wrote from the same inputs (the caller compared them and found the files intact)."""
    job.files.record_many(str(job.site_dir / f) for f in previous.files)
    job.editorial = previous.editorial
    generator = RegistryGenerator({}, {JOB_SETTING: job}, None, None, None)
    generator.generate_context()
    generator.generate_output(None)
