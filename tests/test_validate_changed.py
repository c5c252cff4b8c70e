"""Validating only the rows that changed since the last valid build (validate_changed.py): it may
say "valid" only when `zuofang validate` would, and then gives Frictionless just the new rows."""
from __future__ import annotations

import csv
import shutil

import pytest
from test_incremental import CHANGES
from validate_corpus import BASE, build_case, cases, expected

from site_builder.build import state
from site_builder.build.pipeline import build
from site_builder.errors import DataPackageError, ValidationFailed
from site_builder.registry.package import Package
from site_builder.validate import changed as validate_changed
from site_builder.validate import memory as validate_memory
from site_builder.validate.whole import validate_registry


def memory(data):
    package = Package.load(data)
    return validate_memory.memory_of(package, validate_memory.scan_tables(package))


@pytest.fixture(scope="module")
def base_memory():
    return memory(BASE)


@pytest.mark.parametrize("case", cases())
def test_no_corpus_defect_is_judged_from_the_changed_rows_alone(case, tmp_path, base_memory):
    """Every one-defect case, compared with the valid registry it came from, falls back to the
    whole validation (which reports it); the corpus's valid variants (other encodings, an empty
    optional table) are either proved valid or validated whole."""
    data = build_case(case, tmp_path / case)
    try:
        package = Package.load(data)
    except DataPackageError:
        with pytest.raises(DataPackageError):
            build(data, tmp_path / "out")
        return
    proved = validate_changed.validate_changes(package, base_memory)
    if expected(case):
        assert proved is None
    else:
        assert proved is None or proved.report.counts == validate_registry(data).counts


#: A change to the regions is always judged whole (every county rule reads them): see the last test.
JUDGED_WHOLE = {"region renamed"}


@pytest.mark.parametrize("change", sorted(set(CHANGES) - JUDGED_WHOLE))
def test_a_valid_change_is_proved_from_its_own_rows(change, tmp_path, demo_dir):
    data = tmp_path / "data"
    shutil.copytree(demo_dir, data)
    remembered = memory(data)
    CHANGES[change](data)
    package = Package.load(data)
    proved = validate_changed.validate_changes(package, remembered)
    assert validate_registry(data).valid
    assert proved is not None, change
    assert proved.report.valid and proved.report.counts == validate_registry(data).counts
    # Only the edited or added rows went through Frictionless.
    assert proved.new_rows == _rows_not_in(data, demo_dir)
    # A proved registry's memory is the one a whole reading makes.
    assert proved.memory.to_bytes() == memory(data).to_bytes()


def _rows_not_in(data, original) -> dict[str, int]:
    """table -> how many of its rows in `data` are not rows of the `original` registry."""
    counts = {}
    for path in sorted(data.glob("*.csv")):
        with open(path, encoding="utf-8-sig", newline="") as f, \
                open(original / path.name, encoding="utf-8-sig", newline="") as g:
            before = {tuple(row) for row in csv.reader(g)}
            new = sum(1 for row in csv.reader(f) if tuple(row) not in before)
        if new:
            counts[path.stem] = new
    assert counts
    return counts


def _edit(path, key, value, column, new):
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        if row[key] == value:
            row[column] = new
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _first(path, column):
    with open(path, encoding="utf-8", newline="") as f:
        return next(csv.DictReader(f))[column]


def test_a_rebuild_judges_only_changed_rows_and_still_refuses_bad_ones(tmp_path):
    data, out = tmp_path / "data", tmp_path / "out"
    shutil.copytree(BASE, data)
    assert build(data, out).validation == "all"
    assert state.load(out).get(validate_memory.SECTION) is not None
    assert build(data, out).validation == "same"

    code = _first(data / "products.csv", "code")
    _edit(data / "products.csv", "code", code, "name", "改了名字的麻花（演示）")
    assert build(data, out).validation == "changed"
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    # A product handed to a business that does not exist: the full report, nothing published.
    _edit(data / "products.csv", "code", code, "operator_id", "no-such-maker")
    with pytest.raises(ValidationFailed) as failed:
        build(data, out)
    assert [(p.file, p.row, p.field, p.rule) for p in failed.value.report.problems] == [
        (p.file, p.row, p.field, p.rule) for p in validate_registry(data).problems]
    assert any(p.rule == "foreign-key" and p.row == 2 for p in failed.value.report.problems)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_a_product_handed_to_another_business_is_judged_with_the_rows_that_name_it(tmp_path, demo_dir):
    """Its samplings did not change, but their same-operator verdict did."""
    data = tmp_path / "data"
    shutil.copytree(demo_dir, data)
    remembered = memory(data)
    with open(data / "samplings.csv", encoding="utf-8", newline="") as f:
        sampled = next(r for r in csv.DictReader(f) if r["product_code"])
    with open(data / "operators.csv", encoding="utf-8", newline="") as f:
        other = next(r["id"] for r in csv.DictReader(f) if r["id"] != sampled["operator_id"])
    _edit(data / "products.csv", "code", sampled["product_code"], "operator_id", other)
    assert "same-operator" in {p.rule for p in validate_registry(data).problems}
    assert validate_changed.validate_changes(Package.load(data), remembered) is None


def test_unchanged_tables_are_read_only_when_a_check_needs_them(tmp_path, demo_dir):
    data = tmp_path / "data"
    shutil.copytree(demo_dir, data)
    remembered = memory(data)
    CHANGES["product renamed"](data)
    # Its references (to operators) are checked; nothing points at a product it lost.
    assert validate_changed.validate_changes(Package.load(data), remembered).read == ["regions", "operators", "products"]
    CHANGES["product added"](data)
    # More products: material sources, samplings and recalls point at products; who owns what changed.
    read = validate_changed.validate_changes(Package.load(data), remembered).read
    assert {"products", "material_sources", "samplings", "recalls"} <= set(read)


def test_a_product_dropped_while_its_rows_still_name_it_is_refused(tmp_path, demo_dir):
    data = tmp_path / "data"
    shutil.copytree(demo_dir, data)
    remembered = memory(data)
    sourced = _first(data / "material_sources.csv", "product_code")
    with open(data / "products.csv", encoding="utf-8", newline="") as f:
        rows = [r for r in csv.reader(f) if r[0] != sourced]
    with open(data / "products.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    assert "foreign-key" in {p.rule for p in validate_registry(data).problems}
    assert validate_changed.validate_changes(Package.load(data), remembered) is None


@pytest.mark.parametrize("change", sorted(JUDGED_WHOLE))
def test_a_change_to_the_regions_is_judged_whole(change, tmp_path, demo_dir):
    """Every county rule reads the regions: a change there is never proved from its own rows."""
    data = tmp_path / "data"
    shutil.copytree(demo_dir, data)
    remembered = memory(data)
    CHANGES[change](data)
    assert validate_registry(data).valid
    assert validate_changed.validate_changes(Package.load(data), remembered) is None


def test_the_tables_scanned_while_validated_are_remembered_as_if_read_again(tmp_path, demo_dir):
    data = tmp_path / "data"
    shutil.copytree(demo_dir, data)
    report = validate_registry(data, keep_scans=True)
    assert report.valid and set(report.scans) == set(Package.load(data).resources)
    again = memory(data).to_bytes()
    assert validate_memory.memory_of(Package.load(data), validate_memory.scan_tables(
        Package.load(data), report.scans)).to_bytes() == again
    # A file changed after it was validated is read again, not remembered as validated.
    grades = data / "grades.csv"
    grades.write_text(grades.read_text(encoding="utf-8") + grades.read_text(encoding="utf-8").splitlines()[-1] + "\n",
                      encoding="utf-8")
    package = Package.load(data)
    kept = validate_memory.memory_of(package, validate_memory.scan_tables(package, report.scans))
    assert kept.to_bytes() == memory(data).to_bytes() != again
