"""`zuofang build`: validate, then run every stage into a staging folder and commit it.

A failed build leaves an existing OUT_DIR exactly as it was: all work happens in a sibling
staging folder that receives only the files this build changed (files.py), reading the rest
from the previous output; only a complete build is committed into OUT_DIR (output.py), and
only into a folder that is absent, empty or an earlier Zuofang output.
"""
from __future__ import annotations

import logging
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..errors import BuildError, ValidationFailed, ZuofangError
from ..registry.package import Package
from . import delta, heap, links, manifest, output, state
from .files import Files

if TYPE_CHECKING:
    from ..validate import memory as validate_memory

log = logging.getLogger(__name__)


_UNSET = object()


@dataclass
class BuildContext:
    """What every stage gets: the package, the build's files (where it writes, its state record),
    the previous output, and the one comparison of the new registry.db with the previous one."""

    package: Package
    files: Files             # the build's (files.py): the stage folder, the state record
    out_dir: Path            # where the build is committed
    previous_dir: Path | None  # the OUT_DIR being replaced, if any (read-only)
    timings: dict[str, float] = field(default_factory=dict)
    addresses: list[str] = field(default_factory=list)  # pages the site stage published
    pages: dict[str, int] = field(default_factory=dict)  # the site stage's counts (site/__init__.py)
    validation: str = ""  # how the registry was judged valid (_validate)
    database: str = ""  # how registry.db was made: kept, updated or built (database.build_database)
    photos: object = None  # the images stage's photos (images/build.py Photos), shown by the site
    pdf: bool = False  # also each workshop's label sheet and poster as PDFs (zuofang build --pdf)
    datasette_check: object = None  # Datasette's check of registry.db, started early (soundness.py)
    downloads: object = None  # the /data/ downloads and page being made (site/data_page.py start)
    _changes: object = field(default=_UNSET, repr=False)

    @property
    def records(self) -> state.StateRecord:
        return self.files.records

    @property
    def stage_dir(self) -> Path:
        """This build's changed files, committed into OUT_DIR when it succeeds (OUT_DIR itself
        once the build is over)."""
        return self.files.stage_dir or self.out_dir

    @property
    def db_path(self) -> Path:
        """registry.db as it is now: this build's, or the previous one when it was kept."""
        return self.files.current(self.stage_dir / "registry.db")

    @property
    def site_dir(self) -> Path:
        return self.stage_dir / "site"

    @property
    def changes(self) -> dict | None:
        """registry.db's rows changed since the previous build (delta.compare, made once by the
        pipeline right after the database stage); None: no previous build to compare with."""
        if self._changes is _UNSET:
            raise RuntimeError("the comparison of registry.db is made right after the database stage")
        return self._changes

    @property
    def same_database_code(self) -> bool:
        """registry.db was made by the same code from the same descriptor as the previous one, so
        tables whose registry file is the same hold the same rows and views mean the same: a
        stage may then redo only what shows a changed row."""
        return self.database in ("kept", "updated")


def _stage_database(ctx: BuildContext) -> None:
    from ..database.build import build_database

    ctx.database = build_database(ctx.package, ctx.stage_dir / "registry.db", ctx.files)
    ctx._changes = _compare(ctx)


def _compare(ctx: BuildContext) -> dict | None:
    """The one comparison of the new registry.db with the previous build's (every later stage
    reads it from the context)."""
    if ctx.previous_dir is None:
        return None
    return delta.compare(ctx.previous_dir / "registry.db", ctx.db_path, same_code=ctx.same_database_code)


def _stage_datasette(ctx: BuildContext) -> None:
    from .soundness import start_datasette_check

    # Datasette answers on the new registry.db beside the later stages; the soundness stage
    # collects the answer.
    ctx.datasette_check = start_datasette_check(ctx)


def _stage_images(ctx: BuildContext) -> None:
    from ..images.build import build_images

    ctx.photos = build_images(ctx)


def _stage_site(ctx: BuildContext) -> None:
    from ..site import build_site

    build_site(ctx)


def _stage_qr(ctx: BuildContext) -> None:
    from qr.build import build_codes

    # A rebuild redoes only the QR files that show a changed row (qr/scope.py).
    build_codes(ctx.db_path, ctx.site_dir, ctx.package.site_url,
                changes=ctx.changes if ctx.same_database_code else None, files=ctx.files,
                photos=ctx.photos.shown if ctx.photos else None, pdf=ctx.pdf)


def _start_downloads(ctx: BuildContext) -> None:
    from ..site import data_page

    # The downloads read registry.db alone: made in a forked process while the later stages run.
    ctx.downloads = data_page.start(ctx)


def _finish_downloads(ctx: BuildContext) -> None:
    """Wait for the downloads (their files join the build's; what failed there fails the build)."""
    downloads, ctx.downloads = ctx.downloads, None
    if downloads is not None:
        ctx.pages["written"] = ctx.pages.get("written", 0) + downloads.join()


def _stage_handbook(ctx: BuildContext) -> None:
    from ..handbook.build import build_handbook

    build_handbook(ctx.package, ctx.site_dir / "handbook", files=ctx.files)


def _stage_soundness(ctx: BuildContext) -> None:
    from .soundness import check_output

    check_output(ctx)


#: Stages in order; each reads what the ones before it wrote. The downloads are started after
#: the database stage and waited for before the soundness stage: their time is the two together.
STAGES: list[tuple[str, Callable[[BuildContext], None]]] = [
    ("database", _stage_database),
    ("downloads", _start_downloads),
    ("datasette", _stage_datasette),
    ("images", _stage_images),
    ("site", _stage_site),
    ("qr", _stage_qr),
    ("handbook", _stage_handbook),
    ("downloads", _finish_downloads),
    ("soundness", _stage_soundness),
]


def build(data_dir: str | Path, out_dir: str | Path, pdf: bool = False) -> BuildContext:
    """Validate the registry in `data_dir` and build everything into `out_dir`, atomically; with
    `pdf`, each workshop's label sheet and poster as PDFs too, beside their print pages."""
    package = Package.load(data_dir)
    return _build(package, output.resolve(out_dir, package.directory), pdf)


def _build(package: Package, out_dir: Path, pdf: bool = False) -> BuildContext:
    # out_dir is real and absolute: stages compare their paths with the ones files.py recorded.
    started = time.perf_counter()
    previous = out_dir if output.is_ours(out_dir) else None
    with staged_output(out_dir, package.directory) as files:
        ctx = BuildContext(package, files, out_dir, previous, pdf=pdf)
        # The lock and the previous output checked against its record (staged_output), apart
        # from validation: a rebuild's "validate" figure used to be mostly this.
        ctx.timings["open"] = time.perf_counter() - started
        started = time.perf_counter()
        ctx.validation, memory, scans = _validate(package, ctx.records)
        from ..validate import memory as validate_memory

        validate_memory.remember(package, ctx.records, memory, scans)
        # The scans hold every row as read (hundreds of MB at 50,000 businesses): no stage needs
        # them once remembered, and kept to the end they added to every later stage's peak.
        del memory, scans
        heap.give_back()  # what validation freed (1.6 GB at its peak at 50,000 businesses)
        ctx.timings["validate"] = time.perf_counter() - started
        try:
            for name, run in STAGES:
                started = time.perf_counter()
                run(ctx)
                heap.give_back()  # before the next stage, and the workers it forks, start
                ctx.timings[name] = ctx.timings.get(name, 0.0) + time.perf_counter() - started
            _finish_downloads(ctx)  # when the stages run did not wait for them
        finally:
            _collect(ctx)
        # The commit removes what the previous output held and this build no longer makes
        # (published addresses cannot go: the soundness stage fails the build before this point).
    heap.give_back()  # what the commit freed: the caller, or the next build, starts from less
    return ctx


def _collect(ctx: BuildContext) -> None:
    """A Datasette check or the downloads started early and not collected (a later stage
    failed): wait for their processes, so none outlives the build or writes into a stage folder
    being discarded."""
    downloads, ctx.downloads = ctx.downloads, None
    if downloads is not None:
        try:
            downloads.join()
        except Exception:  # noqa: BLE001 - the build's own outcome is what counts
            pass
    check, ctx.datasette_check = ctx.datasette_check, None
    if check is not None:
        try:
            check.join()
        except Exception:  # noqa: BLE001 - the build's own outcome is what counts
            pass


def refresh_qr(out_dir: str | Path, operator_id: str | None = None, pdf: bool = False):
    """`zuofang qr`: make the QR stage's files again from OUT_DIR/registry.db, through a staged
    commit like a build's (so the state record keeps matching the disk): everything else the
    previous build produced is kept as it is."""
    from qr.build import build_codes

    from ..images.build import recorded_photos

    out = output.resolve(out_dir)
    if not output.is_ours(out) or not (out / "registry.db").is_file():
        raise BuildError(f"{out} 不是 Zuofang 的构建输出（缺少 registry.db 或构建记录）："
                         f"请先运行 zuofang build DATA --out {out_dir}。Not a Zuofang output.")
    with staged_output(out) as files:
        records = files.records
        stage = files.stage_dir
        for rel in (*files.verified, *files.damaged):  # every file the record lists
            files.record(stage / rel)
        records.carry(*(name for name in records.sections() if name not in (manifest.SECTION, "qr", links.SECTION)))
        return build_codes(files.current(stage / "registry.db"), stage / "site", operator_id=operator_id,
                           files=files, photos=recorded_photos(records), pdf=pdf)


def print_pdf(out_dir: str | Path, kind: str, target: str | Path, operator: str | None = None,
              station: str | None = None, region: str | None = None):
    """`zuofang print`: one PDF of the label sheets or posters of one workshop, a station's or a
    region's (qr/printing.py), read from OUT_DIR/registry.db; OUT_DIR itself is only read."""
    from qr.printing import print_batch
    from qr.records import Selection

    return print_batch(out_dir, kind, Selection(operator, station, region), target)


def _validate(package: Package, records: state.StateRecord) -> tuple[str, validate_memory.Memory | None,
                                                                     dict | None]:
    """Raise ValidationFailed unless the registry is valid; says how it was judged ("same" files
    as the previous build, only the "changed" rows, or "all" of them) and, when only changed
    rows were judged, the memory of the registry they made, or when all were, the tables as
    scanned while validated (validate/memory.py remember writes the memory from either).
    What the previous build remembered counts only when its record is ours and its output intact
    (output.py), so a forged row digest cannot vouch for a row."""
    from ..database.build import built_from_same_inputs

    if built_from_same_inputs(package, records):
        return "same", None, None
    # Imported only now: Frictionless alone took 0.5 s of a rebuild of the same registry files.
    from ..validate import changed as validate_changed
    from ..validate import memory as validate_memory
    from ..validate.whole import validate_registry

    judged = validate_changed.validate_changes(package, validate_memory.read_memory(records))
    if judged is not None:
        return "changed", judged.memory, None
    report = validate_registry(package.directory, keep_scans=True)
    if not report.valid:
        raise ValidationFailed(report)
    return "all", None, report.scans


@contextmanager
def staged_output(out_dir: str | Path, data_dir: str | Path | None = None):
    """Yield the `Files` of a build into `out_dir`: an empty staging folder beside it (the rest
    is read from `out_dir`); on success it is committed into `out_dir`, on failure it is removed
    and `out_dir` stays exactly as it was. Refuses a folder that is not a Zuofang output
    (output.resolve)."""
    out = output.resolve(out_dir, data_dir)
    with output.locked(out) as made:
        try:
            stage, record, held, damaged = _open(out)
        except BaseException:
            _remove_if_made(out, made)
            raise
        files = Files(stage, out, record, held, damaged)
        try:
            yield files
            entries, staged, removed = _survey(out, stage, files)
        except ZuofangError:
            files.end()
            _discard(stage, out, made)
            raise
        except Exception as exc:
            files.end()
            _discard(stage, out, made)
            raise BuildError(f"构建失败（{type(exc).__name__}: {exc}），原有输出 {out} 保持不变。") from exc
        except BaseException:
            files.end()  # a crash (Ctrl-C, power loss) leaves the stage; the next build removes it
            raise
        files.end()
        try:
            output.commit(out, stage, entries, staged, removed, record)
        except OSError as exc:
            raise BuildError(f"提交构建结果时出错（{exc.strerror or exc}）：{out} 可能只更新了一部分；"
                             "问题解决后再构建一次即可完成。The commit was cut short; build again to finish it.") from exc


def _open(out: Path) -> tuple[Path, state.StateRecord, dict, list[str]]:
    """Before a build: OUT_DIR writable, an unfinished commit finished, dead staging folders
    removed, the previous record loaded and the previous output checked against it. Returns the
    stage, the record, the files found intact (their entries, manifest.py) and the other files
    the record lists (missing or changed): between them, every file the previous build made."""
    output.check_writable(out)
    recovered = output.recover(out)
    output.remove_dead_stages(out)
    record = state.load(out)
    if recovered == "distrust":
        record.distrust()
    entries = manifest.decode(record.take_previous(manifest.SECTION))
    held, damaged = {}, []
    if entries is None:
        record.distrust()
    else:
        held, damaged = manifest.verify(str(out), entries)
        if damaged:
            record.distrust()
            shown = "、".join(damaged[:5]) + ("……" if len(damaged) > 5 else "")
            log.warning("%s: 上次构建的 %d 个文件缺失或被改动（%s），本次从头构建并恢复它们。"
                        "%d files of the previous build are missing or changed: rebuilding them.",
                        out, len(damaged), shown, len(damaged))
    return output.new_stage(out), record, held, damaged


def _survey(out: Path, stage: Path, files: Files) -> tuple[dict, set[str], list[str]]:
    """Every file the build produced, read from the disk (BuildError for one that is not there),
    which of them are in the stage, and what the previous build made that this one no longer
    does (of the files its record listed, intact or damaged: removed by the commit)."""
    entries, staged, missing = manifest.survey(files.produced, os.path.join(stage, ""), os.path.join(out, ""),
                                               files.verified, files.written)
    if missing:
        shown = "\n".join(f"  - {m}" for m in missing[:30])
        raise BuildError(f"构建产生的 {len(missing)} 个文件不在磁盘上或在构建中被改动，新输出未发布：\n{shown}")
    ours = {state.NAME, output.JOURNAL}
    removed = sorted(rel for listed in (files.verified, files.damaged) for rel in listed
                     if rel not in entries and rel not in ours)
    return entries, staged, removed


def _discard(stage: Path, out: Path, made: bool) -> None:
    shutil.rmtree(stage, ignore_errors=True)
    _remove_if_made(out, made)


def _remove_if_made(out: Path, made: bool) -> None:
    """A first build that failed leaves no folder behind (only if nothing else was put in it)."""
    if made:
        try:
            out.rmdir()
        except OSError:
            pass
