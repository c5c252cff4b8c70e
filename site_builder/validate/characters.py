"""Characters no published text may hold, and their names for the clerk who must find them.

Control characters (NUL and the rest of C0 and C1) are not text: a NUL cuts a string short in
C programs and makes a page invalid. Bidirectional controls (U+202E …) and zero-width characters
are invisible but change what a reader sees: a name can be made to read backwards, or two names
that look the same can be different. None of them can be seen in a spreadsheet, so a message
names each by its code point and Chinese name. The validator's rules (rules.py) and the link
check (urls.external) use these tables.
"""
from __future__ import annotations

import re

#: Line breaks and tabs: refused like other control characters, except in cells that hold
#: prose over several lines (rules.MULTILINE_FIELDS).
BREAKS = {"\t": "制表符 TAB", "\n": "换行符 LF", "\r": "回车符 CR"}

#: Invisible characters that reorder or hide text (Unicode bidirectional controls and
#: zero-width characters), refused in every text cell.
INVISIBLE = {
    "\u202a": "从左到右嵌入 LEFT-TO-RIGHT EMBEDDING",
    "\u202b": "从右到左嵌入 RIGHT-TO-LEFT EMBEDDING",
    "\u202c": "弹出方向格式 POP DIRECTIONAL FORMATTING",
    "\u202d": "从左到右强制 LEFT-TO-RIGHT OVERRIDE",
    "\u202e": "从右到左强制 RIGHT-TO-LEFT OVERRIDE",
    "\u2066": "从左到右隔离 LEFT-TO-RIGHT ISOLATE",
    "\u2067": "从右到左隔离 RIGHT-TO-LEFT ISOLATE",
    "\u2068": "首强字符隔离 FIRST STRONG ISOLATE",
    "\u2069": "弹出方向隔离 POP DIRECTIONAL ISOLATE",
    "\u200e": "从左到右标记 LEFT-TO-RIGHT MARK",
    "\u200f": "从右到左标记 RIGHT-TO-LEFT MARK",
    "\u061c": "阿拉伯字母标记 ARABIC LETTER MARK",
    "\u200b": "零宽空格 ZERO WIDTH SPACE",
    "\u200c": "零宽不连字 ZERO WIDTH NON-JOINER",
    "\u200d": "零宽连字 ZERO WIDTH JOINER",
    "\u2060": "词连接符 WORD JOINER",
    "\ufeff": "零宽不换行空格、字节顺序标记 ZERO WIDTH NO-BREAK SPACE, BOM",
}

_CONTROL_NAMES = {"\x00": "空字符 NUL", "\x1b": "转义符 ESC", "\x7f": "删除符 DEL"}

#: Every control character (C0, DEL, C1), line breaks and tabs included.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
#: Control characters other than line breaks and tabs.
CONTROL_NOT_BREAK = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
INVISIBLE_RE = re.compile("[" + "".join(INVISIBLE) + "]")


def name(char: str) -> str:
    """"U+202E（从右到左强制 …）": the code point and what the character is called."""
    label = INVISIBLE.get(char) or BREAKS.get(char) or _CONTROL_NAMES.get(char) or "控制字符 control character"
    return f"U+{ord(char):04X}（{label}）"


def clean(text: str) -> bool:
    """True when `text` holds none of these characters (a fast test: every one of them is
    unprintable, so printable text needs no closer look)."""
    if text.isprintable():
        return True
    return not (CONTROL.search(text) or INVISIBLE_RE.search(text))
