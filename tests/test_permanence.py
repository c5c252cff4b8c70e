"""Published addresses never disappear: a build that would drop one fails and publishes nothing."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from site_builder import urls
from site_builder.build import permanence
from site_builder.database.build import build_database
from site_builder.build.files import Files
from site_builder.errors import PermanenceError
from site_builder.registry.package import Package


def _ctx(out: Path, previous: Path | None):
    return SimpleNamespace(site_dir=out / "site", previous_dir=previous, stage_dir=out, files=Files())


def test_first_build_records_every_address_sorted_one_per_line(tmp_path):
    permanence.check_and_record(["/w/b/", "/p/a1/", "/", "/p/a1/"], _ctx(tmp_path / "one", None))
    text = (tmp_path / "one" / "site" / "data" / "addresses.txt").read_text(encoding="utf-8")
    assert text == "/\n/p/a1/\n/w/b/\n"


def test_dropping_a_published_address_fails_and_names_it(tmp_path):
    first = tmp_path / "first"
    permanence.check_and_record(["/p/a1/", "/p/a2/", "/w/b/", "/brands/x/", "/notices/"], _ctx(first, None))
    with pytest.raises(PermanenceError) as caught:
        permanence.check_and_record(["/p/a1/", "/w/b/"], _ctx(tmp_path / "second", first))
    assert caught.value.dropped == ["/brands/x/", "/p/a2/"]
    assert "/p/a2/" in str(caught.value) and "/brands/x/" in str(caught.value)
    assert not (tmp_path / "second" / "site" / "data" / "addresses.txt").exists()


def test_an_output_without_a_record_is_checked_by_its_pages(tmp_path):
    old = tmp_path / "old"
    for address in ("/p/a1/", "/w/b/", "/about/"):
        page = old / "site" / urls.output_path(address)
        page.parent.mkdir(parents=True)
        page.write_text("<html></html>", encoding="utf-8")
    with pytest.raises(PermanenceError) as caught:
        permanence.check_and_record(["/p/a1/"], _ctx(tmp_path / "new", old))
    assert caught.value.dropped == ["/w/b/"]


def test_pages_that_are_not_registry_addresses_may_go(tmp_path):
    first = tmp_path / "first"
    permanence.check_and_record(["/p/a1/", "/notices/", "/about/"], _ctx(first, None))
    permanence.check_and_record(["/p/a1/", "/p/a3/"], _ctx(tmp_path / "second", first))
    assert permanence.read_record(tmp_path / "second" / "site") == ["/p/a1/", "/p/a3/"]


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _write(path: Path, rows: list[dict], header: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_a_status_change_keeps_every_address(small_registry, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(small_registry, data)
    build_database(Package.load(data), tmp_path / "before.db")
    products = _rows(data / "products.csv")
    header = list(products[0])
    for row in products:
        row["status"] = "withdrawn"
    _write(data / "products.csv", products, header)
    build_database(Package.load(data), tmp_path / "after.db")
    before = permanence.registry_addresses(tmp_path / "before.db")
    assert urls.product(products[0]["code"]) in before
    assert permanence.registry_addresses(tmp_path / "after.db") == before


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def remove_product(data: Path) -> str:
    """Delete one product no recall names, with its raw-material and sampling rows; returns its code."""
    recalled = {r["product_code"] for r in _rows(data / "recalls.csv")}
    products = _rows(data / "products.csv")
    code = next(p["code"] for p in products if p["code"] not in recalled)
    for table in ("products", "material_sources", "samplings"):
        rows = _rows(data / f"{table}.csv")
        header = list(rows[0]) if rows else None
        column = "code" if table == "products" else "product_code"
        _write(data / f"{table}.csv", [r for r in rows if r[column] != code], header)
    return code


def test_build_dropping_a_product_fails_and_leaves_output_untouched(demo_build, demo_dir, tmp_path):
    from site_builder.build.pipeline import build

    out = tmp_path / "out"
    shutil.copytree(demo_build, out)  # real copies: the build below hard-links them into its stage
    assert (out / "site" / permanence.RECORD).is_file(), "the site stage should record its addresses"
    before = tree(out)
    data = tmp_path / "data"
    shutil.copytree(demo_dir, data)
    code = remove_product(data)
    with pytest.raises(PermanenceError) as caught:
        build(data, out)
    assert urls.product(code) in caught.value.dropped
    assert urls.product(code) in str(caught.value)
    assert tree(out) == before
    assert not list(tmp_path.glob(".out.*")), "the staging folder is removed"
