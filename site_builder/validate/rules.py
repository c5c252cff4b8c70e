"""Domain rules beyond the table schemas: pure functions over typed rows.

A row rule gets one row as a dict of typed values (dates as `date`, numbers as `Decimal`,
arrays as lists, empty cells as None) and yields `Finding`s. A field that already failed
the schema (wrong type, bad pattern …) or whose column is missing is *absent* from the
dict, so a rule never reports the same cell twice: `row.get(f)` treats absent and empty
alike, `f in row` asks whether the value may be judged at all.

Rule names are stable (kebab-case); users and tests match on them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterable, Iterator, Mapping

from ..checksums import (
    credit_code_check_char,
    credit_code_valid,
    gtin_check_digit,
    gtin_valid,
)
from ..vocabulary import REGION_LEVELS, zh_date
from .cells import cell_findings
from .finding import Finding
from .photos import photo_alt, photo_path
from .programme_rules import board_health, checklist_item, programme_metric, target_station, upgrade_licence, zone_region

#: Cells starting with these run as formulas when the CSV is opened in a spreadsheet, also
#: after leading spaces or tabs, which some spreadsheets drop when they import a CSV.
FORMULA_PREFIXES = ("=", "+", "-", "@")
#: Brands need at least this review score to be awarded (名特优 criteria).
AWARD_MIN_SCORE = 90
LEVELS_ZH = {k: t.zh for k, t in REGION_LEVELS.items()}
#: Chinese names of the fields rules talk about (messages only).
LABELS = {
    "registered_on": "登记日期", "valid_until": "有效期至", "date": "检查日期",
    "effective_on": "等级生效日期", "sampled_on": "抽样日期", "issued_on": "发布日期",
    "closed_on": "结束日期", "publicity_start": "公示开始日期", "publicity_end": "公示结束日期",
    "awarded_on": "认定日期", "decided_on": "处罚决定日期",
    "product_code": "产品编码", "sampling_id": "抽检编号", "inspection_id": "检查编号",
    "found_on": "发现日期", "banned_on": "取缔日期", "period_start": "方案开始日期",
    "period_end": "方案结束日期", "start": "起算日期", "deadline": "完成期限", "upgraded_on": "升级日期", "held_on": "活动日期", "updated_on": "公开栏更新日期",
}


#: Every rule name `zuofang validate` reports, and what it means: the one list users,
#: the handbook and the tests read (a test checks the corpus exercises each one).
RULE_DESCRIPTIONS = {
    # the descriptor (validate_descriptor.py, readers.locate)
    "descriptor-link": "datapackage.json 中的链接（许可、来源、网站地址等）不是 http(s) 网址。A descriptor link is not http(s).",
    "file-path": "数据表的文件路径指向数据目录之外：绝对路径、网址、“..”或指向目录外的符号链接。"
                 "A table path leads out of the data folder.",
    # files and headers (validate.py)
    "missing-file": "数据表的文件不存在（<表名>.csv 或 <表名>.xlsx）。A table's file is missing.",
    "duplicate-file": "一张表有两个文件（如 operators.csv 和 operators.xlsx），会有一个被忽略。Two files for one table.",
    "encoding": "文件既不是 UTF-8 也不是 GB18030 编码，或含有损坏的字节。Unknown encoding or broken bytes.",
    "empty-file": "文件是空的，连表头都没有。The file is empty.",
    "unreadable-file": "文件无法读取，如损坏的 XLSX。The file cannot be read (e.g. a broken XLSX).",
    "too-large": "文件、解压后的 XLSX、行数、一行的单元格数或一格的字数超过上限（readers.py）。"
                 "A file, row or cell is past the size limits.",
    "truncated-file": "文件被截断或引号未闭合：其后的内容都读成了一个单元格，或最后一行缺单元格且没有换行。"
                      "The file was cut off, or a quote never closes.",
    "delimiter": "CSV 的分隔符不是英文逗号（如分号、制表符）。The CSV is not comma-separated.",
    "missing-column": "缺少数据字典中的列。A column of the schema is missing.",
    "extra-column": "表头中有数据字典之外的列（或列名有空格、拼写错误）。An unknown column.",
    "duplicate-column": "同一列名出现两次。A column appears twice.",
    "empty-table": "区划、主体或产品表没有数据行。regions, operators or products has no rows.",
    # cells, rows and keys (Frictionless, validate_frictionless.py)
    "blank-row": "空行。A blank row.",
    "missing-cell": "这一行的单元格比表头少。A row has fewer cells than the header.",
    "extra-cell": "这一行的单元格比表头多。A row has more cells than the header.",
    "type-error": "值的类型不对，如不存在的日期 2026-02-30、带文字的数字。Wrong type.",
    "date-format": "日期是对的，但没有写成 YYYY-MM-DD，如 Excel 另存后的 2025/7/25、2025-7-5、2025年7月25日（date_spelling.py）。"
                   "A real date spelt otherwise than YYYY-MM-DD.",
    "constraint-error/required": "必填项为空。A required value is empty.",
    "enum": "值不在允许的取值中。Not one of the allowed values.",
    "pattern": "格式不对，如编号、区划代码、信用代码、条码的格式。Wrong format.",
    "minimum": "值小于允许的最小值。Below the minimum.",
    "maximum": "值大于允许的最大值。Above the maximum.",
    "unique": "应当每行不同的值重复了，如登记证号。A unique value repeats.",
    "primary-key": "编号（主键）重复或为空。A duplicate or empty key.",
    "foreign-key": "引用的编号在另一张表中找不到。A reference to a row that does not exist.",
    # every text cell (rules_cells.py)
    "control-character": "单元格含有控制字符（如空字符 NUL）；换行和制表符只允许在多行文字中。A control character in a cell.",
    "invisible-character": "单元格含有看不见的方向控制字符或零宽字符（如 U+202E、U+200B）。An invisible bidi or zero-width character.",
    "address-part": "编码、编号或批次不能用作网址的一部分：只有空格、为“.”或“..”，或太长。A key cannot be part of an address.",
    # domain rules (this module)
    "date-order": "日期先后不对：有效期早于登记日期、公示结束早于开始、召回结束早于发布、认定早于公示结束、"
                  "处罚的公示截止早于决定日期、取缔早于发现、方案结束早于开始。Dates out of order.",
    "future-date": "已发生事件的日期晚于数据发布日期。An event dated after the release date.",
    "credit-code": "统一社会信用代码校验码不对（GB 32100）。Credit code check character wrong.",
    "gtin": "商品条码校验位不对（GS1）。GTIN check digit wrong.",
    "region-code": "区划不是县级，或代码与级别、上级区划不符（GB/T 2260）。Region level or hierarchy wrong.",
    "brand-award": "已认定的品牌得分不足 90 分、没有公示期或公示期未满。An award without its conditions.",
    "formula-injection": "文本（开头的空格、制表符之后）以 = + - @ 开头，在电子表格中会被当作公式执行。"
                         "Spreadsheet formula injection.",
    "lat-lon": "经纬度超出范围，或只填了其中一个。Latitude/longitude out of range or half given.",
    "failed-items": "不合格抽检须逐项列出项目、检验结果和标准值；合格则为空。Failed items missing or malformed.",
    "recall-status": "已结束的召回须有结束日期，进行中的不应有。Recall status and closing date disagree.",
    "same-operator": "抽检、召回、分级引用的产品、抽检或检查属于另一主体。A reference to another business's row.",
    # photos of products and brands (photos.py)
    "photo-path": "照片不是 photos 文件夹中的一个文件名（含路径、“..”、网址，扩展名不对），或是指向数据目录之外的符号链接。"
                  "A photo is not one file of the photos folder.",
    "photo-missing": "photos 文件夹中没有这一行写的照片文件。The photo file is missing.",
    "photo-format": "照片不是可读的 JPEG、PNG 或 WebP，已损坏，太大或宽度不足 320 像素。"
                    "The photo is not a readable image of a usable size.",
    "photo-alt": "有照片却没有照片说明（photo_alt）。A photo without its description.",
    # checklists, zones, 信息公开栏, upgrades, programmes (programme_rules.py)
    "zone-region": "主体所在的园区或街区属于另一个县级区划。A business's zone lies in another county.",
    "checklist-item": "检查项不属于适用于该主体（类型、区划、检查日期）的那份清单，或没有适用的清单。"
                      "A checklist item from the wrong list.",
    "upgrade-licence": "提档升级缺少或写错食品生产许可证编号（SC 加 14 位数字），或升级的主体不是食品小作坊。"
                       "An upgrade without its SC licence.",
    "programme-metric": "任务目标的指标不存在，或不能按监管所统计。A target's metric does not exist.",
    "target-station": "任务目标的监管所不在目标的区划内。A target's station lies outside its region.",
    "board-health": "信息公开栏中持有效健康证明的人数多于从业人员数。More valid health certificates than staff.",
    # across tables (rules_across.py)
    "grade-licence": "量化分级的生效日期晚于登记证有效期，或不早于登记证被吊销的日期。A grade effective after the licence ended or was revoked.",
    "award-licence": "已认定的名特优品牌，其主体的登记证已被吊销或已过期。"
                     "An awarded specialty whose business holds no valid licence.",
    "award-sampling": "已认定的名特优品牌，其主体在认定前三年内有不合格抽检。A failed sampling in the three years before the award.",
    "award-penalty": "已认定的名特优品牌，其主体在认定前三年内受过行政处罚。A penalty in the three years before the award.",
    "publicity-length": "公示期短于该品牌项目规定的最短公示期（datapackage.json 的 zuofang:programmes）。"
                        "A public notice shorter than its programme's minimum.",
}


@dataclass(frozen=True)
class Region:
    level: str | None
    name: str | None
    parent_code: str | None


#: Rows other rows point to, by key, whose business (operator_id) a reference must share.
OWNED = {"products": "code", "inspections": "id", "samplings": "id"}
#: Those references: table -> (column, the OWNED table it names), checked by same_operator.
SAME_OPERATOR = {
    "grades": (("inspection_id", "inspections"),),
    "samplings": (("product_code", "products"),),
    "recalls": (("product_code", "products"), ("sampling_id", "samplings")),
}


@dataclass(frozen=True)
class RuleContext:
    """What rules may look up besides the row: the release date ("today"), the regions, and
    the business each product, inspection and sampling belongs to (`OWNED`, filled as read)."""

    release_date: date
    regions: Mapping[str, Region] = field(default_factory=dict)
    owners: dict[str, dict[str, str]] = field(default_factory=dict)
    #: A few columns of the rows other rows name (facts.py), filled as read.
    facts: dict[str, dict] = field(default_factory=dict)


Row = Mapping[str, object]
RowRule = Callable[[Row, RuleContext], Iterable[Finding]]




def _have(row: Row, *names: str) -> bool:
    """All fields present and set (neither empty nor already reported)."""
    return all(row.get(n) is not None for n in names)


# --- rules shared by several tables ------------------------------------------------------

FORMULA_HINTS = {
    "+": "电话号码请去掉“+86”，写成 0359-… 的形式",
    "-": "可改写为不以“-”开头的说法，如“冷冻（-18℃）保存”",
}


def formula_injection(row: Row, ctx: RuleContext) -> Iterator[Finding]:
    for name, value in row.items():
        if not isinstance(value, str):
            continue
        text = value.lstrip()
        if text.startswith(FORMULA_PREFIXES):
            first = text[0]
            hint = FORMULA_HINTS.get(first, f"请去掉开头的“{first}”")
            hidden = ("（前面的空格或制表符挡不住：有的电子表格软件导入时会先去掉它们）"
                      if len(text) != len(value) else "")
            yield Finding(name, "formula-injection",
                          f"“{_short(text)}”以“{first}”开头{hidden}，在电子表格中打开时会被当作公式执行（公式注入）。{hint}。")


def future_dates(*names: str) -> RowRule:
    """Event dates must not be after the release date: what has not happened cannot be registered."""

    def future_date(row: Row, ctx: RuleContext) -> Iterator[Finding]:
        for name in names:
            value = row.get(name)
            if isinstance(value, date) and value > ctx.release_date:
                yield Finding(name, "future-date",
                              f"{LABELS.get(name, name)} {zh_date(value)} 晚于数据发布日期 {zh_date(ctx.release_date)}，"
                              "还没发生的事不能登记。请核对年份和月份是否写错。")

    return future_date


def county_region(row: Row, ctx: RuleContext) -> Iterator[Finding]:
    """Businesses, stations, parks and targets belong to a county-level division."""
    code = row.get("region_code")
    region = ctx.regions.get(code) if code else None
    # A code missing from regions is a foreign-key problem, reported by the schema check.
    if region is not None and region.level is not None and region.level != "county":
        yield Finding("region_code", "region-code",
                      f"区划代码 {code}（{region.name}）是{LEVELS_ZH.get(region.level, region.level)}区划，"
                      "这里须填县级区划（县、县级市或市辖区）的代码。")


def date_order(earlier: str, later: str, strict: bool) -> RowRule:
    """`later` must come after `earlier` (or on the same day when not `strict`)."""

    def check(row: Row, ctx: RuleContext) -> Iterator[Finding]:
        if not _have(row, earlier, later):
            return
        a, b = row[earlier], row[later]
        if b < a or (strict and b == a):
            relation = "晚于" if strict else "不早于"
            yield Finding(later, "date-order",
                          f"{LABELS[later]} {zh_date(b)} 应{relation}{LABELS[earlier]} {zh_date(a)}。请核对这两个日期。")

    return check


def same_operator(*links: tuple[str, str]) -> RowRule:
    """A sampling's product, a recall's product and sampling, a grade's inspection must be
    the same business's: a recall pinned on another maker's product would show on the wrong
    provenance page."""

    def check(row: Row, ctx: RuleContext) -> Iterator[Finding]:
        operator = row.get("operator_id")
        for name, table in links:
            value = row.get(name)
            owner = ctx.owners.get(table, {}).get(value) if value and operator else None
            if owner is not None and owner != operator:
                yield Finding(name, "same-operator",
                              f"“{value}”属于主体 {owner}，与这一行的主体 {operator} 不一致。请核对{LABELS.get(name, name)}或主体编号。")

    return check


# --- per-table rules -----------------------------------------------------------------------

def credit_code(row: Row, ctx: RuleContext) -> Iterator[Finding]:
    code = row.get("credit_code")
    if code and not credit_code_valid(code):
        yield Finding("credit_code", "credit-code",
                      f"统一社会信用代码“{code}”的校验码不对：按 GB 32100 计算，第 18 位应为“{credit_code_check_char(code[:17])}”。"
                      "请对照营业执照逐位核对。")


def lat_lon(row: Row, ctx: RuleContext) -> Iterator[Finding]:
    lat, lon = row.get("lat"), row.get("lon")
    if lat is not None and not -90 <= lat <= 90:
        yield Finding("lat", "lat-lon", f"纬度 {lat} 超出范围（-90 至 90）。请检查是否把经度和纬度填反了。")
    if lon is not None and not -180 <= lon <= 180:
        yield Finding("lon", "lat-lon", f"经度 {lon} 超出范围（-180 至 180）。")
    if (lat is None) != (lon is None) and "lat" in row and "lon" in row:
        missing, given = ("lat", "经度") if lat is None else ("lon", "纬度")
        yield Finding(missing, "lat-lon", f"只填了{given}：经纬度要么都填，要么都留空。")


def gtin(row: Row, ctx: RuleContext) -> Iterator[Finding]:
    code = row.get("gtin")
    if code and not (code.isascii() and code.isdigit() and len(code) in (8, 12, 13, 14)):
        # The schema's pattern says the same; a registry's own descriptor may lack it.
        yield Finding("gtin", "gtin", f"商品条码“{_short(code)}”应为 8、12、13 或 14 位数字。"
                      "请对照包装上的条码核对；没有条码则留空。")
    elif code and not gtin_valid(code):
        yield Finding("gtin", "gtin",
                      f"商品条码“{code}”的校验位不对：按 GS1 规则最后一位应为 {gtin_check_digit(code[:-1])}。"
                      "请对照包装上的条码核对。")


def failed_items(row: Row, ctx: RuleContext) -> Iterator[Finding]:
    """不合格 lists each failed item with its measured and standard value; 合格 lists none."""
    if "failed_items" not in row:
        return
    result, items = row.get("result"), row.get("failed_items") or []
    example = '[{"item": "菌落总数", "measured": "1.5×10⁵ CFU/g", "standard": "≤1×10⁵ CFU/g"}]'
    if result == "合格" and items:
        yield Finding("failed_items", "failed-items",
                      "抽检结论为合格，不合格项目应为空。请删去不合格项目，或把结论改为“不合格”。")
    elif result == "不合格" and not items:
        yield Finding("failed_items", "failed-items",
                      f"抽检结论为不合格，但没有列出不合格项目。请填写 JSON 数组，如 {example}。")
    elif result == "不合格":
        for number, item in enumerate(items, 1):
            lacking = [k for k in ("item", "measured", "standard")
                       if not isinstance(item, dict) or item.get(k) in (None, "")]
            if lacking:
                yield Finding("failed_items", "failed-items",
                              f"第 {number} 个不合格项目缺少 {'、'.join(lacking)}。每项须写明项目（item）、"
                              f"检验结果（measured）和标准值（standard），如 {example}。")
                return


def recall_status(row: Row, ctx: RuleContext) -> Iterator[Finding]:
    """A closed recall has a closing date; an ongoing one has none."""
    if "closed_on" not in row:
        return
    status, closed = row.get("status"), row.get("closed_on")
    if status == "closed" and closed is None:
        yield Finding("closed_on", "recall-status", "召回状态为已结束（closed），但没有结束日期。请填写结束日期，或把状态改为 ongoing。")
    elif status == "ongoing" and closed is not None:
        yield Finding("closed_on", "recall-status",
                      f"召回仍在进行（ongoing），却填了结束日期 {zh_date(closed)}。已结束请把状态改为 closed，否则清空结束日期。")


def brand_award(row: Row, ctx: RuleContext) -> Iterator[Finding]:
    """Awarded only with a score of at least 90 after a publicity period that has closed."""
    if row.get("status") != "awarded":
        return
    if "score" in row and (row["score"] is None or row["score"] < AWARD_MIN_SCORE):
        yield Finding("score", "brand-award",
                      f"已认定（awarded）的品牌评审得分须不低于 {AWARD_MIN_SCORE} 分，现为“{row['score'] if row['score'] is not None else '空'}”。"
                      "请核对得分，或把状态改为 applied / publicized。")
    for name in ("publicity_start", "publicity_end", "awarded_on"):
        if name in row and row[name] is None:
            yield Finding(name, "brand-award", f"已认定（awarded）的品牌须填写{LABELS[name]}：认定前必须经过公示。")
    end = row.get("publicity_end")
    if end is not None and end >= ctx.release_date:
        yield Finding("publicity_end", "brand-award",
                      f"公示期到 {zh_date(end)} 才结束，尚未期满（数据发布日期 {zh_date(ctx.release_date)}），品牌还不能认定。"
                      "请把状态改为 publicized，公示期满后再认定。")


def region_hierarchy(rows: Iterable[tuple[int, Row]]) -> Iterator[tuple[int, Finding]]:
    """GB/T 2260: a code's shape matches its level, and a county's first 4 digits equal its
    city's (a city's first 2 its province's). Yields (row number, finding)."""
    rows = list(rows)
    regions = {r.get("code"): r for _, r in rows if r.get("code")}
    for number, row in rows:
        code, level = row.get("code"), row.get("level")
        if not code or not level:
            continue
        shape = {"province": code.endswith("0000"), "city": code.endswith("00") and not code.endswith("0000"),
                 "county": not code.endswith("00")}[level]
        if not shape:
            yield number, Finding("code", "region-code",
                                  f"区划代码 {code} 与级别 {level}（{LEVELS_ZH[level]}）不符：按 GB/T 2260，省级代码以 0000 结尾，"
                                  "地级以 00 结尾，县级不以 00 结尾。请核对代码或级别。")
            continue
        if "parent_code" not in row:
            continue
        finding = _parent_finding(code, level, row.get("parent_code"), regions)
        if finding:
            yield number, finding


def _parent_finding(code: str, level: str, parent: str | None, regions: Mapping) -> Finding | None:
    if level == "province":
        if parent:
            return Finding("parent_code", "region-code", "省级区划没有上级区划，上级区划代码应留空。")
        return None
    expected = "province" if level == "city" else "city"
    if not parent:
        return Finding("parent_code", "region-code",
                       f"{LEVELS_ZH[level]}区划须填写上级（{LEVELS_ZH[expected]}）区划代码。")
    upper = regions.get(parent)
    if upper is None or upper.get("level") is None:
        return None  # a dangling parent or a bad level is reported by the schema check
    if upper.get("level") != expected:
        return Finding("parent_code", "region-code",
                       f"上级区划 {parent}（{upper.get('name')}）是{LEVELS_ZH.get(upper.get('level'), '未知级别')}；"
                       f"{LEVELS_ZH[level]}区划的上级应为{LEVELS_ZH[expected]}区划。")
    digits = 2 if level == "city" else 4
    if code[:digits] != parent[:digits]:
        return Finding("parent_code", "region-code",
                       f"区划代码 {code} 的前 {digits} 位应与上级区划 {parent} 的前 {digits} 位相同（GB/T 2260）。"
                       "请核对代码或上级区划。")
    return None


def _short(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


#: Row rules per table, run on every row that could be read.
ROW_RULES: dict[str, tuple[RowRule, ...]] = {
    "regions": (formula_injection,),
    "stations": (county_region, formula_injection),
    "parks": (county_region, formula_injection),
    "operators": (date_order("registered_on", "valid_until", strict=False), future_dates("registered_on"),
                  credit_code, county_region, lat_lon, zone_region, formula_injection),
    "products": (gtin, photo_path, photo_alt, formula_injection),
    "material_sources": (formula_injection,),
    "inspections": (future_dates("date"), formula_injection),
    "grades": (future_dates("effective_on"), same_operator(*SAME_OPERATOR["grades"]), formula_injection),
    "samplings": (future_dates("sampled_on"), failed_items, same_operator(*SAME_OPERATOR["samplings"]),
                  formula_injection),
    "recalls": (date_order("issued_on", "closed_on", strict=False), future_dates("issued_on", "closed_on"),
                recall_status, same_operator(*SAME_OPERATOR["recalls"]),
                formula_injection),
    "brands": (date_order("publicity_start", "publicity_end", strict=True),
               date_order("publicity_end", "awarded_on", strict=True),
               future_dates("publicity_start", "awarded_on"), brand_award, photo_path, photo_alt, formula_injection),
    # A 公示截止期 before the decision would hide the penalty from the day it was made (publicity.py).
    "penalties": (date_order("decided_on", "publicity_end", strict=False), future_dates("decided_on"), formula_injection),
    "targets": (county_region, formula_injection),
    "checklists": (formula_injection,),
    "checklist_items": (formula_injection,),
    "checklist_use": (formula_injection,),
    "inspection_items": (checklist_item, formula_injection),
    "boards": (future_dates("updated_on"), board_health, formula_injection),
    "upgrades": (future_dates("upgraded_on"), upgrade_licence, formula_injection),
    "closures": (date_order("found_on", "banned_on", strict=False), future_dates("found_on", "banned_on"),
                 county_region, formula_injection),
    "activities": (future_dates("held_on"), county_region, formula_injection),
    "programmes": (date_order("period_start", "period_end", strict=False), formula_injection),
    "programme_targets": (date_order("start", "deadline", strict=False), programme_metric, target_station,
                          formula_injection),
}


def check_row(table: str, row: Row, ctx: RuleContext) -> list[Finding]:
    """Every finding of every rule for one row of `table`: first what any cell may hold
    (rules_cells.py); the cells refused there are left out of the other rules' row, except
    for formula injection, which is about the text itself (a formula behind a tab is both)."""
    findings = cell_findings(table, row)
    judged = row
    if findings:
        refused = {f.field for f in findings}
        judged = {k: v for k, v in row.items() if k not in refused}
    return findings + [f for rule in ROW_RULES.get(table, ())
                       for f in rule(row if rule is formula_injection else judged, ctx)]
