"""`zuofang validate` on good registries, XLSX parity with CSV, the CLI, and the rules as pure functions."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from click.testing import CliRunner
from validate_corpus import build_case, expected

from site_builder.cli import cli
from site_builder.registry import readers
from site_builder.validate import rules
from site_builder.validate.whole import validate_registry


def test_bundled_demo_is_valid_and_cli_prints_counts(demo_dir):
    result = CliRunner().invoke(cli, ["validate", str(demo_dir)])
    assert result.exit_code == 0, result.output
    report = validate_registry(demo_dir)
    assert report.valid
    for table, rows in report.counts.items():
        assert f"{table} " in result.output
        line = next(l for l in result.output.splitlines() if l.startswith(table + " "))
        assert str(rows) in line and "VALID" in line
    assert result.output.rstrip().endswith("有效 valid")


def test_small_generated_registry_is_valid(small_registry):
    report = validate_registry(small_registry)
    assert report.problems == []
    assert report.counts["operators"] == 40


@pytest.mark.parametrize("operators", [1, 400])
def test_generated_registries_of_other_sizes_are_valid(operators, tmp_path):
    from site_builder.demo.data import write_demo_registry

    counts = write_demo_registry(tmp_path, operators=operators, seed=11)
    report = validate_registry(tmp_path)
    assert report.problems == []
    assert report.counts == counts


@pytest.mark.parametrize("case", [
    "wrong-enum", "impossible-date", "duplicate-unique", "dangling-reference", "missing-column",
    "extra-cell", "blank-row", "formula-injection", "gtin", "duplicate-compound-key",
])
def test_a_table_given_as_xlsx_reports_what_its_csv_reports(case, tmp_path):
    """XLSX (first sheet, typed cells) validates exactly like CSV, with the sheet's row numbers."""
    data = build_case(case, tmp_path / case)
    [file] = {f for f, *_ in expected(case)}
    from validate_corpus import STEPS

    STEPS["to_xlsx"](data, file)
    xlsx = file.replace(".csv", ".xlsx")
    found = sorted((p.file, p.row, p.field, p.rule) for p in validate_registry(data).problems)
    assert found == [(xlsx, *rest) for _, *rest in expected(case)]


def test_json_output_parses_with_every_key(tmp_path):
    data = build_case("date-order-recall", tmp_path / "case")
    result = CliRunner().invoke(cli, ["validate", str(data), "--json"])
    report = json.loads(result.output)
    assert result.exit_code == 1
    assert report["counts"]["recalls"] == 2 and report["files"]["recalls"] == "recalls.csv"
    for problem in report["problems"]:
        assert set(problem) == {"file", "row", "field", "rule", "message"}


def test_valid_registry_json_says_valid(tmp_path):
    data = build_case("valid-gb18030", tmp_path / "case")
    result = CliRunner().invoke(cli, ["validate", str(data), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output)["valid"] is True


@pytest.mark.parametrize("setup", ["no-folder", "no-descriptor", "broken-descriptor", "bad-field-type"])
def test_cli_without_a_usable_datapackage_is_a_clean_error(setup, tmp_path):
    data = tmp_path / "data"
    if setup == "bad-field-type":
        data = build_case("valid-utf8-bom", data)
        descriptor = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
        descriptor["resources"][3]["schema"]["fields"][0]["type"] = "strin"
        (data / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    elif setup != "no-folder":
        data.mkdir()
    if setup == "broken-descriptor":
        (data / "datapackage.json").write_text('{"resources": [', encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(data)])
    assert result.exit_code == 1
    assert "datapackage.json" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output


def test_many_problems_of_one_kind_are_one_line_in_text_but_all_in_json(tmp_path):
    data = build_case("valid-utf8-bom", tmp_path / "case")
    path = data / "material_sources.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    # Every material's name starts with "=": one systematic mistake, 70 problems.
    header = lines[0].split(",")
    column = header.index("material")
    edited = [lines[0]]
    for line in lines[1:]:
        cells = line.split(",")
        cells[column] = "=" + cells[column]
        edited.append(",".join(cells))
    path.write_text("\n".join(edited) + "\n", encoding="utf-8")
    report = validate_registry(data)
    assert len(report.problems) == len(lines) - 1
    from site_builder.validate.text import format_report

    text = format_report(report, data)
    [line] = [l for l in text.splitlines() if "formula-injection" in l]  # one line for the column
    assert line.startswith("material_sources.csv  2 ") and f"共 {len(lines) - 1} 处同类问题：第 2、3、4、5、6 行等" in line
    assert text.endswith(f"发现 {len(lines) - 1} 个问题 {len(lines) - 1} problems")


# --- the pieces, as pure functions ----------------------------------------------------------

def test_encoding_detection_tells_gb18030_from_broken_utf8():
    text = "名称,地址\n稷山麻花,稷山县\n"
    assert readers.detect_encoding("t.csv", text.encode("utf-8")) == "utf-8-sig"
    assert readers.detect_encoding("t.csv", text.encode("utf-8-sig")) == "utf-8-sig"
    assert readers.detect_encoding("t.csv", text.encode("gb18030")) == "gb18030"
    broken = text.encode("utf-8") + b"\xe9,x\n"
    with pytest.raises(readers.TableReadError) as caught:
        readers.detect_encoding("t.csv", broken)
    assert caught.value.row == 3 and caught.value.rule == "encoding"
    with pytest.raises(readers.TableReadError) as caught:
        readers.detect_encoding("t.csv", text.encode("utf-16"))
    assert "UTF-16" in str(caught.value)


@pytest.mark.parametrize("text,cut", [
    ("a,b\n1,2\n", False), ("a,b\n1,2", False), ('a,b\n1,"x\ny"\n', False), ('a,b\n1,2 "in"\n', False),
    ("a,b\n1", True), ('a,b\n1,"x', True), ('a,b\n1,"x\n2,3\n', True),
])
def test_csv_truncation(text, cut):
    assert (readers.csv_truncation(text, 2) is not None) == cut


def test_rules_skip_fields_that_already_failed_the_schema():
    ctx = rules.RuleContext(date(2026, 11, 1))
    awarded = {"status": "awarded", "publicity_start": date(2026, 5, 1), "publicity_end": date(2026, 5, 20),
               "awarded_on": date(2026, 6, 1)}
    assert [f.field for f in rules.brand_award({**awarded, "score": None}, ctx)] == ["score"]
    assert list(rules.brand_award(awarded, ctx)) == []  # score column missing or invalid: said elsewhere
    assert list(rules.brand_award({**awarded, "score": Decimal("90")}, ctx)) == []


def test_region_hierarchy_follows_gb_t_2260():
    rows = [
        (2, {"code": "140000", "level": "province", "parent_code": None, "name": "山西省"}),
        (3, {"code": "140800", "level": "city", "parent_code": "140000", "name": "运城市"}),
        (4, {"code": "140824", "level": "county", "parent_code": "140800", "name": "稷山县"}),
        (5, {"code": "140900", "level": "city", "parent_code": "140000", "name": "忻州市"}),
        (6, {"code": "140921", "level": "county", "parent_code": "140800", "name": "定襄县"}),
        (7, {"code": "140923", "level": "county", "parent_code": None, "name": "代县"}),
    ]
    found = [(n, f.field, f.rule) for n, f in rules.region_hierarchy(rows)]
    assert found == [(6, "parent_code", "region-code"), (7, "parent_code", "region-code")]


def test_damaged_files_never_raise(tmp_path):
    """Bytes flipped, cut, or spliced anywhere: always a report, never a traceback (seeded, so repeatable)."""
    import random
    import shutil

    from validate_corpus import BASE

    rng = random.Random(20261101)
    names = sorted(p.name for p in BASE.glob("*.csv"))
    for i in range(16):
        data = tmp_path / str(i)
        shutil.copytree(BASE, data)
        path = data / rng.choice(names)
        raw = bytearray(path.read_bytes())
        pos = rng.randrange(len(raw))
        damage = rng.choice([b'"', b",", b"\n", b"\xff", bytes([rng.randrange(256)]), None])
        if damage is None:
            del raw[pos:]
        else:
            raw[pos:pos] = damage
        path.write_bytes(bytes(raw))
        report = validate_registry(data)
        for problem in report.problems:
            assert problem.file and problem.rule and problem.message
            assert problem.row is None or problem.row >= 1
