"""The handbook's data dictionary, written as Markdown from the package's table schemas.

The schemas are the contract; a dictionary typed by hand would drift from them. Every
table gets a page (title, description, keys, one row per field with its type, constraints,
description and whether it is published), and every enumerated field gets a row in the
"meanings" page that explains grades, statuses and levels from the schema's own words.
"""
from __future__ import annotations

import html
import re
from pathlib import Path

from .. import urls
from ..registry.package import PRIVATE_KEY, Package

TYPE_NAMES = {
    "string": "文本 string", "integer": "整数 integer", "number": "数值 number",
    "date": "日期 date", "datetime": "日期时间 datetime", "boolean": "布尔 boolean",
    "array": "JSON 数组 array", "object": "JSON 对象 object", "year": "年份 year",
}
PRIVACY = {
    "mask": "隐私：遮蔽后公开（张三 → 张\\*）private, masked",
    "drop": "隐私：不公开 private, dropped",
}
PUBLIC = "公开 public"

# Characters that would start Markdown syntax (emphasis, links, table cells) inside a cell.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|])")


def text(value) -> str:
    """Schema text made safe for a Markdown table cell: no HTML, no Markdown syntax, one line."""
    escaped = html.escape(str(value), quote=False)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", escaped).replace("\n", " ")


def code(value) -> str:
    """Inline code for a table cell. Pipes are written as an entity inside <code>, because
    Python-Markdown splits table cells on `|` even within backticks."""
    return "<code>" + html.escape(str(value)).replace("|", "&#124;") + "</code>"


def page_name(table: str) -> str:
    """Where a table's page lives in the docs folder."""
    return f"dictionary/{table}.md"


def tables(package: Package) -> list[str]:
    """Tables in the package's own order (the load order for the bundled schema)."""
    return [r["name"] for r in package.descriptor["resources"]]


def constraints_cell(field: dict) -> str:
    """Allowed values, pattern, range, uniqueness: everything the validator checks about one value."""
    c = field.get("constraints", {})
    parts = []
    if "enum" in c:
        parts.append("取值 " + " / ".join(code(v) for v in c["enum"]))
    if "pattern" in c:
        parts.append("格式 " + code(c["pattern"]))
    low, high = c.get("minimum"), c.get("maximum")
    if low is not None and high is not None:
        parts.append(f"范围 {low}–{high}")
    elif low is not None:
        parts.append(f"≥ {low}")
    elif high is not None:
        parts.append(f"≤ {high}")
    if "minLength" in c or "maxLength" in c:
        parts.append(f"长度 {c.get('minLength', 0)}–{c.get('maxLength', '∞')}")
    if c.get("unique"):
        parts.append("不得重复 unique")
    return "<br>".join(parts) or "—"


def field_row(field: dict) -> str:
    required = "是 yes" if field.get("constraints", {}).get("required") else "否"
    privacy = PRIVACY.get(field.get(PRIVATE_KEY), PUBLIC)
    title = text(field.get("title", ""))
    cells = [
        f"{code(field['name'])}<br>{title}",
        TYPE_NAMES.get(field.get("type", "string"), text(field.get("type", "string"))),
        required,
        constraints_cell(field),
        text(field.get("description", "")),
        privacy,
    ]
    return "| " + " | ".join(cells) + " |"


def _key_list(fields) -> str:
    return "、".join(code(f) for f in fields)


def table_page(package: Package, table: str) -> str:
    """One table's dictionary page."""
    resource = package.resources[table]
    lines = [f"# {text(resource.get('title', table))}", ""]
    lines += [f"表名 Table: {code(table)}　·　文件 File: {code(resource.get('path', table + '.csv'))}", ""]
    if resource.get("description"):
        lines += [text(resource["description"]), ""]
    pk = package.primary_key(table)
    lines.append(f"- **主键 Primary key**：{_key_list(pk) if pk else '无'}（每行唯一）")
    for fk in package.foreign_keys(table):
        ref = fk["reference"]
        target = ref.get("resource") or table
        fields = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
        ref_fields = ref["fields"] if isinstance(ref["fields"], list) else [ref["fields"]]
        lines.append(
            f"- **外键 Foreign key**：{_key_list(fields)} → "
            f"[{target}]({target}.md) 的 {_key_list(ref_fields)}（必须能找到对应的行；为空则不检查）"
        )
    private = package.private_fields(table)
    if private:
        lines.append("- **隐私字段 Private**：" + "、".join(
            f"{code(name)}（{'遮蔽' if how == 'mask' else '不公开'}）" for name, how in private.items()
        ) + "——不会出现在数据库、网站、公开数据包和 Datasette 中。")
    lines.append(
        f"- **在线查询 Query online**：[Datasette 中的 {table} 表]({urls.datasette_table(table)})　·　"
        f"JSON：{code(urls.datasette_table(table) + '.json?_shape=array')}"
    )
    lines += ["", "## 字段 Fields", ""]
    lines.append("| 字段 Field | 类型 Type | 必填 Required | 约束 Constraints | 说明 Description | 公开 Published |")
    lines.append("|---|---|---|---|---|---|")
    lines += [field_row(f) for f in package.fields(table)]
    lines.append("")
    return "\n".join(lines)


def index_page(package: Package) -> str:
    """The dictionary's front page: every table with its title and a link."""
    lines = [
        "# 数据字典 Data dictionary", "",
        "本数据字典在每次构建时由数据包的表结构（`datapackage.json`，Frictionless 表模式）自动生成，"
        "与校验器、数据库和 Datasette 使用同一份定义，因此不会过时。",
        "This dictionary is generated from the data package's table schemas at every build.", "",
        f"数据包 Package：{code(package.descriptor.get('name', ''))}　·　"
        f"版本 Version：{code(package.descriptor.get('version', ''))}　·　"
        f"发布日期 Released：{package.release_date.year}年{package.release_date.month}月{package.release_date.day}日", "",
        "| 表 Table | 名称 Title | 主键 Primary key | 字段数 Fields |",
        "|---|---|---|---|",
    ]
    for table in tables(package):
        resource = package.resources[table]
        lines.append(
            f"| [{table}]({table}.md) | {text(resource.get('title', ''))} | "
            f"{_key_list(package.primary_key(table))} | {len(package.fields(table))} |"
        )
    lines += [
        "", "## 图例 Legend", "",
        "- **必填**：该字段不能为空，否则校验报 `required` 错误。",
        "- **约束**：取值（枚举）、格式（正则表达式）和范围；不满足时校验报 `enum`、`pattern` 或范围错误。",
        "- **公开**：标为“隐私”的字段在发布前删除或遮蔽，只留在监管部门自己的登记文件中。",
        "",
    ]
    return "\n".join(lines)


def enum_meanings(field: dict) -> list[tuple[str, str]]:
    """(value, meaning) for each allowed value, read from the field's description.

    Descriptions are written as "active 有效；suspended 暂停生产经营；…" or "一级（…）、二级、三级":
    a value's meaning is the text after it up to the next separator or the next value.
    """
    description = field.get("description", "")
    values = field["constraints"]["enum"]
    meanings = []
    for value in values:
        start = _find_value(description, value)
        if start < 0:
            meanings.append((value, ""))
            continue
        rest = description[start + len(value):]
        stop = len(rest)
        for other in values:
            at = rest.find(other) if other != value else -1
            if 0 <= at < stop:
                stop = at
        meanings.append((value, _first_clause(rest[:stop])))
    return meanings


def _first_clause(rest: str) -> str:
    """Text up to the first 、；。 outside parentheses, without an enclosing pair of parentheses."""
    depth, out = 0, []
    for ch in rest:
        depth += ch in "（("
        depth -= ch in "）)"
        if depth <= 0 and ch in "、；;。":
            break
        out.append(ch)
    clause = "".join(out).strip().removesuffix("或").strip()
    if clause.startswith("（") and clause.endswith("）"):
        clause = clause[1:-1]
    return clause


def _find_value(description: str, value: str) -> int:
    """Where `value` appears as a word (not inside a longer value such as 符合 in 不符合)."""
    for match in re.finditer(re.escape(value), description):
        before = description[match.start() - 1:match.start()]
        if not before or not (before.isalnum() or before == "_"):
            return match.start()
    return -1


def enumerated_fields(package: Package) -> list[tuple[str, dict]]:
    return [
        (table, f) for table in tables(package) for f in package.fields(table)
        if f.get("constraints", {}).get("enum")
    ]


def meanings_section(package: Package) -> str:
    """Markdown sections, one per enumerated field: value, meaning from the schema."""
    lines = []
    for table, field in enumerated_fields(package):
        resource = package.resources[table]
        table_title = resource.get("title", table).split(" ")[0]
        lines += [
            f"### {text(table_title)} · {text(field.get('title', field['name']))}", "",
            f"{code(table + '.' + field['name'])}（[{text(resource.get('title', table))}]({page_name(table)})）："
            f"{text(field.get('description', ''))}", "",
            "| 取值 Value | 含义 Meaning |", "|---|---|",
        ]
        lines += [f"| {code(v)} | {text(m) or '—'} |" for v, m in enum_meanings(field)]
        lines.append("")
    return "\n".join(lines)


def write_pages(package: Package, docs_dir) -> list[str]:
    """Write the dictionary pages into `docs_dir`; returns their paths relative to it, in nav order."""
    docs_dir = Path(docs_dir)
    (docs_dir / "dictionary").mkdir(parents=True, exist_ok=True)
    (docs_dir / "dictionary" / "index.md").write_text(index_page(package), encoding="utf-8")
    written = ["dictionary/index.md"]
    for table in tables(package):
        (docs_dir / page_name(table)).write_text(table_page(package, table), encoding="utf-8")
        written.append(page_name(table))
    return written
