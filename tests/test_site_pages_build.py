"""What rebuilding the site does: one changed name rewrites only the pages that show it, and
hostile names render as text (same data giving the same bytes: test_build.py, for every stage). Builds a small generated registry (database
and site stages only, so each build takes about a second)."""
from __future__ import annotations

import csv
import hashlib
import re
import shutil
from pathlib import Path

import pytest

from site_builder import urls
from site_builder.build import state
from site_builder.build import pipeline as build_module

HOSTILE = "<script>alert(1)</script>"


def build_pages(data_dir: Path, out: Path):
    """`zuofang build` with only the stages the pages need."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(build_module, "STAGES", [s for s in build_module.STAGES if s[0] in ("database", "site")])
        return build_module.build(data_dir, out)


def edit_csv(path: Path, key: str, value: str, column: str, new: str) -> None:
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
        fields = list(rows[0])
    assert any(r[key] == value for r in rows)
    for r in rows:
        if r[key] == value:
            r[column] = new
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def first(path: Path, column: str, **where) -> dict:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return next(r for r in csv.DictReader(f) if all(r[k] == v for k, v in where.items()))


def tree(root: Path) -> dict[str, bytes]:
    """Every file's bytes but the state record's (its stat of the files belongs to one folder:
    compare records with test_build.comparable_record)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != state.NAME}


@pytest.fixture
def registry(small_registry, tmp_path) -> Path:
    """A private copy of the small registry that a test may edit."""
    return Path(shutil.copytree(small_registry, tmp_path / "data"))


def test_rebuilding_after_one_name_changes_rewrites_only_pages_that_show_it(registry, tmp_path):
    out = tmp_path / "out"
    build_pages(registry, out)
    again = build_pages(registry, out)
    site = out / "site"
    assert [p for p in again.files.changed_files() if p.suffix == ".html"] == [], "same data: no page rewritten"

    product = first(registry / "products.csv", "code", status="active")
    new_name = "改名测试麻花（演示）"
    edit_csv(registry / "products.csv", "code", product["code"], "name", new_name)
    renamed = build_pages(registry, out)
    # changed_files() names files in the staging folder (tmp_path/.out.building-N/site/…).
    changed = {p.relative_to(tmp_path).parts for p in renamed.files.changed_files() if p.suffix == ".html"}
    changed = {"/".join(parts[2:]) for parts in changed if parts[1] == "site"}
    showing = {p.relative_to(site).as_posix() for p in site.rglob("*.html")
               if new_name in p.read_text(encoding="utf-8")}
    assert urls.output_path(urls.product(product["code"])) in changed
    assert urls.output_path(urls.operator(product["operator_id"])) in changed
    # /data/ shows the new products.csv's sha256, so it changes with it.
    products_csv = hashlib.sha256((site / "data" / "products.csv").read_bytes()).hexdigest()
    assert products_csv in (site / "data" / "index.html").read_text(encoding="utf-8")
    assert changed == showing | {urls.output_path(urls.data())}
    assert len(changed) < 10


def test_names_with_markup_render_as_text(registry, tmp_path):
    product = first(registry / "products.csv", "code", status="active")
    edit_csv(registry / "products.csv", "code", product["code"], "name", HOSTILE)
    edit_csv(registry / "operators.csv", "id", product["operator_id"], "name", HOSTILE + "</title>")
    out = tmp_path / "out"
    build_pages(registry, out)
    site = out / "site"
    for address in (urls.product(product["code"]), urls.operator(product["operator_id"])):
        html = (site / urls.output_path(address)).read_text(encoding="utf-8")
        text = re.sub(r"<svg\b.*?</svg>", "", html, flags=re.S)  # a chart's <title> is its own
        assert "<script>alert" not in html and "</title>" not in text.replace("</title>\n", "", 1)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        ld = html[html.index('<script type="application/ld+json">'):]
        ld = ld[: ld.index("</script>")]
        assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in ld


def test_rebuild_renders_only_the_pages_whose_rows_changed(registry, tmp_path):
    out = tmp_path / "out"
    first_build = build_pages(registry, out)
    assert first_build.pages["records"] > 100 and first_build.pages["kept"] == 0
    again = build_pages(registry, out)
    # Nothing changed: only the home page (it lists the announcements) and /data/ (it lists the
    # downloads as the publish step recorded them) render again.
    assert again.pages["records"] == 0 and again.pages["overview"] == 2 and again.pages["written"] == 0
    assert again.pages["kept"] == first_build.pages["records"] + first_build.pages["overview"] - 2
    product = first(registry / "products.csv", "code", status="active")
    edit_csv(registry / "products.csv", "code", product["code"], "shelf_life", "18个月")
    changed = build_pages(registry, out)
    # Rendered: the provenance page, the maker's page (which lists the product's row) and any
    # recall of the product; rewritten: the provenance page (the one that shows the shelf life)
    # and /changes/, which lists the product as updated, and /data/ (products.csv's new sha256).
    assert 2 <= changed.pages["records"] <= 3
    assert changed.pages["kept"] + changed.pages["records"] + changed.pages["overview"] == \
        first_build.pages["records"] + first_build.pages["overview"]
    rewritten = {p.as_posix().split("/site/", 1)[1] for p in changed.files.changed_files() if p.suffix == ".html"}
    assert rewritten == {urls.output_path(urls.product(product["code"])), "changes/index.html", "data/index.html"}
    page = (out / "site" / urls.output_path(urls.product(product["code"]))).read_text(encoding="utf-8")
    assert "18个月" in page


def test_pelican_runs_again_only_when_an_editorial_page_changed(registry, tmp_path, monkeypatch):
    """A rebuild whose content/ is unchanged keeps the editorial pages Pelican wrote before and
    does not run Pelican; an edited page is rendered again, and a news item added is listed."""
    import pelican

    from site_builder.site import pelican_run

    content = Path(shutil.copytree(pelican_run.CONTENT, tmp_path / "content"))
    monkeypatch.setattr(pelican_run, "CONTENT", content)
    out = tmp_path / "out"
    build_pages(registry, out)
    about = out / "site" / urls.output_path(urls.page("about"))
    before = about.read_bytes()
    runs = []
    real_run = pelican.Pelican.run
    monkeypatch.setattr(pelican.Pelican, "run", lambda self: runs.append(1) or real_run(self))

    product = first(registry / "products.csv", "code", status="active")
    edit_csv(registry / "products.csv", "code", product["code"], "name", "改名测试麻花（演示）")
    build_pages(registry, out)
    assert runs == [], "nothing under content/ changed: Pelican is not run"
    assert about.read_bytes() == before, "the editorial page is still published"
    assert urls.page("about") in (out / "site" / "sitemap.xml").read_text(encoding="utf-8")

    (content / "pages" / "about.md").write_text(
        (content / "pages" / "about.md").read_text(encoding="utf-8") + "\n改版说明（演示）。\n", encoding="utf-8")
    shutil.copy(content / "news" / "2026-qr-labels.md", content / "news" / "2026-new-item.md")
    text = (content / "news" / "2026-new-item.md").read_text(encoding="utf-8")
    (content / "news" / "2026-new-item.md").write_text(
        text.replace("Slug: 2026-qr-labels", "Slug: 2026-new-item").replace("Title: ", "Title: 新消息（演示）", 1),
        encoding="utf-8")
    build_pages(registry, out)
    assert runs == [1]
    assert "改版说明（演示）" in about.read_text(encoding="utf-8")
    assert (out / "site" / urls.output_path(urls.news("2026-new-item"))).is_file()
    assert urls.news("2026-new-item") in (out / "site" / "sitemap.xml").read_text(encoding="utf-8")
    assert "新消息（演示）" in (out / "site" / "index.html").read_text(encoding="utf-8"), "the home page lists it"


#: Libraries a rebuild imports only for a stage that has work: Pelican (editorial pages
#: changed), Frictionless (rows to validate), sqlite-utils (registry.db made again), openpyxl (a
#: workbook made again, in the forked process writing the downloads), mkdocs and PyYAML (the
#: handbook made again); pandas never (sqlite-utils would import it: database/build.py).
HEAVY = ("pelican", "markdown", "frictionless", "sqlite_utils", "openpyxl", "mkdocs", "yaml", "pandas")
IMPORTS_OF_A_BUILD = """
import json, sys
from site_builder.build import pipeline
pipeline.STAGES = [s for s in pipeline.STAGES if s[0] in ("database", "images", "site", "handbook")]
pipeline.build(sys.argv[1], sys.argv[2])
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


def imported_by_a_rebuild(data: Path, out: Path) -> list[str]:
    import json
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", IMPORTS_OF_A_BUILD.format(heavy=HEAVY), str(data), str(out)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def test_a_rebuild_imports_only_what_its_stages_have_work_for(registry, tmp_path):
    from site_builder.build import pipeline

    out = tmp_path / "out"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pipeline, "STAGES", [s for s in pipeline.STAGES if s[0] in ("database", "images", "site", "handbook")])
        pipeline.build(registry, out)
    assert imported_by_a_rebuild(registry, out) == [], "nothing changed: no stage has work for these"
    product = first(registry / "products.csv", "code", status="active")
    edit_csv(registry / "products.csv", "code", product["code"], "name", "改名测试麻花（演示）")
    # The changed rows are validated and registry.db is updated; Pelican, the workbook's
    # openpyxl (in the downloads' own process) and the handbook's mkdocs are not needed here.
    # (PyYAML comes with Frictionless.)
    assert imported_by_a_rebuild(registry, out) == ["frictionless", "sqlite_utils", "yaml"]
