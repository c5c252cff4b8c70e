"""The views behind checklists, zones and programmes: what the pages and journalists read.

`programme_progress` holds every programme target beside its figure, computed by the metric's
one query (metrics.py); `checklist_shares` and `zone_checklist_shares` say, per region or zone
and per checklist item, how many businesses in operation meet it at their latest checklist
inspection. "Now" is the package's release date (the `_build` table), as in views.py.
"""
from __future__ import annotations

from .metrics import METRICS

#: Every region with itself and each region above it: (ancestor, code). A target or a share of
#: a city counts the businesses of its counties.
REGION_TREE = """
WITH RECURSIVE tree(ancestor, code) AS (
  SELECT code, code FROM regions
  UNION
  SELECT tree.ancestor, r.code FROM tree JOIN regions r ON r.parent_code = tree.code
)
SELECT ancestor, code FROM tree
"""

#: Each item of each business's latest inspection with a checklist (newest date, then the
#: highest id), with what the pages group it by. Worked out once into the table
#: `latest_checklist_items` (derived.py).
LATEST_CHECKLIST_ITEMS = """
SELECT o.id AS operator_id, o.kind, o.status, o.region_code, o.park_id,
  i.id AS inspection_id, i.date, ci.checklist_id, c.name AS checklist_name,
  ii.item_id, ci.number, ci.name AS item_name, ii.result, ii.note
FROM (
  SELECT i.operator_id, i.id, i.date,
    row_number() OVER (PARTITION BY i.operator_id ORDER BY i.date DESC, i.id DESC) AS n
  FROM inspections i WHERE i.id IN (SELECT inspection_id FROM inspection_items)
) latest
JOIN inspections i ON i.id = latest.id
JOIN operators o ON o.id = i.operator_id
JOIN inspection_items ii ON ii.inspection_id = i.id
JOIN checklist_items ci ON ci.id = ii.item_id
JOIN checklists c ON c.id = ci.checklist_id
WHERE latest.n = 1
ORDER BY o.id, ci.number, ii.item_id
"""


def _shares(area: str, source: str) -> str:
    """Per `area` and item: businesses in operation assessed (符合 or 不符合; 不适用 is left out),
    how many meet it, and the share (0–100, one decimal)."""
    return f"""
SELECT {area}, l.checklist_id, l.checklist_name, l.item_id, l.number, l.item_name,
  count(*) AS assessed, sum(l.result = '符合') AS meeting,
  round(100.0 * sum(l.result = '符合') / count(*), 1) AS share
FROM latest_checklist_items l {source}
WHERE l.status = 'active' AND l.result != '不适用'
GROUP BY 1, l.item_id
ORDER BY 1, l.checklist_id, l.number, l.item_id
"""


CHECKLIST_SHARES = _shares("t.ancestor AS region_code", "JOIN region_tree t ON t.code = l.region_code")
ZONE_CHECKLIST_SHARES = _shares("l.park_id AS park_id", "JOIN parks z ON z.id = l.park_id")

#: Each programme target with its window: from its own start (a yearly target's first day) or
#: else the programme's first day, to the deadline or the release date, whichever is earlier (a
#: target is measured as far as the data reaches).
TARGET_SCOPE = """
SELECT t.programme_id, t.number, t.metric, t.region_code, t.station_id, t.kind, t.target, t.deadline,
  coalesce(t.start, p.period_start) AS window_start, min(t.deadline, b.release_date) AS window_end
FROM programme_targets t
JOIN programmes p ON p.id = t.programme_id
CROSS JOIN _build b
"""

#: The businesses each target covers: its station's, or those of its region and the regions under
#: it; only those of its kind when it names one. Worked out once into the table `target_members`
#: (derived.py), which the metrics read.
TARGET_MEMBERS = """
SELECT t.programme_id, t.number, o.id AS operator_id
FROM programme_targets t JOIN operators o ON o.station_id = t.station_id
WHERE t.station_id IS NOT NULL AND (t.kind IS NULL OR o.kind = t.kind)
UNION ALL
SELECT t.programme_id, t.number, o.id AS operator_id
FROM programme_targets t
JOIN region_tree r ON r.ancestor = t.region_code
JOIN operators o ON o.region_code = r.code
WHERE t.station_id IS NULL AND (t.kind IS NULL OR o.kind = t.kind)
"""


def programme_progress() -> str:
    """Every target beside its figure: the metric's numerator and denominator (metrics.py), the
    figure (a share in %, or a count), and where it stands on the release date."""
    figures = "\n  UNION ALL\n".join(f"  SELECT * FROM ({m.sql})" for m in METRICS.values())
    return f"""
WITH figures(programme_id, number, numerator, denominator) AS (
{figures}
),
measured AS (
  SELECT t.*, f.numerator, f.denominator,
    CASE WHEN f.denominator IS NULL THEN f.numerator
         ELSE round(100.0 * f.numerator / nullif(f.denominator, 0), 1) END AS actual
  FROM programme_targets t
  LEFT JOIN figures f ON f.programme_id = t.programme_id AND f.number = t.number
)
SELECT m.programme_id, p.name AS programme_name, m.number, m.region_code, r.name AS region_name,
  m.station_id, st.name AS station_name, m.metric, m.target, m.deadline,
  m.kind, s.window_start, s.window_end, m.numerator, m.denominator, m.actual,
  CASE WHEN m.actual IS NULL THEN 'no_data'
       WHEN m.actual >= m.target THEN 'met'
       WHEN m.deadline < (SELECT release_date FROM _build) THEN 'missed'
       ELSE 'open' END AS status,
  m.note
FROM measured m
JOIN programmes p ON p.id = m.programme_id
JOIN target_scope s ON s.programme_id = m.programme_id AND s.number = m.number
LEFT JOIN regions r ON r.code = m.region_code
LEFT JOIN stations st ON st.id = m.station_id
ORDER BY m.programme_id, m.number
"""


#: In the order they are created (a view reads only views before it).
PROGRAMME_VIEWS = {
    "region_tree": REGION_TREE,
    "checklist_shares": CHECKLIST_SHARES,
    "zone_checklist_shares": ZONE_CHECKLIST_SHARES,
    "target_scope": TARGET_SCOPE,
    "programme_progress": programme_progress(),
}
