"""行政许可 exports into operators rows: a registered business gets its licence number, dates,
status and licensing authority updated; a new one is added when the file (or the alias
columns 主体类型, 所属区划, 经营场所) says its kind, region and address; else the row goes to the
review file, saying what is missing. A business is never deleted, only its status changes.
"""
from __future__ import annotations

import re

from . import headers as hd
from .cells import clean, parse_date
from .context import Context, Placement

#: 当前状态 as exports write it -> operators.status.
STATUSES = {
    "active": ("正常", "有效", "存续", "在业", "在营", "开业", "启用", "active"),
    "suspended": ("暂停", "停业", "中止", "suspended"),
    "revoked": ("注销", "撤销", "吊销", "撤回", "已注销", "已撤销", "已吊销", "revoked"),
    "expired": ("过期", "失效", "到期", "已过期", "已失效", "expired"),
}
#: Words of a licence's name or number (and of 主体类型) that say the kind of business.
KIND_WORDS = (("workshop", ("小作坊", "作坊", "workshop")), ("eatery", ("小餐饮", "餐饮", "eatery")),
              ("stall", ("摊点", "摊贩", "食摊", "摊", "stall")))
ID_PREFIX = {"workshop": "w", "eatery": "e", "stall": "s"}


def status_of(text: str) -> str | None:
    text = clean(text)
    if not text:
        return None
    for status, words in STATUSES.items():
        if any(w in text for w in words):
            return status
    return None


def kind_of(*texts: str) -> str | None:
    for kind, words in KIND_WORDS:
        if any(w in (t or "") for t in texts for w in words):
            return kind
    return None


def import_sheet(ctx: Context, found: hd.Layout) -> None:
    for number, cells, values in ctx.records(found, "许可记录"):
        _import_row(ctx, found, number, cells, values)


def _import_row(ctx: Context, found: hd.Layout, number: int, cells: list[str], values: dict) -> None:
    rows = [(number, cells)]
    get = lambda name: clean(values.get(name))  # noqa: E731
    licence_no = re.sub(r"\s+", "", get("licence_no") or get("decision_doc_no"))
    raw_status = get("status")
    status = status_of(raw_status)
    if raw_status and status is None:
        return ctx.send_to_review(found, rows, "unknown-status",
                                  f"当前状态“{raw_status}”认不出：应为 有效/正常、暂停、注销/撤销/吊销 或 过期/失效")
    decided = parse_date(get("decided_on")) or parse_date(get("valid_from"))
    valid_until = parse_date(get("valid_until"))
    update = {"licence_no": licence_no, "registered_on": decided, "valid_until": valid_until, "status": status,
              "licence_authority": get("authority")}
    match = ctx.directory.place(get("subject_name"), get("address"), get("credit_code"), licence_no)
    table = ctx.tables["operators"]
    if match.operator_id is not None:
        position = table.index("id").get((match.operator_id,))
        existing = table.rows[position]
        owner = ctx.directory.by_licence.get(licence_no.upper(), [])
        if licence_no and any(o != match.operator_id for o in owner):
            return ctx.send_to_review(found, rows, "licence-conflict",
                                      f"许可证号 {licence_no} 已登记在另一家主体名下", owner)
        code = get("credit_code").upper()
        if code and not existing.get("credit_code"):
            update["credit_code"] = code
        merged = {**existing, **{k: v for k, v in update.items() if v not in ("", None)}}
        problems = ctx.checker.problems("operators", merged)
        if problems:
            return ctx.send_to_review(found, rows, "invalid", "写入后会通不过校验：" + "；".join(problems), [match.operator_id])
        action = "updated" if table.update(position, merged) else "unchanged"
        ctx.directory.add(table.rows[position]) if action == "updated" else None
        return _placed(ctx, found, number, match.operator_id, match.method, action)
    if match.reason_code in ("ambiguous", "address-differs"):
        return ctx.send_to_review(found, rows, match.reason_code, match.reason, match.candidates)
    _add_business(ctx, found, rows, values, update, match)


def _add_business(ctx: Context, found: hd.Layout, rows, values: dict, update: dict, match) -> None:
    get = lambda name: clean(values.get(name))  # noqa: E731
    name, address = get("subject_name"), get("address")
    kind = kind_of(get("kind"), get("licence_name"), get("licence_category"), update["licence_no"])
    region = get("region") if get("region") in ctx.directory.counties.values() else None
    region = region or ctx.directory.county_of(get("region"), address, get("authority"))
    code = get("credit_code").upper()
    if region is None and len(code) == 18 and code[2:8] in ctx.directory.counties.values():
        region = code[2:8]
    station = _station(ctx, region, address) if region else None
    lacking = [label for label, value in (("名称", name), ("许可证号", update["licence_no"]), ("主体类型（主体类型列或许可证书名称）", kind),
                                          ("所属县级区划（所属区划列、地址或许可机关）", region), ("监管所", station),
                                          ("经营场所", address), ("许可决定日期", update["registered_on"]),
                                          ("有效期至", update["valid_until"])) if not value]
    if lacking:
        return ctx.send_to_review(found, rows, "new-business-incomplete",
                                  f"登记中没有这家主体（{match.reason}），要新增还缺：{'、'.join(lacking)}。"
                                  "请在文件中补上这些列（或先在 operators.csv 中登记），再导入一次",
                                  match.candidates)
    table = ctx.tables["operators"]
    record = {"id": table.next_id(ID_PREFIX[kind], 5), "kind": kind, "name": name,
              "region_code": region, "station_id": station, "address": address,
              "categories": get("licence_content"), "credit_code": code, **update}
    record["status"] = record["status"] or "active"
    record, _left = ctx.written_fields("operators", record)
    merged = {**{h: "" for h in table.header}, **record}
    problems = ctx.checker.problems("operators", merged)
    if problems:
        return ctx.send_to_review(found, rows, "invalid", "写入后会通不过校验：" + "；".join(problems))
    row = table.add(merged)
    ctx.directory.add(row)
    _placed(ctx, found, rows[0][0], row["id"], "new", "added")


def _station(ctx: Context, region: str, address: str) -> str | None:
    """The county's station whose town the address names, else the county's first (城区所)."""
    stations = [s for s in ctx.tables["stations"].rows if s.get("region_code") == region]
    for s in stations:
        town = re.sub(r"^.*?市场监督管理局", "", s.get("name", "")).removesuffix("所")
        if town and town != "城区" and town in (address or ""):
            return s["id"]
    return stations[0]["id"] if stations else None


def _placed(ctx: Context, found: hd.Layout, number: int, operator_id: str, method: str, action: str) -> None:
    op = ctx.directory.operators[operator_id]
    ctx.placements.append(Placement(found.sheet.file, found.sheet.name, [number], "operators", operator_id,
                                    operator_id, op.get("name", ""), method, action))
