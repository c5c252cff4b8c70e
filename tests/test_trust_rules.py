"""Grades are only as good as the licence, and awards need what the programmes' documents ask:
the rules across tables (rules_across.py), the programmes' setting (programmes.py), a business's
standing (standing.py), and a demo generator that never makes what they refuse."""
from __future__ import annotations

import csv
import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from site_builder.validate import changed as validate_changed

from site_builder.validate import memory as validate_memory
from site_builder.cli import cli
from site_builder.errors import DataPackageError
from site_builder.registry.package import Package
from site_builder.registry.programmes import Programme, programmes
from site_builder.registry.standing import standing
from site_builder.validate.whole import validate_registry

RELEASE = date(2026, 11, 1)


def rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def write(path: Path, table: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(table[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(table)


@pytest.fixture
def demo(tmp_path, demo_dir) -> Path:
    data = tmp_path / "data"
    shutil.copytree(demo_dir, data)
    return data


def test_the_demo_has_no_grade_after_its_licence_ended(demo_dir):
    operators = {o["id"]: o for o in rows(demo_dir / "operators.csv")}
    late = [g for g in rows(demo_dir / "grades.csv")
            if g["effective_on"] > operators[g["operator_id"]]["valid_until"]
            or (operators[g["operator_id"]]["status"] == "revoked"
                and g["effective_on"] >= operators[g["operator_id"]]["status_since"])]
    assert late == []
    revoked = [o for o in operators.values() if o["status"] in ("revoked", "suspended")]
    assert revoked and all(o["status_since"] for o in revoked)


def test_revoking_a_business_voids_the_grades_after_it_even_when_only_operators_changed(demo):
    """A rebuild proves a registry valid from its new rows; a grade that was valid until its
    business's revocation was registered must be judged again, so nothing is proved."""
    package = Package.load(demo)
    remembered = validate_memory.memory_of(package, validate_memory.scan_tables(package))
    grades = rows(demo / "grades.csv")
    operators = rows(demo / "operators.csv")
    active = {o["id"] for o in operators if o["status"] == "active" and o["valid_until"] > "2026-11-01"}
    grade = next(g for g in grades if g["operator_id"] in active)
    for o in operators:
        if o["id"] == grade["operator_id"]:
            o["status"], o["status_since"] = "revoked", grade["effective_on"]
    write(demo / "operators.csv", operators)
    assert validate_changed.validate_changes(Package.load(demo), remembered) is None
    found = [(p.file, p.field, p.rule) for p in validate_registry(demo).problems]
    assert ("grades.csv", "effective_on", "grade-licence") in found
    assert {rule for _, _, rule in found} <= {"grade-licence", "award-licence"}


def test_an_award_is_judged_against_a_penalty_added_later_in_a_rebuild(demo):
    package = Package.load(demo)
    remembered = validate_memory.memory_of(package, validate_memory.scan_tables(package))
    brand = next(b for b in rows(demo / "brands.csv") if b["program"] == "名特优" and b["status"] == "awarded")
    penalties = rows(demo / "penalties.csv")
    penalties.append({**penalties[0], "id": "cf09999", "operator_id": brand["operator_id"],
                      "decided_on": brand["publicity_start"], "decision_no": "运市监罚〔2026〕999号"})
    write(demo / "penalties.csv", penalties)
    assert validate_changed.validate_changes(Package.load(demo), remembered) is None
    [problem] = validate_registry(demo).problems
    assert (problem.file, problem.field, problem.rule) == ("brands.csv", "awarded_on", "award-penalty")
    assert "运市监罚〔2026〕999号" in problem.message


@pytest.mark.parametrize("start,end,unit,length", [
    ("2026-05-06", "2026-05-08", "working_days", 3),   # Wednesday to Friday
    ("2026-05-04", "2026-05-08", "working_days", 5),   # a whole working week
    ("2026-05-08", "2026-05-14", "working_days", 5),   # Friday to Thursday, over a weekend
    ("2026-05-09", "2026-05-10", "working_days", 0),   # a weekend
    ("2026-05-06", "2026-05-12", "days", 7),           # 四平: 7 days
    ("2026-05-06", "2026-05-11", "days", 6),
])
def test_publicity_length_counts_both_ends_in_the_programmes_unit(start, end, unit, length):
    programme = Programme("名特优", 5, unit)
    assert programme.publicity_length(date.fromisoformat(start), date.fromisoformat(end)) == length


def test_a_programmes_minimum_is_read_from_the_package_and_enforced(demo):
    """The same brands are valid under 运城's 5 working days and too short under a 30-day rule."""
    assert validate_registry(demo).valid
    assert programmes(Package.load(demo).descriptor)["名特优"] == Programme("名特优", 5, "working_days")
    descriptor = json.loads((demo / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["zuofang:programmes"]["名特优"] = {"publicity_minimum": 30, "publicity_unit": "days"}
    (demo / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    brands = [b for b in rows(demo / "brands.csv") if b["program"] == "名特优" and b["status"] in ("publicized", "awarded")]
    found = validate_registry(demo).problems
    assert brands and len(found) == len(brands)
    assert {(p.file, p.field, p.rule) for p in found} == {("brands.csv", "publicity_end", "publicity-length")}
    assert "至少 30天" in found[0].message


@pytest.mark.parametrize("setting", [
    [5], {"名特优": 5}, {"名特优": {"publicity_minimum": 0}}, {"名特优": {"publicity_minimum": 5, "publicity_unit": "weeks"}},
    {"特产": {"publicity_minimum": 5}},
])
def test_a_malformed_programmes_setting_is_a_clear_error(demo, tmp_path, setting):
    descriptor = json.loads((demo / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["zuofang:programmes"] = setting
    (demo / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(DataPackageError, match="zuofang:programmes"):
        validate_registry(demo)
    result = CliRunner().invoke(cli, ["validate", str(demo)])
    assert result.exit_code != 0 and "zuofang:programmes" in result.output and "Traceback" not in result.output


def test_the_generator_never_awards_a_brand_its_record_does_not_allow(tmp_path):
    """Seed 5 draws a failed sampling months before a 名特优 award: the demo withdraws that award."""
    from site_builder.demo.data import write_demo_registry

    write_demo_registry(tmp_path, operators=400, seed=5)
    assert validate_registry(tmp_path).problems == []
    assert any(b["status"] == "revoked" and b["program"] == "名特优" for b in rows(tmp_path / "brands.csv"))


@pytest.mark.parametrize("op,operating,status,since", [
    ({"status": "active", "valid_until": "2027-01-01"}, True, "active", None),
    ({"status": "active", "valid_until": "2026-05-01"}, False, "expired", date(2026, 5, 2)),
    ({"status": "expired", "valid_until": "2026-05-01"}, False, "expired", date(2026, 5, 2)),
    ({"status": "revoked", "valid_until": "2027-01-01", "status_since": "2026-03-01"}, False, "revoked", date(2026, 3, 1)),
    ({"status": "suspended", "valid_until": "2027-01-01"}, False, "suspended", None),
])
def test_standing(op, operating, status, since):
    found = standing(op, RELEASE)
    assert (found.operating, found.status, found.since) == (operating, status, since)
    if not operating:
        assert found.zh.startswith(("登记证已", "已暂停")) and (since is None or "起" in found.zh)


def test_a_suspension_leaves_an_award_standing_and_a_revocation_does_not(demo):
    """Suspension (暂停生产经营) is temporary and the licence stays in force; revocation ends it."""
    brand = next(b for b in rows(demo / "brands.csv") if b["program"] == "名特优" and b["status"] == "awarded")
    operators = rows(demo / "operators.csv")
    maker = next(o for o in operators if o["id"] == brand["operator_id"])
    maker["status"], maker["status_since"] = "suspended", "2026-10-20"
    write(demo / "operators.csv", operators)
    assert validate_registry(demo).valid
    maker["status"] = "revoked"
    write(demo / "operators.csv", operators)
    assert [(p.file, p.field, p.rule) for p in validate_registry(demo).problems] == [("brands.csv", "status", "award-licence")]
