"""A staged build writes only what changed and publishes it with one commit (site_builder/files.py)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_build import tree_digest

from site_builder.build import manifest, output, state
from site_builder.build.pipeline import build, staged_output


def recorded_files(out: Path) -> list[str]:
    """The files the output's state record says its last build produced."""
    return sorted(manifest.decode(state.load(out).previous(manifest.SECTION)))


def staged(out: Path, contents: dict[str, str]) -> None:
    """One build of `contents` (path -> text) into `out` through a staging folder."""
    with staged_output(out) as files:
        stage = files.stage_dir
        for name, text in contents.items():
            files.write_if_changed(stage / name, text)


def test_the_stage_receives_only_changed_files_and_the_commit_removes_dropped_ones(tmp_path):
    out = tmp_path / "out"
    staged(out, {"a/index.html": "A", "b/index.html": "B", "c.txt": "C"})
    (out / "notes.txt").write_text("not ours", encoding="utf-8")  # never produced by a build
    inode_c = (out / "c.txt").stat().st_ino

    with staged_output(out) as files:
        stage = files.stage_dir
        assert not files.write_if_changed(stage / "c.txt", "C"), "same bytes: kept, not written"
        assert files.write_if_changed(stage / "a/index.html", "A2")
        assert files.write_if_changed(stage / "d/index.html", "D")
        assert sorted(p.relative_to(stage).as_posix() for p in stage.rglob("*") if p.is_file()) == \
            ["a/index.html", "d/index.html"]
        assert files.current(stage / "c.txt") == out / "c.txt"

    assert (out / "a/index.html").read_text() == "A2" and (out / "d/index.html").read_text() == "D"
    assert not (out / "b").exists(), "b was not produced again: removed with its folder"
    assert (out / "c.txt").stat().st_ino == inode_c
    assert (out / "notes.txt").read_text(encoding="utf-8") == "not ours"
    assert recorded_files(out) == ["a/index.html", "c.txt", "d/index.html"]
    assert not [p for p in tmp_path.iterdir() if p.name != "out"], "no staging folder left behind"


def recorded_digests(out: Path) -> dict[str, str]:
    return {rel: manifest.digest_of(line)
            for rel, line in manifest.decode(state.load(out).previous(manifest.SECTION)).items()}


def test_the_commit_lists_what_the_build_wrote_without_reading_it_back(tmp_path, monkeypatch):
    """At 50,000 businesses reading back the 600,000 files just written (8.9 GB) to list their
    digests took 100 s of the first build; the digest of the bytes written is the same."""
    import hashlib

    read_back = []
    real = manifest.sha256_of_file
    monkeypatch.setattr(manifest, "sha256_of_file", lambda path: read_back.append(path) or real(path))
    contents = {f"p/{n}/index.html": f"page {n}" for n in range(50)}
    staged(tmp_path / "out", contents)
    assert read_back == []
    assert recorded_digests(tmp_path / "out") == \
        {rel: hashlib.sha256(text.encode()).hexdigest() for rel, text in contents.items()}


def test_a_file_another_process_put_in_the_stage_is_replaced_or_kept_by_its_bytes(tmp_path):
    """A new file is created without a look on disk first; one that is there already (a forked
    process of the same build wrote it) is compared and replaced, never written through."""
    out = tmp_path / "out"
    with staged_output(out) as files:
        stage = files.stage_dir
        (stage / "p").mkdir()
        (stage / "p/index.html").write_text("by a worker", encoding="utf-8")
        (stage / "q").mkdir()
        (stage / "q/index.html").write_text("same", encoding="utf-8")
        linked = tmp_path / "elsewhere.txt"
        linked.write_text("not the build's", encoding="utf-8")
        os.link(linked, stage / "q/linked.html")
        assert files.write_if_changed(stage / "p/index.html", "by the parent")
        assert not files.write_if_changed(stage / "q/index.html", "same")
        assert files.write_if_changed(stage / "q/linked.html", "new")
    assert (out / "p/index.html").read_text(encoding="utf-8") == "by the parent"
    assert (out / "q/index.html").read_text(encoding="utf-8") == "same"
    assert linked.read_text(encoding="utf-8") == "not the build's", "a hard link is not written through"
    assert recorded_files(out) == ["p/index.html", "q/index.html", "q/linked.html"]


def test_a_worker_compares_a_page_with_what_its_parent_staged_not_with_the_previous_output(tmp_path):
    """The previous output holds "A"; this build's parent staged "B" before forking; a worker
    writing "A" again must replace "B" (comparing with the previous copy would keep "B")."""
    out = tmp_path / "out"
    staged(out, {"p/index.html": "A"})
    with staged_output(out) as files:
        page = files.stage_dir / "p/index.html"
        assert files.write_if_changed(page, "B")
        files.worker_started()  # what a forked worker does first (no fork needed to see it)
        assert files.write_if_changed(page, "A")
        assert page.read_text(encoding="utf-8") == "A"
        assert str(page) in files.changed, "the worker reports the page it changed"
        files.merge(*files.worker_result()[:2], None, files.worker_result()[3])
    assert (out / "p/index.html").read_text(encoding="utf-8") == "A"


def test_a_folder_removed_after_this_build_made_it_is_made_again(tmp_path):
    out = tmp_path / "out"
    with staged_output(out) as files:
        stage = files.stage_dir
        files.write_if_changed(stage / "p/a.html", "a")
        (stage / "p/a.html").unlink()
        (stage / "p").rmdir()
        files.produced.discard(str(stage / "p/a.html"))
        files.changed.discard(str(stage / "p/a.html"))
        files.written.pop(str(stage / "p/a.html"))
        assert files.write_if_changed(stage / "p/b.html", "b")
    assert (out / "p/b.html").read_text(encoding="utf-8") == "b"


def test_a_written_file_changed_before_the_commit_is_listed_as_it_is(tmp_path):
    """The digest taken when writing counts only while the file's stat is the one seen then."""
    import hashlib

    out = tmp_path / "out"
    with staged_output(out) as files:
        page = files.stage_dir / "p/index.html"
        files.write_if_changed(page, "written")
        page.write_text("changed", encoding="utf-8")  # same size, by hand, inside the stage
    assert (out / "p/index.html").read_text(encoding="utf-8") == "changed"
    assert recorded_digests(out) == {"p/index.html": hashlib.sha256(b"changed").hexdigest()}


def test_a_commit_cut_short_is_finished_by_the_next_build(tmp_path, monkeypatch):
    out = tmp_path / "out"
    staged(out, {"a.txt": "A", "b.txt": "B", "c.txt": "C"})
    real_replace, moves = os.replace, []

    def crash_after_one_move(src, dst):
        if ".out.building-" in str(src) and str(dst).startswith(f"{out}/"):  # staged file into OUT_DIR
            if moves:
                raise KeyboardInterrupt("power cut")
            moves.append(dst)
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash_after_one_move)
    with pytest.raises(KeyboardInterrupt):
        staged(out, {"a.txt": "A2", "b.txt": "B2"})
    monkeypatch.setattr(os, "replace", real_replace)
    assert (out / output.JOURNAL).is_file()
    assert (out / "a.txt").read_text() == "A2" and (out / "b.txt").read_text() == "B", "half done"

    assert output.recover(out) == "finished"
    assert {k: (out / k).read_text() for k in ("a.txt", "b.txt")} == {"a.txt": "A2", "b.txt": "B2"}
    assert not (out / "c.txt").exists() and not (out / output.JOURNAL).exists()
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_rebuilding_the_same_registry_touches_no_file(small_registry, tmp_path):
    """Every file of the second build is the first build's own (same inode): nothing was rewritten."""
    out = tmp_path / "out"
    build(small_registry, out)
    before = tree_digest(out)
    build(small_registry, out)
    assert tree_digest(out) == before


def test_a_second_build_into_the_same_out_dir_is_refused_while_one_runs(tmp_path):
    from site_builder.errors import BuildError

    out = tmp_path / "out"
    with staged_output(out) as files:
        stage = files.stage_dir
        files.write_if_changed(stage / "a.txt", "A")
        with pytest.raises(BuildError, match="另一个构建正在写入"):
            with staged_output(out):
                pass
    assert (out / "a.txt").read_text() == "A"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"], "no lock or staging folder left behind"


@pytest.mark.parametrize("rel", ["", "/etc/passwd", "../x", "a/../../x", "a/./b", ".", "..", "a//b", "a/", "a\\b",
                                 "a\x00b", "site/\x1f.html", "a\x7f", "a\nb", None, 7])
def test_a_recorded_path_leaving_its_folder_is_refused(rel):
    """Paths read from a record (files to keep or remove) must stay inside the output folder."""
    from site_builder.build import manifest
    from site_builder.build.paths import all_safe_relative, safe_relative

    assert not safe_relative(rel)
    if isinstance(rel, str) and "\n" not in rel:
        assert not all_safe_relative(["index.html", rel, "site/a.html"])
        line = f"index.html\t1\t2\t3\t4\t{'0' * 64}\n{rel}\t1\t2\t3\t4\t{'0' * 64}\n"
        assert manifest.decode(line.encode()) is None, "a file list naming it is not trusted"


@pytest.mark.parametrize("rel", ["index.html", "site/p/6901234567892/index.html", "site/w/s00001/a...b.html",
                                 "...", ".well-known/x", "site/数据/产品.csv", "a.b/c"])
def test_an_ordinary_recorded_path_is_accepted(rel):
    from site_builder.build import manifest
    from site_builder.build.paths import all_safe_relative, safe_relative

    assert safe_relative(rel)
    assert all_safe_relative(["index.html", rel, "site/a.html"])
    assert list(manifest.decode(f"{rel}\t1\t2\t3\t4\t{'0' * 64}\n".encode())) == [rel]


@pytest.mark.parametrize("size", ["x", "-1", "", " 6", "6.0"])
def test_an_entry_whose_size_is_not_a_number_is_damaged(tmp_path, size):
    """Entries are compared with a file's stat as they are written, never parsed whole: one
    whose numbers are not numbers matches no file, and its file is read and found changed."""
    import hashlib

    (tmp_path / "a.txt").write_bytes(b"page A")
    digest = hashlib.sha256(b"page A").hexdigest()
    line = f"a.txt\t{size}\t1\t2\t3\t{digest}\n".encode()
    assert manifest.verify(str(tmp_path), manifest.decode(line)) == ({}, ["a.txt"])


def test_an_entry_is_believed_by_its_stat_and_read_again_when_the_stat_differs(tmp_path):
    import hashlib

    page = tmp_path / "a.txt"
    page.write_bytes(b"page A")
    line = manifest.read_line("a.txt", str(page))
    assert manifest.verify(str(tmp_path), {"a.txt": line}) == ({"a.txt": line}, [])
    os.utime(page, ns=(1, 1))  # same bytes, another stat: read again, believed with the new stat
    held, damaged = manifest.verify(str(tmp_path), {"a.txt": line})
    assert damaged == [] and held["a.txt"] != line and manifest.same_stat(held["a.txt"], os.lstat(page))
    assert manifest.digest_of(held["a.txt"]) == hashlib.sha256(b"page A").hexdigest()
    page.write_bytes(b"page B")  # same size, other bytes
    assert manifest.verify(str(tmp_path), held) == ({}, ["a.txt"])
