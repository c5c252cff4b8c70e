"""The schema half of validation: a frictionless resource per table, and its errors in Chinese.

Frictionless checks types, required, enum, pattern, minimum/maximum, unique, primary
and foreign keys. Its errors are turned into (row, field, rule, message) with stable rule
names and messages that say how to fix the cell. Nothing here touches the network: the
resources are built in memory, never from a descriptor with a profile URL.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from frictionless import Dialect, Package, Resource, Schema, formats

from .enum_hint import allowed_list, likely_code

#: Human descriptions of the schema's patterns, so a clerk is never shown a regex.
PATTERN_HINTS = {
    "^[1-8][0-9]{5}$": "6 位数字的行政区划代码（GB/T 2260），如 140824",
    "^[a-z0-9][a-z0-9-]{1,31}$": "2–32 位小写英文字母、数字或连字符“-”，以字母或数字开头，如 js-0001",
    "^[a-z0-9]{3,16}$": "3–16 位小写英文字母或数字，如 jsmh001",
    "^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$":
        "18 位统一社会信用代码（数字和大写字母，不含 I、O、S、V、Z）",
    "^([0-9]{8}|[0-9]{12,14})$": "8、12、13 或 14 位数字的商品条码",
}
TYPE_HINTS = {
    "date": "日期，写成“2026-11-01”（年-月-日），且须是真实存在的日期",
    "datetime": "日期时间，写成“2026-11-01T08:30:00”",
    "integer": "整数，如 2026",
    "number": "数字，如 35.02（不要带单位或文字）",
    "boolean": "是或否（true / false）",
    "array": "JSON 数组，如 [{\"item\": \"…\"}]",
    "object": "JSON 对象，如 {\"key\": \"…\"}",
    "string": "文字",
}
EXTRA_PREFIX = "_col"


def field_title(field: dict | None) -> str:
    """The Chinese part of a field's title ("区划代码 Division code" -> "区划代码")."""
    if not field:
        return ""
    return (field.get("title") or field["name"]).split(" ")[0]


def table_schema(descriptor: dict, labels: list[str], fk_targets: set[str]) -> Schema:
    """The table's schema laid over the columns actually found, in their order.

    Known columns keep their field definition; unknown or repeated ones become untyped
    placeholders (reported separately as column problems). Keys are kept only when their
    columns exist, and foreign keys only when the referenced keys could be read (otherwise
    every row would fail for a problem already reported once on the other table).
    """
    known = {f["name"]: f for f in descriptor["fields"]}
    fields, used = [], set()
    for number, label in enumerate(labels, 1):
        if label in known and label not in used:
            fields.append(known[label])
            used.add(label)
        else:
            fields.append({"name": f"{EXTRA_PREFIX}{number}", "type": "any"})
    schema = {"fields": fields, "missingValues": descriptor.get("missingValues", [""])}
    pk = descriptor.get("primaryKey") or []
    pk = [pk] if isinstance(pk, str) else pk
    if pk and set(pk) <= used:
        schema["primaryKey"] = pk
    schema["foreignKeys"] = [
        fk for fk in descriptor.get("foreignKeys", [])
        if set(_list(fk["fields"])) <= used and _target_key(fk) in fk_targets
    ]
    return Schema.from_descriptor(schema)


def _list(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _target_key(fk: dict) -> str:
    return f"{fk['reference']['resource']}:{','.join(_list(fk['reference']['fields']))}"


def csv_resource(name: str, path: str, encoding: str, schema: Schema) -> Resource:
    # Delimiter and header row are fixed: guessed from a sample, they go wrong on odd data
    # (a header cut short makes Frictionless take the next row as more header).
    return Resource(path=path, name=name, format="csv", encoding=encoding, schema=schema,
                    dialect=Dialect(header_rows=[1], controls=[formats.CsvControl(delimiter=",", quote_char='"')]))


def inline_resource(name: str, rows: list[list[str]], schema: Schema) -> Resource:
    """A table already read as text rows (XLSX), header first."""
    return Resource(data=rows, name=name, format="inline", schema=schema, dialect=Dialect(header_rows=[1]))


def attach_lookups(resource: Resource, lookups: dict[tuple[str, tuple[str, ...]], set],
                   types: dict) -> dict[tuple[str, tuple[str, ...]], set]:
    """Put `resource` in a package with the tables its foreign keys reference; returns the key
    sets `hand_lookups` gives Frictionless once the resource is open.

    Frictionless resolves foreign keys by copying and reading the referenced resource for every
    reference (at 10,000 businesses, 250,000 rows read again through its row stream). The keys
    were already collected, typed by Frictionless, while that table was read: the referenced
    tables here are empty, and the collected sets become Frictionless's lookup, which it checks
    every row's references against as usual.
    """
    by_table: dict[str, list[tuple[tuple[str, ...], set]]] = {}
    for fk in resource.schema.foreign_keys:
        target = fk["reference"]["resource"]
        if target and target != resource.name:
            key = tuple(_list(fk["reference"]["fields"]))
            by_table.setdefault(target, []).append((key, lookups[(target, key)]))
    if not by_table:
        return {}
    others, sets = [], {}
    for target, keys in by_table.items():
        # One lookup resource per target table; this schema's keys use one key each.
        key, values = keys[0]
        fields = [{"name": k, "type": types[target].get(k, "string")} for k in key]
        others.append(Resource(name=target, data=[tuple(key)], schema=Schema.from_descriptor({"fields": fields})))
        sets[(target, key)] = values
    Package(resources=[*others, resource])
    return sets


def hand_lookups(resource: Resource, sets: dict[tuple[str, tuple[str, ...]], set]) -> None:
    """Give the open `resource` the key sets attach_lookups returned, before its rows are read."""
    for (target, key), values in sets.items():
        resource.lookup[target][key] = values


@dataclass(frozen=True)
class TableInfo:
    """What error messages need to know about the table being read and the others."""

    fields: dict[str, dict]   # this table's fields by name
    primary_key: list[str]
    titles: dict[str, str]    # every table's Chinese title
    files: dict[str, str]     # every table's file as found (or expected)
    table: str = ""           # the table being read (its coded values' labels name the likely one)


def row_problems(errors: Iterable, values: dict, info: TableInfo) -> list[tuple[str | None, str, str]]:
    """A row's frictionless errors -> (field, rule, message), without repeats.

    A blank row is one problem; a missing cell is not also a missing required value;
    a primary key that is empty because its cells are missing is not reported again.
    """
    errors = list(errors)
    types = {e.type for e in errors}
    if "blank-row" in types:
        return [(None, "blank-row", "这是一个空行。请删除它（空行可能意味着数据被误删）。")]
    missing = {e.field_name for e in errors if e.type == "missing-cell"}
    out = []
    for error in errors:
        if error.type == "constraint-error" and error.field_name in missing:
            continue
        if error.type == "primary-key" and "all \"None\"" in (error.note or "") and len(errors) > 1:
            continue
        out.append(_problem(error, values, info))
    return out


def _problem(error, values: dict, info: TableInfo):
    name = getattr(error, "field_name", None)
    field = info.fields.get(name)
    label = f"{field_title(field)}（{name}）" if field else ""
    cell = getattr(error, "cell", None)
    if error.type == "type-error":
        hint = TYPE_HINTS.get(field["type"] if field else "", "正确的格式")
        return name, "type-error", f"{label}的值“{_short(cell)}”不对：应为{hint}。"
    if error.type == "constraint-error":
        return _constraint(error, name, field, label, cell, info.table)
    if error.type == "unique-error":
        other = _position(error.note)
        return name, "unique", f"{label}“{_short(cell)}”与第 {other} 行重复。这一列每行都必须不同，请核对。"
    if error.type == "primary-key":
        return _primary_key(error, values, info)
    if error.type == "foreign-key":
        return _foreign_key(error, info)
    if error.type == "missing-cell":
        return name, "missing-cell", f"这一行缺少{label}这一格：行比表头短，可能少了逗号或被截断。请补齐。"
    if error.type == "extra-cell":
        return None, "extra-cell", (f"这一行在第 {error.field_number} 列多出单元格“{_short(cell)}”，比表头多。"
                                   "常见原因：单元格里有未加引号的英文逗号。请给这个单元格加上引号或删去多余的内容。")
    return name, error.type, f"{error.title}：{error.note or error.description}"


def _constraint(error, name, field, label, cell, table=""):
    match = re.search(r'constraint "(\w+)"', error.note or "")
    constraint = match.group(1) if match else "constraint"
    value = (field or {}).get("constraints", {}).get(constraint)
    if constraint == "required":
        return name, "constraint-error/required", f"{label}是必填项，不能为空。"
    if constraint == "enum":
        meant = likely_code(table, name, cell, value)
        hint = ""
        if meant is not None:
            # The Chinese label where a code belongs: say that the code is what is written.
            words = "（填代码，不填中文名称）" if meant.isascii() and not str(cell).isascii() else ""
            hint = f"是不是“{meant}”{words}？"
        return name, "enum", f"{label}的值“{_short(cell)}”不在允许的取值中。{hint}只能填写：{allowed_list(table, name, value)}。"
    if constraint == "pattern":
        hint = PATTERN_HINTS.get(value, f"符合格式 {value}")
        return name, "pattern", f"{label}的值“{_short(cell)}”格式不对：应为{hint}。"
    if constraint == "minimum":
        return name, "minimum", f"{label}的值 {cell} 太小：不能小于 {value}。"
    if constraint == "maximum":
        return name, "maximum", f"{label}的值 {cell} 太大：不能大于 {value}。"
    kebab = re.sub(r"(?<!^)([A-Z])", r"-\1", constraint).lower()
    return name, kebab, f"{label}的值“{_short(cell)}”不满足约束 {constraint} = {value}。"


def _primary_key(error, values: dict, info: TableInfo):
    key = ",".join(info.primary_key)
    if "all \"None\"" in (error.note or ""):
        return key, "primary-key", "主键（编号）是空的：每行都必须有编号。"
    shown = "、".join(f"“{values.get(n)}”" for n in info.primary_key)
    return key, "primary-key", (f"编号 {shown} 与第 {_position(error.note)} 行重复：每条记录的编号必须唯一。"
                                "请改正其中一行的编号，或删去重复的行。")


def _foreign_key(error, info: TableInfo):
    names = list(error.field_names)
    target = error.reference_name
    label = "、".join(f"{field_title(info.fields.get(n))}（{n}）" for n in names)
    value = ", ".join(str(v) for v in error.field_cells)
    file = info.files.get(target, f"{target}.csv")
    return ",".join(names), "foreign-key", (
        f"{label}“{_short(value)}”在{info.titles.get(target, target)}（{file}）中找不到。"
        f"请先在 {file} 中登记，或改正这里的编号。")


def _position(note: str | None) -> str:
    match = re.search(r"position (\d+)", note or "")
    return match.group(1) if match else "?"


def _short(value, limit: int = 40) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[:limit] + "…"
