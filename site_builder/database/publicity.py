"""Which registry rows are published on the release date: a penalty's 公示 ends.

Bureaus publish a penalty decision for a fixed term (公示截止期) and do not publish penalties
that are warnings only. Such a row stays in the registry (it is the bureau's record) but must
not reach registry.db, from which the site, Datasette and the open-data downloads are all made.
"Today" is the package's release date, never the wall clock: the same data builds the same bytes.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Iterable, Iterator

#: Penalty kinds (处罚类别) that alone are not published.
UNPUBLISHED_KINDS = frozenset({"警告"})
#: 处罚内容 texts that say "a warning" and nothing else, when the row has no 处罚类别.
WARNING_TEXTS = frozenset({"警告", "给予警告", "警告处罚", "给予警告处罚", "予以警告"})
_SEPARATORS = re.compile(r"[；;、，,/\s]+")
_PUNCTUATION = re.compile(r"[。.；;，,！!\s]")


#: The tables some of whose rows are not published.
FILTERED = frozenset({"penalties"})


def published(table: str, records: Iterable[dict], today: date) -> Iterable[dict]:
    """The records of `table` that may be published on `today` (all of them but penalties')."""
    if table not in FILTERED:
        return records
    return _public_penalties(records, today.isoformat())


def _public_penalties(records: Iterable[dict], today: str) -> Iterator[dict]:
    for record in records:
        end = record.get("publicity_end")
        if end and str(end)[:10] < today:
            continue
        if warning_only(record):
            continue
        yield record


def warning_only(record: dict) -> bool:
    """True when the penalty is a warning and nothing else (处罚类别, else 处罚内容 and no fine)."""
    kinds = {k for k in _SEPARATORS.split(record.get("penalty_kinds") or "") if k}
    if kinds:
        return kinds <= UNPUBLISHED_KINDS
    text = _PUNCTUATION.sub("", record.get("penalty") or "")
    return text in WARNING_TEXTS and not record.get("fine_yuan")
