"""The validation report as a clerk reads it in a terminal: tables, then problems, then a verdict.

Laid out like `frictionless validate`: a VALID/INVALID line per table with its row count,
then one line per problem (file, row, field, rule, message). Chinese characters take two
columns in a terminal, so widths are measured by display width, not by len().
Repeats of one rule in one column are one line, with the count and the first rows, like
Pelican's LimitFilter: a CSV re-saved by Excel (877 dates spelt 2025/7/25) is one systematic
mistake, and hundreds of identical lines would bury the others. --json keeps every problem.
"""
from __future__ import annotations

import unicodedata
from collections import Counter
from pathlib import Path

from ..registry.package import TABLE_ORDER
from .report import Problem, Report

#: Rows named on the one line of a (file, field, rule) group that repeats.
FIRST_ROWS = 5


def format_report(report: Report, data_dir: str | Path) -> str:
    lines = [f"数据目录 Data folder: {data_dir}", ""]
    lines += _tables(report)
    if report.problems:
        lines += [""] + _problems(report)
    count = len(report.problems)
    lines += ["", "有效 valid" if report.valid else f"发现 {count} 个问题 {count} problems"]
    return "\n".join(lines)


def _tables(report: Report) -> list[str]:
    by_file = Counter(p.file for p in report.problems)
    tables = [t for t in TABLE_ORDER if t in report.files or t in report.counts]
    tables += sorted(t for t in report.files if t not in tables)
    rows = [("数据表 Table", "文件 File", "行数 Rows", "结果 Result")]
    for table in tables:
        file = report.files.get(table, "")
        problems = by_file.get(file, 0)
        rows.append((table, file, str(report.counts[table]) if table in report.counts else "—",
                     "VALID" if not problems else f"INVALID（{problems}）"))
    return _align(rows)


def _problems(report: Report) -> list[str]:
    order = {file: i for i, file in enumerate(report.files.get(t) for t in TABLE_ORDER)}
    problems = sorted(report.problems, key=lambda p: (order.get(p.file, len(order)), p.file, p.row or 0,
                                                      p.field or "", p.rule))
    groups: dict[tuple, list[Problem]] = {}
    for problem in problems:  # in row order, so a group's first problem is its first row's
        groups.setdefault((problem.file, problem.field, problem.rule), []).append(problem)
    rows: list[tuple[str, ...]] = [("文件 File", "行 Row", "字段 Field", "规则 Rule", "说明 Message")]
    for problem in problems:
        group = groups[(problem.file, problem.field, problem.rule)]
        if problem is group[0]:
            rows.append(_cells(problem, group))
    return _align(rows)


def _repeats(group: list[Problem]) -> str:
    """What the one line of a repeated rule adds: how many rows and which come first."""
    numbers = [str(p.row) for p in group if p.row is not None][:FIRST_ROWS]
    more = "等" if len(group) > len(numbers) else ""
    where = f"第 {'、'.join(numbers)} 行{more}" if numbers else ""
    same = "同样" if len({p.message for p in group}) == 1 else "同类"
    return (f"（{'这一列' if group[0].field else '这个文件'}共 {len(group)} 处{same}问题{'：' if where else ''}{where}；"
            f"{len(group)} problems like this, see --json for each）")


def _cells(problem: Problem, group: list[Problem]) -> tuple[str, ...]:
    message = problem.message + (_repeats(group) if len(group) > 1 else "")
    return (problem.file, str(problem.row) if problem.row is not None else "—",
            problem.field or "—", problem.rule, message)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _align(rows: list[tuple[str, ...]]) -> list[str]:
    """Columns padded to the widest cell; the last column is left free (messages are long)."""
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for number, row in enumerate(rows):
        cells = [c + " " * (w - _width(c)) for c, w in zip(row, widths)] + [row[-1]]
        lines.append("  ".join(cells).rstrip())
        if number == 0:
            lines.append("  ".join("-" * w for w in widths + [max(_width(r[-1]) for r in rows[:1])]))
    return lines
