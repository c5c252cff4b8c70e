"""A rebuild that renders only the pages whose rows changed gives exactly the site a fresh build
of the same data gives: one case per kind of change (site/scope.py's table, row by row)."""
from __future__ import annotations

import csv
import os
import re
import shutil
import sys
from pathlib import Path

import pytest
from test_build import comparable_record
from test_site_pages_build import build_pages, edit_csv, first, tree

from site_builder.registry.package import TABLE_ORDER

#: /changes/ compares with the previous build, so it differs from a first build by design.
COMPARED_WITH_PREVIOUS = {"changes/index.html", "data/changes.json"}


def append_copy(path: Path, key: str, value: str, **changes) -> None:
    """Add a row: a copy of the row whose `key` is `value`, with `changes`."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    new = {**next(r for r in rows if r[key] == value), **changes}
    with open(path, "a", encoding="utf-8", newline="") as f:
        csv.DictWriter(f, fieldnames=list(rows[0])).writerow(new)


def recalled(data: Path) -> dict:
    return first(data / "recalls.csv", "id")


def append_row(path: Path, **row) -> None:
    with open(path, encoding="utf-8-sig", newline="") as f:
        fields = next(csv.reader(f))
    with open(path, "a", encoding="utf-8", newline="") as f:
        csv.DictWriter(f, fieldnames=fields, restval="").writerow(row)


def edit_first_row(path: Path, **changes) -> None:
    """Change cells of the first data row only (a table whose key spans two columns)."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames, list(reader)
    rows[0].update(changes)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def latest_checklist_result_changed(data: Path) -> None:
    """An item of one business's latest checklist inspection (the one its page shows) fails."""
    with open(data / "inspection_items.csv", encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        fields, items = reader.fieldnames, list(reader)
    checked = {r["inspection_id"] for r in items}
    with open(data / "inspections.csv", encoding="utf-8-sig", newline="") as f:
        inspections = [r for r in csv.DictReader(f) if r["id"] in checked]
    latest = {}
    for i in sorted(inspections, key=lambda r: (r["date"], r["id"])):
        latest[i["operator_id"]] = i["id"]
    shown = latest[min(latest)]
    row = next(r for r in items if r["inspection_id"] == shown and r["result"] == "符合")
    row.update(result="不符合", note="复查时发现问题（演示）")
    with open(data / "inspection_items.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(items)


def upgrade_recorded(data: Path) -> None:
    """A workshop without an upgrade takes out an SC licence."""
    with open(data / "upgrades.csv", encoding="utf-8", newline="") as f:
        upgraded = {r["operator_id"] for r in csv.DictReader(f)}
    with open(data / "operators.csv", encoding="utf-8", newline="") as f:
        workshop = next(r for r in csv.DictReader(f) if r["kind"] == "workshop" and r["id"] not in upgraded)
    append_row(data / "upgrades.csv", operator_id=workshop["id"], upgraded_on="2026-05-01",
               sc_licence_no="SC12414082400099", enterprise_name="升级后的食品有限公司（演示）")


CHANGES = {
    "product renamed": lambda d: edit_csv(d / "products.csv", "code", first(d / "products.csv", "code")["code"],
                                          "name", "改名后的麻花（演示）"),
    "recalled product renamed": lambda d: edit_csv(d / "products.csv", "code", recalled(d)["product_code"],
                                                   "name", "被召回的新名字（演示）"),
    "business renamed": lambda d: edit_csv(d / "operators.csv", "id", recalled(d)["operator_id"],
                                           "name", "改名后的作坊（演示）"),
    "business suspended": lambda d: edit_csv(d / "operators.csv", "id", first(d / "brands.csv", "id")["operator_id"],
                                             "status", "suspended"),
    "grade lowered": lambda d: edit_csv(d / "grades.csv", "inspection_id",
                                        first(d / "grades.csv", "grade", grade="A")["inspection_id"], "grade", "C"),
    "sampling lab changed": lambda d: edit_csv(d / "samplings.csv", "id", recalled(d)["sampling_id"],
                                               "lab", "另一家检验机构（演示）"),
    "recall closed": lambda d: (edit_csv(d / "recalls.csv", "id", first(d / "recalls.csv", "id", status="ongoing")["id"],
                                         "closed_on", "2026-10-30"),
                                edit_csv(d / "recalls.csv", "id", first(d / "recalls.csv", "id", status="ongoing")["id"],
                                         "status", "closed")),
    "brand story": lambda d: edit_csv(d / "brands.csv", "id", first(d / "brands.csv", "id")["id"], "story", "新的故事。"),
    # A product with samplings: its page must still find them though its maker's page is kept.
    "raw material supplier": lambda d: edit_csv(d / "material_sources.csv", "product_code",
                                                first(d / "samplings.csv", "id")["product_code"],
                                                "supplier", "新的供应商（演示）"),
    "inspection reply": lambda d: edit_csv(d / "inspections.csv", "id", first(d / "inspections.csv", "id")["id"],
                                           "reply", "已整改完毕。"),
    "penalty text": lambda d: edit_csv(d / "penalties.csv", "id", first(d / "penalties.csv", "id")["id"],
                                       "penalty", "警告"),
    "station renamed": lambda d: edit_csv(d / "stations.csv", "id", first(d / "stations.csv", "id")["id"],
                                          "name", "新监管所（演示）"),
    "park renamed": lambda d: edit_csv(d / "parks.csv", "id", first(d / "parks.csv", "id")["id"],
                                       "name", "新加工区（演示）"),
    "region renamed": lambda d: edit_csv(d / "regions.csv", "code", first(d / "regions.csv", "code", level="county")["code"],
                                         "name", "新县名（演示）"),
    "target raised": lambda d: edit_csv(d / "targets.csv", "metric", "graded_share", "target", "99"),
    "product added": lambda d: append_copy(d / "products.csv", "code", first(d / "products.csv", "code")["code"],
                                           code="pnew1", gtin="", name="新产品（演示）"),
    # checklists, 信息公开栏, upgrades, closures, activities, programmes
    "checklist item renamed": lambda d: edit_csv(d / "checklist_items.csv", "id", "lx-licence", "name", "亮照经营（改）"),
    "checklist renamed": lambda d: edit_csv(d / "checklists.csv", "id", "baxiang", "name", "八项要求（修订）"),
    "checklist result changed": latest_checklist_result_changed,
    # an item of an older inspection, which no page shows any more
    "old checklist result changed": lambda d: edit_first_row(d / "inspection_items.csv", result="不符合",
                                                             note="复查时发现问题（演示）"),
    "board updated": lambda d: edit_csv(d / "boards.csv", "operator_id", first(d / "boards.csv", "operator_id")["operator_id"],
                                        "suppliers", "新的供应商（演示）"),
    "upgrade recorded": upgrade_recorded,
    "zone kind changed": lambda d: edit_csv(d / "parks.csv", "id", first(d / "parks.csv", "id")["id"], "kind", "park"),
    "closure notice amended": lambda d: edit_csv(d / "closures.csv", "id", first(d / "closures.csv", "id")["id"],
                                                 "action", "依法予以取缔。"),
    "activity added": lambda d: append_copy(d / "activities.csv", "id", first(d / "activities.csv", "id")["id"],
                                            id="hd-9999", title="新增的产业协会活动（演示）"),
    "programme renamed": lambda d: edit_csv(d / "programmes.csv", "id", "zq-2022", "name", "改名后的工作方案（演示）"),
    "programme target raised": lambda d: edit_csv(d / "programme_targets.csv", "programme_id", "ja-2019", "target", "99"),
}
#: Changes that no record page shows (overview pages only: regions, zones, programmes, closures).
OVERVIEW_ONLY = {"target raised", "closure notice amended", "activity added", "programme renamed",
                 "programme target raised"}


@pytest.fixture(scope="module")
def base(tmp_path_factory, small_registry) -> Path:
    """One database+site build of the small registry, copied by every case."""
    out = tmp_path_factory.mktemp("incremental-base") / "out"
    build_pages(small_registry, out)
    return out


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_rebuild_equals_a_fresh_build(change, base, small_registry, tmp_path):
    data = Path(shutil.copytree(small_registry, tmp_path / "data"))
    out = Path(shutil.copytree(base, tmp_path / "out", symlinks=True))
    CHANGES[change](data)
    rebuilt = build_pages(data, out)
    build_pages(data, tmp_path / "fresh")
    # registry.db (published as site/data/registry.db) was updated, not built again; a region
    # change makes every county rule doubtful, so the whole registry is validated.
    validation = "all" if change == "region renamed" else "changed"
    assert (rebuilt.validation, rebuilt.database) == (validation, "updated")
    if change in ("station renamed", "park renamed", "region renamed", "zone kind changed"):
        assert rebuilt.pages["kept"] == 0, "every business page shows its station, park and region: all render"
    elif change in OVERVIEW_ONLY:
        assert rebuilt.pages["records"] == 0, "targets are shown on the region pages only"
    else:
        assert 0 < rebuilt.pages["records"] < 40 and rebuilt.pages["kept"] > 150
    now, fresh = tree(out / "site"), tree(tmp_path / "fresh" / "site")
    assert now.keys() == fresh.keys()
    differing = sorted(k for k in now if now[k] != fresh[k] and k not in COMPARED_WITH_PREVIOUS)
    assert differing == []


def rewritten_pages(rebuilt) -> set[str]:
    """The site's HTML files a rebuild wrote (changed_files() names them in the staging folder)."""
    return {p.as_posix().split("/site/", 1)[1] for p in rebuilt.files.changed_files()
            if p.suffix == ".html" and "/site/" in p.as_posix()} - COMPARED_WITH_PREVIOUS


def pages_showing(site: Path, text: str) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*.html") if text in p.read_text(encoding="utf-8")}


@pytest.mark.parametrize("change, shown", [("checklist item renamed", "亮照经营（改）"),
                                           ("checklist result changed", "复查时发现问题（演示）")])
def test_a_changed_checklist_item_renders_exactly_the_business_pages_showing_it(change, shown, base,
                                                                              small_registry, tmp_path):
    """The business pages rendered again are exactly those whose latest checklist shows the
    changed item; the only other pages rewritten are the region and zone pages whose shares
    of businesses meeting each item changed, and /data/ (the changed file's size and sha256)."""
    data = Path(shutil.copytree(small_registry, tmp_path / "data"))
    out = Path(shutil.copytree(base, tmp_path / "out", symlinks=True))
    CHANGES[change](data)
    rebuilt = build_pages(data, out)
    site = out / "site"
    showing = pages_showing(site, shown)
    businesses = {p for p in showing if p.startswith("w/")}
    assert businesses, "some business page shows the changed item"
    rewritten = rewritten_pages(rebuilt)
    assert {p for p in rewritten if not p.startswith(("regions/", "zones/")) and p != "data/index.html"} == businesses
    assert rebuilt.pages["records"] == len(businesses)
    if change == "checklist item renamed":
        assert rewritten - {"data/index.html"} == showing, "every page naming the item (business, region and zone pages)"


@pytest.mark.parametrize("change", ["product renamed", "business renamed", "product added", "recall closed",
                                    "business suspended"])
def test_the_search_index_is_patched_not_rewritten(change, base, small_registry, tmp_path, monkeypatch):
    """Renamed records move in the name order and the records between them shift; a new one
    shifts all after it, a suspended business goes after those that may operate: the index is
    updated, not rewritten, and equals a fresh build's."""
    from site_builder import search as sitesearch

    data = Path(shutil.copytree(small_registry, tmp_path / "data"))
    out = Path(shutil.copytree(base, tmp_path / "out", symlinks=True))
    CHANGES[change](data)
    fresh = tmp_path / "fresh"
    build_pages(data, fresh)

    def no_whole_index(docs, root):
        raise AssertionError("the whole index was written")

    monkeypatch.setattr(sitesearch, "write_index", no_whole_index)
    build_pages(data, out)
    index = "search/index/"
    now = {k: v for k, v in tree(out / "site").items() if k.startswith(index)}
    assert now == {k: v for k, v in tree(fresh / "site").items() if k.startswith(index)}


@pytest.mark.parametrize("way", ["grows past", "shrinks below"])
def test_a_gram_crossing_the_solo_size_changes_file_in_the_patch(way, small_registry, tmp_path, monkeypatch):
    """A gram whose positions grow past SOLO_BYTES gets a file of its own (its bucket says 0),
    one that shrinks below goes back into its bucket: the patched index equals a fresh build's."""
    from site_builder import search as sitesearch
    from site_builder.database.build import build_database
    from site_builder.registry.package import Package
    from site_builder.search import index

    update = sys.modules["site_builder.search.update"]  # the package's `update` is its function

    old, new = Path(shutil.copytree(small_registry, tmp_path / "old")), Path(shutil.copytree(small_registry, tmp_path / "data"))
    CHANGES["product renamed"](new)

    def sizes(data: Path) -> dict[str, int]:
        build_database(Package.load(data), tmp_path / "sizes.db")
        docs = index.read_docs(tmp_path / "sizes.db")
        postings = index.build_postings(docs, max(len(d.text) for d in docs) + 1)
        return {g: index.size_of(g, index._dumps(index._deltas(p))) for g, p in postings.items()}

    before, after = sizes(old), sizes(new)
    grows = way == "grows past"
    gram = min(g for g in before.keys() & after.keys() if (before[g] < after[g]) == grows and before[g] != after[g])
    monkeypatch.setattr(index, "SOLO_BYTES", min(before[gram], after[gram]))
    for module in (index, update):  # one gram file: crossing never changes their number
        monkeypatch.setattr(module, "BUCKET_BYTES", 10 ** 9)
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    build_pages(old, out)
    build_pages(new, fresh)
    alone = out / "site" / index.INDEX_DIR / index.solo_name(gram)
    assert alone.exists() != grows

    def no_whole_index(docs, root):
        raise AssertionError("the whole index was written")

    monkeypatch.setattr(sitesearch, "write_index", no_whole_index)
    build_pages(new, out)
    assert alone.exists() == grows
    prefix = "search/index/"
    now = {k: v for k, v in tree(out / "site").items() if k.startswith(prefix)}
    assert now == {k: v for k, v in tree(fresh / "site").items() if k.startswith(prefix)}


def test_a_rebuild_exports_only_the_changed_table(base, small_registry, tmp_path):
    """/data/ keeps the previous build's CSV of every table whose registry file did not change
    (the same file, not rewritten), and the export of the changed one."""
    data = Path(shutil.copytree(small_registry, tmp_path / "data"))
    out = Path(shutil.copytree(base, tmp_path / "out", symlinks=True))
    before = {p.name: p.stat().st_ino for p in (out / "site" / "data").glob("*.csv")}
    CHANGES["product renamed"](data)
    build_pages(data, out)
    after = {p.name: p.stat().st_ino for p in (out / "site" / "data").glob("*.csv")}
    assert len(before) == len(TABLE_ORDER) and after.keys() == before.keys()
    assert [name for name in sorted(after) if after[name] != before[name]] == ["products.csv"]
    assert "改名后的麻花（演示）" in (out / "site" / "data" / "products.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize("change, read", [
    (None, set()),
    ("grade lowered", {"checklist_shares", "zone_checklist_shares", "programme_progress", "latest_checklist_items",
                       "region_figures"})])
def test_a_rebuild_reads_only_the_views_its_pages_show(change, read, base, small_registry, tmp_path, monkeypatch):
    """The views are most of what reading registry.db costs: a rebuild with nothing changed
    reads none of them; after a grade (shown on region, zone and programme pages and its
    business's page) the ones those pages show."""
    from site_builder.site import registry

    data = Path(shutil.copytree(small_registry, tmp_path / "data"))
    out = Path(shutil.copytree(base, tmp_path / "out", symlinks=True))
    if change:
        CHANGES[change](data)
    asked, real = [], registry._rows

    def spy(conn, sql):
        named = re.match(r"select \* from \[?(\w+)\]?", sql)
        if named and named.group(1) in registry.VIEWS:
            asked.append(named.group(1))
        return real(conn, sql)

    monkeypatch.setattr(registry, "_rows", spy)
    build_pages(data, out)
    assert set(asked) == read


def test_pages_rendered_by_worker_processes_are_the_same(base, small_registry, tmp_path, monkeypatch):
    """A large build renders record pages in forked workers; what they write, and what the build
    records of it, equals one process's work."""
    from site_builder.build import background
    from site_builder.site import parallel

    monkeypatch.setattr(parallel, "MIN_PAGES", 1)
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    monkeypatch.setattr(background, "workers", lambda: 2)
    forked = []
    real = parallel.render_records
    monkeypatch.setattr(parallel, "render_records", lambda *args: forked.append(args[2]) or real(*args))
    out = tmp_path / "out"
    first_build = build_pages(small_registry, out)
    assert forked == [2]
    assert tree(out) == tree(base)
    assert comparable_record(out) == comparable_record(base)
    assert first_build.pages["records"] > 100
    assert build_pages(small_registry, out).pages["written"] == 0


def test_a_failure_in_the_background_process_stops_the_build(small_registry, tmp_path, monkeypatch):
    """The search index and downloads are made in a forked process during a full render; what
    goes wrong there fails the build like anywhere else, and nothing is published."""
    from site_builder.publish import build as publish
    from site_builder.errors import BuildError
    from site_builder.build import background
    from site_builder.site import parallel

    monkeypatch.setattr(parallel, "workers", lambda: 2)
    monkeypatch.setattr(background, "workers", lambda: 2)
    where = tmp_path / "pid"

    def disk_full(*args):
        where.write_text(str(os.getpid()))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(publish, "publish_package", disk_full)
    with pytest.raises(BuildError, match="No space left on device"):
        build_pages(small_registry, tmp_path / "out")
    assert int(where.read_text()) != os.getpid(), "made in the background process"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pid"], "nothing published, no stage left"
