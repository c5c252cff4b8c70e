"""Domain rules for checklists, zones, 信息公开栏, upgrades and programme targets.

Row rules as in rules.py (a row of typed values, absent fields already reported); those that
look at other tables read `ctx.facts` (facts.py): a key that is missing there is a foreign-key
problem, reported by the schema check, so these rules say nothing about it.
"""
from __future__ import annotations

import re
from typing import Iterator

from ..database.metrics import METRICS
from ..vocabulary import KINDS, zh_date
from . import facts as known
from .finding import Finding

SC_LICENCE = re.compile(r"^SC[0-9]{14}$")


def zone_region(row, ctx) -> Iterator[Finding]:
    """A business's zone lies in its county: a zone's page lists its businesses, and a county's
    figures count its zones."""
    zone, region = row.get("park_id"), row.get("region_code")
    found = ctx.facts.get("parks", {}).get(zone) if zone and region else None
    if found and found[0] and found[0] != region:
        yield Finding("park_id", "zone-region",
                      f"园区或街区 {zone} 属于区划 {_region(ctx, found[0])}，而这个主体属于 {_region(ctx, region)}。"
                      "请核对园区编号或主体的所属区划：园区或街区中的主体须与它在同一县级区划。")


def checklist_item(row, ctx) -> Iterator[Finding]:
    """An inspection's items come from the list that applies to its business: the kind, the
    region and the inspection's date decide which (checklist_use)."""
    item, inspection = row.get("item_id"), row.get("inspection_id")
    facts = ctx.facts
    found_item = facts.get("checklist_items", {}).get(item) if item else None
    found_inspection = facts.get("inspections", {}).get(inspection) if inspection else None
    if not found_item or not found_inspection:
        return
    operator, day = found_inspection
    business = facts.get("operators", {}).get(operator)
    if not business or not day:
        return
    kind, region = business
    if not kind or not region:
        return  # the business's own row was refused there: one problem is enough
    wanted = known.applicable_checklist(facts, ctx.regions, kind, region, day)
    kind_name = KINDS[kind].zh if kind in KINDS else kind
    if wanted is None:
        yield Finding("item_id", "checklist-item",
                      f"检查 {inspection}（{zh_date(day)}）的主体 {operator} 是{kind_name}，属于 {_region(ctx, region)}，"
                      "但清单适用范围（checklist_use）中没有适用于它的清单。请在 checklist_use 中登记这类主体在该区划"
                      "（或其上级区划）自哪一天起用哪份清单。")
    elif found_item[0] != wanted:
        yield Finding("item_id", "checklist-item",
                      f"检查项 {item} 属于清单 {found_item[0]}，而{kind_name} {operator} 在 {zh_date(day)} 的检查"
                      f"应按清单 {wanted} 逐项核对（checklist_use）。请改用清单 {wanted} 中的检查项，"
                      "或核对检查编号、检查日期和清单适用范围。")


def upgrade_licence(row, ctx) -> Iterator[Finding]:
    """An upgrade is a workshop's, and names the SC licence it obtained: the page links it."""
    if "sc_licence_no" in row:
        number = row.get("sc_licence_no")
        if not number:
            yield Finding("sc_licence_no", "upgrade-licence",
                          "提档升级的小作坊须填写新取得的食品生产许可证编号（“SC”加 14 位数字，如 SC10614082400012），"
                          "页面据此说明它已升级为食品生产企业。尚未取得许可证的，请不要登记提档升级。")
        elif not SC_LICENCE.match(number.strip()):
            yield Finding("sc_licence_no", "upgrade-licence",
                          f"食品生产许可证编号“{number[:30]}”格式不对：应为“SC”加 14 位数字，如 SC10614082400012。"
                          "请对照食品生产许可证核对。")
    operator = row.get("operator_id")
    business = ctx.facts.get("operators", {}).get(operator) if operator else None
    if business and business[0] and business[0] != "workshop":
        kind = KINDS[business[0]].zh if business[0] in KINDS else business[0]
        yield Finding("operator_id", "upgrade-licence",
                      f"主体 {operator} 是{kind}，不是食品小作坊：只有小作坊能提档升级为食品生产企业。请核对主体编号。")


def programme_metric(row, ctx) -> Iterator[Finding]:
    """A target names a metric that has a query (database/metrics.py), one that can be counted
    for the unit it is set for."""
    metric = row.get("metric")
    if not metric:
        return
    if metric not in METRICS:
        listed = "、".join(f"{code}（{m.term.zh}）" for code, m in METRICS.items())
        yield Finding("metric", "programme-metric",
                      f"指标“{metric[:30]}”不存在，无法计算完成情况。请填写下列指标代码之一：{listed}。")
    elif row.get("station_id") and not METRICS[metric].per_station:
        yield Finding("metric", "programme-metric",
                      f"指标 {metric}（{METRICS[metric].term.zh}）只能按区划统计，不能落实到监管所。"
                      "请清空监管所，把目标设在区划上。")


def target_station(row, ctx) -> Iterator[Finding]:
    """A target set for a station lies in the target's region: its businesses are counted there."""
    station, region = row.get("station_id"), row.get("region_code")
    found = ctx.facts.get("stations", {}).get(station) if station and region else None
    if not found or not found[0]:
        return
    code, seen = found[0], set()
    while code and code not in seen:
        if code == region:
            return
        seen.add(code)
        code = getattr(ctx.regions.get(code), "parent_code", None)
    yield Finding("station_id", "target-station",
                  f"监管所 {station} 属于 {_region(ctx, found[0])}，不在目标的区划 {_region(ctx, region)} 内。"
                  "请核对监管所或区划。")


def board_health(row, ctx) -> Iterator[Finding]:
    """No more valid health certificates than staff: the board shows both counts."""
    staff, valid = row.get("staff"), row.get("health_certs_valid")
    if staff is not None and valid is not None and valid > staff:
        yield Finding("health_certs_valid", "board-health",
                      f"持有效健康证明的有 {valid} 人，多于从业人员 {staff} 人。请核对两个人数。")


def _region(ctx, code: str) -> str:
    region = ctx.regions.get(code)
    return f"{code}（{region.name}）" if region is not None and region.name else code
