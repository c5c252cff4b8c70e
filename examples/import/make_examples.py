"""Writes the demonstration files for `zuofang import` (one per layout bureaus publish).

Every name is fictional and matches a business of the bundled demo registry (data/), except
the few rows made not to match, which show how import-review.csv works. Each file says in its
title row (or first line) that it is demonstration data.
Run from the repository root:  python examples/import/make_examples.py
"""
from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
DEMO = "演示数据：本文件中的单位、产品和人名均为虚构，仅用于演示 Zuofang 的导入功能。"
FIXED = datetime(2026, 10, 31, 12, 0, 0)


def _workbook(title_rows, header, rows, merges=(), sheet="Sheet1"):
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for row in title_rows:
        ws.append(row)
    ws.append(header)
    for row in rows:
        ws.append(row)
    for ref in merges:
        ws.merge_cells(ref)
    wb.properties.created = wb.properties.modified = FIXED  # the same bytes' metadata every run
    return wb


def national_unqualified(path: Path) -> None:
    """The national 不合格 layout: title rows, headers with line breaks, 备注 twice, one sample
    over two rows with merged cells, a lost superscript, an impersonated producer."""
    header = ["序号", "标称生产企业\n名称", "标称生产企业地址", "被抽样单位名称", "被抽样单位地址", "食品名称", "规格型号",
              "商标", "生产日期/批号", "不合格项目", "检验结果", "标准值", "检验机构", "分类", "备注", "备注"]
    lab = "运城市综合检验检测中心（演示）"
    rows = [
        [1, "丰香麻花作坊（演示）", "运城市稷山县稷峰镇工业路213号", "稷峰演示超市（虚构）", "运城市稷山县稷峰镇人民路1号",
         "稷山麻花（原味）", "250g/袋", "/", "2026-09-02", "酸价(以脂肪计)(KOH)", "5.2mg/g", "≤3.0mg/g", lab, "糕点", "/", "/"],
        [1, "丰香麻花作坊（演示）", "运城市稷山县稷峰镇工业路213号", "稷峰演示超市（虚构）", "运城市稷山县稷峰镇人民路1号",
         "稷山麻花（原味）", "250g/袋", "/", "2026-09-02", "过氧化值(以脂肪计)", "0.41g/100g", "≤0.25g/100g", lab, "糕点", "/", "/"],
        [2, "垣曲鑫顺炒货坊(演示)", "山西省运城市垣曲县古城镇文化路9号", "垣曲鑫顺炒货坊(演示)", "山西省运城市垣曲县古城镇文化路9号",
         "西瓜子（五香）", "400g/袋", "鑫顺", "购进日期：2026/9/12", "菌落总数", "1.2×10<sup>5</sup>", "≤10<sup>4</sup>", lab,
         "炒货食品及坚果制品", "", "/"],
        [3, "兴香山楂食品坊（演示）", "运城市新绛县北张镇北关街261号", "司马记炒货摊（演示）", "运城市绛县横水镇府前街107号",
         "山楂片", "散装", "/", "2026-08-20", "日落黄", "0.12g/kg", "不得使用", lab, "水果制品",
         "经核查，标称生产企业表示该批次产品非其生产，系被冒用。", "/"],
        [4, "虚构食品有限公司（演示）", "河南省演示市虚构路8号", "昌和面馆（演示）", "运城市平陆县圣人涧镇南关街14号",
         "腐竹", "500g/袋", "/", "2026-07-30", "大肠菌群", "1.1×102", "n=5,c=2,m=10,M=10²", lab, "豆制品", "/",
         "复检机构：山西晋南食品检测研究院（演示）"],
        [5, "演示县虚构食品厂", "运城市稷山县演示村1号", "演示便利店（虚构）", "运城市稷山县演示街2号",
         "花馍", "散装", "/", "2026-09-15", "脱氢乙酸及其钠盐(以脱氢乙酸计)", "0.93", "≤0.5", lab, "糕点", "/", "/"],
    ]
    title = [["运城市市场监督管理局关于2026年第21期食品安全监督抽检信息的通告（演示数据）"],
             ["运市监抽〔2026〕21号　　2026年10月20日　　" + DEMO], ["附件1：不合格产品信息"]]
    merges = [f"{c}5:{c}6" for c in "ABCDEFGHIMNOP"]  # sample 1 spans rows 5 and 6
    _workbook(title, header, rows, merges, "不合格产品信息").save(path)


def provincial_cell(path: Path) -> None:
    """The provincial layout as old Excel (.xls): 不合格项目║检验结果║标准值║计量单位 in one cell,
    several items joined by ；, a date cell and an Excel serial number for 生产日期."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("不合格")
    ws.write(0, 0, "山西省市场监督管理局食品安全抽检不合格信息（演示数据）" + DEMO)
    header = ["抽样编号", "标称生产企业名称", "标称生产企业地址", "被抽样单位名称", "被抽样单位地址", "样品名称", "规格型号",
              "生产日期/批号", "抽样日期", "不合格项目║检验结果║标准值║计量单位", "检验机构", "公告号", "公告日期"]
    for c, h in enumerate(header):
        ws.write(2, c + 1, h)  # a header two rows down, shifted one column right
    dates = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    rows = [
        ["DC26140881000101", "永济兴远麻花作坊（演示）", "运城市永济市开张镇解放路3号", "永济兴远麻花作坊（演示）",
         "运城市永济市开张镇解放路3号", "永济麻花（蜂蜜）", "300g/袋", 46262.0, date(2026, 9, 18),
         "酸价(以脂肪计)(KOH)║4.6║≤3.0║mg/g；过氧化值(以脂肪计)‖0.38‖≤0.25‖g/100g", "山西晋南食品检测研究院（演示）",
         "晋市监抽〔2026〕33号", date(2026, 10, 12)],
        ["DC26140821000102", "怡源糕点坊（演示）", "运城市临猗县临晋镇南关街87号", "怡源糕点坊（演示）",
         "运城市临猗县临晋镇南关街87号", "临猗枣糕（原味）", "500g/盒", "20260901", date(2026, 9, 20),
         "糖精钠(以糖精计)︱0.21︱不得使用︱g/kg", "山西晋南食品检测研究院（演示）", "晋市监抽〔2026〕33号", date(2026, 10, 12)],
    ]
    for r, row in enumerate(rows, start=3):
        for c, value in enumerate(row):
            if isinstance(value, date):
                ws.write(r, c + 1, datetime(value.year, value.month, value.day), dates)
            else:
                ws.write(r, c + 1, value)
    book.save(str(path))


def qualified_list(path: Path) -> None:
    """A 合格 list as CSV in GB18030 (what older Chinese Excel saves), "/" for empty cells."""
    header = ["序号", "标称生产企业名称", "标称生产企业地址", "被抽样单位名称", "被抽样单位地址", "被抽样单位所在省份",
              "食品名称", "规格型号", "生产日期/批号", "分类", "公告号", "公告日期", "任务来源/项目名称"]
    common = ["运市监抽〔2026〕21号", "2026年10月20日", "运城市食品安全监督抽检（演示）"]
    rows = [
        [1, "怡源糕点坊（演示）", "运城市临猗县临晋镇南关街87号", "怡源糕点坊（演示）", "运城市临猗县临晋镇南关街87号", "山西",
         "临猗月饼（冰糖）", "100g/个", "2026/9/1", "糕点", *common],
        [2, "/", "/", "和兴饺子馆（演示）", "运城市临猗县嵋阳镇解放路94号", "山西", "饺子（自制）", "/", "加工日期：2026/9/25",
         "餐饮食品", *common],
        [3, "同鼎锅巴坊（演示）", "运城市盐湖区解州镇南关街18号", "同鼎锅巴坊（演示）", "运城市盐湖区解州镇南关街18号", "山西",
         "小米锅巴（五香）", "200g/袋", "20260905", "薯类和膨化食品", *common],
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["合格产品信息（" + DEMO + "）"])
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(out.getvalue().encode("gb18030"))


def mixed_verdicts(path: Path) -> None:
    """One tested item per row with its verdict, value, unit and standard in their own columns;
    the issuing bureau and date on every row."""
    header = ["抽样编号", "样品名称", "标称生产企业名称", "标称生产企业地址", "被抽样单位名称", "被抽样单位地址", "抽样日期",
              "检验项目", "检验结果", "计量单位", "标准值", "结论", "检验机构", "公告单位", "公告日期"]
    bureau, day, lab = "盐湖区市场监督管理局", "2026-10-25", "河东食品质量检验站（演示）"
    a = ["DC26140802000201", "盐湖牛肉饼（原味）", "盐湖益丰牛肉饼作坊（演示）", "运城市盐湖区龙居镇府前街250号",
         "盐湖益丰牛肉饼作坊（演示）", "运城市盐湖区龙居镇府前街250号", "2026-10-08"]
    b = ["DC26140802000202", "盐湖豆腐干（五香）", "盐湖祥丰豆制品坊（演示）", "运城市盐湖区龙居镇府前街66号",
         "盐湖祥丰豆制品坊（演示）", "运城市盐湖区龙居镇府前街66号", "2026-10-09"]
    rows = [
        a + ["菌落总数", "2.3×10^5", "CFU/g", "≤10^5", "不合格", lab, bureau, day],
        a + ["大肠菌群", "<10", "CFU/g", "≤10²", "合格", lab, bureau, day],
        a + ["铅(以Pb计)", "0.05", "mg/kg", "≤0.5", "合格", lab, bureau, day],
        b + ["苯甲酸及其钠盐(以苯甲酸计)", "未检出", "g/kg", "不得使用", "合格", lab, bureau, day],
        b + ["铅(以Pb计)", "0.08", "mg/kg", "≤0.5", "合格", lab, bureau, day],
    ]
    _workbook([["盐湖区食品安全监督抽检检验结果（逐项）——" + DEMO]], header, rows, sheet="检验结果").save(path)


def penalties(path: Path) -> None:
    """The 双公示 行政处罚 export: amounts in 万元, personal identifiers beside the record."""
    header = ["行政相对人名称", "行政相对人类别", "行政相对人代码_1(统一社会信用代码)", "法定代表人", "证件类型", "证件号码",
              "行政处罚决定书文号", "违法行为类型", "违法事实", "处罚依据", "处罚类别", "处罚内容", "罚款金额（万元）",
              "没收违法所得、没收非法财物的金额（万元）", "暂扣或吊销证照名称及编号", "处罚决定日期", "处罚有效期", "公示截止期",
              "处罚机关", "数据来源单位", "备注"]
    bureau = "稷山县市场监督管理局"
    rows = [
        ["丰香麻花作坊（演示）", "法人及非法人组织", "92140824MAC95B58EL", "于某（虚构）", "身份证", "140824199001019999",
         "稷市监罚〔2026〕41号", "生产不符合食品安全标准的食品", "当事人生产的稷山麻花（原味）酸价、过氧化值不合格（演示）。",
         "《中华人民共和国食品安全法》第一百二十四条", "罚款；没收违法所得", "没收违法所得，罚款0.5万元", "0.5", "0.035", "/",
         "2026-10-28", "2027-10-28", "2029-10-28", bureau, bureau, "/"],
        ["垣曲鑫顺炒货坊（演示）", "法人及非法人组织", "92140827MAE6Q3JFJB", "/", "/", "/",
         "垣市监罚〔2026〕17号", "未按规定进行进货查验", "当事人未查验供货者许可证（演示）。联系人电话13900001111。",
         "《中华人民共和国食品安全法》第一百二十六条", "警告", "警告", "", "", "/", "2026-09-30", "/", "2027-03-30",
         "垣曲县市场监督管理局", "垣曲县市场监督管理局", "/"],
        ["永源醋坊（演示）", "法人及非法人组织", "92140882MA220507GB", "/", "/", "/",
         "河市监罚〔2025〕3号", "登记证有效期届满后继续生产", "当事人登记证过期后继续生产（演示）。",
         "《山西省食品小作坊小经营店小摊点管理条例》", "罚款", "罚款0.2万元", "0.2", "", "/", "2025-03-10", "/", "2025-09-10",
         "河津市市场监督管理局", "河津市市场监督管理局", "公示期已满（演示）"],
        ["张某某（虚构）", "自然人", "", "", "身份证", "140824198001018888",
         "稷市监罚〔2026〕42号", "未取得健康证明从事接触直接入口食品的工作", "当事人无健康证（演示）。",
         "《中华人民共和国食品安全法》第一百二十六条", "罚款", "罚款0.1万元", "0.1", "", "/", "2026-10-29", "/", "2027-10-29",
         bureau, bureau, "/"],
    ]
    _workbook([["行政处罚信息（双公示）——" + DEMO]], header, rows).save(path)


def licences(path: Path) -> None:
    """The 双公示 行政许可 export, with the 经营场所 and 主体类型 columns some provinces add."""
    header = ["行政相对人名称", "统一社会信用代码", "行政许可决定文书号", "许可编号", "许可证书名称", "许可类别", "许可内容",
              "许可决定日期", "有效期自", "有效期至", "许可机关", "当前状态", "经营场所", "法定代表人"]
    rows = [
        ["丰香麻花作坊（演示）", "92140824MAC95B58EL", "稷市监许〔2026〕101号", "晋小作坊登字1408240001", "食品小作坊登记证",
         "登记", "糕点、油炸食品", "2026-10-15", "2026-10-15", "2029-10-14", "稷山县市场监督管理局", "有效",
         "运城市稷山县稷峰镇工业路213号", "于某（虚构）"],
        ["裕旺芝麻糖坊（演示）", "92140828MAQQJE70KC", "夏市监许〔2024〕7号", "晋小作坊登字1408280001", "食品小作坊登记证",
         "登记", "糖果", "2021-03-02", "2021-03-02", "2024-03-01", "夏县市场监督管理局", "注销",
         "运城市夏县泗交镇西大街51号", "/"],
        ["稷山演示新开麻花坊（虚构）", "", "稷市监许〔2026〕102号", "晋小作坊登字1408249001", "食品小作坊登记证", "登记",
         "糕点", "2026-10-20", "2026-10-20", "2029-10-19", "稷山县市场监督管理局", "有效", "运城市稷山县翟店镇演示街8号",
         "王某（虚构）"],
        ["演示无址小吃店（虚构）", "", "盐市监许〔2026〕55号", "晋小餐饮许字1408029001", "小餐饮经营许可证", "许可",
         "热食类食品制售", "2026-10-22", "2026-10-22", "2031-10-21", "盐湖区市场监督管理局", "有效", "", "/"],
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["# " + DEMO])
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


EXAMPLES = {
    "sampling-national-unqualified.xlsx": national_unqualified,
    "sampling-provincial-cell.xls": provincial_cell,
    "sampling-qualified-list.csv": qualified_list,
    "sampling-mixed-verdicts.xlsx": mixed_verdicts,
    "penalties.xlsx": penalties,
    "licences.csv": licences,
}

if __name__ == "__main__":
    for name, make in EXAMPLES.items():
        make(HERE / name)
        print(HERE / name)
