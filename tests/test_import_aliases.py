"""The one alias table: headers as notices spell them map to fields, and the handbook's import
guide prints every spelling (generated from the module, so none can be left out)."""
from __future__ import annotations

from site_builder.handbook import build as handbook
from site_builder.importers import aliases, review
from site_builder.importers.aliases import field_of
from site_builder.registry.package import Package


def test_spellings_as_notices_write_them():
    assert field_of("sampling", "标称生产（养殖）\n企业名称") == "producer_name"
    assert field_of("sampling", " 标识生产企业名称 ") == "producer_name"
    assert field_of("sampling", "生产（加工/购进/检疫）日期/批号") == "batch"
    assert field_of("sampling", "承检机构*") == "lab"
    assert field_of("sampling", "检验结论：") == "verdict"
    assert field_of("penalties", "罚款金额（万元）") == "fine_wan"
    assert field_of("penalties", "行政相对人代码_1（统一社会信用代码）") == "credit_code"
    assert field_of("penalties", "身份证号") == "id_number" and "id_number" in aliases.PRIVATE
    assert field_of("licences", "有效期至") == "valid_until"
    assert field_of("sampling", "抽样单位") is None  # the sampling agency, not the sampled unit


def test_the_import_guide_lists_every_alias_and_review_code(tmp_path, repo_root):
    config = handbook.prepare_sources(Package.load(repo_root / "data"), tmp_path / "src")
    guide = (config.parent / "docs" / handbook.IMPORT_PAGE).read_text(encoding="utf-8")
    assert "<!-- zuofang:" not in guide
    for layout, fields in aliases.ALIASES.items():
        for field, (_title, spellings) in fields.items():
            row = next((line for line in guide.splitlines() if line.startswith(f"| `{field}` |")), None)
            assert row is not None, (layout, field)
            for spelling in spellings:
                assert aliases._md(spelling) in guide, (layout, field, spelling)
    for code in review.CODES:
        assert f"| `{code}` |" in guide, code
