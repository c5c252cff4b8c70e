"""Dates as a spreadsheet rewrites them: 2025/7/25, 2025-7-5, 2025年7月25日, 2025/7/25 0:00.

A CSV opened in Excel and saved again comes back with every date in the computer's own format.
The date is still right; only its spelling is not the one the schema (and every reader of the
published package: Datasette, the database views, other tools) expects, 2025-07-25. Such a cell
is reported as rule `date-format`, saying which date it is and how to make Excel write it as
the schema does, rather than as a type error ("must be a real date", when it is one). It is not
silently accepted: the registry's files are the open data's source and must hold one spelling,
and a file Excel has re-saved may have lost more than its date format (leading zeros of codes,
long numbers), which the clerk should look at.
"""
from __future__ import annotations

import re
from datetime import date

from ..vocabulary import zh_date

#: The one spelling the schema's dates have (Frictionless also reads 2025-7-5, SQLite then
#: stores and compares it as text, out of order: it is refused too).
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: Year first, as Chinese-locale spreadsheets write dates (month-first 7/25/2025 is ambiguous
#: with day-first 25/7/2025, so it stays a type error), with the time Excel may add to it.
SPREADSHEET_DATE = re.compile(r"\s*(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?"
                              r"(?:\s+0{1,2}:00(?::00)?)?\s*")

EXCEL_FIX = ("这种写法多半是用 Excel 打开 CSV 后直接保存造成的：Excel 会把日期改成本机的格式。"
             "请在 Excel 中选中日期列 → 设置单元格格式 → 自定义，类型填 yyyy-mm-dd，再另存为“CSV UTF-8（逗号分隔）”；"
             "或从登记系统重新导出（同时核对编号、条码开头的 0 是否被 Excel 删掉）。")


def spelt_date(cell: object) -> date | None:
    """The real date a cell written in a spreadsheet's way means, or None (ISO, or no date)."""
    if not isinstance(cell, str) or ISO_DATE.fullmatch(cell):
        return None
    match = SPREADSHEET_DATE.fullmatch(cell)
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None  # 2025/2/30 is no date at all: a type error says so


def date_spelling_problems(cells: dict[str, object], date_fields: dict[str, str]) -> list[tuple[str, str]]:
    """(field, message) for each date cell of a row that is a real date spelt otherwise than
    YYYY-MM-DD; `date_fields` maps each date field's name to its label for the message."""
    found = []
    for name, label in date_fields.items():
        meant = spelt_date(cells.get(name))
        if meant is not None:
            found.append((name, f"{label}“{cells[name]}”是 {zh_date(meant)}，但日期须写成 {meant.isoformat()}"
                                f"（年-月-日，月和日各两位数）。{EXCEL_FIX}"))
    return found
