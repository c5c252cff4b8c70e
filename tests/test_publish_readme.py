"""The downloads as a journalist opens them: the zip's README commands run as written, the
workbooks open with codes as text, the CSVs open in Excel and load with their types."""
from __future__ import annotations

import datetime
import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from site_builder.publish import build as publish, readme as publish_readme
from site_builder.registry.package import TABLE_ORDER, Package
from site_builder.database.fts import search


@pytest.fixture(scope="module")
def data_dir(demo_build) -> Path:
    return demo_build / "site" / "data"


@pytest.fixture(scope="module")
def unzipped(data_dir, tmp_path_factory) -> Path:
    """The zip unpacked, with what the README says to download beside it (registry.db, .xlsx)."""
    where = tmp_path_factory.mktemp("journalist")
    with zipfile.ZipFile(data_dir / publish.ZIP_NAME) as zf:
        zf.extractall(where)
    for path in data_dir.iterdir():
        if path.name == publish.DB_NAME or path.suffix == ".xlsx":
            shutil.copy(path, where / path.name)
    return where


def blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", text, re.S | re.M)


def run_here(command: list[str], where: Path) -> subprocess.CompletedProcess:
    # The commands find sqlite3, datasette and frictionless on PATH, as after `pip install zuofang`.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(command, cwd=where, env=env, capture_output=True, text=True, timeout=120)


def test_zip_and_data_page_carry_readme_licence_metadata_and_package(data_dir, demo_build):
    with zipfile.ZipFile(data_dir / publish.ZIP_NAME) as zf:
        names = zf.namelist()
    assert names[:4] == [publish_readme.README_NAME, publish_readme.LICENSE_NAME, publish.DESCRIPTOR_NAME,
                         publish_readme.METADATA_NAME]
    assert names[4:] == [f"{t}.csv" for t in TABLE_ORDER]
    for name in names:
        assert (data_dir / name).is_file(), name
    licence = (data_dir / publish_readme.LICENSE_NAME).read_text(encoding="utf-8")
    assert "Creative Commons Attribution 4.0" in licence and "https://creativecommons.org/licenses/by/4.0/" in licence
    assert (data_dir / publish_readme.METADATA_NAME).read_bytes() == (demo_build / "datasette_metadata.json").read_bytes()


def test_data_page_lists_every_table_with_rows_size_and_sha256(data_dir, demo_build):
    html = (demo_build / "site" / "data" / "index.html").read_text(encoding="utf-8")
    conn = sqlite3.connect(demo_build / "registry.db")
    for table in TABLE_ORDER:
        rows = conn.execute(f'select count(*) from "{table}"').fetchone()[0]
        for name in (f"{table}.csv", f"{table}.xlsx"):
            digest = hashlib.sha256((data_dir / name).read_bytes()).hexdigest()
            assert f'href="/data/{name}"' in html and digest in html, name
        assert re.search(rf"<code>{table}</code></th><td>{rows:,}</td>", html), table
    for name in (publish.ZIP_NAME, publish.DB_NAME, publish_readme.README_NAME, publish_readme.LICENSE_NAME):
        assert hashlib.sha256((data_dir / name).read_bytes()).hexdigest() in html, name
    size = (data_dir / publish.DB_NAME).stat().st_size
    assert f"{size / 1e6:.1f} MB" in html


def test_readme_shell_commands_run_as_written(unzipped, demo_build):
    readme = (unzipped / publish_readme.README_NAME).read_text(encoding="utf-8")
    commands = [line for block in blocks(readme, "sh") for line in block.splitlines()
                if line.strip() and not line.startswith("#")]
    assert any(c.startswith("sqlite3 ") for c in commands) and any(c.startswith("datasette ") for c in commands)
    assert "frictionless validate datapackage.json" in commands
    outputs = {}
    for command in commands:
        done = run_here(["bash", "-c", command], unzipped)
        assert done.returncode == 0 and done.stdout.strip(), f"{command}\n{done.stderr[-2000:]}"
        outputs[command] = done.stdout
    expected = search(sqlite3.connect(demo_build / "registry.db"), "products", "麻花")
    printed = outputs[publish_readme.sqlite_search_command()]
    assert [line.split("|")[0] for line in printed.splitlines()] == expected
    assert "VALID" in outputs["frictionless validate datapackage.json"]


def test_handbook_open_data_shell_commands_run_on_the_download(unzipped):
    from site_builder.handbook import build as handbook

    guide = (handbook.SOURCE_DIR / "docs" / "open-data.md").read_text(encoding="utf-8")
    commands = [line for block in blocks(guide, "sh") for line in block.splitlines()
                if line.strip() and not line.startswith("#")]
    assert len(commands) >= 4
    for command in commands:
        done = run_here(["bash", "-c", command], unzipped)
        assert done.returncode == 0 and done.stdout.strip(), f"{command}\n{done.stderr[-2000:]}"


def test_readme_python_runs_as_written(unzipped):
    readme = (unzipped / publish_readme.README_NAME).read_text(encoding="utf-8")
    [code] = blocks(readme, "python")
    done = run_here([sys.executable, "-c", code], unzipped)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "种产品的名称、类别或配料含有 麻花" in done.stdout


def test_codes_load_as_text_with_the_datapackage(unzipped):
    from frictionless import Package as FrictionlessPackage

    package = FrictionlessPackage(str(unzipped / publish.DESCRIPTOR_NAME))
    products = package.get_resource("products").to_pandas()
    gtins = [g for g in products["gtin"].tolist() if isinstance(g, str)]
    assert gtins and all(g.isdigit() and len(g) in (8, 12, 13, 14) for g in gtins)
    regions = package.get_resource("regions").to_pandas().reset_index()
    assert all(isinstance(c, str) and len(c) == 6 for c in regions["code"])
    assert all(isinstance(c, str) for c in regions["parent_code"].dropna())


def test_csv_has_a_byte_order_mark_and_says_so(data_dir):
    import json

    descriptor = json.loads((data_dir / publish.DESCRIPTOR_NAME).read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        data = (data_dir / resource["path"]).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf") and resource["encoding"] == "utf-8-sig"
        assert resource["bytes"] == len(data) and resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        data.decode("utf-8-sig")  # and nothing but UTF-8 after it


def test_changed_csv_fails_frictionless_validation(data_dir, tmp_path):
    """The sha256 in datapackage.json is checked: a CSV altered after publishing is caught."""
    from frictionless import validate

    for path in data_dir.iterdir():
        if path.suffix in (".csv", ".json"):
            shutil.copy(path, tmp_path / path.name)
    products = tmp_path / "products.csv"
    products.write_bytes(products.read_bytes().replace("麻花".encode(), "麻饼".encode(), 1))
    report = validate(tmp_path / publish.DESCRIPTOR_NAME)
    assert not report.valid
    assert {e.type for task in report.tasks for e in task.errors} & {"hash-count", "byte-count"}


def test_workbook_keeps_codes_as_text_dates_as_dates(data_dir, demo_build, demo_dir):
    package = Package.load(demo_dir)
    conn = sqlite3.connect(demo_build / "registry.db")
    workbook = load_workbook(data_dir / "products.xlsx")
    sheet = workbook["products"]
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header == [f["name"] for f in package.public_fields("products")]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == conn.execute("select count(*) from products").fetchone()[0]
    gtin = header.index("gtin")
    barcodes = [r[gtin] for r in rows if r[gtin] is not None]
    assert barcodes and all(isinstance(g, str) for g in barcodes)
    assert barcodes == [g for (g,) in conn.execute("select gtin from products where gtin is not null order by rowid")]
    operators = load_workbook(data_dir / "operators.xlsx")["operators"]
    header = [c.value for c in operators[1]]
    first = next(operators.iter_rows(min_row=2, values_only=True))
    assert isinstance(first[header.index("registered_on")], datetime.datetime)  # a date cell
    assert isinstance(first[header.index("region_code")], str)
    assert isinstance(first[header.index("lat")], float)
    notes = workbook["字段说明 Columns"]
    titles = {row[0]: row[1] for row in notes.iter_rows(min_row=2, values_only=True)}
    assert titles["gtin"] == "商品条码 GTIN"
    assert "owner_phone" not in [c.value for c in operators[1]]


def test_workbooks_are_deterministic(small_registry, tmp_path):
    from site_builder.database.build import build_database

    outputs = []
    for name in ("one", "two"):
        root = tmp_path / name
        build_database(Package.load(small_registry), root / "registry.db")
        publish.publish_package(Package.load(small_registry), root / "registry.db", root / "site")
        outputs.append({p.name: p.read_bytes() for p in (root / "site" / "data").iterdir() if p.name != publish.DB_NAME})
    assert outputs[0] == outputs[1]
    with zipfile.ZipFile(tmp_path / "one" / "site" / "data" / "products.xlsx") as zf:
        release = Package.load(small_registry).release_date
        assert {i.date_time[:3] for i in zf.infolist()} == {(release.year, release.month, release.day)}
        assert f"{release.isoformat()}T00:00:00Z" in zf.read("docProps/core.xml").decode()
