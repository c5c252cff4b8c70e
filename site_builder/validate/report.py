"""The validation report: every problem found, so the clerk can fix them all in one pass."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True, order=True)
class Problem:
    """One problem: where it is (file, row, field), which rule it breaks, and how to fix it.

    `row` is the row number as a spreadsheet shows it (header = 1, first data row = 2);
    None when the problem is about the whole file or table.
    """

    file: str
    row: int | None
    field: str | None
    rule: str
    message: str


@dataclass
class Report:
    """Problems for the whole registry and the row count of each table that could be read."""

    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    #: table -> its file as found (or as expected when missing), relative to the data folder
    files: dict[str, str] = field(default_factory=dict)
    directory: str | None = None  # the data folder, as the user named it (for the printed report)
    #: table -> its memory.Scan, made from the text validated (validate_registry keep_scans), so a
    #: build remembers the registry without reading every file again; never part of the report
    scans: dict | None = field(default=None, repr=False, compare=False)

    @property
    def valid(self) -> bool:
        return not self.problems

    def add(self, file, row, field_name, rule, message) -> None:
        self.problems.append(Problem(file, row, field_name, rule, message))

    def sorted_problems(self) -> list[Problem]:
        return sorted(self.problems, key=lambda p: (p.file, p.row or 0, p.field or "", p.rule))

    def to_dict(self) -> dict:
        return {
            "valid": self.valid,
            "counts": self.counts,
            "files": self.files,
            "problems": [asdict(p) for p in self.sorted_problems()],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)
