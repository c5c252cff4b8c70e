"""A build can never destroy: it writes only into its own output, trusts only records it signed,
and checks the previous output on disk before keeping any of it (site_builder/output.py,
state.py, manifest.py). Each test here is an attack or an accident that hurt the user before."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_build import tree_digest

from site_builder import urls
from site_builder.build.pipeline import build, staged_output
from site_builder.cli import cli
from site_builder.errors import BuildError, ZuofangError


def user_files(folder: Path) -> dict[str, str]:
    """A folder of the user's own: documents the build must never touch."""
    folder.mkdir(parents=True, exist_ok=True)
    contents = {"notes.txt": "我的笔记", "photos/cat.jpg": "not really a jpeg", "README.md": "mine"}
    for name, text in contents.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return contents


def assert_untouched(folder: Path, contents: dict[str, str]) -> None:
    for name, text in contents.items():
        assert (folder / name).read_text(encoding="utf-8") == text, name


@pytest.fixture(scope="module")
def first_build(tmp_path_factory, small_registry) -> Path:
    out = tmp_path_factory.mktemp("safety") / "out"
    build(small_registry, out)
    return out


def copy_output(built: Path, where: Path) -> Path:
    """A private copy of a built output (the copy's stat differs: its first rebuild reads it all)."""
    out = where / "out"
    shutil.copytree(built, out, symlinks=True)
    return out


# --- 1. the output folder must be ours ------------------------------------------------------

def test_out_on_a_folder_of_documents_is_refused_and_deletes_nothing(small_registry, tmp_path):
    documents = tmp_path / "Documents"
    contents = user_files(documents)
    result = CliRunner().invoke(cli, ["build", str(small_registry), "--out", str(documents)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert str(documents) in result.output and "不是空文件夹" in result.output
    assert_untouched(documents, contents)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Documents"], "no stage left beside it"


def test_out_equal_to_above_or_inside_the_data_folder_is_refused(small_registry, tmp_path):
    data = Path(shutil.copytree(small_registry, tmp_path / "project" / "data"))
    before = tree_digest(data)
    for out in (data, data.parent, data / "site-out"):
        with pytest.raises(ZuofangError, match="数据目录"):
            build(data, out)
        assert tree_digest(data) == before
    assert not (data / "site-out").exists()


def test_out_dot_in_a_checkout_is_refused(small_registry, tmp_path, monkeypatch):
    """`zuofang build data --out .` once deleted the registry and the README."""
    project = tmp_path / "checkout"
    shutil.copytree(small_registry, project / "data")
    contents = user_files(project)
    monkeypatch.chdir(project)
    result = CliRunner().invoke(cli, ["build", "data", "--out", "."])
    assert result.exit_code == 1
    assert_untouched(project, contents)
    assert (project / "data" / "operators.csv").is_file()


def test_the_project_folder_itself_is_refused(small_registry, repo_root):
    with pytest.raises(ZuofangError, match="项目文件夹"):
        build(small_registry, repo_root)


def test_an_empty_folder_is_accepted(small_registry, tmp_path):
    out = tmp_path / "empty"
    out.mkdir()
    build(small_registry, out)
    assert (out / "site" / "index.html").is_file()


# --- 2. records are not paths to follow -------------------------------------------------------

def test_a_forged_file_list_cannot_delete_outside_the_output(first_build, small_registry, tmp_path):
    out = copy_output(first_build, tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    # The list older builds kept, and the list inside an unsigned record, both naming the victim.
    (out / ".zuofang-files").write_text("../victim.txt\nsite/index.html\n", encoding="utf-8")
    header = {"format": "zuofang-state", "version": 1, "sections": [["files", 14, "0" * 64]], "mac": None}
    (out / ".zuofang-state").write_bytes(json.dumps(header).encode() + b"\n../victim.txt\n")
    build(small_registry, out)
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert (out / "site" / "index.html").is_file()
    assert not (out / ".zuofang-files").exists(), "the old record is replaced by the state record"


@pytest.mark.parametrize("journal", [
    {"stage": "decoy", "remove": ["../x"]},
    {"stage": "/", "remove": []},
    {"stage": ".out.building-1", "remove": ["../x", "../decoy/notes.txt"]},
])
def test_a_crafted_commit_journal_moves_and_deletes_nothing(first_build, small_registry, tmp_path, journal):
    out = copy_output(first_build, tmp_path)
    decoy = tmp_path / "decoy"
    contents = user_files(decoy)
    outside = tmp_path / "x"
    outside.write_text("outside", encoding="utf-8")
    (tmp_path / ".out.building-1").mkdir()
    (tmp_path / ".out.building-1" / "planted.html").write_text("planted", encoding="utf-8")
    (out / ".zuofang-commit.json").write_text(json.dumps(journal), encoding="utf-8")
    build(small_registry, out)
    assert_untouched(decoy, contents)
    assert outside.read_text(encoding="utf-8") == "outside"
    assert not (out / "planted.html").exists()


@pytest.mark.parametrize("garbage", [b"\xff\xfe\x00garbage\x80", b"", b'{"format": "zuofang-state"}\n'])
def test_a_garbage_record_means_a_rebuild_from_scratch_not_a_crash(first_build, small_registry, tmp_path, garbage):
    out = copy_output(first_build, tmp_path)
    (out / ".zuofang-state").write_bytes(garbage)
    (out / ".zuofang-files").write_bytes(garbage)
    context = build(small_registry, out)
    assert context.validation == "all" and context.database == "built"
    assert [p.name for p in tmp_path.iterdir()] == ["out"], "no staging folder left"
    again = build(small_registry, out)
    assert again.validation == "same", "the record the rebuild wrote is trusted"


# --- 3. one build at a time per real folder ---------------------------------------------------

def test_the_same_folder_through_a_symlink_is_locked_too(tmp_path):
    real = tmp_path / "real"
    link = tmp_path / "link"
    with staged_output(real) as files:
        stage = files.stage_dir
        files.write_if_changed(stage / "a.txt", "A")
        link.symlink_to(real, target_is_directory=True)
        with pytest.raises(BuildError, match="另一个构建正在写入"):
            with staged_output(link):
                pass
    assert (real / "a.txt").read_text() == "A"


def test_the_lock_survives_its_file_being_deleted(tmp_path):
    """Unlinking a lock file while a build held it once let a third build in."""
    out = tmp_path / "out"
    with staged_output(out) as files:
        stage = files.stage_dir
        files.write_if_changed(stage / "a.txt", "A")
        for lock in tmp_path.glob(".out.lock"):
            lock.unlink()
        with pytest.raises(BuildError, match="另一个构建正在写入"):
            with staged_output(out):
                pass


# --- 4. a rebuild checks the disk, not its memory ---------------------------------------------

def product_code(out: Path) -> str:
    import sqlite3

    conn = sqlite3.connect(out / "registry.db")
    try:
        return conn.execute("SELECT code FROM products ORDER BY code LIMIT 1").fetchone()[0]
    finally:
        conn.close()


def workshop_id(out: Path) -> str:
    return sorted(p.parent.parent.name for p in (out / "site" / "w").glob("*/poster/index.html"))[0]


def test_a_rebuild_restores_deleted_defaced_and_garbage_files(first_build, small_registry, tmp_path):
    out = copy_output(first_build, tmp_path)
    build(small_registry, out)  # the copy's first rebuild reads every file once and records its stat
    code, workshop = product_code(out), workshop_id(out)
    site = out / "site"
    page = site / urls.output_path(urls.product(code))
    png = site / urls.output_path(urls.qr_file(code, "png"))
    poster = site / urls.output_path(urls.poster_page(workshop))
    home = site / "index.html"
    expected = {p: p.read_bytes() for p in (page, png, poster, home)}
    page.unlink()
    png.write_bytes(b"garbage")
    poster.unlink()
    defaced = home.read_text(encoding="utf-8").replace("</body>", "<p>defaced</p></body>")
    stat = home.stat()
    home.write_text(defaced, encoding="utf-8")
    os.utime(home, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # the mtime put back: only ctime tells
    build(small_registry, out)
    assert {p: p.read_bytes() for p in expected} == expected
    assert build(small_registry, out).pages["written"] == 0


def test_a_forged_row_digest_does_not_let_an_invalid_row_in(first_build, small_registry, tmp_path, monkeypatch):
    """The row digests a rebuild trusts are in the signed record: one made without the key (here,
    a record signed with another user's key) is not believed, so the whole registry is validated."""
    from site_builder.build import key, state
    from site_builder.errors import ValidationFailed

    out = copy_output(first_build, tmp_path)
    data = Path(shutil.copytree(small_registry, tmp_path / "data"))
    rows = (data / "products.csv").read_text(encoding="utf-8").splitlines()
    header = rows[0].split(",")
    cells = rows[1].split(",")
    cells[header.index("name")] = "=HYPERLINK(\"http://evil.example\")"
    rows[1] = ",".join(cells)
    (data / "products.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    # What an attacker would plant: the validation memory of the edited registry (computed with
    # the project's own code), in a record signed with a key that is not this user's.
    from site_builder.registry.package import Package
    from site_builder.validate import memory as validate_memory

    package = Package.load(data)
    memory = validate_memory.memory_of(package, validate_memory.scan_tables(package))
    record = state.load(out)
    sections = record.sections()
    sections[validate_memory.SECTION] = memory.to_bytes()
    other = tmp_path / "other-user"
    monkeypatch.setenv("XDG_STATE_HOME", str(other))
    key._load.cache_clear()
    forged = state.encode(sections)
    monkeypatch.undo()
    key._load.cache_clear()
    (out / state.NAME).write_bytes(forged)
    (out / ".validated-rows").write_bytes(memory.to_bytes())  # the record of older builds
    before = tree_digest(out / "site")
    with pytest.raises(ValidationFailed) as failed:
        build(data, out)
    assert any(p.rule == "formula-injection" for p in failed.value.report.problems)
    assert tree_digest(out / "site") == before


def test_staging_folders_of_dead_builds_are_removed(first_build, small_registry, tmp_path):
    out = copy_output(first_build, tmp_path)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    leftover = tmp_path / f".out.building-{dead.stdout.strip()}"
    (leftover / "site").mkdir(parents=True)
    (leftover / "site" / "index.html").write_text("half a build", encoding="utf-8")
    not_ours = tmp_path / ".out.building-notapid"
    not_ours.mkdir()
    build(small_registry, out)
    assert not leftover.exists()
    assert not_ours.is_dir(), "only a name a build gives is taken for a staging folder"


def test_a_journal_whose_stage_is_gone_rebuilds_from_scratch(first_build, small_registry, tmp_path, monkeypatch):
    """A commit cut short whose staging folder was then deleted used to leave stale pages for good."""
    out = copy_output(first_build, tmp_path)
    build(small_registry, out)
    data = Path(shutil.copytree(small_registry, tmp_path / "data"))
    fresh = tmp_path / "fresh"
    products = (data / "products.csv").read_text(encoding="utf-8")
    name = products.splitlines()[1].split(",")[2]
    (data / "products.csv").write_text(products.replace(name, "改名测试（演示）", 1), encoding="utf-8")
    real_replace, moves = os.replace, []

    def cut(src, dst):
        # The power goes right after the new registry.db is in place, before any page is.
        if ".out.building-" in str(src) and str(dst).startswith(f"{out}/"):
            if moves and moves[-1].endswith("registry.db"):
                raise KeyboardInterrupt("power cut")
            moves.append(str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", cut)
    with pytest.raises(KeyboardInterrupt):
        build(data, out)
    monkeypatch.setattr(os, "replace", real_replace)
    for stage in tmp_path.glob(".out.building-*"):
        shutil.rmtree(stage)  # someone tidied up
    build(data, out)
    build(data, fresh)
    # /changes/ compares with the previous build, which a fresh build does not have.
    compared = {"changes/index.html", "data/changes.json"}
    now, expected = (tree_digest(o / "site", inodes=False) for o in (out, fresh))
    assert {k: v for k, v in now.items() if k not in compared} == {k: v for k, v in expected.items() if k not in compared}


def test_the_qr_command_keeps_the_output_and_its_record_in_step(first_build, small_registry, tmp_path):
    """`zuofang qr` rewrites QR files through a staged commit: the next build still trusts the
    output (nothing validated or rendered again), and a damaged code is drawn again."""
    out = copy_output(first_build, tmp_path)
    build(small_registry, out)
    before = tree_digest(out)
    result = CliRunner().invoke(cli, ["qr", str(out)])
    assert result.exit_code == 0, result.output
    assert {k: v for k, v in tree_digest(out).items() if k != ".zuofang-state"} == \
        {k: v for k, v in before.items() if k != ".zuofang-state"}
    again = build(small_registry, out)
    assert again.validation == "same" and again.pages["written"] == 0
    png = out / "site" / urls.output_path(urls.qr_file(product_code(out), "png"))
    good = png.read_bytes()
    png.write_bytes(b"garbage")
    assert CliRunner().invoke(cli, ["qr", str(out)]).exit_code == 0
    assert png.read_bytes() == good
    refused = CliRunner().invoke(cli, ["qr", str(tmp_path)])
    assert refused.exit_code == 1 and "Zuofang 的" in refused.output and "Traceback" not in refused.output


# --- 6. the page writer stays inside its tree -------------------------------------------------

def test_the_writer_refuses_a_path_that_climbs_out(tmp_path):
    from site_builder.build.files import UnsafeWrite

    with pytest.raises(UnsafeWrite):
        with staged_output(tmp_path / "out") as files:
            stage = files.stage_dir
            files.write_if_changed(stage / "site" / "01" / "x" / "10" / ".." / "index.html", "batch page")
    assert not (tmp_path / "out").exists()


# --- 9. a read-only output ----------------------------------------------------------------------

def test_a_read_only_output_is_refused_before_any_work(first_build, small_registry, tmp_path, monkeypatch):
    import errno

    out = copy_output(first_build, tmp_path)
    real_access, real_mkdir = os.access, os.mkdir

    def read_only(path, mode, *args, **kwargs):
        if mode & os.W_OK and str(path).startswith(str(tmp_path)):
            return False
        return real_access(path, mode, *args, **kwargs)

    def no_mkdir(path, *args, **kwargs):
        if str(path).startswith(str(tmp_path)):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "access", read_only)
    monkeypatch.setattr(os, "mkdir", no_mkdir)
    validated = []
    from site_builder.validate import whole as validate

    monkeypatch.setattr(validate, "validate_registry", lambda d: validated.append(d))
    result = CliRunner().invoke(cli, ["build", str(small_registry), "--out", str(out)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "无法写入" in result.output and str(out) in result.output
    assert validated == []
