"""Every metric a programme target may name, each computed by one named query.

A programme (programmes, programme_targets) sets targets per region or per station with a
deadline; what counts as progress is defined here once, in SQL over registry.db, so the
programme pages, Datasette's `programme_progress` view and the handbook's metric page (which
prints these definitions and queries) can never disagree.

Each query returns, for every target row with its metric, (programme_id, number, numerator,
denominator). A share is 100 × numerator ÷ denominator (one decimal; no denominator, no figure);
a count has no denominator. The query reads two helpers: the view `target_scope`
(programme_views.py) — each target with its window, from the programme's first day to its
deadline or the release date, whichever comes first — and the table `target_members`
(derived.py: worked out once when registry.db is built), the businesses a target covers (its
station's, else every business in its region and the regions under it). "Active"
means status active on the release date: the registry keeps no history of statuses. A grade
counts only while it is in force (current_grades.in_force: its business may operate), as in the
region figures.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..vocabulary import PROGRAMME_METRICS, Term


@dataclass(frozen=True)
class Metric:
    """One metric: how it is counted (in words, for the handbook and the pages) and its query."""

    code: str
    counts: str             # what the numerator counts
    out_of: str | None      # what the denominator counts (None: a count, not a share)
    sql: str
    per_station: bool = True  # can be counted for one station's businesses

    @property
    def term(self) -> Term:
        return PROGRAMME_METRICS[self.code]

    @property
    def share(self) -> bool:
        return self.out_of is not None


def _members(condition: str = "1") -> str:
    """The target's businesses that meet `condition` (on `o`), joined for a count per target."""
    return (f"LEFT JOIN target_members m ON m.programme_id = s.programme_id AND m.number = s.number "
            f"LEFT JOIN operators o ON o.id = m.operator_id AND ({condition})")


def _share_of_active(code: str, test: str) -> str:
    """Active businesses of the target for which `test` (on `o` and `s`) holds, out of all of them."""
    return f"""SELECT s.programme_id, s.number,
  count(DISTINCT CASE WHEN {test} THEN o.id END) AS numerator,
  count(DISTINCT o.id) AS denominator
FROM target_scope s {_members("o.status = 'active'")}
WHERE s.metric = '{code}'
GROUP BY s.programme_id, s.number"""


def _count(code: str, table: str, alias: str, date: str, where: str = "1", by_operator: bool = True) -> str:
    """Rows of `table` dated (`date`) within the target's window, of its businesses, or (for
    rows that name no registered business) of its station or region."""
    if by_operator:
        # EXISTS on the table's key: as `IN (SELECT …)` the members were listed again for every
        # row of `table` (brands_awarded alone took 76 s at 50,000 businesses, 0.1 s so).
        scope = (f"EXISTS (SELECT 1 FROM target_members m WHERE m.programme_id = s.programme_id "
                 f"AND m.number = s.number AND m.operator_id = {alias}.operator_id)")
    else:
        scope = _place(alias)
    return f"""SELECT s.programme_id, s.number,
  (SELECT count(*) FROM {table} {alias}
   WHERE {scope} AND {alias}.{date} BETWEEN s.window_start AND s.window_end AND {where}) AS numerator,
  NULL AS denominator
FROM target_scope s
WHERE s.metric = '{code}'"""


def _place(alias: str) -> str:
    """A row naming no registered business (a closure, an activity) is the target's when it lies
    in the target's station or region (and is of its kind, when the row has one)."""
    return (f"(CASE WHEN s.station_id IS NOT NULL THEN {alias}.station_id = s.station_id "
            f"ELSE {alias}.region_code IN (SELECT code FROM region_tree WHERE ancestor = s.region_code) END)")


def _zones(code: str, kinds: tuple[str, ...]) -> str:
    listed = ", ".join(f"'{k}'" for k in kinds)
    return f"""SELECT s.programme_id, s.number,
  (SELECT count(*) FROM parks z WHERE z.kind IN ({listed})
   AND z.region_code IN (SELECT code FROM region_tree WHERE ancestor = s.region_code)) AS numerator,
  NULL AS denominator
FROM target_scope s
WHERE s.metric = '{code}'"""


_SAMPLED = ("EXISTS (SELECT 1 FROM samplings x WHERE x.operator_id = o.id "
            "AND x.sampled_on BETWEEN s.window_start AND s.window_end)")

# A target's rows of another table are counted from its businesses (target_members first: SQLite
# takes the tables of a CROSS JOIN in the order written). Left to choose, it walked every sampling
# in the window and looked each up in target_members: 7 s for disposal_rate at 50,000 businesses,
# 0.7 s so.
METRICS: dict[str, Metric] = {m.code: m for m in (
    Metric("registration_rate", "期末前已登记的主体（任何状态）",
           "已登记的主体加上期内取缔的无证加工点（closures）", f"""SELECT s.programme_id, s.number,
  count(DISTINCT o.id) AS numerator,
  count(DISTINCT o.id) + (SELECT count(*) FROM closures c
    WHERE {_place("c")} AND (s.kind IS NULL OR c.kind = s.kind)
    AND c.banned_on BETWEEN s.window_start AND s.window_end) AS denominator
FROM target_scope s {_members("o.registered_on <= s.window_end")}
WHERE s.metric = 'registration_rate'
GROUP BY s.programme_id, s.number"""),
    Metric("file_rate", "有逐项检查记录（inspection_items）的在营主体", "在营主体",
           _share_of_active("file_rate", "EXISTS (SELECT 1 FROM inspections i JOIN inspection_items ii "
                            "ON ii.inspection_id = i.id WHERE i.operator_id = o.id AND i.date <= s.window_end)")),
    Metric("inspection_coverage", "期内接受过监督检查的在营主体", "在营主体",
           _share_of_active("inspection_coverage", "EXISTS (SELECT 1 FROM inspections i WHERE i.operator_id = o.id "
                            "AND i.date BETWEEN s.window_start AND s.window_end)")),
    Metric("sampling_coverage", "期内被监督抽检过的在营主体", "在营主体", _share_of_active("sampling_coverage", _SAMPLED)),
    Metric("sampling_pass_rate", "期内抽检结论为合格的批次", "期内抽检的全部批次", f"""SELECT s.programme_id, s.number,
  (SELECT count(*) FROM target_members m CROSS JOIN samplings x ON x.operator_id = m.operator_id
   WHERE m.programme_id = s.programme_id AND m.number = s.number AND x.result = '合格'
   AND x.sampled_on BETWEEN s.window_start AND s.window_end) AS numerator,
  (SELECT count(*) FROM target_members m CROSS JOIN samplings x ON x.operator_id = m.operator_id
   WHERE m.programme_id = s.programme_id AND m.number = s.number
   AND x.sampled_on BETWEEN s.window_start AND s.window_end) AS denominator
FROM target_scope s
WHERE s.metric = 'sampling_pass_rate'"""),
    Metric("disposal_rate", "期内不合格抽检中填写了核查处置的批次", "期内不合格的抽检批次", f"""SELECT s.programme_id, s.number,
  (SELECT count(*) FROM target_members m CROSS JOIN samplings x ON x.operator_id = m.operator_id
   WHERE m.programme_id = s.programme_id AND m.number = s.number AND x.result = '不合格'
   AND coalesce(trim(x.disposal), '') != '' AND x.sampled_on BETWEEN s.window_start AND s.window_end) AS numerator,
  (SELECT count(*) FROM target_members m CROSS JOIN samplings x ON x.operator_id = m.operator_id
   WHERE m.programme_id = s.programme_id AND m.number = s.number AND x.result = '不合格'
   AND x.sampled_on BETWEEN s.window_start AND s.window_end) AS denominator
FROM target_scope s
WHERE s.metric = 'disposal_rate'"""),
    Metric("licensed_rate", "登记证在期末仍有效的在营主体", "在营主体",
           _share_of_active("licensed_rate", "o.valid_until >= s.window_end")),
    Metric("graded_share", "发布日有有效量化等级的在营主体", "在营主体",
           _share_of_active("graded_share", "o.id IN (SELECT operator_id FROM current_grades WHERE in_force = 1)")),
    Metric("a_share", "发布日有效等级为 A 的在营主体", "发布日有有效等级的在营主体", """SELECT s.programme_id, s.number,
  count(DISTINCT CASE WHEN g.grade = 'A' THEN o.id END) AS numerator,
  count(DISTINCT CASE WHEN g.grade IS NOT NULL THEN o.id END) AS denominator
FROM target_scope s {members}
LEFT JOIN current_grades g ON g.operator_id = o.id AND g.in_force = 1
WHERE s.metric = 'a_share'
GROUP BY s.programme_id, s.number""".format(members=_members("o.status = 'active'"))),
    Metric("brands_awarded", "期内认定的名特优、老字号和出彩小作坊品牌", None,
           _count("brands_awarded", "brands", "b", "awarded_on", "b.status = 'awarded'")),
    Metric("model_units", "期内认定的出彩小作坊（示范单位）", None,
           _count("model_units", "brands", "b", "awarded_on", "b.status = 'awarded' AND b.program = '出彩小作坊'")),
    Metric("upgrades", "期内升级为食品生产企业（取得 SC 许可证）的小作坊", None,
           _count("upgrades", "upgrades", "u", "upgraded_on")),
    Metric("video_pilots", "接入远程视频监管或明厨亮灶的在营主体（发布日）", None, """SELECT s.programme_id, s.number,
  (SELECT count(*) FROM target_members m CROSS JOIN boards b ON b.operator_id = m.operator_id
   JOIN operators o ON o.id = b.operator_id
   WHERE m.programme_id = s.programme_id AND m.number = s.number AND o.status = 'active'
   AND (b.remote_video = 1 OR b.open_kitchen = 1)) AS numerator,
  NULL AS denominator
FROM target_scope s
WHERE s.metric = 'video_pilots'"""),
    Metric("association_events", "期内举办的产业协会活动", None,
           _count("association_events", "activities", "a", "held_on", "a.kind = 'association'", by_operator=False)),
    Metric("closures", "期内依法取缔的无证加工点（黑作坊）", None,
           _count("closures", "closures", "c", "banned_on", "(s.kind IS NULL OR c.kind = s.kind)", by_operator=False)),
    Metric("model_streets", "区划内的示范街区", None, _zones("model_streets", ("model_street",)), per_station=False),
    Metric("processing_areas", "区划内的生产园区和集中加工区", None,
           _zones("processing_areas", ("park", "processing_area")), per_station=False),
)}

assert set(METRICS) == set(PROGRAMME_METRICS), "every metric has its label and its query"
