"""The handbook's metric reference: each programme metric's meaning, unit and query, written from
database/metrics.py (the one definition the pages and Datasette use), so it cannot drift."""
from __future__ import annotations

from ..database.metrics import METRICS


def markdown() -> str:
    lines = []
    for code, metric in METRICS.items():
        term = metric.term
        lines += [f"### {term.zh} {term.en} {{#{code}}}", ""]
        if metric.share:
            lines.append(f"- **代码**：`{code}`　·　**单位**：%（比例 = 分子 ÷ 分母 × 100，保留一位小数）")
            lines.append(f"- **分子**：{metric.counts}")
            lines.append(f"- **分母**：{metric.out_of}")
        else:
            lines.append(f"- **代码**：`{code}`　·　**单位**：{term.note}（数量）")
            lines.append(f"- **计数**：{metric.counts}")
        lines.append("- **可落实到监管所**：" + ("是" if metric.per_station else "否，只能按区划统计"))
        lines += ["", "```sql", metric.sql.strip(), "```", ""]
    return "\n".join(lines)
