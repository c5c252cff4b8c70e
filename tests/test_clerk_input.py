"""What a data clerk's files really look like: a table saved twice, a CSV re-saved by Excel, a real
GB18030 export, a Chinese word where a code belongs. Each gets one clear problem, never silence and
never hundreds of identical lines."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from site_builder.registry import readers
from site_builder.cli import cli
from site_builder.validate.whole import validate_registry
from validate_corpus import BASE, STEPS


@pytest.fixture
def data(tmp_path) -> Path:
    folder = tmp_path / "data"
    import shutil

    shutil.copytree(BASE, folder)
    return folder


def problems(folder) -> list[tuple]:
    return sorted((p.file, p.row, p.field, p.rule) for p in validate_registry(folder).problems)


# --- two files for one table ------------------------------------------------------------------

def test_an_xlsx_beside_the_csv_is_an_error_naming_both(data):
    """The clerk put the new businesses in operators.xlsx beside the old operators.csv: reading
    either one would silently drop the other."""
    STEPS["copy_to_xlsx"](data, "operators.csv")
    report = validate_registry(data)
    [problem] = report.problems
    assert problem.rule == "duplicate-file" and problem.file == "operators.csv"
    assert "operators.csv" in problem.message and "operators.xlsx" in problem.message
    with pytest.raises(readers.TwoTableFiles):
        readers.locate(data, "operators", "operators.csv")


def test_a_build_and_an_import_refuse_a_table_with_two_files(data, tmp_path):
    STEPS["copy_to_xlsx"](data, "samplings.csv")
    result = CliRunner().invoke(cli, ["build", str(data), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and "duplicate-file" in result.output
    assert not (tmp_path / "out").exists()
    notice = tmp_path / "notice.csv"
    notice.write_text("抽样编号,被抽样单位名称,样品名称,抽样日期,检验结论\n", encoding="utf-8")
    before = (data / "samplings.csv").read_bytes()
    result = CliRunner().invoke(cli, ["import", "sampling", str(notice), "--data", str(data)])
    assert result.exit_code != 0 and "samplings.xlsx" in result.output and "Traceback" not in result.output
    assert (data / "samplings.csv").read_bytes() == before


# --- encodings --------------------------------------------------------------------------------

def test_a_gb18030_file_whose_first_characters_also_read_as_utf8_is_gb18030(data):
    """山 is C9 BD in GB18030, which is also valid UTF-8 ("ɽ"): the text before the first byte that
    is not UTF-8 is not ASCII, yet the file is GB18030 (a real export of the regions table)."""
    raw = (data / "regions.csv").read_text(encoding="utf-8").encode("gb18030")
    first = raw.index("山".encode("gb18030"))
    assert raw[first:first + 2].decode("utf-8") == "ɽ"
    assert readers.detect_encoding("regions.csv", raw) == "gb18030"
    (data / "regions.csv").write_bytes(raw)
    assert problems(data) == []


@pytest.mark.parametrize("broken", [b"\xe5\x8e", b"\xbd", b"\xe9\x2c"])
def test_a_utf8_file_with_a_few_broken_bytes_is_reported_at_the_broken_byte(data, broken):
    text = (data / "operators.csv").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    name = next(csv.reader([lines[6]]))[2]  # row 7's business name
    raw = "".join(lines[:6]).encode() + lines[6].encode().replace(name[:2].encode(), broken, 1) + "".join(lines[7:]).encode()
    with pytest.raises(readers.TableReadError) as caught:
        readers.detect_encoding("operators.csv", raw)
    assert (caught.value.rule, caught.value.row) == ("encoding", 7)
    (data / "operators.csv").write_bytes(raw)
    assert problems(data) == [("operators.csv", 7, None, "encoding")]


# --- a label where a code belongs -------------------------------------------------------------

@pytest.mark.parametrize("file,field,value,meant", [
    ("operators.csv", "kind", "小作坊", "workshop"),       # a short form of 食品小作坊
    ("operators.csv", "kind", "Workshop", "workshop"),
    ("operators.csv", "status", "已撤销", "revoked"),      # the wrong word for 已吊销
    ("operators.csv", "status", "暂停", "suspended"),
    ("products.csv", "status", "已撤市", "withdrawn"),
    ("grades.csv", "grade", "优秀", "A"),
    ("inspections.csv", "kind", "日常检查", "日常"),
])
def test_an_enum_error_names_the_value_the_clerk_meant(data, file, field, value, meant):
    STEPS["set"](data, {"file": file, "row": 2, "field": field, "value": value})
    [problem] = validate_registry(data).problems
    assert (problem.file, problem.row, problem.field, problem.rule) == (file, 2, field, "enum")
    assert f"是不是“{meant}”" in problem.message


def test_an_enum_error_without_a_likely_value_lists_the_codes_with_their_labels(data):
    STEPS["set"](data, {"file": "operators.csv", "row": 2, "field": "kind", "value": "restaurant"})
    [problem] = validate_registry(data).problems
    assert "是不是" not in problem.message
    assert "workshop（食品小作坊）、eatery（小餐饮）、stall（食品摊点）" in problem.message


# --- a CSV re-saved by Excel ------------------------------------------------------------------

def excel_resave(folder: Path, file: str, spelling) -> int:
    """Rewrite every date of `file` as `spelling(date)` (what Excel does on saving); returns how many."""
    from datetime import date

    path = folder / file
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    table = file.removesuffix(".csv")
    fields = next(r for r in descriptor["resources"] if r["name"] == table)["schema"]["fields"]
    dates = [rows[0].index(f["name"]) for f in fields if f["type"] == "date"]
    changed = 0
    for row in rows[1:]:
        for i in dates:
            if row[i]:
                before, row[i] = row[i], spelling(date.fromisoformat(row[i]))
                changed += row[i] != before  # 2025-10-15 unpadded is still 2025-10-15
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8-sig")
    return changed


@pytest.mark.parametrize("spelling", [
    lambda d: f"{d.year}/{d.month}/{d.day}",        # Excel, Chinese locale
    lambda d: f"{d.year}-{d.month}-{d.day}",        # Frictionless reads it, SQLite would sort it wrong
    lambda d: f"{d.year}年{d.month}月{d.day}日",     # a long date format
    lambda d: f"{d.year}/{d.month}/{d.day} 0:00",   # a date cell formatted as date and time
], ids=["slashes", "unpadded", "chinese", "with-time"])
def test_dates_as_excel_writes_them_are_one_problem_per_column_with_the_fix(data, spelling):
    changed = excel_resave(data, "samplings.csv", spelling)
    changed += excel_resave(data, "inspections.csv", spelling)
    report = validate_registry(data)
    assert {p.rule for p in report.problems} == {"date-format"}
    assert len(report.problems) == changed > 20  # --json keeps every one
    first = next(p for p in report.problems if p.file == "samplings.csv" and p.field == "sampled_on")
    assert "须写成 20" in first.message and "yyyy-mm-dd" in first.message
    result = CliRunner().invoke(cli, ["validate", str(data)])
    assert result.exit_code == 1
    lines = [l for l in result.output.splitlines() if "date-format" in l]
    columns = {(p.file, p.field) for p in report.problems}
    assert len(lines) == len(columns)  # one line per column and rule, however many rows
    line = next(l for l in lines if l.startswith("samplings.csv") and "sampled_on" in l)
    count = sum(1 for p in report.problems if (p.file, p.field) == ("samplings.csv", "sampled_on"))
    assert f"共 {count} 处" in line and "第 2、3、4、5、6 行等" in line
    assert result.output.rstrip().endswith(f"发现 {changed} 个问题 {changed} problems")


def test_a_date_that_does_not_exist_stays_a_type_error(data):
    STEPS["set"](data, {"file": "samplings.csv", "row": 3, "field": "sampled_on", "value": "2026/2/30"})
    assert problems(data) == [("samplings.csv", 3, "sampled_on", "type-error")]


def test_an_excel_date_in_a_rebuild_is_judged_like_in_validate(data, tmp_path):
    """A rebuild validates only new rows (validate_changed.py); a new row with 2026-7-5, which
    Frictionless reads as a date, must still stop the build with the same report."""
    from site_builder.build.pipeline import build
    from site_builder.errors import ValidationFailed

    out = tmp_path / "out"
    build(data, out)
    rows = (data / "grades.csv").read_text(encoding="utf-8").splitlines()
    rows[1] = rows[1].replace(rows[1].split(",")[2], "2025-5-28")
    (data / "grades.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as failed:
        build(data, out)
    assert [(p.file, p.row, p.field, p.rule) for p in failed.value.report.problems] == [
        ("grades.csv", 2, "effective_on", "date-format")]
