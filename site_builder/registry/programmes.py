"""Each brand programme's own rules, read from the package: how long its 公示 must last.

Cities run their 名特优 programmes by their own documents: 运城 publicises a candidate for 5
working days, 四平 for 7 days. That is the registry's setting, not the code's, so it lives in
datapackage.json as the custom property `zuofang:programmes`:

    "zuofang:programmes": {"名特优": {"publicity_minimum": 5, "publicity_unit": "working_days"}}

`publicity_unit` is "days" (calendar days) or "working_days" (Monday to Friday: the package does
not know the year's public holidays, so a period over 国庆 must be made longer by hand). Both
ends of a period count. A programme the property does not name has no minimum beyond the
period ending after it starts (rule date-order).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ..errors import DataPackageError
from ..vocabulary import PROGRAMS

PROGRAMMES_KEY = "zuofang:programmes"
UNITS = {"days": "天", "working_days": "个工作日"}
_EXAMPLE = f'如 "{PROGRAMMES_KEY}": {{"名特优": {{"publicity_minimum": 5, "publicity_unit": "working_days"}}}}'


@dataclass(frozen=True)
class Programme:
    name: str
    publicity_minimum: int  # in `publicity_unit`s
    publicity_unit: str

    @property
    def minimum_text(self) -> str:
        return f"{self.publicity_minimum}{UNITS[self.publicity_unit]}"

    def publicity_length(self, start: date, end: date) -> int:
        """How long the period from `start` to `end` (both included) is, in this programme's unit."""
        days = (end - start).days + 1
        if self.publicity_unit == "days" or days <= 0:
            return max(days, 0)
        weeks, rest = divmod(days, 7)
        return weeks * 5 + sum((start + timedelta(days=weeks * 7 + i)).weekday() < 5 for i in range(rest))


def programmes(descriptor: dict, where: str = "datapackage.json") -> dict[str, Programme]:
    """The programmes the package sets rules for; DataPackageError when the property is malformed
    (without it the awards could not be judged)."""
    value = descriptor.get(PROGRAMMES_KEY)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise DataPackageError(f"{where}：{PROGRAMMES_KEY} 应为对象，{_EXAMPLE}。")
    found = {}
    for name, setting in value.items():
        if name not in PROGRAMS:
            raise DataPackageError(f"{where}：{PROGRAMMES_KEY} 中的“{name}”不是品牌项目；"
                                   f"只能是 {'、'.join(PROGRAMS)}。")
        minimum = setting.get("publicity_minimum") if isinstance(setting, dict) else None
        unit = setting.get("publicity_unit", "days") if isinstance(setting, dict) else None
        if not isinstance(minimum, int) or isinstance(minimum, bool) or minimum < 1 or unit not in UNITS:
            raise DataPackageError(f"{where}：{PROGRAMMES_KEY} 中“{name}”的设置应写明公示期最短多长："
                                   f"publicity_minimum 为正整数，publicity_unit 为 days（天）或 working_days（工作日），"
                                   f"{_EXAMPLE}。")
        found[name] = Programme(name, minimum, unit)
    return found
