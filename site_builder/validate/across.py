"""Rules that read more than one table: a grade against its business's licence, an award
against the business's licence and record, a 公示 against its programme's minimum.

Row rules (rules.py) see one row; these see a few columns of every row of five tables
(`COLUMNS`), gathered while the tables are read, and run once all are read (a brand's award is
judged against penalties, which come after brands). `zuofang validate` gathers typed values;
a rebuild that validates only new rows (validate_changed.py) gathers the same columns from
every row's text, so a change to one table is judged against all the others.

The award conditions are those of the 名特优 programmes' documents (运城, 四平): the business
holds a licence it may operate under, and it has had no failed sampling and no administrative
penalty in the three years before the award date. How long the 公示 must last differs between
cities, so it is the package's setting (programmes.py).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Iterator, Mapping

from .finding import Finding
from ..registry.programmes import PROGRAMMES_KEY, Programme
from ..registry.standing import standing
from ..vocabulary import zh_date

#: table -> the columns these rules read (a column the descriptor lacks is simply absent).
COLUMNS = {
    "operators": ("id", "status", "valid_until", "status_since"),
    "grades": ("operator_id", "effective_on"),
    "samplings": ("id", "operator_id", "sampled_on", "result"),
    "penalties": ("id", "operator_id", "decided_on", "decision_no"),
    "brands": ("operator_id", "program", "status", "awarded_on", "publicity_start", "publicity_end"),
}
#: Programmes whose awards need a licence in force and a clean record (their documents say so).
CLEAN_RECORD_PROGRAMMES = ("名特优",)
CLEAN_RECORD_YEARS = 3


@dataclass
class Gathered:
    """The COLUMNS of every readable row of each table: (row number, {column: typed value})."""

    rows: dict[str, list[tuple[int, dict]]] = field(default_factory=lambda: defaultdict(list))

    def add(self, table: str, number: int, row: Mapping) -> None:
        if table in COLUMNS:
            self.rows[table].append((number, {c: row.get(c) for c in COLUMNS[table]}))


def across_findings(gathered: Gathered, release_date: date,
                    programmes: Mapping[str, Programme]) -> Iterator[tuple[str, int, Finding]]:
    """(table, row number, finding) for every problem these rules find."""
    rows = gathered.rows
    operators = {r["id"]: r for _, r in rows["operators"] if r.get("id")}
    for number, grade in rows["grades"]:
        finding = grade_licence(grade, operators.get(grade.get("operator_id")))
        if finding:
            yield "grades", number, finding
    failed, penalised = defaultdict(list), defaultdict(list)
    for _, s in rows["samplings"]:
        if s.get("result") == "不合格" and s.get("sampled_on"):
            failed[s.get("operator_id")].append(s)
    for _, p in rows["penalties"]:
        if p.get("decided_on"):
            penalised[p.get("operator_id")].append(p)
    for number, brand in rows["brands"]:
        for finding in award_findings(brand, operators.get(brand.get("operator_id")), release_date,
                                      failed.get(brand.get("operator_id"), ()),
                                      penalised.get(brand.get("operator_id"), ())):
            yield "brands", number, finding
        finding = publicity_length(brand, programmes.get(brand.get("program")))
        if finding:
            yield "brands", number, finding


def grade_licence(grade: Mapping, op: Mapping | None) -> Finding | None:
    """A grade takes effect while the licence is in force: not after it ran out, not from the day
    it was revoked (a grade rates a business that may operate)."""
    effective = grade.get("effective_on")
    if op is None or effective is None:
        return None  # an unknown business is a foreign-key problem, reported by the schema check
    valid_until, since = op.get("valid_until"), op.get("status_since")
    if op.get("status") == "revoked" and since is not None and effective >= since:
        return Finding("effective_on", "grade-licence",
                       f"等级生效日期 {zh_date(effective)} 不早于主体 {op['id']} 的登记证被吊销的日期 {zh_date(since)}"
                       "（status_since）：登记证被吊销后不能再评定量化分级。请核对生效日期或吊销日期。")
    if valid_until is not None and effective > valid_until:
        return Finding("effective_on", "grade-licence",
                       f"等级生效日期 {zh_date(effective)} 晚于主体 {op['id']} 登记证的有效期截止日 {zh_date(valid_until)}："
                       "登记证失效后不能再评定量化分级，原有等级也随之失效。请核对生效日期；"
                       "已换发新证的，请先在 operators 中更新登记日期和有效期。")
    return None


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def award_findings(brand: Mapping, op: Mapping | None, release_date: date,
                   failed: list, penalties: list) -> Iterator[Finding]:
    """An awarded 名特优 brand: its business holds a licence in force (not revoked, not lapsed), and
    it had no failed sampling and no penalty in the three years before the award."""
    awarded = brand.get("awarded_on")
    if brand.get("status") != "awarded" or brand.get("program") not in CLEAN_RECORD_PROGRAMMES or op is None:
        return
    program = brand["program"]
    # Today's licence only: the registry keeps the current licence, and a renewed one (换证)
    # starts after an award made under the one before. A suspension is temporary and leaves the
    # licence in force; a revoked or lapsed licence does not.
    now = standing(op, release_date)
    if not now.operating and now.status != "suspended":
        yield Finding("status", "award-licence",
                      f"{program}品牌仍为已认定（awarded），但主体 {op['id']}{now.zh}：认定以有效的登记证为前提。"
                      "请把品牌状态改为 revoked（已撤销），或核对主体的状态和有效期。")
    if awarded is None:
        return  # brand-award (rules.py) says an award needs its date
    since = _years_before(awarded, CLEAN_RECORD_YEARS)
    bad = sorted((s["sampled_on"], s.get("id") or "") for s in failed if since <= s["sampled_on"] <= awarded)
    if bad:
        day, sampling = bad[0]
        yield Finding("awarded_on", "award-sampling",
                      f"主体 {op['id']} 在认定日期 {zh_date(awarded)} 之前三年内有不合格抽检（{zh_date(day)}"
                      f"{'，抽检编号 ' + sampling if sampling else ''}{f' 等 {len(bad)} 次' if len(bad) > 1 else ''}）："
                      f"{program}认定要求近三年无不合格抽检。请核对认定日期和抽检记录；不符合条件的认定应撤销（status 改为 revoked）。")
    fined = sorted((p["decided_on"], p.get("decision_no") or p.get("id") or "") for p in penalties
                   if since <= p["decided_on"] <= awarded)
    if fined:
        day, decision = fined[0]
        yield Finding("awarded_on", "award-penalty",
                      f"主体 {op['id']} 在认定日期 {zh_date(awarded)} 之前三年内受过行政处罚（{zh_date(day)}"
                      f"{'，' + decision if decision else ''}{f' 等 {len(fined)} 次' if len(fined) > 1 else ''}）："
                      f"{program}认定要求近三年未受行政处罚。请核对认定日期和处罚记录；不符合条件的认定应撤销（status 改为 revoked）。")


def publicity_length(brand: Mapping, programme: Programme | None) -> Finding | None:
    """A publicized or awarded brand's 公示 lasts at least its programme's minimum."""
    start, end = brand.get("publicity_start"), brand.get("publicity_end")
    if programme is None or brand.get("status") not in ("publicized", "awarded") or start is None or end is None \
            or end < start:
        return None  # an end before the start is a date-order problem
    length = programme.publicity_length(start, end)
    if length >= programme.publicity_minimum:
        return None
    unit = "个工作日" if programme.publicity_unit == "working_days" else "天"
    return Finding("publicity_end", "publicity-length",
                   f"{programme.name}的公示期至少 {programme.minimum_text}（datapackage.json 的 {PROGRAMMES_KEY}），"
                   f"这里从 {zh_date(start)} 到 {zh_date(end)} 只有 {length}{unit}。请核对公示日期；"
                   "公示期不足的，须补足公示后再认定。")
