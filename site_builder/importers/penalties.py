"""双公示 行政处罚 exports into penalties rows.

Amounts in 万元 become yuan (exactly: decimals, not floats). Personal identifiers the export
carries (法定代表人, 身份证号, 证件号码) are never read into a record, an ID or mobile number
written inside a free-text cell is blanked, and a party that is a natural person is matched by
code only and named in no output.
"""
from __future__ import annotations

import re
from decimal import Decimal

from ..registry.package import mask_name
from . import headers as hd
from .cells import clean, decimal, parse_date
from .context import Context, Placement

WAN = Decimal(10000)
#: GB 11643 ID numbers and mainland mobile numbers, as they may appear inside 违法事实.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-8]\d{5}(?:18|19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
NATURAL_PERSON = ("自然人", "个人")


def redact(text: str) -> str:
    """Free text with ID numbers and mobile numbers blanked: the registry's public fields never hold them."""
    return _MOBILE.sub("[电话已隐去]", _ID_NUMBER.sub("[身份证号已隐去]", text))


def _yuan(values: dict, wan: str, yuan: str) -> Decimal | None:
    amount = decimal(values.get(wan))
    if amount is not None:
        return amount * WAN
    return decimal(values.get(yuan))


def import_sheet(ctx: Context, found: hd.Layout) -> None:
    for number, cells, values in ctx.records(found, "处罚记录"):
        _import_row(ctx, found, number, cells, values)


def _import_row(ctx: Context, found: hd.Layout, number: int, cells: list[str], values: dict) -> None:
    rows = [(number, cells)]
    get = lambda name: redact(clean(values.get(name)))  # noqa: E731
    person = any(word in get("subject_kind") for word in NATURAL_PERSON)
    if person:  # a person's name goes nowhere, not even into the review file
        cells = list(cells)
        for col in found.columns.get("subject_name", []):
            if col < len(cells):
                cells[col] = mask_name(cells[col])
        rows = [(number, cells)]
    match = ctx.directory.place("" if person else get("subject_name"), "", get("credit_code"))
    if match.operator_id is None:
        reason = match.reason if not person else "行政相对人是自然人，只按统一社会信用代码匹配，没有对上登记的主体"
        return ctx.send_to_review(found, rows, match.reason_code or "no-match", reason, match.candidates)
    fine, confiscated = _yuan(values, "fine_wan", "fine_yuan"), _yuan(values, "confiscated_wan", "confiscated_yuan")
    total = None if fine is None and confiscated is None else (fine or 0) + (confiscated or 0)
    kinds = "；".join(k for k in re.split(r"[；;、,，\s]+", get("penalty_kinds")) if k)
    record = {
        "operator_id": match.operator_id, "decided_on": parse_date(get("decided_on")),
        "decision_no": get("decision_no"), "violation": get("violation"),
        "penalty": get("penalty") or kinds, "fine_yuan": total, "fine_amount_yuan": fine,
        "confiscated_yuan": confiscated, "penalty_kinds": kinds, "facts": get("facts"), "basis": get("basis"),
        "licence_action": get("licence_action"), "effective_until": parse_date(get("effective_until")),
        "publicity_end": parse_date(get("publicity_end")), "authority": get("authority"),
        "data_source": get("data_source"), "remarks": get("remarks"),
        "source_file": found.sheet.source, "source_row": number,
    }
    if not record["violation"] and record["facts"]:
        record["violation"] = record["facts"][:60]
    if get("decided_on") and record["decided_on"] is None:
        return ctx.send_to_review(found, rows, "missing-value", f"处罚决定日期“{get('decided_on')}”不是日期")
    _write(ctx, found, rows, record, match)


def _write(ctx: Context, found: hd.Layout, rows, record: dict, match) -> None:
    table = ctx.tables["penalties"]
    position = table.index("operator_id", "decision_no").get((record["operator_id"], record["decision_no"]))
    record, left_out = ctx.written_fields("penalties", record)
    if position is None:
        record["id"] = table.next_id("cf", 5)
        merged = {**{h: "" for h in table.header}, **record}
    else:
        merged = {**table.rows[position], **{k: v for k, v in record.items() if v not in ("", None)}}
    problems = ctx.checker.problems("penalties", merged)
    if problems:
        return ctx.send_to_review(found, rows, "invalid" if record.get("decision_no") else "missing-value",
                                  "写入后会通不过校验：" + "；".join(problems))
    if position is None:
        table.add(merged)
        action, record_id = "added", merged["id"]
    else:
        action = "updated" if table.update(position, merged) else "unchanged"
        record_id = table.rows[position]["id"]
    op = ctx.directory.operators[match.operator_id]
    ctx.placements.append(Placement(found.sheet.file, found.sheet.name, [rows[0][0]], "penalties", record_id,
                                    match.operator_id, op.get("name", ""), match.method, action))
    if left_out:
        ctx.send_to_review(found, rows, "field-not-in-schema",
                           f"数据包的 penalties 表没有这些字段，未写入：{'、'.join(left_out)}", imported=True)
