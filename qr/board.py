"""The 信息公开栏 facts on a workshop's poster: licence and commitment posted, staff and valid
health certificates (counts only, never names), suppliers, additives, video supervision.

Read from registry.db's `boards` table (public fields only) and drawn below the complaint line;
a workshop without a board row gets no block.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from site_builder import vocabulary
from site_builder.build.delta import select_in

from .pdfdoc import cn_date, text_block

PAGE_W, MARGIN = 210.0, 18.0
BOTTOM = 276.0  # the poster's footer line starts at 284 mm


@dataclass(frozen=True)
class Board:
    operator_id: str
    updated_on: str | None
    licence_posted: int | None
    commitment_posted: int | None
    staff: int | None
    health_certs_valid: int | None
    suppliers: str | None
    additives: str | None
    remote_video: int | None
    open_kitchen: int | None


_BOARDS = ("SELECT operator_id, updated_on, licence_posted, commitment_posted, staff, health_certs_valid, "
           "suppliers, additives, remote_video, open_kitchen FROM boards")


def load(conn: sqlite3.Connection, operator_ids: list[str]) -> dict[str, Board]:
    """The boards of `operator_ids` (a registry.db without the table has none)."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'boards'").fetchone():
        return {}
    rows = select_in(conn, _BOARDS + " WHERE operator_id IN {keys} ORDER BY operator_id", operator_ids)
    return {r[0]: Board(*r) for r in rows}


def _yes(value) -> str:
    return (vocabulary.YES if value else vocabulary.NO).zh


def lines(board: Board) -> list[str]:
    """The facts as the poster prints them, one line each."""
    facts = vocabulary.BOARD_FACTS
    out = ["　".join(f"{facts[name].zh}：{_yes(getattr(board, name))}" for name in ("licence_posted", "commitment_posted")
                    if getattr(board, name) is not None)]
    if board.staff is not None:
        valid = f"，持有效健康证明 {board.health_certs_valid} 人" if board.health_certs_valid is not None else ""
        out.append(f"从业人员 {board.staff} 人{valid}")
    out.append("　".join(f"{facts[name].zh}：{_yes(getattr(board, name))}" for name in ("remote_video", "open_kitchen")
                        if getattr(board, name) is not None))
    if board.additives:
        out.append(f"食品添加剂：{board.additives}")
    if board.suppliers:
        out.append(f"原料供应商：{board.suppliers}")
    return [line for line in out if line]


def draw(pdf, board: Board | None, y: float) -> float:
    """The block at `y`; returns the y below it (unchanged without a board)."""
    if board is None:
        return y
    width = PAGE_W - 2 * MARGIN
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.3)
    pdf.line(MARGIN, y, PAGE_W - MARGIN, y)
    title = "信息公开栏 Public notice board"
    if board.updated_on:
        title += f"（{cn_date(board.updated_on)}更新）"
    y = text_block(pdf, MARGIN, y + 1.5, title, width, 12)
    for line in lines(board):
        if y > BOTTOM:  # the footer line is below: what does not fit is on the /w/ page the QR opens
            break
        y = text_block(pdf, MARGIN, y + 0.5, line, width, 10.5, max_lines=2)
    return y
