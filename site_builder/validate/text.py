"""The validation report as a clerk reads it in a terminal: tables, then problems, then a verdict.

Laid out like `frictionless validate`: a VALID/INVALID line per table with its row count,
then one line per problem (file, row, field, rule, message). Chinese characters take two
columns in a terminal, so widths are measured by display width, not by len().
A rule that fires on thousands of rows is shown a few times and then counted, so one
systematic mistake does not bury the others (the full list is in --json).
"""
from __future__ import annotations

import unicodedata
from collections import Counter
from pathlib import Path

from ..registry.package import TABLE_ORDER
from .report import Problem, Report

#: Shown per (file, field, rule) before the rest are summarised in one line.
SHOWN_PER_GROUP = 20


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
    groups = Counter((p.file, p.field, p.rule) for p in problems)
    shown: Counter = Counter()
    rows: list[tuple[str, ...]] = [("文件 File", "行 Row", "字段 Field", "规则 Rule", "说明 Message")]
    notes: dict[int, str] = {}
    for problem in problems:
        group = (problem.file, problem.field, problem.rule)
        shown[group] += 1
        if shown[group] <= SHOWN_PER_GROUP:
            rows.append(_cells(problem))
        if shown[group] == SHOWN_PER_GROUP and groups[group] > SHOWN_PER_GROUP:
            rest = groups[group] - SHOWN_PER_GROUP
            notes[len(rows)] = (f"  …… {problem.file} 的 {problem.field or '—'} 列另有 {rest} 处 {problem.rule} 问题未列出"
                                f"（{rest} more; see --json）")
    lines = _align(rows)
    # A summary follows its group's last shown row; row i is line i + 1 (a rule line follows the header).
    for index in sorted(notes, reverse=True):
        lines.insert(index + 1, notes[index])
    return lines


def _cells(problem: Problem) -> tuple[str, ...]:
    return (problem.file, str(problem.row) if problem.row is not None else "—",
            problem.field or "—", problem.rule, problem.message)


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
