"""Whether a business may operate on the release date, and if not, why and since when.

A 量化分级 grade rates how a business that may operate keeps its food safe. Once its licence
has lapsed, been revoked or suspended, the last grade says nothing about the food sold today:
the pages, the current_grades view, the poster and the label sheet then call the grade void and
give this reason, and show no smiley. A business whose status is still "active" but whose
licence ran out is not operating either (its status was simply not updated).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Mapping

from ..vocabulary import NOT_OPERATING, Term, zh_date


@dataclass(frozen=True)
class Standing:
    operating: bool
    status: str = "active"    # why not: suspended, revoked or expired (a lapsed "active" licence too)
    since: date | None = None
    lapsed: bool = False      # status "active" in the data, yet the licence ran out

    @property
    def term(self) -> Term | None:
        return None if self.operating else NOT_OPERATING[self.status]

    @property
    def zh(self) -> str:
        """登记证已吊销（2025年3月1日起）"""
        if self.operating:
            return ""
        return self.term.zh + (f"（{zh_date(self.since)}起）" if self.since else "")

    @property
    def en(self) -> str:
        if self.operating:
            return ""
        return self.term.en + (f" since {self.since.isoformat()}" if self.since else "")


OPERATING = Standing(True)


def _date(value) -> date | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def standing(op: Mapping, release_date: date) -> Standing:
    """The standing of business `op` (a row of operators) on `release_date`."""
    status = op.get("status")
    valid_until = _date(op.get("valid_until"))
    since = _date(op.get("status_since"))
    ended = valid_until + timedelta(days=1) if valid_until else None
    if status == "active":
        if valid_until is not None and valid_until < release_date:
            return Standing(False, "expired", ended, lapsed=True)
        return OPERATING
    if status == "expired":
        return Standing(False, "expired", since or ended)
    if status in NOT_OPERATING:
        return Standing(False, status, since)
    return OPERATING  # an unknown status is the validator's to report, not a reason to void a grade
