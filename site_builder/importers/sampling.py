"""Sampling notices (抽检) into samplings rows: the national 不合格 layout, the provincial
single-cell layout, 合格 lists and mixed lists with a verdict per tested item.

Rows of one sample are grouped first (the same 抽样编号; a 序号 repeated or left blank; merged
cells already copied to every row they cover), then placed: on the registered business that
made it (标称生产企业), else on the one where it was sampled (被抽样单位) — unless the 备注 says
the named producer was impersonated, which must not put a failure on an innocent maker's page.
"""
from __future__ import annotations

import re

from . import failed_items as fi
from . import headers as hd
from .cells import batch_text, clean, parse_date
from .context import Context, Placement
from .matching import Match, product_for

_NOTICE_NO = (re.compile(r"[\u4e00-\u9fa5]{1,12}〔\s*(?:19|20)\d\d\s*〕\s*\d+\s*号"),
              re.compile(r"((?:19|20)\d\d)\s*年\s*第\s*(\d+)\s*[号期]"))
_NOTICE_DATE = re.compile(r"(?:19|20)\d\d\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")
_ISSUER = re.compile(r"[\u4e00-\u9fa5]{2,16}?(?:市场监督管理局|市场监管局|市场监督管理委员会)")
#: A 备注 saying the named producer did not make the sample.
#: 复检机构 named inside a 备注 ("复检机构：…"), when the notice has no column for it.
RETEST_IN_REMARKS = re.compile(r"复检(?:机构|单位)\s*[:：]\s*([^；;，,。\s]+)")
IMPERSONATED = re.compile(r"冒用|假冒|仿冒|非其生产|不是其生产|否认|并非.{0,8}生产|未生产(过)?该")
FAILED, PASSED = "不合格", "合格"
SAMPLED_ON_FROM_NOTICE = "文件未列抽样日期，抽样日期按公告日期记"
#: Review codes, most telling first: the reason shown when neither producer nor unit was placed.
_CODE_ORDER = ("ambiguous", "address-differs", "no-match", "out-of-region")


def notice_from_title(text: str) -> dict:
    """Notice number, date and issuing bureau from the rows above the header."""
    out = {}
    for pattern in _NOTICE_NO:
        match = pattern.search(text)
        if match:
            out["notice_no"] = re.sub(r"\s+", "", match.group(0))
            break
    dates = [parse_date(m.group(0)) for m in _NOTICE_DATE.finditer(text)]
    if dates and dates[-1]:
        out["notice_date"] = dates[-1]
    match = _ISSUER.search(text)
    if match:
        out["issuer"] = match.group(0)
    return out


def _list_kind(found: hd.Layout) -> str | None:
    """"不合格" or "合格" when the title or sheet name says which list this is."""
    said = found.title_text + " " + found.sheet.name
    if FAILED in said:
        return FAILED
    return PASSED if PASSED in said else None


def _groups(ctx: Context, found: hd.Layout) -> list[list]:
    """Lists of (row number, cells, values) that belong to one sample: rows with the same 抽样编号
    wherever they are in the sheet; else a run of rows with the same 序号 (or none, a
    continuation); else a run naming the same producer, unit, sample and batch."""
    groups, by_sample_no, last_key = [], {}, None
    for number, cells in ctx.data_rows(found):
        values = hd.values(found, cells)
        note = hd.note_text(cells)
        texts = [c for c in cells if c]
        holds_items = {f for f, v in values.items() if v} & {"item", "measured", "standard"} or any(
            col < len(cells) and cells[col] for col, _parts in found.combined)
        # One text alone is a footnote, or a note merged across the table (copied to every cell),
        # unless it is a continuation row's failed item.
        if note is not None and (len(texts) >= 3 or not holds_items):
            ctx.send_to_review(found, [(number, cells)], "not-a-record", f"这一行只有一段文字，不是样品记录：“{note[:60]}”")
            continue
        row = (number, cells, values)
        sample_no = values.get("sample_no")
        if sample_no and sample_no in by_sample_no:
            by_sample_no[sample_no].append(row)
            last_key = sample_no
            continue
        if found.has("sample_no"):
            key = sample_no or (values.get("seq") or None)
        elif found.has("seq"):
            key = values.get("seq") or None
        else:
            key = tuple(values.get(f, "") for f in ("producer_name", "unit_name", "sample_name", "batch"))
        if groups and (key is None or key == last_key):
            groups[-1].append(row)
            continue
        groups.append([row])
        if sample_no:
            by_sample_no[sample_no] = groups[-1]
        last_key = key
    return groups


def _row_items(found: hd.Layout, cells: list[str], values: dict) -> tuple[list[dict], list[str]]:
    items, problems = [], []
    for col, parts in found.combined:
        got, bad = fi.split_combined(cells[col] if col < len(cells) else "", parts)
        items += got
        problems += bad
    if clean(values.get("item")):
        items.append(fi.make_item(values.get("item", ""), values.get("measured", ""), values.get("standard", ""),
                                  values.get("unit", "")))
    return items, problems


def import_sheet(ctx: Context, found: hd.Layout) -> None:
    title = notice_from_title(found.title_text)
    kind = _list_kind(found)
    lists_items = bool(found.combined) or found.has("item")
    for group in _groups(ctx, found):
        _import_sample(ctx, found, group, title, kind, lists_items)


def _first(group, name: str) -> str:
    return next((clean(v[name]) for _n, _c, v in group if clean(v.get(name))), "")


def _import_sample(ctx: Context, found: hd.Layout, group, title: dict, kind, lists_items: bool) -> None:
    rows = [(n, c) for n, c, _v in group]
    get = lambda name: _first(group, name)  # noqa: E731 - the group's first value of a field
    items, problems, verdicts = [], [], []
    for _n, cells, values in group:
        row_items, bad = _row_items(found, cells, values)
        problems += bad
        verdict = clean(values.get("verdict"))
        if found.has("verdict"):
            verdicts.append(verdict)
            if FAILED in verdict:
                items += row_items
        else:
            items += row_items
    if problems:
        return ctx.send_to_review(found, rows, "missing-value", "不合格项目无法拆分：" + "；".join(problems))
    if found.has("verdict"):
        result = FAILED if any(FAILED in v for v in verdicts) else PASSED
        if result == PASSED and not all(v == PASSED for v in verdicts if v) or not any(verdicts):
            return ctx.send_to_review(found, rows, "missing-value", "检验结论既不是“合格”也不是“不合格”")
    elif lists_items:
        result = FAILED if items else (PASSED if kind == PASSED else None)
        if result is None:
            return ctx.send_to_review(found, rows, "missing-value", "不合格公告中的这个样品没有列出不合格项目")
    elif kind == FAILED:
        return ctx.send_to_review(found, rows, "missing-value", "公告是不合格公告，但表格没有不合格项目、检验结果、标准值列")
    else:
        result = PASSED
    lacking = [f"第 {i} 项缺少{'、'.join(fi.incomplete(item))}" for i, item in enumerate(items, 1) if fi.incomplete(item)]
    if lacking:
        return ctx.send_to_review(found, rows, "missing-value", "不合格项目不完整：" + "；".join(lacking))
    sample_name = get("sample_name")
    if not sample_name:
        return ctx.send_to_review(found, rows, "missing-value", "没有样品名称")
    notice_date = parse_date(get("notice_date")) or title.get("notice_date")
    sampled_on = parse_date(get("sampled_on")) or notice_date
    if sampled_on is None:
        return ctx.send_to_review(found, rows, "missing-value",
                                  "没有抽样日期，也没有公告日期（表头上方的标题或“公告日期”列）可以代替")

    remarks = get("remarks")
    if not parse_date(get("sampled_on")):
        # Said in public: the date shown as 抽样 is the notice's, the file gave none.
        remarks = "；".join(r for r in (remarks, SAMPLED_ON_FROM_NOTICE) if r)
    retest = RETEST_IN_REMARKS.search(remarks)
    match, role = _place(ctx, group, remarks)
    if match.operator_id is None:
        return ctx.send_to_review(found, rows, match.reason_code, match.reason, match.candidates)
    record = {
        "operator_id": match.operator_id,
        "product_code": product_for(ctx.products_of(match.operator_id), sample_name, ctx.places) or "",
        "sample_name": sample_name, "batch": batch_text(get("batch")), "sampled_on": sampled_on,
        "result": result, "failed_items": items if result == FAILED else [],
        "lab": get("lab"), "notice_no": get("notice_no") or title.get("notice_no", ""),
        "disposal": get("disposal"), "notice_date": notice_date, "issuer": get("issuer") or title.get("issuer", ""),
        "sample_no": get("sample_no"), "producer_name": get("producer_name"),
        "producer_address": get("producer_address"), "sampled_unit": get("unit_name"),
        "sampled_unit_address": get("unit_address"), "spec": get("spec"), "trademark": get("trademark"),
        "food_category": get("food_category"), "task_source": get("task_source"),
        "retest_lab": get("retest_lab") or (retest.group(1) if retest else ""),
        "remarks": remarks, "source_file": found.sheet.source, "source_row": rows[0][0],
    }
    _write(ctx, found, rows, record, match, role)


def _place(ctx: Context, group, remarks: str) -> tuple[Match, str]:
    get = lambda name: _first(group, name)  # noqa: E731
    producer = Match(reason="文件没有写", reason_code=None)
    if get("producer_name") or get("producer_credit_code"):
        if IMPERSONATED.search(remarks):
            producer = Match(reason="备注说明标称生产企业被冒用，不记在它名下", reason_code="no-match")
        else:
            producer = ctx.directory.place(get("producer_name"), get("producer_address"), get("producer_credit_code"))
            if producer.operator_id:
                return producer, "producer"
    address = get("unit_address")
    province = get("unit_province")
    if province and province not in address:
        address = province + address
    unit = Match(reason="文件没有写", reason_code=None)
    if get("unit_name") or get("unit_credit_code"):
        unit = ctx.directory.place(get("unit_name"), address, get("unit_credit_code"))
        if unit.operator_id:
            return unit, "sampled unit"
    tried = [m.reason_code for m in (producer, unit) if m.reason_code] or ["no-match"]
    code = min(tried, key=_CODE_ORDER.index)
    reason = f"标称生产企业：{producer.reason}；被抽样单位：{unit.reason}"
    return Match(reason=reason, reason_code=code, candidates=list(dict.fromkeys(producer.candidates + unit.candidates))), ""


def _write(ctx: Context, found: hd.Layout, rows, record: dict, match: Match, role: str) -> None:
    table = ctx.tables["samplings"]
    if record["sample_no"]:
        position = table.index("sample_no").get((record["sample_no"],))
    else:
        position = table.index("operator_id", "sample_name", "batch", "sampled_on").get(
            (record["operator_id"], record["sample_name"], record["batch"], record["sampled_on"].isoformat()))
    record, left_out = ctx.written_fields("samplings", record)
    if position is None:
        record["id"] = table.next_id("cj", 6)
        merged = {**{h: "" for h in table.header}, **record}
    else:
        existing = table.rows[position]
        # Fields the file leaves empty keep what the registry has; result and items go together.
        merged = {**existing, **{k: v for k, v in record.items() if v not in ("", None) or k == "failed_items"}}
    problems = ctx.checker.problems("samplings", merged)
    if problems:
        return ctx.send_to_review(found, rows, "invalid", "写入后会通不过校验：" + "；".join(problems))
    if position is None:
        table.add(merged)
        action, record_id = "added", merged["id"]
    else:
        action = "updated" if table.update(position, merged) else "unchanged"
        record_id = table.rows[position]["id"]
    op = ctx.directory.operators[match.operator_id]
    ctx.placements.append(Placement(found.sheet.file, found.sheet.name, [n for n, _c in rows], "samplings", record_id,
                                    match.operator_id, op.get("name", ""), match.method, action, role))
    notes = [item["note"] for item in record.get("failed_items") or [] if item.get("note")]
    if notes:
        ctx.send_to_review(found, rows[:1], "doubtful-value", "；".join(notes), [match.operator_id], imported=True)
    if left_out:
        ctx.send_to_review(found, rows[:1], "field-not-in-schema",
                           f"数据包的 samplings 表没有这些字段，未写入：{'、'.join(left_out)}", imported=True)
