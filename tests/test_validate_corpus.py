"""Each corpus case (one defect in an otherwise valid registry) reports exactly its expected problems."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from validate_corpus import BASE, build_case, cases, expected

from site_builder.cli import cli
from site_builder.validate.rules import RULE_DESCRIPTIONS
from site_builder.validate.whole import validate_registry


def test_base_registry_uses_the_current_schemas(repo_root):
    """The corpus checks the schemas the project ships; regenerate _base when they change
    (`zuofang demo-data --operators 12 --seed 6 --out tests/corpus/_base`, then review expected.json)."""
    shipped = json.loads((repo_root / "site_builder/schema/datapackage.json").read_text(encoding="utf-8"))
    base = json.loads((BASE / "datapackage.json").read_text(encoding="utf-8"))
    assert base["resources"] == shipped["resources"]


def test_base_registry_is_valid():
    report = validate_registry(BASE)
    assert report.problems == []
    assert report.counts["operators"] == 12


@pytest.mark.parametrize("case", cases())
def test_case_reports_exactly_its_problems(case, tmp_path):
    report = validate_registry(build_case(case, tmp_path / case))
    found = sorted((p.file, p.row, p.field, p.rule) for p in report.problems)
    assert found == expected(case)
    for problem in report.problems:
        assert problem.message and any("\u4e00" <= c <= "\u9fff" for c in problem.message), problem


def test_corpus_exercises_every_documented_rule_and_nothing_else():
    reported = {rule for case in cases() for (_, _, _, rule) in expected(case)}
    assert len(cases()) >= 30
    assert reported == set(RULE_DESCRIPTIONS)


@pytest.mark.parametrize("case", ["lat-out-of-range", "missing-file"])
def test_cli_exits_1_and_prints_each_problem(case, tmp_path):
    data = build_case(case, tmp_path / case)
    result = CliRunner().invoke(cli, ["validate", str(data)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    problems = expected(case)
    for file, row, field, rule in problems:
        line = next(l for l in result.output.splitlines() if rule in l and l.startswith(file))
        assert (str(row) if row else "—") in line and (field or "—") in line
    assert result.output.rstrip().endswith(f"发现 {len(problems)} 个问题 {len(problems)} problems")
    assert "INVALID" in result.output


def test_cli_json_has_every_problem_with_its_message(tmp_path):
    data = build_case("wrong-enum", tmp_path / "case")
    result = CliRunner().invoke(cli, ["validate", str(data), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["valid"] is False
    [problem] = report["problems"]
    assert problem["file"] == "operators.csv" and problem["row"] == 2 and problem["field"] == "kind"
    assert problem["rule"] == "enum" and "workshop" in problem["message"]
