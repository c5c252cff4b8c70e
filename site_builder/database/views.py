"""The views other stages and journalists read: current grades, ongoing recalls, region figures.

"Now" is the package's release date, read from the `_build` table, never date('now'):
the same data must give the same figures on any day it is rebuilt or queried.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..vocabulary import NOT_OPERATING
from .programme_views import PROGRAMME_VIEWS

if TYPE_CHECKING:
    import sqlite_utils  # only its type: a build that keeps registry.db imports none of it

RELEASE_DATE = "(SELECT release_date FROM _build)"
RELEASE_YEAR = "(SELECT CAST(release_year AS TEXT) FROM _build)"

#: A business may operate on the release date (standing.py says the same in Python).
OPERATING = f"(o.status = 'active' AND o.valid_until >= {RELEASE_DATE})"

#: The latest grade that took effect by the release date, one row per graded operator. It is in
#: force only while its business may operate: otherwise `in_force` is 0 and `void_reason` says
#: why (the vocabulary's words: 登记证已吊销, 已暂停生产经营, 登记证已过期), and no page, poster
#: or label shows its smiley.
CURRENT_GRADES = f"""
SELECT g.operator_id, g.grade, g.effective_on, g.inspection_id,
       CASE WHEN {OPERATING} THEN 1 ELSE 0 END AS in_force,
       CASE WHEN {OPERATING} THEN NULL
            WHEN o.status = 'suspended' THEN '{NOT_OPERATING["suspended"].zh}'
            WHEN o.status = 'revoked' THEN '{NOT_OPERATING["revoked"].zh}'
            ELSE '{NOT_OPERATING["expired"].zh}' END AS void_reason
FROM grades g
JOIN operators o ON o.id = g.operator_id
WHERE g.effective_on = (
    SELECT max(g2.effective_on) FROM grades g2
    WHERE g2.operator_id = g.operator_id AND g2.effective_on <= {RELEASE_DATE}
)
"""

#: Recalls still in force, with the names a reader needs to recognise them.
ONGOING_RECALLS = """
SELECT r.id, r.issued_on, r.title, r.level, r.operator_id, o.name AS operator_name,
       r.product_code, p.name AS product_name, r.batches, r.reason, r.advice, r.contact,
       r.sampling_id
FROM recalls r
LEFT JOIN operators o ON o.id = r.operator_id
LEFT JOIN products p ON p.code = r.product_code
WHERE r.status = 'ongoing'
ORDER BY r.issued_on DESC, r.id
"""

#: One row per county and year (the release year and every year with targets). Operator and
#: grade figures are a snapshot on the release date, so they are filled for the release year
#: only; sampling, recall and brand figures count events in that year. Shares are percentages
#: (0–100, one decimal), as the targets' percentage metrics are.
REGION_FIGURES = """
WITH
  build AS (SELECT release_date, CAST(release_year AS TEXT) AS year FROM _build),
  counties AS (SELECT code, name FROM regions WHERE level = 'county'),
  years AS (
    SELECT c.code AS region_code, b.year FROM counties c, build b
    UNION
    SELECT region_code, CAST(year AS TEXT) FROM targets
    WHERE region_code IN (SELECT code FROM counties)
  ),
  ops AS (
    SELECT region_code, count(*) AS operators,
      sum(kind = 'workshop') AS workshops, sum(kind = 'eatery') AS eateries, sum(kind = 'stall') AS stalls,
      sum(status = 'active') AS active, sum(status = 'suspended') AS suspended,
      sum(status = 'revoked') AS revoked, sum(status = 'expired') AS expired
    FROM operators GROUP BY region_code
  ),
  graded AS (
    SELECT o.region_code, count(*) AS graded,
      sum(cg.grade = 'A') AS grade_a, sum(cg.grade = 'B') AS grade_b, sum(cg.grade = 'C') AS grade_c
    FROM current_grades cg JOIN operators o ON o.id = cg.operator_id
    WHERE cg.in_force = 1
    GROUP BY o.region_code
  ),
  sampled AS (
    SELECT o.region_code, substr(s.sampled_on, 1, 4) AS year, count(*) AS samplings,
      sum(s.result = '不合格') AS failed_samplings, count(DISTINCT s.operator_id) AS sampled_operators
    FROM samplings s JOIN operators o ON o.id = s.operator_id
    GROUP BY o.region_code, year
  ),
  recalled AS (
    SELECT o.region_code, substr(r.issued_on, 1, 4) AS year, count(*) AS recalls
    FROM recalls r JOIN operators o ON o.id = r.operator_id
    GROUP BY o.region_code, year
  ),
  awarded AS (
    SELECT o.region_code, substr(b.awarded_on, 1, 4) AS year, count(*) AS brands_awarded
    FROM brands b JOIN operators o ON o.id = b.operator_id
    WHERE b.status = 'awarded'
    GROUP BY o.region_code, year
  ),
  goals AS (
    SELECT region_code, CAST(year AS TEXT) AS year,
      max(CASE WHEN metric = 'graded_share' THEN target END) AS target_graded_share,
      max(CASE WHEN metric = 'a_share' THEN target END) AS target_a_share,
      max(CASE WHEN metric = 'sampling_coverage' THEN target END) AS target_sampling_coverage,
      max(CASE WHEN metric = 'sampling_pass_rate' THEN target END) AS target_sampling_pass_rate,
      max(CASE WHEN metric = 'brands_awarded' THEN target END) AS target_brands_awarded
    FROM targets GROUP BY region_code, year
  )
SELECT
  y.region_code, c.name AS region_name, CAST(y.year AS INTEGER) AS year,
  (y.year = b.year) AS is_release_year,
  CASE WHEN y.year = b.year THEN coalesce(ops.operators, 0) END AS operators,
  CASE WHEN y.year = b.year THEN coalesce(ops.workshops, 0) END AS workshops,
  CASE WHEN y.year = b.year THEN coalesce(ops.eateries, 0) END AS eateries,
  CASE WHEN y.year = b.year THEN coalesce(ops.stalls, 0) END AS stalls,
  CASE WHEN y.year = b.year THEN coalesce(ops.active, 0) END AS active,
  CASE WHEN y.year = b.year THEN coalesce(ops.suspended, 0) END AS suspended,
  CASE WHEN y.year = b.year THEN coalesce(ops.revoked, 0) END AS revoked,
  CASE WHEN y.year = b.year THEN coalesce(ops.expired, 0) END AS expired,
  CASE WHEN y.year = b.year THEN coalesce(graded.graded, 0) END AS graded,
  CASE WHEN y.year = b.year THEN round(100.0 * coalesce(graded.graded, 0) / nullif(ops.active, 0), 1) END AS graded_share,
  CASE WHEN y.year = b.year THEN coalesce(graded.grade_a, 0) END AS grade_a,
  CASE WHEN y.year = b.year THEN coalesce(graded.grade_b, 0) END AS grade_b,
  CASE WHEN y.year = b.year THEN coalesce(graded.grade_c, 0) END AS grade_c,
  CASE WHEN y.year = b.year THEN round(100.0 * coalesce(graded.grade_a, 0) / nullif(graded.graded, 0), 1) END AS a_share,
  coalesce(sampled.samplings, 0) AS samplings,
  coalesce(sampled.failed_samplings, 0) AS failed_samplings,
  coalesce(sampled.sampled_operators, 0) AS sampled_operators,
  CASE WHEN y.year = b.year THEN round(100.0 * coalesce(sampled.sampled_operators, 0) / nullif(ops.active, 0), 1) END AS sampling_coverage,
  round(100.0 * sampled.failed_samplings / nullif(sampled.samplings, 0), 1) AS failure_rate,
  round(100.0 - 100.0 * sampled.failed_samplings / nullif(sampled.samplings, 0), 1) AS sampling_pass_rate,
  coalesce(recalled.recalls, 0) AS recalls,
  coalesce(awarded.brands_awarded, 0) AS brands_awarded,
  goals.target_graded_share, goals.target_a_share, goals.target_sampling_coverage,
  goals.target_sampling_pass_rate, goals.target_brands_awarded
FROM years y
JOIN counties c ON c.code = y.region_code
CROSS JOIN build b
LEFT JOIN ops ON ops.region_code = y.region_code
LEFT JOIN graded ON graded.region_code = y.region_code
LEFT JOIN sampled ON sampled.region_code = y.region_code AND sampled.year = y.year
LEFT JOIN recalled ON recalled.region_code = y.region_code AND recalled.year = y.year
LEFT JOIN awarded ON awarded.region_code = y.region_code AND awarded.year = y.year
LEFT JOIN goals ON goals.region_code = y.region_code AND goals.year = y.year
ORDER BY y.region_code, y.year
"""

VIEWS = {
    "current_grades": CURRENT_GRADES,
    "ongoing_recalls": ONGOING_RECALLS,
    "region_figures": REGION_FIGURES,
    **PROGRAMME_VIEWS,  # checklists, zones and programmes (programme_views.py)
}


def create_views(db: sqlite_utils.Database) -> None:
    for name, sql in VIEWS.items():
        db.create_view(name, sql.strip())
