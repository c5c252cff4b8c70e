"""Rules about what one text cell may hold, whatever its table: its characters, and the keys
that become a part of a published address.

They run before the other domain rules (rules.check_row), and a cell they refuse is not judged
again, as with a cell that failed the schema: a name with a NUL in it is one problem, not three.
"""
from __future__ import annotations

from typing import Iterator

from .. import urls
from . import characters
from .finding import Finding

#: Cells that hold prose over several lines: line breaks and tabs are text there. Everywhere
#: else (names, codes, addresses …) they are refused with the other control characters: a
#: name is printed on one line of a label, and a tab can hide a formula (`\t=1+1`).
MULTILINE_FIELDS = {
    "inspections": {"findings", "reply"},
    "samplings": {"disposal"},
    "recalls": {"reason", "advice"},
    "brands": {"story", "story_en"},
    "penalties": {"violation", "penalty"},
    "inspection_items": {"note"},
    "closures": {"facts", "action"},
    "programmes": {"description"},
    "programme_targets": {"note"},
    "checklist_items": {"requirement"},
}

#: Keys that become one part of a published address (urls.py): pages /p/<code>/, /w/<id>/,
#: /brands/<id>/, /recalls/<id>/, /regions/<code>/, /zones/<id>/, /programmes/<id>/,
#: /closures/<id>/, GS1 /01/<gtin>/10/<batch>/.
ADDRESS_FIELDS = {
    "regions": ("code",),
    "operators": ("id",),
    "products": ("code", "gtin"),
    "brands": ("id",),
    "recalls": ("id",),
    "samplings": ("batch",),
    "parks": ("id",),        # /zones/<id>/
    "programmes": ("id",),   # /programmes/<id>/
    "closures": ("id",),     # /closures/<id>/
}
#: Cells listing several such keys (a recall's batches, separated by 、 , ; or spaces).
ADDRESS_LIST_FIELDS = {"recalls": ("batches",)}

LABELS = {"code": "编码", "id": "编号", "gtin": "商品条码", "batch": "批次", "batches": "批次"}
_INVISIBLE_EFFECT = ("它会改变文字的显示方向，让名称反着读，或显示成与实际内容不同的样子",
                     "它让两个看起来一模一样的名称成为不同的文字，或把内容藏起来")


def cell_findings(table: str, row: dict) -> list[Finding]:
    """Control and invisible characters in any text of the row, then the address parts."""
    found = list(_characters(table, row))
    if found:
        refused = {f.field for f in found}
        row = {k: v for k, v in row.items() if k not in refused}
    if table in ADDRESS_FIELDS or table in ADDRESS_LIST_FIELDS:
        found += _address_parts(table, row)
    return found


def _characters(table: str, row: dict) -> Iterator[Finding]:
    multiline = MULTILINE_FIELDS.get(table, ())
    for name, value in row.items():
        if type(value) is str:
            if value.isprintable():  # the common case, first: no such character is printable
                continue
            texts = (value,)
        elif isinstance(value, (list, dict)):
            texts = _texts(value)
        else:
            continue
        for text in texts:
            if characters.clean(text):
                continue
            control = (characters.CONTROL_NOT_BREAK if name in multiline else characters.CONTROL).search(text)
            if control:
                yield Finding(name, "control-character", _control_message(text, control.start(), name in multiline))
            invisible = characters.INVISIBLE_RE.search(text)
            if invisible:
                yield Finding(name, "invisible-character", _invisible_message(text, invisible.start()))
            if control or invisible:
                break


def _texts(value) -> Iterator[str]:
    """The strings of a value: itself, or those inside a JSON array or object (failed_items)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(key)
            yield from _texts(item)


def _control_message(text: str, at: int, multiline: bool) -> str:
    char = text[at]
    advice = "请删去它（常见于从别的系统复制粘贴的内容）"
    if char in characters.BREAKS and not multiline:
        advice = "这一列只能写一行：请把换行或制表符换成空格或顿号“、”"
    return (f"“{visible(text)}”的第 {at + 1} 个字符是控制字符 {characters.name(char)}，不是文字："
            f"它会截断或损坏网页、标签和数据库中的内容。{advice}。")


def _invisible_message(text: str, at: int) -> str:
    char = text[at]
    effect = _INVISIBLE_EFFECT[0] if char in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c" \
        else _INVISIBLE_EFFECT[1]
    return (f"“{visible(text)}”的第 {at + 1} 个字符是看不见的字符 {characters.name(char)}：{effect}。"
            "请删去它：在表格软件中用“查找和替换”，或把这一格删空后重新输入。")


def visible(text: str, limit: int = 40) -> str:
    """`text` with each control or invisible character written as ⟦U+XXXX⟧, shortened."""
    shown = "".join(f"⟦U+{ord(c):04X}⟧" if not characters.clean(c) else c for c in text[:limit])
    return shown + ("…" if len(text) > limit else "")


def _address_parts(table: str, row: dict) -> Iterator[Finding]:
    for name in ADDRESS_FIELDS.get(table, ()):
        value = row.get(name)
        if isinstance(value, str):
            wrong = urls.unsafe_segment(value)
            if wrong:
                yield Finding(name, "address-part", _address_message(name, value, wrong))
    for name in ADDRESS_LIST_FIELDS.get(table, ()):
        value = row.get(name)
        if isinstance(value, str):
            for part in urls.batch_list(value):
                wrong = urls.unsafe_segment(part)
                if wrong:
                    yield Finding(name, "address-part", _address_message(name, part, wrong))
                    break


def _address_message(name: str, value: str, wrong: str) -> str:
    label = LABELS.get(name, name)
    use = f"{label}会成为网址（和网站上的文件夹名）的一部分"
    if wrong == "empty":
        return f"{label}只有空格：{use}，不能为空白。请填写{label}，或把这一格清空。"
    if wrong == "dot":
        return (f"{label}“{value}”不能使用：{use}，而“.”和“..”在网址和文件夹中表示“当前目录”和“上一级目录”，"
                f"会让这一页覆盖别的页面。请填写真实的{label}。")
    if wrong == "long":
        return (f"{label}“{visible(value, 30)}”太长：{use}，编码后最多 {urls.SEGMENT_MAX_BYTES} 字节"
                "（约 200 个字母数字或 22 个汉字）。请核对是否把别的内容填进了这一格。")
    return f"{label}“{visible(value)}”含有控制字符：{use}。请删去这些字符。"
