"""THE alias table: every header spelling a bureau's file may use, and the field it means.

Data, not code: the importers, the `--map` option and the handbook's import guide all read
this one table (the handbook prints it, so a spelling added here is documented by the next
build). Spellings are compared as `header_key` gives them: full-width and half-width alike,
spaces and line breaks inside a header ignored, （） the same as (), a trailing colon or a
required-field star dropped. A spelling belongs to one field per layout.
"""
from __future__ import annotations

import re
import unicodedata

#: Fields that carry personal identifiers: recognised so that nothing else claims the column,
#: never written to the registry, and blanked in import-review.csv.
PRIVATE = ("legal_representative", "id_number", "id_type", "phone")

_PRIVATE_SPELLINGS = {
    "legal_representative": ("法定代表人", "法定代表人姓名", "法定代表人(负责人)", "负责人", "负责人姓名", "经营者姓名"),
    "id_number": ("身份证号", "身份证号码", "证件号码", "法定代表人证件号码", "法定代表人身份证号", "负责人证件号码"),
    "id_type": ("证件类型", "法定代表人证件类型"),
    "phone": ("联系电话", "电话", "手机号码"),
}

#: layout -> field -> (title, spellings). The first spelling is the one error messages suggest.
ALIASES: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    "sampling": {
        "seq": ("序号 Row number", ("序号", "编号序号")),
        "sample_no": ("抽样编号 Sample number", ("抽样编号", "抽样单编号", "抽样单号", "样品编号", "抽检编号")),
        "producer_name": ("标称生产企业名称 Named producer", (
            "标称生产企业名称", "标识生产企业名称", "标称生产(养殖)企业名称", "标称生产企业/进口代理商名称",
            "标称生产者名称", "标称生产单位名称", "标称生产企业", "生产企业名称", "生产者名称", "生产单位名称",
            "生产企业")),
        "producer_address": ("标称生产企业地址 Named producer's address", (
            "标称生产企业地址", "标识生产企业地址", "标称生产(养殖)企业地址", "标称生产企业/进口代理商地址",
            "标称生产者地址", "标称生产单位地址", "生产企业地址", "生产者地址", "生产单位地址")),
        "producer_credit_code": ("标称生产企业统一社会信用代码 Producer's credit code", (
            "标称生产企业统一社会信用代码", "生产企业统一社会信用代码", "生产企业社会信用代码")),
        "unit_name": ("被抽样单位名称 Sampled unit", (
            "被抽样单位名称", "被抽样单位", "被抽检单位名称", "被抽样单位(经营者)名称", "被抽样企业名称",
            "受检单位名称", "被检单位名称", "被抽样经营者名称")),
        "unit_address": ("被抽样单位地址 Sampled unit's address", (
            "被抽样单位地址", "被抽检单位地址", "被抽样企业地址", "受检单位地址", "被检单位地址")),
        "unit_credit_code": ("被抽样单位统一社会信用代码 Sampled unit's credit code", (
            "被抽样单位统一社会信用代码", "被抽样单位社会信用代码")),
        "unit_province": ("被抽样单位所在省份 Sampled unit's province", (
            "被抽样单位所在省份", "被抽样单位所在省份(自治区、直辖市)", "被抽样单位所在省", "所在省份")),
        "sample_name": ("样品名称 Sample name", ("样品名称", "食品名称", "产品名称", "抽样样品名称", "样品名", "食品名")),
        "spec": ("规格型号 Specification", ("规格型号", "规格", "型号规格", "规格型号(净含量)", "包装规格")),
        "trademark": ("商标 Trademark", ("商标", "品牌", "商标/品牌")),
        "batch": ("生产日期/批号 Batch", (
            "生产日期/批号", "生产日期或批号", "生产日期(批号)", "批号/生产日期", "生产日期/批次", "生产日期/批次号",
            "生产(购进)日期/批号", "生产(加工)日期/批号", "生产(加工/购进)日期/批号", "生产(加工/购进/检疫)日期/批号",
            "生产日期/加工日期/购进日期/检疫日期/批号", "生产日期/批号/购进日期", "生产/购进日期", "生产日期/购进日期",
            "加工日期/批号", "购进日期/批号", "检疫日期/批号", "加工/购进/检疫日期", "生产日期", "批号", "批次",
            "生产批号", "加工日期", "购进日期", "检疫日期")),
        "sampled_on": ("抽样日期 Sampled on", ("抽样日期", "抽样时间", "采样日期", "抽检日期")),
        "item": ("不合格项目 Failed (tested) item", (
            "不合格项目", "不合格项目名称", "不合格检验项目", "检验项目", "检测项目", "项目名称")),
        "measured": ("检验结果 Measured value", (
            "检验结果", "检验值", "检测值", "检测结果", "实测值", "不合格项目检验结果", "检验结果值")),
        "standard": ("标准值 Standard", (
            "标准值", "标准要求", "标准规定", "标准规定值", "标准限值", "限量值", "标准指标", "不合格项目标准值",
            "技术要求")),
        "unit": ("计量单位 Unit", ("计量单位", "单位", "结果单位")),
        "verdict": ("检验结论 Verdict", (
            "结论", "检验结论", "判定结论", "检验结果判定", "单项判定", "单项结论", "判定", "结果判定", "抽检结论")),
        "lab": ("检验机构 Laboratory", (
            "检验机构", "承检机构", "检验机构名称", "承检机构名称", "检测机构", "初检机构", "初检机构名称",
            "检验单位", "承检单位")),
        "retest_lab": ("复检机构 Retest laboratory", ("复检机构", "复检机构名称", "复检单位")),
        "food_category": ("食品细类/分类 Food category", (
            "食品细类", "分类", "食品分类", "食品类别", "食品大类", "食品亚类", "食品品种", "产品类别")),
        "remarks": ("备注 Remarks", ("备注", "备注信息", "说明")),
        "notice_no": ("公告号 Notice number", ("公告号", "公告编号", "通告号", "公告期号", "公告文号")),
        "notice_date": ("公告日期 Notice date", ("公告日期", "通告日期", "公布日期", "发布日期")),
        "issuer": ("公告单位 Issuing bureau", ("公告单位", "发布单位", "发布机关", "公告机关", "通告单位")),
        "task_source": ("任务来源/项目名称 Task source", (
            "任务来源/项目名称", "任务来源", "抽检项目", "任务类别", "抽检任务来源")),
        "disposal": ("核查处置情况 Disposal", ("核查处置情况", "核查处置", "处置情况")),
    },
    "penalties": {
        "subject_name": ("行政相对人名称 Party", ("行政相对人名称", "当事人名称", "相对人名称", "当事人", "被处罚单位名称", "企业名称")),
        "subject_kind": ("行政相对人类别 Party kind", ("行政相对人类别", "相对人类别", "当事人类别", "当事人类型")),
        "credit_code": ("统一社会信用代码 Credit code", (
            "统一社会信用代码", "行政相对人代码_1(统一社会信用代码)", "行政相对人代码_1", "社会信用代码",
            "统一社会信用代码/注册号")),
        "decision_no": ("行政处罚决定书文号 Decision number", (
            "行政处罚决定书文号", "处罚决定书文号", "决定书文号", "处罚文号", "行政处罚决定文书号")),
        "violation": ("违法行为类型 Violation", ("违法行为类型", "违法行为", "违法类型", "案件名称")),
        "facts": ("违法事实 Facts", ("违法事实", "主要违法事实", "违法事实描述")),
        "basis": ("处罚依据 Legal basis", ("处罚依据", "法律依据")),
        "penalty_kinds": ("处罚类别 Penalty kinds", ("处罚类别", "处罚种类", "处罚类别1", "处罚类别2")),
        "penalty": ("处罚内容 Penalty", ("处罚内容", "处罚结果", "处罚决定")),
        "fine_wan": ("罚款金额（万元）Fine, 10,000 yuan", ("罚款金额(万元)", "罚款金额")),
        "fine_yuan": ("罚款金额（元）Fine, yuan", ("罚款金额(元)",)),
        "confiscated_wan": ("没收违法所得、没收非法财物的金额（万元）Confiscated, 10,000 yuan", (
            "没收违法所得、没收非法财物的金额(万元)", "没收违法所得、没收非法财物的金额", "没收违法所得金额(万元)",
            "没收金额(万元)")),
        "confiscated_yuan": ("没收违法所得、没收非法财物的金额（元）Confiscated, yuan", (
            "没收违法所得、没收非法财物的金额(元)", "没收金额(元)")),
        "licence_action": ("暂扣或吊销证照名称及编号 Licence suspended or revoked", (
            "暂扣或吊销证照名称及编号", "暂扣或者吊销证照名称及编号")),
        "decided_on": ("处罚决定日期 Decided on", ("处罚决定日期", "处罚日期", "决定日期", "作出行政处罚决定日期")),
        "effective_until": ("处罚有效期 Effective until", ("处罚有效期", "有效期")),
        "publicity_end": ("公示截止期 Publicity ends", ("公示截止期", "公示截止日期", "公示截止时间", "公示期限")),
        "authority": ("处罚机关 Authority", ("处罚机关", "处罚机关名称", "决定机关", "执法机关")),
        "data_source": ("数据来源单位 Data source", ("数据来源单位", "数据来源")),
        "remarks": ("备注 Remarks", ("备注",)),
    },
    "licences": {
        "licence_no": ("许可编号 Licence number", (
            "许可编号", "许可证编号", "许可证号", "登记证编号", "登记证号", "备案编号", "备案卡编号")),
        "decision_doc_no": ("行政许可决定文书号 Licence decision number", (
            "行政许可决定文书号", "行政许可决定书文号", "许可决定文书号")),
        "licence_name": ("许可证书名称 Licence name", ("许可证书名称", "证书名称", "许可证名称")),
        "licence_category": ("许可类别 Licence category", ("许可类别", "许可类型")),
        "licence_content": ("许可内容 Licence content", ("许可内容", "经营项目", "许可范围", "经营范围")),
        "decided_on": ("许可决定日期 Decided on", ("许可决定日期", "发证日期", "许可日期", "登记日期", "决定日期")),
        "valid_from": ("有效期自 Valid from", ("有效期自", "有效期起", "有效期开始日期", "许可有效期自")),
        "valid_until": ("有效期至 Valid until", ("有效期至", "有效期止", "有效期截止日期", "许可有效期至")),
        "authority": ("许可机关 Licensing authority", ("许可机关", "发证机关", "许可机关名称", "登记机关")),
        "status": ("当前状态 Status", ("当前状态", "状态", "许可状态")),
        "subject_name": ("行政相对人名称 Business name", (
            "行政相对人名称", "主体名称", "经营者名称", "企业名称", "名称", "字号名称")),
        "credit_code": ("统一社会信用代码 Credit code", (
            "统一社会信用代码", "行政相对人代码_1(统一社会信用代码)", "行政相对人代码_1", "社会信用代码")),
        "address": ("经营场所 Address", ("经营场所", "生产经营场所", "经营地址", "生产地址", "住所", "地址")),
        "kind": ("主体类型 Kind", ("主体类型", "三小类型", "业态")),
        "region": ("所属区划 Region", ("所属区划", "区划代码", "行政区划代码", "所属县区", "所属县(市、区)")),
    },
}
for _layout in ALIASES.values():
    _layout.update({f: ("隐私字段：不导入 Private, never imported", s) for f, s in _PRIVATE_SPELLINGS.items()})

#: The fields a layout cannot do without: each entry is satisfied by any one of its fields.
NEEDED = {
    "sampling": (("sample_name",), ("producer_name", "unit_name")),
    "penalties": (("subject_name", "credit_code"), ("decision_no",), ("decided_on",)),
    "licences": (("subject_name", "credit_code"), ("licence_no", "decision_doc_no")),
}

_SPACES = re.compile(r"\s+")


def header_key(text: str) -> str:
    """A header as compared: NFKC (full-width to half-width, （） to ()), no spaces or line
    breaks, no required-field star, no trailing colon."""
    key = _SPACES.sub("", unicodedata.normalize("NFKC", str(text)))
    return key.strip("*※").rstrip(":").lower()


def _index() -> dict[str, dict[str, str]]:
    index: dict[str, dict[str, str]] = {}
    for layout, fields in ALIASES.items():
        keys = index.setdefault(layout, {})
        for field, (_title, spellings) in fields.items():
            for spelling in spellings:
                key = header_key(spelling)
                if keys.get(key, field) != field:
                    raise AssertionError(f"alias {spelling!r} names both {keys[key]} and {field} in {layout}")
                keys[key] = field
    return index


#: layout -> header_key(spelling) -> field
INDEX = _index()


def field_of(layout: str, header: str) -> str | None:
    """The field a header means in `layout`, or None."""
    return INDEX[layout].get(header_key(header))


def title(layout: str, field: str) -> str:
    return ALIASES[layout][field][0]


def needed_text(layout: str) -> str:
    """The needed headers as an error message lists them: 样品名称；标称生产企业名称 或 被抽样单位名称."""
    return "；".join(" 或 ".join(ALIASES[layout][f][1][0] for f in group) for group in NEEDED[layout])


def markdown_tables() -> str:
    """The handbook's alias tables (one per layout), from this module's data."""
    names = {"sampling": "抽检 `zuofang import sampling`", "penalties": "行政处罚 `zuofang import penalties`",
             "licences": "行政许可 `zuofang import licences`"}
    lines = []
    for layout, fields in ALIASES.items():
        lines += [f"### {names[layout]}", "", "| 字段 field | 含义 meaning | 认得的表头 headers recognised |", "|---|---|---|"]
        for field, (meaning, spellings) in fields.items():
            cells = "、".join(_md(s) for s in spellings)
            lines.append(f"| `{field}` | {_md(meaning)} | {cells} |")
        lines.append("")
    return "\n".join(lines)


def _md(text: str) -> str:
    return re.sub(r"([\\`*_\[\]|<>])", r"\\\1", text)
