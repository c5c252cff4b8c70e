"""A hand-written registry of a few rows whose figures are known, for database tests.

Written as CSV beside a copy of the package's schemas; the private values are unusual
strings so a test can look for them in the database file's bytes.
"""
from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

SCHEMA = Path(__file__).resolve().parent.parent / "site_builder" / "schema" / "datapackage.json"

PRIVATE = {"owner_name": ["王小明", "李大华", "赵四"], "owner_phone": ["13800138000", "13912345678", "13700001111"],
           "owner_id_number": ["14082419800101123X", "140881199002023456", "140824197503035678"]}

ROWS = {
    "regions": [
        ["140000", "山西省", "Shanxi", "province", ""],
        ["140800", "运城市", "Yuncheng", "city", "140000"],
        ["140824", "稷山县", "Jishan", "county", "140800"],
        ["140881", "永济市", "Yongji", "county", "140800"],
    ],
    "stations": [["js-1", "稷山县城关监管所", "140824"], ["yj-1", "永济市城西监管所", "140881"]],
    "parks": [["js-park", "稷山麻花产业园", "140824"]],
    "operators": [
        # w1 may operate on the release date: its grades are in force (a lapsed licence voids them).
        ["w1", "workshop", "稷山县老王麻花坊", "SC1", "91140824MA0000001X", "140824", "js-1",
         "稷山县城关镇麻花街1号", "35.6", "110.98", "2020-01-01", "2026-12-31", "active", "糕点、油炸面食", "js-park",
         "王小明", "13800138000", "14082419800101123X"],
        ["w2", "workshop", "永济牛肉饼作坊", "SC2", "91140881MA0000002Y", "140881", "yj-1",
         "永济市蒲州镇", "34.9", "110.4", "2021-03-01", "2027-02-28", "active", "糕点", "",
         "李大华", "13912345678", "140881199002023456"],
        ["e1", "eatery", "花糕小吃店", "JY3", "92140824MA0000003Z", "140824", "js-1",
         "稷山县西街", "", "", "2022-05-01", "2028-04-30", "suspended", "热食类", "",
         "赵四", "13700001111", "140824197503035678"],
    ],
    "products": [
        ["p1", "w1", "稷山麻花", "糕点", "250克", "小麦粉、芝麻、白砂糖", "", "Q/JS 0001S", "90天", "", "active"],
        ["p2", "w1", "芝麻糖", "糖果", "200克", "白砂糖、芝麻", "", "Q/JS 0002S", "180天", "", "active"],
        ["p3", "w2", "永济牛肉饼", "糕点", "300克", "小麦粉、牛肉", "", "Q/YJ 0001S", "7天", "", "withdrawn"],
    ],
    "material_sources": [["p1", "小麦粉", "稷山面粉厂", "山西稷山"], ["p1", "芝麻", "河津油料站", "山西河津"]],
    "inspections": [
        ["i1", "w1", "2025-06-01", "日常", "符合", "", ""],
        ["i2", "w1", "2026-05-01", "双随机", "基本符合", "地面不洁", "已整改"],
        ["i3", "w2", "2026-04-01", "日常", "符合", "", ""],
    ],
    "grades": [
        ["w1", "B", "2025-06-10", "i1"],
        ["w1", "A", "2026-05-10", "i2"],
        ["w1", "C", "2026-12-10", ""],  # after the release date: not in force yet
        ["w2", "B", "2026-04-10", "i3"],
    ],
    "samplings": [
        ["s1", "w1", "p1", "稷山麻花", "20260301", "2026-03-05", "合格", "", "运城检测中心", "", ""],
        ["s2", "w2", "p3", "永济牛肉饼", "20260401", "2026-04-05", "不合格",
         '[{"item": "菌落总数", "measured": "1.2×10⁵", "standard": "≤10⁵", "unit": "CFU/g"}]',
         "运城检测中心", "2026-12", "责令召回"],
        ["s3", "w2", "p3", "永济牛肉饼", "20250401", "2025-04-05", "不合格",
         '[ {"item": "过氧化值", "measured": "0.4", "standard": "≤0.25", "unit": "g/100g"} ]',
         "运城检测中心", "2025-07", "已处置"],
    ],
    "recalls": [
        ["r1", "2026-04-20", "永济牛肉饼召回", "w2", "p3", "20260401", "菌落总数超标", "二级", "停止食用",
         "0359-1234567", "ongoing", "", "s2"],
        ["r2", "2025-04-20", "永济牛肉饼召回", "w2", "p3", "20250401", "过氧化值超标", "三级", "停止食用",
         "0359-1234567", "closed", "2025-06-01", "s3"],
    ],
    "brands": [
        ["b1", "稷山麻花", "Jishan Mahua", "w1", "糕点", "名特优", "awarded", "95", "2026-01-01", "2026-01-10",
         "2026-02-01", "省级", "稷山麻花始于清代，香酥可口。"],
        ["b2", "永济牛肉饼", "", "w2", "糕点", "老字号", "publicized", "91", "2026-10-20", "2026-11-10", "", "",
         "永济牛肉饼，外酥里嫩。"],
    ],
    "penalties": [["x1", "w2", "2026-05-01", "永市监罚〔2026〕1号", "生产不符合食品安全标准的食品", "没收违法所得", "5000"]],
    "targets": [["140824", "2026", "graded_share", "90"], ["140824", "2026", "a_share", "30"],
                ["140881", "2025", "sampling_pass_rate", "95"]],
}


def write_tiny_registry(out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy(SCHEMA, out / "datapackage.json")
    descriptor = json.loads(SCHEMA.read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        names = [f["name"] for f in resource["schema"]["fields"]]
        with open(out / resource["path"], "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(names)
            for row in ROWS.get(resource["name"], []):
                # Columns added to the schema after these rows were written are optional: left empty.
                assert len(row) <= len(names), (resource["name"], row)
                writer.writerow(row + [""] * (len(names) - len(row)))
    return out
