"""zuofang import penalties and licences: 双公示 exports into penalties and operators rows."""
from __future__ import annotations

import csv
import json
import sqlite3

import pytest
from import_fixtures import csv_file, demo_copy, xlsx

from site_builder.database.build import build_database
from site_builder.importers.run import run_import
from site_builder.registry.package import Package
from site_builder.validate.whole import validate_registry

PENALTY_HEADER = ["行政相对人名称", "行政相对人类别", "行政相对人代码_1(统一社会信用代码)", "法定代表人", "证件类型", "证件号码",
                  "行政处罚决定书文号", "违法行为类型", "违法事实", "处罚依据", "处罚类别", "处罚内容", "罚款金额（万元）",
                  "没收违法所得、没收非法财物的金额（万元）", "暂扣或吊销证照名称及编号", "处罚决定日期", "处罚有效期", "公示截止期",
                  "处罚机关", "数据来源单位", "备注"]


def rows_of(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def data(tmp_path):
    return demo_copy(tmp_path)


def penalty_rows():
    return [
        ["行政处罚信息（演示数据）"], PENALTY_HEADER,
        ["丰香麻花作坊（演示）", "法人及非法人组织", "92140824MAC95B58EL", "于某（虚构）", "身份证", "140824199001019999",
         "稷市监罚〔2026〕41号", "生产不符合食品安全标准的食品",
         "当事人（身份证号140824199001011237）生产的麻花不合格，电话13912345678。", "《食品安全法》第一百二十四条",
         "罚款；没收违法所得", "没收违法所得，罚款0.5万元", "0.5", "0.035", "/", "2026-10-28", "2027-10-28", "2029-10-28",
         "稷山县市场监督管理局", "稷山县市场监督管理局", "/"],
        ["垣曲鑫顺炒货坊（演示）", "法人及非法人组织", "", "", "", "", "垣市监罚〔2026〕17号", "未按规定进行进货查验",
         "未查验供货者许可证。", "《食品安全法》第一百二十六条", "警告", "警告", "", "", "/", "2026-09-30", "/", "2027-03-30",
         "垣曲县市场监督管理局", "垣曲县市场监督管理局", "/"],
        ["永源醋坊（演示）", "法人及非法人组织", "92140882MA220507GB", "", "", "", "河市监罚〔2025〕3号",
         "登记证有效期届满后继续生产", "过期生产。", "条例", "罚款", "罚款0.2万元", "0.2", "", "/", "2025-03-10", "/",
         "2025-09-10", "河津市市场监督管理局", "河津市市场监督管理局", "公示期已满"],
        ["张三丰（虚构）", "自然人", "", "", "身份证", "140824198001018888", "稷市监罚〔2026〕42号", "无健康证", "无健康证。",
         "《食品安全法》", "罚款", "罚款0.1万元", "0.1", "", "/", "2026-10-29", "/", "2027-10-29", "稷山县市场监督管理局",
         "稷山县市场监督管理局", "/"],
    ]


def test_penalties_in_yuan_without_personal_identifiers(data, tmp_path):
    before = len(rows_of(data / "penalties.csv"))
    path = xlsx(tmp_path / "处罚.xlsx", penalty_rows())
    report = run_import("penalties", [path], data)
    common = dict(licence_action="", source_file="处罚.xlsx")
    added = rows_of(data / "penalties.csv")[before:]
    assert added == [
        dict(id="cf00031", operator_id="w00004", decided_on="2026-10-28", decision_no="稷市监罚〔2026〕41号",
             violation="生产不符合食品安全标准的食品", penalty="没收违法所得，罚款0.5万元", fine_yuan="5350",
             fine_amount_yuan="5000", confiscated_yuan="350", penalty_kinds="罚款；没收违法所得",
             facts="当事人（身份证号[身份证号已隐去]）生产的麻花不合格，电话[电话已隐去]。", basis="《食品安全法》第一百二十四条",
             effective_until="2027-10-28", publicity_end="2029-10-28", authority="稷山县市场监督管理局",
             data_source="稷山县市场监督管理局", remarks="", source_row="3", **common),
        dict(id="cf00032", operator_id="w00011", decided_on="2026-09-30", decision_no="垣市监罚〔2026〕17号",
             violation="未按规定进行进货查验", penalty="警告", fine_yuan="", fine_amount_yuan="", confiscated_yuan="",
             penalty_kinds="警告", facts="未查验供货者许可证。", basis="《食品安全法》第一百二十六条", effective_until="",
             publicity_end="2027-03-30", authority="垣曲县市场监督管理局", data_source="垣曲县市场监督管理局",
             remarks="", source_row="4", **common),
        dict(id="cf00033", operator_id="w00019", decided_on="2025-03-10", decision_no="河市监罚〔2025〕3号",
             violation="登记证有效期届满后继续生产", penalty="罚款0.2万元", fine_yuan="2000", fine_amount_yuan="2000",
             confiscated_yuan="", penalty_kinds="罚款", facts="过期生产。", basis="条例", effective_until="",
             publicity_end="2025-09-10", authority="河津市市场监督管理局", data_source="河津市市场监督管理局",
             remarks="公示期已满", source_row="5", **common),
    ]
    assert [p.method for p in report.placements] == ["credit_code", "name", "credit_code"]
    (line,) = rows_of(data / "import-review.csv")
    assert (line["行 row"], line["原因代码 code"]) == ("6", "no-match")
    cells = json.loads(line["单元格 cells"])
    assert cells["行政相对人名称"] == "张*" and cells["证件号码"] == "（隐私字段，已隐去）"
    everything = b"".join(p.read_bytes() for p in data.iterdir() if p.is_file())  # photos/ is a folder
    for secret in ("140824199001019999", "140824198001018888", "于某", "张三丰", "140824199001011237", "13912345678"):
        assert secret.encode() not in everything, secret
    assert validate_registry(data).valid
    # Only the fine still in its publicity term reaches registry.db: the warning and the lapsed one do not.
    build_database(Package.load(data), tmp_path / "out" / "registry.db")
    published = {r[0] for r in sqlite3.connect(tmp_path / "out" / "registry.db").execute("select id from penalties")}
    assert "cf00031" in published and not {"cf00032", "cf00033"} & published


LICENCE_HEADER = ["行政相对人名称", "统一社会信用代码", "行政许可决定文书号", "许可编号", "许可证书名称", "许可类别", "许可内容",
                  "许可决定日期", "有效期自", "有效期至", "许可机关", "当前状态", "经营场所"]


def test_licences_update_add_and_never_delete(data, tmp_path):
    operators = rows_of(data / "operators.csv")
    path = csv_file(tmp_path / "许可.csv", [
        LICENCE_HEADER,
        ["丰香麻花作坊（演示）", "92140824MAC95B58EL", "稷许〔2026〕1号", "晋小作坊登字1408240001", "食品小作坊登记证", "登记",
         "糕点", "2026-10-15", "2026-10-15", "2029-10-14", "稷山县市场监督管理局", "有效", ""],
        ["瑞成早餐店（演示）", "92140882MAA87P894Y", "河许〔2026〕9号", "晋小餐饮许字1408820001", "小餐饮经营许可证", "许可",
         "热食类食品制售", "", "", "", "河津市市场监督管理局", "注销", ""],
        ["稷山演示新开麻花坊（虚构）", "", "稷许〔2026〕2号", "晋小作坊登字1408249001", "食品小作坊登记证", "登记", "糕点",
         "2026-10-20", "2026-10-20", "2029-10-19", "稷山县市场监督管理局", "有效", "运城市稷山县翟店镇演示街8号"],
        ["演示无址小吃店（虚构）", "", "盐许〔2026〕55号", "晋小餐饮许字1408029001", "小餐饮经营许可证", "许可", "热食类",
         "2026-10-22", "2026-10-22", "2031-10-21", "盐湖区市场监督管理局", "有效", ""],
        ["演示状态店（虚构）", "", "", "X1", "小餐饮经营许可证", "", "", "2026-10-22", "", "2031-10-21", "", "待审核", ""],
    ], encoding="gb18030")
    run_import("licences", [path], data)
    after = rows_of(data / "operators.csv")
    assert len(after) == len(operators) + 1 and [r["id"] for r in after[:-1]] == [r["id"] for r in operators]
    changed = {r["id"]: (o, r) for o, r in zip(operators, after) if o != r}
    assert sorted(changed) == ["e00040", "w00004"]
    old, new = changed["w00004"]
    assert {k: new[k] for k in new if new[k] != old[k]} == {"registered_on": "2026-10-15", "valid_until": "2029-10-14"}
    old, new = changed["e00040"]
    assert {k: new[k] for k in new if new[k] != old[k]} == {"status": "revoked"}
    assert after[-1] == {
        "id": "w00321", "kind": "workshop", "name": "稷山演示新开麻花坊（虚构）", "licence_no": "晋小作坊登字1408249001",
        "credit_code": "", "region_code": "140824", "station_id": "st-140824-3", "address": "运城市稷山县翟店镇演示街8号",
        "lat": "", "lon": "", "registered_on": "2026-10-20", "valid_until": "2029-10-19", "status": "active",
        "categories": "糕点", "park_id": "", "owner_name": "", "owner_phone": "", "owner_id_number": "",
        "licence_authority": "稷山县市场监督管理局", "status_since": ""}
    lines = rows_of(data / "import-review.csv")
    assert [(r["行 row"], r["原因代码 code"]) for r in lines] == [("5", "new-business-incomplete"), ("6", "unknown-status")]
    assert "经营场所" in lines[0]["原因 reason"] and "待审核" in lines[1]["原因 reason"]
    assert validate_registry(data).valid
