"""publish/xlsx.py on a table made here: each cell typed by the schema, never a formula (the notes too); the limit."""
from __future__ import annotations

import io
import sqlite3
from datetime import date, datetime

import pandas as pd
import pytest
from openpyxl import load_workbook

from site_builder.publish import xlsx

FIELDS = [{"name": "code", "type": "string"}, {"name": "n", "type": "integer"}, {"name": "x", "type": "number"},
          {"name": "on", "type": "date"}, {"name": "at", "type": "datetime"}, {"name": "ok", "type": "boolean"}]
ROWS = [("=1+1", 3, 2.5, "2024-02-29", "2024-01-02T03:04:05Z", 1),
        ("{=SUM(A1:A2)}", -7, 0.1, None, None, 0),
        (140824, None, None, "", "", None),
        ("http://example.com/", 0, -1.25, "2026-11-01", "2026-11-01 08:30:00", 1)]
NOTES = [[f["name"], "标题", f["type"], "第一行\n第二行", "=A1"] for f in FIELDS]
WHEN = date(2026, 11, 1)


@pytest.fixture
def conn():
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (code TEXT, n INTEGER, x REAL, \"on\" TEXT, at TEXT, ok INTEGER)")
    db.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)", ROWS)
    return db


def test_cells_are_typed_by_the_schema_and_text_is_never_a_formula(conn):
    book = load_workbook(io.BytesIO(xlsx.export_xlsx(conn, "t", FIELDS, NOTES, WHEN)))
    assert book.sheetnames == ["t", xlsx.NOTES_SHEET]
    sheet = book["t"]
    assert sheet.freeze_panes == "A2"
    assert [(c.value, c.font.b) for c in sheet[1]] == [(f["name"], True) for f in FIELDS]
    rows = list(sheet.iter_rows(min_row=2))
    assert [[c.value for c in row] for row in rows] == [
        ["=1+1", 3, 2.5, datetime(2024, 2, 29), datetime(2024, 1, 2, 3, 4, 5), True],
        ["{=SUM(A1:A2)}", -7, 0.1, None, None, False],
        ["140824", None, None, None, None, None],
        ["http://example.com/", 0, -1.25, datetime(2026, 11, 1), datetime(2026, 11, 1, 8, 30), True]]
    assert {row[0].data_type for row in rows} == {"s"}, "text, not a formula or a number"
    assert rows[0][0].hyperlink is None and rows[3][0].hyperlink is None
    assert rows[0][3].number_format == "yyyy-mm-dd" and rows[0][4].number_format == "yyyy-mm-dd h:mm:ss"
    notes = book[xlsx.NOTES_SHEET]
    assert [c.value for c in notes[1]] == xlsx.NOTES_HEADER and all(c.font.b for c in notes[1])
    cells = list(notes.iter_rows(min_row=2))
    assert [[c.value for c in row] for row in cells] == NOTES
    assert all(c.alignment.wrap_text for row in cells for c in row)
    assert {row[4].data_type for row in cells} == {"s"}, "=A1 in a note is text too"


def test_pandas_reads_the_text_as_written(conn):
    frame = pd.read_excel(io.BytesIO(xlsx.export_xlsx(conn, "t", FIELDS, NOTES, WHEN)), dtype=str)
    assert list(frame.columns) == [f["name"] for f in FIELDS]
    assert list(frame["code"]) == ["=1+1", "{=SUM(A1:A2)}", "140824", "http://example.com/"]


def test_same_rows_same_bytes(conn):
    assert xlsx.export_xlsx(conn, "t", FIELDS, NOTES, WHEN) == xlsx.export_xlsx(conn, "t", FIELDS, NOTES, WHEN)


def test_a_table_longer_than_a_sheet_is_refused(conn, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_ROWS", len(ROWS) - 1)
    with pytest.raises(xlsx.TooManyRows, match="数据表 t"):
        xlsx.export_xlsx(conn, "t", FIELDS, NOTES, WHEN)
