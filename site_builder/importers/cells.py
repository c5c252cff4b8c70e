"""Cell values as notices write them: "/" for nothing, dates in every spelling (Excel serial
numbers, 2025/4/12, 2025年4月12日, "购进日期：2025/4/12"), amounts in 万元."""
from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

#: Cells that mean "nothing here".
BLANKS = frozenset({"", "/", "／", "\\", "-", "--", "—", "——", "－", "无", "null", "none", "n/a", "#n/a", "空"})
#: Excel's day 0 (1899-12-30, after Lotus's leap-year bug) and the serials taken for dates:
#: 1990-01-01 … 2079-12-31. A bare 5-digit number outside that range stays a number.
_EXCEL_EPOCH = date(1899, 12, 30)
_SERIAL_RANGE = (32874, 65746)
_DATE = re.compile(r"((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_COMPACT = re.compile(r"(?<!\d)((?:19|20)\d\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?!\d)")
_SERIAL = re.compile(r"^(\d{5})(?:\.0+)?$")
_LABEL = re.compile(r"^\s*([^\d:：]{2,8}?)\s*[:：]\s*")


def clean(cell: str | None) -> str:
    """The cell's text, or '' when it says nothing ("/", "—", "无" …)."""
    text = (cell or "").strip()
    return "" if text.lower() in BLANKS else text


def serial_date(text: str) -> date | None:
    match = _SERIAL.match(text.strip())
    if match and _SERIAL_RANGE[0] <= int(match.group(1)) <= _SERIAL_RANGE[1]:
        return _EXCEL_EPOCH + timedelta(days=int(match.group(1)))
    return None


def parse_date(cell: str | None) -> date | None:
    """The first date in a cell: ISO, 2025/4/12, 2025.4.12, 2025年4月12日, 20250412 or an Excel serial."""
    text = clean(cell)
    if not text:
        return None
    serial = serial_date(text)
    if serial:
        return serial
    for pattern in (_DATE, _COMPACT):
        match = pattern.search(text)
        if match:
            try:
                return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError:
                return None
    return None


def batch_text(cell: str | None) -> str:
    """生产日期/批号 as the registry keeps it: a date as ISO (with its label when the cell names
    one: "购进日期：2025/4/12" -> "购进日期 2025-04-12"), a batch number as written."""
    text = clean(cell)
    if not text:
        return ""
    serial = serial_date(text)
    if serial:
        return serial.isoformat()
    label = _LABEL.match(text)
    rest = text[label.end():] if label else text
    match = _DATE.fullmatch(rest.strip()) or _DATE.fullmatch(rest.strip().rstrip("日") + "日")
    if match:
        try:
            day = date(int(match.group(1)), int(match.group(2)), int(match.group(3))).isoformat()
        except ValueError:
            return text
        return f"{label.group(1)} {day}" if label else day
    return text


def decimal(cell: str | None) -> Decimal | None:
    """A number written with thousands separators or a trailing unit word; None when it is not one."""
    text = clean(cell).replace(",", "").replace("，", "").removesuffix("万元").removesuffix("元").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None

