"""The output folder a build writes into: whose it is, one build at a time, and the commit.

OUT_DIR is the user's disk. A build writes only into a folder that is absent, empty, or an
earlier Zuofang output, recognised by its state record (state.py) — never by guessing — and
refuses anything else, and any folder that holds, is, or lies inside the registry or the project.

One build at a time per real folder: the lock is the OUT_DIR directory itself (flock on its
inode), so a second path to it (a symlink) finds the same lock, and nothing is unlinked while
held. The build works in a sibling staging folder (files.py); the commit moves the staged files
in, removes what the previous build made and this one no longer makes — only paths its
authentic record lists, inside OUT_DIR, never through a link — and writes the new record last.
A journal written first lets the next build finish a commit cut short; a journal that is not
ours, or whose staging folder is gone, makes the next build start from scratch instead.
Staging folders of dead builds are recognised (their name, a dead process's id in it, the lock
held) and removed.

Before a rebuild trusts the previous output, every file the record lists is checked on disk
(`manifest.verify`): a missing, replaced or edited file makes every stage work from scratch,
which restores it.
"""
from __future__ import annotations

import errno
import fcntl
import hashlib
import hmac
import json
import logging
import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path

from ..errors import BuildError, ZuofangError
from . import key, manifest, state
from .paths import safe_relative

log = logging.getLogger(__name__)

JOURNAL = ".zuofang-commit.json"   # in OUT_DIR while a commit is moving files
#: Records of builds before the state record: an output holding one is ours; the commit removes them.
LEGACY_RECORDS = (".zuofang-files", ".registry-inputs.json", ".validated-rows", ".site-inputs.json",
                  ".search-inputs.json", ".search-docs.json", ".publish-inputs.json", ".qr-cache.json")
PROJECT_ROOT = Path(__file__).resolve().parents[2]


class OutputRefused(ZuofangError):
    """The output folder is not one a build may write into (someone else's files, the registry)."""


def stage_name(out: Path) -> str:
    return f".{out.name}.building-{os.getpid()}"


def _stage_pattern(out: Path) -> re.Pattern:
    return re.compile(rf"\.{re.escape(out.name)}\.building-[0-9]+")


def resolve(out_dir: str | Path, data_dir: str | Path | None = None) -> Path:
    """OUT_DIR as a real path (symlinks resolved), refused with a message naming it when a build
    must not write there."""
    out = Path(os.path.realpath(os.path.abspath(out_dir)))
    if out.exists() and not out.is_dir():
        raise OutputRefused(f"{out} 是一个文件，不是文件夹。请用 --out 指定一个新的或空的文件夹。"
                            f"{out} is a file, not a folder.")
    if data_dir is not None:
        data = Path(os.path.realpath(data_dir))
        if out == data or out in data.parents or data in out.parents:
            raise OutputRefused(f"输出目录 {out} 与数据目录 {data} 相同、包含它或在它里面：构建不能写进登记数据。"
                                "请用 --out 指定数据目录之外的文件夹（如 build/site-out）。"
                                "The output folder must lie outside the data folder.")
    if (PROJECT_ROOT / "pyproject.toml").is_file() and (out == PROJECT_ROOT or out in PROJECT_ROOT.parents):
        raise OutputRefused(f"输出目录 {out} 是项目文件夹本身或它的上级：构建不能写在这里。"
                            "请用 --out 指定一个专用的文件夹（如 build/site-out）。"
                            "The output folder must not be the project folder or above it.")
    if out.is_dir() and not is_ours(out) and any(out.iterdir()):
        raise OutputRefused(
            f"{out} 不是空文件夹，也不是 Zuofang 的输出（没有构建记录 {state.NAME}）：为保护其中的文件，构建不会写入这里。"
            "请用 --out 指定一个新的或空的文件夹。"
            f"{out} is neither empty nor a Zuofang output; choose a new or empty folder.")
    return out


def is_ours(out: Path) -> bool:
    """An earlier Zuofang output: it holds a state record (or, from before the state record, the
    file list older builds kept)."""
    return state.is_record(out / state.NAME) or (out / LEGACY_RECORDS[0]).is_file()


@contextmanager
def locked(out: Path):
    """Hold OUT_DIR's lock (making the folder if needed); refuse when another build holds it.
    Yields whether this call made the folder (a failed first build removes it again)."""
    made = False
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.mkdir()
        made = True
    except FileExistsError:
        pass
    except OSError as exc:
        raise _unwritable(out, exc) from exc
    fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildError(f"另一个构建正在写入 {out}：请等它结束后再试。Another build is writing {out}.") from None
        yield made
    finally:
        os.close(fd)


def _unwritable(out: Path, exc: OSError) -> BuildError:
    reason = "只读文件系统" if exc.errno == errno.EROFS else (exc.strerror or str(exc))
    return BuildError(f"无法写入 {out}（{reason}）：构建需要在它和它的上级文件夹中写文件。"
                      "请换一个可写的输出目录（--out），或检查权限。"
                      f"Cannot write {out} ({exc.strerror or exc}).")


def check_writable(out: Path) -> None:
    """Before any work: OUT_DIR and its parent (where the stage goes) take new files."""
    for folder in (out, out.parent):
        if not os.access(folder, os.W_OK):
            raise _unwritable(folder, OSError(errno.EROFS if _read_only(folder) else errno.EACCES,
                                              os.strerror(errno.EROFS if _read_only(folder) else errno.EACCES)))


def _read_only(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def is_dead_stage(out: Path, entry: Path) -> bool:
    """A staging folder a build into `out` left when it died: its name is the stage name of a
    process that no longer runs (the caller holds the lock, so no live build into `out` has one),
    and it is a real folder of this user."""
    match = _stage_pattern(out).fullmatch(entry.name)
    if not match or entry.is_symlink() or not entry.is_dir() or entry.stat().st_uid != os.getuid():
        return False
    pid = int(entry.name.rsplit("-", 1)[1])
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def remove_dead_stages(out: Path) -> None:
    """Remove the staging folders dead builds left beside OUT_DIR (after `recover` used a journal's)."""
    for entry in out.parent.iterdir():
        if is_dead_stage(out, entry):
            shutil.rmtree(entry, ignore_errors=True)
            log.warning("%s: removed the staging folder of a build that did not finish", entry)


def new_stage(out: Path) -> Path:
    stage = out.parent / stage_name(out)
    try:
        stage.mkdir()
    except OSError as exc:
        raise _unwritable(out.parent, exc) from exc
    return stage


# --- the journal ------------------------------------------------------------------------------

def _sign(body: dict) -> str | None:
    secret = key.load()
    text = json.dumps(body, sort_keys=True, ensure_ascii=False).encode()
    return hmac.new(secret, text, hashlib.sha256).hexdigest() if secret else None


def write_journal(out: Path, stage: Path, removed: list[str]) -> None:
    body = {"format": "zuofang-commit", "version": 1, "stage": stage.name, "remove": removed}
    body["mac"] = _sign(body)
    _write_small(out / JOURNAL, json.dumps(body, ensure_ascii=False))


def read_journal(out: Path) -> tuple[Path, list[str]] | None:
    """The stage and removals of a commit cut short, when the journal is ours (signed, naming a
    staging folder beside OUT_DIR and paths inside it); None for no journal or any other."""
    try:
        body = json.loads((out / JOURNAL).read_text(encoding="utf-8"))
        mac = body.pop("mac")
        ok = (isinstance(mac, str) and _sign(body) is not None and hmac.compare_digest(mac, _sign(body))
              and body.get("format") == "zuofang-commit" and _stage_pattern(out).fullmatch(str(body["stage"]))
              and isinstance(body["remove"], list) and all(safe_relative(r) for r in body["remove"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        ok = False
    if not ok:
        return None
    return out.parent / body["stage"], body["remove"]


def recover(out: Path) -> str:
    """Deal with a journal a commit left: "none", "finished" (rolled forward) or "distrust"
    (a journal not ours, or whose staging folder is gone: the output may be half of two builds)."""
    if not (out / JOURNAL).exists():
        return "none"
    found = read_journal(out)
    if found is None:
        log.warning("%s: 提交日志不可信，将从头构建。The commit journal is not ours: building from scratch.", out)
        return "distrust"
    stage, removed = found
    if not is_dead_stage(out, stage):
        (out / JOURNAL).unlink()
        log.warning("%s: 上次提交没有完成，且暂存文件夹已不在，将从头构建。", out)
        return "distrust"
    apply(out, stage, removed)
    return "finished"


# --- the commit -------------------------------------------------------------------------------

def commit(out: Path, stage: Path, entries: dict[str, bytes], staged: set[str], removed: list[str],
           record: state.StateRecord) -> None:
    """Make the staged build OUT_DIR. The new state record (with `entries`, every file the build
    produced) goes into the stage and the journal into OUT_DIR, then `apply` moves the `staged`
    files in; last the record is written again with the moved files' new stat. A build that
    changed nothing writes nothing."""
    listing = manifest.Listing(entries)
    record.put(manifest.SECTION, listing.encode())
    parts = record.to_parts()
    if not staged and not removed and _holds(out / state.NAME, parts):
        shutil.rmtree(stage, ignore_errors=True)
        return
    if not state.is_record(out / state.NAME):
        # A first build: mark the folder ours before anything moves, so that a commit cut short
        # still leaves an output the next build recognises.
        _write_small(out / state.NAME, state.encode({}))
    _write_small(stage / state.NAME, parts)
    del parts
    write_journal(out, stage, removed)
    apply(out, stage, removed)
    listing.restat(manifest.refreshed(str(out), entries, staged))
    record.put(manifest.SECTION, b"")  # the list as it was, 110 MB at 50,000 businesses, goes first
    record.put(manifest.SECTION, listing.encode())
    parts = record.to_parts()
    if not _holds(out / state.NAME, parts):
        _write_small(out / state.NAME, parts)


def _holds(path: Path, parts: list[bytes]) -> bool:
    """The file holds exactly the bytes of `parts`, one after another (read and compared a
    megabyte at a time: the record is 190 MB at 50,000 businesses)."""
    chunk = 1 << 20
    try:
        with open(path, "rb") as f:
            if os.fstat(f.fileno()).st_size != sum(map(len, parts)):
                return False
            for part in map(memoryview, parts):
                for at in range(0, len(part), chunk):
                    if f.read(chunk if at + chunk <= len(part) else len(part) - at) != part[at:at + chunk]:
                        return False
            return True
    except OSError:
        return False


def apply(out: Path, stage: Path, removed: list[str]) -> None:
    """Move every staged file into place (a folder OUT_DIR lacks moves whole), then remove the
    dropped files; idempotent, so that `recover` can run it again after a crash. The record goes
    last: until it is in place, OUT_DIR's record is the previous build's."""
    guard = _Inside(out)
    record = stage / state.NAME
    for dirpath, dirs, names in os.walk(stage):
        dirs.sort()
        rel_dir = os.path.relpath(dirpath, stage)
        target_dir = out if rel_dir == "." else out / rel_dir
        guard.check(target_dir)
        for name in list(dirs):
            if not (target_dir / name).exists() and not (target_dir / name).is_symlink():
                os.replace(os.path.join(dirpath, name), target_dir / name)
                dirs.remove(name)
        for name in sorted(names):
            src = os.path.join(dirpath, name)
            if src == str(record):
                continue
            os.replace(src, target_dir / name)
    for rel in removed:
        target = out / rel
        if not guard.check(target.parent, refuse=False):
            continue
        try:
            if not target.is_dir() or target.is_symlink():
                target.unlink()
        except FileNotFoundError:
            continue
        _remove_empty_parents(target.parent, out)
    if record.is_file():
        os.replace(record, out / state.NAME)
    for name in LEGACY_RECORDS:
        (out / name).unlink(missing_ok=True)
    shutil.rmtree(stage, ignore_errors=True)
    (out / JOURNAL).unlink(missing_ok=True)


class _Inside:
    """Checks that a folder under OUT_DIR is reached without a symbolic link (one planted in
    OUT_DIR would carry a move or a removal outside it); each folder is looked at once."""

    def __init__(self, out: Path):
        self.out = out
        self.seen: dict[Path, bool] = {out: True}

    def check(self, folder: Path, refuse: bool = True) -> bool:
        ok = self.seen.get(folder)
        if ok is None:
            ok = self.check(folder.parent, refuse) and not folder.is_symlink()
            self.seen[folder] = ok
        if not ok and refuse:
            raise BuildError(f"{folder} 是符号链接（或在符号链接之下）：构建不会经由链接写到输出目录之外。"
                             "请删除这个链接后重试。A symbolic link inside the output folder.")
        return ok


def _remove_empty_parents(folder: Path, out: Path) -> None:
    while folder != out and out in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _write_small(path: Path, data: str | bytes | list[bytes]) -> None:
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
    with open(tmp, "wb") as f:
        if isinstance(data, list):
            f.writelines(data)
        else:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
    os.replace(tmp, path)
