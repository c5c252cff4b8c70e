"""The one declaration of outputs (site_builder/build/outputs.py) and the one state record: every
output family is declared once, built, checked by soundness and covered by the rebuild tests;
the state record is the only hidden record; changing any module of a stage changes its
fingerprint, so its output is made again."""
from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from site_builder import urls
from site_builder.build import fingerprint, outputs, state
from site_builder.build.soundness import missing_pages
from site_builder.registry.package import TABLE_ORDER


def test_every_family_is_declared_once():
    names = [f.name for f in outputs.FAMILIES]
    assert len(names) == len(set(names))
    addresses = [f.address_of("k1") for f in outputs.FILED if f.key and not f.spell]
    addresses += [a for f in outputs.FILED for a in f.addresses]
    assert len(addresses) == len(set(addresses)), "two families claim one address"


@pytest.mark.parametrize("family", outputs.KEYED, ids=lambda f: f.name)
def test_every_record_family_says_what_it_does_with_every_table(family):
    """A table is shown (its changed rows redo some records), redoes everything, or is ignored:
    a new registry table is redone everywhere until each family says which."""
    shown = {s.table for s in family.shows}
    assert shown | family.everything | family.ignores == set(TABLE_ORDER)
    assert not shown & family.ignores and not family.everything & family.ignores


def test_every_family_is_built_and_checked_by_soundness(demo_build, tmp_path):
    """The demo build holds every family's outputs; removing one output of any family makes the
    soundness check name it."""
    import sqlite3

    assert missing_pages(demo_build / "registry.db", demo_build / "site") == []
    out = tmp_path / "out"
    shutil.copytree(demo_build, out)
    conn = sqlite3.connect(out / "registry.db")
    removed = {}
    for family in outputs.FILED:
        if family.key is not None:
            key = conn.execute(family.keys_sql()).fetchone()
            assert key is not None, f"the demo has no {family.name}"
            address = family.address_of(key[0])
        else:
            address = family.addresses[0]
        path = out / "site" / urls.output_path(address)
        assert path.is_file(), f"{family.name}: {address} was not built"
        path.unlink()
        removed[family.name] = address
    conn.close()
    problems = "\n".join(missing_pages(out / "registry.db", out / "site"))
    for name, address in removed.items():
        assert address in problems, f"soundness does not check {name}"


def _tables_changed(changes: dict, registry: Path, tmp_path: Path) -> set[str]:
    """The registry tables each rebuild-test change edits (applied to a copy, files compared)."""
    touched = set()
    for number, (name, steps) in enumerate(changes.items()):
        data = Path(shutil.copytree(registry, tmp_path / f"c{number}"))
        for step in steps if isinstance(steps, list) else [steps]:
            step(data)
        for table in TABLE_ORDER:
            before = list(csv.reader(io.StringIO((registry / f"{table}.csv").read_text(encoding="utf-8"))))
            after = list(csv.reader(io.StringIO((data / f"{table}.csv").read_text(encoding="utf-8"))))
            if before != after:
                touched.add(table)
    return touched


def test_every_table_a_family_shows_is_covered_by_the_rebuild_tests(small_registry, tmp_path):
    """Each table a family shows (or redoes everything for) is changed by at least one case of
    the byte-for-byte rebuild tests of its stage."""
    from test_images_incremental import CHANGES as IMAGE_CHANGES
    from test_incremental import CHANGES as SITE_CHANGES
    from test_qr_incremental import CHANGES as QR_CHANGES

    tested = {"site": _tables_changed(SITE_CHANGES, small_registry, tmp_path / "site"),
              "qr": _tables_changed(QR_CHANGES, small_registry, tmp_path / "qr"),
              "images": _tables_changed(IMAGE_CHANGES, small_registry, tmp_path / "images")}
    tested["search"] = tested["site"]  # the site rebuild test compares the search index too
    for family in outputs.KEYED:
        wanted = {s.table for s in family.shows} | family.everything
        assert wanted <= tested[family.stage], f"{family.name}: no rebuild test changes {wanted - tested[family.stage]}"


def test_the_state_record_is_the_only_hidden_record(demo_build):
    """Besides the commit journal (there only while a commit runs), a build keeps nothing of its
    own in the output folder but the one state record."""
    hidden = sorted(p.relative_to(demo_build).as_posix() for p in demo_build.rglob(".*"))
    assert hidden == [state.NAME]
    assert state.load(demo_build).authentic
    assert sorted(p.name for p in demo_build.iterdir()) == [state.NAME, "datasette_metadata.json", "registry.db", "site"]


@pytest.mark.parametrize("stage", sorted(fingerprint.STAGES))
def test_changing_any_module_of_a_stage_changes_its_fingerprint(stage, repo_root, tmp_path, monkeypatch):
    """Every module a stage imports, directly or not, and every data file beside them, is part of
    the fingerprint that decides whether the stage may keep its previous output."""
    copy = tmp_path / "tree"
    for package in fingerprint.PROJECT:
        shutil.copytree(repo_root / package, copy / package, ignore=shutil.ignore_patterns("__pycache__"))
    caches = (fingerprint._fingerprint, fingerprint._source, fingerprint._data_files)

    def digest() -> str:
        for cached in caches:
            cached.cache_clear()
        return fingerprint.of_stage(stage)

    monkeypatch.setattr(fingerprint, "ROOT", copy)
    try:
        before = digest()
        found, _libraries = fingerprint.closure(fingerprint.STAGES[stage])
        assert len(found) > 3 and all(copy in path.parents for path in found.values())
        for name, path in sorted(found.items()):
            text = path.read_text(encoding="utf-8")
            path.write_text(text + "\n# changed\n", encoding="utf-8")
            assert digest() != before, f"{stage}: a change to {name} would keep stale output"
            path.write_text(text, encoding="utf-8")
        assert digest() == before
    finally:
        monkeypatch.undo()
        for cached in caches:
            cached.cache_clear()


def test_the_libraries_a_stage_imports_are_found_as_the_stdlib_finds_them():
    """The fingerprint's faster reading of which distribution installs which top-level module
    gives importlib.metadata's own answer for every module installed here, so a library upgrade
    still changes the fingerprints of the stages importing it."""
    from importlib import metadata

    fingerprint._installed.cache_clear()
    ours = {top: [dist.metadata["Name"] for dist in dists] for top, dists in fingerprint._installed().items()}
    assert ours == metadata.packages_distributions()
    assert "jinja2" in ours and "PIL" in ours  # modules of distributions with and without top_level.txt


def test_an_import_anywhere_in_a_module_is_followed(tmp_path, monkeypatch):
    """The fingerprint follows imports at module level and nested in functions, classes, and
    if / try / except / else / finally / with / for / while / match blocks."""
    nested = {
        "def f():\n    import {m}\n": "in a function",
        "class C:\n    def f(self):\n        from . import {m}\n": "in a method",
        "if X:\n    pass\nelse:\n    import {m}\n": "in an else",
        "try:\n    pass\nexcept E:\n    import {m}\n": "in an except",
        "try:\n    pass\nfinally:\n    import {m}\n": "in a finally",
        "with x:\n    for y in z:\n        while w:\n            import {m}\n": "in a loop",
        "match x:\n    case 1:\n        import {m}\n": "in a match case",
    }
    root = tmp_path / "tree"
    (root / "site_builder").mkdir(parents=True)
    (root / "site_builder" / "__init__.py").write_text("")
    lines = []
    for i, template in enumerate(nested):
        (root / "site_builder" / f"m{i}.py").write_text("")
        lines.append(template.replace("{m}", f"site_builder.m{i}" if "from" not in template else f"m{i}"))
    (root / "site_builder" / "entry.py").write_text("\n".join(lines))
    monkeypatch.setattr(fingerprint, "ROOT", root)
    for cached in (fingerprint._fingerprint, fingerprint._source, fingerprint._data_files):
        cached.cache_clear()
    try:
        found, _libraries = fingerprint.closure(["site_builder.entry"])
    finally:
        monkeypatch.undo()
        for cached in (fingerprint._fingerprint, fingerprint._source, fingerprint._data_files):
            cached.cache_clear()
    missed = [where for i, where in enumerate(nested.values()) if f"site_builder.m{i}" not in found]
    assert missed == []


def test_a_page_template_change_does_not_redraw_the_qr_codes():
    """The QR stage keeps 180,000 codes' files at 50,000 businesses while its code is the same:
    its code must not take in the site stage's renderers and templates (a shared helper such as
    the forked-process Background lives in build/, not site/), or editing a page template would
    redraw every code (165 s)."""
    found, _libraries = fingerprint.closure(fingerprint.STAGES["qr"])
    assert "qr.build" in found and "site_builder.build.background" in found
    assert [name for name in found if name.startswith("site_builder.site")] == []
