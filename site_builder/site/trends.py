"""Each region's figures year by year: grade shares and the sampling pass rate (the region
pages' trend charts).

Read from registry.db in SQL (a rebuild reads the grades and samplings of a few businesses
only, registry.py SCOPED, but a region's trend needs every one of them), then summed up from
the counties to the city and the province. A year's grades are those in force at its end (the
release date for the release year) of the businesses registered by then whose licence was
valid; for the release year, the businesses in operation, as /grades/ and the figures table
count them. Years: the last TREND_YEARS up to the release year that have any grade or sampling.
"""
from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import date

TREND_YEARS = 5
GRADE_KEYS = ("A", "B", "C", "none")

#: The grade in force on :cutoff of each business counted that year, by county.
_GRADES = """
SELECT o.region_code, coalesce((
    SELECT g.grade FROM grades g WHERE g.operator_id = o.id AND g.effective_on <= :cutoff
    ORDER BY g.effective_on DESC LIMIT 1), 'none') AS grade, count(*)
FROM operators o
WHERE o.region_code IS NOT NULL AND {who}
GROUP BY 1, 2
"""
_REGISTERED = "o.registered_on <= :cutoff AND o.valid_until >= :cutoff"
_OPERATING = "o.status = 'active'"
_SAMPLINGS = """
SELECT o.region_code, CAST(substr(s.sampled_on, 1, 4) AS INTEGER) AS year, count(*), sum(s.result = '不合格')
FROM samplings s JOIN operators o ON o.id = s.operator_id
WHERE o.region_code IS NOT NULL AND s.sampled_on <= :release
GROUP BY 1, 2
"""


def load(conn: sqlite3.Connection, release_date: date, parents: dict[str, str | None]) -> dict[str, list[dict]]:
    """region code -> [{year, grades: {A, B, C, none}, samplings, failed}], oldest year first,
    for every region holding businesses (counties) and every region above them (`parents`:
    code -> parent code)."""
    release = release_date.isoformat()
    first = conn.execute("SELECT min(y) FROM (SELECT min(substr(effective_on, 1, 4)) AS y FROM grades "
                         "UNION ALL SELECT min(substr(sampled_on, 1, 4)) FROM samplings)").fetchone()[0]
    if first is None:
        return {}
    years = range(max(int(first), release_date.year - TREND_YEARS + 1), release_date.year + 1)
    grades: dict[tuple[str, int], dict[str, int]] = defaultdict(dict)
    for year in years:
        last = year == release_date.year
        cutoff = release if last else f"{year}-12-31"
        who = _OPERATING if last else _REGISTERED
        for code, grade, n in conn.execute(_GRADES.format(who=who), {"cutoff": cutoff}):
            grades[(code, year)][grade] = n
    sampled = {(code, year): (n, failed) for code, year, n, failed in conn.execute(_SAMPLINGS, {"release": release})}
    out: dict[str, dict[int, dict]] = defaultdict(dict)
    for code in {c for c, _ in grades} | {c for c, _ in sampled}:
        for year in years:
            counts = grades.get((code, year), {})
            n, failed = sampled.get((code, year), (0, 0))
            _add_up(out, parents, code, year, counts, n, failed)
    return {code: [by_year[y] for y in years] for code, by_year in sorted(out.items())}


def _add_up(out, parents, code: str, year: int, counts: dict, samplings: int, failed: int) -> None:
    """Add a county's year to it and to every region above it."""
    seen = set()
    while code and code not in seen:
        seen.add(code)
        entry = out[code].setdefault(year, {"year": year, "grades": dict.fromkeys(GRADE_KEYS, 0),
                                            "samplings": 0, "failed": 0})
        for key, n in counts.items():
            entry["grades"][key] = entry["grades"].get(key, 0) + n
        entry["samplings"] += samplings
        entry["failed"] += failed or 0
        code = parents.get(code)
