"""The images stage: the web images of every photo a product or brand names, made only when
the photo's file or the code that makes them changed.

Reads registry.db for the photo names (a row's photo is validated, its file is input), finds
each file inside DATA_DIR through the validator's check (validate/photos.py, readers.within)
and writes /photos/<name>/<width>.webp and .jpg through the build's Files. What each was made
from is the "images" section of the state record: per photo the file's stat and sha256, its
size and widths, and the files made with their sizes. A rebuild keeps a photo's files when its
stat is the same (else when its bytes are) and the code is the same: a new photo, an edited one
or new code is the only reason to decode and encode (a 12-megapixel photo takes about a second).

A photo whose file changed is checked again before it is read; when it fails, the whole
registry is validated, so the build stops with the report `zuofang validate` gives (file, row,
field, rule), never a traceback.

What the pages need of each photo (`Shown`) goes to the site stage, with the photos whose
markup changed since the previous build (their pages are rendered again, site/rebuild.py).
"""
from __future__ import annotations

import hashlib
import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from .. import urls
from ..build import fingerprint
from ..build.files import Files
from ..build.paths import safe_relative, sha256_of_file
from ..errors import BuildError, ValidationFailed
from ..registry import readers
from ..validate import photos as checks
from . import derive
from .shown import Shown

log = logging.getLogger(__name__)

SECTION = "images"  # of the state record (build/state.py)


@dataclass
class Photos:
    """The images stage's result: every named photo's `Shown`, and the names whose `Shown`
    differs from the previous build's (None: no trusted previous record, every page is new)."""

    shown: dict[str, Shown]
    changed: set[str] | None
    made: int = 0   # photos decoded and encoded this build
    kept: int = 0   # photos whose files were kept from the previous build


def referenced(db_path: Path) -> list[str]:
    """Every photo name the public tables hold (a registry whose schema has no photo column
    names none)."""
    conn = sqlite3.connect(f"file:{Path(db_path).absolute()}?mode=ro", uri=True)
    try:
        parts = []
        for table in checks.PHOTO_TABLES:
            columns = {row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')}
            if "photo" in columns:
                parts.append(f'SELECT photo FROM "{table}" WHERE photo IS NOT NULL AND photo != \'\'')
        if not parts:
            return []
        return [name for (name,) in conn.execute(" UNION ".join(parts) + " ORDER BY 1")]
    finally:
        conn.close()


def build_images(ctx) -> Photos:
    """Make or keep the web images of every photo registry.db names (the build's "images" stage)."""
    return make_images(ctx.package.directory, ctx.db_path, ctx.site_dir, ctx.files)


def make_images(data_dir: Path, db_path: Path, site_dir: Path, files: Files) -> Photos:
    records = files.records_for(Path(site_dir).parent)
    code = fingerprint.of_stage("images")
    previous = records.previous_json(SECTION)
    trusted = isinstance(previous, dict) and isinstance(previous.get("photos"), dict)
    old = previous["photos"] if trusted and previous.get("code") == code else {}
    result = Photos({}, None if not trusted else set())
    entries = {}
    for name in referenced(db_path):
        path = _locate(data_dir, name)
        entry = _kept(old.get(name), path, site_dir, files)
        if entry is None:
            entry = _make(data_dir, name, site_dir, files, code)
            result.made += 1
        else:
            result.kept += 1
        entries[name] = entry
        shown = Shown(name, entry["width"], entry["height"], tuple(entry["widths"]), entry["version"])
        result.shown[name] = shown
        if result.changed is not None and _shown_of(name, previous["photos"].get(name)) != shown:
            result.changed.add(name)
    if result.changed is not None:
        result.changed |= set(previous["photos"]) - set(entries)  # a photo no row names any more
    records.put_json(SECTION, {"code": code, "photos": entries})
    log.info("images: %d photos, %d made, %d kept", len(entries), result.made, result.kept)
    return result


def recorded_photos(records) -> dict[str, Shown]:
    """What the last build's images stage made, from its record (`zuofang qr` redraws the guide
    without running the stage)."""
    record = records.get_json(SECTION)
    photos = record.get("photos") if isinstance(record, dict) else None
    if not isinstance(photos, dict):
        return {}
    return {name: shown for name, entry in photos.items() if (shown := _shown_of(name, entry)) is not None}


def _locate(data_dir: Path, name: str) -> Path | None:
    try:
        return readers.within(Path(data_dir), f"{checks.PHOTO_DIR}/{name}")
    except readers.LeadsOutside:
        return None  # refused by _make's check, with the validator's report


def _stat(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def _kept(entry: dict | None, path: Path | None, site_dir: Path, files: Files) -> dict | None:
    """The previous build's entry for this photo when its file is the same and its web images
    are all there as made (they are then kept unread); else None."""
    if entry is None or path is None:
        return None
    stat = _stat(path)
    if stat != entry.get("stat"):
        if sha256_of_file(path) != entry.get("sha256"):
            return None
        entry = {**entry, "stat": stat}  # touched or copied, not changed
    made = entry.get("files")
    if not isinstance(made, dict) or not all(safe_relative(rel) for rel in made):
        return None  # the record names a path that is not a file of the site: make them again
    targets = [(Path(site_dir) / rel, size) for rel, size in made.items()]
    try:
        if not targets or any(files.current(target).stat().st_size != size for target, size in targets):
            return None
    except FileNotFoundError:
        return None
    for target, _size in targets:
        files.record(target)
    return entry


def _make(data_dir: Path, name: str, site_dir: Path, files: Files, code: str) -> dict:
    """Check the photo's file again (it changed since it was validated, or is new), then make
    its web images."""
    try:
        checked = checks.check(data_dir, name) if not checks.name_problem(name) else None
    except checks.PhotoProblem as problem:
        _refuse(data_dir, problem.message)
    if checked is None:
        _refuse(data_dir, checks.name_problem(name))
    sha = sha256_of_file(checked.path)
    try:
        made = derive.derive(checked.path)
    except OSError as exc:  # the file changed again while it was read
        _refuse(data_dir, f"照片 {checks.PHOTO_DIR}/{name} 无法读取（{exc}）。请确认照片没有在构建中被替换。")
    written = {}
    for (width, ext), data in sorted(made.files.items()):
        rel = urls.output_path(urls.photo(name, width, ext))
        files.write_if_changed(Path(site_dir) / rel, data)
        written[rel] = len(data)
    version = hashlib.sha256(f"{sha}\0{code}".encode()).hexdigest()[:10]
    return {"stat": _stat(checked.path), "sha256": sha, "width": made.width, "height": made.height,
            "widths": sorted({w for w, _ext in made.files}), "files": written, "version": version}


def _refuse(data_dir: Path, message: str):
    """Stop the build with the whole registry's report (it names the rows of the photo)."""
    from ..validate.whole import validate_registry

    report = validate_registry(data_dir)
    if not report.valid:
        raise ValidationFailed(report)
    raise BuildError(message)


def _shown_of(name: str, entry) -> Shown | None:
    if not isinstance(entry, dict):
        return None
    try:
        return Shown(name, entry["width"], entry["height"], tuple(entry["widths"]), entry["version"])
    except (KeyError, TypeError):
        return None
