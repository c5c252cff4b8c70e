"""The validator's judgement of one record before it is written: the registry an import leaves
must pass `zuofang validate`, so a record that would not goes to the review file instead.

Checks what a single row can break: the schema's types and constraints for every field, and
the domain rules of site_builder/rules.py (future dates, failed items, formula injection …),
with the same messages `zuofang validate` would give.
"""
from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from ..registry.package import Package
from ..validate import rules

_FIELD_TITLE = re.compile(r"\s+[A-Za-z].*$")


class RecordChecker:
    """Checks records of any table against the package's schema and the domain rules."""

    def __init__(self, package: Package, regions: list[dict], owners: dict[str, dict[str, str]]):
        self.package = package
        self.context = rules.RuleContext(
            package.release_date,
            {r["code"]: rules.Region(r.get("level") or None, r.get("name"), r.get("parent_code") or None) for r in regions},
            owners)

    def problems(self, table: str, record: dict) -> list[str]:
        """Why the record would fail validation (Chinese, as the validator says it); [] when valid."""
        found, typed = [], {}
        for f in self.package.fields(table):
            name, value = f["name"], record.get(f["name"])
            value = "" if value is None else value
            c = f.get("constraints", {})
            label = _FIELD_TITLE.sub("", f.get("title", name))
            if value == "" or value == []:
                if c.get("required"):
                    found.append(f"{label}（{name}）不能为空")
                typed[name] = None
                continue
            try:
                typed[name] = _typed(f["type"], value)
            except (ValueError, InvalidOperation, TypeError):
                found.append(f"{label}（{name}）“{value}”不是有效的{f['type']}")
                continue
            if "pattern" in c and isinstance(value, str) and not re.fullmatch(c["pattern"], value):
                found.append(f"{label}（{name}）“{value}”格式不对（{c['pattern']}）")
            if "enum" in c and value not in c["enum"]:
                found.append(f"{label}（{name}）“{value}”不在允许的取值中（{'、'.join(c['enum'])}）")
            low, high = c.get("minimum"), c.get("maximum")
            number = typed[name]
            if isinstance(number, (int, Decimal)) and ((low is not None and number < low) or (high is not None and number > high)):
                found.append(f"{label}（{name}）{value} 超出范围")
        found += [finding.message for finding in rules.check_row(table, typed, self.context)]
        return found


def _typed(kind: str, value):
    if isinstance(value, (list, dict)):
        return value
    text = str(value)
    if kind == "date":
        return date.fromisoformat(text)
    if kind == "number":
        return Decimal(text)
    if kind == "integer":
        return int(text)
    if kind in ("array", "object"):
        return json.loads(text)
    return text
