"""import-review.csv: every row an import could not place or had doubts about, beside the data.

One line per (file, sheet, row, reason): the row's cells (personal identifiers blanked), why,
and the registered businesses it might be. Each import replaces the lines of the files it read
and keeps the others, so the file always says what is still open for every file imported;
the same import twice writes the same bytes. UTF-8 with BOM, so Excel shows the Chinese.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

REVIEW_NAME = "import-review.csv"
HEADER = ["命令 command", "文件 file", "工作表 sheet", "行 row", "原因代码 code", "原因 reason",
          "候选主体 candidates", "导入情况 outcome", "单元格 cells"]

#: Reason codes and what they mean (the handbook lists them).
CODES = {
    "no-match": "没有找到对应的登记主体 no registered business matches",
    "ambiguous": "有几家登记主体都可能是 several businesses could be meant",
    "address-differs": "名称相符但地址不同 the name matches, the address does not",
    "out-of-region": "地址不在本登记数据的辖区内 the address is outside the registry's region",
    "missing-value": "缺少必需的值 a value the registry needs is missing",
    "invalid": "写入后会通不过校验 the record would not validate",
    "new-business-incomplete": "新主体缺少类型、区划、监管所或地址 a new business lacks kind, region, station or address",
    "licence-conflict": "许可证号已属于另一家主体 the licence number belongs to another business",
    "unknown-status": "认不出许可状态 the licence status is not one Zuofang knows",
    "doubtful-value": "已导入，但有存疑的值（如可能丢失的上标）imported; a value is doubtful",
    "not-a-record": "不是记录（注释、说明行）not a record (a note)",
    "field-not-in-schema": "已导入，但数据包的表结构没有这个字段，未写入 imported; the schema lacks the field",
}
NOT_IMPORTED = "未导入 not imported"
IMPORTED = "已导入，请核对 imported, please check"


@dataclass
class ReviewRow:
    command: str
    file: str
    sheet: str
    row: int
    code: str
    reason: str
    candidates: list[str] = field(default_factory=list)
    imported: bool = False
    cells: dict = field(default_factory=dict)

    def as_list(self) -> list[str]:
        return [self.command, self.file, self.sheet, str(self.row), self.code, self.reason, "；".join(self.candidates),
                IMPORTED if self.imported else NOT_IMPORTED, json.dumps(self.cells, ensure_ascii=False)]

    def as_json(self) -> dict:
        return {"file": self.file, "sheet": self.sheet, "row": self.row, "code": self.code, "reason": self.reason,
                "candidates": self.candidates, "imported": self.imported, "cells": self.cells}


def merged(path: Path, command: str, files: set[str], rows: list[ReviewRow]) -> bytes | None:
    """The review file's new bytes: its lines of other commands or files kept, the lines of
    `files` replaced by `rows`. None when there is nothing to write and no file yet."""
    kept = []
    if path.is_file():
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
        lines = list(csv.reader(io.StringIO(text, newline="")))
        for line in lines[1:]:
            if len(line) >= 2 and not (line[0] == command and _base(line[1]) in files):
                kept.append(line)
    if not kept and not rows and not path.is_file():
        return None
    ordered = sorted(kept + [r.as_list() for r in rows], key=_order)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(ordered)
    return out.getvalue().encode("utf-8-sig")


def _base(file: str) -> str:
    """The file a line belongs to: a zip member's lines belong to the zip."""
    return file.split("/", 1)[0]


def _order(line: list[str]):
    row = int(line[3]) if len(line) > 3 and line[3].isdigit() else 0
    return (line[0], line[1], line[2] if len(line) > 2 else "", row, line[4] if len(line) > 4 else "")


def markdown_codes() -> str:
    """The handbook's table of reason codes (import guide), from `CODES`."""
    lines = ["| 原因代码 code | 含义 meaning |", "|---|---|"]
    lines += [f"| `{code}` | {meaning} |" for code, meaning in CODES.items()]
    return "\n".join(lines) + "\n"
