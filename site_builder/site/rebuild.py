"""Whether a rebuild may keep the previous build's record pages, and which ones it renders again.

The previous build's pages were rendered from its registry.db by its code; they are still right
for every record whose rows did not change (delta.py, site/scope.py), provided the code, the
theme, the descriptor and the common context (release date, site URL, demo flag …) are the same.
`salt()` digests those; the build records it in the "site" section of its state record
(state.py). When it differs, or there is no trusted previous build, every page is rendered.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass, field

from ..build import delta, fingerprint
from ..registry.package import Package
from .pelican_run import PelicanOutput
from .scope import Scope, pages_to_render

SECTION = "site"  # of the state record


def _code_digest() -> str:
    """Changes whenever the site's code, a template or the CSS changes, or the database's code
    (its views, such as current_grades, are read by pages but compared by no table): fingerprint.of."""
    return fingerprint.of_stage("site")


def salt(package: Package) -> str:
    """What every page depends on besides its own rows."""
    from .render import common_context

    text = json.dumps([_code_digest(), package.descriptor, common_context(package)],
                      sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Plan:
    """This build's salt, the rows changed since the previous build (None: no previous build
    to compare with), whether the same code made both (`same_salt`: the previous build's pages
    and QR files are still right for unchanged rows) and the record pages to render (None: all
    of them)."""

    salt: str
    changes: dict[str, delta.TableChange] | None
    same_salt: bool
    scope: Scope | None
    sitemap: dict | None = None  # digest of the pages it lists and its files (set by the site stage)
    photo_tables: set[str] = field(default_factory=set)  # tables whose photos' images changed
    editorial: PelicanOutput | None = None  # Pelican's run, or the previous one kept (the site stage)


def plan(ctx) -> Plan:
    """What this build renders: only the record pages showing a changed row when the previous
    build's pages were made by the same code (the salt) from a database made by the same code,
    else everything. The rows come from the pipeline's one comparison (BuildContext.changes)."""
    current = salt(ctx.package)
    same = _record(ctx).get("salt") == current and ctx.same_database_code
    changes = ctx.changes
    scope, photo_tables = None, set()
    if same and changes is not None:
        conn = sqlite3.connect(f"file:{ctx.db_path}?mode=ro", uri=True)
        try:
            scope = pages_to_render(changes, conn)
            if scope is not None:
                scope, photo_tables = _with_photos(scope, ctx.photos, conn)
        finally:
            conn.close()
    return Plan(current, changes, same, scope, photo_tables=photo_tables)


def _with_photos(scope: Scope, photos, conn: sqlite3.Connection) -> tuple[Scope | None, set[str]]:
    """The scope with the pages showing a photo whose web images changed (a replaced photo
    changes no row, yet its pages name new images), and the tables naming such photos (their
    overview pages are rendered again); None: every page (no trusted record of the images)."""
    if photos is None or photos.changed == set():
        return scope, set()
    if photos.changed is None:
        return None, set()
    tables = set()
    for table, keys in (("products", scope.products), ("brands", scope.brands)):
        found = {k for (k,) in delta.select_in(conn, f"SELECT {_KEYS[table]} FROM {table} WHERE photo IN {{keys}}",
                                               photos.changed)}
        keys |= found
        if found:
            tables.add(table)
    return scope, tables


_KEYS = {"products": "code", "brands": "id"}


def save(ctx, build_plan: Plan) -> None:
    editorial = build_plan.editorial.to_json() if build_plan.editorial else None
    ctx.records.put_json(SECTION, {"salt": build_plan.salt, "sitemap": build_plan.sitemap, "editorial": editorial})


def previous_editorial(ctx, build_plan: Plan, made_from: str) -> PelicanOutput | None:
    """The previous build's Pelican run, when it was made from the same inputs (pelican_run.inputs:
    content/, code, theme, descriptor, common context) and each file it wrote is in the previous
    output as that build left it; None: run Pelican."""
    record = _record(ctx)
    if record.get("salt") != build_plan.salt:
        return None
    kept = PelicanOutput.from_json(record.get("editorial"))
    if kept is None or kept.inputs != made_from:
        return None
    site = ctx.site_dir
    if not all(ctx.files.intact(site / f) for f in kept.files):
        return None
    return kept


def previous_sitemap(ctx, build_plan: Plan) -> list[str] | None:
    """The previous build's sitemap files, when it listed the same pages with the same code."""
    record = _record(ctx)
    sitemap = record.get("sitemap") or {}
    if build_plan.scope is None or record.get("salt") != build_plan.salt:
        return None
    if sitemap.get("pages") != build_plan.sitemap["pages"] or not sitemap.get("files"):
        return None
    return sitemap["files"]


def _record(ctx) -> dict:
    """The previous build's section (read before this build puts its own)."""
    record = ctx.records.previous_json(SECTION)
    return record if isinstance(record, dict) else {}
