"""`zuofang build`: validate, then run every stage into a staging folder and commit it.

A failed build leaves an existing OUT_DIR exactly as it was: all work happens in a sibling
staging folder that receives only the files this build changed (files.py), reading the rest
from the previous output; only a complete build is committed into OUT_DIR.
"""
from __future__ import annotations

import fcntl
import logging
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import files, validate_changed
from .errors import BuildError, ValidationFailed, ZuofangError
from .package import Package

log = logging.getLogger(__name__)


@dataclass
class BuildContext:
    """What every stage gets: the package, where the database is, where the site goes."""

    package: Package
    stage_dir: Path          # this build's changed files, committed into OUT_DIR when it succeeds
    previous_dir: Path | None  # the OUT_DIR being replaced, if any (read-only)
    timings: dict[str, float] = field(default_factory=dict)
    addresses: list[str] = field(default_factory=list)  # pages the site stage published
    pages: dict[str, int] = field(default_factory=dict)  # the site stage's counts (site/__init__.py)
    validation: str = ""  # how the registry was judged valid (build._validate)
    database: str = ""  # how registry.db was made: kept, updated or built (database.build_database)
    #: registry.db's rows changed since the previous build, when the same code built both (the
    #: site stage compares them, site/rebuild.py); None: no such comparison, redo everything.
    changes: dict | None = None

    @property
    def db_path(self) -> Path:
        """registry.db as it is now: this build's, or the previous one when it was kept."""
        return files.current(self.stage_dir / "registry.db")

    @property
    def site_dir(self) -> Path:
        return self.stage_dir / "site"


def _stage_database(ctx: BuildContext) -> None:
    from .database import build_database

    ctx.database = build_database(ctx.package, ctx.stage_dir / "registry.db")


def _stage_site(ctx: BuildContext) -> None:
    from .site import build_site

    build_site(ctx)


def _stage_qr(ctx: BuildContext) -> None:
    from qr.build import build_codes

    # A rebuild redoes only the QR files that show a changed row (qr/scope.py).
    build_codes(ctx.db_path, ctx.site_dir, ctx.package.site_url, changes=ctx.changes)


def _stage_handbook(ctx: BuildContext) -> None:
    from .handbook import build_handbook

    build_handbook(ctx.package, ctx.site_dir / "handbook")


def _stage_soundness(ctx: BuildContext) -> None:
    from .soundness import check_output

    check_output(ctx)


#: Stages in order; each reads what the ones before it wrote.
STAGES: list[tuple[str, Callable[[BuildContext], None]]] = [
    ("database", _stage_database),
    ("site", _stage_site),
    ("qr", _stage_qr),
    ("handbook", _stage_handbook),
    ("soundness", _stage_soundness),
]


def build(data_dir: str | Path, out_dir: str | Path) -> BuildContext:
    """Validate the registry in `data_dir` and build everything into `out_dir`, atomically."""
    with files.hashes_remembered():
        return _build(Package.load(data_dir), Path(out_dir).absolute())


def _build(package: Package, out_dir: Path) -> BuildContext:
    # out_dir is absolute: stages compare their paths with the ones files.py recorded.
    started = time.perf_counter()
    validated = _validate(package, out_dir)
    with staged_output(out_dir) as stage:
        ctx = BuildContext(package, stage, out_dir if out_dir.is_dir() else None)
        ctx.validation = validated[0]
        validate_changed.remember(package, stage, validated[1])
        ctx.timings["validate"] = time.perf_counter() - started
        for name, run in STAGES:
            started = time.perf_counter()
            run(ctx)
            ctx.timings[name] = time.perf_counter() - started
        # The commit removes what the previous output held and this build no longer makes
        # (published addresses cannot go: the soundness stage fails the build before this point).
        files.record(ctx.stage_dir / "registry.db")
    ctx.stage_dir = out_dir
    return ctx


def _validate(package: Package, out_dir: Path) -> tuple[str, validate_changed.Memory | None]:
    """Raise ValidationFailed unless the registry is valid; says how it was judged ("same" files
    as the build in `out_dir`, only the "changed" rows, or "all" of them) and, when only changed
    rows were judged, the memory of the registry they made (validate_changed.remember writes it)."""
    from .database import built_from_same_inputs
    from .validate import validate_registry

    if built_from_same_inputs(package, out_dir):
        return "same", None
    judged = validate_changed.validate_changes(package, validate_changed.read_memory(out_dir / validate_changed.MEMORY))
    if judged is not None:
        return "changed", judged.memory
    report = validate_registry(package.directory)
    if not report.valid:
        raise ValidationFailed(report)
    return "all", None


@contextmanager
def staged_output(out_dir: Path):
    """Yield an empty staging folder beside `out_dir` (files.start_build reads the rest from
    `out_dir`); on success it is committed into `out_dir`, on failure it is removed."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with _only_build(out_dir):
        yield from _staged(out_dir)


@contextmanager
def _only_build(out_dir: Path):
    """Refuse a second build into the same OUT_DIR while one runs: each reads OUT_DIR as its
    previous output, and the second commit would mix the two."""
    lock = out_dir.with_name(f".{out_dir.name}.lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildError(f"另一个构建正在写入 {out_dir}：请等它结束后再试。"
                             f"Another build is writing {out_dir}.") from None
        try:
            yield
        finally:
            lock.unlink(missing_ok=True)
    finally:
        os.close(fd)


def _staged(out_dir: Path):
    if files.recover(out_dir):
        log.warning("%s: finished the commit an earlier build left half done", out_dir)
    stage = out_dir.with_name(f".{out_dir.name}.building-{os.getpid()}")
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir()
    files.start_build(stage, out_dir if out_dir.is_dir() else None)
    try:
        yield stage
    except ZuofangError:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    except Exception as exc:
        shutil.rmtree(stage, ignore_errors=True)
        raise BuildError(f"构建失败（{type(exc).__name__}: {exc}），原有输出 {out_dir} 保持不变。") from exc
    files.commit(out_dir)
