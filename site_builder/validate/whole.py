"""`zuofang validate`: every problem in a registry, with file, row, field, rule and a fix.

Each table is located and decoded (readers), its header compared with the schema,
its rows checked by Frictionless (types, constraints, keys) and by the domain rules
(rules.py) in the same pass. Bad data never raises: it becomes a Problem, so the clerk
sees all of them at once. Only a missing or broken datapackage.json raises
DataPackageError, because without it nothing can be checked.

Rule names reported here (besides those in rules.py and validate_frictionless.py):
missing-file, file-path, duplicate-file, encoding, empty-file, unreadable-file, too-large, truncated-file,
delimiter, missing-column, extra-column, duplicate-column, empty-table, from
validate_descriptor.py descriptor-link, and for the photos rows name photo-missing, photo-format
and photo-path (photos.py; see rules.RULE_DESCRIPTIONS).
"""
from __future__ import annotations

import csv
import difflib
import functools
import hashlib
import io
import warnings
from pathlib import Path

from frictionless import FrictionlessException, system

from ..errors import DataPackageError
from ..registry import readers
from ..registry.package import TABLE_ORDER, Package
from ..registry.readers import TableReadError, UnsafePath
from .cells import visible
from . import memory
from . import beside
from .descriptor import descriptor_problems
from .photos import PHOTO_TABLES, file_problem
from .frictionless import (
    TableInfo,
    attach_lookups,
    csv_resource,
    field_title,
    hand_lookups,
    inline_resource,
    row_problems,
    table_schema,
)
from .dates import date_spelling_problems
from .report import Problem, Report
from .facts import FACTS
from .facts import record as record_facts
from ..registry.programmes import programmes
from .rules import OWNED, Region, RuleContext, check_row, region_hierarchy
from .across import Gathered, across_findings

#: What reading a table may raise on a broken file: reported as a problem of that file.
READ_ERRORS = (FrictionlessException, csv.Error, ValueError, OSError)

#: Tables that must have rows, and why (a new registry may well have no recalls yet).
MUST_HAVE_ROWS = {
    "regions": "每个主体、监管所和园区都要归属一个县级区划，",
    "operators": "没有主体就没有可以公开的内容，",
    "products": "二维码溯源页以产品为单位，没有产品就无法生成二维码，",
}


def validate_registry(data_dir: str | Path, keep_scans: bool = False) -> Report:
    """Check the registry in `data_dir`; the report lists every problem (empty when valid).
    With `keep_scans`, `report.scans` holds what memory.py remembers of each CSV table, made
    from the text read here (a build remembers a valid registry without reading it again)."""
    package = Package.load(data_dir)
    check_schemas(package)
    report = _Validation(package, keep_scans).run()
    report.directory = str(data_dir)
    return report


def check_schemas(package: Package) -> None:
    """Every table schema must be one Frictionless understands: without it no row can be judged."""
    from frictionless import Schema

    for table in TABLE_ORDER:
        schema = package.resources[table].get("schema")
        errors = Schema.validate_descriptor(schema).flatten(["note"]) if isinstance(schema, dict) else [["不是对象"]]
        if not errors and not schema.get("fields"):
            errors = [["没有 fields"]]
        if errors:
            raise DataPackageError(f"{package.directory / 'datapackage.json'}：{table} 表的 schema 无效（{errors[0][0]}）。"
                                   "请对照 site_builder/schema/datapackage.json 修正。")


class _Validation:
    """One validation run: what earlier tables taught us (keys, regions) feeds the later ones."""

    def __init__(self, package: Package, keep_scans: bool = False):
        self.package = package
        self.report = Report()
        #: what memory.py remembers of each table (keep_scans), and the columns it keeps
        self.scans: dict | None = {} if keep_scans else None
        self.scanned = memory.wanted_columns(package) if keep_scans else {}
        self.context = RuleContext(package.release_date)
        self.programmes = programmes(package.descriptor, str(package.directory / "datapackage.json"))
        self.gathered = Gathered()  # what the rules across tables read (rules_across.py)
        self.files = {t: (r.get("path") if isinstance(r.get("path"), str) and r.get("path") else f"{t}.csv")
                      for t, r in package.resources.items()}
        self.titles = {t: (r.get("title") or t).split(" ")[0] for t, r in package.resources.items()}
        self.types = {t: {f["name"]: f.get("type", "string") for f in package.fields(t)} for t in package.resources}
        #: (table, key fields) -> key values seen, for the foreign keys of later tables.
        self.lookups: dict[tuple[str, tuple[str, ...]], set] = {}
        self.wanted: dict[str, set[tuple[str, ...]]] = {}
        #: (file, row, photo name) of every row naming a photo, looked at once the tables are read.
        self.photos: list[tuple[str, int, str]] = []
        for table in TABLE_ORDER:
            for fk in package.foreign_keys(table):
                target = fk["reference"]["resource"] or table
                fields = fk["reference"]["fields"]
                self.wanted.setdefault(target, set()).add((fields,) if isinstance(fields, str) else tuple(fields))

    def run(self) -> Report:
        self.report.files = self.files
        self.report.scans = self.scans
        self.report.problems.extend(descriptor_problems(self.package))
        for table in TABLE_ORDER:
            self.check_table(table)
        self.check_photos()
        for table, number, finding in across_findings(self.gathered, self.package.release_date, self.programmes):
            self.report.add(self.files[table], number, finding.field, finding.rule, finding.message)
        return self.report

    def check_photos(self) -> None:
        """Each named photo's file: there, inside the data folder, a sound image (photos.py);
        a file named by several rows is read once and reported on each of them."""
        found: dict[str, object] = {}
        for file, number, name in self.photos:
            if name not in found:
                found[name] = file_problem(self.package.directory, name)
            problem = found[name]
            if problem is not None:
                self.report.add(file, number, "photo", problem.rule, problem.message)

    def check_table(self, table: str) -> None:
        try:
            path = self.package.table_file(table)
        except UnsafePath as exc:
            field_name = f"resources[{self._resource_number(table)}].path" if exc.declared else None
            self.files[table] = exc.file
            self.report.add(exc.file, None, field_name, exc.rule, exc.detail)
            return
        if path is None and self.package.is_optional(table):
            self.absent_table(table)
            return
        if path is None:
            names = "、".join(dict.fromkeys([self.files[table], f"{table}.csv", f"{table}.xlsx"]))
            self.report.add(self.files[table], None, None, "missing-file",
                            f"找不到{self.titles[table]}（{table}）表的文件：应为 {names}。"
                            f"请把导出的文件放到数据目录 {self.package.directory} 中。")
            return
        file = path.relative_to(self.package.directory).as_posix()
        self.files[table] = file
        try:
            self.read_table(table, path, file)
        except TableReadError as exc:
            self.report.add(file, exc.row, exc.field, exc.rule, exc.detail)
        except (*READ_ERRORS, beside.ReadFailure) as exc:
            error = getattr(exc, "error", None)
            rule = getattr(error, "type", "unreadable-file")
            self.report.add(file, None, None, rule,
                            f"无法读取这个文件（{getattr(error, 'note', None) or exc}）。请用表格软件打开检查，重新导出后再试。")

    def absent_table(self, table: str) -> None:
        """An optional table the registry does not have: no rows, so every reference to it fails."""
        self.report.counts[table] = 0
        for key in self.wanted.get(table, ()):
            self.lookups[(table, key)] = set()

    def _resource_number(self, table: str) -> int:
        return next(i for i, r in enumerate(self.package.descriptor["resources"])
                    if isinstance(r, dict) and r.get("name") == table)

    def read_table(self, table: str, path: Path, file: str) -> None:
        raw = readers.read_bytes(path, file)
        descriptor = self.package.resources[table]["schema"]
        truncated, offset = None, 0
        if not readers.is_xlsx(path, raw):
            encoding = readers.detect_encoding(file, raw)
            text = raw.decode(encoding)
            lines = text.count("\n")
            digest = hashlib.sha256(raw).hexdigest() if self.scans is not None else ""
            del raw
            if not text.strip():
                raise TableReadError(file, "empty-file", "文件是空的，连表头都没有。请重新导出。")
            labels = next(csv.reader(io.StringIO(text, newline="")))
            rows = _check_limits(text, file, keep=self.scans is not None)
            truncated = readers.csv_truncation(text, len(labels))
            if self.scans is not None and rows is not None:
                scan = memory.scan_rows(file, text, rows, self.scanned[table], set())
                if scan is not None:
                    scan.sha256 = digest
                    self.scans[table] = scan
            del rows
            del text  # Frictionless streams the file itself; no need to hold it while it does
            make = lambda schema: csv_resource(table, str(path.absolute()), encoding, schema)  # noqa: E731
        else:
            # Read by readers, not by Frictionless's XLSX parser: that one hands over typed cells
            # (a region code typed as a number fails a string field), and an XLSX table must
            # validate exactly like the same table as CSV.
            rows = readers.read_sheet(path)
            lines = len(rows)
            offset = next(i for i, r in enumerate(rows) if r)  # rows above the header are blank
            labels = rows[offset]
            data = [labels] + [r + [""] * (len(labels) - len(r)) if r else r for r in rows[offset + 1:]]
            make = lambda schema: inline_resource(table, data, schema)  # noqa: E731
        for field_name, rule, message in header_problems(table, labels, descriptor["fields"],
                                                         self.package.optional_fields(table)):
            self.report.add(file, 1 + offset, field_name, rule, message)
            if rule == "delimiter":
                return  # every row is one long cell: nothing more to say about them
        targets = {f"{t}:{','.join(k)}" for t, k in self.lookups}
        targets |= {f"{table}:{','.join(k)}" for k in self.wanted.get(table, ()) if set(k) <= set(labels)}
        schema = table_schema(descriptor, labels, targets)
        resource = make(schema)
        sets = attach_lookups(resource, self.lookups, self.types)
        self.read_rows(table, resource, file, offset, truncated, {k for k in self.wanted.get(table, ())
                                                                  if set(k) <= set(labels)}, sets, lines)

    def read_rows(self, table, resource, file, offset, truncated, keys, sets, lines: int = 0) -> None:
        """The table's rows through Frictionless and the rules; `lines` (about the rows) decides
        whether Frictionless reads them in a forked process (beside.py)."""
        fields = {f["name"]: f for f in self.package.fields(table)}
        info = TableInfo(fields, self.package.primary_key(table), self.titles, self.files, table)
        dates = {n: f"{field_title(f)}（{n}）" for n, f in fields.items() if f.get("type") == "date"}
        date_cells = [(i, n) for i, n in enumerate(resource.schema.field_names) if n in dates]
        seen = {key: set() for key in keys}
        regions: list[tuple[int, dict]] = []
        owners = self.context.owners.setdefault(table, {}) if table in OWNED else {}
        pending: list = []  # the last row's problems wait: a truncated file replaces them
        count, number = 0, 1 + offset
        read = functools.partial(_typed_rows, resource, sets, info, offset, date_cells, dates)
        for number, values, problems, spelt, bad in beside.rows_beside(read, READ_ERRORS,
                                                                      alone=lines < beside.ROWS_TO_FORK):
            self.report.problems.extend(pending)
            pending = [_problem(file, number, p) for p in problems]
            pending += [_problem(file, number, (name, "date-format", message)) for name, message in spelt]
            if problems and problems[0][1] == "blank-row":
                continue
            count += 1
            clean = {k: v for k, v in values.items() if k in fields and k not in bad}
            for key, found in seen.items():
                cells = tuple(values.get(k) for k in key)
                if None not in cells:
                    found.add(cells)
            findings = check_row(table, clean, self.context)
            pending += [_problem(file, number, (f.field, f.rule, f.message)) for f in findings]
            if table in PHOTO_TABLES and clean.get("photo") and all(f.field != "photo" for f in findings):
                self.photos.append((file, number, clean["photo"]))
            # A cell one rule refused is not judged again by the rules across tables.
            self.gathered.add(table, number, {k: v for k, v in clean.items()
                                              if k not in {f.field for f in findings}} if findings else clean)
            if table == "regions":
                regions.append((number, clean))
            elif table in OWNED and clean.get(OWNED[table]) and clean.get("operator_id"):
                owners[clean[OWNED[table]]] = clean["operator_id"]
            if table in FACTS:
                record_facts(self.context.facts, table, clean)
        if truncated:  # `number` is the last row's
            pending = [_problem(file, number, (None, "truncated-file", f"第 {number} 行：{truncated}。"))]
            seen = {}  # rows after the cut are unknown: references into them are not judged
        self.report.problems.extend(pending)
        self.report.counts[table] = count
        if count == 0 and table in MUST_HAVE_ROWS:
            self.report.add(file, None, None, "empty-table",
                            f"{self.titles[table]}（{table}）表只有表头，没有数据行。{MUST_HAVE_ROWS[table]}请至少填写一行。")
            seen = {}  # every reference to it would fail too: one problem is enough
        for key, found in seen.items():
            self.lookups[(table, key)] = found
        if table == "regions":
            self.finish_regions(file, regions)

    def finish_regions(self, file: str, rows: list[tuple[int, dict]]) -> None:
        for number, finding in region_hierarchy(rows):
            self.report.add(file, number, finding.field, finding.rule, finding.message)
        regions = {r["code"]: Region(r.get("level"), r.get("name"), r.get("parent_code"))
                   for _, r in rows if r.get("code")}
        self.context = RuleContext(self.context.release_date, regions, self.context.owners, self.context.facts)


def _typed_rows(resource, sets, info: TableInfo, offset: int, date_cells, dates):
    """Frictionless's half of a table's pass: each row's number, typed values, problems (in
    Chinese), the dates spelt as a spreadsheet writes them, and the fields refused (not judged
    again by the rules). Run beside the rules (beside.py), so it holds nothing of their state."""
    with warnings.catch_warnings(), system.use_context(trusted=True):
        warnings.simplefilter("ignore")
        with resource:
            hand_lookups(resource, sets)
            for row in resource.row_stream:
                values = row.to_dict()
                errors = row.errors
                # A real date spelt as a spreadsheet writes it is that (one rule), not a type error.
                cells = row.cells
                spelt = date_spelling_problems({n: cells[i] for i, n in date_cells if i < len(cells)}, dates)
                if spelt:
                    refused = {name for name, _ in spelt}
                    errors = [e for e in errors if getattr(e, "field_name", None) not in refused
                              or e.type != "type-error"]
                bad = {getattr(e, "field_name", None) for e in errors} | {name for name, _ in spelt}
                yield row.row_number + offset, values, row_problems(errors, values, info), spelt, bad


def _check_limits(text: str, file: str, keep: bool = False) -> list[list[str]] | None:
    """Raise TableReadError (too-large) when the CSV has more rows, cells or characters than
    readers allows, before Frictionless makes a problem of each extra cell. Other damage is
    left to Frictionless, which says where and what (then None). With `keep`, the rows, header
    first (only a build keeps them, for the memory: `zuofang validate` need not hold them)."""
    try:
        rows = readers.csv_rows(text, file)
        if keep:
            return list(rows)
        for _ in rows:
            pass
    except csv.Error:
        pass
    return None


def _problem(file: str, row: int, found: tuple) -> Problem:
    field_name, rule, message = found
    return Problem(file, row, field_name, rule, message)


def header_problems(table: str, labels: list[str], fields: list[dict], optional: set[str] = frozenset()):
    """Missing, unknown and repeated columns -> (field, rule, message); the `optional` columns
    may be missing (a registry older than them)."""
    known = {f["name"]: f for f in fields}
    if len(labels) == 1 and (";" in labels[0] or "\t" in labels[0]):
        yield None, "delimiter", (f"表头“{labels[0][:40]}”只有一列，其中有分号或制表符：文件的分隔符不是英文逗号。"
                                  "请在表格软件中另存为“CSV（逗号分隔）”。")
        return
    seen: set[str] = set()
    for number, label in enumerate(labels, 1):
        if label in seen:
            yield label, "duplicate-column", f"列名“{label}”重复出现（第 {number} 列）。请删除重复的列。"
        elif label not in known:
            yield label or None, "extra-column", _unknown_column(table, number, label, known)
        seen.add(label)
    stripped = {label.strip() for label in labels}  # " id" is reported once, as a spacing problem
    for name, field in known.items():
        if name not in stripped and name not in optional:
            yield name, "missing-column", (f"缺少“{name}”列（{field_title(field)}）。请在表头加上这一列"
                                           "（列名须与数据字典完全一致，区分大小写）。")


def _unknown_column(table: str, number: int, label: str, known: dict) -> str:
    if not label.strip():
        return f"第 {number} 列没有列名。请删除这一列，或填上正确的列名。"
    if label.strip() in known:
        return f"列名“{label}”前后有空格。请删去空格，改为“{label.strip()}”。"
    close = difflib.get_close_matches(label, list(known), n=1)
    hint = f"是不是“{close[0]}”？" if close else f"本表的列为：{'、'.join(known)}。"
    # A column name holding an invisible character (a BOM from joined files) looks right:
    # the character is written out, as in a cell's message.
    return f"表头第 {number} 列“{visible(label, 60)}”不是 {table} 表的列。{hint}请改正列名或删除这一列。"
