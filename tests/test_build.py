"""`zuofang build` is atomic: a failed build leaves an existing OUT_DIR exactly as it was."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from site_builder.build import pipeline as build_module
from site_builder.build import state
from site_builder.build.pipeline import build
from site_builder.cli import cli
from site_builder.errors import BuildError, ValidationFailed


def tree_digest(root: Path, inodes: bool = True) -> dict[str, str]:
    """Every file under root with its content hash (and inode): equal digests mean an untouched tree.

    Without inodes (two trees compared for equal bytes), the build's state record is left out: it
    holds the stat of the files it lists and is signed with this user's key, so it belongs to one
    folder on one machine (site_builder/state.py), and it is not published."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() + (f"@{p.stat().st_ino}" if inodes else "")
        for p in sorted(root.rglob("*")) if p.is_file() and (inodes or p.name != state.NAME)
    }


def comparable_record(out: Path) -> dict:
    """The sections of an output's state record as two equal builds share them: the files listed
    with their digests (their stat belongs to one folder)."""
    from site_builder.build import manifest

    sections = state.load(out).sections()
    entries = manifest.decode(sections.pop(manifest.SECTION))
    return {**sections, manifest.SECTION: {rel: manifest.digest_of(line) for rel, line in entries.items()}}


@pytest.fixture(scope="module")
def built(tmp_path_factory, small_registry):
    out = tmp_path_factory.mktemp("atomic") / "out"
    build(small_registry, out)
    return out


def copy_registry(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def test_build_writes_database_and_site(built):
    assert (built / "registry.db").is_file()
    assert (built / "site" / "index.html").is_file()
    assert not [p for p in built.parent.iterdir() if p.name.startswith(".")], "no staging folder left behind"


def test_invalid_data_leaves_earlier_build_untouched(built, small_registry, tmp_path):
    before = tree_digest(built)
    data = copy_registry(small_registry, tmp_path / "data")
    operators = (data / "operators.csv").read_text(encoding="utf-8").splitlines()
    header = operators[0].split(",")
    cells = operators[1].split(",")
    cells[header.index("kind")] = "factory"
    operators[1] = ",".join(cells)
    (data / "operators.csv").write_text("\n".join(operators) + "\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as failed:
        build(data, built)
    assert any(p.file == "operators.csv" and p.row == 2 and p.field == "kind" for p in failed.value.report.problems)
    assert tree_digest(built) == before


def test_failing_stage_leaves_earlier_build_untouched(built, small_registry, monkeypatch):
    before = tree_digest(built)

    def broken_stage(ctx):
        # Damage the staging copy the way a careless writer would, then fail.
        (ctx.site_dir / "index.html").unlink()
        raise RuntimeError("disk full")

    monkeypatch.setattr(build_module, "STAGES", build_module.STAGES[:1] + [("site", broken_stage)])
    with pytest.raises(BuildError, match="原有输出"):
        build(small_registry, built)
    assert tree_digest(built) == before


def test_cli_reports_invalid_data_without_traceback(small_registry, tmp_path):
    data = copy_registry(small_registry, tmp_path / "data")
    (data / "products.csv").unlink()
    result = CliRunner().invoke(cli, ["build", str(data), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "products" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_two_builds_of_the_same_data_are_byte_identical(built, small_registry, tmp_path):
    """Every stage's output (database, pages, search index, downloads, QR images, PDFs, handbook)."""
    again = tmp_path / "again"
    build(small_registry, again)
    first, second = tree_digest(built, inodes=False), tree_digest(again, inodes=False)
    assert len(first) > 100
    assert first == second


def test_build_into_a_relative_out_dir(small_registry, tmp_path, monkeypatch):
    """`make demo` builds into build/site-out, relative to the checkout."""
    from site_builder.cli import DEFAULT_OUT

    monkeypatch.chdir(tmp_path)
    build(small_registry, Path(DEFAULT_OUT))
    assert (tmp_path / DEFAULT_OUT / "site" / "index.html").is_file()
    build(small_registry, Path(DEFAULT_OUT))


def test_the_makefile_builds_and_serves_the_clis_default_out_dir(repo_root):
    """One default OUT_DIR: `make demo` builds and serves where `zuofang build` would."""
    from site_builder.cli import DEFAULT_OUT

    makefile = (repo_root / "Makefile").read_text(encoding="utf-8")
    assert f"DEMO_OUT := {DEFAULT_OUT} " in makefile
    assert "zuofang build data --out $(DEMO_OUT)" in makefile and "zuofang serve $(DEMO_OUT)" in makefile


def test_a_registry_built_before_unchanged_is_not_validated_again(small_registry, tmp_path, monkeypatch):
    """Only a valid registry is built: the same files, descriptor and code need no second check,
    and any change to a file brings the check back."""
    from test_site_pages_build import edit_csv, first

    from site_builder.validate import whole as validate

    data = copy_registry(small_registry, tmp_path / "data")
    out = tmp_path / "out"
    build(data, out)
    checked = []
    real = validate.validate_registry
    monkeypatch.setattr(validate, "validate_registry", lambda d, **kw: checked.append(d) or real(d, **kw))
    build(data, out)
    assert checked == []
    product = first(data / "products.csv", "code")
    edit_csv(data / "products.csv", "code", product["code"], "status", "recalled-by-mistake")
    with pytest.raises(ValidationFailed):
        build(data, out)
    assert checked == [data]


def test_the_validation_scans_are_let_go_before_the_stages_run(small_registry, tmp_path, monkeypatch):
    """A first build's validation scans hold every row as read; kept to the end of the build they
    added hundreds of MB to every later stage's peak at 50,000 businesses."""
    import gc
    import weakref

    from site_builder.validate import memory as validate_memory

    held, alive = [], []
    remember = validate_memory.remember

    def remembering(package, records, memory=None, scans=None):
        held.extend(weakref.ref(scan) for scan in (scans or {}).values())
        return remember(package, records, memory, scans)

    def first_stage(ctx):
        gc.collect()
        alive.append(sum(ref() is not None for ref in held))
        raise RuntimeError("stop here")

    monkeypatch.setattr(validate_memory, "remember", remembering)
    monkeypatch.setattr(build_module, "STAGES", [("database", first_stage)])
    with pytest.raises(BuildError):
        build(small_registry, tmp_path / "out")
    assert held, "a first build validates every table and hands its scans to remember"
    assert alive == [0]
