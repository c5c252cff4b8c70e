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

from site_builder import readers
from site_builder.cli import cli
from site_builder.validate import validate_registry
from validate_corpus import BASE, STEPS, build_case


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
