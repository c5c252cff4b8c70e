"""What an import did, for the clerk (Chinese with English beside it) and for programs (--json):
rows read, records added or updated, every placement and by what, every row not placed and why."""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .matching import METHODS
from .review import CODES

ACTIONS = {"added": "新增 added", "updated": "更新 updated", "unchanged": "无变化 unchanged"}
ROLES = {"producer": "标称生产企业 producer", "sampled unit": "被抽样单位 sampled unit", "": ""}


@dataclass
class ImportReport:
    command: str
    files: list[dict]
    rows_read: int
    skipped: int
    added: int
    updated: int
    placements: list
    review: list
    warnings: list[str]
    review_path: str | None
    written: list[str]
    dry_run: bool
    rows_placed: int = 0
    rows_unplaced: int = 0
    by_method: dict = field(default_factory=dict)

    @classmethod
    def of(cls, ctx, sheets, tables, review_path: Path | None, written: list[Path], dry_run: bool) -> "ImportReport":
        files: dict[str, dict] = {}
        for sheet in sheets:
            entry = files.setdefault(sheet.file, {"file": sheet.file, "sheets": 0})
            entry["sheets"] += 1
        placed_rows = sum(len(p.rows) for p in ctx.placements)
        unplaced = {(r.file, r.sheet, r.row) for r in ctx.review if not r.imported}
        return cls(ctx.command, list(files.values()), ctx.rows_read, ctx.skipped,
                   sum(t.added for t in tables), sum(t.updated for t in tables), ctx.placements, ctx.review,
                   ctx.warnings, str(review_path) if review_path else None, [str(p) for p in written], dry_run,
                   placed_rows, len(unplaced), dict(Counter(p.method for p in ctx.placements)))

    @property
    def placed_share(self) -> float:
        """Rows placed automatically, of the rows that are records (notes left out)."""
        records = self.rows_placed + len({(r.file, r.sheet, r.row) for r in self.review
                                          if not r.imported and r.code != "not-a-record"})
        return self.rows_placed / records if records else 1.0

    def as_json(self) -> dict:
        return {"command": self.command, "dry_run": self.dry_run, "files": self.files, "rows_read": self.rows_read,
                "rows_skipped": self.skipped, "rows_placed": self.rows_placed, "rows_unplaced": self.rows_unplaced,
                "placed_share": round(self.placed_share, 4), "records_added": self.added,
                "records_updated": self.updated, "by_method": self.by_method,
                "placements": [p.as_json() for p in self.placements], "review": [r.as_json() for r in self.review],
                "warnings": self.warnings, "review_file": self.review_path, "written": self.written}

    def to_json(self) -> str:
        return json.dumps(self.as_json(), ensure_ascii=False, indent=2, default=str)


def format_report(report: ImportReport, limit: int = 200) -> str:
    """The printed summary. Long lists stop after `limit` lines (the review file and --json have all)."""
    lines = []
    if report.dry_run:
        lines.append("试运行（--dry-run）：没有写入任何文件。Dry run: nothing was written.")
    files = "、".join(f["file"] for f in report.files)
    lines.append(f"读取 Read：{len(report.files)} 个文件 files（{files}），{report.rows_read} 行 rows"
                 + (f"（另跳过重复表头 {report.skipped} 行 repeated headers skipped）" if report.skipped else ""))
    lines.append(f"记录 Records：新增 added {report.added}，更新 updated {report.updated}")
    lines.append(f"已匹配 Placed：{report.rows_placed} 行 rows（{report.placed_share:.0%} 自动匹配 placed automatically）")
    for method, count in sorted(report.by_method.items(), key=lambda kv: -kv[1]):
        lines.append(f"  按 by {METHODS.get(method, method)}：{count}")
    for p in report.placements[:limit]:
        rows = "、".join(str(n) for n in p.rows)
        role = f"，{ROLES.get(p.role, p.role)}" if p.role else ""
        lines.append(f"  {p.file} 第 {rows} 行 row → {p.record_id}：{p.operator_id} {p.operator_name}"
                     f"（{METHODS.get(p.method, p.method)}{role}；{ACTIONS[p.action]}）")
    if len(report.placements) > limit:
        lines.append(f"  ……另有 {len(report.placements) - limit} 条 more（见 --json）")
    open_rows = [r for r in report.review if not r.imported]
    checks = [r for r in report.review if r.imported]
    lines.append(f"未匹配 Not placed：{report.rows_unplaced} 行 rows")
    for r in open_rows[:limit]:
        lines.append(f"  {r.file}{'：' + r.sheet if r.sheet else ''} 第 {r.row} 行 row：{r.reason}"
                     f"（{CODES.get(r.code, r.code)}）")
    if checks:
        lines.append(f"已导入但请核对 Imported, please check：{len(checks)} 处")
        for r in checks[:limit]:
            lines.append(f"  {r.file} 第 {r.row} 行 row：{r.reason}")
    for warning in report.warnings:
        lines.append(f"注意 Note：{warning}")
    if report.review_path and report.review:
        lines.append(f"待核对的行已写入 Rows to review are in：{report.review_path}")
    if report.written:
        verb = "将改写 would write" if report.dry_run else "已写入 wrote"
        lines.append(f"{verb}：" + "、".join(Path(w).name for w in report.written))
    elif not report.dry_run:
        lines.append("登记数据没有变化 The registry is unchanged.")
    return "\n".join(lines)
