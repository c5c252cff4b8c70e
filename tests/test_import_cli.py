"""`zuofang import` as a clerk runs it: zips and odd files, --dry-run, importing twice, --map,
--json, and bad files that stop the import with a clear error before anything is written."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from import_fixtures import LAB, NATIONAL_HEADER, demo_copy, folder_bytes, xlsx, zip_of

from site_builder.cli import cli
from site_builder.importers.sources import read_bytes


@pytest.fixture
def data(tmp_path):
    return demo_copy(tmp_path)


def notice(tmp_path, name="notice.xlsx", header=NATIONAL_HEADER):
    row = ["1", "丰香麻花作坊（演示）", "运城市稷山县稷峰镇工业路213号", "演示超市（虚构）", "运城市稷山县人民路1号", "稷山麻花（原味）",
           "250g/袋", "/", "2026-09-02", "酸价", "5.2", "≤3.0", LAB, "糕点", "/", "/"]
    return xlsx(tmp_path / name, [["演示市市场监督管理局抽检通告", "2026年10月10日"], header, row,
                                  ["2"] + row[1:5] + ["无名产品", "", "", "", "", "", "", "", "", "", ""]])


def invoke(*args):
    return CliRunner().invoke(cli, ["import", *map(str, args)])


def test_dry_run_writes_nothing_and_reports_what_it_would_do(data, tmp_path):
    before = folder_bytes(data)
    result = invoke("sampling", notice(tmp_path), "--data", data, "--dry-run")
    assert result.exit_code == 0, result.output
    assert folder_bytes(data) == before
    assert "试运行" in result.output and "将改写 would write：import-review.csv、samplings.csv" in result.output
    assert "新增 added 1" in result.output and "w00004 丰香麻花作坊（演示）" in result.output


def test_importing_the_same_file_twice_changes_nothing(data, tmp_path):
    path = notice(tmp_path)
    assert invoke("sampling", path, "--data", data).exit_code == 0
    after_first = folder_bytes(data)
    assert "import-review.csv" in after_first  # the row without a failed item
    result = invoke("sampling", path, "--data", data)
    assert result.exit_code == 0 and folder_bytes(data) == after_first
    assert "登记数据没有变化" in result.output and "无变化 unchanged" in result.output


def test_review_lines_of_other_files_are_kept(data, tmp_path):
    assert invoke("sampling", notice(tmp_path, "a.xlsx"), "--data", data).exit_code == 0
    assert invoke("sampling", notice(tmp_path, "b.xlsx"), "--data", data).exit_code == 0
    text = (data / "import-review.csv").read_text(encoding="utf-8-sig")
    assert "sampling,a.xlsx," in text and "sampling,b.xlsx," in text


def test_zip_with_gbk_member_names(data, tmp_path):
    inner = notice(tmp_path, "x.xlsx").read_bytes()
    archive = zip_of(tmp_path / "附件.zip", {"附件1 不合格.xlsx": inner, "说明.pdf": b"%PDF-1.4"}, gbk_names=True)
    result = invoke("sampling", archive, "--data", data, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["files"] == [{"file": "附件.zip/附件1 不合格.xlsx", "sheets": 1}]
    assert report["records_added"] == 1 and report["rows_read"] == 2 and report["rows_unplaced"] == 1
    assert report["warnings"] == ["附件.zip/说明.pdf：不是表格（.xlsx、.xls、.csv），已跳过 skipped"]
    assert report["placements"][0]["file"] == "附件.zip/附件1 不合格.xlsx"
    assert "附件.zip/附件1 不合格.xlsx,3\n" in (data / "samplings.csv").read_text(encoding="utf-8")


def test_an_unknown_layout_names_the_headers_and_map_fixes_it(data, tmp_path):
    header = list(NATIONAL_HEADER)
    header[3], header[5] = "供应商", "货品"
    header[1] = "厂家"
    path = notice(tmp_path, header=header)
    result = invoke("sampling", path, "--data", data)
    assert result.exit_code == 1
    assert "notice.xlsx：在前 20 行中找不到表头：需要 样品名称；标称生产企业名称 或 被抽样单位名称" in result.output
    assert "供应商" in result.output and "--map" in result.output
    result = invoke("sampling", path, "--data", data, "--map", "供应商=被抽样单位名称", "--map", "货品=样品名称",
                    "--map", "厂家=标称生产企业名称")
    assert result.exit_code == 0, result.output
    assert "新增 added 1" in result.output
    bad = invoke("sampling", path, "--data", data, "--map", "供应商=供货方")
    assert bad.exit_code == 1 and "“供货方”不是导入认得的表头" in bad.output


@pytest.mark.parametrize("name, content, message", [
    ("empty.csv", b"", "empty.csv：文件是空的"),
    ("picture.xlsx", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "picture.xlsx：这不是表格文件"),
    ("report.xls", b"%PDF-1.7\n", "report.xls：这是 PDF 文件"),
    ("page.xls", "<html><body><table><tr><td>样品名称</td></tr></table></body></html>".encode(), "page.xls：这个文件其实是网页"),
    ("broken.xlsx", b"PK\x03\x04broken", "broken.xlsx：文件像是 zip 或 xlsx，但已损坏"),
    ("words.csv", "这是一段说明文字\n没有表格\n".encode(), "words.csv：在前 20 行中找不到表头"),
    ("blank.xlsx", None, "blank.xlsx：表格是空的"),
])
def test_a_bad_file_is_a_clear_error_and_nothing_is_written(data, tmp_path, name, content, message):
    from openpyxl import Workbook

    path = tmp_path / name
    if content is None:
        Workbook().save(path)
    else:
        path.write_bytes(content)
    good = notice(tmp_path)
    before = folder_bytes(data)
    result = invoke("sampling", good, path, "--data", data)  # one good file first: still nothing written
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert folder_bytes(data) == before


def test_merged_cells_and_sheets_are_read_as_a_clerk_sees_them(tmp_path):
    path = xlsx(tmp_path / "m.xlsx", [["标题"], ["a", "b", "c"], ["1", "x", "y"], [None, None, "z"]], merges=("A3:A4", "B3:B4"),
                extra_sheets={"说明": [["本表为演示"]]})
    sheets, _ = read_bytes("m.xlsx", path.read_bytes())
    assert [(s.name, s.rows, s.source) for s in sheets] == [
        ("Sheet1", [["标题"], ["a", "b", "c"], ["1", "x", "y"], ["1", "x", "z"]], "m.xlsx：Sheet1"),
        ("说明", [["本表为演示"]], "m.xlsx：说明")]


def test_csv_in_gb18030_with_tabs(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("样品名称\t被抽样单位名称\n麻花\t某店\n".encode("gb18030"))
    (sheet,), _ = read_bytes("t.csv", path.read_bytes())
    assert sheet.rows == [["样品名称", "被抽样单位名称"], ["麻花", "某店"]]


def test_a_registry_in_gb18030_with_crlf_keeps_its_encoding_and_line_endings(data, tmp_path):
    path = data / "samplings.csv"
    original = path.read_bytes().decode("utf-8").replace("\n", "\r\n").encode("gb18030")
    path.write_bytes(original)
    assert invoke("sampling", notice(tmp_path), "--data", data).exit_code == 0
    after = path.read_bytes()
    assert after.startswith(original) and after.count(b"\r\n") == original.count(b"\r\n") + 1
    assert "丰香麻花作坊（演示）".encode("gb18030") in after[len(original):]


def test_an_xlsx_registry_table_is_not_rewritten(data, tmp_path):
    from openpyxl import Workbook

    (data / "samplings.csv").unlink()
    Workbook().save(data / "samplings.xlsx")
    before = folder_bytes(data)
    result = invoke("sampling", notice(tmp_path), "--data", data)
    assert result.exit_code == 1 and "samplings.xlsx：导入只能写入 CSV 格式的数据表" in result.output
    assert folder_bytes(data) == before


def test_an_older_schema_without_the_new_fields_still_imports_and_says_what_it_left_out(data, tmp_path):
    import csv
    import io

    keep = ["id", "operator_id", "product_code", "sample_name", "batch", "sampled_on", "result", "failed_items", "lab",
            "notice_no", "disposal"]
    descriptor = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        if resource["name"] == "samplings":
            resource["schema"]["fields"] = [f for f in resource["schema"]["fields"] if f["name"] in keep]
    (data / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO((data / "samplings.csv").read_text(encoding="utf-8"))))
    out = io.StringIO()
    writer = csv.DictWriter(out, keep, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    (data / "samplings.csv").write_text(out.getvalue(), encoding="utf-8")
    result = invoke("sampling", notice(tmp_path), "--data", data, "--json")
    assert result.exit_code == 0, result.output
    (note,) = [r for r in json.loads(result.output)["review"] if r["code"] == "field-not-in-schema"]
    assert note["imported"] and "notice_date" in note["reason"] and "source_file" in note["reason"]
    from site_builder.validate.whole import validate_registry

    assert validate_registry(data).valid
