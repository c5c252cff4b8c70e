"""/changes/: first release counts, then what is new or changed since the previous build."""
from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest

from site_builder import urls
from site_builder.build.files import Files
from site_builder.build.pipeline import BuildContext
from site_builder.database.build import build_database
from site_builder.registry.package import Package
from site_builder.site import changes
from site_builder.site import render as site_render


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _write(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def build_into(data: Path, out: Path, previous: Path | None) -> str:
    """Database and /changes/ for `data` in `out`; returns the page's <main>."""
    package = Package.load(data)
    build_database(package, out / "registry.db")
    ctx = BuildContext(package, Files(), out, previous)
    changes.build_changes(ctx, site_render.Renderer(package).render)
    html = (out / "site" / urls.output_path(urls.changes())).read_text(encoding="utf-8")
    return html[html.index("<main"):html.index("</main>")]


@pytest.fixture(scope="module")
def releases(small_registry, tmp_path_factory):
    """Two releases: the small registry, then one with a new product, a withdrawal, a new grade
    and a renamed business. Returns (pages, edits, folders)."""
    root = tmp_path_factory.mktemp("changes")
    first_data, second_data = root / "data1", root / "data2"
    shutil.copytree(small_registry, first_data)
    shutil.copytree(small_registry, second_data)

    products = _rows(second_data / "products.csv")
    active = next(p for p in products if p["status"] == "active")
    active["status"] = "withdrawn"
    new = dict(products[0], code="zz9new", name="新上市的芝麻糖", gtin="", status="active")
    _write(second_data / "products.csv", products + [new])

    operators = _rows(second_data / "operators.csv")
    renamed = operators[-1]
    renamed["name"] = "改了名字的小吃店（演示）"
    _write(second_data / "operators.csv", operators)

    grades = _rows(second_data / "grades.csv")
    graded = grades[0]["operator_id"]
    release = Package.load(second_data).release_date.isoformat()
    previous_grade = max((g for g in grades if g["operator_id"] == graded and g["effective_on"] <= release),
                         key=lambda g: g["effective_on"])["grade"]
    new_grade = "C" if previous_grade != "C" else "A"
    _write(second_data / "grades.csv", grades + [dict(grades[0], grade=new_grade, effective_on=release,
                                                        inspection_id="")])

    pages = {"first": build_into(first_data, root / "out1", None)}
    pages["second"] = build_into(second_data, root / "out2", root / "out1")
    pages["again"] = build_into(second_data, root / "out3", root / "out2")
    pages["unchanged"] = build_into(first_data, root / "out4", root / "out1")
    edits = {"withdrawn": active, "new": new, "renamed": renamed, "graded": graded,
             "grades": (previous_grade, new_grade)}
    return pages, edits, root


def test_first_release_says_so_with_counts(releases, small_registry):
    first = releases[0]["first"]
    assert "首次发布" in first
    products = len(_rows(small_registry / "products.csv"))
    assert f"产品 {products} 条" in first


def test_second_release_lists_new_and_changed_records(releases):
    page, edits = releases[0]["second"], releases[1]
    assert "首次发布" not in page
    new = re.search(r"新增产品.*?</section>", page, re.S).group(0)
    assert f'<a href="{urls.product("zz9new")}">新上市的芝麻糖</a>' in new
    status = re.search(r"状态变化.*?</section>", page, re.S).group(0)
    assert urls.product(edits["withdrawn"]["code"]) in status and "在产 → 已撤市" in status
    grade = re.search(r"等级变化.*?</section>", page, re.S).group(0)
    old, new_grade = edits["grades"]
    assert urls.operator(edits["graded"]) in grade and f"{old} 级" in grade and f"→ {new_grade} 级" in grade
    updated = re.search(r"信息更新.*?</section>", page, re.S).group(0)
    assert "改了名字的小吃店（演示）" in updated
    assert "新登记主体" not in page  # no business was added


def test_rebuilding_the_same_release_keeps_the_page(releases):
    pages = releases[0]
    assert pages["again"] == pages["second"]
    assert pages["unchanged"] == pages["first"]


def test_names_are_escaped(releases, tmp_path, small_registry):
    data = tmp_path / "data"
    shutil.copytree(small_registry, data)
    products = _rows(data / "products.csv")
    products[0]["name"] = "<script>alert(1)</script>"
    _write(data / "products.csv", products)
    page = build_into(data, tmp_path / "out", releases[2] / "out1")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
