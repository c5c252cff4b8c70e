"""The handbook's page of what every status, kind, level and grade means, from the vocabulary.

The site, the posters, the label sheets and the search results print the vocabulary's words
(vocabulary.py); the handbook explains the same words, generated from the same Terms (their
Chinese, English and `note`), so that the explanation cannot drift from what is printed.
handbook.py pastes this section where meanings.md has VOCABULARY_MARKER.
"""
from __future__ import annotations

from .. import vocabulary as v
from .dictionary import code, text

VOCABULARY_MARKER = "<!-- zuofang:vocabulary -->"

#: (heading, table.column, terms), in the order a reader meets them on a page.
SECTIONS = (
    ("主体类型 Kinds of business", "operators.kind", v.KINDS),
    ("主体状态 Business statuses", "operators.status", v.OPERATOR_STATUS),
    ("产品状态 Product statuses", "products.status", v.PRODUCT_STATUS),
    ("召回状态 Recall statuses", "recalls.status", v.RECALL_STATUS),
    ("召回级别 Recall levels", "recalls.level", v.RECALL_LEVELS),
    ("品牌状态 Brand statuses", "brands.status", v.BRAND_STATUS),
    ("品牌项目 Brand programmes", "brands.program", v.PROGRAMS),
    ("非遗级别 Intangible heritage", "brands.heritage", v.HERITAGE),
    ("检查类型 Inspections", "inspections.kind", v.INSPECTION_KINDS),
    ("检查结果 Inspection results", "inspections.result", v.INSPECTION_RESULTS),
    ("抽检结论 Sampling results", "samplings.result", v.SAMPLING_RESULTS),
    ("行政区划级别 Region levels", "regions.level", v.REGION_LEVELS),
    ("园区与街区类型 Kinds of zone", "parks.kind", v.ZONE_KINDS),
    ("检查项结果 Checklist results", "inspection_items.result", v.CHECK_RESULTS),
    ("活动类型 Kinds of activity", "activities.kind", v.ACTIVITY_KINDS),
)
#: Fields whose values are another field's (the same terms, explained once).
SAME_VALUES = {"operators.kind": ("checklist_use.kind", "closures.kind", "programme_targets.kind")}


def _rows(terms: dict) -> list[str]:
    lines = ["| 取值 Value | 中文 | English | 含义 Meaning |", "|---|---|---|---|"]
    lines += [f"| {code(c)} | **{text(t.zh)}** | {text(t.en)} | {text(t.note) or '—'} |" for c, t in terms.items()]
    return lines


def grades_section() -> list[str]:
    lines = ["### 量化分级 Smiley grades", "",
             f"{code('grades.grade')}：网站、公示牌上的等级都画成笑脸，并写出等级和名称。", "",
             "| 等级 | 笑脸 | 中文 | English | 含义 Meaning |", "|---|---|---|---|---|"]
    lines += [f"| {code(g)} | {text(v.FACES[g])} | **{text(t.zh)}** | {text(t.en)} | {text(v.GRADE_MEANINGS[g])} |"
              for g, t in v.GRADES.items()]
    lines += ["", f"- **{v.NOT_GRADED.zh}**（{v.NOT_GRADED.en}）：尚未评定等级，并不表示不合格。",
              f"- **{v.GRADE_VOID.zh}**（{v.GRADE_VOID.en}）：{text(v.GRADE_VOID.note)}原因写作："
              + "、".join(f"“{t.zh}”" for t in v.NOT_OPERATING.values()) + "，并写明自哪一天起。", ""]
    return lines


def verdicts_section() -> list[str]:
    """The line that opens every product and business page, most serious first."""
    said = v.VERDICTS
    ok = " · ".join(said[k].zh for k in ("registered", "no-recall", "passed"))
    lines = ["### 页面顶部的结论 The verdict line", "",
             "每个产品溯源页（`/p/`）和主体页（`/w/`）在导航之前先用一行字和一个图标回答“今天能不能放心”，"
             "按下面的顺序只显示最要紧的一条：", "",
             "| 结论 | English | 什么时候 |", "|---|---|---|",
             f"| **{said['recall'].zh}** | {said['recall'].en} | 产品有进行中的召回；下一行写明怎么办（召回公告中的建议） |",
             f"| **{said['business-recall'].zh}** | {said['business-recall'].en} | 主体页：它的某个产品正在召回 |",
             f"| **{said['withdrawn'].zh}** | {said['withdrawn'].en} | 产品已撤市 |",
             f"| **{'、'.join(t.zh for t in v.NOT_OPERATING.values())}（某日起），{said['may-not-operate'].zh}** | "
             f"{' / '.join(t.en for t in v.NOT_OPERATING.values())} | 主体（或产品的生产者）不能生产经营 |",
             f"| **{said['upgraded'].zh} SC…** | {said['upgraded'].en} SC… | 小作坊已提档升级为食品生产企业，"
             "小作坊登记证因此到期不再延续（登记证被吊销或暂停的仍按上一行） |",
             f"| **{said['failed'].zh}（日期）** | {said['failed'].en} | 最近一次抽检不合格；下一行写明核查处置 |",
             f"| **{ok} 日期** | {' · '.join(said[k].en for k in ('registered', 'no-recall', 'passed'))} | "
             f"以上都没有；没有抽检记录时写“{said['untested'].zh}” |", ""]
    return lines


def vocabulary_section() -> str:
    """Markdown: the grades, the verdict line, then one table per coded field, from the vocabulary."""
    lines = grades_section() + verdicts_section()
    for heading, field, terms in SECTIONS:
        also = "".join(f"、{code(f)}" for f in SAME_VALUES.get(field, ()))
        lines += [f"### {heading}", "", f"{code(field)}{also}：", ""] + _rows(terms) + [""]
    return "\n".join(lines)
