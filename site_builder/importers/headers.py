"""Finding the header row of a sheet among its first rows, by the headers it holds, and
reading the rows below it as fields (through the alias table and the user's --map).

Notices put a title, the notice number and its date above the header; exports shift the table
right or down; a header may break across lines inside its cell. The header row is the row
among the first 20 that names the most known fields.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from . import aliases
from .cells import clean
from .failed_items import combined_parts
from .sources import ImportFileError, Sheet

SEARCH_ROWS = 20
#: A header row names at least this many known fields.
MIN_FIELDS = 2


class MappingError(ImportFileError):
    """A --map option names a header the alias table does not know."""


def parse_maps(layout: str, maps: list[str] | tuple[str, ...]) -> dict[str, str]:
    """--map 供应商=被抽样单位名称 -> {header_key('供应商'): 'unit_name'}. The right side is a
    header the alias table knows (or a field name)."""
    mapping = {}
    for item in maps:
        header, sep, known = item.partition("=")
        if not sep or not header.strip() or not known.strip():
            raise MappingError("--map", f"“{item}”应写成 表头=字段，如 --map 供应商=被抽样单位名称。")
        target = aliases.field_of(layout, known) or (known.strip() if known.strip() in aliases.ALIASES[layout] else None)
        if target is None:
            examples = "、".join(spellings[0] for _f, (_t, spellings) in list(aliases.ALIASES[layout].items())[:12])
            raise MappingError("--map", f"“{known}”不是导入认得的表头。等号右边请写认得的表头，如：{examples}……"
                                        "（完整的表见手册“导入 Import”一页）。")
        mapping[aliases.header_key(header)] = target
    return mapping


@dataclass
class Layout:
    """Where a sheet's header is and which columns hold which field."""

    sheet: Sheet
    header_row: int                                   # index into sheet.rows
    columns: dict[str, list[int]] = field(default_factory=dict)
    combined: list[tuple[int, list[str]]] = field(default_factory=list)  # provincial failed-item cells
    private: list[int] = field(default_factory=list)  # columns of personal identifiers
    headers: list[str] = field(default_factory=list)

    @property
    def title_text(self) -> str:
        """The text above the header: the notice's title, number and date."""
        return "\n".join(c for row in self.sheet.rows[: self.header_row] for c in dict.fromkeys(row) if c)

    def has(self, *names: str) -> bool:
        return any(n in self.columns for n in names)


def _read_header(sheet: Sheet, index: int, layout: str, mapping: dict[str, str]) -> Layout:
    found = Layout(sheet, index, headers=list(sheet.rows[index]))
    for col, header in enumerate(sheet.rows[index]):
        if not header:
            continue
        name = mapping.get(aliases.header_key(header)) or aliases.field_of(layout, header)
        parts = combined_parts(header) if layout == "sampling" and name is None else None
        if parts:
            found.combined.append((col, parts))
        elif name in aliases.PRIVATE:
            found.private.append(col)
        elif name:
            found.columns.setdefault(name, []).append(col)
    return found


def _score(found: Layout) -> int:
    return len(found.columns) + 3 * len(found.combined)


def _satisfies(found: Layout, layout: str) -> bool:
    return all(found.has(*group) for group in aliases.NEEDED[layout])


def find_header(sheet: Sheet, layout: str, mapping: dict[str, str]) -> Layout | None:
    best = None
    for index in range(min(SEARCH_ROWS, len(sheet.rows))):
        found = _read_header(sheet, index, layout, mapping)
        if _score(found) >= MIN_FIELDS and (best is None or _score(found) > _score(best)):
            best = found
    return best if best is not None and _satisfies(best, layout) else None


def layouts(sheets: list[Sheet], layout: str, mapping: dict[str, str]) -> tuple[list[Layout], list[str]]:
    """The header of every sheet that has one, and notes on sheets without (a 说明 sheet). A file
    none of whose sheets has a header is an error naming the file, the headers it holds and
    the ones needed."""
    found, notes, by_file = [], [], {}
    for sheet in sheets:
        by_file.setdefault(sheet.file, []).append(sheet)
    for file, file_sheets in by_file.items():
        if not any(s.rows for s in file_sheets):
            raise ImportFileError(file, "表格是空的，没有任何内容。请确认下载的是公告的附件表格。")
        here = [(s, find_header(s, layout, mapping)) for s in file_sheets]
        if not any(h for _s, h in here):
            raise ImportFileError(file, _no_header(file_sheets, layout, mapping))
        for sheet, header in here:
            if header:
                found.append(header)
            elif sheet.rows:
                notes.append(f"{sheet.source}：工作表“{sheet.name}”没有找到表头，已跳过 skipped (no header)")
    return found, notes


def _no_header(sheets: list[Sheet], layout: str, mapping: dict[str, str]) -> str:
    best = max((_read_header(s, i, layout, mapping) for s in sheets if s.rows
                for i in range(min(SEARCH_ROWS, len(s.rows)))), key=_score)
    seen = "、".join(h for h in best.headers if h)[:300] or "（无）"
    return (f"在前 {SEARCH_ROWS} 行中找不到表头：需要 {aliases.needed_text(layout)}。"
            f"最像表头的一行（第 {best.header_row + 1} 行）是：{seen}。"
            "如果文件用了别的列名，请用 --map 表头=认得的表头 指明，如 --map 供应商=被抽样单位名称。")


def data_rows(found: Layout) -> Iterator[tuple[int, list[str]]]:
    """(spreadsheet row number, cells) of every row below the header that is not blank."""
    for index in range(found.header_row + 1, len(found.sheet.rows)):
        cells = found.sheet.rows[index]
        if any(cells):
            yield index + 1, cells


def values(found: Layout, cells: list[str]) -> dict[str, str]:
    """field -> text; several columns of one field (备注 twice) joined by ；."""
    out = {}
    for name, cols in found.columns.items():
        texts = [clean(cells[c]) for c in cols if c < len(cells) and clean(cells[c])]
        out[name] = "；".join(dict.fromkeys(texts))
    return out


def cells_by_header(found: Layout, cells: list[str]) -> dict[str, str]:
    """The row as the review file shows it: header -> cell, personal identifiers blanked."""
    out = {}
    for col, header in enumerate(found.headers):
        value = cells[col] if col < len(cells) else ""
        if col in found.private and value:
            value = "（隐私字段，已隐去）"
        if header or value:
            key = header or f"第{col + 1}列"
            out[f"{key}（第{col + 1}列）" if key in out else key] = value  # 备注 twice keeps both
    return out


def is_repeated_header(found: Layout, cells: list[str]) -> bool:
    return [c for c in cells if c] == [h for h in found.headers if h]


def note_text(cells: list[str]) -> str | None:
    """A row holding one text only (a footnote, a merged note across the table), or None."""
    texts = set(c for c in cells if c)
    if len(texts) == 1:
        return texts.pop()
    return None
