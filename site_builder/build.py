"""`zuofang build`: validate, then run every stage into a staging folder and swap it in.

A failed build leaves an existing OUT_DIR exactly as it was: all work happens in a sibling
staging folder that starts as a hard-link clone of the previous output (so unchanged files
are not rewritten), and only a complete build replaces OUT_DIR.
"""
from __future__ import annotations

import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import files
from .errors import BuildError, ValidationFailed, ZuofangError
from .package import Package


@dataclass
class BuildContext:
    """What every stage gets: the package, where the database is, where the site goes."""

    package: Package
    stage_dir: Path          # becomes OUT_DIR when the build succeeds
    previous_dir: Path | None  # the OUT_DIR being replaced, if any (read-only)
    timings: dict[str, float] = field(default_factory=dict)
    addresses: list[str] = field(default_factory=list)  # pages the site stage published

    @property
    def db_path(self) -> Path:
        return self.stage_dir / "registry.db"

    @property
    def site_dir(self) -> Path:
        return self.stage_dir / "site"


def _stage_database(ctx: BuildContext) -> None:
    from .database import build_database

    build_database(ctx.package, ctx.db_path)


def _stage_site(ctx: BuildContext) -> None:
    from .site import build_site

    build_site(ctx)


def _stage_qr(ctx: BuildContext) -> None:
    from qr.build import build_codes

    build_codes(ctx.db_path, ctx.site_dir, ctx.package.site_url)


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
    from .validate import validate_registry

    package = Package.load(data_dir)
    report = validate_registry(data_dir)
    if not report.valid:
        raise ValidationFailed(report)
    # Absolute from here on: stages compare their paths with the ones files.py recorded.
    out_dir = Path(out_dir).absolute()
    files.start_build()
    with staged_output(out_dir) as stage:
        ctx = BuildContext(package, stage, out_dir if out_dir.is_dir() else None)
        for name, run in STAGES:
            started = time.perf_counter()
            run(ctx)
            ctx.timings[name] = time.perf_counter() - started
        # What the previous output held and this build no longer makes goes away
        # (published addresses cannot: the soundness stage fails the build before this point).
        files.record(ctx.db_path)
        files.prune(stage)
    ctx.stage_dir = out_dir
    return ctx


@contextmanager
def staged_output(out_dir: Path):
    """Yield a staging folder beside `out_dir`; on success it replaces `out_dir`, on failure it is removed."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    stage = out_dir.with_name(f".{out_dir.name}.building-{os.getpid()}")
    old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
    shutil.rmtree(stage, ignore_errors=True)
    if out_dir.is_dir():
        _hardlink_clone(out_dir, stage)
    else:
        stage.mkdir()
    try:
        yield stage
    except ZuofangError:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    except Exception as exc:
        shutil.rmtree(stage, ignore_errors=True)
        raise BuildError(f"构建失败（{type(exc).__name__}: {exc}），原有输出 {out_dir} 保持不变。") from exc
    if out_dir.exists():
        os.rename(out_dir, old)
    os.rename(stage, out_dir)
    shutil.rmtree(old, ignore_errors=True)


def _hardlink_clone(src: Path, dst: Path) -> None:
    """Copy a tree as hard links: instant, and safe because writers replace files, never edit them."""
    shutil.copytree(src, dst, copy_function=os.link, symlinks=True)
