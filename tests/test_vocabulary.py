"""One vocabulary (site_builder/vocabulary.py): every coded value of the schema has its label
there, and the schema's descriptions (the data dictionary, Datasette's column notes) use the
same words, so a status never has two names."""
from __future__ import annotations

import json

from site_builder import vocabulary


def coded_fields(repo_root):
    descriptor = json.loads((repo_root / "site_builder/schema/datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        for field in resource["schema"]["fields"]:
            enum = field.get("constraints", {}).get("enum")
            if enum:
                yield resource["name"], field, enum


def test_every_coded_value_of_the_schema_has_a_term(repo_root):
    for table, field, enum in coded_fields(repo_root):
        terms = vocabulary.CODED.get(table, {}).get(field["name"])
        assert terms is not None, f"{table}.{field['name']} has no terms in vocabulary.CODED"
        assert sorted(terms) == sorted(enum), f"{table}.{field['name']}"


def test_the_schema_describes_each_code_with_the_vocabularys_word(repo_root):
    for table, field, enum in coded_fields(repo_root):
        terms = vocabulary.CODED[table][field["name"]]
        for code in enum:
            said = f"{code} {terms[code].zh}" if code.isascii() else code
            assert said in field.get("description", ""), f"{table}.{field['name']}: {said!r}"


def test_a_revoked_licence_is_revoked_not_withdrawn_everywhere(repo_root):
    """吊销 (revoked as a penalty) for a 登记证; 撤销 only for a brand's designation."""
    assert vocabulary.OPERATOR_STATUS["revoked"].zh == "已吊销"
    assert vocabulary.BRAND_STATUS["revoked"].zh == "已撤销"
    for folder in ("site_builder", "qr"):
        for path in (repo_root / folder).rglob("*"):
            if path.suffix in (".py", ".html") and path.name != "vocabulary.py":
                text = path.read_text(encoding="utf-8")
                assert "登记证已撤销" not in text and "'revoked': '已撤销'" not in text, path
