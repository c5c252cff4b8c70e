"""What a domain rule reports about one row (rules.py, rules_cells.py)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """One broken rule in one row: the field to fix, the rule's name and how to fix it."""

    field: str | None
    rule: str
    message: str
