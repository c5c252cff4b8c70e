"""The demo-registry generator: deterministic, valid at any size, and the bundled data/ is
exactly its default output and tells every story the demo needs."""
from __future__ import annotations

import csv
import json
import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from site_builder.checksums import credit_code_valid, gtin_valid
from site_builder.cli import cli
from site_builder.demo.data import write_demo_registry
from site_builder.registry.package import TABLE_ORDER, Package
from site_builder.validate.whole import validate_registry

RELEASE = date(2026, 11, 1)
COUNTIES = {
    "140802": "盐湖区", "140821": "临猗县", "140822": "万荣县", "140823": "闻喜县", "140824": "稷山县",
    "140825": "新绛县", "140826": "绛县", "140827": "垣曲县", "140828": "夏县", "140829": "平陆县",
    "140830": "芮城县", "140881": "永济市", "140882": "河津市",
}
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def files_of(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


def read(directory: Path, table: str) -> list[dict]:
    with open(directory / f"{table}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def demo(demo_dir) -> dict[str, list[dict]]:
    return {t: read(demo_dir, t) for t in TABLE_ORDER}


def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    counts = write_demo_registry(a, operators=60, seed=11)
    assert write_demo_registry(b, operators=60, seed=11) == counts
    write_demo_registry(c, operators=60, seed=12)
    assert files_of(a) == files_of(b)
    assert files_of(a)["operators.csv"] != files_of(c)["operators.csv"]
    assert counts["operators"] == 60 and list(counts) == list(TABLE_ORDER)


def test_bundled_demo_is_the_default_output_byte_for_byte(tmp_path, demo_dir):
    write_demo_registry(tmp_path, operators=320, seed=2026)
    fresh, bundled = files_of(tmp_path), files_of(demo_dir)
    assert sorted(fresh) == sorted(bundled)
    stale = [name for name in fresh if fresh[name] != bundled[name]]
    assert not stale, f"data/ is stale, run `zuofang demo-data --out data`: {stale}"


def test_a_larger_registry_keeps_every_row_of_a_smaller_one(tmp_path):
    """Growing --operators only appends: published ids (QR codes) stay where they were."""
    write_demo_registry(tmp_path / "small", operators=30, seed=3)
    write_demo_registry(tmp_path / "large", operators=45, seed=3)
    for table in ("operators", "products", "material_sources", "inspections", "samplings", "recalls", "brands"):
        small, large = read(tmp_path / "small", table), read(tmp_path / "large", table)
        assert large[:len(small)] == small, table
    assert len(read(tmp_path / "large", "operators")) == 45


def test_cli_writes_the_same_registry_as_the_library(tmp_path):
    result = CliRunner().invoke(cli, ["demo-data", "--operators", "3", "--seed", "5", "--out", str(tmp_path / "cli")])
    assert result.exit_code == 0, result.output
    assert "operators 3" in result.output
    write_demo_registry(tmp_path / "lib", operators=3, seed=5)
    assert files_of(tmp_path / "cli") == files_of(tmp_path / "lib")


@pytest.mark.parametrize("operators", [1, 5])
def test_tiny_registries_are_valid(tmp_path, operators):
    write_demo_registry(tmp_path, operators=operators, seed=2026)
    report = validate_registry(tmp_path)
    assert report.valid, report.problems[:5]
    assert len(read(tmp_path, "operators")) == operators


def test_bundled_demo_is_valid(demo_dir):
    report = validate_registry(demo_dir)
    assert report.valid, report.problems[:5]


def test_package_is_marked_demo_with_a_fixed_release_date(demo_dir):
    package = Package.load(demo_dir)
    assert package.is_demo and package.descriptor["zuofang:demo"] is True
    assert package.descriptor["created"] == "2026-11-01T00:00:00Z"
    text = (demo_dir / "datapackage.json").read_text(encoding="utf-8")
    assert text.endswith("}\n") and "演示" in text  # written with ensure_ascii=False
    for table in TABLE_ORDER:
        header = (demo_dir / f"{table}.csv").read_text(encoding="utf-8").split("\n", 1)[0]
        assert header.split(",") == [f["name"] for f in package.fields(table)]
        assert b"\r\n" not in (demo_dir / f"{table}.csv").read_bytes()


def test_regions_are_yuncheng_and_its_13_counties(demo):
    regions = {r["code"]: r for r in demo["regions"]}
    assert regions["140000"]["name"] == "山西省" and regions["140800"]["name"] == "运城市"
    counties = {c: r["name"] for c, r in regions.items() if r["level"] == "county"}
    assert counties == COUNTIES
    assert regions["140824"]["name_en"] == "Jishan County"
    assert all(regions[c]["parent_code"] == "140800" and regions[c]["name_en"] for c in COUNTIES)
    stations = Counter(s["region_code"] for s in demo["stations"])
    assert set(stations) == set(COUNTIES) and min(stations.values()) >= 2
    park_ids = {p["id"] for p in demo["parks"]}
    assert sum(1 for o in demo["operators"] if o["park_id"] in park_ids) >= 10


def test_operators_cover_every_kind_and_status_with_fictional_names(demo):
    ops = demo["operators"]
    assert len(ops) >= 300
    assert set(Counter(o["kind"] for o in ops)) == {"workshop", "eatery", "stall"}
    assert set(Counter(o["status"] for o in ops)) == {"active", "suspended", "revoked", "expired"}
    assert all(o["name"].endswith("（演示）") for o in ops)
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9-]{1,7}", o["id"]) for o in ops)
    assert len({o["licence_no"] for o in ops}) == len(ops)
    for o in ops:
        assert o["registered_on"] <= o["valid_until"] and date.fromisoformat(o["registered_on"]) <= RELEASE
        if o["status"] == "expired":
            assert date.fromisoformat(o["valid_until"]) < RELEASE
        assert 34.6 <= float(o["lat"]) <= 36.0 and 110.2 <= float(o["lon"]) <= 112.1
        if o["credit_code"]:
            assert credit_code_valid(o["credit_code"]) and o["credit_code"][2:8] == o["region_code"]
    lapsed_but_active = [o for o in ops if o["status"] == "active" and date.fromisoformat(o["valid_until"]) < RELEASE]
    assert 2 <= len(lapsed_but_active) <= 15
    assert any(o["kind"] == "stall" and not o["credit_code"] for o in ops)


def test_private_fields_hold_realistic_fakes(demo):
    ops = demo["operators"]
    assert len({o["owner_name"][0] for o in ops}) >= 20
    assert all(re.fullmatch(r"139[0-9]{8}", o["owner_phone"]) for o in ops)
    for o in ops:
        n = o["owner_id_number"]
        assert len(n) == 18 and n[:6] == o["region_code"]
        date.fromisoformat(f"{n[6:10]}-{n[10:12]}-{n[12:14]}")
        assert n[17] == "10X98765432"[sum(int(d) * w for d, w in zip(n[:17], ID_WEIGHTS)) % 11]


def test_products_materials_and_codes(demo):
    products, ops = demo["products"], {o["id"]: o for o in demo["operators"]}
    assert len(products) >= 1000
    assert set(Counter(p["status"] for p in products)) == {"active", "discontinued", "withdrawn"}
    assert all(re.fullmatch(r"[a-z0-9]{3,6}", p["code"]) for p in products)
    by_kind = Counter(ops[p["operator_id"]]["kind"] for p in products)
    assert by_kind["workshop"] > 0.8 * len(products)
    gtins = [p["gtin"] for p in products if p["gtin"]]
    assert 0.3 * len(products) <= len(gtins) <= 0.7 * len(products)
    assert all(g.startswith("69") and len(g) == 13 and gtin_valid(g) for g in gtins)
    names = " ".join(p["name"] for p in products)
    for food in ("麻花", "锅巴", "芝麻片", "芝麻糖", "牛肉饼", "煮饼", "油茶", "粉条", "醋", "月饼", "馍", "豆腐干"):
        assert food in names
    assert any(not p["additives"] for p in products) and any(p["additives"] for p in products)
    assert any(p["standard"].startswith("DBS14/") for p in products)
    per_product = Counter(m["product_code"] for m in demo["material_sources"])
    assert set(per_product) == {p["code"] for p in products}
    assert max(per_product.values()) <= 4


def test_material_sources_match_the_ingredients_label(demo):
    labels = {p["code"]: p["ingredients"].split("、") for p in demo["products"]}
    for m in demo["material_sources"]:
        words = labels[m["product_code"]]
        assert any(w in m["material"] for w in words) or ("食用植物油" in words and m["material"].endswith("油")), m
        assert m["supplier"].endswith("（演示）") and m["origin"]
    potato = [p for p in demo["products"] if "马铃薯" in p["name"]]
    assert potato and all("马铃薯淀粉" in p["ingredients"] for p in potato)


def test_inspections_and_grades_span_two_years(demo):
    insp = demo["inspections"]
    dates = sorted(i["date"] for i in insp)
    assert dates[0] >= "2024-11-01" and dates[-1] <= "2026-10-31"
    assert dates[0] < "2025-01-01" and dates[-1] > "2026-08-01"
    assert set(i["kind"] for i in insp) == {"日常", "双随机", "飞行", "专项"}
    assert set(i["result"] for i in insp) == {"符合", "基本符合", "不符合"}
    assert all(i["findings"] for i in insp if i["result"] != "符合")
    assert any(i["reply"] for i in insp)
    grades = demo["grades"]
    assert set(g["grade"] for g in grades) == {"A", "B", "C"}
    graded = Counter(g["operator_id"] for g in grades)
    assert 0.5 * len(demo["operators"]) < len(graded) < len(demo["operators"])
    assert max(graded.values()) >= 2
    inspected_on = {i["id"]: i["date"] for i in insp}
    assert all(inspected_on[g["inspection_id"]] < g["effective_on"] for g in grades)


def test_samplings_list_failed_items_as_json(demo):
    samplings = demo["samplings"]
    failed = [s for s in samplings if s["result"] == "不合格"]
    assert 0.02 < len(failed) / len(samplings) < 0.10
    assert all(not s["failed_items"] for s in samplings if s["result"] == "合格")
    for s in failed:
        items = json.loads(s["failed_items"])
        assert items and all(set(i) == {"item", "measured", "standard", "unit"} for i in items)
        assert s["lab"] and s["notice_no"] and s["disposal"]


def test_recalls_follow_failed_samplings(demo):
    recalls, products = demo["recalls"], {p["code"]: p for p in demo["products"]}
    samplings = {s["id"]: s for s in demo["samplings"]}
    assert len(recalls) >= 6
    for r in recalls:
        s = samplings[r["sampling_id"]]
        assert s["result"] == "不合格"
        assert (s["operator_id"], s["product_code"]) == (r["operator_id"], r["product_code"])
        assert s["batch"] in r["batches"].split("、")
        assert s["sampled_on"] <= r["issued_on"] <= RELEASE.isoformat()
        assert r["advice"] and r["contact"] and r["level"] in ("一级", "二级", "三级")
        if r["status"] == "closed":
            assert r["issued_on"] < r["closed_on"] <= RELEASE.isoformat()
        else:
            assert r["closed_on"] == ""
    assert any(r["status"] == "closed" for r in recalls)
    assert any(r["status"] == "ongoing" and products[r["product_code"]]["status"] == "active" for r in recalls)


def test_brands_cover_every_status_and_the_named_specialties(demo):
    brands = demo["brands"]
    assert len(brands) >= 12
    names = {b["name"] for b in brands}
    assert {"盐湖锅巴", "稷山麻花", "芮城麻片", "河津芝麻糖"} <= names
    assert set(b["status"] for b in brands) == {"applied", "publicized", "awarded", "revoked"}
    assert set(b["program"] for b in brands) == {"名特优", "老字号", "出彩小作坊"}
    assert all(b["name_en"] and 2 <= b["story"].count("。") <= 5 for b in brands)
    assert any(b["heritage"] for b in brands)
    release = RELEASE.isoformat()
    for b in brands:
        if b["publicity_start"]:
            assert b["publicity_start"] < b["publicity_end"]
        if b["status"] == "awarded":
            assert float(b["score"]) >= 90 and b["publicity_end"] < b["awarded_on"] <= release
    assert any(b["status"] == "publicized" and b["publicity_start"] <= release < b["publicity_end"] for b in brands)


def test_penalties_and_targets(demo):
    penalties = demo["penalties"]
    assert penalties and all(re.fullmatch(r"运市监罚〔20\d\d〕\d+号", p["decision_no"]) for p in penalties)
    assert len({p["decision_no"] for p in penalties}) == len(penalties)
    assert all(float(p["fine_yuan"]) > 0 and p["violation"] for p in penalties)
    for year in {p["decided_on"][:4] for p in penalties}:  # numbered 1, 2, 3 … in date order
        numbers = [int(re.search(r"〕(\d+)号", p["decision_no"]).group(1))
                   for p in sorted(penalties, key=lambda p: (p["decided_on"], p["id"])) if p["decided_on"][:4] == year]
        assert numbers == list(range(1, len(numbers) + 1))
    targets = {(t["region_code"], t["year"], t["metric"]) for t in demo["targets"]}
    metrics = {"graded_share", "a_share", "sampling_coverage", "sampling_pass_rate", "brands_awarded"}
    assert targets == {(c, y, m) for c in COUNTIES for y in ("2025", "2026") for m in metrics}


def test_no_cell_could_run_as_a_spreadsheet_formula(demo):
    for table, rows in demo.items():
        for row in rows:
            bad = [v for v in row.values() if v and v[0] in "=+-@"]
            assert not bad, (table, row)
