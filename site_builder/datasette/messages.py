"""Datasette's and SQLite's error messages in Chinese (the English original stays beside it, for
searching the web). A journalist's mistyped SQL should say what is wrong in the reader's language.
"""
from __future__ import annotations

import re

#: (English pattern, Chinese) — SQLite's errors first, then Datasette's.
ERRORS = [(re.compile(p, re.I), zh) for p, zh in (
    (r"^no such column: (.+)$", r"没有这个字段：\1"),
    (r"^no such table: (.+)$", r"没有这张表：\1"),
    (r"^no such function: (.+)$", r"没有这个函数：\1"),
    (r'^near "(.+)": syntax error$', r"“\1”附近有语法错误"),
    (r"^incomplete input$", "SQL 语句不完整（缺少括号、引号或后半部分）"),
    (r"^unrecognized token: (.+)$", r"无法识别的写法：\1"),
    (r"^ambiguous column name: (.+)$", r"字段名 \1 不明确：请写成 表名.字段名"),
    (r"^wrong number of arguments to function (.+)$", r"函数 \1 的参数个数不对"),
    (r"^You can only execute one statement at a time\.?$", "一次只能执行一条 SQL 语句"),
    (r"^attempt to write a readonly database$", "数据库是只读的，不能修改"),
    (r"^Statement must be a SELECT$", "只能执行 SELECT 查询"),
    (r"^Statement may not contain PRAGMA$", "查询中不能使用 PRAGMA"),
    (r"^SQL query took too long.*", "查询用时过长，已被中止：请缩小范围（加条件或 LIMIT）"),
    (r"^You did not supply a value for binding parameter :?(\w+)\.?$", r"缺少参数 \1 的值"),
    (r"^Incorrect number of bindings supplied.*", "参数个数不对"),
    (r"^Table not found:? ?(.*)$", r"找不到数据表 \1"),
    (r"^Database not found:? ?(.*)$", r"找不到数据库 \1"),
    (r"^Record not found:? ?(.*)$", r"找不到记录 \1"),
    (r"^Cannot sort table by (.+)$", r"不能按 \1 排序"),
    (r"^Cannot use _sort and _sort_desc at the same time$", "_sort 和 _sort_desc 不能同时使用"),
    (r"^_size must be a positive integer$", "_size 必须是正整数"),
    (r"^_size must be <= (\d+)$", r"_size 不能超过 \1"),
    (r"^Invalid _shape: (.+)$", r"_shape 的值无效：\1"),
    (r"^Invalid SQL$", "SQL 有误"),
    (r"^SQL Interrupted$", "查询被中止"),
    (r"^Not found$", "找不到"),
    (r"^Permission denied$", "没有权限"),
    (r"^Database is immutable$", "数据库是只读的"),
)]


def zh_error(message) -> str:
    """`message` in Chinese with the original in brackets, or unchanged when it is not known."""
    if message is None:
        return ""
    text = str(message).strip()
    for pattern, replacement in ERRORS:
        if pattern.match(text):
            return f"{pattern.sub(replacement, text)}（{text}）"
    return text
