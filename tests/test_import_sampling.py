"""zuofang import sampling: every layout's rows become the samplings records a clerk would
type, field for field, and every row that cannot be placed is in import-review.csv."""
from __future__ import annotations

import csv
import json
from datetime import datetime

import pytest
from import_fixtures import LAB, NATIONAL_HEADER, csv_file, demo_copy, xls, xlsx

from site_builder.importers.run import run_import
from site_builder.importers.sampling import SAMPLED_ON_FROM_NOTICE as NO_DATE
from site_builder.validate.whole import validate_registry

FIELDS = ["id", "operator_id", "product_code", "sample_name", "batch", "sampled_on", "result", "failed_items", "lab",
          "notice_no", "disposal", "notice_date", "issuer", "sample_no", "producer_name", "producer_address",
          "sampled_unit", "sampled_unit_address", "spec", "trademark", "food_category", "task_source", "retest_lab",
          "remarks", "source_file", "source_row"]


def rows_of(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def new_samplings(data, before: int) -> list[dict]:
    rows = rows_of(data / "samplings.csv")
    assert list(rows[0]) == FIELDS
    return rows[before:]


def review(data) -> list[dict]:
    return rows_of(data / "import-review.csv")


def sampling(**values) -> dict:
    row = dict.fromkeys(FIELDS, "")
    row.update(values)
    return row


def items(*parts) -> str:
    return json.dumps([dict(zip(("item", "measured", "standard", "unit"), p[:4]), **({"note": p[4]} if len(p) > 4 else {}))
                       for p in parts], ensure_ascii=False)


@pytest.fixture
def data(tmp_path):
    return demo_copy(tmp_path)


def national_rows():
    blank = [""] * 16
    return [
        ["演示市市场监督管理局关于2026年第3期食品安全监督抽检信息的通告"],
        ["（2026年第3期）2026年10月10日"],
        NATIONAL_HEADER,
        ["1", "丰香麻花作坊（演示）", "运城市稷山县稷峰镇工业路213号", "演示超市（虚构）", "运城市稷山县稷峰镇人民路1号",
         "稷山麻花（原味）", "250g/袋", "/", 45901, "酸价(以脂肪计)(KOH)", "5.2", "≤3.0", LAB, "糕点", "/", "/"],
        ["1", "丰香麻花作坊（演示）", "运城市稷山县稷峰镇工业路213号", "演示超市（虚构）", "运城市稷山县稷峰镇人民路1号",
         "稷山麻花（原味）", "250g/袋", "/", 45901, "过氧化值(以脂肪计)", "0.41g/100g", "≤0.25g/100g", LAB, "糕点", "/", "/"],
        blank[:9] + ["铅(以Pb计)", "0.6mg/kg", "≤0.5mg/kg"] + blank[12:],
        ["2", "垣曲鑫顺炒货坊(演示)", "山西省运城市垣曲县古城镇文化路9号", "垣曲鑫顺炒货坊(演示)", "山西省运城市垣曲县古城镇文化路9号",
         "西瓜子（五香）", "400g/袋", "鑫顺", "购进日期：2026/9/12", "菌落总数", "1.2×10<sup>5</sup>", "≤10<sup>4</sup>", LAB,
         "炒货", "", "复检机构：演示复检所（虚构）"],
        ["3", "兴香山楂食品坊（演示）", "运城市新绛县北张镇北关街261号", "司马记炒货摊（演示）", "运城市绛县横水镇府前街107号",
         "山楂片", "散装", "/", "2026-08-20", "日落黄", "0.12", "不得使用", LAB, "水果制品", "标称生产企业表示该批次产品非其生产", "/"],
        ["4", "演示县虚构食品厂", "运城市稷山县演示村1号", "演示便利店（虚构）", "运城市稷山县演示街2号",
         "花馍", "散装", "/", "2026-09-15", "大肠菌群", "1.1×102", "≤10²", LAB, "糕点", "/", "/"],
        ["注：以上信息由演示数据生成（虚构）。"] * 16,
    ]


def test_national_layout_with_merged_and_continuation_rows(data, tmp_path):
    before = len(rows_of(data / "samplings.csv"))
    merges = tuple(f"{c}4:{c}5" for c in "ABCDEFGHIMNOP")  # sample 1 over rows 4 and 5, as notices merge it
    path = xlsx(tmp_path / "不合格.xlsx", national_rows(), merges, sheet="不合格产品")
    report = run_import("sampling", [path], data)
    notice = dict(notice_no="2026年第3期", notice_date="2026-10-10", issuer="演示市市场监督管理局", sampled_on="2026-10-10",
                  lab=LAB, result="不合格", source_file="不合格.xlsx")
    assert new_samplings(data, before) == [
        sampling(id="cj000430", operator_id="w00004", product_code="p0008", sample_name="稷山麻花（原味）", batch="2025-09-01",
                 failed_items=items(("酸价(以脂肪计)(KOH)", "5.2", "≤3.0", ""), ("过氧化值(以脂肪计)", "0.41", "≤0.25", "g/100g"),
                                    ("铅(以Pb计)", "0.6", "≤0.5", "mg/kg")),
                 producer_name="丰香麻花作坊（演示）", producer_address="运城市稷山县稷峰镇工业路213号",
                 sampled_unit="演示超市（虚构）", sampled_unit_address="运城市稷山县稷峰镇人民路1号", spec="250g/袋",
                 food_category="糕点", remarks=NO_DATE, source_row="4", **notice),
        sampling(id="cj000431", operator_id="w00011", product_code="p000r", sample_name="西瓜子（五香）",
                 batch="购进日期 2026-09-12", failed_items=items(("菌落总数", "1.2×10⁵", "≤10⁴", "")),
                 producer_name="垣曲鑫顺炒货坊(演示)", producer_address="山西省运城市垣曲县古城镇文化路9号",
                 sampled_unit="垣曲鑫顺炒货坊(演示)", sampled_unit_address="山西省运城市垣曲县古城镇文化路9号", spec="400g/袋",
                 trademark="鑫顺", food_category="炒货", retest_lab="演示复检所（虚构）",
                 remarks="复检机构：演示复检所（虚构）；" + NO_DATE, source_row="7", **notice),
        # the named producer says it did not make it: the failure goes on the stall that sold it
        sampling(id="cj000432", operator_id="s00035", sample_name="山楂片", batch="2026-08-20",
                 failed_items=items(("日落黄", "0.12", "不得使用", "")), producer_name="兴香山楂食品坊（演示）",
                 producer_address="运城市新绛县北张镇北关街261号", sampled_unit="司马记炒货摊（演示）",
                 sampled_unit_address="运城市绛县横水镇府前街107号", spec="散装", food_category="水果制品",
                 remarks="标称生产企业表示该批次产品非其生产；" + NO_DATE, source_row="8", **notice),
    ]
    lines = review(data)
    assert [(r["行 row"], r["原因代码 code"], r["导入情况 outcome"]) for r in lines] == [
        ("9", "no-match", "未导入 not imported"), ("10", "not-a-record", "未导入 not imported")]
    assert all(r["命令 command"] == "sampling" and r["文件 file"] == "不合格.xlsx" and r["工作表 sheet"] == "不合格产品"
               for r in lines)
    cells = dict(zip([h if h != "备注" or i == 14 else "备注（第16列）" for i, h in enumerate(NATIONAL_HEADER)],
                     national_rows()[8]))
    assert lines[0] == {
        "命令 command": "sampling", "文件 file": "不合格.xlsx", "工作表 sheet": "不合格产品", "行 row": "9",
        "原因代码 code": "no-match", "原因 reason": "标称生产企业：没有名称相符的登记主体；被抽样单位：没有名称相符的登记主体",
        "候选主体 candidates": "", "导入情况 outcome": "未导入 not imported",
        "单元格 cells": json.dumps(cells, ensure_ascii=False)}
    assert json.loads(lines[1]["单元格 cells"])["序号"] == "注：以上信息由演示数据生成（虚构）。"
    assert lines[1]["原因 reason"] == "这一行只有一段文字，不是样品记录：“注：以上信息由演示数据生成（虚构）。”"
    assert [(p.record_id, p.rows, p.method, p.role) for p in report.placements] == [
        ("cj000430", [4, 5, 6], "name+address", "producer"),
        ("cj000431", [7], "normalised_name+address", "producer"),
        ("cj000432", [8], "name+address", "sampled unit")]
    assert report.rows_read == 7 and report.rows_placed + report.rows_unplaced == report.rows_read
    assert validate_registry(data).valid


def test_provincial_single_cell_layout_in_old_excel(data, tmp_path):
    before = len(rows_of(data / "samplings.csv"))
    header = ["抽样编号", "标称生产企业名称", "标称生产企业地址", "被抽样单位名称", "样品名称", "生产日期/批号", "抽样日期",
              "不合格项目║检验结果║标准值", "检验机构", "公告号", "公告日期"]
    rows = [["某省抽检不合格信息（演示数据）"], [], header,
            ["DC2601", "永济兴远麻花作坊（演示）", "运城市永济市开张镇解放路3号", "永济兴远麻花作坊（演示）", "永济麻花（蜂蜜）",
             46262.0, datetime(2026, 9, 18),
             "酸价(以脂肪计)(KOH)║4.6mg/g║≤3.0mg/g；过氧化值(以脂肪计)‖0.38‖≤0.25；苯甲酸||0.05||不得使用；糖精钠︱0.2︱不得使用",
             LAB, "晋市监抽〔2026〕33号", datetime(2026, 10, 12)],
            ["DC2601", "", "", "", "", "", "", "菌落总数║1.5×10^5 CFU/g║≤10^5 CFU/g", "", "", ""],
            ["DC2602", "怡源糕点坊（演示）", "运城市临猗县临晋镇南关街87号", "怡源糕点坊（演示）", "临猗枣糕（原味）", "20260901",
             datetime(2026, 9, 20), "铅║0.9", LAB, "晋市监抽〔2026〕33号", datetime(2026, 10, 12)]]
    path = xls(tmp_path / "省级.xls", rows, at=(1, 2))  # a header three rows down, two columns right
    run_import("sampling", [path], data)
    assert new_samplings(data, before) == [
        sampling(id="cj000430", operator_id="w00012", product_code="p000z", sample_name="永济麻花（蜂蜜）", batch="2026-08-28",
                 sampled_on="2026-09-18", result="不合格", lab=LAB, notice_no="晋市监抽〔2026〕33号", notice_date="2026-10-12",
                 failed_items=items(("酸价(以脂肪计)(KOH)", "4.6", "≤3.0", "mg/g"), ("过氧化值(以脂肪计)", "0.38", "≤0.25", ""),
                                    ("苯甲酸", "0.05", "不得使用", ""), ("糖精钠", "0.2", "不得使用", ""),
                                    ("菌落总数", "1.5×10⁵", "≤10⁵", "CFU/g")),
                 sample_no="DC2601", producer_name="永济兴远麻花作坊（演示）", producer_address="运城市永济市开张镇解放路3号",
                 sampled_unit="永济兴远麻花作坊（演示）", source_file="省级.xls", source_row="5"),
    ]
    (line,) = review(data)
    assert (line["行 row"], line["原因代码 code"]) == ("7", "missing-value")
    assert "“铅║0.9”有 2 部分" in line["原因 reason"]


def test_qualified_list_in_gb18030_and_mixed_verdicts(data, tmp_path):
    before = len(rows_of(data / "samplings.csv"))
    qualified = csv_file(tmp_path / "合格.csv", [
        ["合格产品信息（演示数据）"],
        ["序号", "标称生产企业名称", "被抽样单位名称", "被抽样单位地址", "被抽样单位所在省份", "食品名称", "生产日期/批号",
         "公告号", "公告日期", "任务来源/项目名称"],
        ["1", "/", "和兴饺子馆（演示）", "临猗县嵋阳镇解放路94号", "山西", "饺子", "加工日期：2026/9/25", "运市监抽〔2026〕21号",
         "2026年10月20日", "市级抽检（演示）"],
        ["2", "/", "和兴饺子馆（演示）", "河南省某市某路1号", "河南", "馒头", "2026/9/26", "运市监抽〔2026〕21号",
         "2026年10月20日", "市级抽检（演示）"],
    ], encoding="gb18030")
    header = ["抽样编号", "样品名称", "标称生产企业名称", "标称生产企业地址", "抽样日期", "检验项目", "检验结果", "计量单位",
              "标准值", "结论", "公告单位", "公告日期", "复检机构"]
    a = ["DC01", "盐湖牛肉饼（原味）", "盐湖益丰牛肉饼作坊（演示）", "运城市盐湖区龙居镇府前街250号", "2026-10-08"]
    b = ["DC02", "盐湖豆腐干（五香）", "盐湖祥丰豆制品坊（演示）", "运城市盐湖区龙居镇府前街66号", "2026-10-09"]
    tail = ["盐湖区市场监督管理局", "2026-10-25"]
    mixed = xlsx(tmp_path / "逐项.xlsx", [header,
                                           a + ["菌落总数", "2.3×10^5", "CFU/g", "≤10^5", "不合格"] + tail + ["演示复检所"],
                                           a + ["铅(以Pb计)", "0.05", "mg/kg", "≤0.5mg/kg", "合格"] + tail + [""],
                                           b + ["铅(以Pb计)", "0.08", "mg/kg", "≤0.5", "合格"] + tail + [""]])
    run_import("sampling", [qualified, mixed], data)
    assert new_samplings(data, before) == [
        sampling(id="cj000430", operator_id="e00005", sample_name="饺子", batch="加工日期 2026-09-25",
                 sampled_on="2026-10-20", result="合格", notice_no="运市监抽〔2026〕21号", notice_date="2026-10-20",
                 sampled_unit="和兴饺子馆（演示）", sampled_unit_address="临猗县嵋阳镇解放路94号",
                 task_source="市级抽检（演示）", remarks=NO_DATE, source_file="合格.csv", source_row="3"),
        sampling(id="cj000431", operator_id="w00023", product_code="p0021", sample_name="盐湖牛肉饼（原味）",
                 sampled_on="2026-10-08", result="不合格", failed_items=items(("菌落总数", "2.3×10⁵", "≤10⁵", "CFU/g")),
                 notice_date="2026-10-25", issuer="盐湖区市场监督管理局", sample_no="DC01",
                 producer_name="盐湖益丰牛肉饼作坊（演示）", producer_address="运城市盐湖区龙居镇府前街250号",
                 retest_lab="演示复检所", source_file="逐项.xlsx", source_row="2"),
        sampling(id="cj000432", operator_id="w00031", product_code="p0031", sample_name="盐湖豆腐干（五香）",
                 sampled_on="2026-10-09", result="合格", notice_date="2026-10-25", issuer="盐湖区市场监督管理局",
                 sample_no="DC02", producer_name="盐湖祥丰豆制品坊（演示）", producer_address="运城市盐湖区龙居镇府前街66号",
                 source_file="逐项.xlsx", source_row="4"),
    ]
    (line,) = review(data)
    assert (line["文件 file"], line["行 row"], line["原因代码 code"]) == ("合格.csv", "4", "out-of-region")


def test_a_doubtful_exponent_is_kept_as_written_and_flagged(data, tmp_path):
    before = len(rows_of(data / "samplings.csv"))
    rows = national_rows()[:3] + [national_rows()[8][:1] + ["丰香麻花作坊（演示）", "运城市稷山县稷峰镇工业路213号"]
                                  + national_rows()[8][3:]]
    run_import("sampling", [xlsx(tmp_path / "n.xlsx", rows)], data)
    (record,) = new_samplings(data, before)
    assert json.loads(record["failed_items"]) == [{
        "item": "大肠菌群", "measured": "1.1×102", "standard": "≤10²", "unit": "",
        "note": "“×102”可能丢失了上标（10² 还是 102？），已按原文保留，请核对公告原件"}]
    (line,) = review(data)
    assert (line["原因代码 code"], line["导入情况 outcome"]) == ("doubtful-value", "已导入，请核对 imported, please check")
    assert validate_registry(data).valid


def test_a_sample_dated_after_the_release_goes_to_review_with_the_validators_words(data, tmp_path):
    rows = national_rows()[2:4]
    rows[1] = rows[1][:8] + ["2026-12-01"] + rows[1][9:]
    rows.insert(0, ["2026年12月5日"])
    before = (data / "samplings.csv").read_bytes()
    run_import("sampling", [xlsx(tmp_path / "future.xlsx", rows)], data)
    assert (data / "samplings.csv").read_bytes() == before
    (line,) = review(data)
    assert line["原因代码 code"] == "invalid" and "晚于数据发布日期" in line["原因 reason"]


def test_rows_of_one_sample_number_are_one_sampling_wherever_they_are(data, tmp_path):
    before = len(rows_of(data / "samplings.csv"))
    header = ["抽样编号", "样品名称", "标称生产企业名称", "标称生产企业地址", "抽样日期", "检验项目", "检验结果", "计量单位", "标准值", "结论"]
    a = ["DC01", "盐湖牛肉饼（原味）", "盐湖益丰牛肉饼作坊（演示）", "运城市盐湖区龙居镇府前街250号", "2026-10-08"]
    b = ["DC02", "盐湖豆腐干（五香）", "盐湖祥丰豆制品坊（演示）", "运城市盐湖区龙居镇府前街66号", "2026-10-09"]
    run_import("sampling", [xlsx(tmp_path / "sorted-by-item.xlsx", [
        header, a + ["菌落总数", "2.3×10⁵", "CFU/g", "≤10⁵", "不合格"], b + ["菌落总数", "10", "CFU/g", "≤10⁵", "合格"],
        a + ["苯甲酸", "0.3", "g/kg", "不得使用", "不合格"], b + ["苯甲酸", "未检出", "g/kg", "不得使用", "合格"]])], data)
    added = new_samplings(data, before)
    assert [(r["sample_no"], r["result"], r["source_row"]) for r in added] == [("DC01", "不合格", "2"), ("DC02", "合格", "3")]
    assert json.loads(added[0]["failed_items"]) == [
        {"item": "菌落总数", "measured": "2.3×10⁵", "standard": "≤10⁵", "unit": "CFU/g"},
        {"item": "苯甲酸", "measured": "0.3", "standard": "不得使用", "unit": "g/kg"}]
