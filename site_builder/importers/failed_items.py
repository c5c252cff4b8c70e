"""Failed items as the registry keeps them: {item, measured, standard, unit}, each part apart.

Notices write them three ways: one item per row in its own columns; several in one cell of
the provincial layout (不合格项目║检验结果║标准值, items joined by ；, sometimes a 计量单位
part); or one tested item per row beside a 合格/不合格 verdict. Exponents lose their
superscripts on the way (10⁵ becomes 105, or 10<sup>5</sup>, or 10^5): the unambiguous forms
are repaired, and a bare "×105" is kept as written with a note, because 10⁵ and 105 are both
possible and guessing would publish a wrong value.
"""
from __future__ import annotations

import re

from . import aliases
from .cells import clean

#: Part separators inside one provincial cell, and between items.
PART_SEPARATOR = re.compile(r"\s*(?:║|‖|\|\||︱|｜｜|¦)\s*")
ITEM_SEPARATOR = re.compile(r"\s*[；;]\s*|\s*\n+\s*")
_SUPERSCRIPT = str.maketrans("0123456789-+", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺")
_SUP_TAG = re.compile(r"<sup>\s*([-+]?\d+)\s*</sup>", re.I)
_CARET = re.compile(r"10\s*\^\s*\(?\s*([-+]?\d+)\s*\)?")
_TIMES = re.compile(r"(?<=\d)\s*[xX*]\s*(?=10[⁰¹²³⁴⁵⁶⁷⁸⁹⁻])")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
#: ×10 followed straight by plain digits, or m=104 in a sampling plan: an exponent may be lost.
_AMBIGUOUS = re.compile(r"(?:[×xX*]\s*|\b[mM]\s*=\s*)10([1-9]\d?)(?![\d.])")
_UNIT = re.compile(r"^(?P<value>.*?[0-9⁰¹²³⁴⁵⁶⁷⁸⁹])\s*(?P<unit>(?:[a-zA-Zμµ%‰][a-zA-Zμµ%‰/()0-9·.]*))$")
AMBIGUOUS_NOTE = "“{text}”可能丢失了上标（10{sup} 还是 10{digits}？），已按原文保留，请核对公告原件"


def repair(text: str) -> tuple[str, list[str]]:
    """The value with lost superscripts restored where that is certain, and notes on the doubtful."""
    text = _SUP_TAG.sub(lambda m: m.group(1).translate(_SUPERSCRIPT), text)
    text = _CARET.sub(lambda m: "10" + m.group(1).translate(_SUPERSCRIPT), text)
    text = _TAG.sub("", text)
    text = _TIMES.sub("×", text)
    notes = [AMBIGUOUS_NOTE.format(text=m.group(0).strip(), sup=m.group(1).translate(_SUPERSCRIPT), digits=m.group(1))
             for m in _AMBIGUOUS.finditer(text)]
    return text, notes


def _split_unit(text: str) -> tuple[str, str]:
    match = _UNIT.match(text)
    return (match.group("value").strip(), match.group("unit")) if match else (text, "")


def make_item(item: str, measured: str, standard: str, unit: str = "") -> dict:
    """One failed item, parts cleaned: superscripts repaired, a unit written inside the values
    moved to `unit` (or dropped from them when the unit column already says it)."""
    item, measured, standard, unit = (clean(v) for v in (item, measured, standard, unit))
    measured, notes_m = repair(measured)
    standard, notes_s = repair(standard)
    if unit:
        for suffix in (unit, unit.replace(" ", "")):
            measured = measured.removesuffix(suffix).rstrip() if measured.endswith(suffix) and measured != suffix else measured
            standard = standard.removesuffix(suffix).rstrip() if standard.endswith(suffix) and standard != suffix else standard
    else:
        value_m, unit_m = _split_unit(measured)
        value_s, unit_s = _split_unit(standard)
        if unit_m and (unit_m == unit_s or not unit_s):
            measured, unit = value_m, unit_m
            standard = value_s if unit_s else standard
        elif unit_s and not unit_m:
            standard, unit = value_s, unit_s
    result = {"item": item, "measured": measured, "standard": standard, "unit": unit}
    notes = notes_m + notes_s
    if notes:
        result["note"] = "；".join(dict.fromkeys(notes))
    return result


def combined_parts(header: str) -> list[str] | None:
    """The fields a provincial header such as 不合格项目║检验结果║标准值 joins, in order; None
    when the header is not such a join."""
    pieces = [p for p in PART_SEPARATOR.split(header.strip()) if p]
    if len(pieces) < 2:
        return None
    fields = [aliases.field_of("sampling", p) for p in pieces]
    if all(f in ("item", "measured", "standard", "unit") for f in fields) and "item" in fields:
        return fields
    return None


def split_combined(cell: str, parts: list[str]) -> tuple[list[dict], list[str]]:
    """The items of one provincial cell, and problems (an item with the wrong number of parts)."""
    items, problems = [], []
    for chunk in ITEM_SEPARATOR.split(clean(cell)):
        if not chunk:
            continue
        pieces = PART_SEPARATOR.split(chunk)
        if len(pieces) != len(parts):
            problems.append(f"“{chunk}”有 {len(pieces)} 部分，表头“{'║'.join(aliases.title('sampling', p).split(' ')[0] for p in parts)}”"
                            f"要 {len(parts)} 部分")
            continue
        values = dict(zip(parts, pieces))
        items.append(make_item(values.get("item", ""), values.get("measured", ""), values.get("standard", ""),
                               values.get("unit", "")))
    return items, problems


def incomplete(item: dict) -> list[str]:
    """What a failed item lacks that the registry requires (validator rule failed-items)."""
    return [name for name, key in (("项目", "item"), ("检验结果", "measured"), ("标准值", "standard")) if not item.get(key)]
